"""2-D convolution and transposed convolution as matrix products (im2col + one GEMM).

A convolution is a matrix product in disguise. ``im2col`` copies every k_h x k_w
window of the (padded) input into one row of a matrix ``cols``; then

    Conv2d:           y = cols @ W^T                   (N*OH*OW, O)
    its dL/dx:        dx = col2im(g @ W)               (col2im is im2col's transpose)
    ConvTranspose2d:  y = col2im(x @ W)                (the same operation as Conv2d's dL/dx)
    its dL/dx:        dx = im2col(g) @ W^T             (the same operation as Conv2d's forward)

so the two layers are each other's adjoints and share ``im2col`` and ``col2im``
(docs/convolutions.md derives this). ``convolution`` is the one place that computes im2col(X) W^T,
``transposed_convolution`` the one place that computes col2im(X W); where the stride divides the
kernel the latter can skip col2im (sub-pixel phases).
On NumPy the layers work through the batch in blocks (``batch_blocks``), so that each block's
window matrix is still in the CPU's cache when its GEMM reads it.

Layout, the choice that makes this fast on NumPy: arrays are NCHW for the user, as in
PyTorch, but these layers compute in *channels-last* memory (N, H, W, C):
 - the GEMM operands are then plain 2-D matrices, (N*H*W, C), with no copy;
 - im2col's copy moves runs of k_w * C contiguous numbers, and col2im adds runs of C
   (the channels-first order is 5-8x slower for im2col at DCGAN's shapes, measured);
 - outputs are returned as an NCHW *view* of channels-last memory (as PyTorch's
   ``channels_last`` format does): no transpose is ever copied between two conv layers,
   and elementwise layers and batch norm keep that memory order.
The columns of ``cols`` are ordered (i, j, c) to match: weights are permuted to that
order once per call, a copy of the (small) weight instead of the (large) activations.
"""
from __future__ import annotations

import math

from .. import backend
from .module import Module, Parameter, check_forward_called, check_grad_output


# -- the two kernels ---------------------------------------------------------------------
def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """floor((size + 2 padding - kernel) / stride) + 1: how many windows fit along one axis."""
    return (size + 2 * padding - kernel) // stride + 1


def im2col(x, kernel, stride, padding):
    """Every window of the padded channels-last input, one per row.

    x: (N, H, W, C) (any strides); kernel, stride, padding: pairs (rows, columns).
    Returns cols (N*OH*OW, kh*kw*C), row (n, oh, ow) holding the window
    x_pad[n, oh*sh : oh*sh + kh, ow*sw : ow*sw + kw, :] in the order (i, j, c).

    The windows are a strided *view* (as_strided: no data moves); the one reshape at the
    end is the only copy, written in the GEMM's order.
    """
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, h, w, c = x.shape
    if ph or pw:
        padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
        padded[:, ph:ph + h, pw:pw + w, :] = x
        x = padded
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    s_n, s_h, s_w, s_c = x.strides
    windows = xp.lib.stride_tricks.as_strided(
        x, shape=(n, oh, ow, kh, kw, c), strides=(s_n, sh * s_h, sw * s_w, s_h, s_w, s_c))
    return windows.reshape(n * oh * ow, kh * kw * c)


def col2im(cols, shape, kernel, stride, padding):
    """The transpose of ``im2col``: add every row of ``cols`` back onto its window.

    cols: (N*OH*OW, kh*kw*C); shape: (N, H, W, C) of the unpadded channels-last array.
    Returns (N, H, W, C): each element is the sum of every window entry that read it
    (the padding's share is cropped off).

    Where the stride divides the kernel (DCGAN's 4/2), ``col2im_by_phase`` computes the same
    sums in denser additions (12 ms instead of 18 on DCGAN's (256*49, 1024) columns, measured);
    otherwise ``col2im_by_offset`` does.
    """
    (kh, kw), (sh, sw) = kernel, stride
    if kh % sh == 0 and kw % sw == 0:
        return col2im_by_phase(cols, shape, kernel, stride, padding)
    return col2im_by_offset(cols, shape, kernel, stride, padding)


