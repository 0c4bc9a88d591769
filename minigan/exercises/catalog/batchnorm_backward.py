"""Exercise batchnorm_backward (chapter 6): batch normalisation's backward pass in training mode."""
from __future__ import annotations

from functools import partial

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text
from .common import CONSTANT_STATISTICS

STUB = '''

def batchnorm_backward(x, gamma, grad_output, eps):
    """The backward pass of batch normalisation in training mode. Per channel c (axis 1), over the
    other axes (N for x of shape (N, C); N, H and W for images (N, C, H, W)), with m values each:

        mu = mean(x),  var = mean((x - mu)^2)   (biased),  x_hat = (x - mu) / sqrt(var + eps)
        y = gamma * x_hat + beta

    Given g = grad_output = dL/dy (x's shape), return

        dL/dx     = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat))
        dL/dgamma = sum of g * x_hat     (C,)
        dL/dbeta  = sum of g             (C,)

    with the means and sums over the same axes as the statistics (mu and var depend on x: that is
    where the two mean terms come from).
    Shapes: x (N, C) or (N, C, H, W), gamma (C,), grad_output like x, float64; eps a float.
    Return (grad_x, grad_gamma, grad_beta).

    Hint: axes = (0,) + tuple(range(2, x.ndim)); keepdims=True keeps the per-channel statistics
    broadcastable against x, and gamma.reshape(1, -1, 1, 1) (or (1, -1)) broadcasts gamma.
    """
    raise NotImplementedError
'''

NAMES = ("dL/dx", "dL/dgamma", "dL/dbeta")


def _layer(x, gamma, eps):
    norm = nn.BatchNorm1d if x.ndim == 2 else nn.BatchNorm2d
    return support.layer(norm(x.shape[1], eps=eps), weight=gamma)


def batchnorm_backward(x, gamma, grad_output, eps):
    """minigan's answer: BatchNorm1d/2d.backward after a training-mode forward."""
    return support.backward(_layer(x, gamma, eps), x, grad_output)


def differences(x, gamma, grad_output, eps):
    return support.differences(_layer(x, gamma, eps), x, grad_output, NAMES)


def cases(rng):
    out = []
    for shape, eps in (((8, 3), 1e-5), ((5, 4), 1e-3), ((2, 3, 4, 4), 1e-5), ((3, 2, 3, 2), 1e-5)):
        channels = (1, shape[1]) + (1,) * (len(shape) - 2)
        x = rng.standard_normal(shape) * rng.uniform(0.5, 3, channels) + rng.uniform(-2, 2, channels)
        out.append(Case({"x": x, "gamma": rng.uniform(0.5, 1.5, shape[1]), "grad_output": rng.standard_normal(shape),
                         "eps": eps}))
    out.append(Case({"x": rng.standard_normal((2, 3)), "gamma": rng.uniform(0.5, 1.5, 3),
                     "grad_output": rng.standard_normal((2, 3)), "eps": 1e-5},
                    differences=False,      # dL/dx is nearly 0 here: rounding noise in the differences
                    note=Text("a batch of two: each feature has only two values, so x_hat is about +-1.",
                              "배치 크기가 2입니다. 특징마다 값이 두 개뿐이라 x_hat은 약 +-1입니다.")))
    return out


EXERCISE = Exercise(
    name="batchnorm_backward", chapter=6,
    task=Text("Write batchnorm_backward(x, gamma, grad_output, eps): batch norm's training-mode backward.",
              "batchnorm_backward(x, gamma, grad_output, eps)를 작성합니다: 학습 모드 배치 정규화의 역전파."),
    stub=STUB, look=Text("minigan/nn/batchnorm.py, _PlainBatchNorm.backward, the plain version (docs/06_convolutions.md derives it)",
                         "minigan/nn/batchnorm.py의 _PlainBatchNorm.backward, 단순한 버전 (docs/ko/06_convolutions.md에서 유도합니다)"),
    reference=Text("minigan's BatchNorm1d and BatchNorm2d", "minigan의 BatchNorm1d와 BatchNorm2d"),
    solutions={"batchnorm_backward": batchnorm_backward}, outputs={"batchnorm_backward": NAMES},
    cases=cases, differences={"batchnorm_backward": differences},
    mistakes=(
        Mistake("constant_statistics", partial(support.normalisation_backward, constant_statistics=True),
                CONSTANT_STATISTICS),
        Mistake("unbiased_variance", partial(support.normalisation_backward, ddof=1),
                Text("Batch norm normalises with the biased variance, mean((x - mu)^2), dividing by m, not m - 1 "
                     "(the unbiased one only goes into the running estimate).",
                     "배치 정규화는 m - 1이 아니라 m으로 나누는 편향 분산 mean((x - mu)^2)으로 정규화합니다 (불편 분산은 "
                     "이동 통계에만 들어갑니다).")),
        Mistake("batch_axis_only", partial(support.normalisation_backward, axes=(0,)),
                Text("For images (N, C, H, W) each channel's statistics run over N, H and W together (m = N*H*W "
                     "values), not over the batch axis alone.",
                     "이미지 (N, C, H, W)에서는 채널마다 통계를 배치 축 하나가 아니라 N, H, W 전체 (m = N*H*W개의 "
                     "값)에 대해 구합니다.")),
        Mistake("gamma_not_summed", partial(support.normalisation_backward, parameter_axes=(0,)),
                Text("dL/dgamma and dL/dbeta add over every axis but the channels' (N, and H, W for images): gamma "
                     "and beta have shape (C,).",
                     "dL/dgamma와 dL/dbeta는 채널 축을 뺀 모든 축 (N, 이미지라면 H, W도)에 대해 더합니다. gamma와 "
                     "beta의 모양은 (C,)입니다.")),
    ),
)
