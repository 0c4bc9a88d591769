"""Exercise conv2d (chapter 6): a convolution layer's forward and backward, naively (loops are fine)."""
from __future__ import annotations

import numpy

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import FLIPPED_KERNEL

STUB = '''

def conv2d_forward(x, weight, bias, stride, padding):
    """A 2-D convolution layer (strictly a cross-correlation, as in PyTorch):

        y[n, o, p, q] = bias[o] + sum over c, i, j of  weight[o, c, i, j] * x_pad[n, c, p*s + i, q*s + j]

    x_pad is x with `padding` zeros on each side of H and W; s = stride;
    OH = (H + 2*padding - kh) // stride + 1 (likewise OW).
    Shapes: x (N, C, H, W), weight (O, C, kh, kw), bias (O,), float64; stride, padding ints.
    Return y, shape (N, O, OH, OW).

    Hint: loops over n, o, p, q and one np.sum over a window times a filter are fine: correct first,
    fast later (im2col turns the whole layer into one matrix product).
    """
    raise NotImplementedError


def conv2d_backward(x, weight, grad_output, stride, padding):
    """The backward pass of conv2d_forward. Given g = grad_output = dL/dy (N, O, OH, OW), return

        dL/dx[n, c, h, w]    = sum of g[n, o, p, q] * weight[o, c, i, j] over every (o, p, q, i, j)
                               with p*s + i - padding == h and q*s + j - padding == w
        dL/dweight[o, c, i, j] = sum over n, p, q of g[n, o, p, q] * x_pad[n, c, p*s + i, q*s + j]
        dL/dbias[o]            = sum over n, p, q of g[n, o, p, q]

    Shapes: x (N, C, H, W), weight (O, C, kh, kw), grad_output (N, O, OH, OW).
    Return (grad_x, grad_weight, grad_bias) with the shapes of x, weight and bias.

    Hint: loop over the same (n, o, p, q) as the forward; where the forward read a window, the
    backward adds g[n, o, p, q] * weight[o] into that window of a padded dL/dx, and g[n, o, p, q] times
    the window into dL/dweight[o]. Cut the padding off dL/dx at the end.
    """
    raise NotImplementedError
'''

NAMES = ("dL/dx", "dL/dweight", "dL/dbias")   # as the stub names them


def _layer(weight, stride, padding, bias=None):
    o, c, kh, kw = weight.shape
    layer = support.layer(nn.Conv2d(c, o, (kh, kw), stride, padding), weight=weight)
    if bias is not None:
        layer.bias.data[...] = bias
    return layer


def conv2d_forward(x, weight, bias, stride, padding):
    """minigan's answer: Conv2d.forward (im2col and one matrix product)."""
    return numpy.ascontiguousarray(_layer(weight, stride, padding, bias).forward(x))


def conv2d_backward(x, weight, grad_output, stride, padding):
    """minigan's answer: Conv2d.backward after its forward."""
    return support.backward(_layer(weight, stride, padding), x, grad_output)


def differences(x, weight, grad_output, stride, padding):
    return support.differences(_layer(weight, stride, padding), x, grad_output, NAMES)


#: (x's shape, weight's shape, stride, padding): DCGAN's 4/2/1 among them
GEOMETRIES = (((2, 3, 5, 5), (4, 3, 3, 3), 1, 1), ((1, 2, 7, 6), (3, 2, 2, 3), 2, 0),
              ((2, 2, 6, 6), (3, 2, 4, 4), 2, 1), ((2, 1, 4, 4), (2, 1, 4, 4), 1, 0))


def _out_shape(x_shape, w_shape, stride, padding):
    (n, _, h, w), (o, _, kh, kw) = x_shape, w_shape
    return n, o, nn.conv.conv_output_size(h, kh, stride, padding), nn.conv.conv_output_size(w, kw, stride, padding)


def cases(rng):
    out = [Case({"x": rng.standard_normal(xs), "weight": rng.standard_normal(ws), "bias": rng.standard_normal(ws[0]),
                 "stride": s, "padding": p}, function="conv2d_forward") for xs, ws, s, p in GEOMETRIES]
    for xs, ws, s, p in GEOMETRIES + (((1, 2, 6, 6), (2, 2, 3, 3), 2, 0),):
        note = None if xs != (1, 2, 6, 6) else Text(
            "stride 2 over 6 pixels with a 3-pixel kernel: the last row and column are read by no window, so their "
            "dL/dx is 0.",
            "6픽셀 위를 3픽셀 커널이 스트라이드 2로 움직입니다. 마지막 행과 열은 어떤 창도 읽지 않으므로 그 dL/dx는 "
            "0입니다.")
        out.append(Case({"x": rng.standard_normal(xs), "weight": rng.standard_normal(ws),
                         "grad_output": rng.standard_normal(_out_shape(xs, ws, s, p)), "stride": s, "padding": p},
                        function="conv2d_backward", note=note))
    return out


def _flipped(x, weight, bias, stride, padding):
    return conv2d_forward(x, weight[:, :, ::-1, ::-1].copy(), bias, stride, padding)


EXERCISE = Exercise(
    name="conv2d", chapter=6,
    task=Text("Write conv2d_forward and conv2d_backward naively: a convolution layer and its three gradients.",
              "conv2d_forward와 conv2d_backward를 단순하게 작성합니다: 합성곱 층과 그 기울기 세 개."),
    stub=STUB, look=Text("minigan/nn/conv.py, PlainConv2d.forward and PlainConv2d.backward (conv2d, conv2d_input_grad)",
                         "minigan/nn/conv.py의 PlainConv2d.forward와 PlainConv2d.backward (conv2d, conv2d_input_grad)"),
    reference=Text("minigan's Conv2d", "minigan의 Conv2d"),
    solutions={"conv2d_forward": conv2d_forward, "conv2d_backward": conv2d_backward},
    outputs={"conv2d_forward": ("y",), "conv2d_backward": NAMES},
    cases=cases, differences={"conv2d_backward": differences},
    mistakes=(
        Mistake("flipped", _flipped, FLIPPED_KERNEL, function="conv2d_forward"),
        Mistake("no_bias", lambda x, weight, bias, stride, padding:
                conv2d_forward(x, weight, 0 * bias, stride, padding),
                Text("The bias is missing: add bias[o] to every pixel of output channel o.",
                     "편향이 빠졌습니다. 출력 채널 o의 모든 픽셀에 bias[o]를 더하세요."), function="conv2d_forward"),
        Mistake("bias_per_pixel", support.with_output(conv2d_backward, 2, lambda db, grad_output, **_:
                                                         grad_output.sum(axis=0)),
                Text("dL/dbias[o] adds g over the batch and over every output pixel (n, p, q): each of them added "
                     "bias[o]. Its shape is (O,).",
                     "dL/dbias[o]는 배치와 모든 출력 픽셀 (n, p, q)에 걸쳐 g를 더합니다. 그 모두에 bias[o]가 "
                     "더해졌습니다. 모양은 (O,)입니다."), function="conv2d_backward"),
        Mistake("weight_axes", support.with_output(conv2d_backward, 1, lambda dw, **_: dw.transpose(1, 0, 2, 3).copy()),
                Text("dL/dweight has the weight's shape (O, C, kh, kw); yours has its first two axes swapped.",
                     "dL/dweight는 가중치와 같은 모양 (O, C, kh, kw)입니다. 작성한 값은 앞의 두 축이 바뀌었습니다."),
                function="conv2d_backward"),
    ),
)
