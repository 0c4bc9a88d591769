"""Elementwise activations. Each backward is dL/dx = dL/dy * f'(x), shape (N, ...)."""
from __future__ import annotations

from .. import backend
from ..checks import check_number
from .module import Module, check_forward_called, check_grad_output


def check_floating(module: Module, x) -> None:
    """An elementwise layer takes a floating array of any shape (an integer one would round)."""
    dtype = getattr(x, "dtype", None)
    if dtype is None or dtype.kind != "f":
        got = f"dtype {dtype}" if dtype is not None else type(x).__name__
        raise TypeError(f"{type(module).__name__}: input must be a floating array; got {got}")



def check_elementwise_backward(module: Module, cached, grad_output) -> None:
    """What an elementwise layer's backward checks first: forward ran (``cached``, an array of the
    output's shape, is set) and dL/dy has that shape."""
    check_forward_called(module, cached)
    if getattr(grad_output, "shape", None) != cached.shape:
        check_grad_output(module, grad_output, cached.shape)

class ReLU(Module):
    """y = max(x, 0)."""

    rowwise = True

    def __init__(self):
        self._positive = None

    def forward(self, x):
        check_floating(self, x)
        self._positive = x > 0
        return x * self._positive

    def backward(self, grad_output):
        """f'(x) = 1 where x > 0, else 0 (0 at x = 0, as PyTorch)."""
        check_elementwise_backward(self, self._positive, grad_output)
        return grad_output * self._positive


class PlainLeakyReLU(Module):
    """y = x where x > 0, else negative_slope * x."""

    rowwise = True

    def __init__(self, negative_slope: float = 0.01):
        self.negative_slope = check_number("negative_slope", negative_slope, 0, 1, high_open=True,
                                           owner=type(self).__name__)
        self._cache = None

    def forward(self, x):
        check_floating(self, x)
        self._cache = x
        return backend.xp.where(x > 0, x, self.negative_slope * x)

    def backward(self, grad_output):
        """f'(x) = 1 where x > 0, negative_slope elsewhere (at x = 0 too, as PyTorch)."""
        check_elementwise_backward(self, self._cache, grad_output)
        x = self._cache
        return backend.xp.where(x > 0, grad_output, self.negative_slope * grad_output)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class LeakyReLU(PlainLeakyReLU):
    """``PlainLeakyReLU``, its slope f'(x) built by arithmetic instead of ``xp.where`` (whose branch on a
    random sign costs ~4 ns an element on NumPy): 9x the plain layer's speed on (64, 1024) float32
    (docs/appendix_fast_numpy.md). Forward caches the slope; backward is one product."""

    def forward(self, x):
        check_floating(self, x)
        slope = (x > 0).astype(x.dtype)         # 1 where x > 0, else 0
        slope *= 1 - self.negative_slope
        slope += self.negative_slope            # 1 or negative_slope
        self._cache = slope
        return x * slope

    def backward(self, grad_output):
        check_elementwise_backward(self, self._cache, grad_output)
        return grad_output * self._cache


class Tanh(Module):
    """y = tanh(x)."""

    rowwise = True

    def __init__(self):
        self._y = None

    def forward(self, x):
        check_floating(self, x)
        self._y = backend.xp.tanh(x)
        return self._y

    def backward(self, grad_output):
        """f'(x) = 1 - tanh(x)^2 = 1 - y^2, from the cached output."""
        check_elementwise_backward(self, self._y, grad_output)
        return grad_output * (1 - self._y * self._y)


def sigmoid(x):
    """sigma(x) = 1 / (1 + exp(-x)), computed as exp(-log(1 + exp(-x))) with logaddexp:
    no overflow for any x, and full relative accuracy for tiny outputs (x << 0),
    which the non-saturating generator loss relies on."""
    xp = backend.xp
    return xp.exp(-xp.logaddexp(x.dtype.type(0), -x))


class Sigmoid(Module):
    """y = sigma(x) = 1 / (1 + exp(-x))."""

    rowwise = True

    def __init__(self):
        self._y = None

    def forward(self, x):
        check_floating(self, x)
        self._y = sigmoid(x)
        return self._y

    def backward(self, grad_output):
        """f'(x) = sigma(x) (1 - sigma(x)) = y (1 - y), from the cached output."""
        check_elementwise_backward(self, self._y, grad_output)
        return grad_output * self._y * (1 - self._y)
