"""The Fréchet distance between Gaussians fitted to features (the idea of FID, Heusel et al. 2017)."""
from __future__ import annotations

import numpy

from .parzen import _host_matrix


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
