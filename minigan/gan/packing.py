"""PacGAN's packing (Lin et al. 2018): D judges ``pack`` samples at once, all real or all fake."""
from __future__ import annotations


def pack_samples(x, pack: int):
    """Concatenate each run of ``pack`` consecutive samples along the features.

    x (n, f, ...) -> (n / pack, pack * f, ...): packed row i is [x[i*pack], ..., x[i*pack + pack-1]]
    (for images (n, C, H, W), the channels are stacked). A row-major reshape, no copy.
    pack = 1 returns x itself.
    """
    if pack == 1:
        return x
    n = x.shape[0]
    return x.reshape(n // pack, pack * x.shape[1], *x.shape[2:])


def unpack_gradient(grad_packed, pack: int):
    """The adjoint of :func:`pack_samples`: dL/dx (n, f, ...) from dL/d(packed) (n / pack, pack * f, ...).

    Packing only moves numbers, so the gradient of each sample is its own block of the packed
    row's gradient: dL/dx[i*pack + j] = dL/dpacked[i, j*f:(j+1)*f]. The reverse reshape.
    """
    if pack == 1:
        return grad_packed
    rows = grad_packed.shape[0]
    return grad_packed.reshape(rows * pack, grad_packed.shape[1] // pack, *grad_packed.shape[2:])
