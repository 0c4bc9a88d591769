"""Exercise sigmoid_tanh (chapter 2): a sigmoid that never overflows, and the backward passes of
Sigmoid and Tanh."""
from __future__ import annotations

import numpy

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import CHAIN_RULE

STUB = '''

def sigmoid(x):
    """sigma(x) = 1 / (1 + exp(-x)), elementwise, for any float64 x, without overflow.

    Shapes: x any shape; return an array of that shape.

    Hint: for x = -1000, exp(-x) overflows to inf (NumPy warns; the checker treats the overflow as an
    error). Compute only exponentials that cannot overflow: for x >= 0, exp(-x) <= 1; for x < 0,
    sigma(x) = exp(x) / (1 + exp(x)). np.where evaluates both of its branches everywhere, so give
    each branch only the x it is meant for, or use np.logaddexp: sigma(x) = exp(-log(1 + exp(-x))).
    """
    raise NotImplementedError


def sigmoid_backward(x, grad_output):
    """dL/dx = grad_output * sigma'(x), with sigma'(x) = sigma(x) (1 - sigma(x)).

    Shapes: x and grad_output have one shape; return an array of that shape.

    Hint: compute s = sigma(x) once (your function above) and write the derivative with s.
    """
    raise NotImplementedError


def tanh_backward(x, grad_output):
    """dL/dx = grad_output * tanh'(x), with tanh'(x) = 1 - tanh(x)^2.

    Shapes: x and grad_output have one shape; return an array of that shape.

    Hint: np.tanh(x) is stable for any x.
    """
    raise NotImplementedError
'''


def sigmoid(x):
    return nn.sigmoid(x)


def sigmoid_backward(x, grad_output):
    return support.backward(nn.Sigmoid(), x, grad_output, parameters=())[0]


def tanh_backward(x, grad_output):
    return support.backward(nn.Tanh(), x, grad_output, parameters=())[0]


def _differences(layer):
    return lambda x, grad_output: support.differences(layer(), x, grad_output, ("dL/dx",), parameters=())


def cases(rng):
    out = [Case({"x": 3 * rng.standard_normal(shape)}, function="sigmoid") for shape in ((5,), (3, 4))]
    out.append(Case({"x": numpy.array([-1000.0, -745.0, -30.0, 0.0, 30.0, 745.0, 1000.0])}, function="sigmoid",
                    errstate={"over": "raise"},
                    note=Text("x reaches -1000, where exp(-x) overflows: use only exponentials of -|x|.",
                              "x에 -1000이 있고, 그곳에서 exp(-x)가 오버플로합니다. -|x|의 지수만 쓰세요.")))
    for function in ("sigmoid_backward", "tanh_backward"):
        out += [Case({"x": 2 * rng.standard_normal(shape), "grad_output": rng.standard_normal(shape)},
                     function=function) for shape in ((6,), (2, 3, 2))]
        x = numpy.array([-40.0, -8.0, 0.0, 8.0, 40.0])
        out.append(Case({"x": x, "grad_output": numpy.ones_like(x)}, function=function, differences=False,
                        note=Text("large |x|: the curve is flat there (saturation), so the gradient is nearly 0.",
                                  "|x|가 큽니다. 그곳에서 곡선이 평평하므로 (포화) 기울기가 거의 0입니다.")))
    return out


EXERCISE = Exercise(
    name="sigmoid_tanh", chapter=2,
    task=Text("Write sigmoid(x) without overflow, sigmoid_backward and tanh_backward.",
              "오버플로 없는 sigmoid(x), sigmoid_backward, tanh_backward를 작성합니다."),
    stub=STUB, look=Text("minigan/nn/activations.py, sigmoid, Sigmoid.backward and Tanh.backward",
                         "minigan/nn/activations.py의 sigmoid, Sigmoid.backward, Tanh.backward"),
    reference=Text("minigan's sigmoid, Sigmoid.backward and Tanh.backward",
                   "minigan의 sigmoid, Sigmoid.backward, Tanh.backward"),
    solutions={"sigmoid": sigmoid, "sigmoid_backward": sigmoid_backward, "tanh_backward": tanh_backward},
    outputs={"sigmoid": ("sigma(x)",), "sigmoid_backward": ("dL/dx",), "tanh_backward": ("dL/dx",)},
    cases=cases, differences={"sigmoid_backward": _differences(nn.Sigmoid), "tanh_backward": _differences(nn.Tanh)},
    mistakes=(
        Mistake("sigmoid_of_x", lambda x, grad_output: grad_output * x * (1 - x),
                Text("sigma'(x) = sigma(x) (1 - sigma(x)): apply it to s = sigma(x), not to x itself.",
                     "sigma'(x) = sigma(x) (1 - sigma(x))입니다. x가 아니라 s = sigma(x)에 적용하세요."),
                function="sigmoid_backward"),
        Mistake("sigmoid_no_grad_output", lambda x, grad_output: nn.sigmoid(x) * (1 - nn.sigmoid(x)), CHAIN_RULE,
                function="sigmoid_backward"),
        Mistake("tanh_of_x", lambda x, grad_output: grad_output * (1 - x * x),
                Text("tanh'(x) = 1 - tanh(x)^2: square tanh(x), not x.",
                     "tanh'(x) = 1 - tanh(x)^2입니다. x가 아니라 tanh(x)를 제곱하세요."),
                function="tanh_backward"),
        Mistake("tanh_no_square", lambda x, grad_output: grad_output * (1 - numpy.tanh(x)),
                Text("tanh'(x) = 1 - tanh(x)^2: the square is missing.",
                     "tanh'(x) = 1 - tanh(x)^2입니다. 제곱이 빠졌습니다."),
                function="tanh_backward"),
    ),
)
