"""What layers of images (N, C, H, W) share: the input check, and new arrays in the input's memory order."""
from __future__ import annotations

from .. import backend
from .conv_fast import to_channels_first, to_channels_last


def check_images(module, x, channels: int | None = None) -> tuple:
    """Check that x is a floating 4-D array (N, C, H, W), H and W >= 1, with ``channels`` channels when given; the
    errors name ``module``'s class, what was expected and what came. Returns x's shape."""
    name = type(module).__name__
    shape = tuple(getattr(x, "shape", ()))
    if not hasattr(x, "dtype") or len(shape) != 4:
        got = shape if hasattr(x, "shape") else type(x).__name__
        raise ValueError(f"{name}: input must be a 4-D array (N, C, H, W); got shape {got}")
    if channels is not None and shape[1] != channels:
        raise ValueError(f"{name}: input must have {channels} channels (axis 1); got shape {shape}")
    if shape[2] < 1 or shape[3] < 1:
        raise ValueError(f"{name}: input height and width must be positive; got shape {shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating array; got dtype {x.dtype}")
    return shape


def empty_in_memory_order_of(x, shape):
    """An uninitialised array of ``shape`` (N, C, H, W) laid out as x is: an NCHW view of channels-last
    memory when x is one (a convolution's output, see conv.py), C order otherwise."""
    xp = backend.xp
    if not x.flags.c_contiguous and to_channels_last(x).flags.c_contiguous:
        n, c, h, w = shape
        return to_channels_first(xp.empty((n, h, w, c), dtype=x.dtype))
    return xp.empty(shape, dtype=x.dtype)
