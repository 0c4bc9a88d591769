"""Exercise adam_step (chapter 2): one step of Adam, with its bias correction."""
from __future__ import annotations

from functools import partial

import numpy

from ... import nn, optim
from ..definition import Case, Exercise, Mistake
from ..messages import Text

STUB = '''

def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    """One step of Adam (Kingma & Ba 2015, as PyTorch and minigan's optim.Adam compute it):

        m     <- beta1 m + (1 - beta1) g            (the average of the gradients)
        v     <- beta2 v + (1 - beta2) g^2          (the average of their squares)
        m_hat =  m / (1 - beta1^t)                  (bias correction: m and v start at 0)
        v_hat =  v / (1 - beta2^t)
        param <- param - lr m_hat / (sqrt(v_hat) + eps)

    t is the number of this step: 1 on the first step (then m and v are 0).
    Shapes: param, grad, m, v have one shape (float64); t an int >= 1; lr, beta1, beta2, eps floats.
    Return (new_param, new_m, new_v) as new arrays; leave the arguments unchanged.

    Hint: on the first step m_hat = g and v_hat = g^2, so every entry moves by about lr, whatever
    the size of its gradient: a good value to print.
    """
    raise NotImplementedError
'''

NAMES = ("param", "m", "v")


def adam_step(param, grad, m, v, t, lr, beta1, beta2, eps):
    """minigan's answer: optim.Adam.step on a parameter, from the state (t - 1, m, v)."""
    p = nn.Parameter(param.copy())
    p.grad = grad.copy()
    adam = optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    adam.load_state_dict({"lr": lr, "betas": (beta1, beta2), "eps": eps, "t": t - 1, "m": m.ravel(), "v": v.ravel()})
    adam.step()
    return p.data.copy(), adam.m.reshape(param.shape), adam.v.reshape(param.shape)


def _args(rng, shape, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, first=False):
    zeros = numpy.zeros(shape)
    return {"param": rng.standard_normal(shape), "grad": rng.standard_normal(shape),
            "m": zeros if first else 0.1 * rng.standard_normal(shape),
            "v": zeros if first else 0.01 * rng.standard_normal(shape) ** 2,
            "t": t, "lr": lr, "beta1": beta1, "beta2": beta2, "eps": eps}


def cases(rng):
    out = [Case(_args(rng, (5,), 1, first=True)), Case(_args(rng, (3, 4), 7)),
           Case(_args(rng, (2, 3), 2, lr=2e-4, beta1=0.5)), Case(_args(rng, (6,), 1000, lr=0.01))]
    args = _args(rng, (2, 3), 1, first=True)
    args["grad"][0] = 0.0
    out.append(Case(args, note=Text("the first step, with some gradients exactly 0: those entries must not move "
                                    "(0 / (0 + eps) = 0).",
                                    "첫 단계이고 일부 기울기가 정확히 0입니다. 그 원소는 움직이지 않아야 합니다 "
                                    "(0 / (0 + eps) = 0).")))
    args = _args(rng, (4,), 1, first=True)
    args["grad"] = rng.uniform(1e-7, 1e-5, 4) * rng.choice([-1.0, 1.0], 4)
    out.append(Case(args, note=Text("the first step on gradients of 1e-7 to 1e-5 (a nearly flat direction): "
                                    "sqrt(v_hat) is then not much larger than eps.",
                                    "기울기가 1e-7에서 1e-5인 (거의 평평한 방향의) 첫 단계입니다. 그때 sqrt(v_hat)은 "
                                    "eps보다 그리 크지 않습니다.")))
    return out


def _adam(param, grad, m, v, t, lr, beta1, beta2, eps, correction=True, eps_inside=False, sign=1.0, new=True):
    """Adam as a learner writes it, with a switch for each classic mistake."""
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad * grad
    m_used, v_used = (m_new, v_new) if new else (m, v)
    c1, c2 = (1 - beta1 ** t, 1 - beta2 ** t) if correction else (1.0, 1.0)
    m_hat, v_hat = m_used / c1, v_used / c2
    denominator = numpy.sqrt(v_hat + eps) if eps_inside else numpy.sqrt(v_hat) + eps
    return param - sign * lr * m_hat / denominator, m_new, v_new


EXERCISE = Exercise(
    name="adam_step", chapter=2,
    task=Text("Write adam_step(param, grad, m, v, t, lr, beta1, beta2, eps): one Adam update with bias correction.",
              "adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)를 작성합니다: 편향 보정을 포함한 Adam 갱신 한 번."),
    stub=STUB, look=Text("minigan/optim/adam.py, PlainAdam.step (the paper's step; Adam.step is its fast version)",
                         "minigan/optim/adam.py의 PlainAdam.step (논문의 단계; Adam.step은 그 빠른 버전)"),
    reference=Text("minigan's optim.Adam.step", "minigan의 optim.Adam.step"),
    solutions={"adam_step": adam_step}, outputs={"adam_step": NAMES}, cases=cases,
    mistakes=(
        Mistake("no_bias_correction", partial(_adam, correction=False),
                Text("Bias correction is missing: m and v start at 0, so they are too small on the first steps; "
                     "divide them by (1 - beta1^t) and (1 - beta2^t) before the step.",
                     "편향 보정이 빠졌습니다. m과 v는 0에서 시작하므로 처음 몇 단계에서는 너무 작습니다. 단계 전에 "
                     "(1 - beta1^t)와 (1 - beta2^t)로 나누세요.")),
        Mistake("eps_inside", partial(_adam, eps_inside=True),
                Text("eps goes after the square root: lr m_hat / (sqrt(v_hat) + eps), not sqrt(v_hat + eps).",
                     "eps는 제곱근 바깥에 더합니다: sqrt(v_hat + eps)가 아니라 lr m_hat / (sqrt(v_hat) + eps)입니다.")),
        Mistake("ascent", partial(_adam, sign=-1.0),
                Text("Adam descends: param - lr m_hat / (sqrt(v_hat) + eps). You moved up the gradient.",
                     "Adam은 내려갑니다: param - lr m_hat / (sqrt(v_hat) + eps). 기울기 방향으로 올라갔습니다.")),
        Mistake("old_moments", partial(_adam, new=False),
                Text("Update m and v with this step's gradient first, then step with the new m_hat and v_hat.",
                     "먼저 이번 단계의 기울기로 m과 v를 갱신한 뒤, 새 m_hat과 v_hat으로 단계를 밟으세요.")),
    ),
)
