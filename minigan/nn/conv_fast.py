"""The fast convolution kernels behind ``nn.Conv2d`` and ``nn.ConvTranspose2d`` (conv.py has the plain ones).

They compute what conv.py's ``im2col``, ``col2im``, ``conv2d`` and ``conv2d_input_grad`` compute, with
four tricks, each measured in docs/appendix_fast_numpy.md (the DCGAN's log in benchmarks/RESULTS.md tells the story):

- channels-last memory (N, H, W, C): the GEMM operands are plain matrices, im2col copies runs of
  kw*C numbers (5-8x faster than channels-first at DCGAN's shapes), outputs are NCHW *views*;
- ``col2im_by_phase``: where the stride divides the kernel, each output phase is summed densely;
- ``transposed_convolution_by_subpixel``: the same case with no col2im at all;
- batch blocks (``batch_blocks``), so a block's window matrix is still in the cache for its GEMM;

and ``weight_gradient_matrix`` steers OpenBLAS away from a pathologically slow split. The columns of
a window matrix are ordered (i, j, c) here, as the memory runs (conv.py's are (c, i, j)).
"""
from __future__ import annotations

from .. import backend
from . import conv as plain     # (its conv_output_size; conv.py imports this module in turn)


def im2col(x, kernel, stride, padding):
    """Every window of the padded channels-last input, one per row.

    x: (N, H, W, C) (any strides); kernel, stride, padding: pairs (rows, columns).
    Returns cols (N*OH*OW, kh*kw*C), row (n, oh, ow) holding the window
    x_pad[n, oh*sh : oh*sh + kh, ow*sw : ow*sw + kw, :] in the order (i, j, c).
    The windows are a strided view (as_strided); the one reshape is the only copy, in runs of kw*C.
    """
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, h, w, c = x.shape
    if ph or pw:
        padded = xp.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=x.dtype)
        padded[:, ph:ph + h, pw:pw + w, :] = x
        x = padded
    oh, ow = plain.conv_output_size(h, kh, sh, ph), plain.conv_output_size(w, kw, sw, pw)
    s_n, s_h, s_w, s_c = x.strides
    windows = xp.lib.stride_tricks.as_strided(
        x, shape=(n, oh, ow, kh, kw, c), strides=(s_n, sh * s_h, sw * s_w, s_h, s_w, s_c))
    return windows.reshape(n * oh * ow, kh * kw * c)


def col2im(cols, shape, kernel, stride, padding):
    """The transpose of ``im2col``: add every row of ``cols`` back onto its window.

    cols: (N*OH*OW, kh*kw*C); shape: (N, H, W, C) of the unpadded channels-last array.
    Returns (N, H, W, C): each element is the sum of every window entry that read it
    (the padding's share is cropped off). By phase where the stride divides the kernel (DCGAN's 4/2:
    17.8 -> 12.1 ms on (256*49, 1024) columns), else by kernel offset as conv.py's col2im.
    """
    (kh, kw), (sh, sw) = kernel, stride
    if kh % sh == 0 and kw % sw == 0:
        return col2im_by_phase(cols, shape, kernel, stride, padding)
    return col2im_by_offset(cols, shape, kernel, stride, padding)


def col2im_by_offset(cols, shape, kernel, stride, padding):
    """``col2im`` for any kernel and stride (same arguments and result): one strided-slice addition
    per kernel offset (i, j), as conv.py's plain col2im, in channels-last memory."""
    xp = backend.xp
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n, h, w, c = shape
    oh, ow = plain.conv_output_size(h, kh, sh, ph), plain.conv_output_size(w, kw, sw, pw)
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
    oh, ow = plain.conv_output_size(h, kh, sh, ph), plain.conv_output_size(w, kw, sw, pw)
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
    C-contiguous (a block of a larger output is). Conv2d's forward and ConvTranspose2d's input
    gradient. Returns the window matrix, which the weight gradient reads."""
    cols = im2col(x, kernel, stride, padding)                                 # (N*OH*OW, kh*kw*C_in)
    backend.xp.matmul(cols, weight_matrix_t, out=out.reshape(-1, out.shape[-1]))   # one GEMM
    return cols


def transposed_convolution(x, weight_matrix, shape, kernel, stride, padding, out=None):
    """col2im(X @ weight_matrix): a transposed convolution of the channels-last x (N, H, W, C_in).

    weight_matrix: (C_in, kh*kw*C_out), columns in (i, j, o) order; shape: (N, OH, OW, C_out) of the
    output, written into ``out`` (that shape, any strides) when given; returns the output.
    ConvTranspose2d's forward and Conv2d's input gradient. By sub-pixel phases where the stride (>= 2)
    divides the kernel and sh*sw*C_out >= C_in (DCGAN's 128 -> 64 layer; the step at batch 256: 18 %
    faster); elsewhere (the 64 -> 1 layer, where sub-pixel was 3-5x slower) one GEMM and ``col2im``.
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
    side by side, and one copy per phase into its pixels of the cropped output ("depth to space"):
    no col2im.
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

    Computed as (b^T a)^T when P < Q, so that OpenBLAS always writes a tall output: on 2 threads a
    short, wide one (DCGAN's first layer's (16, 64)) ran 15-50x slower on a busy machine.
    """
    return a.T @ b if a.shape[1] >= b.shape[1] else (b.T @ a).T


def to_channels_last(x):
    """NCHW -> NHWC as a view (a transpose of the strides; no copy)."""
    return x.transpose(0, 2, 3, 1)


def to_channels_first(x):
    """NHWC -> NCHW as a view: what the user sees, over channels-last memory."""
    return x.transpose(0, 3, 1, 2)


#: Cache blocking (NumPy): a layer works through the batch in blocks whose window matrix holds at most
#: about this many bytes, still in the cache when its GEMM reads it (DCGAN step at batch 256: 259 -> 220 ms,
#: benchmarks/RESULTS.md, the DCGAN log §6.5). One block on CuPy.
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




# -- the layers' passes, block by block (conv.py's Conv2d and ConvTranspose2d call these) ------
def weight_matrix(weight):
    """A weight (A, B, kh, kw) as the matrix (A, kh*kw*B), columns in this module's (i, j, b) order."""
    return weight.transpose(0, 2, 3, 1).reshape(weight.shape[0], -1)


