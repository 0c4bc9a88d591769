"""The first demo: a GAN learns a 1-D Gaussian, and the paper's Figure 1 is redrawn from the run.

    python demos/gaussian_1d.py                      # N(4, 1.25^2), typically 5-15 s on 2 CPU cores
    python demos/gaussian_1d.py --mean 0 --std 2 --steps 4000
    python demos/gaussian_1d.py --mixture=-2:0.5,2:0.5 --gif

Writes to outputs/gaussian_1d/ (or --out): figure1.png, training_curves.png,
optimal_discriminator.png, samples.npy (10000, 1), history.csv, summary.json,
and with --gif training.gif.

While it trains it keeps OUT/checkpoint.npz (every --checkpoint-every iterations), and deletes
it once the outputs are written. If a run was interrupted, its checkpoint is still there:
--resume continues it (on NumPy, to the same result as a run that was never interrupted),
--overwrite starts over; without either the demo refuses to start.
"""
from __future__ import annotations

import argparse
import csv
import json
import pathlib
import sys

import numpy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from minigan import backend  # noqa: E402
from minigan.training import health  # noqa: E402
from minigan.demo_tools import plots  # noqa: E402
from minigan.experiments import toy_1d  # noqa: E402
from minigan.demo_tools.cli import (add_resume_arguments, add_run_arguments, finite_float, positive, run_main,  # noqa: E402
                         start_run, toy_checkpoints)
from minigan.training.toy_loop import CHECKPOINT_EVERY  # noqa: E402
from minigan.data import toy  # noqa: E402

DEFAULTS = toy_1d.Recipe()


