"""Gradient checking: compare a hand-written backward with finite differences.

For a scalar function L(θ), the central difference

    dL/dθ_i ≈ (L(θ + h e_i) - L(θ - h e_i)) / (2h)

has error O(h^2). In float64 with h = 1e-6 it agrees with a correct analytic
gradient to about 1e-8 or better, so a relative error above 1e-6 means a bug.

To check a module whose output y is not a scalar, we use L = sum(y * R) for a
fixed random R: then dL/dy = R, and checking dL/dx for a random R checks the
whole Jacobian product of backward. Use these on your own layers:

    >>> from minigan import gradcheck, nn
    >>> errors = gradcheck.check_module(nn.Tanh(), x)       # x float64
    >>> errors.max_error < 1e-6
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy

from . import backend


def relative_error(analytic, numeric, tiny: float = 1e-12) -> float:
    """max|a - n| / max(max|a|, max|n|, tiny): a scale-free error for whole arrays."""
    a, n = backend.to_numpy(analytic), backend.to_numpy(numeric)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: shapes differ, analytic {a.shape} vs numeric {n.shape}")
    if a.size == 0:
        return 0.0
    scale = max(float(numpy.abs(a).max()), float(numpy.abs(n).max()), tiny)
    return float(numpy.abs(a - n).max()) / scale


def numerical_gradient(f, x, h: float = 1e-6):
    """Central differences of the scalar function ``f()`` with respect to array ``x``
    (perturbed in place and restored). Returns an array shaped like x."""
    if x.dtype != numpy.float64:
        raise TypeError(f"numerical_gradient needs float64 arrays for accuracy; got {x.dtype}")
    grad = backend.xp.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = float(flat[i])
        flat[i] = old + h
        plus = float(f())
        flat[i] = old - h
        minus = float(f())
        flat[i] = old
        gflat[i] = (plus - minus) / (2 * h)
    return grad


@dataclass
class GradcheckResult:
    """Relative error of each gradient checked, by name ('input', 'weight', ...)."""

    errors: dict = field(default_factory=dict)

    @property
    def max_error(self) -> float:
        return max(self.errors.values(), default=0.0)

    def __repr__(self):
        items = ", ".join(f"{k}={v:.2e}" for k, v in self.errors.items())
        return f"GradcheckResult(max_error={self.max_error:.2e}; {items})"


def check_module(module, x, *extra, h: float = 1e-6, seed: int = 0) -> GradcheckResult:
    """Check ``module.backward`` against finite differences at input ``x``.

    ``x`` and every parameter must be float64 (``module.to("float64")``).
    ``extra`` are further, non-differentiated forward arguments (e.g. labels).
    Randomness inside forward (Dropout) is made repeatable by reseeding the
    backend before each forward. Returns the error of dL/dx (when backward
    returns one) and of each parameter's gradient.
    """
    for name, p in module.named_parameters():
        if p.data.dtype != numpy.float64:
            raise TypeError(f"check_module: parameter {name!r} is {p.data.dtype}; call module.to('float64') first")

    def forward():
        backend.seed(seed)
        return module.forward(x, *extra)

    y = forward()
    R = backend.Random(seed + 1).normal(y.shape, dtype=numpy.float64)

    def loss():
        return (forward() * R).sum()

    module.zero_grad()
    forward()
    grad_x = module.backward(R)
    result = GradcheckResult()
    if grad_x is not None:
        result.errors["input"] = relative_error(grad_x, numerical_gradient(loss, x, h))
    for name, p in module.named_parameters():
        analytic = p.grad.copy()
        result.errors[name] = relative_error(analytic, numerical_gradient(loss, p.data, h))
    return result


def check_loss(loss_fn, input, target, h: float = 1e-6) -> GradcheckResult:
    """Check ``loss_fn.backward()`` (dL/d input) against finite differences."""
    loss_fn.forward(input, target)
    analytic = loss_fn.backward()
    numeric = numerical_gradient(lambda: loss_fn.forward(input, target), input, h)
    return GradcheckResult({"input": relative_error(analytic, numeric)})
