"""Exercise value_function (chapter 1): V(D, G) on samples, and the generator's gradient with respect to
D(G(z)) under the minimax and the non-saturating loss."""
from __future__ import annotations

import numpy

from ... import losses
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import mean_forgotten

STUB = '''

def value_function(d_real, d_fake):
    """The value of the game on a batch, each expectation estimated by its batch's mean:

        V(D, G) = mean(log D(x)) + mean(log(1 - D(G(z))))

    d_real = D(x) on m real samples, shape (m, 1); d_fake = D(G(z)) on n fakes, shape (n, 1);
    probabilities strictly between 0 and 1 (float64); m and n may differ. Return a float.

    Hint: D ascends V (it wants D(x) near 1 and D(G(z)) near 0). Each expectation is its own mean.
    """
    raise NotImplementedError


def generator_gradient(d_fake, loss):
    """The gradient of the generator's loss L_G with respect to D's outputs on the fakes, dL_G/dD(G(z)):

        loss == "minimax":         L_G =  mean(log(1 - D(G(z))))     (the game itself: G descends V)
        loss == "non-saturating":  L_G = -mean(log D(G(z)))          (the paper's practical choice)

    d_fake: shape (n, 1), strictly between 0 and 1. Return an array of its shape.

    Hint: differentiate one term and keep the mean's 1/n. Then compare the two losses where
    D(G(z)) is near 0 (early in training, when D easily spots the fakes): which one still pushes G?
    """
    raise NotImplementedError
'''


def value_function(d_real, d_fake):
    """minigan's answer: V = -(BCE(D(x), 1) + BCE(D(G(z)), 0)), as ``GAN.discriminator_step`` reports it."""
    bce = losses.BCELoss()
    return -float(bce.forward(d_real, numpy.ones_like(d_real)) + bce.forward(d_fake, numpy.zeros_like(d_fake)))


def _generator_loss(d_fake, loss):
    """(L_G, its BCE, the sign), as ``GAN.generator_step`` computes them."""
    bce = losses.BCELoss()
    if loss == "non-saturating":
        return bce.forward(d_fake, numpy.ones_like(d_fake)), bce, 1.0
    return -bce.forward(d_fake, numpy.zeros_like(d_fake)), bce, -1.0


def generator_gradient(d_fake, loss):
    _, bce, sign = _generator_loss(d_fake, loss)
    return sign * bce.backward()


def differences(d_fake, loss):
    return support.function_differences(lambda d_fake: _generator_loss(d_fake, loss)[0], {"dL_G/dD(G(z))": "d_fake"},
                                        d_fake=d_fake)


def cases(rng):
    out = [Case({"d_real": rng.uniform(0.05, 0.95, (m, 1)), "d_fake": rng.uniform(0.05, 0.95, (n, 1))},
                function="value_function") for m, n in ((8, 8), (5, 7), (1, 3))]
    out.append(Case({"d_real": numpy.full((4, 1), 0.5), "d_fake": numpy.full((4, 1), 0.5)}, function="value_function",
                    note=Text("D = 1/2 everywhere, the equilibrium: V = -log 4.",
                              "모든 곳에서 D = 1/2인 균형입니다: V = -log 4.")))
    for loss in ("minimax", "non-saturating"):
        out += [Case({"d_fake": rng.uniform(0.05, 0.95, (n, 1)), "loss": loss}, function="generator_gradient")
                for n in (6, 3)]
        out.append(Case({"d_fake": numpy.array([[1e-4], [1e-3], [0.01]]), "loss": loss}, function="generator_gradient",
                        differences=False,      # a step of 1e-6 is not small against 1e-4
                        note=Text("D(G(z)) near 0, early in training: the minimax gradient is about -1/n, the "
                                  "non-saturating one about -1/(n D(G(z))), far larger.",
                                  "학습 초반처럼 D(G(z))가 0에 가깝습니다. 미니맥스 손실의 기울기는 약 -1/n이고, 비포화 "
                                  "손실의 기울기는 약 -1/(n D(G(z)))로 훨씬 큽니다.")))
    return out


