"""2-D convolution and transposed convolution as matrix products (im2col + one GEMM).

A convolution is a matrix product in disguise. ``im2col`` copies every kh x kw window of the
zero-padded input into one row of a matrix ``cols``; then, with W the weight as a matrix
(one row per output channel) and G = dL/dy as a matrix (one row per output pixel),

    Conv2d:           y = cols @ W^T                   (N*OH*OW, O)       ``conv2d``
    its dL/dW:        G^T @ cols                       (O, C*kh*kw)
    its dL/dx:        dx = col2im(G @ W)               (col2im is im2col's transpose)  ``conv2d_input_grad``
    ConvTranspose2d:  y = col2im(X @ W)                (the same operation as Conv2d's dL/dx)
    its dL/dx:        dx = im2col(g) @ W^T             (the same operation as Conv2d's forward)

so the two layers are each other's adjoints (docs/06_convolutions.md derives this). ``PlainConv2d`` and
``PlainConvTranspose2d`` compute exactly that, NCHW, with ``im2col`` and ``col2im`` as one strided slice
per kernel offset (i, j). ``Conv2d`` and ``ConvTranspose2d``, the library's layers, subclass them (same
arguments, parameters, layouts, numbers) and run conv_fast.py's kernels instead (docs/appendix_fast_numpy.md).
"""
from __future__ import annotations

import math

from .. import backend
from ..checks import check_int_pair, check_positive_int
from . import conv_fast
from .conv_fast import to_channels_first, to_channels_last
from .images import check_images
from .module import Module, Parameter, PlainParameter, check_forward_called, check_grad_output


# -- the two kernels, plain ----------------------------------------------------------------
def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((size + 2 padding - kernel) / stride) + 1: how many windows fit along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x, kernel, stride, padding):
    """Every window of the zero-padded input, one per row.

    x: (N, C, H, W); kernel, stride, padding: pairs (rows, columns). Returns cols (N*OH*OW, C*kh*kw),
    row (n, p, q) holding the window x_pad[n, :, p*sh : p*sh + kh, q*sw : q*sw + kw] flattened in the
    order (c, i, j), the order of a Conv2d weight's W[o].reshape(-1). Kernel offset (i, j) of every
    window at once is one strided slice: x_pad[:, :, i + p*sh, j + q*sw] for all p, q.
    """
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = x.shape
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    x_pad = xp.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    cols = xp.empty((n, c, kh, kw, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = x_pad[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * kh * kw)   # rows (n, p, q), columns (c, i, j)


def col2im(cols, shape, kernel, stride, padding):
    """The transpose of ``im2col``: add every row of ``cols`` back onto its window.

    cols: (N*OH*OW, C*kh*kw) in im2col's order; shape: (N, C, H, W) of the input. Returns (N, C, H, W):
    each pixel the sum of every window entry that read it (the padding's share is cropped off).
    """
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, c, h, w = shape
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    cols = cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)        # (N, C, kh, kw, OH, OW)
    x_pad = xp.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            x_pad[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw] += cols[:, :, i, j]
    return x_pad[:, :, ph:ph + h, pw:pw + w]


def conv2d(x, weight, stride, padding):
    """im2col(x) W^T: the convolution of x (N, C, H, W) with weight (O, C, kh, kw), no bias.
    Returns y (N, O, OH, OW) and the window matrix ``cols``, which the weight gradient reads."""
    n, _, h, w = x.shape
    o, _, kh, kw = weight.shape
    oh, ow = conv_output_size(h, kh, stride[0], padding[0]), conv_output_size(w, kw, stride[1], padding[1])
    cols = im2col(x, (kh, kw), stride, padding)                         # (N*OH*OW, C*kh*kw)
    y = cols @ weight.reshape(o, -1).T                                  # (N*OH*OW, O): one GEMM
    return y.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), cols


def conv2d_input_grad(g, weight, shape, stride, padding):
    """col2im(G W): dL/dx of a convolution of an input of ``shape`` (N, C, H, W) with weight (O, C, kh, kw),
    given g = dL/dy (N, O, OH, OW): each window's gradient added back onto the pixels it read.
    With x for g, this is ConvTranspose2d's forward."""
    o, _, kh, kw = weight.shape
    g_rows = g.transpose(0, 2, 3, 1).reshape(-1, o)                     # G (N*OH*OW, O)
    return col2im(g_rows @ weight.reshape(o, -1), shape, (kh, kw), stride, padding)


