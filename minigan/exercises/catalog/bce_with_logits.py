"""Exercise bce_with_logits (chapter 2): the binary cross-entropy on logits, stable for any logit,
and its fused gradient."""
from __future__ import annotations

import numpy

from ... import losses, nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import mean_forgotten

STUB = '''

def bce_with_logits(logits, target):
    """The mean binary cross-entropy of p = sigmoid(a) for logits a, computed from a directly:

        L = mean over every element of  -(t log sigmoid(a) + (1 - t) log(1 - sigmoid(a)))
          = mean of  max(a, 0) - a t + log(1 + exp(-|a|))

    Shapes: logits and target have one shape (float64), target in [0, 1]. Return a float.

    Hint: the second form never overflows and never takes log(0): check that it equals the first
    for a > 0 and for a < 0. np.log1p(y) is log(1 + y), accurate for small y.
    """
    raise NotImplementedError


def bce_with_logits_backward(logits, target):
    """dL/da for the mean above: (sigmoid(a) - t) / n, n the number of elements.

    Shapes: as bce_with_logits; return an array of the logits' shape.

    Hint: by the chain rule, dL/da = dL/dp * dp/da; dp/da = p(1 - p) cancels the denominator of
    BCE's dL/dp. Compute the sigmoid without overflow (np.logaddexp, or split a >= 0 and a < 0).
    """
    raise NotImplementedError
'''


def _loss(a, t):
    loss = losses.BCEWithLogitsLoss()
    return loss, loss.forward(a, t)


def bce_with_logits(logits, target):
    return float(_loss(logits, target)[1])


def bce_with_logits_backward(logits, target):
    return _loss(logits, target)[0].backward()


def differences(logits, target):
    return support.function_differences(lambda logits: _loss(logits, target)[1], {"dL/da": "logits"}, logits=logits)


def cases(rng):
    out = []
    for function in ("bce_with_logits", "bce_with_logits_backward"):
        for shape, soft in (((6, 1), False), ((3, 4), True)):
            target = rng.uniform(0, 1, shape) if soft else rng.integers(0, 2, shape).astype(numpy.float64)
            out.append(Case({"logits": 3 * rng.standard_normal(shape), "target": target}, function=function))
        out.append(Case({"logits": numpy.array([[-800.0], [-40.0], [40.0], [800.0]]),
                         "target": numpy.array([[1.0], [0.0], [1.0], [0.0]])}, function=function, differences=False,
                        note=Text("logits of +-800, far past where sigmoid(a) rounds to 0 or 1 (|a| > 37).",
                                  "로짓이 +-800으로, sigmoid(a)가 0이나 1로 반올림되는 곳(|a| > 37)보다 훨씬 멉니다.")))
    return out


def _naive(logits, target):
    p = 1 / (1 + numpy.exp(-logits))
    return float(-(target * numpy.log(p) + (1 - target) * numpy.log(1 - p)).mean())


EXERCISE = Exercise(
    name="bce_with_logits", chapter=2,
    task=Text("Write bce_with_logits(logits, target), stable for any logit, and its gradient (sigmoid(a) - t)/n.",
              "어떤 로짓에도 안정적인 bce_with_logits(logits, target)와 그 기울기 (sigmoid(a) - t)/n을 작성합니다."),
    stub=STUB, look=Text("minigan/losses.py, BCEWithLogitsLoss.forward and BCEWithLogitsLoss.backward",
                         "minigan/losses.py의 BCEWithLogitsLoss.forward와 BCEWithLogitsLoss.backward"),
    reference=Text("minigan's BCEWithLogitsLoss", "minigan의 BCEWithLogitsLoss"),
    solutions={"bce_with_logits": bce_with_logits, "bce_with_logits_backward": bce_with_logits_backward},
    outputs={"bce_with_logits": ("L",), "bce_with_logits_backward": ("dL/da",)},
    cases=cases, differences={"bce_with_logits_backward": differences},
    mistakes=(
        Mistake("naive_forward", _naive,
                Text("log(sigmoid(a)) breaks for large |a|: sigmoid(a) rounds to 0 or 1 and the log gives -inf "
                     "(then 0 * inf = nan). Use max(a, 0) - a t + log1p(exp(-|a|)), which never overflows.",
                     "|a|가 크면 log(sigmoid(a))가 망가집니다. sigmoid(a)가 0이나 1로 반올림되어 로그가 -inf가 되고 "
                     "0 * inf = nan이 됩니다. 오버플로하지 않는 max(a, 0) - a t + log1p(exp(-|a|))를 쓰세요.")),
        Mistake("gradient_of_p", lambda logits, target:
                (nn.sigmoid(logits) - target) / (nn.sigmoid(logits) * (1 - nn.sigmoid(logits))) / logits.size,
                Text("That is BCE's derivative with respect to p = sigmoid(a). The input here is the logit a: by the "
                     "chain rule dp/da = p(1 - p) cancels that denominator, leaving (sigmoid(a) - t)/n.",
                     "그것은 p = sigmoid(a)에 대한 BCE의 미분입니다. 여기서 입력은 로짓 a입니다. 연쇄 법칙에 따라 "
                     "dp/da = p(1 - p)가 분모를 약분하여 (sigmoid(a) - t)/n이 남습니다."),
                function="bce_with_logits_backward"),
        Mistake("no_mean", lambda logits, target: nn.sigmoid(logits) - target, mean_forgotten("logits.size"),
                function="bce_with_logits_backward"),
        Mistake("sign", lambda logits, target: (target - nn.sigmoid(logits)) / logits.size,
                Text("The sign is flipped: dL/da = (sigmoid(a) - t)/n pushes a down when sigmoid(a) is above t.",
                     "부호가 반대입니다. dL/da = (sigmoid(a) - t)/n은 sigmoid(a)가 t보다 크면 a를 낮춥니다."),
                function="bce_with_logits_backward"),
    ),
)
