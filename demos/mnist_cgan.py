"""Train the conditional GAN of the classic PyTorch MNIST tutorial, from scratch on NumPy/CuPy.

    python demos/mnist_cgan.py --data DIR              # 30 epochs on the 60,000 training images
    python demos/mnist_cgan.py --download              # fetch MNIST first (MD5-checked)
    python demos/mnist_cgan.py --data DIR --auxiliary-classifier   # AC-GAN: D also names the digit
    python demos/mnist_cgan.py --data DIR --train-split test --epochs 30   # development run
    python demos/mnist_cgan.py --resume                # continue after an interruption
    python demos/mnist_cgan.py --data DIR --init pretrained --epochs 5   # G starts from the shipped cgan

Writes to --out (default outputs/mnist_cgan): after every epoch grid_3x3.png (the
tutorial's nine samples, digits 0-8), grid_10x10.png (one row per digit, one fixed z
per column; copies per epoch in epochs/), loss_curves.png and checkpoint.npz; at
the end samples.npy, labels.npy, generator.npz and summary.json.
The recipe is minigan/experiments/mnist_cgan.py; see docs/05_conditional_gan.md.
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan.demo_tools import cli  # noqa: E402
from minigan.experiments import mnist_cgan  # noqa: E402

DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "outputs" / "mnist_cgan"


def parse_args(argv=None):
    defaults = mnist_cgan.Settings()
    p = cli.image_demo_parser(__doc__, defaults, DEFAULT_OUT)
    p.add_argument("--train-split", choices=mnist_cgan.TRAIN_SPLITS, default=defaults.train_split,
                   help="'train': the 60,000 training images (the real thing). 'test': a DEVELOPMENT "
                        "convenience only, never the benchmark protocol: trains on the first 8,000 test "
                        "images and holds out the last 2,000 for evaluation (default: %(default)s)")
    p.add_argument("--k", type=cli.positive(int), default=defaults.k,
                   help="discriminator steps per generator step, Algorithm 1's k (default: %(default)s)")
    p.add_argument("--lr-d", type=cli.positive(float), default=defaults.lr_d, help="D's Adam learning rate (default: %(default)s)")
    p.add_argument("--lr-g", type=cli.positive(float), default=defaults.lr_g, help="G's Adam learning rate (default: %(default)s)")
    p.add_argument("--unconditional", action="store_true", help="no labels: a plain GAN (D input 784, G input 100)")
    p.add_argument("--auxiliary-classifier", action="store_true",
                   help="AC-GAN (Odena et al. 2017): D reads the image alone and predicts its digit; G is "
                        "rewarded when D reads its sample as the asked-for digit")
    cli.add_init_argument(p)
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    settings = mnist_cgan.Settings(epochs=args.epochs, batch_size=args.batch_size, k=args.k, seed=args.seed,
                                   lr_d=args.lr_d, lr_g=args.lr_g, conditional=not args.unconditional,
                                   auxiliary_classifier=args.auxiliary_classifier,
                                   train_split=args.train_split, limit=args.limit)
    if settings.train_split == "test":
        print("NOTE: --train-split test is a development convenience (first 8,000 test images), "
              "not the benchmark protocol.", file=sys.stderr)
    return cli.run_image_demo(mnist_cgan.Experiment(settings), args)


if __name__ == "__main__":
    cli.run_main(main)
