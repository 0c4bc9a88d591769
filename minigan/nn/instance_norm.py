"""Instance normalisation (Ulyanov et al. 2016), batch norm's per-image sibling, with PyTorch's semantics.

Per image n and channel c, over that image's H*W pixels (m = H*W values):

    mu = mean(x[n, c]),  var = mean((x[n, c] - mu)^2)  (biased),
    x_hat = (x - mu) / sqrt(var + eps),   y = x_hat            (affine=False, PyTorch's default)
                                          y = gamma x_hat + beta  (affine=True: gamma, beta (C,))

The statistics are the image's own, in training and in evaluation alike: no running statistics
(PyTorch's default track_running_stats=False), so the layer behaves the same in both modes, and each
image is normalised without looking at the others (``rowwise``). That is what style transfer and
CycleGAN's generators want: one image's contrast is not the batch's business.

The backward pass is batch norm's (docs/06_convolutions.md) with the statistics per (n, c) instead of
per c. The code is kept here, self-contained, rather than shared with batchnorm.py: batch norm's
sums run over (N, H, W) per channel and its module carries running statistics, and sharing would
mean reshaping batch norm around instance norm's axes.
"""
from __future__ import annotations

from .. import backend
from .images import check_images
from .module import Module, Parameter, check_forward_called, check_grad_output
from ..checks import check_number, check_positive_int


class InstanceNorm2d(Module):
    """Instance norm of images: input (N, C, H, W), statistics per image and channel over H and W.

    affine=False (the default): no parameters, y = x_hat. affine=True: weight (gamma) and bias (beta),
    (C,), initialised to 1 and 0. The output keeps the input's memory order (channels-last stays
    channels-last, see conv.py).

    As in PyTorch, H*W must be > 1 (the variance of one value is undefined). Unlike PyTorch, which
    only warns when affine=False, an input with another number of channels than ``num_features`` is
    an error: it is a network wired wrongly.
    """

    rowwise = True      # each image is normalised with its own statistics

    def __init__(self, num_features: int, eps: float = 1e-5, affine: bool = False):
        check_positive_int("num_features", num_features, "InstanceNorm2d")
        check_number("eps", eps, 0, low_open=True, owner="InstanceNorm2d")
        if not isinstance(affine, bool):
            raise ValueError(f"InstanceNorm2d: affine must be True or False; got {affine!r}")
        self.num_features, self.eps, self.affine = num_features, eps, affine
        xp = backend.xp
        self.weight = Parameter(xp.ones(num_features, dtype=backend.dtype)) if affine else None    # gamma
        self.bias = Parameter(xp.zeros(num_features, dtype=backend.dtype)) if affine else None    # beta
        self._cache = None

    def _check_input(self, x):
        shape = check_images(self, x, self.num_features)
        if shape[2] * shape[3] < 2:
            raise ValueError(f"InstanceNorm2d: expected more than 1 spatial value (H*W > 1) per image and "
                             f"channel (the variance of one value is undefined); got input shape {shape}")

    def forward(self, x):
        """x (N, C, H, W) -> y, same shape: each x[n, c] normalised by its own mean and variance."""
        self._check_input(x)
        xp = backend.xp
        m = x.shape[2] * x.shape[3]                                    # values per (n, c)
        mean = x.sum(axis=(2, 3), keepdims=True) / m                   # (N, C, 1, 1)
        centred = x - mean                                             # keeps x's memory order
        var = xp.einsum("nchw,nchw->nc", centred, centred) / m         # (N, C), biased; one pass
        inv_std = 1.0 / xp.sqrt(var + self.eps)                        # (N, C)
        scale = inv_std if not self.affine else inv_std * self.weight.data
        y = centred * scale[:, :, None, None]                          # x_hat, or gamma x_hat
        if self.affine:
            y += self.bias.data[:, None, None]
        self._cache = (centred, inv_std)                               # x_hat = centred * inv_std
        return y

    def backward(self, grad_output):
        """Given g = dL/dy (N, C, H, W), with sums and means over each image's H, W (m = H*W values)
        and x_hat = (x - mu) / sqrt(var + eps):

        dL/dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat mean(g x_hat))   (N, C, H, W),
            the per-(n, c) statistics (N, C) broadcast over H, W; gamma = 1 when affine=False.
            It is batch norm's training-mode formula (mu and var depend on x) with means over H, W
            of one image instead of over N, H, W (docs/06_convolutions.md derives both).
        affine=True: dL/dgamma = sum over n, h, w of g x_hat (C,),  dL/dbeta = sum over n, h, w of g (C,)."""
        check_forward_called(self, self._cache)
        centred, inv_std = self._cache
        check_grad_output(self, grad_output, centred.shape)
        xp = backend.xp
        g = grad_output
        m = centred.shape[2] * centred.shape[3]
        sum_g = g.sum(axis=(2, 3))                                     # (N, C)
        sum_g_xhat = xp.einsum("nchw,nchw->nc", g, centred) * inv_std  # (N, C): sum g x_hat, one pass
        scale = inv_std
        if self.affine:
            if self.weight.requires_grad:
                self.weight.grad += sum_g_xhat.sum(axis=0)
            if self.bias.requires_grad:
                self.bias.grad += sum_g.sum(axis=0)
            scale = inv_std * self.weight.data
        dx = g - (sum_g / m)[:, :, None, None]
        dx -= centred * (inv_std * sum_g_xhat / m)[:, :, None, None]  # x_hat mean(g x_hat)
        dx *= scale[:, :, None, None]                # in place: the last pass writes no new array
        return dx

    def extra_repr(self):
        return f"{self.num_features}, eps={self.eps}, affine={self.affine}"
