"""Table 1 of Goodfellow et al. (2014), reproduced: the paper's MNIST GAN trained as its code trains it.

    python demos/paper_table1.py --data DIR                       # train, then the full Parzen evaluation
    python demos/paper_table1.py --data DIR --parzen-every 2      # also a cheap Parzen estimate every 2 epochs
    python demos/paper_table1.py --data DIR --resume --epochs 500 # continue a run (any number of epochs)
    python demos/paper_table1.py --data DIR --eval-only           # evaluate OUT/checkpoint.npz as it is now

The recipe is minigan/experiments/paper_mnist.py (mnist.yaml of github.com/goodfeli/adversarial):
Maxout D with dropout, ReLU G with uniform noise, both players moved by ONE simultaneous SGD step
(minigan/simultaneous_gan.py), learning rate 0.1 decaying by 1.000004 per step, momentum 0.5 -> 0.7.
Training images 0-49,999; after training (or with --eval-only) the protocol of parzen_ll.py:
10,000 samples as Parzen centres, sigma chosen on training images 50,000-50,999 over
logspace(-1, 0, 10), the mean log-likelihood of the 10,000 test images ± std/sqrt(n), printed beside
the paper's Table 1 with the same estimator on 10,000 real training images as a reference.

Writes to --out (default outputs/paper_table1): per epoch grid_10x10.png, loss_curves.png,
checkpoint.npz (and, with --parzen-every, parzen_over_training.json/.png); at the end samples.npy
(the 10,000 Parzen centres, (10000, 784) in [0, 1]), figure2.png (samples; the rightmost column is
the training image nearest to its neighbour), generator.npz and summary.json. See
docs/09_evaluating_gans.md, "Table 1 reproduced".
"""
from __future__ import annotations

import argparse
import json
import math
import pathlib
import sys
import time

import numpy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan import backend, metrics  # noqa: E402
from minigan.training import checkpoint, image_sampling, image_loop  # noqa: E402
from minigan.demo_tools import cli, plots  # noqa: E402
from minigan.data import mnist  # noqa: E402
from minigan.experiments import experiment_from_config, paper_mnist  # noqa: E402
from minigan.gan import draw_noise  # noqa: E402
from minigan.demo_tools.figure_text import text  # noqa: E402
from minigan.training.progress import Progress  # noqa: E402

DEFAULT_OUT = pathlib.Path(__file__).resolve().parents[1] / "outputs" / "paper_table1"
TRACK_CENTRES = 1000          #: Parzen-over-training: generated centres ...
TRACK_IMAGES = 500            #: ... scored on the last 500 validation images (59,500-59,999)
PARZEN_JSON, PARZEN_PNG = "parzen_over_training.json", "parzen_over_training.png"


def parse_args(argv=None):
    defaults = paper_mnist.Settings()
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    cli.add_image_gan_arguments(p, defaults, DEFAULT_OUT)
    p.add_argument("--parzen-every", type=cli.non_negative_int, default=0, metavar="E",
                   help=f"every E epochs, a cheap Parzen estimate ({TRACK_CENTRES:,} samples as centres, sigma "
                        f"chosen on and scored on {TRACK_IMAGES} validation images) into {PARZEN_JSON} and "
                        f"{PARZEN_PNG}; 0: never (default: %(default)s)")
    p.add_argument("--eval-only", action="store_true",
                   help="no training: evaluate OUT/checkpoint.npz (any epoch) with the full protocol")
    p.add_argument("--parzen-samples", type=cli.positive(int), default=paper_mnist.PARZEN_NUM_SAMPLES,
                   help="generated (and real) Parzen centres in the final evaluation (default: %(default)s, as the paper)")
    p.add_argument("--parzen-test", type=cli.positive(int), default=None,
                   help="score only the first N test images (quick checks; default: all 10,000)")
    return p.parse_args(argv)


def progress_callback(label: str, enabled: bool):
    """A ``progress(done, total)`` for the Parzen functions: one bar per pass over the points."""
    state = {"bar": None}

    def update(done, total):
        if not enabled:
            return
        if state["bar"] is None:
            state["bar"] = Progress(total, label=label)
        state["bar"].update(done)
        if done >= total:
            state["bar"].close()
            state["bar"] = None
    return update