def col2im_by_offset(cols, shape, kernel, stride, padding):
    """``col2im`` for any kernel and stride (same arguments and result).

    One strided-slice addition per kernel offset (i, j): kh*kw vectorised adds, each over
    all N*OH*OW windows at once; windows that overlap never collide within one add, so no
    scatter (``add.at``) is needed.
    """
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, h, w, c = shape
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    cols = cols.reshape(n, oh, ow, kh, kw, c)
    out = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw, :] += cols[:, :, :, i, j, :]
    return out[:, ph:ph + h, pw:pw + w, :]


def col2im_by_phase(cols, shape, kernel, stride, padding):
    """``col2im`` where the stride divides the kernel: kh % sh == kw % sw == 0 (same arguments).

    The padded output pixel (sh*q + ry, sw*r + rx) has *phase* (ry, rx) and receives the
    kernel offsets (i, j) = (ry + sh*ty, rx + sw*tx), ty < kh/sh, tx < kw/sw, from the window
    (q - ty, r - tx). So each phase is a dense (N, Q, R, C) array, the sum of (kh/sh)(kw/sw)
    shifted blocks of ``cols``; it is written into its pixels once, by one strided assignment.
    """
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, h, w, c = shape
    oh, ow = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    q, r = -(-(h + 2 * ph) // sh), -(-(w + 2 * pw) // sw)     # phase sizes: ceil(padded size / stride)
    cols = cols.reshape(n, oh, ow, kh, kw, c)
    out = xp.empty((n, q * sh, r * sw, c), dtype=cols.dtype)
    phase = xp.empty((n, q, r, c), dtype=cols.dtype)
    for ry in range(sh):
        for rx in range(sw):
            # the offset (ty, tx) = (0, 0) covers phase[:, :oh, :ow] and is assigned, not added to zeros
            phase[:, oh:] = 0
            phase[:, :oh, ow:] = 0
            phase[:, :oh, :ow] = cols[:, :, :, ry, rx, :]
            for ty in range(kh // sh):
                for tx in range(kw // sw):
                    if ty or tx:
                        phase[:, ty:ty + oh, tx:tx + ow] += cols[:, :, :, ry + sh * ty, rx + sw * tx, :]
            out[:, ry::sh, rx::sw] = phase
    return out[:, ph:ph + h, pw:pw + w, :]


def convolution(x, weight_matrix_t, kernel, stride, padding, out):
    """im2col(x) @ weight_matrix_t into ``out``: a convolution of the channels-last x (N, H, W, C_in).

    weight_matrix_t: (kh*kw*C_in, C_out), rows in im2col's (i, j, c) order; out: (N, OH, OW, C_out),
    C-contiguous (a block of a larger output is). This is Conv2d's forward and ConvTranspose2d's input
    gradient, the adjoint of ``transposed_convolution``. Returns the window matrix, which the weight
    gradient reads."""
    cols = im2col(x, kernel, stride, padding)                                 # (N*OH*OW, kh*kw*C_in)
    backend.xp.matmul(cols, weight_matrix_t, out=out.reshape(-1, out.shape[-1]))   # one GEMM
    return cols


def transposed_convolution(x, weight_matrix, shape, kernel, stride, padding, out=None):
    """col2im(X @ weight_matrix): a transposed convolution of the channels-last x (N, H, W, C_in).

    weight_matrix: (C_in, kh*kw*C_out), columns in (i, j, o) order; shape: (N, OH, OW, C_out) of the
    output, written into ``out`` (that shape, any strides) when given; returns the output. This is
    ConvTranspose2d's forward and Conv2d's input gradient. Where the stride (>= 2)
    divides the kernel and the output has at least as many numbers per input pixel as the input
    (sh*sw*C_out >= C_in, DCGAN's 128 -> 64 layers), ``transposed_convolution_by_subpixel`` computes
    the same in fewer passes over memory (DCGAN's step at batch 256: 18 % faster, measured); elsewhere
    (DCGAN's 64 -> 1 layer, where it was 3-5x slower) one GEMM and ``col2im``.
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, oh, ow, c_out = shape
    h, w, c_in = x.shape[1:]
    full = ((h - 1) * sh + kh, (w - 1) * sw + kw)           # the output before padding is cropped
    if (sh > 1 and sw > 1 and kh % sh == 0 and kw % sw == 0 and sh * sw * c_out >= c_in
            and ph + oh <= full[0] and pw + ow <= full[1]):     # (no output_padding beyond the stamps)
        return transposed_convolution_by_subpixel(x, weight_matrix, shape, kernel, stride, padding, out)
    y = col2im(x.reshape(-1, c_in) @ weight_matrix, shape, kernel, stride, padding)
    if out is None:
        return y
    out[...] = y
    return out


def transposed_convolution_by_subpixel(x, weight_matrix, shape, kernel, stride, padding, out=None):
    """``transposed_convolution`` where the stride divides the kernel, k = s t (same arguments).

    The uncropped output pixel s*q + r (phase r < s) receives the kernel offsets r + s*tau (tau < t)
    from the input pixels q - tau: each phase is a stride-1 convolution of x with a t x t sub-kernel.
    So one im2col of x with t x t windows (padded by t - 1), one GEMM against all s*s sub-kernels
    side by side, and one copy per phase into its pixels of the cropped output ("depth to space")
    make the output: no col2im, whose additions read kh*kw*C_out numbers per input pixel (the
    im2col here copies t*t*C_in).
    """
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, oh, ow, c_out = shape
    h, w, c_in = x.shape[1:]
    th, tw = kh // sh, kw // sw
    # rows (window tap jy, jx, c): the taps run backwards, tau = t - 1 - j; columns (phase ry, rx, o)
    sub = weight_matrix.reshape(c_in, th, sh, tw, sw, c_out)[:, ::-1, :, ::-1]
    sub = sub.transpose(1, 3, 0, 2, 4, 5).reshape(th * tw * c_in, sh * sw * c_out)
    cols = im2col(x, (th, tw), (1, 1), (th - 1, tw - 1))      # (N*Qh*Qw, th*tw*C_in)
    qh, qw = h + th - 1, w + tw - 1
    phases = (cols @ sub).reshape(n, qh, qw, sh, sw, c_out)   # one GEMM: every phase of every pixel
    if out is None:
        out = backend.xp.empty(shape, dtype=phases.dtype)
    for ry in range(sh):                                      # depth to space, cropped as it goes
        rows, q_rows = _phase_pixels(ry, sh, ph, oh)
        for rx in range(sw):
            cols_out, q_cols = _phase_pixels(rx, sw, pw, ow)
            out[:, rows, cols_out] = phases[:, q_rows, q_cols, ry, rx]
    return out


def _phase_pixels(r, s, p, size):
    """Along one axis, the output pixels s*q + r - p of phase r inside [0, size), as a slice of the
    output and the slice of q's that make them."""
    q0 = -((r - p) // s)                          # the first q with s*q + r - p >= 0
    first = s * q0 + r - p
    count = len(range(first, size, s))
    return slice(first, size, s), slice(q0, q0 + count)


def weight_gradient_matrix(a, b):
    """a^T b (a: (M, P), b: (M, Q)) -> (P, Q): the weight gradient's product, summed over the M rows.

    Computed as (b^T a)^T when P < Q, so that OpenBLAS always writes a tall output: on 2
    threads it splits a short, wide output (such as the (16, 64) of DCGAN's first layer) so
    badly that it ran 15-50x slower on a busy machine (measured; the same numbers either way).
    """
    return a.T @ b if a.shape[1] >= b.shape[1] else (b.T @ a).T


def to_channels_last(x):
    """NCHW -> NHWC as a view (a transpose of the strides; no copy)."""
    return x.transpose(0, 2, 3, 1)


def to_channels_first(x):
    """NHWC -> NCHW as a view: what the user sees, over channels-last memory."""
    return x.transpose(0, 3, 1, 2)


#: Cache blocking (NumPy): a layer works through the batch in blocks of samples whose window matrix
#: holds at most about this many bytes, so that the GEMM reads it while it is still in the cache
#: (benchmarks/RESULTS.md, the DCGAN's log, section 6.5). On CuPy the whole batch is one block.
BLOCK_BYTES = 4 << 20


def batch_blocks(n: int, bytes_per_sample: int):
    """Slices of the batch axis: as few blocks as keep each within BLOCK_BYTES, all of one size but
    the last (one sample each where one sample alone is larger). One block on CuPy."""
    if backend.name == "cupy" or n * bytes_per_sample <= BLOCK_BYTES:
        return (slice(0, n),)
    count = -(-n * bytes_per_sample // BLOCK_BYTES)
    size = -(-n // count)
    return tuple(slice(lo, min(lo + size, n)) for lo in range(0, n, size))


def blockwise(blocks, shape, dtype, compute):
    """A new array of ``shape``, filled block by block: compute(b, out_b) writes the rows b into out_b."""
    out = backend.xp.empty(shape, dtype=dtype)
    for b in blocks:
        compute(b, out[b])
    return out


# -- the layers --------------------------------------------------------------------------
def _pair(layer: str, arg: str, value, minimum: int):
    """An int or a pair of ints, each >= minimum, as a pair."""
    pair = (value, value) if isinstance(value, int) and not isinstance(value, bool) else value
    if (not isinstance(pair, (tuple, list)) or len(pair) != 2
            or any(isinstance(v, bool) or not isinstance(v, int) or v < minimum for v in pair)):
        raise ValueError(f"{layer}: {arg} must be an integer >= {minimum} or a pair of them; got {value!r}")
    return tuple(pair)


class _ConvNd(Module):
    """What Conv2d and ConvTranspose2d share: arguments, init, input checks."""

    rowwise = True

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, bias, weight_shape):
        name = type(self).__name__
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive integer; got {value!r}")
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = _pair(name, "kernel_size", kernel_size, 1)
        self.stride = _pair(name, "stride", stride, 1)
        self.padding = _pair(name, "padding", padding, 0)
        # PyTorch's kaiming_uniform_(a=sqrt(5)): bound 1/sqrt(fan_in), fan_in = weight.shape[1]*kh*kw
        # (for ConvTranspose2d that is out_channels*kh*kw, as in PyTorch); the bias uses the same bound.
        bound = 1.0 / math.sqrt(weight_shape[1] * self.kernel_size[0] * self.kernel_size[1])
        rng = backend.rng()
        self.weight = Parameter(rng.uniform(-bound, bound, weight_shape))
        self.bias = Parameter(rng.uniform(-bound, bound, (out_channels,))) if bias else None
        self._cache = None

    def _check_input(self, x):
        name = type(self).__name__
        shape = tuple(getattr(x, "shape", ()))
        if not hasattr(x, "dtype") or len(shape) != 4:
            got = shape if hasattr(x, "shape") else type(x).__name__
            raise ValueError(f"{name}: input must be a 4-D array (N, C, H, W); got shape {got}")
        if shape[1] != self.in_channels:
            raise ValueError(f"{name}: input must have {self.in_channels} channels (axis 1); got shape {shape}")
        if shape[2] < 1 or shape[3] < 1:
            raise ValueError(f"{name}: input height and width must be positive; got shape {shape}")
        if x.dtype.kind != "f":
            raise TypeError(f"{name}: input must be a floating array; got dtype {x.dtype}")

    def _blocks(self, n: int, windows_per_sample: int, window_size: int, dtype):
        """The batch blocks (``batch_blocks``) for a window matrix of windows_per_sample rows
        of window_size numbers of ``dtype`` (an array's dtype) per sample."""
        return batch_blocks(n, windows_per_sample * window_size * dtype.itemsize)

    def extra_repr(self):
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, bias={self.bias is not None}")


class Conv2d(_ConvNd):
    """2-D convolution (PyTorch's cross-correlation):

        y[n, o, p, q] = b[o] + sum_{c, i, j} W[o, c, i, j] x_pad[n, c, p*sh + i, q*sw + j]

    Shapes: x (N, C, H, W), weight (out_channels, in_channels, kh, kw), bias (out_channels,),
    y (N, O, OH, OW) with OH = floor((H + 2 ph - kh) / sh) + 1 (likewise OW). Initialised like
    PyTorch: weight and bias uniform in +-1/sqrt(in_channels*kh*kw).
    """

    skips_input_grad = True

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, bias: bool = True):
        kh, kw = _pair("Conv2d", "kernel_size", kernel_size, 1)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias,
                         (out_channels, in_channels, kh, kw))

    def output_shape(self, input_shape):
        """(N, O, OH, OW) for an input of shape (N, C, H, W); a clear error if the kernel does not fit."""
        n, _, h, w = input_shape
        sizes = []
        for axis, size, k, s, p in zip(("height", "width"), (h, w), self.kernel_size, self.stride, self.padding):
            if size + 2 * p < k:
                raise ValueError(f"Conv2d: kernel {axis} {k} is larger than the padded input {axis} "
                                 f"{size} + 2*{p} = {size + 2 * p} (input shape {tuple(input_shape)})")
            sizes.append(conv_output_size(size, k, s, p))
        return (n, self.out_channels, *sizes)

    def _weight_matrix(self):
        """W as (O, kh*kw*C), columns in im2col's (i, j, c) order."""
        return self.weight.data.transpose(0, 2, 3, 1).reshape(self.out_channels, -1)

    def forward(self, x):
        """x (N, C, H, W) -> y (N, O, OH, OW) (an NCHW view of channels-last memory)."""
        self._check_input(x)
        n, o, oh, ow = self.output_shape(x.shape)
        kh, kw = self.kernel_size
        x_cl, w_t = to_channels_last(x), self._weight_matrix().T
        blocks = self._blocks(n, oh * ow, kh * kw * self.in_channels, x.dtype)
        y = backend.xp.empty((n, oh, ow, o), dtype=backend.xp.result_type(x.dtype, w_t.dtype))
        for b in blocks:
            cols = convolution(x_cl[b], w_t, self.kernel_size, self.stride, self.padding, y[b])   # (B*OH*OW, kh*kw*C)
        if self.bias is not None:
            y += self.bias.data
        # backward needs the windows for dL/dW: kept if one block made them, else rebuilt block by block
        self._cache = (x_cl, cols if len(blocks) == 1 else None, blocks, (n, o, oh, ow))
        return to_channels_first(y)

    def backward(self, grad_output, input_grad=True):
        """Given g = dL/dy (N, O, OH, OW), read as the matrix G (N*OH*OW, O):

        dL/dW = G^T cols (O, kh*kw*C; computed as its transpose, then permuted to W's layout),
        dL/db = sum_rows G (O,),
        dL/dx = col2im(G W) (N, C, H, W): each window's gradient added back onto the pixels it read.
        Both products run block by block over the batch, as the forward did (dL/dW sums the blocks').

        input_grad (see ``nn.module.backward_to``): False skips dL/dx, the larger half of the
        work (the input is data, as for a discriminator's first layer); returns None.
        A slice returns dL/dx[:, slice] (the channels asked for)."""
        check_forward_called(self, self._cache)
        x_cl, cols, blocks, y_shape = self._cache
        check_grad_output(self, grad_output, y_shape)
        n, o, oh, ow = y_shape
        g = to_channels_last(grad_output)                                  # (N, OH, OW, O)
        if self.weight.requires_grad:
            dw_t = 0                  # dW^T = sum over blocks of cols^T G (kh*kw*C, O), tall (weight_gradient_matrix)
            for b in blocks:
                cols_b = cols if cols is not None else im2col(x_cl[b], self.kernel_size, self.stride, self.padding)
                dw_t = dw_t + weight_gradient_matrix(cols_b, g[b].reshape(-1, o))
            self.weight.grad += dw_t.reshape(*self.kernel_size, self.in_channels, o).transpose(3, 2, 0, 1)
        if self.bias is not None and self.bias.requires_grad:
            self.bias.grad += g.sum(axis=(0, 1, 2))                            # sum over N, OH, OW
        if input_grad is False:
            return None
        w_mat = self._weight_matrix()
        dx = blockwise(blocks, x_cl.shape, backend.xp.result_type(g.dtype, w_mat.dtype),   # (N, H, W, C)
                       lambda b, out: transposed_convolution(g[b], w_mat, out.shape, self.kernel_size,
                                                             self.stride, self.padding, out))
        dx = to_channels_first(dx)
        return dx if input_grad is True else dx[:, input_grad]


class ConvTranspose2d(_ConvNd):
    """2-D transposed convolution: the input gradient of a Conv2d, used as a layer.

    Every input pixel x[n, c, h, w] adds x * W[c, :, :, :] (a k_h x k_w stamp per output
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
        kh, kw = _pair("ConvTranspose2d", "kernel_size", kernel_size, 1)
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, bias,
                         (in_channels, out_channels, kh, kw))
        self.output_padding = _pair("ConvTranspose2d", "output_padding", output_padding, 0)
        if any(op >= s for op, s in zip(self.output_padding, self.stride)):
            raise ValueError(f"ConvTranspose2d: output_padding must be smaller than stride; "
                             f"got output_padding {self.output_padding}, stride {self.stride}")

    def output_shape(self, input_shape):
        """(N, O, OH, OW) for an input (N, C_in, H, W): OH = (H - 1) sh - 2 ph + kh + output_padding_h."""
        n, _, h, w = input_shape
        sizes = []
        for axis, size, k, s, p, op in zip(("height", "width"), (h, w), self.kernel_size, self.stride,
                                           self.padding, self.output_padding):
            out = (size - 1) * s - 2 * p + k + op
            if out < 1:
                raise ValueError(f"ConvTranspose2d: output {axis} (input {size} - 1)*{s} - 2*{p} + {k} + {op} "
                                 f"= {out} is not positive (input shape {tuple(input_shape)})")
            sizes.append(out)
        return (n, self.out_channels, *sizes)

    def _weight_matrix(self):
        """W as (C_in, kh*kw*O), columns in col2im's (i, j, o) order."""
        return self.weight.data.transpose(0, 2, 3, 1).reshape(self.in_channels, -1)

    def forward(self, x):
        """x (N, C_in, H, W) -> y (N, O, OH, OW): y = col2im(X W), Conv2d's input gradient."""
        self._check_input(x)
        n, o, oh, ow = self.output_shape(x.shape)
        kh, kw = self.kernel_size
        x_cl = backend.xp.ascontiguousarray(to_channels_last(x))       # (N, H, W, C_in): a copy only if NCHW
        w_mat = self._weight_matrix()
        blocks = self._blocks(n, x.shape[2] * x.shape[3], kh * kw * o, x.dtype)   # G's (or col2im's) windows
        y = blockwise(blocks, (n, oh, ow, o), backend.xp.result_type(x.dtype, w_mat.dtype),
                      lambda b, out: transposed_convolution(x_cl[b], w_mat, out.shape,
                                                            self.kernel_size, self.stride, self.padding, out))
        if self.bias is not None:
            y += self.bias.data
        self._cache = (x_cl, blocks, (n, o, oh, ow))      # backward needs x for dL/dW
        return to_channels_first(y)

    def backward(self, grad_output):
        """Given g = dL/dy (N, O, OH, OW), with G = im2col(g) (N*H*W, kh*kw*O), the windows a Conv2d
        of the same kernel, stride and padding would read (one per input pixel):

        dL/dx = G W^T (N, C_in, H, W): a convolution, Conv2d's forward;
        dL/dW = X^T G (C_in, kh*kw*O; computed as its transpose, then permuted to W's layout),
        dL/db = sum over N, OH, OW of g.
        The products run block by block over the batch, as the forward did (dL/dW sums the blocks')."""
        check_forward_called(self, self._cache)
        x_cl, blocks, y_shape = self._cache
        check_grad_output(self, grad_output, y_shape)
        n, h, w, c = x_cl.shape
        g, w_t = to_channels_last(grad_output), self._weight_matrix().T
        dx = backend.xp.empty((n, h, w, c), dtype=backend.xp.result_type(g.dtype, w_t.dtype))
        dw_t = 0                      # dW^T = sum over blocks of G^T X (kh*kw*O, C_in), tall (weight_gradient_matrix)
        for b in blocks:
            cols = convolution(g[b], w_t, self.kernel_size, self.stride, self.padding, dx[b])   # (B*H*W, kh*kw*O)
            if self.weight.requires_grad:
                dw_t = dw_t + weight_gradient_matrix(cols, x_cl[b].reshape(-1, c))
        if self.weight.requires_grad:
            self.weight.grad += dw_t.reshape(*self.kernel_size, self.out_channels, c).transpose(3, 2, 0, 1)
        if self.bias is not None and self.bias.requires_grad:
            self.bias.grad += g.sum(axis=(0, 1, 2))
        return to_channels_first(dx)

    def extra_repr(self):
        return super().extra_repr() + f", output_padding={self.output_padding}"
