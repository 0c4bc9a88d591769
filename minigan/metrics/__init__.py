"""Measuring a generator: distances between distributions and mode statistics.

A GAN's losses do not say how good its samples are (the tutorials' complaint
that a GAN "has no objective measure"). These metrics compare samples with
the data distribution directly. They run on the host: inputs may be backend
arrays and are copied with ``backend.to_numpy`` first.
"""
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


# -- Parzen-window log-likelihood (Goodfellow et al. 2014, Table 1) --------------------------
#
# The protocol of Breuleux et al. (2011), used for Table 1 of the GAN paper: put an isotropic
# Gaussian of width sigma on each of n generated samples mu_i and score real images x under
# the mixture
#
#     log p(x) = logsumexp_i(-||x - mu_i||^2 / (2 sigma^2)) - log n - (d/2) log(2 pi sigma^2).
#
# sigma is chosen on a validation set (grid search), then the mean log-likelihood of the test
# images is reported with its standard error. This is the estimator of the paper's own
# parzen_ll.py (goodfeli/adversarial): log_mean_exp over centres minus d log(sigma sqrt(2 pi)),
# sigma = the best mean on MNIST train images 50,000-50,999 over numpy.logspace(-1, 0, 10), and
# std / sqrt(n) over the 10,000 test images (tests/test_parzen_original.py checks it line for
# line). The squared distances do not depend on sigma, so one pass over (points x centres)
# scores every sigma of the grid at once.
#
# It runs on the host in float64. The squared distances come from the expansion
# ||x||^2 - 2 x.mu + ||mu||^2: one GEMM per block instead of an (n_x, n_mu, d) difference array,
# and float64 so the cancellation in that expansion loses nothing that matters (float32 would
# leave errors of ~1e-4 in distances of ~100, amplified by 1/(2 sigma^2) = 50 at sigma = 0.1).
# Memory: the samples and points in float64 (10,000 x 784 x 8 B = 63 MB each) plus a few
# (batch_size x batch_size) blocks. Measured for 10,000 x 10,000 x 784: 7.4 s on one CPU thread,
# 346 MB peak for the whole process. (On the host even with CuPy: a few seconds, once per run.)

PARZEN_SIGMAS = tuple(float(s) for s in numpy.logspace(-1, 0, 10))   #: the grid of the original code

#: Table 1 of Goodfellow et al. (2014), MNIST column: mean Parzen log-likelihood ± standard error (nats).
PAPER_TABLE1 = [
    ("DBN", 138, 2), ("Stacked CAE", 121, 1.6), ("Deep GSN", 214, 1.1), ("Adversarial nets", 225, 2),
]


def _host_matrix(x, name: str, features: int | None = None) -> numpy.ndarray:
    """A host float64 copy of a non-empty (n, d) array (backend or host)."""
    a = backend.to_numpy(x).astype(numpy.float64)
    if a.ndim != 2 or a.shape[0] == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (n, d); got shape {a.shape}")
    if features is not None and a.shape[1] != features:
        raise ValueError(f"{name} must have {features} features (the samples' d); got shape {a.shape}")
    if not numpy.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return a


def _check_sigmas(sigmas) -> numpy.ndarray:
    s = numpy.atleast_1d(numpy.asarray(sigmas, dtype=numpy.float64))
    if s.ndim != 1 or s.size == 0 or not (numpy.isfinite(s) & (s > 0)).all():
        raise ValueError(f"sigma must be positive and finite (a number or a 1-D grid); got {sigmas!r}")
    return s


