"""Exercise im2col (chapter 6): copy every window of an image into a row, and add rows back (col2im)."""
from __future__ import annotations

import numpy

from ...nn import conv
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import OVERLAPS_ADD

STUB = '''

def im2col(x, kernel_size, stride, padding):
    """Every kh x kw window of the zero-padded images, one window per row:

        cols[(n*OH + p)*OW + q, (c*kh + i)*kw + j] = x_pad[n, c, p*stride + i, q*stride + j]

    so a row lists its window's entries in the order (c, i, j): the window x_pad[n, :, rows, columns]
    flattened, the order of a Conv2d weight's W[o].reshape(-1). x_pad is x with `padding` zeros on
    each side of H and W, and
    OH = (H + 2*padding - kh) // stride + 1 (likewise OW).

    Shapes: x (N, C, H, W) float64; kernel_size (kh, kw); stride and padding ints.
    Return cols, shape (N*OH*OW, C*kh*kw).

    Hint: first write it with loops over n, p, q (np.pad pads; x_pad[n, :, rows, columns] is a
    window, (C, kh, kw), to flatten into its row). Then, if you like, make it fast: one strided
    slice per kernel offset (i, j) copies that entry of every window at once.
    """
    raise NotImplementedError


def col2im(cols, x_shape, kernel_size, stride, padding):
    """The transpose of im2col: add every entry of cols back onto the pixel of x it was copied from.

    Shapes: cols (N*OH*OW, C*kh*kw) float64; x_shape (N, C, H, W); kernel_size (kh, kw); stride and
    padding ints. Return an array of shape x_shape: each pixel holds the sum of all the entries of
    cols that im2col copied from it (a pixel read by no window holds 0).

    Hint: add into a zero array of the padded shape, then cut the padding off. This is the backward
    pass of im2col: dL/dx = col2im(dL/dcols).
    """
    raise NotImplementedError
'''


def _pairs(stride, padding):
    return (stride, stride), (padding, padding)


def im2col(x, kernel_size, stride, padding):
    """minigan's answer: conv.im2col, the plain version."""
    return numpy.ascontiguousarray(conv.im2col(x, tuple(kernel_size), *_pairs(stride, padding)))


def col2im(cols, x_shape, kernel_size, stride, padding):
    """minigan's answer: conv.col2im, the plain version."""
    return numpy.ascontiguousarray(conv.col2im(cols, tuple(x_shape), tuple(kernel_size), *_pairs(stride, padding)))


def adjoint(cols, x_shape, kernel_size, stride, padding):
    """col2im is the adjoint of im2col: the gradient of <im2col(x), cols> with respect to x."""
    return support.function_differences(lambda x: (im2col(x, kernel_size, stride, padding) * cols).sum(),
                                        {"col2im(cols)": "x"}, x=numpy.zeros(x_shape))


GEOMETRIES = (((2, 3, 5, 5), (3, 3), 1, 1), ((1, 2, 6, 7), (2, 3), 2, 0), ((2, 1, 4, 4), (4, 4), 1, 0),
              ((1, 2, 4, 5), (3, 2), 2, 1))


def _rows(x_shape, kernel_size, stride, padding):
    n, c, h, w = x_shape
    (kh, kw), s, p = kernel_size, stride, padding
    return n * conv.conv_output_size(h, kh, s, p) * conv.conv_output_size(w, kw, s, p), c * kh * kw


def cases(rng):
    out = [Case({"x": rng.standard_normal(shape), "kernel_size": k, "stride": s, "padding": p}, function="im2col")
           for shape, k, s, p in GEOMETRIES]
    out += [Case({"cols": rng.standard_normal(_rows(shape, k, s, p)), "x_shape": shape, "kernel_size": k, "stride": s,
                  "padding": p}, function="col2im") for shape, k, s, p in GEOMETRIES]
    shape, k, s, p = (1, 1, 4, 4), (3, 3), 1, 1
    out.append(Case({"cols": numpy.ones(_rows(shape, k, s, p)), "x_shape": shape, "kernel_size": k, "stride": s,
                     "padding": p}, function="col2im",
                    note=Text("cols full of ones: col2im counts how many windows read each pixel (4 in a corner, 9 "
                              "inside, for a 3 x 3 kernel with padding 1).",
                              "cols가 모두 1입니다. col2im은 각 픽셀을 읽은 창의 수를 셉니다 (3 x 3 커널, 패딩 1이면 "
                              "모서리는 4, 안쪽은 9).")))
    shape, k, s, p = (1, 2, 7, 7), (2, 2), 3, 0
    out.append(Case({"cols": rng.standard_normal(_rows(shape, k, s, p)), "x_shape": shape, "kernel_size": k,
                     "stride": s, "padding": p}, function="col2im",
                    note=Text("a stride larger than the kernel: some pixels are read by no window and stay 0.",
                              "스트라이드가 커널보다 큽니다. 어떤 창도 읽지 않은 픽셀은 0으로 남습니다.")))
    return out


