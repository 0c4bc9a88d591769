"""Inverted dropout."""
from __future__ import annotations

from .. import backend
from .activations import check_floating
from .module import Module, check_forward_called, check_grad_output
from ..checks import check_number


class Dropout(Module):
    """Training: y = x * mask, mask = keep / (1 - p), keep ~ Bernoulli(1 - p).
    Evaluation: y = x. Scaling at training time keeps E[y] = x, so nothing
    changes at test time (PyTorch's "inverted" dropout)."""

    rowwise = True

    def __init__(self, p: float = 0.5):
        check_number("p", p, 0, 1, owner="Dropout")          # a probability
        self.p = p
        self._mask = None
        self._shape = None

    def forward(self, x):
        check_floating(self, x)
        self._shape = x.shape
        if not self.training or self.p == 0:
            self._mask = 1
            return x
        scale = 0.0 if self.p == 1 else 1.0 / (1.0 - self.p)
        keep = backend.rng().bernoulli(1.0 - self.p, x.shape)
        self._mask = keep * x.dtype.type(scale)
        return x * self._mask

    def backward(self, grad_output):
        """dL/dx = dL/dy * mask (the same mask forward used), shape (N, ...)."""
        check_forward_called(self, self._mask)
        if getattr(grad_output, "shape", None) != self._shape:
            check_grad_output(self, grad_output, self._shape)
        return grad_output * self._mask

    def extra_repr(self):
        return f"p={self.p}"