def parzen_log_densities(samples, points, sigmas, batch_size: int = 1000, progress=None) -> numpy.ndarray:
    """log p_sigma(x) of every point under the Gaussian Parzen window on ``samples``, for each sigma.

    Args:
        samples: the kernel centres mu, (n, d) (e.g. 10,000 generated images).
        points: the points x to score, (m, d).
        sigmas: one width or a 1-D grid of S widths (same unit as the data).
        batch_size: points and centres per block; memory ~ 8 batch_size^2 (S + 2) bytes.
        progress: optional callable ``progress(done, total)`` after each block of points.
    Returns:
        host float64 array (S, m): log-densities in nats.
    """
    mu = _host_matrix(samples, "samples")
    x = _host_matrix(points, "points", mu.shape[1])
    s = _check_sigmas(sigmas)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    n, d = mu.shape
    inv_two_var = 1.0 / (2.0 * s * s)                                   # (S,)
    log_norm = -numpy.log(n) - 0.5 * d * numpy.log(2 * numpy.pi * s * s)
    mu_sq = (mu * mu).sum(axis=1)                                      # (n,)
    out = numpy.empty((len(s), len(x)))
    for start in range(0, len(x), batch_size):
        xb = x[start:start + batch_size]
        xb_sq = (xb * xb).sum(axis=1)
        # A streaming logsumexp over blocks of centres: running max m and sum r of exp(e - m).
        m = numpy.full((len(s), len(xb)), -numpy.inf)
        r = numpy.zeros((len(s), len(xb)))
        for c in range(0, n, batch_size):
            dist2 = xb_sq[:, None] - 2.0 * (xb @ mu[c:c + batch_size].T) + mu_sq[None, c:c + batch_size]
            numpy.maximum(dist2, 0.0, out=dist2)                        # rounding can dip below 0
            for k in range(len(s)):
                e = dist2 * -inv_two_var[k]                             # exponents (b, c)
                m_new = numpy.maximum(m[k], e.max(axis=1))
                r[k] = r[k] * numpy.exp(m[k] - m_new) + numpy.exp(e - m_new[:, None]).sum(axis=1)
                m[k] = m_new
        out[:, start:start + len(xb)] = m + numpy.log(r) + log_norm[:, None]
        if progress is not None:
            progress(min(start + batch_size, len(x)), len(x))
    return out


def parzen_log_likelihood(samples, test, sigma: float, batch_size: int = 1000, progress=None):
    """Mean Parzen-window log-likelihood of ``test`` and its standard error (nats per image).

    The number of Table 1 of Goodfellow et al. (2014): the mean of log p_sigma(x) over the
    test images, and the standard error of that mean, std / sqrt(m) (population std,
    as the original code). Shapes: samples (n, d), test (m, d). Returns (mean, stderr) floats.
    """
    if numpy.ndim(sigma) != 0:
        raise ValueError(f"sigma must be a single number here (use parzen_select_sigma for a grid); got {sigma!r}")
    ll = parzen_log_densities(samples, test, sigma, batch_size, progress)[0]
    return float(ll.mean()), float(ll.std() / numpy.sqrt(len(ll)))


def parzen_select_sigma(samples, validation, sigmas=PARZEN_SIGMAS, batch_size: int = 1000, progress=None):
    """Choose sigma by grid search: the width with the highest mean log-likelihood of ``validation``.

    Shapes: samples (n, d), validation (m, d). Returns ``(best_sigma, table)`` with
    table a list of {"sigma", "mean", "stderr"} per grid point (validation set, nats).
    A best sigma on the edge of the grid means the grid should be widened.
    """
    s = _check_sigmas(sigmas)
    ll = parzen_log_densities(samples, validation, s, batch_size, progress)
    means = ll.mean(axis=1)
    table = [{"sigma": float(sk), "mean": float(mk), "stderr": float(lk.std() / numpy.sqrt(ll.shape[1]))}
             for sk, mk, lk in zip(s, means, ll)]
    return float(s[int(numpy.argmax(means))]), table


# -- Frechet distance between Gaussians (the idea of FID, Heusel et al. 2017) -----------------

def gaussian_statistics(features):
    """Mean (d,) and covariance (d, d) (unbiased, ddof=1) of host or backend features (n, d)."""
    f = _host_matrix(features, "features")
    if len(f) < 2:
        raise ValueError(f"features need at least 2 rows for a covariance; got shape {f.shape}")
    return f.mean(axis=0), numpy.cov(f, rowvar=False).reshape(f.shape[1], f.shape[1])


