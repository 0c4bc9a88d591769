"""Figures shared by the demos (matplotlib, host arrays only)."""
from __future__ import annotations

import math
import pathlib

import numpy

from .figure_text import text


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def density(samples, edges):
    """Histogram density of 1-D host samples on bins ``edges`` -> (centres, density).

    Normalised by the number of all samples, so mass outside the bins is
    missing from the curve rather than spread over it."""
    counts, edges = numpy.histogram(samples, bins=edges)
    return 0.5 * (edges[:-1] + edges[1:]), counts / (max(len(samples), 1) * numpy.diff(edges))


def draw_figure1_panel(ax_top, ax_bottom, snap, target, xlim, title):
    """One column of the paper's Figure 1 from a snapshot of training.

    Top: the data density (black dots), the generator's density p_g (green
    line) and the discriminator D(x) (blue dashed). Bottom: lines from z
    (lower line) to x = G(z) (upper line): how G maps the noise onto the data line.
    """
    xs = snap["x_grid"]
    ax_top.plot(xs[::6], target.pdf(xs[::6]), "k.", ms=3, label=text("figure1.data"))
    centres, p_g = density(snap["samples"], numpy.linspace(*xlim, 121))
    ax_top.plot(centres, p_g, "g-", lw=1.5, label=text("figure1.generator"))
    ax_top.plot(xs, snap["d_grid"], "b--", lw=1.2, label=text("figure1.discriminator"))
    ax_top.set_xlim(*xlim)
    ax_top.set_ylim(0, max(1.05, 1.1 * float(target.pdf(xs).max())))
    ax_top.set_title(title, fontsize=10)
    z, gz = snap["z_line"], snap["g_line"]
    z_lo, z_hi = float(z.min()), float(z.max())
    z_on_x = xlim[0] + (z - z_lo) / max(z_hi - z_lo, 1e-12) * (xlim[1] - xlim[0])
    for a, b in zip(z_on_x, gz):
        ax_bottom.plot([a, b], [0, 1], "-", color="0.35", lw=0.6)
    ax_bottom.axhline(0, color="k", lw=0.8)
    ax_bottom.axhline(1, color="k", lw=0.8)
    ax_bottom.set_xlim(*xlim)
    ax_bottom.set_yticks([0, 1], ["z", "x"])
    ax_bottom.set_xticks([])


def figure1(snapshots, target, xlim, path, titles=None):
    """The paper's Figure 1, redrawn from a real run: one column per snapshot."""
    plt = _plt()
    n = len(snapshots)
    fig, axes = plt.subplots(2, n, figsize=(3.2 * n, 4.2), gridspec_kw={"height_ratios": [3, 1]}, squeeze=False)
    for i, snap in enumerate(snapshots):
        title = titles[i] if titles else text("iteration", iteration=snap['iteration'])
        draw_figure1_panel(axes[0, i], axes[1, i], snap, target, xlim, title)
    axes[0, 0].legend(loc="upper left", fontsize=7, frameon=False)
    fig.suptitle(text("figure1.title"), fontsize=11)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def smooth(values, window):
    v = numpy.asarray(values, float)
    if len(v) < window or window <= 1:
        return numpy.arange(len(v)), v
    kernel = numpy.ones(window) / window
    return numpy.arange(window - 1, len(v)), numpy.convolve(v, kernel, mode="valid")


def shade_episodes(ax, episodes, per_iteration: int = 1) -> None:
    """Shade the span of each health episode (``minigan.health.diagnose``) on ``ax``, one colour
    per sign, labelled once. ``per_iteration``: x units per iteration (k on an axis of D steps)."""
    from ..training.health import SHORT
    colours = dict(zip(SHORT, ("C3", "C1", "C4", "C5", "C6", "k", "C2")))
    labelled = set()
    for e in episodes:
        lo, hi = (e["first"] - 1) * per_iteration, e["last"] * per_iteration
        label = None if e["sign"] in labelled else text(f"health.{e['sign']}")
        labelled.add(e["sign"])
        ax.axvspan(lo, max(hi, lo + per_iteration), color=colours.get(e["sign"], "0.5"), alpha=0.15, lw=0,
                   label=label)


