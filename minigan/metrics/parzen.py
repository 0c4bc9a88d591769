"""The Parzen-window log-likelihood of the GAN paper's Table 1 (Breuleux et al. 2011's protocol)."""
from __future__ import annotations

import numpy

from .. import backend
from ..checks import check_positive_int


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
    check_positive_int("batch_size", batch_size)
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
