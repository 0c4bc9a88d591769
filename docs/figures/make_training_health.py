"""Figure for docs/10_training_health.md: real 1-D runs, healthy and not, with minigan.health's episodes shaded.

Four short runs of the 1-D GAN (``minigan.toy_1d``), about half a minute of CPU in all:

    healthy         the demo's default recipe (N(4, 1.25^2), standardized, k = 5), 600 iterations
    minimax         the experiment of docs/03_algorithm1.md section 4: data at mean 8, raw (G starts near 0),
                    k = 10, G's lr 2e-4, the minimax loss, 300 iterations
    high lr         the default recipe with both learning rates 0.1 and k = 1, 1000 iterations
    diverged        raw data N(1e38, 1e38^2) (the issue's example), which overflows float32: TrainingDiverged

For each it prints the episodes that ``health.diagnose`` finds (the numbers quoted in the doc)
and draws D(x), D(G(z)) and both gradient norms per iteration, with the episodes shaded.

    python docs/figures/make_training_health.py      # writes docs/figures/training_health.png
"""
from __future__ import annotations

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from minigan import backend  # noqa: E402
from minigan.training import health  # noqa: E402
from minigan.demo_tools import plots  # noqa: E402
from minigan.experiments import toy_1d  # noqa: E402
from minigan.data import toy  # noqa: E402
from minigan.gan.errors import TrainingDiverged  # noqa: E402

WINDOW = 100
RUNS = {
    "healthy (default recipe)": (4.0, dict(steps=600)),
    "minimax loss, D ahead (chapter 3, §4)": (8.0, dict(generator_loss="minimax", k=10, lr_g=2e-4, steps=300,
                                                         final_lr_factor=1.0, standardize=False)),
    "learning rates 0.1, k = 1": (4.0, dict(lr_g=0.1, lr_d=0.1, k=1, steps=1000, final_lr_factor=1.0)),
}


def per_iteration(values, k):
    """Mean over each iteration's k D steps."""
    v = numpy.asarray(values, float)
    return v[: len(v) // k * k].reshape(-1, k).mean(axis=1)


def main():
    fig, axes = plt.subplots(2, len(RUNS), figsize=(4.4 * len(RUNS), 6.0), squeeze=False)
    for col, (title, (mean, settings)) in enumerate(RUNS.items()):
        backend.seed(0)
        recipe = toy_1d.Recipe(**settings)
        gan = toy_1d.train_1d(toy.Gaussian1D(mean, 1.25), recipe, num_snapshots=1, progress=False)["gan"]
        h = gan.history
        episodes = health.diagnose(h, k=recipe.k, window=WINDOW, generator_loss=recipe.generator_loss)
        print(f"{title}:")
        for e in episodes or [{"sign": "none", "first": "-", "last": "-", "numbers": {}}]:
            numbers = {k: round(v, 4) if isinstance(v, float) else v for k, v in e["numbers"].items()}
            print(f"  {e['sign']:<22} iterations {e['first']}-{e['last']}  {numbers}")
        top, bottom = axes[0, col], axes[1, col]
        top.plot(per_iteration(h["d_real"], recipe.k), label="mean D(x)")
        top.plot(per_iteration(h["d_fake"], recipe.k), label="mean D(G(z))")
        top.axhline(0.5, color="k", ls=":", lw=1)
        top.set_ylim(-0.02, 1.02); top.set_title(title, fontsize=9)
        bottom.semilogy(per_iteration(h["d_grad_norm"], recipe.k), label="||dL/dθ_D||")
        bottom.semilogy(h["g_grad_norm"], label="||dL/dθ_G||")
        bottom.axhline(health.EXPLODING_NORM, color="r", ls=":", lw=1, label="100 (exploding)")
        bottom.set_xlabel("iteration")
        for ax in (top, bottom):
            plots.shade_episodes(ax, episodes)
        top.legend(fontsize=7, loc="center right"); bottom.legend(fontsize=7, loc="lower left")
    fig.suptitle("minigan.health on real 1-D runs: shaded spans are the episodes diagnose() found", fontsize=10)
    fig.tight_layout()
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "training_health.png")
    fig.savefig(path, dpi=100)
    plt.close(fig)

    backend.seed(0)
    try:
        with numpy.errstate(all="ignore"):
            toy_1d.train_1d(toy.Gaussian1D(1e38, 1e38), toy_1d.Recipe(steps=60, k=1, batch_size=8, hidden=(4,),
                                                                          standardize=False), progress=False)
        print("raw data N(1e38, 1e38^2): trained without diverging")
    except TrainingDiverged as exc:
        print(f"raw data N(1e38, 1e38^2): TrainingDiverged (quantity {exc.quantity!r}, iteration {exc.iteration}): {exc}")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