def training_curves(history, path, k=1, window=None, episodes=()):
    """Losses, mean D(x) and D(G(z)) (-> 1/2), and the value V (-> -log 4), per discriminator step.
    ``episodes`` (``minigan.health.diagnose``) are shaded on every panel."""
    plt = _plt()
    n = len(history["d_loss"])
    window = window or max(1, n // 400)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    ax = axes[0]
    ax.plot(*smooth(history["d_loss"], window), label=text("curves.d_loss"))
    steps_g, g = smooth(history["g_loss"], max(1, window // k))
    ax.plot(steps_g * k, g, label=text("curves.g_loss"))
    ax.axhline(math.log(2), color="k", ls=":", lw=1, label=text("curves.log2"))
    ax.set_xlabel(text("curves.d_step")); ax.set_title(text("curves.losses")); ax.legend(fontsize=8)
    ax.set_xscale("symlog", linthresh=10)
    ax = axes[1]
    ax.plot(*smooth(history["d_real"], window), label=text("curves.mean_d_real"))
    ax.plot(*smooth(history["d_fake"], window), label=text("curves.mean_d_fake"))
    ax.axhline(0.5, color="k", ls=":", lw=1, label="1/2")
    ax.set_ylim(0, 1); ax.set_xlabel(text("curves.d_step")); ax.set_title(text("curves.verdicts"))
    ax.legend(fontsize=8)
    ax.set_xscale("symlog", linthresh=10)
    ax = axes[2]
    ax.plot(*smooth(history["value"], window), color="C3", label=text("curves.value_estimate"))
    ax.axhline(-math.log(4), color="k", ls=":", lw=1, label=text("curves.optimum"))
    ax.set_xlabel(text("curves.d_step")); ax.set_title(text("curves.value")); ax.legend(fontsize=8)
    ax.set_xscale("symlog", linthresh=10)
    if episodes:
        for ax in axes:
            shade_episodes(ax, episodes, per_iteration=k)
        axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def optimal_discriminator(snap, target, xlim, path):
    """The learned D(x) against D*(x) = p_data / (p_data + p_g), with p_g from the samples' histogram."""
    plt = _plt()
    edges = numpy.linspace(*xlim, 121)
    centres, p_g = density(snap["samples"], edges)
    p_data = target.pdf(centres)
    with numpy.errstate(invalid="ignore", divide="ignore"):
        d_star = p_data / (p_data + p_g)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(snap["x_grid"], snap["d_grid"], "b--", label=text("optimal.learned"))
    ax.plot(centres, d_star, "m-", lw=1.2, label=r"$D^*(x) = p_{data} / (p_{data} + p_g)$")
    ax.axhline(0.5, color="k", ls=":", lw=1, label=text("optimal.half"))
    ax2 = ax.twinx()
    ax2.fill_between(centres, p_data, color="k", alpha=0.12, label="$p_{data}$")
    ax2.plot(centres, p_g, "g-", lw=1, label="$p_g$")
    ax2.set_ylabel(text("optimal.density")); ax2.set_ylim(bottom=0)
    ax.set_ylim(0, 1); ax.set_xlim(*xlim); ax.set_xlabel("x")
    ax.set_title(text("optimal.title", iteration=snap['iteration']))
    lines = ax.get_legend_handles_labels()
    lines2 = ax2.get_legend_handles_labels()
    ax.legend(lines[0] + lines2[0], lines[1] + lines2[1], fontsize=8, loc="upper right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def training_animation(snapshots, target, xlim, path, fps=8):
    """An animated GIF of Figure 1's top and bottom panels over training."""
    plt = _plt()
    from matplotlib.animation import FuncAnimation, PillowWriter
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(5, 4.2), gridspec_kw={"height_ratios": [3, 1]})

    def draw(i):
        top.clear(); bottom.clear()
        title = text("iteration", iteration=snapshots[i]['iteration'])
        draw_figure1_panel(top, bottom, snapshots[i], target, xlim, title)

    anim = FuncAnimation(fig, draw, frames=len(snapshots))
    anim.save(path, writer=PillowWriter(fps=fps))
    plt.close(fig)


def show_images(ax, images, rows, cols, title, row_labels=None, col_labels=None):
    """Draw host images (rows*cols, 784) in [0, 1] as one grid on ``ax``, with optional row/column labels."""
    from ..data.mnist import image_grid
    ax.imshow(image_grid(images, rows, cols), cmap="gray", vmin=0, vmax=1)
    ax.set_title(title, fontsize=9)
    ax.set_xticks([i * 30 + 14 for i in range(cols)] if col_labels else [])
    ax.set_yticks([i * 30 + 14 for i in range(rows)] if row_labels else [])
    if col_labels:
        ax.set_xticklabels(col_labels, fontsize=7)
    if row_labels:
        ax.set_yticklabels(row_labels, fontsize=8)
    ax.tick_params(length=0)


# -- image GANs (MNIST): grids per epoch, loss curves, an animation of the fixed-z grid ------------
def save_image_grid(path, images, rows, cols, title, row_labels=None):
    """Save host images (rows*cols, 784) in [0, 1] as one titled picture."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(cols * 0.6 + 0.6, rows * 0.6 + 0.6))
    show_images(ax, images, rows, cols, title, row_labels)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def per_iteration(values, window: int, every: int = 1):
    """A recorded series as one mean per iteration (``every`` values each: k for D's), smoothed over ``window``."""
    v = numpy.asarray(values, float)
    v = v[:len(v) // every * every].reshape(-1, every).mean(axis=1)
    return smooth(v, min(window, max(len(v), 1)))


def finish_panels(fig, axes, path, xlabel: str, episodes=()) -> None:
    """The end of a figure of curves stacked over iterations: the x label, the health ``episodes`` shaded on
    every panel, the last panel's legend (naming the episodes), saved to ``path`` and closed."""
    axes[-1].set_xlabel(xlabel)
    for ax in axes:
        shade_episodes(ax, episodes)
    axes[-1].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    _plt().close(fig)


def image_loss_curves(path, history, k=1, window=50, episodes=()):
    """Losses and D's outputs against the iteration (k D steps + 1 G step), smoothed over ``window``;
    the spans of health ``episodes`` (``minigan.health.diagnose``) shaded."""
    plt = _plt()
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7, 6), sharex=True)
    top.plot(*per_iteration(history["d_loss"], window, k), label=text("image_curves.d_loss"))
    top.plot(*per_iteration(history["g_loss"], window), label=text("image_curves.g_loss"))
    top.legend(fontsize=8)
    bottom.plot(*per_iteration(history["d_real"], window, k), label=text("image_curves.d_real"))
    bottom.plot(*per_iteration(history["d_fake"], window, k), label=text("image_curves.d_fake"))
    bottom.axhline(0.5, color="gray", lw=0.8, ls="--")
    bottom.set_ylim(0, 1)
    finish_panels(fig, (top, bottom), path, text("image_curves.iteration"), episodes)


class EpochFigures:
    """The ``on_epoch_end`` callback of ``image_loop.train``: after each epoch, a 10x10 grid from
    fixed z (the same every epoch: row = label for a conditional G), a 3x3 grid, the loss curves;
    copies of the big grid per epoch in ``out/epochs/``; with ``gif=True`` an animation of them.
    """

    def __init__(self, out, experiment, seed: int = 0, gif: bool = False):
        from .. import backend
        from ..gan import draw_noise
        from ..training import image_sampling
        self.out, self.experiment, self.gif = pathlib.Path(out), experiment, gif
        noise, dim = experiment.noise, experiment.noise_dim
        self.grid_z, self.grid_labels = image_sampling.label_grid_inputs(10, 10, seed + 1, dim, noise)
        self.small_z = draw_noise(backend.Random(seed + 2), noise, (9, dim))
        self.free_z = draw_noise(backend.Random(seed + 1), noise, (100, dim))
        (self.out / "epochs").mkdir(parents=True, exist_ok=True)

    def __call__(self, epoch, gan):
        from .. import backend
        from ..training import health, image_sampling
        G, output = gan.sampler, self.experiment.output
        if image_sampling.is_conditional(G):
            grid = image_sampling.generate_images(G, self.grid_z, self.grid_labels, output)
            small = image_sampling.generate_images(G, self.small_z, backend.xp.arange(9, dtype=backend.xp.int64),
                                                   output)
            rows = [str(i) for i in range(10)]
        else:       # no labels: 100 distinct z (the grid's z differ only by column)
            grid = image_sampling.generate_images(G, self.free_z, output=output)
            small, rows = grid[:9], None
        save_image_grid(self.out / "grid_3x3.png", small, 3, 3, text("epoch", epoch=epoch))
        title = text("epoch.conditional_grid" if rows else "epoch.grid", epoch=epoch)
        for path in (self.out / "grid_10x10.png", self.out / "epochs" / f"grid_10x10_epoch_{epoch:03d}.png"):
            save_image_grid(path, grid, 10, 10, title, rows)
        history = gan.history
        episodes = health.diagnose(history, k=gan.k, generator_loss=gan.generator_loss)
        image_loss_curves(self.out / "loss_curves.png", history, gan.k, episodes=episodes)
        if self.gif:
            grids_animation(sorted((self.out / "epochs").glob("grid_10x10_epoch_*.png")), self.out / "training.gif")


def grids_animation(frames, path, fps=2):
    """An animated GIF of saved PNG frames (the fixed-z grid after each epoch)."""
    plt = _plt()
    from matplotlib.animation import FuncAnimation, PillowWriter
    images = [plt.imread(f) for f in frames]
    if not images:
        return
    h, w = images[0].shape[:2]
    fig = plt.figure(figsize=(w / 100, h / 100), dpi=100)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.axis("off")
    shown = ax.imshow(images[0])

    def draw(i):
        shown.set_data(images[i])
    FuncAnimation(fig, draw, frames=len(images)).save(path, writer=PillowWriter(fps=fps))
    plt.close(fig)
