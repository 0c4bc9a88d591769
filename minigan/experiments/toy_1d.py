"""The 1-D GAN: the recipe, the build, and what Figure 1 needs.

The first demo (``demos/gaussian_1d.py``) builds with :func:`start_1d`, runs Algorithm 1 in its own
loop, and ends with :func:`finish_1d`; :func:`train_1d` does all three (tests, benchmarks). The
algorithm itself is :class:`minigan.gan.GAN`.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy

from .. import backend, metrics, nn, optim
from ..data import toy
from ..gan import GAN
from ..training.toy_loop import Checkpoints, Fitted, ToyLoop


@dataclass
class Recipe:
    """Hyper-parameters of a toy GAN (MLPs with LeakyReLU(0.2), Adam, BCE)."""

    hidden: tuple = (32, 32)          # hidden layer widths of both G and D
    noise: str = "normal"             # p_z: normal, or uniform on [-1, 1] as in Figure 1 (no tails: see docs)
    noise_dim: int = 1
    generator_loss: str = "non-saturating"
    k: int = 5                        # discriminator steps per generator step: D stays near D*
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple = (0.5, 0.999)
    batch_size: int = 256
    steps: int = 2500                 # Algorithm-1 iterations
    final_lr_factor: float = 0.05     # learning rates decay exponentially to this fraction
    standardize: bool = True          # networks see standardized data (see build)
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


def data_scale(target, n: int = 10_000):
    """Mean and std of ``n`` samples of the data: the standardization any practitioner applies."""
    x = backend.to_numpy(target.sample(n)).astype(numpy.float64)
    return float(x.mean()), float(x.std())


def build(recipe: Recipe, data_dim: int, mean: float = 0.0, std: float = 1.0) -> GAN:
    """G: noise_dim -> hidden -> data_dim, then Rescale(std, mean);
    D: Rescale(1/std, -mean/std), then data_dim -> hidden -> 1, Sigmoid.

    Both networks work on standardized data inside (``mean``, ``std`` from
    :func:`data_scale`): a first layer initialised for inputs of order 1 has its
    LeakyReLU kinks near 0, so on data centred at 4 every kink would sit left
    of the data and D would be nearly linear over it: able to see a shift of
    the mean, blind to a wrong spread.
    """
    generator = nn.Sequential(nn.mlp([recipe.noise_dim, *recipe.hidden, data_dim]), nn.Rescale(std, mean))
    discriminator = nn.Sequential(nn.Rescale(1 / std, -mean / std),
                                  nn.mlp([data_dim, *recipe.hidden, 1], output=nn.Sigmoid()))
    return GAN(generator, discriminator,
               optim.Adam(generator.parameters(), recipe.lr_g, betas=recipe.betas),
               optim.Adam(discriminator.parameters(), recipe.lr_d, betas=recipe.betas),
               recipe.noise_dim, k=recipe.k, generator_loss=recipe.generator_loss, noise=recipe.noise)


def snapshot_1d(gan: GAN, x_grid, num_samples: int = 10_000, num_lines: int = 40) -> dict:
    """Host copies of what Figure 1 draws: samples of G, D(x) on ``x_grid``, and z -> G(z) for evenly spaced z."""
    xp = backend.xp
    samples = backend.to_numpy(gan.generate(num_samples))[:, 0]
    gan.discriminator.eval()
    d_grid = backend.to_numpy(gan.discriminator(backend.asarray(x_grid[:, None])))[:, 0]
    gan.discriminator.train()
    lo, hi = (-1.0, 1.0) if gan.noise == "uniform" else (-2.5, 2.5)
    z = xp.zeros((num_lines, gan.noise_dim), dtype=backend.dtype)
    z[:, 0] = xp.linspace(lo, hi, num_lines, dtype=backend.dtype)
    g_line = backend.to_numpy(gan.generate(num_lines, z=z))[:, 0]
    return {"iteration": gan.iteration, "samples": samples, "x_grid": numpy.asarray(x_grid),
            "d_grid": d_grid, "z_line": backend.to_numpy(z)[:, 0], "g_line": g_line}


def plot_range(target, samples=None):
    """An x-range that shows the target (and the samples) with some margin."""
    q = target.quantiles(1000)
    lo, hi = q[0], q[-1]
    if samples is not None:
        lo, hi = min(lo, numpy.quantile(samples, 0.002)), max(hi, numpy.quantile(samples, 0.998))
    pad = 0.15 * (hi - lo)
    return float(lo - pad), float(hi + pad)


def evaluate_1d(samples, target) -> dict:
    """W1 (absolute and in units of the target's std) and JS divergence of histograms."""
    w1 = metrics.wasserstein_1d(samples, target)
    ref = target.quantiles(len(samples))
    return {"wasserstein1": w1, "wasserstein1_over_std": w1 / target.scale,
            "js_divergence": metrics.js_divergence(samples, ref, bins=100),
            "sample_mean": float(numpy.mean(samples)), "sample_std": float(numpy.std(samples))}


def start_1d(target, recipe: Recipe, num_snapshots: int = 4, progress: bool = True,
             checkpoints: Checkpoints | None = None):
    """The GAN for a 1-D target and the :class:`ToyLoop` that trains it, not yet entered.

    ``num_snapshots`` snapshots (:func:`snapshot_1d`) are taken at iterations spread over training
    (the first at iteration 0, the last at the end), as Figure 1's four moments.
    ``checkpoints``: save (and with ``resume``, continue) as ``ToyLoop`` says; the target and the
    recipe are part of the settings a resume must match. Returns (gan, loop).
    """
    gan = build(recipe, 1, *(data_scale(target) if recipe.standardize else (0.0, 1.0)))
    x_grid = numpy.linspace(*plot_range(target), 400)
    at = sorted({int(round(s)) for s in numpy.geomspace(1, recipe.steps + 1, num_snapshots) - 1})
    if checkpoints is not None:
        checkpoints = checkpoints.with_settings(target=target.describe(), recipe=recipe.to_dict())
    loop = ToyLoop(gan, recipe.steps, final_lr_factor=recipe.final_lr_factor, snapshot_at=at,
                   on_snapshot=lambda it: snapshot_1d(gan, x_grid), progress=progress, label="1-D GAN",
                   checkpoints=checkpoints)
    return gan, loop


def finish_1d(gan: GAN, target, recipe: Recipe, fitted: Fitted) -> dict:
    """The run's result: the GAN, its snapshots for figures, 10,000 final samples (host (10000, 1)),
    their metrics (:func:`evaluate_1d`, D's mean verdicts and V over the last 500 steps, timing),
    and ``resumed_from``, the iteration a resumed run continued from (0 for a fresh start)."""
    samples = backend.to_numpy(gan.generate(10_000))
    result = evaluate_1d(samples[:, 0], target)
    result.update(final_d_real=gan.last("d_real", 500), final_d_fake=gan.last("d_fake", 500),
                  final_value=gan.last("value", 500), seconds=fitted.seconds,
                  steps_per_second=recipe.steps / fitted.seconds)
    return {"gan": gan, "snapshots": fitted.snapshots, "samples": samples, "metrics": result,
            "resumed_from": fitted.resumed_from}


def train_1d(target, recipe: Recipe, num_snapshots: int = 4, progress: bool = True,
             checkpoints: Checkpoints | None = None) -> dict:
    """Train a GAN on a 1-D target (:func:`start_1d`, ``gan.train_step`` in its loop, :func:`finish_1d`).
    Returns what :func:`finish_1d` returns."""
    gan, loop = start_1d(target, recipe, num_snapshots, progress, checkpoints)
    real_batches = toy.batches(target, recipe.batch_size)
    with loop:
        for _ in loop:
            gan.train_step(real_batches)
    return finish_1d(gan, target, recipe, loop.fitted)
