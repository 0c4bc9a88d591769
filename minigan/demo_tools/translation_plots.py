"""CycleGAN's figures per epoch: the translations of fixed test digits, and the loss curves."""
from __future__ import annotations

import pathlib
import shutil

import numpy

from .figure_text import text
from .plots import _plt, finish_panels, grids_animation, per_iteration, save_image_grid

ROWS = ("a", "G(a)", "F(G(a))", "b", "F(b)", "G(F(b))")


def first_of_each_digit(labels, skip: int = 0) -> numpy.ndarray:
    """Indices of the (skip + 1)-th image of each digit 0-9 in ``labels`` (N,); a digit with fewer images
    takes its last one, a digit that is absent the first image."""
    labels = numpy.asarray(labels)
    chosen = []
    for digit in range(10):
        where = numpy.flatnonzero(labels == digit)
        chosen.append(where[min(skip, len(where) - 1)] if len(where) else 0)
    return numpy.asarray(chosen)


class TranslationFigures:
    """The ``on_epoch_end(epoch, gan)`` callback of a CycleGAN run: after each epoch, ``translations.png``,
    six rows of ten test digits (one of each digit): a, G(a), F(G(a)) and b, F(b), G(F(b)), the b row
    other images than the a row; a copy per epoch in ``out/epochs/``, an animation of them with
    ``gif=True``; and ``loss_curves.png`` (:func:`translation_curves`).

    ``experiment``: a ``minigan.experiments.cyclegan.Experiment`` whose ``test_digits`` are set."""

    def __init__(self, out, experiment, seed: int = 0, gif: bool = False):
        self.out, self.experiment, self.gif = pathlib.Path(out), experiment, gif
        a, b, labels = experiment.require_test_digits()
        self.a, self.b = a[first_of_each_digit(labels)], b[first_of_each_digit(labels, skip=1)]
        (self.out / "epochs").mkdir(parents=True, exist_ok=True)

    def __call__(self, epoch, gan):
        from ..training import health
        translate = self.experiment.translate
        g_of_a, f_of_b = translate(gan, self.a, "B"), translate(gan, self.b, "A")
        rows = [self.a, g_of_a, translate(gan, g_of_a, "A"), self.b, f_of_b, translate(gan, f_of_b, "B")]
        grid = self.out / "translations.png"
        save_image_grid(grid, numpy.concatenate(rows), len(ROWS), 10, text("translation.grid", epoch=epoch), list(ROWS))
        shutil.copyfile(grid, self.out / "epochs" / f"translations_epoch_{epoch:03d}.png")
        history = gan.history
        translation_curves(self.out / "loss_curves.png", history,
                           health.diagnose(history, k=gan.k, generator_loss=gan.generator_loss))
        if self.gif:
            grids_animation(sorted((self.out / "epochs").glob("translations_epoch_*.png")), self.out / "training.gif")


def translation_curves(path, history, episodes=(), window: int = 50):
    """CycleGAN's recorded numbers per iteration, smoothed over ``window``: the losses (D's, G's and F's
    adversarial, cycle, identity; log scale) above, D's mean verdicts on real and translated images
    (targets 1 and 0) below; the spans of health ``episodes`` shaded."""
    fig, (top, bottom) = _plt().subplots(2, 1, figsize=(7, 6), sharex=True)
    for key in ("d_loss", "g_adv", "cycle", "identity"):
        top.plot(*per_iteration(history[key], window), label=text(f"translation.{key}"))
    top.set_yscale("log")
    top.legend(fontsize=8)
    for key in ("d_real", "d_fake"):
        bottom.plot(*per_iteration(history[key], window), label=text(f"translation.{key}"))
    bottom.axhline(0.5, color="gray", lw=0.8, ls="--")
    finish_panels(fig, (top, bottom), path, text("translation.iteration"), episodes)