def _one_mean(d_real, d_fake):
    return float(numpy.log(numpy.concatenate([d_real, 1 - d_fake])).mean())


def _sign_flipped(d_fake, loss):
    return -generator_gradient(d_fake, loss)


def _swapped(d_fake, loss):
    return generator_gradient(d_fake, "minimax" if loss == "non-saturating" else "non-saturating")


EXERCISE = Exercise(
    name="value_function", chapter=1,
    task=Text("Write value_function(d_real, d_fake) = V(D, G) and generator_gradient(d_fake, loss) under the minimax "
              "and the non-saturating loss.",
              "value_function(d_real, d_fake) = V(D, G)와, 미니맥스 손실과 비포화 손실에서의 "
              "generator_gradient(d_fake, loss)를 작성합니다."),
    stub=STUB, look=Text("minigan/gan/algorithm1.py, GAN.discriminator_step (V = -2 d_loss) and GAN.generator_step",
                         "minigan/gan/algorithm1.py의 GAN.discriminator_step (V = -2 d_loss)과 GAN.generator_step"),
    reference=Text("minigan's BCELoss, as GAN.discriminator_step and GAN.generator_step use it",
                   "GAN.discriminator_step과 GAN.generator_step이 쓰는 minigan의 BCELoss"),
    solutions={"value_function": value_function, "generator_gradient": generator_gradient},
    outputs={"value_function": ("V(D, G)",), "generator_gradient": ("dL_G/dD(G(z))",)},
    cases=cases, differences={"generator_gradient": differences},
    mistakes=(
        Mistake("one_mean", _one_mean,
                Text("Each expectation is its own mean: V = mean(log D(x)) + mean(log(1 - D(G(z)))), not one mean over "
                     "both batches.",
                     "기댓값마다 따로 평균을 냅니다: 두 배치를 합친 평균 하나가 아니라 "
                     "V = mean(log D(x)) + mean(log(1 - D(G(z))))입니다.")),
        Mistake("fake_term", lambda d_real, d_fake: float(numpy.log(d_real).mean() + numpy.log(d_fake).mean()),
                Text("The fakes' term is log(1 - D(G(z))): D wants D(G(z)) near 0, which makes that term near 0.",
                     "가짜 샘플의 항은 log(1 - D(G(z)))입니다. D는 D(G(z))가 0에 가깝기를 바라고, 그러면 그 항이 0에 "
                     "가까워집니다.")),
        Mistake("sign", _sign_flipped,
                Text("The sign is flipped: both losses fall as D(G(z)) rises, so dL_G/dD(G(z)) is negative "
                     "(minimax: -1/(n (1 - D)), non-saturating: -1/(n D)).",
                     "부호가 반대입니다. 두 손실 모두 D(G(z))가 커지면 줄어들므로 dL_G/dD(G(z))는 음수입니다 "
                     "(미니맥스: -1/(n (1 - D)), 비포화: -1/(n D))."), function="generator_gradient"),
        Mistake("swapped", _swapped,
                Text("The two losses are swapped: minimax is mean(log(1 - D(G(z)))), derivative -1/(n (1 - D)); "
                     "non-saturating is -mean(log D(G(z))), derivative -1/(n D).",
                     "두 손실을 서로 바꿔 썼습니다. 미니맥스 손실은 mean(log(1 - D(G(z))))이고 미분은 -1/(n (1 - D)), 비포화 "
                     "손실은 -mean(log D(G(z)))이고 미분은 -1/(n D)입니다."), function="generator_gradient"),
        Mistake("no_mean", lambda d_fake, loss: generator_gradient(d_fake, loss) * d_fake.size,
                mean_forgotten("d_fake.size"), function="generator_gradient"),
    ),
)
