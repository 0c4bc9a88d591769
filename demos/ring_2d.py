"""Mode collapse, seen: a GAN learns the ring of 8 Gaussians (or the 5x5 grid of 25).

    python demos/ring_2d.py                  # ring of 8 (radius 2, std 0.02), about 30 s on 2 CPU cores
    python demos/ring_2d.py --grid           # the 5x5 grid of 25 (std 0.05): harder, the default recipe fails it
    python demos/ring_2d.py --compare        # five variants on a collapse-prone recipe, about 3 min
    python demos/ring_2d.py --pack 2         # PacGAN2 on the papers' ring (radius 1, std 0.01), their protocol
    python demos/ring_2d.py --grid --pack 4  # PacGAN4 on the papers' 5x5 grid, about 3 min on one core
    python demos/ring_2d.py --table          # PacGAN's Table 1: GAN, PacGAN2/3/4 x 10 trials, ours beside theirs

A sample is "high quality" when it lies within 3 std of its nearest mode; a
mode is "captured" when it gets at least one high-quality sample; the reverse
KL compares the high-quality samples' spread over the modes with uniform
(0 = even, log 8 = 2.08 = all on one mode).

Writes to outputs/ring_2d/ (outputs/ring_2d/grid/ with --grid, or --out):
ring_2d.png (samples over training, on top of the true modes), samples.npy
(10000, 2), summary.json. While a single run (with or without --grid, --pack)
trains it keeps OUT/checkpoint.npz (every --checkpoint-every iterations) and
deletes it once the outputs are written; after an interruption --resume
continues that run (on NumPy, to the same result as an uninterrupted one) and
--overwrite starts over; without either the demo refuses to start. --table and
--compare write no checkpoint and refuse these flags.

--pack M (and --table) switch to the protocol of PacGAN's Table 1 (Lin et al.
2018): the ring of radius 1 with std 0.01 (toy.pacgan_ring) or the grid with
std 0.05, scored on 2,500 samples, with minigan's recipe for it
(toy_2d.PACGAN_RING / PACGAN_GRID) and D judging M samples at once. --table
trains GAN and PacGAN2/3/4 for --trials seeds each (--seed, --seed+1, ...),
prints ours (mean ± standard error) beside the published rows, and writes
table.json and table.png (one panel per model, first trial).

--compare writes compare.png and compare.json instead. To show collapse
clearly it starts from a DELIBERATELY COLLAPSE-PRONE recipe
(toy_2d.COLLAPSE_PRONE: 16-D noise and k=5 discriminator steps per generator
step, 4000 iterations), not the default one, and trains from the same seed:
the minimax loss, the non-saturating loss (the base itself), k=1, two
time-scale learning rates (G 4x slower than D), and minibatch discrimination
in D. It prints one table; a cure need not help in every seed. --compare
uses only --steps, --seed, --grid and --out of the options below.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
import textwrap
from dataclasses import replace

import numpy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from minigan import backend, metrics  # noqa: E402
from minigan.training import health  # noqa: E402
from minigan.experiments import toy_2d  # noqa: E402
from minigan.demo_tools.figure_text import text  # noqa: E402
from minigan.demo_tools.cli import (add_resume_arguments, add_run_arguments, bounded, non_negative_int, positive,  # noqa: E402
                         run_main, start_run, toy_checkpoints)
from minigan.training.toy_loop import CHECKPOINT_EVERY  # noqa: E402
from minigan.data import toy  # noqa: E402

DEFAULTS = toy_2d.Recipe2D()


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--grid", action="store_true", help="the 5x5 grid of 25 Gaussians instead of the ring of 8")
    p.add_argument("--compare", action="store_true",
                   help="train five variants of a deliberately collapse-prone recipe (16-D noise, k=5) side by "
                        "side from the same seed, print a table, write compare.png")
    p.add_argument("--pack", type=positive(int), default=None,
                   help="PacGAN: D judges this many samples at once; switches to the papers' data and protocol "
                        "and to minigan's PacGAN recipe (toy_2d.PACGAN_RING / PACGAN_GRID)")
    p.add_argument("--table", action="store_true",
                   help="PacGAN's Table 1: GAN and PacGAN2/3/4, --trials trainings each, ours beside the published")
    p.add_argument("--trials", type=positive(int), default=10, help="trials per model for --table (default 10)")
    p.add_argument("--packs", type=positive(int), nargs="+", default=None, metavar="M",
                   help="the models of --table, by packing degree (default 1 2 3 4: GAN, PacGAN2, PacGAN3, PacGAN4)")
    # recipe flags: None = the recipe's own value (the default recipe, or the PacGAN one with --pack/--table)
    p.add_argument("--steps", type=positive(int), default=None,
                   help=f"training iterations (default {DEFAULTS.steps}; --compare: {toy_2d.COLLAPSE_PRONE.steps}; "
                        f"--pack/--table: the PacGAN recipe's)")
    p.add_argument("--loss", choices=["non-saturating", "minimax"], default=None,
                   help="generator loss (default non-saturating)")
    p.add_argument("--k", type=positive(int), default=None, help=f"discriminator steps per generator step (default {DEFAULTS.k})")
    p.add_argument("--lr-g", type=positive(float), default=None, help=f"generator learning rate (Adam; default {DEFAULTS.lr_g})")
    p.add_argument("--lr-d", type=positive(float), default=None, help=f"discriminator learning rate (Adam; default {DEFAULTS.lr_d})")
    p.add_argument("--minibatch-kernels", type=non_negative_int, default=None,
                   help="B kernels of minibatch discrimination in D (default 0: none)")
    p.add_argument("--batch-size", type=positive(int), default=None,
                   help=f"D's verdicts per batch, real and fake each (default {DEFAULTS.batch_size}); with --pack M "
                        "a batch holds M times as many samples")
    p.add_argument("--noise-dim", type=positive(int), default=None, help=f"dimension of z ~ N(0, I) (default {DEFAULTS.noise_dim})")
    p.add_argument("--ema", type=bounded(0, 1, high_open=True), default=None, metavar="DECAY",
                   help="draw samples from an exponential moving average of G's weights with this factor, 0 = off "
                        "(default 0; --grid with --pack/--table: the recipe's 0.999)")
    add_resume_arguments(p, checkpoint_every=CHECKPOINT_EVERY)
    add_run_arguments(p, None, "output folder (default outputs/ring_2d, or outputs/ring_2d/grid with --grid)")
    args = p.parse_args(argv)
    given = [flag for flag, value in (("--resume", args.resume), ("--overwrite", args.overwrite),
                                      ("--checkpoint-every", args.checkpoint_every is not None)) if value]
    modes = [flag for flag, value in (("--table", args.table), ("--compare", args.compare)) if value]
    if args.packs is not None and not args.table:
        p.error("--packs chooses the models of --table; pass --table too (a single run takes --pack M)")
    if given and modes:
        p.error(f"{', '.join(given)} cannot be used with {' and '.join(modes)}: only a single run writes "
                f"a checkpoint, {' and '.join(modes)} none, so there is nothing to resume or overwrite")
    return args


def chosen_recipe(args, base):
    """``base`` with every recipe flag that was given on the command line."""
    flags = {"generator_loss": args.loss, "k": args.k, "lr_g": args.lr_g, "lr_d": args.lr_d,
             "minibatch_kernels": args.minibatch_kernels, "batch_size": args.batch_size,
             "noise_dim": args.noise_dim, "steps": args.steps, "pack": args.pack, "ema_decay": args.ema}
    return replace(base, **{k: v for k, v in flags.items() if v is not None})


def main(argv=None) -> dict:
    args = parse_args(argv)
    start_run(args)
    papers = args.pack is not None or args.table        # PacGAN's Table 1 protocol
    if papers:
        target = toy.pacgan_grid() if args.grid else toy.pacgan_ring()
    else:
        target = toy.grid() if args.grid else toy.ring()
    name = "grid" if args.grid else "ring"
    out = args.out or pathlib.Path("outputs/ring_2d") / ("grid" if args.grid else "") / ("table" if args.table else "")
    out.mkdir(parents=True, exist_ok=True)
    if args.compare:
        return run_compare(args, target, name, out)
    base = (toy_2d.PACGAN_GRID if args.grid else toy_2d.PACGAN_RING) if papers else DEFAULTS
    recipe = chosen_recipe(args, base)
    if args.table:
        return run_table(args, target, name, recipe, out)
    checkpoints = toy_checkpoints(args, out, "ring_2d")
    run = toy_2d.train_2d(target, recipe, progress=not args.quiet, label=name, checkpoints=checkpoints)
    m = run["metrics"]
    if papers:      # the papers' scoring: the first 2,500 of the samples
        m["paper_protocol"] = {k: v for k, v in metrics.mode_metrics(
            run["samples"][:metrics.PAPER_NUM_SAMPLES], target.centers, target.std).items()}
    title = text(f"ring.target_{name}", modes=m['num_modes'])
    snapshot_figure(run["snapshots"], target, out / "ring_2d.png", title=title)
    numpy.save(out / "samples.npy", run["samples"].astype(numpy.float32))
    summary = {"target": {"name": name, **target.describe()},
               "settings": {**recipe.to_dict(), "seed": args.seed, "backend": backend.name},
               "metrics": m,
               "health": health.diagnose(run["gan"].history, k=recipe.k, modes=m,
                                         generator_loss=recipe.generator_loss)}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    checkpoints.remove()            # the run is complete: rerunning the demo starts afresh
    for line in health.summary_lines(summary["health"]):
        print(f"health warning, {line}")
    print(f"{name}: {m['modes_captured']}/{m['num_modes']} modes captured ({m['modes_above_1pct']} with at least 1% "
          f"of the samples), {100 * m['high_quality']:.1f}% high-quality samples (within 3 std), "
          f"reverse KL {m['reverse_kl']:.3f}")
    print(f"samples per mode {m['counts']}")
    if papers:
        pp = m["paper_protocol"]
        print(f"PacGAN's protocol (2,500 samples): {pp['modes_captured']} modes, {100 * pp['high_quality']:.1f}% "
              f"high quality, reverse KL {pp['reverse_kl']:.3f}")
    resumed = f", resumed from iteration {run['resumed_from']}," if run["resumed_from"] else ""
    print(f"{recipe.steps} iterations{resumed} in {m['seconds']:.1f} s ({m['steps_per_second']:.0f} it/s) on "
          f"{backend.name}; figure and samples in {out}/")
    return summary


def run_compare(args, target, name, out) -> dict:
    base = toy_2d.COLLAPSE_PRONE
    if args.steps:
        base = replace(base, steps=args.steps)
    print(f"--compare: a deliberately collapse-prone base recipe ({toy_2d.COLLAPSE_PRONE_NOTE}); "
          f"each variant changes one thing of it. Seed {args.seed}.")
    results = toy_2d.compare(target, base, seed=args.seed, progress=not args.quiet)
    rows = {variant: {k: r["metrics"][k] for k in ("modes_captured", "modes_above_1pct", "num_modes",
                                                   "high_quality", "reverse_kl", "counts", "seconds")}
            for variant, r in results.items()}
    print(f"\n{'variant':<18} {'modes':>7} {'>=1%':>5} {'high-quality':>13} {'reverse KL':>11} {'seconds':>8}")
    for variant, m in rows.items():
        print(f"{variant:<18} {m['modes_captured']:>3}/{m['num_modes']:<3} {m['modes_above_1pct']:>5} "
              f"{100 * m['high_quality']:>12.1f}% {m['reverse_kl']:>11.3f} {m['seconds']:>8.0f}")
    print("modes: with at least one sample within 3 std; >=1%: holding at least 1% of the samples; "
          "reverse KL: 0 = even over the modes, log 8 = 2.08 = all on one")
    compare_figure(results, target, out / "compare.png")
    summary = {"target": {"name": name, **target.describe()},
               "settings": {**base.to_dict(), "seed": args.seed, "backend": backend.name},
               "variants": {v: toy_2d.VARIANTS[v] for v in rows}, "metrics": rows}
    (out / "compare.json").write_text(json.dumps(summary, indent=2))
    print(f"figure and table in {out}/compare.png, compare.json")
    return summary


def run_table(args, target, name, recipe, out) -> dict:
    """PacGAN's Table 1 for ``recipe``: GAN and PacGAN2/3/4, args.trials trials each; prints, writes table.json/.png."""
    print(f"PacGAN's Table 1 protocol on the {name} ({target.num_modes} modes, std {target.std}): "
          f"{args.trials} trials per model, seeds {args.seed}..{args.seed + args.trials - 1}, 2,500 samples each")
    packs = tuple(args.packs) if args.packs else (1, 2, 3, 4)
    table = toy_2d.pack_trials(target, recipe, packs=packs, trials=args.trials, seed=args.seed, progress=not args.quiet)
    published = toy_2d.PUBLISHED_TABLE1[name]
    print(f"\n{'model':<16} {'modes':>14} {'high quality':>16} {'reverse KL':>14} {'s/trial':>8}")

    def cells(values, pct=False):
        (mm, ms), (hm, hs), (km, ks) = values
        return f"{mm:>8.1f} ± {ms:<4.1f} {100 * hm:>8.1f} ± {100 * hs:<4.1f}% {km:>7.2f} ± {ks:<4.2f}"

    for model, entry in table.items():
        s = entry["summary"]
        values = [(s[k]["mean"], s[k]["standard_error"]) for k in toy_2d.TABLE_METRICS]
        seconds = sum(r["seconds"] for r in entry["trials"]) / len(entry["trials"])
        print(f"{model + ' (minigan)':<16} {cells(values)} {seconds:>8.1f}")
        if model in published:
            print(f"{model + ' (paper)':<16} {cells(published[model])}")
    print("modes: with at least one sample within 3 std; high quality: within 3 std of the nearest mode; "
          "reverse KL: KL(high-quality samples' histogram over the modes || uniform)")
    table_figure(table, target, out / "table.png", title=text("ring.table_title", name=text(f"ring.name_{name}")))
    result = {"target": {"name": name, **target.describe()},
              "settings": {**recipe.to_dict(), "trials": args.trials, "packs": list(packs), "seed": args.seed,
                           "backend": backend.name},
              "published": {m: dict(zip(toy_2d.TABLE_METRICS, [dict(zip(("mean", "standard_error"), v)) for v in vals]))
                            for m, vals in published.items()},
              "models": {m: {"pack": e["pack"], **e["summary"], "trials": e["trials"]} for m, e in table.items()}}
    (out / "table.json").write_text(json.dumps(result, indent=2))
    print(f"table and figure in {out}/table.json, table.png")
    return result


