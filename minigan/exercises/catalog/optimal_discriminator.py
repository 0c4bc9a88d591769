"""Exercise optimal_discriminator (chapter 1): D*(x) = p_data / (p_data + p_g) on given densities, and
the value V(D*, G), which the paper proves is -log 4 + 2 JSD(p_data || p_g)."""
from __future__ import annotations

import math

import numpy

from ..definition import Case, Exercise, Mistake
from ..messages import Text

STUB = '''

def optimal_discriminator(p_data, p_g):
    """The best discriminator for a fixed generator (the paper's Proposition 1):

        D*(x) = p_data(x) / (p_data(x) + p_g(x))

    p_data and p_g are the two densities at the points of a grid, shape (n,), float64, >= 0.
    Where both are 0 no sample ever lands; return 1/2 there (a coin flip: no evidence either way).
    Return D* at every grid point, shape (n,).

    Hint: D(x) is the probability that x is real. Divide only where p_data + p_g > 0 (np.where,
    or a boolean mask), so that 0/0 never happens.
    """
    raise NotImplementedError


def value_at_optimum(p_data, p_g, dx):
    """The value of the game at D*, as an integral over the grid (spacing dx):

        V(D*, G) = integral of  p_data(x) log D*(x) + p_g(x) log(1 - D*(x))  dx

    Shapes: p_data, p_g (n,) as above, each integrating to 1 (their sum times dx is 1); dx a float.
    Return a float. Where a density is 0, its term is 0 (0 log 0 = 0, the limit), even where
    log D* or log(1 - D*) is -inf.

    Hint: 1 - D* = p_g / (p_data + p_g): compute it that way where p_data + p_g > 0 (for example
    optimal_discriminator(p_g, p_data)), since 1 - D* rounds to 0 where p_g is
    below 1e-16 p_data (in a tail), and log(0) = -inf. When p_g = p_data the answer is -log 4; when
    their supports do not overlap, 0 (a perfect discriminator exists). scipy.special.xlogy(a, b)
    computes a log b with 0 log 0 = 0.
    """
    raise NotImplementedError
'''


def xlogy(a, b):
    """a log b with 0 log 0 = 0 (scipy.special.xlogy, imported when first used: scipy.special takes a
    quarter of a second to load, which ``list`` and ``start`` need not pay)."""
    from scipy.special import xlogy
    return xlogy(a, b)


def optimal_discriminator(p_data, p_g):
    """p_data / (p_data + p_g), and 1/2 where both are 0."""
    total = p_data + p_g
    return numpy.where(total > 0, p_data / numpy.where(total > 0, total, 1.0), 0.5)


def value_at_optimum(p_data, p_g, dx):
    """The integral, with 1 - D* computed as p_g / (p_data + p_g) and 0 log 0 = 0."""
    return float((xlogy(p_data, optimal_discriminator(p_data, p_g)) + xlogy(p_g, optimal_discriminator(p_g, p_data)))
                 .sum() * dx)


def theorem(p_data, p_g, dx):
    """The paper's Theorem 1: C(G) = -log 4 + 2 JSD(p_data || p_g) (scipy's jensenshannon, in nats)."""
    from scipy.spatial.distance import jensenshannon
    return {"V(D*, G)": -math.log(4) + 2 * jensenshannon(p_data, p_g, base=math.e) ** 2}


DX = 1 / 16                                   # exact in binary: the messages show dx=0.0625
GRID = numpy.arange(-6.0, 14.0 + DX / 2, DX)


def _density(values):
    return values / (values.sum() * DX)


def _gaussian(mean, std):
    return _density(numpy.exp(-0.5 * ((GRID - mean) / std) ** 2))


def _uniform(low, high):
    return _density(((GRID >= low) & (GRID < high)).astype(numpy.float64))


def cases(rng):
    pairs = [(_gaussian(4.0, 1.25), _gaussian(2.0, 1.0))]
    pairs += [(_gaussian(*rng.uniform((0, 0.8), (6, 2))), _gaussian(*rng.uniform((0, 0.8), (6, 2)))) for _ in range(2)]
    notes = [
        ((_gaussian(4.0, 1.25),) * 2, Text("p_g = p_data: D* = 1/2 everywhere and V = -log 4, the generator's best.",
                                           "p_g = p_data입니다. 모든 곳에서 D* = 1/2이고 V = -log 4, 생성자에게 가장 "
                                           "좋은 값입니다.")),
        ((_uniform(-6.0, 4.0), _gaussian(4.0, 1.25)), Text(
            "p_data is 0 on half the grid, p_g nowhere: D* = 0 there and p_data log D* = 0 log 0 = 0.",
            "p_data는 격자의 절반에서 0이고 p_g는 어디서도 0이 아닙니다. 그곳에서 D* = 0이고 p_data log D* = 0 log 0 = 0입니다.")),
        ((_uniform(0.0, 2.0), _uniform(5.0, 8.0)), Text(
            "supports that do not overlap: D* is 1 on p_data's, 0 on p_g's, 1/2 where both are 0, and V = 0 "
            "(0 log 0 = 0).",
            "지지 집합이 겹치지 않습니다. D*는 p_data의 지지 집합에서 1, p_g의 지지 집합에서 0, 둘 다 0인 곳에서 "
            "1/2이고, V = 0입니다 (0 log 0 = 0).")),
    ]
    out = []
    for function in ("optimal_discriminator", "value_at_optimum"):
        # V is a sum of terms of order log 4, and 0 for disjoint supports: its error is measured against 1
        extra, scale = ({"dx": DX}, 1.0) if function == "value_at_optimum" else ({}, 0.0)
        out += [Case({"p_data": p, "p_g": q, **extra}, function=function, scale=scale) for p, q in pairs]
        out += [Case({"p_data": p, "p_g": q, **extra}, function=function, note=note, scale=scale)
                for (p, q), note in notes]
    return out


