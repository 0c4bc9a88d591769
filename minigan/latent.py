"""Walking the latent space of a trained generator.

A generator maps noise z in R^d to images. Paths and arithmetic in z-space
show what it has learned:

* **lerp** (linear interpolation) ``z(t) = (1 - t) z0 + t z1``. For z ~ N(0, I)
  in high dimension, |z| concentrates near sqrt(d); the midpoint of two such
  vectors has norm about sqrt(d/2), a region the generator never saw in training.
* **slerp** (spherical interpolation) weights z0 and z1 by sines of angles:

      z(t) = sin((1 - t) omega) / sin(omega) z0 + sin(t omega) / sin(omega) z1,
      cos(omega) = <z0, z1> / (|z0| |z1|)

  For |z0| = |z1| it walks the great circle between them at constant angular
  speed and every point keeps that norm, so the path stays where the prior
  puts its mass (White 2016, "Sampling Generative Networks").
* **attribute vectors**: the mean z of samples that have a property (thick
  strokes) minus the mean z of samples that lack it, added to new z's, turns
  the property up or down (Radford et al. 2016). Here the property is
  measured, not labelled: ``ink`` = mean pixel intensity.

All functions take and return backend (device) arrays.
"""
from __future__ import annotations

from . import backend


def _check_pair(name, z0, z1):
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"{name}: z0 and z1 must be 1-D vectors of the same length; got {tuple(z0.shape)} "
                         f"and {tuple(z1.shape)}")


def _as_steps(t):
    """t as a backend column (T, 1); an int T means T evenly spaced steps from 0 to 1."""
    xp = backend.xp
    t = xp.linspace(0.0, 1.0, t, dtype=backend.dtype) if isinstance(t, int) else backend.asarray(t)
    return t.reshape(-1, 1)


def lerp(z0, z1, t):
    """Straight line from z0 to z1: (1 - t) z0 + t z1.

    z0, z1: (d,); t: (T,) fractions or an int T (T evenly spaced steps, ends included).
    Returns (T, d).
    """
    _check_pair("lerp", z0, z1)
    t = _as_steps(t)
    return (1 - t) * z0 + t * z1


def slerp(z0, z1, t, eps: float = 1e-7):
    """Spherical path from z0 to z1 (a great circle at constant speed when |z0| = |z1|).

    z0, z1: (d,); t: (T,) fractions or an int T. Returns (T, d). When z0 and
    z1 are (anti)parallel, sin(omega) -> 0 and slerp's limit is lerp, used there.
    """
    _check_pair("slerp", z0, z1)
    xp = backend.xp
    t = _as_steps(t)
    cos_omega = xp.sum(z0 * z1) / (xp.linalg.norm(z0) * xp.linalg.norm(z1))
    omega = xp.arccos(xp.clip(cos_omega, -1.0, 1.0))
    sin_omega = xp.sin(omega)
    if float(sin_omega) < eps:
        return (1 - t) * z0 + t * z1
    return (xp.sin((1 - t) * omega) * z0 + xp.sin(t * omega) * z1) / sin_omega


def ink(images):
    """Mean pixel intensity of each image: a measure of stroke thickness.

    images: (m, 784) in [0, 1] (host or device). Returns (m,), same module as images.
    """
    return images.mean(axis=1)


def attribute_vector(z, scores, fraction: float = 0.2, groups=None):
    """mean(z of the top ``fraction`` by score) - mean(z of the bottom ``fraction``).

    z: (m, d); scores: (m,) (e.g. ink); groups: optional (m,) integer labels: then
    top and bottom are chosen within each group, so the vector measures the
    attribute (thick vs thin) and not the group (an 8 has more ink than a 1).
    Returns (d,).
    """
    xp = backend.xp
    if not 0 < fraction <= 0.5:
        raise ValueError(f"attribute_vector: fraction must be in (0, 0.5]; got {fraction!r}")
    if scores.shape != (z.shape[0],):
        raise ValueError(f"attribute_vector: scores must have shape ({z.shape[0]},); got {tuple(scores.shape)}")
    members = [xp.arange(z.shape[0])] if groups is None else [
        xp.nonzero(groups == g)[0] for g in backend.to_numpy(xp.unique(groups)).tolist()]
    top, bottom = [], []
    for index in members:
        n = int(fraction * index.shape[0])
        if n < 1:
            raise ValueError(f"attribute_vector: a group of {index.shape[0]} samples has no top {fraction:.0%}; "
                             "use more samples or a larger fraction")
        order = index[xp.argsort(scores[index])]
        bottom.append(order[:n])
        top.append(order[-n:])
    return z[xp.concatenate(top)].mean(axis=0) - z[xp.concatenate(bottom)].mean(axis=0)


def add_attribute(z, direction, strengths):
    """z + s * direction for every z and strength s.

    z: (m, d); direction: (d,); strengths: (S,) host numbers. Returns (m * S, d),
    row-major: for each z, its S variants (a grid with one row per z).
    """
    if z.ndim != 2 or direction.shape != (z.shape[1],):
        raise ValueError(f"add_attribute: z must be (m, d) and direction (d,); got {tuple(z.shape)} "
                         f"and {tuple(direction.shape)}")
    s = backend.asarray(strengths).reshape(1, -1, 1)
    return (z[:, None, :] + s * direction).reshape(-1, z.shape[1])
