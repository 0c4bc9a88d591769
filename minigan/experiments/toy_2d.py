"""GANs on 2-D mixtures of Gaussians (the ring of 8, the 5x5 grid): mode collapse and its cures.

A mixture of well separated, narrow Gaussians makes mode collapse visible: a
generator that covers only some of the modes, or hops from mode to mode,
shows up at once in a scatter plot and in the mode metrics of
:func:`minigan.metrics.mode_metrics`. The demo ``demos/ring_2d.py`` calls
:func:`train_2d` for one recipe and :func:`compare` for a row of variants
that each change one thing, and :func:`pack_trials` for PacGAN's Table 1
(GAN against PacGAN2/3/4 over trials). The recipe and the training loop are
shared with the 1-D demo (:mod:`minigan.toy_1d`, :mod:`minigan.training`).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy

from .. import backend, metrics, nn, optim
from ..data import toy
from ..gan import GAN
from .toy_1d import Recipe
from ..training.toy_loop import Checkpoints, fit

NUM_SAMPLES = 10_000      # samples drawn for the metrics, the figures and samples.npy


@dataclass
class Recipe2D(Recipe):
    """The 1-D recipe's fields with 2-D defaults, plus minibatch discrimination in D, packing
    (PacGAN) and PacGAN's layer choices (Maxout in D, batch norm in G).

    Every field is set here, so a change of the 1-D defaults does not move the
    2-D results. The default (non-saturating loss, k = 1, 2-D noise N(0, I),
    two hidden layers of 128, Adam(0.5, 0.999) at 1e-3 decaying to 5e-5,
    batch 256, 20000 iterations) captured all 8 modes of the ring in 5 of 5
    seeds, with 84-88% of the samples within 3 std of a mode (docs/results.md).
    """

    hidden: tuple = (128, 128)
    noise: str = "normal"
    noise_dim: int = 2                # 16 with k = 5 collapses onto one mode: see COLLAPSE_PRONE
    generator_loss: str = "non-saturating"
    k: int = 1
    lr_g: float = 1e-3
    lr_d: float = 1e-3
    betas: tuple = (0.5, 0.999)
    batch_size: int = 256
    steps: int = 20000
    final_lr_factor: float = 0.05
    # True: both networks work on x / s inside, s = the data's coordinate std (coordinate_scale: 2.83
    # on the grid, 0.71 on the papers' ring); the targets are centred at 0, so no shift is needed
    standardize: bool = False
    minibatch_kernels: int = 0        # B of MinibatchDiscrimination; 0 = a plain discriminator
    kernel_dim: int = 2               # C of MinibatchDiscrimination
    # "mean" keeps o in [0, 1]. With "sum", o reaches N - 1 and Adam's fixed step
    # size lets D lean on it N times harder; our runs then left the ring entirely.
    minibatch_reduction: str = "mean"
    # -- PacGAN (Lin et al. 2018) and its networks; the defaults keep the plain recipe above --
    pack: int = 1                     # D judges `pack` samples at once: a batch is batch_size * pack samples
    d_hidden: tuple | None = None     # D's hidden widths (None: the same as `hidden`)
    d_maxout_pieces: int = 0          # > 0: D's hidden layers are Maxout with this many pieces (PacGAN: 5)
    g_batchnorm: bool = False         # G's hidden layers: Linear (no bias) -> BatchNorm1d -> activation (PacGAN's G)
    # G's hidden activation: "leaky_relu" (slope 0.2, as D's) or "relu" (PacGAN's G); a ReLU unit is flat where
    # it is off, which lets G pinch a region of noise onto one narrow mode (docs/results.md: the grid)
    g_activation: str = "leaky_relu"
    # D's first layer starts with weights and biases this many times larger: steeper features at the
    # same kink positions, for modes much narrower than their spacing (std 0.01 at radius 1)
    d_first_layer_scale: float = 1.0
    # > 0: samples come from an exponential moving average of G's weights (minigan.averaging)
    ema_decay: float = 0.0


def build_discriminator(recipe: Recipe2D, data_dim: int = 2) -> nn.Sequential:
    """x (m, pack * 2) -> hidden layers (LeakyReLU 0.2, or Maxout) -> [MinibatchDiscrimination] -> logit (m, 1).

    With packing, D reads ``pack`` samples side by side, so its first layer is
    ``pack`` times wider; nothing else changes (PacGAN keeps the rest of D).
    The minibatch layer sits on the last hidden features, as in Salimans et
    al. (2016), so D judges each sample together with the rest of its batch.
    """
    hidden = recipe.d_hidden or recipe.hidden
    width, sizes = hidden[-1], [recipe.pack * data_dim, *hidden]
    if recipe.d_maxout_pieces:
        layers = [nn.Maxout(n_in, n_out, recipe.d_maxout_pieces) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    else:
        layers = list(nn.mlp(sizes).layers) + [nn.LeakyReLU(0.2)]
    if recipe.minibatch_kernels:
        layers.append(nn.MinibatchDiscrimination(width, recipe.minibatch_kernels, recipe.kernel_dim,
                                                    reduction=recipe.minibatch_reduction))
        width += recipe.minibatch_kernels
    layers.append(nn.Linear(width, 1))
    for p in layers[0].parameters():
        p.data *= recipe.d_first_layer_scale
    return nn.Sequential(*layers)


def build_generator(recipe: Recipe2D, data_dim: int = 2) -> nn.Sequential:
    """z (m, noise_dim) -> hidden layers -> x (m, 2), linear output.

    Each hidden layer is Linear -> activation (``g_activation``: LeakyReLU(0.2) or ReLU), or with
    ``g_batchnorm`` Linear (no bias: BatchNorm's beta is the bias) -> BatchNorm1d -> activation;
    PacGAN's G is ``g_batchnorm=True, g_activation="relu"``.
    """
    if recipe.g_activation not in G_ACTIVATIONS:
        raise ValueError(f"Recipe2D.g_activation must be one of {', '.join(G_ACTIVATIONS)}; "
                         f"got {recipe.g_activation!r}")
    layers, n_in = [], recipe.noise_dim
    for width in recipe.hidden:
        if recipe.g_batchnorm:
            layers += [nn.Linear(n_in, width, bias=False), nn.BatchNorm1d(width)]
        else:
            layers.append(nn.Linear(n_in, width))
        layers.append(G_ACTIVATIONS[recipe.g_activation]())
        n_in = width
    return nn.Sequential(*layers, nn.Linear(n_in, data_dim))


#: The hidden activations ``Recipe2D.g_activation`` names.
G_ACTIVATIONS = {"leaky_relu": lambda: nn.LeakyReLU(0.2), "relu": nn.ReLU}


def coordinate_scale(target) -> float:
    """The root-mean-square coordinate of a centred 2-D mixture: sqrt(mean(centers^2) + std^2)."""
    return float(numpy.sqrt((target.centers ** 2).mean() + target.std ** 2))


def build_2d(recipe: Recipe2D, data_dim: int = 2, scale: float = 1.0) -> GAN:
    """G: see :func:`build_generator`; D: see :func:`build_discriminator`, outputs logits.

    scale != 1: G ends with Rescale(scale) and D starts with Rescale(1/scale), so both work on
    x / scale (standardised data, as the 1-D recipe does: the first layers' kinks, initialised
    for inputs of order 1, then lie among the modes)."""
    generator = build_generator(recipe, data_dim)
    discriminator = build_discriminator(recipe, data_dim)
    if scale != 1.0:
        generator = nn.Sequential(generator, nn.Rescale(scale))
        discriminator = nn.Sequential(nn.Rescale(1.0 / scale), discriminator)
    return GAN(generator, discriminator,
               optim.Adam(generator.parameters(), recipe.lr_g, betas=recipe.betas),
               optim.Adam(discriminator.parameters(), recipe.lr_d, betas=recipe.betas),
               recipe.noise_dim, k=recipe.k, generator_loss=recipe.generator_loss, noise=recipe.noise,
               logits=True, pack=recipe.pack, ema_decay=recipe.ema_decay)


def evaluate_2d(samples, target) -> dict:
    """Mode metrics of host samples (n, d) against the target's modes, threshold 3 std.

    Adds ``modes_above_1pct``: modes holding at least 1% of all samples. A mode
    counts as *captured* with a single sample, so a generator that has nearly
    abandoned a mode still captures it; this stricter count shows that.
    """
    m = metrics.mode_metrics(samples, target.centers, target.std, threshold=3.0)
    m["modes_above_1pct"] = int((numpy.asarray(m["counts"]) >= 0.01 * len(samples)).sum())
    return m


def snapshot_iterations(steps: int, num_snapshots: int) -> list:
    """0, then iterations halving back from ``steps``: for 6 snapshots of 8000, 0 500 1000 2000 4000 8000."""
    at = [steps // 2 ** i for i in range(num_snapshots - 1)] + [0]
    return sorted(set(at))


def train_2d(target, recipe: Recipe2D, num_snapshots: int = 6, progress: bool = True,
             label: str = "2-D GAN", checkpoints: Checkpoints | None = None) -> dict:
    """Train a GAN on a 2-D target. Seed the backend first (``backend.seed``).

    Returns a dict: ``gan``; ``snapshots``, a list of {"iteration": i, "samples":
    host samples (2000, 2)} for figures; ``samples``, host (10000, 2) from the final G;
    ``metrics``, :func:`evaluate_2d` of those samples plus timing and D's mean
    verdicts over the last 500 steps; ``resumed_from``, the iteration a resumed run continued
    from (0 for a fresh start).
    ``checkpoints``: save (and with ``resume``, continue) as :func:`minigan.training.fit` says;
    the target and the recipe are part of the settings a resume must match.
    """
    gan = build_2d(recipe, target.dim, coordinate_scale(target) if recipe.standardize else 1.0)

    def on_snapshot(iteration):
        return {"iteration": iteration, "samples": backend.to_numpy(gan.generate(2000))}

    if checkpoints is not None:
        checkpoints = checkpoints.with_settings(target=target.describe(), recipe=recipe.to_dict())
    # D judges batch_size packed rows of each kind, so a batch holds batch_size * pack samples (PacGAN's choice)
    fitted = fit(gan, toy.batches(target, recipe.batch_size * recipe.pack), recipe.steps,
                 final_lr_factor=recipe.final_lr_factor,
                 snapshot_at=snapshot_iterations(recipe.steps, num_snapshots),
                 on_snapshot=on_snapshot, progress=progress, label=label, checkpoints=checkpoints)
    samples = backend.to_numpy(gan.generate(NUM_SAMPLES))
    result = evaluate_2d(samples, target)
    result.update(final_d_real=gan.last("d_real", 500), final_d_fake=gan.last("d_fake", 500),
                  seconds=fitted.seconds, steps_per_second=recipe.steps / fitted.seconds)
    return {"gan": gan, "snapshots": fitted.snapshots, "samples": samples, "metrics": result,
            "resumed_from": fitted.resumed_from}


# -- mode collapse and its cures ------------------------------------------------------

#: A deliberately collapse-prone recipe: the default with 16 noise dimensions
#: instead of 2 and k = 5 discriminator steps per generator step, trained for
#: 4000 iterations: a near-optimal D, and a G with room to fold all of z onto
#: one point. On the ring, seeds 0-4 each put nearly all their high-quality
#: samples on one mode (reverse KL 1.77-2.08; 2.08 = one mode; docs/results.md).
COLLAPSE_PRONE = Recipe2D(noise_dim=16, k=5, steps=4000)
COLLAPSE_PRONE_NOTE = "the default recipe with 16-D noise instead of 2-D and k=5 instead of 1, 4000 iterations"

#: Each variant changes one thing of COLLAPSE_PRONE (non-saturating loss, k = 5).
VARIANTS = {
    "minimax": dict(generator_loss="minimax"),
    "non-saturating": dict(),
    "k=1": dict(k=1),
    "two time-scale": dict(lr_g=2.5e-4),            # D learns 4x faster than G
    "minibatch discr.": dict(minibatch_kernels=4),
}


def compare(target, base: Recipe2D = COLLAPSE_PRONE, variants: dict = VARIANTS, seed: int = 0,
            progress: bool = True) -> dict:
    """Train one GAN per variant of ``base`` from the same seed; returns {name: train_2d result}."""
    results = {}
    for name, changes in variants.items():
        backend.seed(seed)
        results[name] = train_2d(target, replace(base, **changes), progress=progress, label=name)
    return results


# -- PacGAN's Table 1: GAN against PacGAN on the papers' ring and grid -------------------

#: Table 1 of Lin et al. (2018, PacGAN), mean ± standard error over 10 trials of 2,500 samples:
#: (modes captured, high-quality fraction, reverse KL), each as (mean, standard error).
PUBLISHED_TABLE1 = {
    "ring": {"GAN": ((6.3, 0.5), (0.982, 0.002), (0.45, 0.09)),
             "PacGAN2": ((7.9, 0.1), (0.956, 0.020), (0.07, 0.03))},
    "grid": {"GAN": ((17.3, 0.8), (0.948, 0.007), (0.70, 0.07)),
             "PacGAN4": ((24.8, 0.2), (0.936, 0.006), (0.04, 0.01))},
}

TABLE_METRICS = ("modes_captured", "high_quality", "reverse_kl")


def model_name(pack: int) -> str:
    """"GAN" for pack = 1, "PacGAN<pack>" otherwise (the papers' names)."""
    return "GAN" if pack == 1 else f"PacGAN{pack}"


def pack_trials(target, recipe: Recipe2D, packs=(1, 2, 3, 4), trials: int = 10, seed: int = 0,
                num_samples: int = metrics.PAPER_NUM_SAMPLES, progress: bool = False) -> dict:
    """The Table 1 protocol: for each pack, ``trials`` trainings of ``recipe`` (seeds seed .. seed+trials-1),
    each scored on ``num_samples`` fresh samples by :func:`minigan.metrics.mode_metrics` (3 std).

    Returns {model name: {"pack", "trials": [per-trial metrics and seconds], "summary": {metric: {"mean",
    "standard_error"}}, "samples": host (num_samples, 2) of the first trial}}.
    """
    table = {}
    for pack in packs:
        rows, first = [], None
        for t in range(trials):
            backend.seed(seed + t)
            run = train_2d(target, replace(recipe, pack=pack), num_snapshots=1, progress=progress,
                           label=f"{model_name(pack)} trial {t}")
            x = backend.to_numpy(run["gan"].generate(num_samples))
            m = metrics.mode_metrics(x, target.centers, target.std, threshold=3.0)
            rows.append({"seed": seed + t, **{k: m[k] for k in TABLE_METRICS}, "counts": m["counts"],
                         "seconds": run["metrics"]["seconds"]})
            first = x if first is None else first
        summary = {}
        for key in TABLE_METRICS:
            mean, se = metrics.mean_and_standard_error([r[key] for r in rows])
            summary[key] = {"mean": mean, "standard_error": se}
        table[model_name(pack)] = {"pack": pack, "trials": rows, "summary": summary, "samples": first}
    return table


#: minigan's recipe for PacGAN's ring (radius 1, std 0.01): D judges pairs, 64 verdicts per batch (128
#: samples); G four hidden layers of 128, D two (LeakyReLU(0.2) both); Adam at 2e-3 decaying to 2e-5
#: (final factor 0.01) over 40,000 iterations, about 2 minutes a trial on one CPU core. Seeds 0-2 (session
#: 2026-12-02): 8 modes, 96.7 % high quality, reverse KL 0.002. What each change bought, from the earlier
#: 2x128 networks and 6,000 iterations (60 % high quality), is in docs/results.md; in short: G's depth and the
#: training length (D with two hidden layers did as well as with four, and faster).
PACGAN_RING = Recipe2D(pack=2, batch_size=64, lr_g=2e-3, lr_d=2e-3, steps=40000, final_lr_factor=0.01,
                       hidden=(128, 128, 128, 128), d_hidden=(128, 128))
#: minigan's recipe for PacGAN's grid (25 modes, std 0.05): PacGAN4 on standardised data (x / 2.83), both
#: networks with three hidden layers of 128, ReLU in G (LeakyReLU(0.2) in D), Adam at 2e-3 decaying only to
#: 6e-4 (final factor 0.3) over 120,000 iterations, samples from the average of G's weights (ema_decay 0.999),
#: about 3 minutes a trial on one CPU core. ReLU in G is what made the difference: with LeakyReLU(0.2) in G
#: and 80,000 iterations, 10 trials gave 22.5 modes, 82.9 % high quality, reverse KL 0.39; with ReLU, 24.8 /
#: 93.8 % / 0.068; with ReLU and 120,000 iterations (this recipe), 25.0 / 96.3 % / 0.032 (2026-12-04; docs/results.md:
#: the grid table and what each change bought). The paper's PacGAN4 has 24.8 / 93.6 % / 0.04.
PACGAN_GRID = Recipe2D(pack=4, batch_size=64, lr_g=2e-3, lr_d=2e-3, steps=120000, final_lr_factor=0.3,
                       hidden=(128, 128, 128), standardize=True, ema_decay=0.999, g_activation="relu")