def _channels_last_columns(x, kernel_size, stride, padding):
    cols = im2col(x, kernel_size, stride, padding)
    kh, kw = kernel_size
    return cols.reshape(-1, x.shape[1], kh, kw).transpose(0, 2, 3, 1).reshape(cols.shape)


def _assigned(cols, x_shape, kernel_size, stride, padding):
    """col2im with = instead of +=, as a learner's loop writes it."""
    n, c, h, w = x_shape
    (kh, kw), s, p = kernel_size, stride, padding
    oh, ow = conv.conv_output_size(h, kh, s, p), conv.conv_output_size(w, kw, s, p)
    out = numpy.zeros((n, c, h + 2 * p, w + 2 * p))
    windows = cols.reshape(n, oh, ow, c, kh, kw)
    for i, j, k in numpy.ndindex(n, oh, ow):
        out[i, :, j * s:j * s + kh, k * s:k * s + kw] = windows[i, j, k]
    return out[:, :, p:p + h, p:p + w]


def _uncropped(cols, x_shape, kernel_size, stride, padding):
    n, c, h, w = x_shape
    return col2im(cols, (n, c, h + 2 * padding, w + 2 * padding), kernel_size, stride, 0)


EXERCISE = Exercise(
    name="im2col", chapter=6,
    task=Text("Write im2col(x, kernel_size, stride, padding) and its transpose col2im(cols, x_shape, ...).",
              "im2col(x, kernel_size, stride, padding)과 그 전치 col2im(cols, x_shape, ...)을 작성합니다."),
    stub=STUB, look=Text("minigan/nn/conv.py, im2col and col2im (the plain versions; conv_fast.py has the fast ones)",
                         "minigan/nn/conv.py의 im2col과 col2im (단순한 버전; 빠른 버전은 conv_fast.py에 있습니다)"),
    reference=Text("minigan's im2col and col2im", "minigan의 im2col과 col2im"),
    solutions={"im2col": im2col, "col2im": col2im}, outputs={"im2col": ("cols",), "col2im": ("col2im(cols)",)},
    cases=cases, differences={"col2im": adjoint},
    differences_name=Text("the adjoint of minigan's im2col (finite differences of <im2col(x), cols>)",
                          "minigan im2col의 수반 (<im2col(x), cols>의 중앙 차분)"),
    mistakes=(
        Mistake("channel_last_columns", _channels_last_columns,
                Text("Your columns are in the order (i, j, c), the channel fastest. Flatten each window (C, kh, kw) "
                     "as it is: entry (c*kh + i)*kw + j of a row is x_pad[n, c, p*s + i, q*s + j], the order of a "
                     "Conv2d weight's W[o].reshape(-1), so that y = cols @ W.reshape(O, -1).T.",
                     "열의 순서가 채널이 가장 빨리 바뀌는 (i, j, c)입니다. 창 (C, kh, kw)를 그대로 펴세요: 한 행의 "
                     "(c*kh + i)*kw + j번째 원소가 x_pad[n, c, p*s + i, q*s + j]이고, 이는 Conv2d 가중치 W[o].reshape(-1)의 "
                     "순서이므로 y = cols @ W.reshape(O, -1).T가 됩니다."),
                function="im2col"),
        Mistake("no_padding", lambda x, kernel_size, stride, padding: im2col(x, kernel_size, stride, 0),
                Text("Pad first: the windows slide over x_pad, with `padding` zeros on each side, so "
                     "OH = (H + 2*padding - kh) // stride + 1.",
                     "먼저 패딩하세요. 창은 양쪽에 0을 `padding`개씩 붙인 x_pad 위를 움직이므로 "
                     "OH = (H + 2*padding - kh) // stride + 1입니다."), function="im2col"),
        Mistake("assigned", _assigned, OVERLAPS_ADD, function="col2im"),
        Mistake("uncropped", _uncropped,
                Text("Cut the padding off at the end: col2im returns x's shape (N, C, H, W); the border's sums belong "
                     "to no pixel of x.",
                     "마지막에 패딩을 잘라 내세요. col2im은 x의 모양 (N, C, H, W)를 돌려줍니다. 가장자리의 합은 x의 "
                     "어느 픽셀에도 속하지 않습니다."), function="col2im"),
    ),
)