def _value_without_dx(p_data, p_g, dx):
    return value_at_optimum(p_data, p_g, 1.0)


def _value_nan(p_data, p_g, dx):
    d, one_minus_d = optimal_discriminator(p_data, p_g), optimal_discriminator(p_g, p_data)
    return float((p_data * numpy.log(d) + p_g * numpy.log(one_minus_d)).sum() * dx)


def _value_unguarded(p_data, p_g, dx):
    return float((xlogy(p_data, optimal_discriminator(p_data, p_g)) + xlogy(p_g, p_g / (p_data + p_g))).sum() * dx)


def _value_rounded(p_data, p_g, dx):
    d = optimal_discriminator(p_data, p_g)
    return float((xlogy(p_data, d) + xlogy(p_g, 1 - d)).sum() * dx)


EXERCISE = Exercise(
    name="optimal_discriminator", chapter=1,
    task=Text("Write optimal_discriminator(p_data, p_g) = D*(x) and value_at_optimum(p_data, p_g, dx) = V(D*, G).",
              "optimal_discriminator(p_data, p_g) = D*(x)와 value_at_optimum(p_data, p_g, dx) = V(D*, G)를 "
              "작성합니다."),
    stub=STUB, look=Text("docs/01_gan_game.md section 3, and minigan/demo_tools/plots.py, optimal_discriminator "
                         "(D* against the learned D)",
                         "docs/ko/01_gan_game.md 3절, 그리고 minigan/demo_tools/plots.py의 optimal_discriminator (학습된 D와 D*를 나란히)"),
    reference=Text("the definition (D* = p_data / (p_data + p_g), 0 log 0 = 0)",
                   "정의 (D* = p_data / (p_data + p_g), 0 log 0 = 0)"),
    solutions={"optimal_discriminator": optimal_discriminator, "value_at_optimum": value_at_optimum},
    outputs={"optimal_discriminator": ("D*(x)",), "value_at_optimum": ("V(D*, G)",)},
    cases=cases, differences={"value_at_optimum": theorem},
    differences_name=Text("the paper's -log 4 + 2 JSD(p_data || p_g)", "논문의 -log 4 + 2 JSD(p_data || p_g)"),
    mistakes=(
        Mistake("swapped", lambda p_data, p_g: optimal_discriminator(p_g, p_data),
                Text("D(x) is the probability that x is real: D* = p_data / (p_data + p_g), not p_g / (...).",
                     "D(x)는 x가 진짜일 확률입니다: p_g / (...)가 아니라 D* = p_data / (p_data + p_g)입니다.")),
        Mistake("zero_over_zero", lambda p_data, p_g: p_data / (p_data + p_g),
                Text("Where p_data and p_g are both 0, p_data / (p_data + p_g) is 0/0 = nan: return 1/2 there.",
                     "p_data와 p_g가 모두 0인 곳에서 p_data / (p_data + p_g)는 0/0 = nan입니다. 그곳에서는 1/2을 "
                     "돌려주세요.")),
        Mistake("no_dx", _value_without_dx,
                Text("V is an integral over the grid: multiply the sum by dx.",
                     "V는 격자 위의 적분입니다. 합에 dx를 곱하세요."), function="value_at_optimum"),
        Mistake("zero_over_zero_in_v", _value_unguarded,
                Text("p_g / (p_data + p_g) is 0/0 = nan where both densities are 0, and xlogy(0, nan) is nan, not 0: "
                     "divide only where p_data + p_g > 0, as in optimal_discriminator (1 - D* = "
                     "optimal_discriminator(p_g, p_data)).",
                     "두 밀도가 모두 0인 곳에서 p_g / (p_data + p_g)는 0/0 = nan이고, xlogy(0, nan)은 0이 아니라 nan입니다. "
                     "optimal_discriminator에서처럼 p_data + p_g > 0인 곳에서만 나누세요 (1 - D* = "
                     "optimal_discriminator(p_g, p_data))."), function="value_at_optimum"),
        Mistake("zero_log_zero", _value_nan,
                Text("0 log 0 counts as 0 (its limit), but 0 * np.log(0) is 0 * -inf = nan: skip the points where the "
                     "density is 0 (np.where or scipy.special.xlogy).",
                     "0 log 0은 0으로 셉니다 (극한값). 그러나 0 * np.log(0)은 0 * -inf = nan입니다. 밀도가 0인 점은 "
                     "건너뛰세요 (np.where나 scipy.special.xlogy)."), function="value_at_optimum"),
        Mistake("one_minus_rounded", _value_rounded,
                Text("1 - D* rounded to 0 in a tail where p_g is below 1e-16 p_data, and p_g log 0 = -inf: compute "
                     "1 - D* as p_g / (p_data + p_g) instead.",
                     "p_g가 p_data의 1e-16배보다 작은 꼬리에서 1 - D*가 0으로 반올림되어 p_g log 0 = -inf가 "
                     "되었습니다. 1 - D*를 p_g / (p_data + p_g)로 계산하세요."), function="value_at_optimum"),
    ),
)
