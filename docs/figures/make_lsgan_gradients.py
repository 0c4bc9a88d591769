"""Figure for docs/08_image_translation.md: the generator's gradient under BCE and under least squares.

Write s for the discriminator's score of a fake (the logit a for BCE, whose D = sigmoid(a); the raw
output for the least-squares GAN, whose targets are 1 = real, 0 = fake). The generator's losses and
their slopes in s:

    minimax BCE          L = log(1 - sigmoid(s)) = -BCE(s, 0)   dL/ds = -sigmoid(s)
    non-saturating BCE   L = -log sigmoid(s)     =  BCE(s, 1)   dL/ds = -(1 - sigmoid(s))
    least squares        L = (s - 1)^2           =  MSE(s, 1)   dL/ds = 2 (s - 1)

The BCE slopes are bounded by 1 and fade on one side (a fake D already calls real gets no push, however
far it is from real data); the least-squares slope grows with the distance to the target 1 and is zero
only there, on both sides. The curves come from minigan's own BCEWithLogitsLoss and MSELoss, called as
the GAN and CycleGAN call them, and are checked against the closed forms above before anything is drawn.

    python docs/figures/make_lsgan_gradients.py        # writes docs/figures/lsgan_gradients.png
"""
from __future__ import annotations

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))

from minigan import backend, losses  # noqa: E402


def generator_slopes(s):
    """dL/ds of each generator loss at scores s (host (n,)), by minigan's losses on a batch of n
    scores (each loss is a mean, so its backward is multiplied by n)."""
    x = backend.asarray(s[:, None])
    ones, zeros = backend.xp.ones_like(x), backend.xp.zeros_like(x)
    n = len(s)
    bce, mse = losses.BCEWithLogitsLoss(), losses.MSELoss()
    bce(x, zeros)
    minimax = -bce.backward() * n
    bce(x, ones)
    non_saturating = bce.backward() * n
    mse(x, ones)
    least_squares = mse.backward() * n
    return {name: backend.to_numpy(v)[:, 0] for name, v in
            (("minimax", minimax), ("non-saturating", non_saturating), ("least squares", least_squares))}


def main(path=os.path.join(HERE, "lsgan_gradients.png")):
    s = numpy.linspace(-4, 4, 161)
    slopes = generator_slopes(s)
    sigmoid = 1 / (1 + numpy.exp(-s))
    numpy.testing.assert_allclose(slopes["minimax"], -sigmoid, atol=1e-6)
    numpy.testing.assert_allclose(slopes["non-saturating"], -(1 - sigmoid), atol=1e-6)
    numpy.testing.assert_allclose(slopes["least squares"], 2 * (s - 1), atol=1e-5)
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    styles = {"minimax": ("C0", r"BCE, minimax: $-\sigma(s)$"),
              "non-saturating": ("C1", r"BCE, non-saturating: $-(1 - \sigma(s))$"),
              "least squares": ("C3", r"least squares: $2(s - 1)$")}
    for name, (colour, label) in styles.items():
        ax.plot(s, slopes[name], color=colour, lw=2, label=label)
    ax.axhline(0, color="k", lw=0.8)
    ax.axvline(0, color="0.6", lw=0.8, ls=":")
    ax.axvline(1, color="C3", lw=0.8, ls=":")
    ax.set_xlabel(r"$s$ = D's score of a fake (BCE: logit, $D = \sigma(s)$; LS: target 1 real, 0 fake)")
    ax.set_ylabel(r"$\partial L_G / \partial s$")
    ax.set_ylim(-6, 6.5)
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    print(main())