def weight_layout(dw_t, shape):
    """The gradient of ``weight_matrix``'s transpose, (kh*kw*B, A), back in the weight's layout ``shape``."""
    a, b, kh, kw = shape
    return dw_t.reshape(kh, kw, b, a).transpose(3, 2, 0, 1)


def conv2d(x, weight, stride, padding, y_shape):
    """Conv2d's forward without bias: x (N, C, H, W) -> y (N, OH, OW, O) channels-last (y_shape is NCHW).
    Returns y and what ``conv2d_backward`` needs: (x_cl, the windows if one block made them, blocks, y_shape)."""
    n, o, oh, ow = y_shape
    kernel = weight.shape[2:]
    x_cl, w_t = to_channels_last(x), weight_matrix(weight).T
    blocks = batch_blocks(n, oh * ow * w_t.shape[0] * x.dtype.itemsize)
    y = backend.xp.empty((n, oh, ow, o), dtype=backend.xp.result_type(x.dtype, w_t.dtype))
    for b in blocks:
        cols = convolution(x_cl[b], w_t, kernel, stride, padding, y[b])
    return y, (x_cl, cols if len(blocks) == 1 else None, blocks, y_shape)    # else rebuilt in backward


def conv2d_backward(g, weight, cache, stride, padding, weight_grad=True, input_grad=True):
    """Conv2d's dL/dW (W's layout) and dL/dx ((N, H, W, C), channels-last) given g (N, OH, OW, O) channels-last;
    each None where not asked for."""
    x_cl, cols, blocks, _ = cache
    kernel = weight.shape[2:]
    dw = dx = None
    if weight_grad:
        dw_t = 0                      # dW^T = sum over blocks of cols^T G (kh*kw*C, O)
        for b in blocks:
            cols_b = cols if cols is not None else im2col(x_cl[b], kernel, stride, padding)
            dw_t = dw_t + weight_gradient_matrix(cols_b, g[b].reshape(-1, g.shape[-1]))
        dw = weight_layout(dw_t, weight.shape)
    if input_grad:
        w_mat = weight_matrix(weight)
        dx = blockwise(blocks, x_cl.shape, backend.xp.result_type(g.dtype, w_mat.dtype),
                       lambda b, out: transposed_convolution(g[b], w_mat, out.shape, kernel, stride, padding, out))
    return dw, dx


def conv_transpose2d(x, weight, stride, padding, y_shape):
    """ConvTranspose2d's forward without bias: x (N, C_in, H, W) -> y (N, OH, OW, O) channels-last.
    Returns y and what ``conv_transpose2d_backward`` needs: (x_cl, blocks, y_shape)."""
    n, o, oh, ow = y_shape
    kernel = weight.shape[2:]
    x_cl = backend.xp.ascontiguousarray(to_channels_last(x))      # (N, H, W, C_in): a copy only if NCHW
    w_mat = weight_matrix(weight)
    blocks = batch_blocks(n, x.shape[2] * x.shape[3] * w_mat.shape[1] * x.dtype.itemsize)   # col2im's windows
    y = blockwise(blocks, (n, oh, ow, o), backend.xp.result_type(x.dtype, w_mat.dtype),
                  lambda b, out: transposed_convolution(x_cl[b], w_mat, out.shape, kernel, stride, padding, out))
    return y, (x_cl, blocks, y_shape)


def conv_transpose2d_backward(g, weight, cache, stride, padding, weight_grad=True):
    """ConvTranspose2d's dL/dW (W's layout, or None) and dL/dx ((N, H, W, C_in), channels-last) given g
    (N, OH, OW, O) channels-last: dL/dx is a convolution, whose windows dL/dW reads."""
    x_cl, blocks, _ = cache
    kernel, c = weight.shape[2:], x_cl.shape[-1]
    w_t = weight_matrix(weight).T
    dx = backend.xp.empty(x_cl.shape, dtype=backend.xp.result_type(g.dtype, w_t.dtype))
    dw_t = 0                          # dW^T = sum over blocks of G^T X (kh*kw*O, C_in)
    for b in blocks:
        cols = convolution(g[b], w_t, kernel, stride, padding, dx[b])
        if weight_grad:
            dw_t = dw_t + weight_gradient_matrix(cols, x_cl[b].reshape(-1, c))
    return (weight_layout(dw_t, weight.shape) if weight_grad else None), dx