# -- the cheap Parzen estimate during training --------------------------------------------------
class ParzenOverTraining:
    """After every ``every`` epochs: Parzen with TRACK_CENTRES samples (fixed z) on TRACK_IMAGES
    validation images, sigma chosen on them; appended to OUT/parzen_over_training.json and drawn."""

    def __init__(self, out, experiment, validation, train_images, every: int, resume: bool, seed: int):
        self.out, self.experiment, self.every = pathlib.Path(out), experiment, every
        self.points = validation[-TRACK_IMAGES:]
        self.z = draw_noise(backend.Random(seed + 3), experiment.noise,
                                           (TRACK_CENTRES, experiment.noise_dim))
        path = self.out / PARZEN_JSON
        saved = json.loads(path.read_text()) if resume and path.exists() else None
        if saved is None:
            sigma, table = metrics.parzen_select_sigma(train_images[:TRACK_CENTRES], self.points)
            best = max(table, key=lambda row: row["mean"])
            saved = {"protocol": f"{TRACK_CENTRES} generated centres (fixed z), sigma chosen on and scored on "
                                 f"validation images 59,500-59,999 (a cheap tracker, not Table 1's protocol)",
                     "real_centres": {"centres": f"training images 0-{TRACK_CENTRES - 1}", **best},
                     "epochs": []}
        self.record = saved

    def __call__(self, epoch, gan):
        if not self.every or epoch % self.every:
            return
        start = time.perf_counter()
        centres = image_sampling.generate_images(gan.sampler, self.z, output=self.experiment.output)
        sigma, table = metrics.parzen_select_sigma(centres, self.points)
        best = max(table, key=lambda row: row["mean"])
        rows = [r for r in self.record["epochs"] if r["epoch"] < epoch]     # a resumed run replaces later ones
        self.record["epochs"] = rows + [{"epoch": epoch, **best, "seconds": round(time.perf_counter() - start, 2)}]
        (self.out / PARZEN_JSON).write_text(json.dumps(self.record, indent=2) + "\n")
        draw_parzen_over_training(self.record, self.out / PARZEN_PNG)


