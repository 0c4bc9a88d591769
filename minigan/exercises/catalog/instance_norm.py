"""Exercise instance_norm (chapter 8): instance normalisation's backward pass, batch norm's per-image sibling."""
from __future__ import annotations

from functools import partial

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import CONSTANT_STATISTICS

STUB = '''

def instance_norm_backward(x, gamma, grad_output, eps):
    """The backward pass of instance normalisation with affine parameters. Per image n and channel c,
    over that image's H*W pixels (m = H*W values):

        mu = mean(x[n, c]),  var = mean((x[n, c] - mu)^2)  (biased),  x_hat = (x - mu) / sqrt(var + eps)
        y = gamma[c] * x_hat + beta[c]

    Given g = grad_output = dL/dy (N, C, H, W), return

        dL/dx     = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat))  (means over H, W)
        dL/dgamma = sum over n, h, w of g * x_hat     (C,)
        dL/dbeta  = sum over n, h, w of g             (C,)

    Shapes: x (N, C, H, W), gamma (C,), grad_output like x, float64; eps a float.
    Return (grad_x, grad_gamma, grad_beta).

    Hint: it is batch norm's formula with the statistics of each (n, c) over axes (2, 3) only; gamma
    and beta are shared by every image, so their gradients still add over n.
    """
    raise NotImplementedError
'''

NAMES = ("dL/dx", "dL/dgamma", "dL/dbeta")


def _layer(x, gamma, eps):
    return support.layer(nn.InstanceNorm2d(x.shape[1], eps=eps, affine=True), weight=gamma)


def instance_norm_backward(x, gamma, grad_output, eps):
    """minigan's answer: InstanceNorm2d.backward (affine=True) after its forward."""
    return support.backward(_layer(x, gamma, eps), x, grad_output)


def differences(x, gamma, grad_output, eps):
    return support.differences(_layer(x, gamma, eps), x, grad_output, NAMES)


def cases(rng):
    out = []
    for shape, eps in (((2, 3, 4, 4), 1e-5), ((1, 2, 3, 5), 1e-3), ((3, 1, 2, 3), 1e-5)):
        images = (shape[0], shape[1], 1, 1)
        x = rng.standard_normal(shape) * rng.uniform(0.5, 3, images) + rng.uniform(-3, 3, images)
        out.append(Case({"x": x, "gamma": rng.uniform(0.5, 1.5, shape[1]), "grad_output": rng.standard_normal(shape),
                         "eps": eps}))
    out.append(Case({"x": rng.standard_normal((2, 2, 1, 2)), "gamma": rng.uniform(0.5, 1.5, 2),
                     "grad_output": rng.standard_normal((2, 2, 1, 2)), "eps": 1e-5},
                    differences=False,      # dL/dx is nearly 0 here: rounding noise in the differences
                    note=Text("images of 1 x 2 pixels, the smallest instance norm accepts: two values per "
                              "(n, c), so x_hat is about +-1.",
                              "인스턴스 정규화가 받는 가장 작은 1 x 2 픽셀 이미지입니다. (n, c)마다 값이 두 개라 x_hat은 "
                              "약 +-1입니다.")))
    return out


#: instance norm's axes: the statistics of each (n, c) over H, W; gamma's and beta's gradients over n, H, W
STATISTICS, PARAMETERS = (2, 3), (0, 2, 3)


EXERCISE = Exercise(
    name="instance_norm", chapter=8,
    task=Text("Write instance_norm_backward(x, gamma, grad_output, eps): instance norm's backward pass.",
              "instance_norm_backward(x, gamma, grad_output, eps)를 작성합니다: 인스턴스 정규화의 역전파."),
    stub=STUB, look=Text("minigan/nn/instance_norm.py, InstanceNorm2d.backward",
                         "minigan/nn/instance_norm.py의 InstanceNorm2d.backward"),
    reference=Text("minigan's InstanceNorm2d (affine=True)", "minigan의 InstanceNorm2d (affine=True)"),
    solutions={"instance_norm_backward": instance_norm_backward}, outputs={"instance_norm_backward": NAMES},
    cases=cases, differences={"instance_norm_backward": differences},
    mistakes=(
        Mistake("batch_statistics", partial(support.normalisation_backward, axes=(0, 2, 3), parameter_axes=PARAMETERS),
                Text("Those are batch norm's statistics. Instance norm normalises each image on its own: the mean and "
                     "variance of x[n, c] run over its H*W pixels only.",
                     "그것은 배치 정규화의 통계입니다. 인스턴스 정규화는 이미지마다 따로 정규화합니다. x[n, c]의 평균과 "
                     "분산은 그 이미지의 H*W 픽셀에 대해서만 구합니다.")),
        Mistake("constant_statistics", partial(support.normalisation_backward, axes=STATISTICS,
                                               parameter_axes=PARAMETERS, constant_statistics=True), CONSTANT_STATISTICS),
        Mistake("per_image_gamma", partial(support.normalisation_backward, axes=STATISTICS, parameter_axes=(2, 3)),
                Text("dL/dgamma (and dL/dbeta) add over the images too: every image shares gamma and beta, shape (C,).",
                     "dL/dgamma(와 dL/dbeta)는 이미지들에 대해서도 더합니다. 모든 이미지가 gamma와 beta를 함께 쓰며, "
                     "모양은 (C,)입니다.")),
    ),
)
