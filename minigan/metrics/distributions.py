"""Distances between a generator's samples and the data on the toy problems: W1 and JS on a line,
mode statistics on the ring and the grid (VEEGAN's and PacGAN's protocol). On the host:
inputs may be backend arrays and are copied with ``backend.to_numpy`` first."""
from __future__ import annotations

import numpy
from scipy import stats
from scipy.spatial.distance import jensenshannon

from .. import backend

REFERENCE_QUANTILES = 100_000


def _host_1d(samples, name="samples"):
    x = backend.to_numpy(samples).astype(numpy.float64)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty array of shape (n,) or (n, 1); got {x.shape}")
    return x


def wasserstein_1d(samples, target) -> float:
    """1-Wasserstein distance W1 = integral |F_samples^-1(u) - F_target^-1(u)| du.

    ``target`` is either another array of samples or a distribution with a
    ``quantiles(n)`` method (then it is represented by 100,000 exact
    quantiles, so no sampling noise is added on its side). Same unit as x.
    """
    x = _host_1d(samples)
    y = target.quantiles(REFERENCE_QUANTILES) if hasattr(target, "quantiles") else _host_1d(target, "target")
    return float(stats.wasserstein_distance(x, y))


def js_divergence(samples_p, samples_q, bins: int = 100, range=None) -> float:
    """Jensen-Shannon divergence (nats, in [0, log 2]) between histograms of two 1-D samples.

    JS(P, Q) = KL(P || M)/2 + KL(Q || M)/2 with M = (P + Q)/2, on ``bins`` equal
    bins over ``range`` (default: the span of both samples).
    """
    p, q = _host_1d(samples_p, "samples_p"), _host_1d(samples_q, "samples_q")
    if range is None:
        range = (min(p.min(), q.min()), max(p.max(), q.max()))
    hp, edges = numpy.histogram(p, bins=bins, range=range)
    hq, _ = numpy.histogram(q, bins=edges)
    if hp.sum() == 0 or hq.sum() == 0:
        raise ValueError(f"js_divergence: a sample has no values inside range {range}")
    return float(jensenshannon(hp, hq, base=numpy.e) ** 2)


def mode_metrics(samples, centers, std: float, threshold: float = 3.0) -> dict:
    """The mode statistics of VEEGAN (Srivastava et al. 2017) and PacGAN (Lin et al. 2018).

    A sample is *high quality* when it lies within ``threshold`` standard
    deviations of its nearest mode; a mode is *captured* when it receives at
    least one high-quality sample. Returns

    - ``modes_captured``: how many of the K modes are captured,
    - ``high_quality``: the fraction of samples that are high quality,
    - ``reverse_kl``: KL(p || uniform) where p is the histogram of the
      high-quality samples over the modes (0 when they spread evenly, log K when
      they all fall on one mode; inf when there is no high-quality sample).

    Shapes: samples (n, d), centers (K, d).
    """
    x = backend.to_numpy(samples).astype(numpy.float64)
    c = numpy.asarray(centers, dtype=numpy.float64)
    if x.ndim != 2 or c.ndim != 2 or x.shape[1] != c.shape[1]:
        raise ValueError(f"mode_metrics: samples (n, d) and centers (K, d) must agree; got {x.shape} and {c.shape}")
    dist = numpy.sqrt(((x[:, None, :] - c[None, :, :]) ** 2).sum(-1))       # (n, K)
    nearest = dist.argmin(axis=1)
    good = dist[numpy.arange(len(x)), nearest] <= threshold * std
    counts = numpy.bincount(nearest[good], minlength=len(c))
    if counts.sum() == 0:
        reverse_kl = float("inf")
    else:
        p = counts / counts.sum()
        nz = p > 0
        reverse_kl = float((p[nz] * numpy.log(p[nz] * len(c))).sum())
    return {
        "modes_captured": int((counts > 0).sum()),
        "num_modes": int(len(c)),
        "high_quality": float(good.mean()),
        "reverse_kl": reverse_kl,
        "counts": counts.tolist(),
    }


#: Samples drawn from a trained G for the mode statistics in Table 1 of VEEGAN and PacGAN.
PAPER_NUM_SAMPLES = 2500


def mean_and_standard_error(values) -> tuple:
    """(mean, standard error of the mean) of per-trial numbers: s / sqrt(n) with the sample
    standard deviation s (ddof = 1), the "mean ± standard error" of PacGAN's Table 1.
    One value has standard error 0.0 (nothing to estimate it from). An inf among the values
    (a reverse KL with no high-quality sample) gives mean inf and standard error nan."""
    x = numpy.asarray(values, dtype=numpy.float64).ravel()
    if x.size == 0:
        raise ValueError("mean_and_standard_error: values must not be empty")
    if not numpy.isfinite(x).all():
        return float(x.mean()), float("nan")
    se = float(x.std(ddof=1) / numpy.sqrt(x.size)) if x.size > 1 else 0.0
    return float(x.mean()), se
