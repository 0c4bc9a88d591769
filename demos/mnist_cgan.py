"""Train the conditional GAN of the classic PyTorch MNIST tutorial, from scratch on NumPy/CuPy.

    python demos/mnist_cgan.py --data DIR              # 30 epochs on the 60,000 training images
    python demos/mnist_cgan.py --download              # fetch MNIST first (MD5-checked)
    python demos/mnist_cgan.py --data DIR --train-split test --epochs 30   # development run
    python demos/mnist_cgan.py --resume                # continue after an interruption

Writes to --out (default outputs/mnist_cgan): after every epoch grid_3x3.png (the
tutorial's nine samples, digits 0-8), grid_10x10.png (one row per digit, one fixed z
per column; copies per epoch in epochs/), loss_curves.png and checkpoint.npz; at
the end samples.npy, labels.npy, generator.npz and summary.json.
See docs/conditional_gan.md.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan import backend, models, plots, train_mnist  # noqa: E402
from minigan.cli import positive  # noqa: E402
from minigan.data import mnist  # noqa: E402

DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "outputs" / "mnist_cgan"


def parse_args(argv=None):
    defaults = train_mnist.Settings()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default=None,
                   help=f"folder with the four MNIST files (default: ${mnist.ENV_VAR}, else {mnist.DEFAULT_FOLDER})")
    p.add_argument("--download", action="store_true",
                   help=f"download MNIST into the folder first (from {mnist.DEFAULT_MIRROR}, MD5-checked)")
    p.add_argument("--train-split", choices=train_mnist.TRAIN_SPLITS, default=defaults.train_split,
                   help="'train': the 60,000 training images (the real thing). 'test': a DEVELOPMENT "
                        "convenience only, never the benchmark protocol: trains on the first 8,000 test "
                        "images and holds out the last 2,000 for evaluation (default: %(default)s)")
    p.add_argument("--epochs", type=positive(int), default=defaults.epochs, help="(default: %(default)s)")
    p.add_argument("--batch-size", type=positive(int), default=defaults.batch_size, help="(default: %(default)s)")
    p.add_argument("--k", type=positive(int), default=defaults.k,
                   help="discriminator steps per generator step, Algorithm 1's k (default: %(default)s)")
    p.add_argument("--lr-d", type=positive(float), default=defaults.lr_d, help="D's Adam learning rate (default: %(default)s)")
    p.add_argument("--lr-g", type=positive(float), default=defaults.lr_g, help="G's Adam learning rate (default: %(default)s)")
    p.add_argument("--seed", type=int, default=defaults.seed, help="(default: %(default)s)")
    p.add_argument("--unconditional", action="store_true", help="no labels: a plain GAN (D input 784, G input 100)")
    p.add_argument("--limit", type=positive(int), default=None, help="train on the first LIMIT images only (quick checks)")
    p.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="(default: outputs/mnist_cgan)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz with the same settings")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p.parse_args(argv)


def save_grid(path, images, rows, cols, title, row_labels=None):
    """Save host images (rows*cols, 784) in [0, 1] as one titled picture."""
    fig, ax = plt.subplots(figsize=(cols * 0.6 + 0.6, rows * 0.6 + 0.6))
    plots.show_images(ax, images, rows, cols, title, row_labels)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_loss_curves(path, history, k):
    """Losses and D's outputs against the iteration, smoothed over 50 iterations."""
    def smooth(values, every=1):
        v = numpy.asarray(values).reshape(-1, every).mean(axis=1)    # one value per iteration
        w = min(50, len(v))
        return numpy.convolve(v, numpy.ones(w) / w, mode="valid")
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    top.plot(smooth(history["d_loss"], k), label="D loss (BCE real + fake) / 2")
    top.plot(smooth(history["g_loss"]), label="G loss -log D(G(z))")
    top.legend(fontsize=8)
    bottom.plot(smooth(history["d_real"], k), label="D(x), real")
    bottom.plot(smooth(history["d_fake"], k), label="D(G(z)), fake")
    bottom.axhline(0.5, color="gray", lw=0.8, ls="--")
    bottom.set_ylim(0, 1)
    bottom.set_xlabel("iteration (k D steps + 1 G step)")
    bottom.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def epoch_figures(out, seed, k):
    """The on_epoch_end callback: grids from fixed z (same every epoch) and loss curves."""
    (out / "epochs").mkdir(parents=True, exist_ok=True)

    def callback(epoch, gan):
        G = gan.generator
        if models.is_conditional(G):
            z, labels = models.label_grid_inputs(10, 10, seed=seed + 1)
            grid = models.generate_images(G, z, labels)
            small = models.generate_images(G, backend.Random(seed + 2).normal((9, models.NOISE_DIM)),
                                           backend.xp.arange(9, dtype=backend.xp.int64))
            rows = [str(i) for i in range(10)]
        else:
            grid = models.generate_images(G, backend.Random(seed + 1).normal((100, models.NOISE_DIM)))
            small = grid[:9]
            rows = None
        save_grid(out / "grid_3x3.png", small, 3, 3, f"epoch {epoch}")
        for path in (out / "grid_10x10.png", out / "epochs" / f"grid_10x10_epoch_{epoch:03d}.png"):
            save_grid(path, grid, 10, 10, f"epoch {epoch}: row = label, column = fixed z", rows)
        save_loss_curves(out / "loss_curves.png", gan.history, k)
    return callback


def main(argv=None) -> dict:
    args = parse_args(argv)
    folder = mnist.data_folder(args.data)
    if args.download:
        mnist.download_mnist(folder)
    settings = train_mnist.Settings(epochs=args.epochs, batch_size=args.batch_size, k=args.k, seed=args.seed,
                                    lr_d=args.lr_d, lr_g=args.lr_g, conditional=not args.unconditional,
                                    train_split=args.train_split, limit=args.limit)
    images, labels = train_mnist.training_data(folder, settings)
    if settings.train_split == "test":
        print("NOTE: --train-split test is a development convenience (first 8,000 test images), "
              "not the benchmark protocol.", file=sys.stderr)
    summary = train_mnist.train(images, labels, args.out, settings, resume=args.resume,
                                on_epoch_end=epoch_figures(args.out, args.seed, args.k),
                                show_progress=not args.quiet,
                                args={k: str(v) if isinstance(v, pathlib.Path) else v for k, v in vars(args).items()})
    final = summary["final_epoch_means"]
    print(f"{summary['epochs_completed']} epochs of {summary['iterations_per_epoch']} iterations on "
          f"{summary['train_images']} images, {summary['mean_seconds_per_epoch']} s/epoch ({backend.name}); "
          f"last epoch: D(x) {final['D(x)']:.3f}, D(G(z)) {final['D(G(z))']:.3f}, "
          f"d_loss {final['d_loss']:.3f}, g_loss {final['g_loss']:.3f}. Outputs in {args.out}")
    return summary


if __name__ == "__main__":
    main()
