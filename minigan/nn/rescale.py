"""A fixed (not learned) affine map: y = x * scale + shift."""
from __future__ import annotations

from .module import Module, check_forward_called


class Rescale(Module):
    """y = x * scale + shift, with constant scale and shift (no parameters).

    Data preprocessing as a layer: a discriminator that starts with
    ``Rescale(1/s, -m/s)`` sees standardized data, and a generator that ends
    with ``Rescale(s, m)`` produces data in its original units. (m, s are the
    data's mean and std, estimated from a data sample.) Shapes: any -> same.
    """

    rowwise = True

    def __init__(self, scale: float, shift: float = 0.0):
        if not scale:
            raise ValueError(f"Rescale: scale must be nonzero; got {scale!r}")
        self.scale, self.shift = float(scale), float(shift)
        self._seen = None

    def forward(self, x):
        self._seen = True
        return x * x.dtype.type(self.scale) + x.dtype.type(self.shift)

    def backward(self, grad_output):
        """dL/dx = dL/dy * scale."""
        check_forward_called(self, self._seen)
        return grad_output * grad_output.dtype.type(self.scale)

    def extra_repr(self):
        return f"scale={self.scale:.4g}, shift={self.shift:.4g}"
