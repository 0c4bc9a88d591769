"""Hints more than one exercise gives (each exercise's own hints are in its module)."""
from __future__ import annotations

from ..messages import Text

CHAIN_RULE = Text(
    "This is f'(x) alone: multiply it by grad_output. By the chain rule dL/dx = dL/dy * f'(x), elementwise.",
    "이것은 f'(x)뿐입니다. grad_output을 곱하세요. 연쇄 법칙에 따라 원소마다 dL/dx = dL/dy * f'(x)입니다.")


def mean_forgotten(size: str) -> Text:
    """The mean's 1/N forgotten, N being ``size`` (code, e.g. "p.size")."""
    return Text(
        f"You returned the gradient of the sum: the loss is a mean over {size} elements, so the gradient "
        f"carries its 1/N too (divide by {size}).",
        f"합의 기울기를 돌려주었습니다. 손실은 원소 {size}개의 평균이므로 기울기에도 1/N이 붙습니다 "
        f"({size}로 나누세요).")


CONSTANT_STATISTICS = Text(
    "You treated the mean and the variance as constants (that is evaluation mode). In training mode they are "
    "computed from x, so they depend on x: dL/dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), "
    "with both mean terms.",
    "평균과 분산을 상수로 다루었습니다 (그것은 평가 모드입니다). 학습 모드에서는 두 값을 x에서 계산하므로 x에 "
    "의존합니다: dL/dx = gamma / sqrt(var + eps) * (g - mean(g) - x_hat * mean(g * x_hat)), 평균 항 두 개가 모두 "
    "들어갑니다.")

FLIPPED_KERNEL = Text(
    "You flipped the kernel (the convolution of mathematics). Deep learning's convolution layers do not flip it "
    "(they compute a cross-correlation): y[n, o, p, q] = b[o] + sum over c, i, j of "
    "W[o, c, i, j] x_pad[n, c, p*s + i, q*s + j].",
    "커널을 뒤집었습니다 (수학의 합성곱). 딥러닝의 합성곱 층은 커널을 뒤집지 않습니다 (교차 상관을 계산합니다): "
    "y[n, o, p, q] = b[o] + (c, i, j에 대한 합) W[o, c, i, j] x_pad[n, c, p*s + i, q*s + j].")

OVERLAPS_ADD = Text(
    "Where windows (or stamps) overlap, their contributions add up: a pixel that several windows read receives "
    "the sum of all their entries (the transpose of a copy adds). Assigning with = keeps only the last one; use +=.",
    "창(또는 도장)이 겹치는 곳에서는 기여가 더해집니다. 여러 창이 읽은 픽셀은 그 원소들의 합을 받습니다 (복사의 "
    "전치는 더하기입니다). =로 대입하면 마지막 하나만 남습니다. +=를 쓰세요.")
