"""Toy target distributions: 1-D Gaussians and mixtures, the 2-D ring and grid of Gaussians.

Each distribution draws training batches on the backend (``sample(m)``, shape
(m, dim)) and knows its own answer for the metrics: the quantile function
(1-D), or the mode centres and their standard deviation (2-D mixtures).
"""
from __future__ import annotations

import math

import numpy
from scipy import stats

from .. import backend
from ..checks import check_number


class Gaussian1D:
    """N(mean, std^2) on the real line; samples of shape (m, 1)."""

    dim = 1

    def __init__(self, mean: float = 4.0, std: float = 1.25):
        check_number("std", std, 0, low_open=True, owner="Gaussian1D")
        self.mean, self.std = float(mean), float(std)

    def sample(self, m: int):
        return self.mean + self.std * backend.rng().normal((m, 1))

    def pdf(self, x):
        """Density at host points x (NumPy), for plots and the optimal discriminator."""
        return stats.norm.pdf(x, self.mean, self.std)

    def quantiles(self, n: int) -> numpy.ndarray:
        """n evenly spaced quantiles F^-1((i + 1/2)/n): a deterministic stand-in for the distribution."""
        return stats.norm.ppf((numpy.arange(n) + 0.5) / n, self.mean, self.std)

    @property
    def scale(self) -> float:
        """Overall standard deviation (the unit in which the 1-D target is stated)."""
        return self.std

    def describe(self) -> dict:
        return {"kind": "gaussian", "mean": self.mean, "std": self.std}


class GaussianMixture1D:
    """sum_i w_i N(means_i, stds_i^2); samples of shape (m, 1)."""

    dim = 1

    def __init__(self, means, stds, weights=None):
        means, stds = numpy.asarray(means, float), numpy.asarray(stds, float)
        weights = numpy.ones_like(means) if weights is None else numpy.asarray(weights, float)
        if not (means.shape == stds.shape == weights.shape) or means.ndim != 1 or means.size < 1:
            raise ValueError(f"GaussianMixture1D: means, stds, weights must be 1-D of one length; got "
                             f"{means.shape}, {stds.shape}, {weights.shape}")
        if (stds <= 0).any() or (weights < 0).any() or weights.sum() <= 0:
            raise ValueError(f"GaussianMixture1D: stds must be > 0 and weights >= 0; got stds {stds}, weights {weights}")
        self.means, self.stds, self.weights = means, stds, weights / weights.sum()

    def sample(self, m: int):
        rng = backend.rng()
        # component = how many cumulative weights a uniform draw exceeds, shape (m, 1)
        cdf = backend.asarray(numpy.cumsum(self.weights)[:-1])
        component = (rng.random((m, 1)) > cdf).sum(axis=1, keepdims=True)
        means, stds = backend.asarray(self.means), backend.asarray(self.stds)
        return means[component] + stds[component] * rng.normal((m, 1))

    def pdf(self, x):
        x = numpy.asarray(x, float)[..., None]
        return (self.weights * stats.norm.pdf(x, self.means, self.stds)).sum(-1)

    def cdf(self, x):
        x = numpy.asarray(x, float)[..., None]
        return (self.weights * stats.norm.cdf(x, self.means, self.stds)).sum(-1)

    def quantiles(self, n: int) -> numpy.ndarray:
        """Quantiles by inverting the CDF on a fine grid (error far below the metrics' noise)."""
        lo = (self.means - 8 * self.stds).min()
        hi = (self.means + 8 * self.stds).max()
        grid = numpy.linspace(lo, hi, 200_001)
        return numpy.interp((numpy.arange(n) + 0.5) / n, self.cdf(grid), grid)

    @property
    def scale(self) -> float:
        mean = (self.weights * self.means).sum()
        return float(math.sqrt((self.weights * (self.stds ** 2 + (self.means - mean) ** 2)).sum()))

    def describe(self) -> dict:
        return {"kind": "mixture", "means": self.means.tolist(), "stds": self.stds.tolist(),
                "weights": self.weights.tolist()}


class GaussianMixture2D:
    """Equal-weight isotropic Gaussians at ``centers`` (K, 2) with standard deviation ``std``."""

    dim = 2

    def __init__(self, centers, std: float):
        centers = numpy.asarray(centers, float)
        if centers.ndim != 2 or centers.shape[1] != 2:
            raise ValueError(f"GaussianMixture2D: centers must have shape (K, 2); got {centers.shape}")
        check_number("std", std, 0, low_open=True, owner="GaussianMixture2D")
        self.centers, self.std = centers, float(std)

    @property
    def num_modes(self) -> int:
        return len(self.centers)

    def sample(self, m: int):
        rng = backend.rng()
        mode = rng.integers(self.num_modes, (m,))
        return backend.asarray(self.centers)[mode] + self.std * rng.normal((m, 2))

    def describe(self) -> dict:
        return {"kind": "mixture2d", "centers": self.centers.tolist(), "std": self.std}


def ring(num_modes: int = 8, radius: float = 2.0, std: float = 0.02) -> GaussianMixture2D:
    """The ring of 8 Gaussians (Metz et al. 2016): modes evenly spaced on a circle of radius 2, std 0.02."""
    angles = 2 * numpy.pi * numpy.arange(num_modes) / num_modes
    return GaussianMixture2D(radius * numpy.stack([numpy.cos(angles), numpy.sin(angles)], axis=1), std)


def grid(side: int = 5, spacing: float = 2.0, std: float = 0.05) -> GaussianMixture2D:
    """The 5x5 grid of 25 Gaussians (VEEGAN, PacGAN): centres at {-4, -2, 0, 2, 4}^2, std 0.05."""
    coords = spacing * (numpy.arange(side) - (side - 1) / 2)
    xs, ys = numpy.meshgrid(coords, coords)
    return GaussianMixture2D(numpy.stack([xs.ravel(), ys.ravel()], axis=1), std)


def pacgan_ring() -> GaussianMixture2D:
    """The ring of PacGAN's Table 1 (Lin et al. 2018, their 2DRing config): 8 Gaussians at
    (cos 2 pi i/8, sin 2 pi i/8), radius 1, std 0.01 (3 std = 0.03; neighbours 0.77 apart)."""
    return ring(num_modes=8, radius=1.0, std=0.01)


def pacgan_grid() -> GaussianMixture2D:
    """The grid of VEEGAN's and PacGAN's Table 1 (their 2DGrid config): 25 Gaussians at
    {-4, -2, 0, 2, 4}^2, std 0.05 (3 std = 0.15; neighbours 2 apart). The same as ``grid()``."""
    return grid(side=5, spacing=2.0, std=0.05)


def batches(distribution, m: int):
    """An endless iterator of fresh batches (m, dim), as ``GAN.train_step`` consumes them."""
    while True:
        yield distribution.sample(m)
