"""Exercise maxout (chapter 9): the Maxout layer of the GAN paper's discriminators, forward and backward."""
from __future__ import annotations

import numpy

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text

STUB = '''

def maxout_forward(x, weight, bias, num_pieces):
    """Maxout (Goodfellow et al. 2013): each unit is the largest of num_pieces linear pieces,

        z = x @ weight + bias                   (N, num_units * num_pieces)
        y[n, j] = max over p of z[n, j*num_pieces + p]

    The pieces of unit j are the contiguous columns j*num_pieces .. j*num_pieces + num_pieces - 1
    (pylearn2's layout, minigan's).
    Shapes: x (N, in), weight (in, num_units * num_pieces), bias (num_units * num_pieces,), float64.
    Return y, shape (N, num_units).

    Hint: z.reshape(N, num_units, num_pieces) lists each unit's pieces along the last axis.
    """
    raise NotImplementedError


def maxout_backward(x, weight, bias, grad_output, num_pieces):
    """The backward pass of maxout_forward. Given g = grad_output = dL/dy (N, num_units), with k(n, j)
    the winning piece of unit j on row n (the first maximal one, as np.argmax picks):

        dL/dz[n, j, p] = g[n, j] if p == k(n, j), else 0      (viewed as (N, num_units * num_pieces))
        then z = x @ weight + bias backward, as a Linear layer:
        dL/dx = dL/dz @ weight^T,  dL/dweight = x^T @ dL/dz,  dL/dbias = sum over n of dL/dz

    Return (grad_x, grad_weight, grad_bias) with the shapes of x, weight and bias.

    Hint: the max passes its gradient to the winner only: the other pieces did not affect y. On a
    tie, one piece (the first) takes all of it.
    """
    raise NotImplementedError
'''

NAMES = ("dL/dx", "dL/dweight", "dL/dbias")   # as the stub names them


def _layer(weight, bias, num_pieces):
    n_in, width = weight.shape
    return support.layer(nn.Maxout(n_in, width // num_pieces, num_pieces), weight=weight, bias=bias)


def maxout_forward(x, weight, bias, num_pieces):
    """minigan's answer: Maxout.forward."""
    return _layer(weight, bias, num_pieces).forward(x)


def maxout_backward(x, weight, bias, grad_output, num_pieces):
    """minigan's answer: Maxout.backward after its forward."""
    return support.backward(_layer(weight, bias, num_pieces), x, grad_output)


def differences(x, weight, bias, grad_output, num_pieces):
    return support.differences(_layer(weight, bias, num_pieces), x, grad_output, NAMES)


def _args(rng, n, n_in, units, pieces, backward):
    args = {"x": rng.standard_normal((n, n_in)), "weight": rng.standard_normal((n_in, units * pieces)),
            "bias": rng.standard_normal(units * pieces)}
    if backward:
        args["grad_output"] = rng.standard_normal((n, units))
    return {**args, "num_pieces": pieces}


def cases(rng):
    out = []
    for function in ("maxout_forward", "maxout_backward"):
        out += [Case(_args(rng, *sizes, function == "maxout_backward"), function=function)
                for sizes in ((5, 3, 2, 3), (4, 6, 3, 2), (1, 2, 1, 4))]
    args = _args(rng, 4, 3, 2, 3, True)
    args["weight"][:, 1] = args["weight"][:, 0]       # unit 0: pieces 0 and 1 always tie,
    args["bias"][:2] = 10.0                           # and beat piece 2
    out.append(Case(args, function="maxout_backward", differences=False,
                    note=Text("unit 0's pieces 0 and 1 are equal (a tie): the first maximal piece takes the whole "
                              "gradient, a subgradient.",
                              "0번 유닛의 조각 0과 1이 같습니다 (동점). 첫 번째 최댓값 조각이 기울기를 모두 받습니다 "
                              "(하방 기울기).")))
    return out


def _z(x, weight, bias, num_pieces):
    return (x @ weight + bias).reshape(len(x), -1, num_pieces)


def _backward_through(x, weight, grad_z):
    grad_z = grad_z.reshape(len(x), -1)
    return grad_z @ weight.T, x.T @ grad_z, grad_z.sum(axis=0)


def _all_pieces(x, weight, bias, grad_output, num_pieces):
    return _backward_through(x, weight, numpy.repeat(grad_output[:, :, None], num_pieces, axis=2))


def _every_tied_piece(x, weight, bias, grad_output, num_pieces):
    z = _z(x, weight, bias, num_pieces)
    return _backward_through(x, weight, (z == z.max(axis=2, keepdims=True)) * grad_output[:, :, None])


EXERCISE = Exercise(
    name="maxout", chapter=9,
    task=Text("Write maxout_forward and maxout_backward: the max over linear pieces and its gradient.",
              "maxout_forward와 maxout_backward를 작성합니다: 선형 조각들의 최댓값과 그 기울기."),
    stub=STUB, look=Text("minigan/nn/maxout.py, Maxout.forward and Maxout.backward",
                         "minigan/nn/maxout.py의 Maxout.forward와 Maxout.backward"),
    reference=Text("minigan's Maxout", "minigan의 Maxout"),
    solutions={"maxout_forward": maxout_forward, "maxout_backward": maxout_backward},
    outputs={"maxout_forward": ("y",), "maxout_backward": NAMES},
    cases=cases, differences={"maxout_backward": differences},
    mistakes=(
        Mistake("pieces_strided", lambda x, weight, bias, num_pieces:
                (x @ weight + bias).reshape(len(x), num_pieces, -1).max(axis=1),
                Text("The pieces of unit j are the contiguous columns j*num_pieces + p: reshape z to "
                     "(N, num_units, num_pieces) and take the max over the last axis, not (N, num_pieces, num_units).",
                     "j번 유닛의 조각은 연속된 열 j*num_pieces + p입니다. z를 (N, num_pieces, num_units)가 아니라 "
                     "(N, num_units, num_pieces)로 바꾸고 마지막 축에서 최댓값을 구하세요."), function="maxout_forward"),
        Mistake("all_pieces", _all_pieces,
                Text("The max passes the gradient to the winning piece only (the others did not change y): "
                     "dL/dz[n, j, p] = g[n, j] where p is the argmax, 0 elsewhere.",
                     "최댓값은 이긴 조각에만 기울기를 넘깁니다 (나머지는 y를 바꾸지 않았습니다): p가 argmax인 곳에서 "
                     "dL/dz[n, j, p] = g[n, j], 나머지는 0입니다."), function="maxout_backward"),
        Mistake("every_tied_piece", _every_tied_piece,
                Text("On a tie, the first maximal piece (np.argmax's choice) takes the whole gradient; the mask "
                     "z == max gives it to every tied piece, counting it twice.",
                     "동점이면 첫 번째 최댓값 조각 (np.argmax가 고르는 조각)이 기울기를 모두 받습니다. z == max 마스크는 "
                     "동점인 모든 조각에 기울기를 주어 두 번 셉니다."), function="maxout_backward"),
    ),
)
