"""Exercise frechet_distance (chapter 9): the Fréchet distance between two Gaussians, FID's formula."""
from __future__ import annotations

from functools import partial

import numpy

from ..definition import Case, Exercise, Mistake
from ..messages import Text

STUB = '''

def frechet_distance(mu1, sigma1, mu2, sigma2):
    """The Fréchet (2-Wasserstein) distance squared between N(mu1, sigma1) and N(mu2, sigma2):

        d^2 = ||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2))

    where (sigma1 sigma2)^(1/2) is the matrix square root: the S with S @ S = sigma1 @ sigma2.
    Shapes: mu1, mu2 (d,); sigma1, sigma2 (d, d) covariance matrices (symmetric, positive definite),
    float64. Return a float.

    Hint: scipy.linalg.sqrtm computes a matrix square root. It may return a complex array whose
    imaginary part is rounding noise: keep the real part.
    """
    raise NotImplementedError
'''


def frechet_distance(mu1, sigma1, mu2, sigma2):
    """minigan's answer: metrics.frechet_distance (imported here: minigan.metrics loads scipy.stats, a second
    at start-up that ``list`` and ``start`` need not pay)."""
    from ... import metrics
    return metrics.frechet_distance(mu1, sigma1, mu2, sigma2)


def _covariance(rng, d):
    a = rng.standard_normal((d, d))
    return a @ a.T / d + 0.1 * numpy.eye(d)


def _case(mu1, sigma1, mu2, sigma2, note=None):
    # d^2 is a difference of terms of the size of the traces: its error is measured against them
    scale = float(numpy.trace(sigma1) + numpy.trace(sigma2) + mu1 @ mu1 + mu2 @ mu2)
    return Case({"mu1": mu1, "sigma1": sigma1, "mu2": mu2, "sigma2": sigma2}, note=note, scale=scale)


def cases(rng):
    out = [_case(rng.standard_normal(d), _covariance(rng, d), rng.standard_normal(d), _covariance(rng, d))
           for d in (3, 5, 2)]
    mu, sigma = rng.standard_normal(4), _covariance(rng, 4)
    out.append(_case(mu, sigma, mu.copy(), sigma.copy(),
                     Text("the same Gaussian twice: the distance is 0 (up to rounding).",
                          "같은 가우시안 두 개입니다. 거리는 (반올림 오차를 빼면) 0입니다.")))
    out.append(_case(numpy.array([1.0]), numpy.array([[4.0]]), numpy.array([-1.0]), numpy.array([[1.0]]),
                     Text("one dimension: d^2 = (mu1 - mu2)^2 + (s1 - s2)^2 with s the standard deviations, "
                          "here 4 + 1 = 5.",
                          "1차원입니다: s를 표준 편차라 할 때 d^2 = (mu1 - mu2)^2 + (s1 - s2)^2, 여기서는 "
                          "4 + 1 = 5입니다.")))
    return out


def learner_style(mu1, sigma1, mu2, sigma2, matrix_root=True, root_factor=2.0, squared=True):
    """The distance as a learner writes it, with a switch for each classic mistake."""
    from scipy import linalg
    diff = mu1 - mu2
    mean_term = diff @ diff if squared else numpy.sqrt(diff @ diff)
    root = linalg.sqrtm(sigma1 @ sigma2).real if matrix_root else numpy.sqrt(sigma1 @ sigma2)
    return float(mean_term + numpy.trace(sigma1 + sigma2 - root_factor * root))


EXERCISE = Exercise(
    name="frechet_distance", chapter=9,
    task=Text("Write frechet_distance(mu1, sigma1, mu2, sigma2): the distance between two Gaussians behind FID.",
              "frechet_distance(mu1, sigma1, mu2, sigma2)를 작성합니다: FID의 바탕인 두 가우시안 사이의 거리."),
    stub=STUB, look=Text("minigan/metrics/frechet.py, frechet_distance",
                         "minigan/metrics/frechet.py의 frechet_distance"),
    reference=Text("minigan's metrics.frechet_distance", "minigan의 metrics.frechet_distance"),
    solutions={"frechet_distance": frechet_distance}, outputs={"frechet_distance": ("d^2",)}, cases=cases,
    mistakes=(
        Mistake("elementwise_root", partial(learner_style, matrix_root=False),
                Text("(sigma1 sigma2)^(1/2) is a matrix square root, S with S @ S = sigma1 @ sigma2 "
                     "(scipy.linalg.sqrtm), not the square root of each entry (the two agree only for diagonal "
                     "matrices).",
                     "(sigma1 sigma2)^(1/2)는 원소마다의 제곱근이 아니라 S @ S = sigma1 @ sigma2인 행렬 제곱근 S입니다 "
                     "(scipy.linalg.sqrtm). 둘은 대각 행렬에서만 같습니다.")),
        Mistake("root_once", partial(learner_style, root_factor=1.0),
                Text("The square root's trace counts twice: Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2)).",
                     "제곱근의 대각합은 두 번 셉니다: Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^(1/2)).")),
        Mistake("mean_not_squared", partial(learner_style, squared=False),
                Text("The mean term is the squared distance ||mu1 - mu2||^2, not the distance.",
                     "평균 항은 거리가 아니라 거리의 제곱 ||mu1 - mu2||^2입니다.")),
    ),
)
