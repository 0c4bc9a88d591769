"""Exercise conv_transpose2d (chapter 6): the transposed convolution, as the adjoint of Conv2d."""
from __future__ import annotations

from functools import partial

import numpy

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import OVERLAPS_ADD

STUB = '''

def conv_transpose2d(x, weight, stride, padding):
    """A transposed convolution (no bias): every input pixel stamps its value times a kernel onto
    the output,

        y[n, o, h*s - padding + i, w*s - padding + j] += x[n, c, h, w] * weight[c, o, i, j]

    for every n, c, h, w, o, i, j (s = stride), keeping only the output pixels inside
    OH = (H - 1)*s - 2*padding + kh rows (likewise OW columns).
    It is the adjoint of conv2d with the same weight array: <conv2d(u, weight), x> = <u, y> for
    every u of y's shape, where conv2d reads weight as (out=C, in=O, kh, kw).

    Shapes: x (N, C, H, W), weight (C, O, kh, kw) (ConvTranspose2d's layout: in, out), float64;
    stride, padding ints. Return y, shape (N, O, OH, OW).

    Hint: stamp onto a zero array of the uncropped size (H - 1)*s + kh, then cut `padding` rows and
    columns off each side. Where stamps overlap, they add.
    """
    raise NotImplementedError


def conv_transpose2d_backward(x, weight, grad_output, stride, padding):
    """The backward pass of conv_transpose2d. Given g = grad_output = dL/dy (N, O, OH, OW):

        dL/dx[n, c, h, w]      = sum over o, i, j of g_pad[n, o, h*s + i, w*s + j] * weight[c, o, i, j]
        dL/dweight[c, o, i, j] = sum over n, h, w of x[n, c, h, w] * g_pad[n, o, h*s + i, w*s + j]

    where g_pad is g with `padding` zeros on each side (the rows the forward cut off). So dL/dx is a
    convolution of g: the forward of conv2d, with the same kernel, stride and padding.
    Return (grad_x, grad_weight) with the shapes of x and weight.

    Hint: each stamp of the forward read x[n, c, h, w] once per (o, i, j): gather g back from the
    same output pixels it wrote to.
    """
    raise NotImplementedError
'''

NAMES = ("dL/dx", "dL/dweight")   # as the stub names them


def _layer(weight, stride, padding):
    c, o, kh, kw = weight.shape
    return support.layer(nn.ConvTranspose2d(c, o, (kh, kw), stride, padding, bias=False), weight=weight)


def conv_transpose2d(x, weight, stride, padding):
    """minigan's answer: ConvTranspose2d.forward (col2im of x W)."""
    return numpy.ascontiguousarray(_layer(weight, stride, padding).forward(x))


def conv_transpose2d_backward(x, weight, grad_output, stride, padding):
    return support.backward(_layer(weight, stride, padding), x, grad_output, parameters=("weight",))


def adjoint(x, weight, stride, padding):
    """y is the gradient of <conv2d(u, weight), x> with respect to u: the adjoint of minigan's Conv2d."""
    c, o, kh, kw = weight.shape
    conv = support.layer(nn.Conv2d(o, c, (kh, kw), stride, padding, bias=False), weight=weight)
    u = numpy.zeros(_out_shape(x.shape, weight.shape, stride, padding))
    return support.function_differences(lambda u: (conv.forward(u) * x).sum(), {"y": "u"}, u=u)


def differences(x, weight, grad_output, stride, padding):
    return support.differences(_layer(weight, stride, padding), x, grad_output, NAMES, parameters=("weight",))


#: (x's shape, weight's shape, stride, padding): DCGAN's 4/2/1 and its first layer (1 x 1 -> 4 x 4) among them
GEOMETRIES = (((2, 3, 3, 3), (3, 2, 3, 3), 1, 1), ((1, 2, 3, 3), (2, 3, 4, 4), 2, 1),
              ((2, 1, 2, 3), (1, 2, 3, 2), 2, 0), ((2, 3, 2, 2), (3, 2, 2, 2), 3, 0))


def _out_shape(x_shape, w_shape, stride, padding):
    (n, _, h, w), (_, o, kh, kw) = x_shape, w_shape
    return n, o, (h - 1) * stride - 2 * padding + kh, (w - 1) * stride - 2 * padding + kw


