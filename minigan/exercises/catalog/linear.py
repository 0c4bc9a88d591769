"""Exercise linear (chapter 2): the three gradients of a fully connected layer.

Its function is part of the interface outside checks rely on (issue 25):
``linear_backward(x, weight, grad_output) -> (grad_x, grad_weight, grad_bias)``."""
from __future__ import annotations

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text

STUB = '''

def linear_backward(x, weight, grad_output):
    """The backward pass of a fully connected layer, y = x @ weight + bias.

    Given g = grad_output = dL/dy, return the three gradients

        dL/dx = g @ weight^T              shape (N, in)
        dL/dW = x^T @ g                   shape (in, out)
        dL/db = the sum over n of g[n]    shape (out,)

    Shapes: x (N, in), weight (in, out), grad_output (N, out), all float64.
    Return the tuple (grad_x, grad_weight, grad_bias) of new arrays; leave the arguments unchanged.

    Hint: write one entry, y[n, j] = sum_i x[n, i] W[i, j] + b[j], and differentiate it. Every row n
    uses the same W and b, so their gradients add N contributions. A gradient always has the shape of
    what it is the gradient of.
    """
    raise NotImplementedError
'''

NAMES = ("dL/dx", "dL/dW", "dL/db")


def _layer(weight):
    return support.layer(nn.Linear(*weight.shape), weight=weight)


def linear_backward(x, weight, grad_output):
    """minigan's answer: Linear.backward (``affine_backward``) after its forward."""
    return support.backward(_layer(weight), x, grad_output)


def differences(x, weight, grad_output):
    return support.differences(_layer(weight), x, grad_output, NAMES)


def cases(rng):
    sizes = ((6, 4, 4), (4, 3, 5), (3, 1, 6), (5, 7, 2))         # (N, in, out): square first, where g @ W runs
    out = [Case({"x": rng.standard_normal((n, i)), "weight": rng.standard_normal((i, o)),
                 "grad_output": rng.standard_normal((n, o))}) for n, i, o in sizes]
    out.append(Case({"x": rng.standard_normal((1, 3)), "weight": rng.standard_normal((3, 2)),
                     "grad_output": rng.standard_normal((1, 2))},
                    note=Text("a batch of one row: dL/db still has the bias's shape (out,).",
                              "행이 하나뿐인 배치입니다. dL/db의 모양은 여전히 편향의 모양 (out,)입니다.")))
    return out


EXERCISE = Exercise(
    name="linear", chapter=2,
    task=Text("Write linear_backward(x, weight, grad_output): dL/dx, dL/dW, dL/db of y = x @ W + b.",
              "linear_backward(x, weight, grad_output)를 작성합니다: y = x @ W + b의 dL/dx, dL/dW, dL/db."),
    stub=STUB, look=Text("minigan/nn/linear.py, Linear.backward and affine_backward",
                         "minigan/nn/linear.py의 Linear.backward와 affine_backward"),
    reference=Text("minigan's Linear.backward", "minigan의 Linear.backward"),
    solutions={"linear_backward": linear_backward}, outputs={"linear_backward": NAMES},
    cases=cases, differences={"linear_backward": differences},
    mistakes=(
        Mistake("transposed_weight", support.with_output(linear_backward, 1, lambda w, x, weight, grad_output:
                                                          grad_output.T @ x),
                Text("Your dL/dW is g^T x, the transpose of the right one: dL/dW = x^T g has the weight's shape "
                     "(in, out).",
                     "작성한 dL/dW는 g^T x로, 정답의 전치입니다. dL/dW = x^T g는 가중치와 같은 모양 (in, out)입니다.")),
        Mistake("bias_not_summed", support.with_output(linear_backward, 2, lambda db, grad_output, **_:
                                                       grad_output.copy()),
                Text("dL/db must add g over the batch: every row used the same bias, so dL/db = the sum over n of "
                     "g[n], shape (out,) (grad_output.sum(axis=0)).",
                     "dL/db는 배치 전체에 걸쳐 g를 더해야 합니다. 모든 행이 같은 편향을 썼으므로 dL/db = (n에 대한 합) "
                     "g[n]이고 모양은 (out,)입니다 (grad_output.sum(axis=0)).")),
        Mistake("bias_mean", support.with_output(linear_backward, 2, lambda db, grad_output, **_:
                                                 grad_output.mean(axis=0)),
                Text("dL/db is the sum over the batch, not the mean: the loss's own 1/N is already inside g.",
                     "dL/db는 배치에 대한 평균이 아니라 합입니다. 손실의 1/N은 이미 g 안에 들어 있습니다.")),
        Mistake("weight_not_transposed", support.with_output(linear_backward, 0, lambda dx, weight, grad_output, **_:
                                                             grad_output @ weight),
                Text("dL/dx = g W^T: each x[n, i] reached y through row i of W, so multiply by the transpose.",
                     "dL/dx = g W^T입니다. x[n, i]는 W의 i번째 행을 거쳐 y에 닿았으므로 전치를 곱하세요.")),
    ),
)