# -- figures ---------------------------------------------------------------------------

def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def draw_samples(ax, samples, target, title):
    """Generator samples (blue dots) over the true mode centres (red circles)."""
    c = target.centers
    ax.scatter(samples[:, 0], samples[:, 1], s=2, alpha=0.25, color="C0", linewidths=0)
    ax.scatter(c[:, 0], c[:, 1], s=60, facecolors="none", edgecolors="C3", linewidths=1.2)
    lim = 1.35 * numpy.abs(c).max()
    ax.set_xlim(-lim, lim); ax.set_ylim(-lim, lim)
    ax.set_aspect("equal"); ax.set_xticks([]); ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def _caption(samples, target):
    m = toy_2d.evaluate_2d(samples, target)
    return text("ring.caption", above=m['modes_above_1pct'], modes=m['num_modes'], quality=100 * m['high_quality'])


def snapshot_figure(snapshots, target, path, title):
    """One scatter plot per snapshot ({"iteration", "samples"}, as ``toy_2d.train_2d`` takes them):
    how the generator spreads over the modes during training."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(snapshots), figsize=(2.6 * len(snapshots), 2.9), squeeze=False)
    for ax, snapshot in zip(axes[0], snapshots):
        iteration, samples = snapshot["iteration"], snapshot["samples"]
        draw_samples(ax, samples, target, f"{text('iteration', iteration=iteration)}\n{_caption(samples, target)}")
    fig.suptitle(text("ring.snapshots_title", title=title), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table_figure(table, target, path, title):
    """One panel per model: the first trial's 2,500 samples over the true modes."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(table), figsize=(2.8 * len(table), 3.2), squeeze=False)
    for ax, (model, entry) in zip(axes[0], table.items()):
        m = entry["trials"][0]
        draw_samples(ax, entry["samples"], target, text("ring.table_panel", model=model, captured=m['modes_captured'],
                                                        modes=target.num_modes, quality=100 * m['high_quality'],
                                                        reverse_kl=m['reverse_kl']))
    # wrapped to the figure's width (about 13 characters per inch at this size), so no panel count clips it
    fig.suptitle(textwrap.fill(text("ring.table_suptitle", title=title), width=int(13 * 2.8 * len(table))),
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare_figure(results, target, path):
    """One column per variant; rows: samples a quarter of the way through training and at the end."""
    plt = _plt()
    names = list(results)
    fig, axes = plt.subplots(2, len(names), figsize=(2.7 * len(names), 6.2), squeeze=False)
    for j, variant in enumerate(names):
        snaps = results[variant]["snapshots"]
        for i, snapshot in enumerate((snaps[len(snaps) // 2], snaps[-1])):
            iteration, samples = snapshot["iteration"], snapshot["samples"]
            head = f"{text(f'variant.{variant}')}\n" if i == 0 else ""
            draw_samples(axes[i, j], samples, target,
                         f"{head}{text('iteration', iteration=iteration)}\n{_caption(samples, target)}")
    fig.suptitle(text("ring.compare_title"), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


if __name__ == "__main__":
    run_main(main)