def parse_mixture(text: str):
    """"-2:0.5,2:0.5[:weight]" -> means, stds, weights."""
    means, stds, weights = [], [], []
    for part in text.split(","):
        fields = part.split(":")
        if len(fields) not in (2, 3):
            raise argparse.ArgumentTypeError(f"--mixture components are MEAN:STD[:WEIGHT]; got {part!r}")
        try:
            values = [finite_float(f) for f in fields]
        except argparse.ArgumentTypeError:
            raise argparse.ArgumentTypeError(f"--mixture components are finite numbers MEAN:STD[:WEIGHT]; got {part!r}")
        if values[1] <= 0 or (len(values) == 3 and values[2] <= 0):
            raise argparse.ArgumentTypeError(f"--mixture: each STD and WEIGHT must be > 0; got {part!r}")
        means.append(values[0]); stds.append(values[1]); weights.append(values[2] if len(values) == 3 else 1.0)
    return means, stds, weights


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--mean", type=finite_float, default=4.0, help="mean of the target Gaussian (default 4)")
    p.add_argument("--std", type=positive(float), default=1.25, help="std of the target Gaussian (default 1.25)")
    p.add_argument("--mixture", type=parse_mixture, default=None, metavar="M:S[:W],...",
                   help="a Gaussian mixture target instead, e.g. --mixture=-2:0.5,2:0.5")
    p.add_argument("--loss", choices=["non-saturating", "minimax"], default=DEFAULTS.generator_loss,
                   help="generator loss (default non-saturating)")
    p.add_argument("--k", type=positive(int), default=DEFAULTS.k, help="discriminator steps per generator step")
    p.add_argument("--lr-g", type=positive(float), default=DEFAULTS.lr_g, help="generator learning rate (Adam)")
    p.add_argument("--lr-d", type=positive(float), default=DEFAULTS.lr_d, help="discriminator learning rate (Adam)")
    p.add_argument("--final-lr-factor", type=positive(float), default=DEFAULTS.final_lr_factor,
                   help="learning rates decay exponentially to this fraction by the last step")
    p.add_argument("--steps", type=positive(int), default=DEFAULTS.steps, help="training iterations")
    p.add_argument("--batch-size", type=positive(int), default=DEFAULTS.batch_size, help="minibatch size m")
    p.add_argument("--hidden", type=positive(int), nargs="+", default=list(DEFAULTS.hidden),
                   help="hidden layer widths of G and D")
    p.add_argument("--noise", choices=["uniform", "normal"], default=DEFAULTS.noise, help="noise prior p_z")
    p.add_argument("--no-standardize", action="store_true",
                   help="let the networks see raw data (G starts near 0, far from the data): "
                        "shows the minimax loss saturating (docs/03_algorithm1.md) and D blind to the spread (docs/01_gan_game.md)")
    p.add_argument("--gif", action="store_true", help="also write training.gif, an animation of training")
    add_resume_arguments(p, checkpoint_every=CHECKPOINT_EVERY)
    add_run_arguments(p, pathlib.Path("outputs/gaussian_1d"))
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    start_run(args)
    target = (toy.GaussianMixture1D(*args.mixture) if args.mixture else toy.Gaussian1D(args.mean, args.std))
    recipe = toy_1d.Recipe(hidden=tuple(args.hidden), noise=args.noise, generator_loss=args.loss, k=args.k,
                            lr_g=args.lr_g, lr_d=args.lr_d, batch_size=args.batch_size, steps=args.steps,
                            final_lr_factor=args.final_lr_factor, standardize=not args.no_standardize)
    out = args.out
    checkpoints = toy_checkpoints(args, out, "gaussian_1d")
    gan, loop = toy_1d.start_1d(target, recipe, num_snapshots=40 if args.gif else 4, progress=not args.quiet,
                                checkpoints=checkpoints)
    real_batches = toy.batches(target, recipe.batch_size)      # endless minibatches x ~ p_data, (m, 1)
    with loop:                                # checkpoints, --resume, learning-rate decay, progress, health
        for iteration in loop:
            # one iteration of Algorithm 1 (minigan/gan/algorithm1.py), as gan.train_step runs it:
            for _ in range(recipe.k):                           # k steps of D, the police
                gan.discriminator_step(next(real_batches))      # ascend log D(x) + log(1 - D(G(z)))
            gan.generator_step(recipe.batch_size)               # one step of G, the counterfeiter
            gan.end_iteration()                                 # count it; read the losses back now and then
    run = toy_1d.finish_1d(gan, target, recipe, loop.fitted)
    run["health"] = health.diagnose(run["gan"].history, k=recipe.k, generator_loss=recipe.generator_loss)
    out.mkdir(parents=True, exist_ok=True)
    write_outputs(out, args, target, recipe, run)
    checkpoints.remove()            # the run is complete: rerunning the demo starts afresh
    m = run["metrics"]
    print(f"target {target.describe()}  ->  samples mean {m['sample_mean']:.3f}, std {m['sample_std']:.3f}")
    print(f"1-Wasserstein distance {m['wasserstein1']:.4f} = {100 * m['wasserstein1_over_std']:.1f}% of the "
          f"target's std;  JS divergence {m['js_divergence']:.4f} nats")
    print(f"mean D(x) {m['final_d_real']:.3f}, mean D(G(z)) {m['final_d_fake']:.3f} (equilibrium: 0.5);  "
          f"V(D,G) {m['final_value']:.3f} (optimum -log 4 = -1.386)")
    resumed = f", resumed from iteration {run['resumed_from']}," if run["resumed_from"] else ""
    print(f"{recipe.steps} iterations{resumed} in {m['seconds']:.1f} s ({m['steps_per_second']:.0f} it/s) on "
          f"{backend.name}; figures in {out}/")
    for line in health.summary_lines(run["health"]):
        print(f"health warning, {line}")
    return run


def write_outputs(out, args, target, recipe, run):
    snaps = run["snapshots"]
    xlim = toy_1d.plot_range(target, run["samples"][:, 0])
    four = snaps if len(snaps) <= 4 else [snaps[i] for i in numpy.linspace(0, len(snaps) - 1, 4).astype(int)]
    plots.figure1(four, target, xlim, out / "figure1.png")
    history = run["gan"].history
    plots.training_curves(history, out / "training_curves.png", k=recipe.k, episodes=run["health"])
    plots.optimal_discriminator(snaps[-1], target, xlim, out / "optimal_discriminator.png")
    if args.gif:
        plots.training_animation(snaps, target, xlim, out / "training.gif")
    numpy.save(out / "samples.npy", run["samples"].astype(numpy.float32))
    with open(out / "history.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["d_step", "d_loss", "d_real", "d_fake", "value", "g_loss"])
        g_loss = history["g_loss"]
        for i, row in enumerate(zip(history["d_loss"], history["d_real"], history["d_fake"], history["value"])):
            g = g_loss[i // recipe.k] if (i + 1) % recipe.k == 0 and i // recipe.k < len(g_loss) else ""
            writer.writerow([i + 1, *row, g])
    summary = {"target": target.describe(), "settings": {**recipe.to_dict(), "seed": args.seed, "backend": backend.name},
               "metrics": run["metrics"], "health": run["health"]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    run_main(main)