def draw_parzen_over_training(record, path):
    plt = plots._plt()
    rows = record["epochs"]
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.errorbar([r["epoch"] for r in rows], [r["mean"] for r in rows], yerr=[r["stderr"] for r in rows],
                fmt="o-", ms=3, lw=1, capsize=2, label=text("parzen.gan", centres=TRACK_CENTRES))
    real = record["real_centres"]
    ax.axhline(real["mean"], color="k", ls="--", lw=1, label=text("parzen.real", centres=TRACK_CENTRES))
    ax.set_xlabel(text("parzen.epoch"))
    ax.set_ylabel(text("parzen.ylabel"))
    ax.set_title(text("parzen.title", images=TRACK_IMAGES), fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- the final evaluation --------------------------------------------------------------------
def figure2(samples, train_images, path, rows: int = 6, cols: int = 5):
    """Figure 2 of the paper: rows x cols samples, then in a last, framed column the training image
    nearest (Euclidean) to the sample beside it."""
    plt = plots._plt()
    shown = samples[:rows * cols].reshape(rows, cols, -1)
    nearest = train_images[paper_mnist.nearest_images(shown[:, -1], train_images)]
    grid = numpy.concatenate([shown, nearest[:, None]], axis=1).reshape(rows * (cols + 1), -1)
    fig, ax = plt.subplots(figsize=((cols + 1) * 0.7 + 0.4, rows * 0.7 + 0.6))
    plots.show_images(ax, grid, rows, cols + 1, text("figure2.title"))
    ax.add_patch(plt.Rectangle((cols * 30 - 1.5, -1.5), 29, rows * 30 - 1, fill=False, ec="gold", lw=2))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table(result) -> str:
    gan, real = result["parzen"], result["parzen_real_centres"]
    lines = ["Table 1 of Goodfellow et al. (2014): Parzen window-based log-likelihood of the MNIST test set (nats)",
             f"  {'model':<44} {'MNIST':>14}"]
    lines += [f"  {name + ' (paper)':<44} {mean:>8} ± {se}" for name, mean, se in metrics.PAPER_TABLE1]
    lines += [f"  {'Adversarial nets (minigan, %d epochs)' % result['epochs']:<44} {gan['mean']:8.1f} ± "
              f"{gan['stderr']:.1f}   (sigma {gan['sigma']:.3f}, {gan['centres']:,} samples)",
              f"  {'reference: real training images as centres':<44} {real['mean']:8.1f} ± {real['stderr']:.1f}"
              f"   (sigma {real['sigma']:.3f}, {real['centres']:,} images)",
              f"  scored on {gan['test_images']:,} test images; sigma chosen on training images 50,000-50,999"]
    return "\n".join(lines)


def evaluate(experiment, G, out, folder, train_file, args, epochs: int, train_seconds: float) -> dict:
    """parzen_ll.py's protocol on OUT's generator; writes samples.npy, figure2.png, summary.json.
    ``train_file``: the 60,000 images of MNIST's training file (N, 784) in [0, 1]."""
    start = time.perf_counter()
    train_images, _ = experiment.training_split(train_file)
    validation = experiment.validation_split(train_file)[:paper_mnist.PARZEN_VALIDATION_RANGE[1]
                                                         - paper_mnist.PARZEN_VALIDATION_RANGE[0]]
    test = mnist.load_mnist(folder, "test")[0][:args.parzen_test]
    n = args.parzen_samples
    samples, _ = experiment.sample(G, math.ceil(n / 10), seed=args.seed)
    samples = samples[:n]
    numpy.save(out / "samples.npy", samples)
    show = not args.quiet
    print(f"Parzen evaluation: {n:,} samples as centres ...", file=sys.stderr)
    gan = paper_mnist.parzen_table1(samples, validation, test, progress=progress_callback("parzen (GAN)", show))
    real = paper_mnist.parzen_table1(train_images[:n], validation, test,
                                     progress=progress_callback("parzen (real)", show))
    real["centres_from"] = f"training images 0-{min(n, len(train_images)) - 1}"
    figure2(samples, train_images, out / "figure2.png")
    path = out / "summary.json"
    summary = json.loads(path.read_text()) if path.exists() else {}
    result = {"epochs": epochs, "train_seconds": round(train_seconds, 1),
              "evaluation_seconds": round(time.perf_counter() - start, 1), "parzen": gan,
              "parzen_real_centres": real,
              "paper_table1_mnist": [{"model": m, "mean": v, "stderr": s} for m, v, s in metrics.PAPER_TABLE1]}
    summary["table1"] = result
    path.write_text(json.dumps(summary, indent=2) + "\n")
    print(table(result))
    return result


def train(args, train_file):
    settings = paper_mnist.Settings(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, limit=args.limit)
    experiment = paper_mnist.Experiment(settings)
    images, labels = experiment.training_split(train_file)
    callbacks = [plots.EpochFigures(args.out, experiment, seed=args.seed, gif=args.gif)]
    if args.parzen_every:
        callbacks.append(ParzenOverTraining(args.out, experiment, experiment.validation_split(train_file), images,
                                            args.parzen_every, args.resume, args.seed))

    def on_epoch_end(epoch, gan):
        for callback in callbacks:
            callback(epoch, gan)
    summary = image_loop.train(experiment, images, labels, args.out, resume=args.resume,
                                   overwrite=args.overwrite, on_epoch_end=on_epoch_end,
                                   show_progress=not args.quiet, args=cli.command_line(args))
    print(f"{summary['epochs_completed']} epochs of {summary['iterations_per_epoch']} steps on "
          f"{summary['train_images']:,} images, {summary['mean_seconds_per_epoch']} s/epoch ({summary['backend']})")
    return experiment, summary


def main(argv=None) -> dict:
    args = parse_args(argv)
    cli.start_run(args)
    folder = mnist.data_folder(args.data)
    if args.download:
        mnist.download_mnist(folder)
    if args.eval_only:
        path = args.out / image_loop.CHECKPOINT
        if not path.exists():
            raise FileNotFoundError(f"--eval-only: no checkpoint at {path}; train first or pass its --out")
    train_file, _ = mnist.load_mnist(folder, "train")     # read once: training, validation, real centres
    if args.eval_only:
        state = checkpoint.load(path)
        G, config = image_sampling.load_generator(path)
        experiment = experiment_from_config(config, path)
        if experiment.name != paper_mnist.Experiment.name:
            raise ValueError(f"--eval-only: {path} was written by the {experiment.name!r} experiment, not paper_mnist")
        return evaluate(experiment, G, args.out, folder, train_file, args, state["epoch"],
                        sum(state["seconds_per_epoch"]))
    experiment, summary = train(args, train_file)
    G, _ = image_sampling.load_generator(args.out / "generator.npz")
    return evaluate(experiment, G, args.out, folder, train_file, args, summary["epochs_completed"],
                    sum(summary["seconds_per_epoch"]))


if __name__ == "__main__":
    cli.run_main(main)