# -- the layers, plain ---------------------------------------------------------------------
class _PlainConvNd(Module):
    """What every convolution layer shares: arguments, init, input checks."""

    rowwise = True
    parameter_type = PlainParameter

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, bias, weight_shape):
        name = type(self).__name__
        self.in_channels = check_positive_int("in_channels", in_channels, owner=name)
        self.out_channels = check_positive_int("out_channels", out_channels, owner=name)
        self.kernel_size = check_int_pair("kernel_size", kernel_size, 1, owner=name)
        self.stride = check_int_pair("stride", stride, 1, owner=name)
        self.padding = check_int_pair("padding", padding, 0, owner=name)
        # PyTorch's kaiming_uniform_(a=sqrt(5)): bound 1/sqrt(fan_in), fan_in = weight.shape[1]*kh*kw
        # (for ConvTranspose2d that is out_channels*kh*kw, as in PyTorch); the bias uses the same bound.
        bound = 1.0 / math.sqrt(weight_shape[1] * self.kernel_size[0] * self.kernel_size[1])
        rng = backend.rng()
        self.weight = self.parameter_type(rng.uniform(-bound, bound, weight_shape))
        self.bias = self.parameter_type(rng.uniform(-bound, bound, (out_channels,))) if bias else None
        self._cache = None

    def _check_input(self, x):
        check_images(self, x, self.in_channels)

    def _add_bias(self, y):
        if self.bias is not None:
            y += self.bias.data.reshape(1, -1, 1, 1)
        return y

    def _accumulate_bias_grad(self, grad_output):
        if self.bias is not None and self.bias.requires_grad:
            self.bias.grad += grad_output.sum(axis=(0, 2, 3))                  # sum over N, OH, OW

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


class PlainConv2d(_PlainConvNd):
    """2-D convolution (PyTorch's cross-correlation):

        y[n, o, p, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x_pad[n, c, p*sh + i, q*sw + j]

    Shapes: x (N, C, H, W), weight (out_channels, in_channels, kh, kw), bias (out_channels,),
    y (N, O, OH, OW) with OH = floor((H + 2 ph - kh) / sh) + 1 (likewise OW). Initialised like
    PyTorch: weight and bias uniform in +-1/sqrt(in_channels*kh*kw).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True):
        kh, kw = check_int_pair("kernel_size", kernel_size, 1, owner=type(self).__name__)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias,
                         (out_channels, in_channels, kh, kw))

    def output_shape(self, input_shape):
        """(N, O, OH, OW) for an input of shape (N, C, H, W); a clear error if the kernel does not fit."""
        n, _, h, w = input_shape
        sizes = []
        for axis, size, k, s, p in zip(("height", "width"), (h, w), self.kernel_size, self.stride, self.padding):
            if size + 2 * p < k:
                raise ValueError(f"{type(self).__name__}: kernel {axis} {k} is larger than the padded input {axis} "
                                 f"{size} + 2*{p} = {size + 2 * p} (input shape {tuple(input_shape)})")
            sizes.append(conv_output_size(size, k, s, p))
        return (n, self.out_channels, *sizes)

    def forward(self, x):
        """x (N, C, H, W) -> y (N, O, OH, OW) = im2col(x) W^T + b."""
        self._check_input(x)
        self.output_shape(x.shape)                                          # (a clear error if it does not fit)
        y, cols = conv2d(x, self.weight.data, self.stride, self.padding)
        self._cache = (x.shape, cols)                                       # backward needs the windows for dL/dW
        return self._add_bias(y)

    def backward(self, grad_output):
        """Given g = dL/dy (N, O, OH, OW), read as the matrix G (N*OH*OW, O):

        dL/dW = G^T cols (O, C*kh*kw, reshaped to W's layout), dL/db = sum_rows G (O,),
        dL/dx = col2im(G W) (N, C, H, W): each window's gradient added back onto the pixels it read."""
        check_forward_called(self, self._cache)
        x_shape, cols = self._cache
        check_grad_output(self, grad_output, self.output_shape(x_shape))
        if self.weight.requires_grad:
            g_rows = grad_output.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)    # G (N*OH*OW, O)
            self.weight.grad += (g_rows.T @ cols).reshape(self.weight.shape)
        self._accumulate_bias_grad(grad_output)
        return conv2d_input_grad(grad_output, self.weight.data, x_shape, self.stride, self.padding)


