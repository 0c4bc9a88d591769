"""Exercise residual_block (chapter 8): the forward and backward pass of y = x + f(x) around a branch."""
from __future__ import annotations

import weakref

from ... import nn
from .. import support
from ..definition import Case, Exercise, Fresh, Mistake
from ..messages import Text

STUB = '''

def residual_forward(x, branch):
    """A residual connection: y = x + f(x), where f = branch (a minigan module whose output has x's shape).

    Shapes: x any shape the branch takes (float64). Return y, x's shape, as a new array.

    Hint: branch.forward(x) (or branch(x)) runs the branch and caches what its backward needs. An empty
    branch returns x itself: compute x + f(x) as a new array; do not add into f(x) in place.
    """
    raise NotImplementedError


def residual_backward(grad_output, branch):
    """The backward pass of y = x + f(x), after residual_forward:

        dL/dx = g + f'(x)^T g,   g = grad_output = dL/dy

    the identity path's gradient plus the branch's. branch.backward(g) returns f'(x)^T g and adds
    the branch's parameter gradients into their .grad (call it once).
    Shapes: grad_output like y. Return dL/dx as a new array; leave grad_output unchanged.

    Hint: a branch may return g itself from its backward (an empty branch does): adding into what it
    returned (+=) would then change grad_output too.
    """
    raise NotImplementedError
'''


#: branch -> the minigan Residual that residual_forward wrapped around it (its backward needs its forward)
_WRAPPED = weakref.WeakKeyDictionary()


def residual_forward(x, branch):
    """minigan's answer: Residual.forward around the branch."""
    _WRAPPED[branch] = nn.Residual(branch)
    return _WRAPPED[branch].forward(x)


def residual_backward(grad_output, branch):
    """minigan's answer: Residual.backward, after residual_forward on the same branch."""
    return _WRAPPED[branch].backward(grad_output)


def driver(case, call, args):
    """Forward, then backward; the outputs are y, dL/dx and the branch's parameter gradients."""
    branch = args["branch"]
    (y,) = call("residual_forward", x=args["x"], branch=branch)
    (grad_x,) = call("residual_backward", grad_output=args["grad_output"], branch=branch)
    return (y, grad_x) + tuple(p.grad.copy() for p in branch.parameters())


def differences(x, branch, grad_output):
    """dL/dx by centred differences of sum(Residual(branch)(x) * grad_output)."""
    return support.differences(nn.Residual(branch), x, grad_output, ("dL/dx",), parameters=())


BRANCHES = {
    "Linear, Tanh, Linear": (lambda: nn.Sequential(nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 5)), (4, 5)),
    "ResidualBlock(2).branch": (lambda: nn.ResidualBlock(2).branch, (2, 2, 4, 4)),
    "Linear, LeakyReLU": (lambda: nn.Sequential(nn.Linear(3, 3), nn.LeakyReLU(0.2)), (1, 3)),
    "Sequential() (f(x) = x)": (lambda: nn.Sequential(), (3, 2)),
}


def cases(rng):
    out = []
    for seed, (label, (make, shape)) in enumerate(BRANCHES.items()):
        names = ("y", "dL/dx") + tuple(f"dL/d branch.{n}" for n, _ in make().named_parameters())
        note = None if label != "Sequential() (f(x) = x)" else Text(
            "an empty branch: f(x) = x, y = 2x, and branch.backward(g) returns g itself.",
            "빈 가지입니다: f(x) = x, y = 2x이고, branch.backward(g)는 g 자체를 돌려줍니다.")
        out.append(Case({"x": rng.standard_normal(shape), "branch": Fresh(lambda built, make=make: make(), label),
                         "grad_output": rng.standard_normal(shape)}, function="residual_backward", outputs=names,
                        note=note, seed=seed))
    return out


def _no_identity(grad_output, branch):
    return branch.backward(grad_output)


def _no_branch(grad_output, branch):
    return grad_output.copy()


def _twice(grad_output, branch):
    branch.backward(grad_output)
    return grad_output + branch.backward(grad_output)


EXERCISE = Exercise(
    name="residual_block", chapter=8,
    task=Text("Write residual_forward and residual_backward: y = x + f(x) and dL/dx = g + f'(x)^T g.",
              "residual_forward와 residual_backward를 작성합니다: y = x + f(x)와 dL/dx = g + f'(x)^T g."),
    stub=STUB, look=Text("minigan/nn/residual.py, Residual.forward and Residual.backward",
                         "minigan/nn/residual.py의 Residual.forward와 Residual.backward"),
    reference=Text("minigan's Residual", "minigan의 Residual"),
    solutions={"residual_forward": residual_forward, "residual_backward": residual_backward},
    outputs={"residual_forward": ("y",), "residual_backward": ("dL/dx",)},
    cases=cases, driver=driver, differences={"residual_backward": differences},
    mistakes=(
        Mistake("no_identity", _no_identity,
                Text("The identity path is missing: y = x + f(x), so dL/dx = g + f'(x)^T g; the g that flows straight "
                     "down is what keeps deep networks trainable.",
                     "항등 경로가 빠졌습니다. y = x + f(x)이므로 dL/dx = g + f'(x)^T g입니다. 그대로 아래로 흐르는 g가 "
                     "깊은 신경망을 학습할 수 있게 합니다."), function="residual_backward"),
        Mistake("no_branch", _no_branch,
                Text("The branch's part is missing: call branch.backward(g) and add what it returns to g (it also "
                     "gives the branch's parameters their gradients).",
                     "가지의 몫이 빠졌습니다. branch.backward(g)를 불러 그 결과를 g에 더하세요 (그래야 가지의 "
                     "매개변수도 기울기를 받습니다)."), function="residual_backward"),
        Mistake("backward_twice", _twice,
                Text("branch.backward ran twice: it adds into the parameters' .grad each time, so their gradients "
                     "doubled. Call it once and keep its result.",
                     "branch.backward를 두 번 불렀습니다. 부를 때마다 매개변수의 .grad에 더하므로 기울기가 두 배가 "
                     "되었습니다. 한 번만 부르고 결과를 저장해 두세요."), function="residual_backward"),
    ),
)
