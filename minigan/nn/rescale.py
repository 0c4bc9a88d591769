"""A fixed (not learned) affine map: y = x * scale + shift."""
from __future__ import annotations


from .activations import check_floating
from .module import Module, check_forward_called, check_grad_output
from ..checks import check_number


class Rescale(Module):
    """y = x * scale + shift, with constant scale and shift (no parameters).

    Data preprocessing as a layer: a discriminator that starts with
    ``Rescale(1/s, -m/s)`` sees standardized data, and a generator that ends
    with ``Rescale(s, m)`` produces data in its original units. (m, s are the
    data's mean and std, estimated from a data sample.) Shapes: any -> same.
    """

    rowwise = True

    def __init__(self, scale: float, shift: float = 0.0):
        for arg, value in (("scale", scale), ("shift", shift)):
            check_number(arg, value, owner="Rescale")
        if not scale:
            raise ValueError(f"Rescale: scale must be nonzero; got {scale!r}")
        self.scale, self.shift = float(scale), float(shift)
        self._seen = None

    def forward(self, x):
        check_floating(self, x)            # an integer x would get a rounded scale
        self._seen = x.shape
        return x * x.dtype.type(self.scale) + x.dtype.type(self.shift)

    def backward(self, grad_output):
        """dL/dx = dL/dy * scale."""
        check_forward_called(self, self._seen)
        if getattr(grad_output, "shape", None) != self._seen:
            check_grad_output(self, grad_output, self._seen)
        return grad_output * grad_output.dtype.type(self.scale)

    def extra_repr(self):
        return f"scale={self.scale:.4g}, shift={self.shift:.4g}"
