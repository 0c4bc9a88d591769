"""Exercise leaky_relu (chapter 2): LeakyReLU's backward pass, and where its slope goes."""
from __future__ import annotations

import numpy

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import CHAIN_RULE

STUB = '''

def leaky_relu_backward(x, grad_output, negative_slope):
    """The backward pass of LeakyReLU, y = x where x > 0, else negative_slope * x.

    Given g = grad_output = dL/dy, return dL/dx = g * f'(x), elementwise, where

        f'(x) = 1                where x > 0
        f'(x) = negative_slope   where x <= 0   (at x = 0 exactly, minigan and PyTorch use the slope)

    Shapes: x and grad_output have one shape, any shape (float64); negative_slope is a float in [0, 1).
    Return a new array of that shape; leave the arguments unchanged.

    Hint: build f'(x) as an array first, then multiply. np.where(condition, a, b) takes a where the
    condition holds and b elsewhere.
    """
    raise NotImplementedError
'''


def leaky_relu_backward(x, grad_output, negative_slope):
    """minigan's answer: LeakyReLU.backward after its forward."""
    return support.backward(nn.LeakyReLU(negative_slope), x, grad_output, parameters=())[0]


def differences(x, grad_output, negative_slope):
    return support.differences(nn.LeakyReLU(negative_slope), x, grad_output, ("dL/dx",), parameters=())


def cases(rng):
    out = [Case({"x": support.away_from_zero(rng, shape), "grad_output": rng.standard_normal(shape),
                 "negative_slope": slope})
           for shape, slope in (((6,), 0.2), ((4, 3), 0.01), ((2, 3, 4), 0.2), ((5, 2), 0.0))]
    x = numpy.array([[-1.5, 0.0, 2.0], [0.0, 0.3, -0.0]])
    out.append(Case({"x": x, "grad_output": rng.standard_normal(x.shape), "negative_slope": 0.2}, differences=False,
                    note=Text("x holds exact zeros. f has no derivative at 0; like PyTorch, minigan uses the slope "
                              "there (x > 0 is False at 0).",
                              "x에 정확히 0인 원소가 있습니다. f는 0에서 미분할 수 없습니다. minigan은 PyTorch처럼 그곳에서 "
                              "경사를 씁니다 (0에서 x > 0은 거짓입니다).")))
    return out


def _slope(x, inside, outside):
    return numpy.where(x > 0, inside, outside)


EXERCISE = Exercise(
    name="leaky_relu", chapter=2,
    task=Text("Write leaky_relu_backward(x, grad_output, negative_slope): LeakyReLU's dL/dx.",
              "leaky_relu_backward(x, grad_output, negative_slope)를 작성합니다: LeakyReLU의 dL/dx."),
    stub=STUB, look=Text("minigan/nn/activations.py, PlainLeakyReLU.backward",
                         "minigan/nn/activations.py의 PlainLeakyReLU.backward"),
    reference=Text("minigan's LeakyReLU.backward", "minigan의 LeakyReLU.backward"),
    solutions={"leaky_relu_backward": leaky_relu_backward}, outputs={"leaky_relu_backward": ("dL/dx",)},
    cases=cases, differences={"leaky_relu_backward": differences},
    mistakes=(
        Mistake("wrong_side", lambda x, grad_output, negative_slope: grad_output * _slope(x, negative_slope, 1.0),
                Text("The slope is on the wrong side of 0: f'(x) = 1 for x > 0 and negative_slope for x <= 0.",
                     "경사를 0의 반대쪽에 적용했습니다. x > 0이면 f'(x) = 1, x <= 0이면 negative_slope입니다.")),
        Mistake("no_grad_output", lambda x, grad_output, negative_slope: _slope(x, 1.0, negative_slope), CHAIN_RULE),
        Mistake("one_at_zero", lambda x, grad_output, negative_slope:
                grad_output * numpy.where(x >= 0, 1.0, negative_slope),
                Text("At x = 0 exactly you used 1 (x >= 0); minigan, like PyTorch, uses the slope there (x > 0).",
                     "x = 0에서 1을 썼습니다 (x >= 0). minigan은 PyTorch처럼 그곳에서 경사를 씁니다 (x > 0).")),
    ),
)
