"""Batch normalisation (Ioffe & Szegedy 2015) with PyTorch's running statistics.

Per channel (or feature) c, over the axes it is normalised on (N for (N, F); N, H, W for (N, C, H, W)):

    x_hat = (x - mu) / sqrt(var + eps),   y = gamma * x_hat + beta

Training mode: mu and var are the batch's mean and *biased* variance, and the running
estimates move toward the batch's statistics (the *unbiased* variance, as in PyTorch):

    running_mean = (1 - momentum) running_mean + momentum mu
    running_var  = (1 - momentum) running_var  + momentum var * m / (m - 1)     (m values per channel)

Eval mode: mu, var are the running estimates (constants). The running estimates are
buffers (``Module.buffer_names``): saved in ``state_dict`` but not trained.
docs/06_convolutions.md derives the backward pass. ``PlainBatchNorm1d``/``PlainBatchNorm2d`` compute it
as written there; ``BatchNorm1d``/``BatchNorm2d`` compute the same in fewer passes over memory.
"""
from __future__ import annotations

from .. import backend
from ..checks import check_positive_int
from .module import Module, Parameter, PlainParameter, check_forward_called, check_grad_output


class _PlainBatchNorm(Module):
    """What every batch norm shares; subclasses set the input rank and its layout."""

    buffer_names = ("running_mean", "running_var")
    ndim: int = 2                       # rank of the input
    layout: str = "(N, F)"
    parameter_type = PlainParameter

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1):
        name = type(self).__name__
        check_positive_int("num_features", num_features, owner=name)
        if not eps > 0:
            raise ValueError(f"{name}: eps must be > 0; got {eps!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1]; got {momentum!r}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        xp = backend.xp
        self.weight = self.parameter_type(xp.ones(num_features, dtype=backend.dtype))    # gamma
        self.bias = self.parameter_type(xp.zeros(num_features, dtype=backend.dtype))     # beta
        self.running_mean = xp.zeros(num_features, dtype=backend.dtype)
        self.running_var = xp.ones(num_features, dtype=backend.dtype)
        self._cache = None

    @property
    def _axes(self):
        """The axes each channel's statistics run over: all but axis 1."""
        return (0,) + tuple(range(2, self.ndim))

    def _per_channel(self, v):
        """A (C,) vector shaped to broadcast against the input: (1, C) or (1, C, 1, 1)."""
        return v.reshape((1, -1) + (1,) * (self.ndim - 2))

    def _check_input(self, x):
        name = type(self).__name__
        shape = tuple(getattr(x, "shape", ()))
        if not hasattr(x, "dtype") or len(shape) != self.ndim:
            got = shape if hasattr(x, "shape") else type(x).__name__
            raise ValueError(f"{name}: input must be a {self.ndim}-D array {self.layout}; got shape {got}")
        if shape[1] != self.num_features:
            raise ValueError(f"{name}: input must have {self.num_features} channels (axis 1); got shape {shape}")
        if x.dtype.kind != "f":
            raise TypeError(f"{name}: input must be a floating array; got dtype {x.dtype}")
        if self.training and x.size // self.num_features < 2:
            raise ValueError(f"{name}: expected more than 1 value per channel when training "
                             f"(the variance of one value is undefined); got input shape {shape}")

    def forward(self, x):
        """x -> y = gamma x_hat + beta, same shape (statistics per channel, over ``_axes``)."""
        self._check_input(x)
        if self.training:
            mean, var = x.mean(axis=self._axes), x.var(axis=self._axes)    # (C,), the variance biased
            self._update_running_stats(mean, var, x.size // self.num_features)
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / backend.xp.sqrt(var + self.eps)                      # (C,)
        x_hat = (x - self._per_channel(mean)) * self._per_channel(inv_std)
        self._cache = (x_hat, inv_std, self.training)
        return self._per_channel(self.weight.data) * x_hat + self._per_channel(self.bias.data)

    def _update_running_stats(self, mean, var, m: int) -> None:
        """running = (1 - momentum) running + momentum * batch statistic, in place (the unbiased var)."""
        keep, new = 1.0 - self.momentum, self.momentum
        self.running_mean *= keep
        self.running_mean += new * mean
        self.running_var *= keep
        self.running_var += (new * m / (m - 1)) * var

    def backward(self, grad_output):
        """Given g = dL/dy (same shape as x), with means over ``_axes``:

        dL/dgamma = sum g x_hat (C,),  dL/dbeta = sum g (C,),
        training: dL/dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat mean(g x_hat))
                  (mu and var depend on x; docs/06_convolutions.md derives it);
        eval:     dL/dx = gamma / sqrt(var + eps) * g  (the running statistics are constants)."""
        check_forward_called(self, self._cache)
        x_hat, inv_std, training = self._cache
        check_grad_output(self, grad_output, x_hat.shape)
        g, axes = grad_output, self._axes
        if self.weight.requires_grad:
            self.weight.grad += (g * x_hat).sum(axis=axes)
        if self.bias.requires_grad:
            self.bias.grad += g.sum(axis=axes)
        scale = self._per_channel(self.weight.data * inv_std)                # gamma / sqrt(var + eps)
        if not training:
            return scale * g
        mean_g = g.mean(axis=axes, keepdims=True)
        mean_g_xhat = (g * x_hat).mean(axis=axes, keepdims=True)
        return scale * (g - mean_g - x_hat * mean_g_xhat)

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class PlainBatchNorm1d(_PlainBatchNorm):
    """Batch norm of features: input (N, F), statistics per feature over the batch.
    weight (gamma) and bias (beta) are (F,), initialised to 1 and 0; running_mean, running_var (F,)."""

    ndim, layout = 2, "(N, F)"


class PlainBatchNorm2d(_PlainBatchNorm):
    """Batch norm of images: input (N, C, H, W), statistics per channel over N, H and W.
    weight (gamma) and bias (beta) are (C,), initialised to 1 and 0; running_mean, running_var (C,)."""

    ndim, layout = 4, "(N, C, H, W)"


# -- the fast path: the same numbers in fewer passes over memory (docs/appendix_fast_numpy.md) --------------
class _BatchNorm(_PlainBatchNorm):
    """The plain batch norm in fewer passes over memory: x - mu computed once, x_hat folded into the scale
    (never stored), the per-channel sums by a matrix-vector product or ``einsum`` (below). At DCGAN's
    shapes, batch 64: 1.6-2.0x the plain layer's speed (docs/appendix_fast_numpy.md)."""

    parameter_type = Parameter
    # einsum subscripts of sum_{axes} a * b per channel: one pass, where (a * b).sum(axes) makes
    # and rereads a whole temporary array (2.7x slower on DCGAN's (256, 64, 14, 14), measured)
    sum_of_products: str = "nf,nf->f"

    def _channel_sums(self, x):
        """sum of x over ``_axes`` per channel (C,). Where x's memory is an (M, C) matrix (BatchNorm1d's
        input, or channels-last images: a convolution's output), one matrix-vector product with ones,
        3x faster than x.sum(axes) (measured on DCGAN's (64, 64, 14, 14))."""
        rows = x.transpose(0, *range(2, self.ndim), 1)                # channels last: a view
        if not rows.flags.c_contiguous:
            return x.sum(axis=self._axes)
        rows = rows.reshape(-1, self.num_features)                     # (M, C), still a view
        return backend.xp.ones(rows.shape[0], dtype=x.dtype) @ rows

    def forward(self, x):
        self._check_input(x)
        m = x.size // self.num_features                               # values per channel
        mean = self._channel_sums(x) / m if self.training else self.running_mean   # (C,)
        centred = x - self._per_channel(mean)        # x - mu, computed once (x.var would compute it again)
        if self.training:
            var = backend.xp.einsum(self.sum_of_products, centred, centred) / m     # (C,), biased
            self._update_running_stats(mean, var, m)
        else:
            var = self.running_var
        inv_std = 1.0 / backend.xp.sqrt(var + self.eps)                # (C,)
        # y = gamma x_hat + beta with x_hat = centred * inv_std folded into the scale: x_hat is never stored
        y = centred * self._per_channel(self.weight.data * inv_std)
        y += self._per_channel(self.bias.data)
        self._cache = (centred, inv_std, self.training)               # backward needs only these
        return y

    def backward(self, grad_output):
        """The plain backward, with x_hat = centred * inv_std read from forward's cache."""
        check_forward_called(self, self._cache)
        centred, inv_std, training = self._cache
        check_grad_output(self, grad_output, centred.shape)
        g = grad_output
        sum_g = self._channel_sums(g)                                  # (C,)
        sum_g_xhat = backend.xp.einsum(self.sum_of_products, g, centred) * inv_std  # (C,): sum g x_hat, one pass
        if self.weight.requires_grad:
            self.weight.grad += sum_g_xhat
        if self.bias.requires_grad:
            self.bias.grad += sum_g
        scale = self._per_channel(self.weight.data * inv_std)          # gamma / sqrt(var + eps)
        if not training:
            return g * scale
        m = centred.size // self.num_features
        dx = g - self._per_channel(sum_g / m)
        dx -= centred * self._per_channel(inv_std * sum_g_xhat / m)    # x_hat mean(g x_hat)
        dx *= scale                                  # in place: the last pass writes no new array
        return dx


class BatchNorm1d(_BatchNorm, PlainBatchNorm1d):
    """``PlainBatchNorm1d``'s numbers in fewer passes (``_BatchNorm``)."""


class BatchNorm2d(_BatchNorm, PlainBatchNorm2d):
    """``PlainBatchNorm2d``'s numbers in fewer passes (``_BatchNorm``). The output keeps the input's
    memory order (channels-last stays channels-last, see conv.py)."""

    sum_of_products = "nchw,nchw->c"
