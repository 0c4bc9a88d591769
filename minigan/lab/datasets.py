"""The lab's data sets: minigan's toy distributions, two moons, a spiral, and a drawn one.

Each data set draws training batches on the backend with ``sample(m)`` (m, dim), from
``minigan.backend.rng()`` as every minigan sampler does, and says where the page should look
(``view``: the square [lo, hi]^2, or the interval [lo, hi] in 1-D). ``quality(samples)`` gives
the numbers minigan computes for it (``minigan.metrics``): mode statistics on the ring and the
grid, W1 and JS on the 1-D Gaussian, nothing where there is no known answer.
"""
from __future__ import annotations

import math

import numpy

from .. import backend, metrics
from ..data import toy
from .config import DRAW_LIMIT
from ..experiments.toy_1d import data_scale


class Noisy2D:
    """A 2-D distribution: ``shape(rng, m)`` maps the random source to m points (m, 2) on a curve or a
    set, and a Gaussian of standard deviation ``std`` blurs each one."""

    dim = 2

    def __init__(self, shape, std: float):
        self.shape, self.std = shape, std

    def sample(self, m: int):
        rng = backend.rng()
        return self.shape(rng, m) + self.std * rng.normal((m, 2))


def moons(rng, m: int):
    """Two interleaved half circles of radius 1, centred at 0 (scikit-learn's make_moons): (m, 2)."""
    xp = backend.xp
    t = math.pi * rng.random((m,))
    upper = rng.random((m,)) < 0.5                       # which moon
    x = xp.where(upper, xp.cos(t), 1 - xp.cos(t)) - 0.5
    y = xp.where(upper, xp.sin(t), 0.5 - xp.sin(t)) - 0.25
    return xp.stack([x, y], axis=1)


def spiral(rng, m: int):
    """One arm of an Archimedean spiral, r = 2 t / (3 pi) for t in [0, 3 pi], even density along it: (m, 2)."""
    xp = backend.xp
    t = 3 * math.pi * xp.sqrt(rng.random((m,)))
    r = 2 * t / (3 * math.pi)
    return xp.stack([r * xp.cos(t), r * xp.sin(t)], axis=1)


def drawn(points):
    """The learner's points (n, 2) as a shape: each sample picks one of them at random."""
    table = backend.asarray(numpy.asarray(points, dtype=numpy.float64))
    return lambda rng, m: table[rng.integers(len(table), (m,))]


#: the points a drawn data set starts with before the learner draws: a small heart
def default_points(n: int = 64) -> list:
    t = numpy.linspace(0, 2 * numpy.pi, n, endpoint=False)
    x = 16 * numpy.sin(t) ** 3 / 9
    y = (13 * numpy.cos(t) - 5 * numpy.cos(2 * t) - 2 * numpy.cos(3 * t) - numpy.cos(4 * t)) / 9
    return numpy.round(numpy.stack([x, y], axis=1), 4).tolist()


class LabData:
    """A data set with what the lab needs around it.

    Attributes: ``name``; ``target`` (has ``sample(m)`` and ``dim``); ``view`` (lo, hi) of the plot;
    ``mean``, ``std``: one shift and one scale for the networks (they work on (x - mean) / std).
    """

    def __init__(self, name: str, target, view: tuple):
        self.name, self.target, self.view = name, target, view
        self.dim = target.dim
        self.mean, self.std = data_scale(target)

    def sample(self, m: int):
        """m samples on the backend, (m, dim)."""
        return self.target.sample(m)

    def quality(self, samples) -> dict:
        """minigan's numbers for host samples (n, dim): {} when the data set has none."""
        if self.name in ("ring", "grid"):
            m = metrics.mode_metrics(samples, self.target.centers, self.target.std, threshold=3.0)
            numbers = {key: m[key] for key in ("modes_captured", "num_modes", "high_quality", "reverse_kl", "counts")}
            if not math.isfinite(numbers["reverse_kl"]):   # no high-quality sample: JSON has no infinity
                numbers["reverse_kl"] = None
            return numbers
        if self.name == "gaussian_1d":
            reference = self.target.quantiles(len(samples))
            return {"w1": metrics.wasserstein_1d(samples, self.target),
                    "js": metrics.js_divergence(samples, reference, bins=50)}
        return {}

    def density(self, x):
        """p_data at host points x (n,), 1-D only (the Figure 1 view)."""
        return self.target.pdf(x)


def make_data(name: str, points=None) -> LabData:
    """The data set ``name`` (one of ``config.DATASETS``); ``points`` (n, 2) for "drawn"."""
    if name == "ring":
        return LabData(name, toy.ring(), (-3.0, 3.0))
    if name == "grid":
        return LabData(name, toy.grid(), (-6.0, 6.0))
    if name == "moons":
        return LabData(name, Noisy2D(moons, 0.05), (-2.0, 2.0))
    if name == "spiral":
        return LabData(name, Noisy2D(spiral, 0.04), (-2.5, 2.5))
    if name == "gaussian_1d":
        target = toy.Gaussian1D()
        return LabData(name, target, (target.mean - 5 * target.std, target.mean + 5 * target.std))
    if name == "drawn":
        return LabData(name, Noisy2D(drawn(default_points() if points is None else points), 0.05),
                       (-DRAW_LIMIT, DRAW_LIMIT))
    raise ValueError(f"make_data: name must be one of the lab's data sets; got {name!r}")