class PlainConvTranspose2d(_PlainConvNd):
    """2-D transposed convolution: the input gradient of a Conv2d, used as a layer.

    Every input pixel x[n, c, h, w] adds x * W[c, :, :, :] (a kh x kw stamp per output
    channel) at rows h*sh - ph + i and columns w*sw - pw + j of the output:

        y[n, o, h*sh - ph + i, w*sw - pw + j] += sum_c x[n, c, h, w] W[c, o, i, j],  then + b[o]

    Shapes: x (N, C_in, H, W), weight (in_channels, out_channels, kh, kw), bias (out_channels,),
    y (N, O, OH, OW) with OH = (H - 1) sh - 2 ph + kh + output_padding_h (likewise OW).
    ``output_padding`` (< stride) picks among the output sizes a stride-s Conv2d maps to the
    same H; the extra rows/columns are at the bottom/right, as in PyTorch.
    Initialised like PyTorch: uniform in +-1/sqrt(out_channels*kh*kw).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0,
                 output_padding=0, bias: bool = True):
        name = type(self).__name__
        kh, kw = check_int_pair("kernel_size", kernel_size, 1, owner=name)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias,
                         (in_channels, out_channels, kh, kw))
        self.output_padding = check_int_pair("output_padding", output_padding, 0, owner=name)
        if any(op >= s for op, s in zip(self.output_padding, self.stride)):
            raise ValueError(f"{name}: output_padding must be smaller than stride; "
                             f"got output_padding {self.output_padding}, stride {self.stride}")

    def output_shape(self, input_shape):
        """(N, O, OH, OW) for an input (N, C_in, H, W): OH = (H - 1) sh - 2 ph + kh + output_padding_h."""
        n, _, h, w = input_shape
        sizes = []
        for axis, size, k, s, p, op in zip(("height", "width"), (h, w), self.kernel_size, self.stride,
                                           self.padding, self.output_padding):
            out = (size - 1) * s - 2 * p + k + op
            if out < 1:
                raise ValueError(f"{type(self).__name__}: output {axis} (input {size} - 1)*{s} - 2*{p} + {k} + {op} "
                                 f"= {out} is not positive (input shape {tuple(input_shape)})")
            sizes.append(out)
        return (n, self.out_channels, *sizes)

    def forward(self, x):
        """x (N, C_in, H, W) -> y (N, O, OH, OW) = col2im(X W) + b: Conv2d's input gradient."""
        self._check_input(x)
        y = conv2d_input_grad(x, self.weight.data, self.output_shape(x.shape), self.stride, self.padding)
        self._cache = x                                                     # backward needs x for dL/dW
        return self._add_bias(y)

    def backward(self, grad_output):
        """Given g = dL/dy (N, O, OH, OW), with G = im2col(g) (N*H*W, O*kh*kw), the windows a Conv2d of the
        same kernel, stride and padding would read (one per input pixel):

        dL/dx = G W^T (N, C_in, H, W): a convolution, Conv2d's forward;
        dL/dW = X^T G (C_in, O*kh*kw, reshaped to W's layout), dL/db = sum over N, OH, OW of g."""
        check_forward_called(self, self._cache)
        x = self._cache
        check_grad_output(self, grad_output, self.output_shape(x.shape))
        dx, cols = conv2d(grad_output, self.weight.data, self.stride, self.padding)
        if self.weight.requires_grad:
            x_rows = x.transpose(0, 2, 3, 1).reshape(-1, self.in_channels)              # X (N*H*W, C_in)
            self.weight.grad += (x_rows.T @ cols).reshape(self.weight.shape)
        self._accumulate_bias_grad(grad_output)
        return dx

    def extra_repr(self):
        return super().extra_repr() + f", output_padding={self.output_padding}"


# -- the fast path: the same layers by conv_fast.py's kernels (docs/appendix_fast_numpy.md) ----------


class Conv2d(PlainConv2d):
    """``PlainConv2d`` in channels-last memory, through the batch in cache-sized blocks (conv_fast.py), and
    able to skip dL/dx (``input_grad``): DCGAN's D layers, batch 64, 1.5-1.8x the plain layer's speed
    (docs/appendix_fast_numpy.md). Outputs are NCHW views of channels-last memory."""

    skips_input_grad = True
    parameter_type = Parameter

    def forward(self, x):
        self._check_input(x)
        y, self._cache = conv_fast.conv2d(x, self.weight.data, self.stride, self.padding, self.output_shape(x.shape))
        return self._add_bias(to_channels_first(y))

    def backward(self, grad_output, input_grad=True):
        """The plain backward, block by block. input_grad (see ``nn.module.backward_to``): False skips
        dL/dx, the larger half of the work (the input is data, as for a discriminator's first layer),
        and returns None; a slice returns dL/dx[:, slice] (the channels asked for)."""
        check_forward_called(self, self._cache)
        check_grad_output(self, grad_output, self._cache[-1])
        dw, dx = conv_fast.conv2d_backward(to_channels_last(grad_output), self.weight.data, self._cache, self.stride,
                                           self.padding, self.weight.requires_grad, input_grad is not False)
        if dw is not None:
            self.weight.grad += dw
        self._accumulate_bias_grad(grad_output)
        if input_grad is False:
            return None
        return to_channels_first(dx) if input_grad is True else to_channels_first(dx)[:, input_grad]


class ConvTranspose2d(PlainConvTranspose2d):
    """``PlainConvTranspose2d`` in channels-last memory, through the batch in cache-sized blocks, by sub-pixel
    phases where the stride divides the kernel (conv_fast.py): DCGAN's G layer 128 -> 64, batch 64, 1.9x the
    plain layer's speed (docs/appendix_fast_numpy.md). Outputs are NCHW views of channels-last memory."""

    parameter_type = Parameter

    def forward(self, x):
        self._check_input(x)
        y, self._cache = conv_fast.conv_transpose2d(x, self.weight.data, self.stride, self.padding,
                                                    self.output_shape(x.shape))
        return self._add_bias(to_channels_first(y))

    def backward(self, grad_output):
        check_forward_called(self, self._cache)
        check_grad_output(self, grad_output, self._cache[-1])
        dw, dx = conv_fast.conv_transpose2d_backward(to_channels_last(grad_output), self.weight.data, self._cache,
                                                     self.stride, self.padding, self.weight.requires_grad)
        if dw is not None:
            self.weight.grad += dw
        self._accumulate_bias_grad(grad_output)
        return to_channels_first(dx)
