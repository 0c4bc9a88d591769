"""What the exercises share to call minigan: a layer holding given arrays, its backward pass, the
centred finite differences of its forward, and random inputs that stay clear of kinks."""
from __future__ import annotations

import numpy

from ..gradcheck import numerical_gradient


def layer(module, **parameters):
    """``module`` (built under float64) with its parameters set to the given arrays (name -> array)."""
    for name, value in parameters.items():
        getattr(module, name).data[...] = value
    return module


def backward(module, x, grad_output, parameters=("weight", "bias"), input_grad=True):
    """Run ``module`` forward on x, then backward with grad_output: (dL/dx, dL/d parameter, ...),
    dL/dx left out when ``input_grad`` is False (x is not differentiable: labels)."""
    module.zero_grad()
    module.forward(x)
    grad_x = module.backward(grad_output)
    grads = tuple(getattr(module, p).grad.copy() for p in parameters)
    return ((grad_x,) if input_grad else ()) + grads


def differences(module, x, grad_output, names, parameters=("weight", "bias"), input_grad=True) -> dict:
    """{name: centred finite differences} of L = sum(module(x) * grad_output) with respect to x (when
    ``input_grad``) and each parameter, in the order of ``names``."""
    def loss():
        return float((module.forward(x) * grad_output).sum())

    arrays = ([x] if input_grad else []) + [getattr(module, p).data for p in parameters]
    return {name: numerical_gradient(loss, a) for name, a in zip(names, arrays)}


def function_differences(f, names, **arrays) -> dict:
    """{name: centred finite differences} of the scalar f(**arrays) with respect to each named array."""
    def loss():
        return float(f(**arrays))

    return {name: numerical_gradient(loss, arrays[arg]) for name, arg in names.items()}


def away_from_zero(rng, shape, margin: float = 0.1):
    """Normal numbers pushed at least ``margin`` away from 0 (finite differences never cross a kink there)."""
    x = rng.standard_normal(shape)
    return x + numpy.where(x >= 0, margin, -margin)


def normalisation_backward(x, gamma, grad_output, eps, axes=None, parameter_axes=None, ddof=0,
                           constant_statistics=False):
    """Batch or instance norm's training-mode backward as a learner writes it, with switches for the classic
    mistakes: statistics over ``axes`` (with ``ddof``), gamma's and beta's gradients summed over
    ``parameter_axes`` (both default to batch norm's: every axis but the channels'), and
    ``constant_statistics`` (the mean and variance treated as constants, the evaluation-mode formula).
    gamma has one entry per channel (axis 1). Returns (dx, dgamma, dbeta)."""
    batch_norm_axes = (0,) + tuple(range(2, x.ndim))
    axes, parameter_axes = axes or batch_norm_axes, parameter_axes or batch_norm_axes
    m = numpy.prod([x.shape[a] for a in axes])
    shape = [1] * x.ndim
    shape[1] = x.shape[1]
    centred = x - x.mean(axis=axes, keepdims=True)
    inv_std = 1 / numpy.sqrt((centred ** 2).sum(axis=axes, keepdims=True) / (m - ddof) + eps)
    x_hat = centred * inv_std
    g = grad_output
    scale = gamma.reshape(shape) * inv_std
    if constant_statistics:
        dx = scale * g
    else:
        dx = scale * (g - g.mean(axis=axes, keepdims=True) - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))
    return dx, (g * x_hat).sum(axis=parameter_axes), g.sum(axis=parameter_axes)


def with_output(solution, index, change):
    """A mistake: ``solution``'s outputs, with output ``index`` replaced by ``change(that output, **arguments)``."""
    def mistake(**arguments):
        outputs = list(solution(**arguments))
        outputs[index] = change(outputs[index], **arguments)
        return tuple(outputs)
    return mistake
