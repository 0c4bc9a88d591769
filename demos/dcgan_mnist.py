"""Train a DCGAN (Radford et al. 2016) on MNIST, from scratch on NumPy/CuPy.

    python demos/dcgan_mnist.py --data DIR                  # unconditional, 5 epochs of 60,000 images
    python demos/dcgan_mnist.py --data DIR --conditional    # G reads the digit; a projection discriminator
    python demos/dcgan_mnist.py --data DIR --pack 4 --minibatch-kernels 50 --epochs 8   # unconditional, even classes
    python demos/dcgan_mnist.py --data DIR --conditional --discriminator residual   # StyleGAN2-ADA's residual D
    python demos/dcgan_mnist.py --download                  # fetch MNIST first (MD5-checked)
    python demos/dcgan_mnist.py --resume --epochs 10        # continue exactly where the last checkpoint stopped
    python demos/dcgan_mnist.py --data DIR --conditional --init pretrained --epochs 2   # G from the shipped dcgan

Writes to --out (default outputs/dcgan_mnist): after every epoch grid_3x3.png, grid_10x10.png
(fixed z; one row per digit with --conditional; copies per epoch in epochs/), loss_curves.png
and checkpoint.npz; at the end samples.npy (10000, 784) in [0, 1], labels.npy (--conditional),
generator.npz and summary.json. The recipe is minigan/experiments/dcgan.py; see docs/07_dcgan.md.
"""
from __future__ import annotations

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan.demo_tools import cli  # noqa: E402
from minigan.experiments import dcgan  # noqa: E402

DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "outputs" / "dcgan_mnist"


def parse_args(argv=None):
    defaults = dcgan.Settings()
    p = cli.image_demo_parser(__doc__, defaults, DEFAULT_OUT)
    p.add_argument("--conditional", action="store_true",
                   help="tell both networks the digit: G reads [z, embed(y)], D is a projection discriminator")
    p.add_argument("--k", type=cli.positive(int), default=defaults.k,
                   help="discriminator steps per generator step, Algorithm 1's k (default: %(default)s)")
    p.add_argument("--lr-d", type=cli.positive(float), default=defaults.lr_d, help="D's Adam learning rate (default: %(default)s)")
    p.add_argument("--lr-g", type=cli.positive(float), default=defaults.lr_g, help="G's Adam learning rate (default: %(default)s)")
    p.add_argument("--beta1", type=cli.bounded(0, 1, high_open=True), default=defaults.beta1,
                   help="Adam's beta1 for both networks (default: %(default)s, the paper's)")
    p.add_argument("--pack", type=cli.positive(int), default=defaults.pack,
                   help="PacGAN: D judges PACK images at once, stacked as channels (unconditional only; default: %(default)s)")
    p.add_argument("--batchnorm-output", action="store_true",
                   help="break a DCGAN guideline on purpose: batch norm on G's output (docs/07_dcgan.md section 5)")
    p.add_argument("--minibatch-kernels", type=cli.non_negative_int, default=defaults.minibatch_kernels, metavar="B",
                   help="minibatch discrimination on D's features with B kernels (Salimans et al. 2016; "
                        "docs/07_dcgan.md section 5.2; default: %(default)s, off)")
    p.add_argument("--discriminator", choices=dcgan.DISCRIMINATORS, default=defaults.discriminator,
                   help="D's body: the paper's two strided convolutions, or residual blocks with downsampling as "
                        "StyleGAN2-ADA's (docs/07_dcgan.md section 7; default: %(default)s)")
    p.add_argument("--ema", type=cli.bounded(0, 1, high_open=True), default=defaults.ema_decay, metavar="DECAY",
                   help="draw samples from an exponential moving average of G's weights with this factor, "
                        "e.g. 0.999 (docs/07_dcgan.md section 5.2; default: %(default)s, off)")
    cli.add_init_argument(p)
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    settings = dcgan.Settings(epochs=args.epochs, batch_size=args.batch_size, k=args.k, seed=args.seed,
                              lr_d=args.lr_d, lr_g=args.lr_g, beta1=args.beta1, conditional=args.conditional,
                              pack=args.pack, output_batchnorm=args.batchnorm_output, ema_decay=args.ema,
                              minibatch_kernels=args.minibatch_kernels, discriminator=args.discriminator,
                              limit=args.limit)
    return cli.run_image_demo(dcgan.Experiment(settings), args)


if __name__ == "__main__":
    cli.run_main(main)