def cases(rng):
    out = []
    for function in ("conv_transpose2d", "conv_transpose2d_backward"):
        for xs, ws, s, p in GEOMETRIES:
            g = {"grad_output": rng.standard_normal(_out_shape(xs, ws, s, p))} if function.endswith("backward") else {}
            out.append(Case({"x": rng.standard_normal(xs), "weight": rng.standard_normal(ws), **g, "stride": s,
                             "padding": p}, function=function))
    out.append(Case({"x": rng.standard_normal((2, 4, 1, 1)), "weight": rng.standard_normal((4, 2, 4, 4)), "stride": 1,
                     "padding": 0}, function="conv_transpose2d",
                    note=Text("DCGAN's first layer: a 1 x 1 input becomes a 4 x 4 image, one whole stamp per sample.",
                              "DCGAN의 첫 층입니다. 1 x 1 입력이 4 x 4 이미지가 되고, 샘플마다 도장 하나가 통째로 "
                              "찍힙니다.")))
    return out


def _stamps(x, weight, stride, padding, add=True, flip=False, crop=True):
    """The forward as a learner's loops write it, with a switch for each classic mistake."""
    n, c, h, w = x.shape
    _, o, kh, kw = weight.shape
    kernel = weight[:, :, ::-1, ::-1] if flip else weight
    full = numpy.zeros((n, o, (h - 1) * stride + kh, (w - 1) * stride + kw))
    for b, i, j in numpy.ndindex(n, h, w):
        stamp = numpy.einsum("c,coij->oij", x[b, :, i, j], kernel)
        window = full[b, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
        window[...] = window + stamp if add else stamp
    if not crop or not padding:
        return full
    return full[:, :, padding:-padding, padding:-padding]


EXERCISE = Exercise(
    name="conv_transpose2d", chapter=6,
    task=Text("Write conv_transpose2d (the adjoint of conv2d) and its backward pass.",
              "conv_transpose2d (conv2d의 수반)와 그 역전파를 작성합니다."),
    stub=STUB, look=Text("minigan/nn/conv.py, PlainConvTranspose2d.forward and PlainConvTranspose2d.backward "
                         "(conv2d_input_grad, conv2d)",
                         "minigan/nn/conv.py의 PlainConvTranspose2d.forward와 PlainConvTranspose2d.backward (conv2d_input_grad, conv2d)"),
    reference=Text("minigan's ConvTranspose2d", "minigan의 ConvTranspose2d"),
    solutions={"conv_transpose2d": conv_transpose2d, "conv_transpose2d_backward": conv_transpose2d_backward},
    outputs={"conv_transpose2d": ("y",), "conv_transpose2d_backward": NAMES},
    cases=cases, differences={"conv_transpose2d": adjoint, "conv_transpose2d_backward": differences},
    differences_name=Text("centred finite differences (through minigan's Conv2d for the forward: its adjoint)",
                          "minigan Conv2d의 수반으로 계산한 순전파의 중앙 차분"),
    mistakes=(
        Mistake("assigned", partial(_stamps, add=False), OVERLAPS_ADD, function="conv_transpose2d"),
        Mistake("flipped", partial(_stamps, flip=True),
                Text("You flipped the kernel: stamp weight[c, o] as it is: y[n, o, h*stride - padding + i, "
                     "w*stride - padding + j] += x[n, c, h, w] * weight[c, o, i, j].",
                     "커널을 뒤집었습니다. weight[c, o]를 그대로 찍으세요: y[n, o, h*stride - padding + i, "
                     "w*stride - padding + j] += x[n, c, h, w] * weight[c, o, i, j]."), function="conv_transpose2d"),
        Mistake("uncropped", partial(_stamps, crop=False),
                Text("Cut `padding` rows and columns off each side of the stamped output: "
                     "OH = (H - 1)*stride - 2*padding + kh.",
                     "도장을 찍은 출력의 양쪽에서 `padding`만큼 행과 열을 잘라 내세요: "
                     "OH = (H - 1)*stride - 2*padding + kh."), function="conv_transpose2d"),
        Mistake("weight_axes", support.with_output(conv_transpose2d_backward, 1,
                                                   lambda dw, **_: dw.transpose(1, 0, 2, 3).copy()),
                Text("dL/dweight has the weight's shape (C, O, kh, kw), ConvTranspose2d's layout (in, out); yours has "
                     "the first two axes swapped (Conv2d's layout).",
                     "dL/dweight는 가중치와 같은 모양, 곧 ConvTranspose2d의 가중치 순서인 (C, O, kh, kw) (in, out)입니다. "
                     "작성한 값은 앞의 두 축이 바뀌었습니다 (Conv2d의 가중치 순서)."), function="conv_transpose2d_backward"),
    ),
)
