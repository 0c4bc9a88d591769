"""Exercise bce (chapter 2): the gradient of the mean binary cross-entropy with respect to p.

Its function is part of the interface outside checks rely on (issue 25):
``bce_backward(p, target) -> grad_p`` for the mean over all elements."""
from __future__ import annotations

import numpy

from ... import losses
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import mean_forgotten

STUB = '''

def bce_backward(p, target):
    """dL/dp for the mean binary cross-entropy over all elements,

        L = mean over every element of  -(t log p + (1 - t) log(1 - p)).

    Shapes: p and target have one shape, any shape (float64); p is strictly between 0 and 1 (D's
    output after a sigmoid); t = target is in [0, 1], not only 0 or 1 (label smoothing uses 0.9).
    Return dL/dp, an array of p's shape.

    Hint: differentiate one term, then remember the mean: each element's term is divided by the number
    of elements, p.size. The two fractions -t/p + (1 - t)/(1 - p) combine into one.
    """
    raise NotImplementedError
'''


def bce_backward(p, target):
    """minigan's answer: BCELoss.backward after its forward."""
    loss = losses.BCELoss()
    loss.forward(p, target)
    return loss.backward()


def differences(p, target):
    return support.function_differences(lambda p: losses.BCELoss().forward(p, target), {"dL/dp": "p"}, p=p)


def cases(rng):
    out = []
    for shape, soft in (((8, 1), False), ((4, 3), False), ((2, 3, 2), True), ((5, 2), True)):
        target = rng.uniform(0, 1, shape) if soft else rng.integers(0, 2, shape).astype(numpy.float64)
        out.append(Case({"p": rng.uniform(0.05, 0.95, shape), "target": target}))
    p = numpy.array([[1e-8, 1 - 1e-8], [1e-8, 1 - 1e-8], [0.5, 0.5]])
    out.append(Case({"p": p, "target": numpy.array([[0.0, 1.0], [1.0, 0.0], [0.9, 0.1]])}, differences=False,
                    note=Text("p within 1e-8 of 0 and 1: right where p is near its target, very large where it is "
                              "far from it.",
                              "p가 0과 1에서 1e-8 안쪽에 있습니다. 목표에 가까우면 기울기가 작고, 멀면 아주 큽니다.")))
    return out


def _gradient(p, target, scale):
    return (p - target) / (p * (1 - p)) * scale


EXERCISE = Exercise(
    name="bce", chapter=2,
    task=Text("Write bce_backward(p, target): dL/dp of the mean binary cross-entropy.",
              "bce_backward(p, target)를 작성합니다: 평균 이진 교차 엔트로피의 dL/dp."),
    stub=STUB, look=Text("minigan/losses.py, BCELoss.backward",
                         "minigan/losses.py의 BCELoss.backward"),
    reference=Text("minigan's BCELoss.backward", "minigan의 BCELoss.backward"),
    solutions={"bce_backward": bce_backward}, outputs={"bce_backward": ("dL/dp",)},
    cases=cases, differences={"bce_backward": differences},
    mistakes=(
        Mistake("no_mean", lambda p, target: _gradient(p, target, 1.0), mean_forgotten("p.size")),
        Mistake("batch_size", lambda p, target: _gradient(p, target, 1.0 / p.shape[0]),
                Text("Divide by the number of elements, p.size, not by the batch size p.shape[0]: the mean runs "
                     "over every element.",
                     "배치 크기 p.shape[0]이 아니라 원소 수 p.size로 나누세요. 평균은 모든 원소에 대해 구합니다.")),
        Mistake("logit", lambda p, target: (p - target) / p.size,
                Text("(p - t)/n is the derivative with respect to the logit a (BCE with logits, where the "
                     "sigmoid's p(1 - p) cancels). Here the input is p itself: divide by p(1 - p) as well.",
                     "(p - t)/n은 로짓 a에 대한 미분입니다 (로짓을 받는 BCE에서는 시그모이드의 p(1 - p)가 "
                     "약분됩니다). 여기서 입력은 p 자체이므로 p(1 - p)로도 나누세요.")),
        Mistake("sign", lambda p, target: _gradient(p, target, -1.0 / p.size),
                Text("The sign is flipped: the loss grows as p moves away from t, so dL/dp has the sign of p - t.",
                     "부호가 반대입니다. p가 t에서 멀어질수록 손실이 커지므로 dL/dp의 부호는 p - t의 부호입니다.")),
        Mistake("binary_only", lambda p, target: numpy.where(target == 1, -1 / p, 1 / (1 - p)) / p.size,
                Text("Targets need not be 0 or 1 (one-sided label smoothing uses 0.9): keep both terms, "
                     "-t/p + (1 - t)/(1 - p), for every t.",
                     "목표값이 꼭 0이나 1은 아닙니다 (한쪽 레이블 평활화(one-sided label smoothing)는 0.9를 씁니다). 모든 t에 대해 두 항 "
                     "-t/p + (1 - t)/(1 - p)를 모두 쓰세요.")),
    ),
)