def frechet_distance(mu1, sigma1, mu2, sigma2, eps: float = 1e-6) -> float:
    """Fréchet (2-Wasserstein squared) distance between N(mu1, sigma1) and N(mu2, sigma2):

        d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2)).

    ``scipy.linalg.sqrtm`` computes the square root of the (non-symmetric) product. When the
    product is singular (scipy warns, or the root comes out non-finite), eps is added to both
    diagonals first, as the FID reference code does. Rounding leaves tiny imaginary parts, which are
    dropped; a large one (> 1e-3, relative to the trace) means the inputs are not covariances
    and raises ValueError. Shapes: mu (d,), sigma (d, d). Returns a float >= 0 (up to rounding).
    """
    import warnings

    from scipy import linalg

    mu1, mu2 = numpy.atleast_1d(mu1).astype(numpy.float64), numpy.atleast_1d(mu2).astype(numpy.float64)
    s1, s2 = numpy.atleast_2d(sigma1).astype(numpy.float64), numpy.atleast_2d(sigma2).astype(numpy.float64)
    d = mu1.shape[0]
    for name, value, shape in (("mu2", mu2, (d,)), ("sigma1", s1, (d, d)), ("sigma2", s2, (d, d))):
        if value.shape != shape:
            raise ValueError(f"frechet_distance: {name} must have shape {shape} (from mu1); got {value.shape}")
    with warnings.catch_warnings():
        warnings.simplefilter("error", linalg.LinAlgWarning)     # scipy's "matrix is singular"
        try:
            covmean = linalg.sqrtm(s1 @ s2)
            singular = not numpy.isfinite(covmean).all()
        except linalg.LinAlgWarning:
            singular = True
    if singular:
        # e.g. a ReLU feature that is 0 on every image, or fewer images than features.
        offset = eps * numpy.eye(d)
        covmean = linalg.sqrtm((s1 + offset) @ (s2 + offset))
    if numpy.iscomplexobj(covmean):
        scale = max(abs(numpy.trace(covmean).real), 1.0)
        if numpy.abs(covmean.imag).max() > 1e-3 * scale:
            raise ValueError(
                f"frechet_distance: sqrtm(sigma1 sigma2) has an imaginary part of "
                f"{numpy.abs(covmean.imag).max():.3g}; are sigma1 and sigma2 covariance matrices?"
            )
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + numpy.trace(s1) + numpy.trace(s2) - 2 * numpy.trace(covmean))


def frechet_distance_from_features(features1, features2, eps: float = 1e-6) -> float:
    """Fréchet distance between Gaussians fitted to two sets of features (n1, d) and (n2, d)."""
    return frechet_distance(*gaussian_statistics(features1), *gaussian_statistics(features2), eps=eps)


# -- class statistics of a classifier's predictions -----------------------------------------

def _host_labels(labels, name: str, num_classes: int) -> numpy.ndarray:
    a = backend.to_numpy(labels)
    if a.ndim != 1 or a.size == 0 or a.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty 1-D integer array; got shape {a.shape}, dtype {a.dtype}")
    if a.min() < 0 or a.max() >= num_classes:
        raise ValueError(f"{name} must lie in [0, {num_classes - 1}]; got values in [{a.min()}, {a.max()}]")
    return a.astype(numpy.int64)


def class_histogram(predicted, num_classes: int = 10) -> numpy.ndarray:
    """How many samples were predicted as each class: int64 (num_classes,). predicted: (n,) ints."""
    return numpy.bincount(_host_labels(predicted, "predicted", num_classes), minlength=num_classes)


def kl_from_uniform(counts) -> float:
    """KL(p || uniform) = sum_k p_k log(K p_k) in nats, p = counts / sum(counts).

    0 when the classes are equally frequent, log K when every sample is one class.
    """
    c = numpy.asarray(counts, dtype=numpy.float64)
    if c.ndim != 1 or c.size == 0 or (c < 0).any() or c.sum() <= 0:
        raise ValueError(f"counts must be a 1-D array of non-negative counts with a positive sum; got {counts!r}")
    p = c / c.sum()
    nz = p > 0                                      # 0 log 0 = 0
    return float((p[nz] * numpy.log(p[nz] * len(p))).sum())


def class_coverage(predicted, num_classes: int = 10, min_count: int = 1) -> int:
    """The number of classes predicted for at least ``min_count`` samples (n,)."""
    return int((class_histogram(predicted, num_classes) >= min_count).sum())


def label_accuracy(predicted, labels) -> float:
    """Fraction of samples whose predicted class equals the label they were generated for, (n,) each."""
    p, y = backend.to_numpy(predicted), backend.to_numpy(labels)
    if p.shape != y.shape or p.ndim != 1 or p.size == 0:
        raise ValueError(f"predicted and labels must be 1-D arrays of the same length; got {p.shape} and {y.shape}")
    return float((p == y).mean())


def label_accuracy_per_class(predicted, labels, num_classes: int = 10) -> list:
    """For each class c, the fraction of samples generated for label c that are read as c
    (None for a class with no sample): a conditional G may get most digits right and one wrong."""
    p, y = backend.to_numpy(predicted), backend.to_numpy(labels)
    label_accuracy(p, y)                       # the same shape checks
    return [float((p[y == c] == c).mean()) if (y == c).any() else None for c in range(num_classes)]
