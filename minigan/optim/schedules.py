"""pylearn2's learning-rate and momentum schedules, which trained the GAN paper's models.

Both are pure functions of a counter, so a resumed run recomputes them instead of saving them:

- ``exponential_decay_lr``: pylearn2's ``sgd.ExponentialDecay``, an SGD callback run after every
  step: after t steps the learning rate is max(lr_0 / decay_factor^t, min_lr).
- ``adjusted_momentum``: pylearn2's ``learning_rule.MomentumAdjustor``, a train extension run once
  before the first epoch and after every epoch: linear from the initial momentum to
  ``final_momentum`` between the ``start``-th and the ``saturate``-th of those calls.

Set an optimizer's ``lr`` and ``momentum`` from them before each step (``optim.SGD`` reads both
at every step).
"""
from __future__ import annotations

import math

from ..checks import check_int


def exponential_decay_lr(step: int, base_lr: float, decay_factor: float, min_lr: float) -> float:
    """The learning rate after ``step`` SGD steps: max(base_lr / decay_factor**step, min_lr).

    pylearn2 sets it after each step, so step t (counting from 0) runs with
    ``exponential_decay_lr(t, ...)``: the first step uses base_lr. Once the decay reaches
    ``min_lr`` it stays there (pylearn2 stops exponentiating; we compute in logs, which
    gives the same value without overflow).
    """
    check_int("step", step, 0, owner="exponential_decay_lr")
    if not (base_lr > 0 and decay_factor >= 1 and 0 <= min_lr and math.isfinite(base_lr * decay_factor)):
        raise ValueError("exponential_decay_lr: need base_lr > 0, decay_factor >= 1, min_lr >= 0; got "
                         f"base_lr={base_lr!r}, decay_factor={decay_factor!r}, min_lr={min_lr!r}")
    log_lr = math.log(base_lr) - step * math.log(decay_factor)
    return min_lr if min_lr > 0 and log_lr <= math.log(min_lr) else math.exp(log_lr)


def adjusted_momentum(epochs_done: int, init_momentum: float, final_momentum: float,
                      start: int, saturate: int) -> float:
    """The momentum for the epoch that follows ``epochs_done`` finished epochs.

    pylearn2 calls the adjustor once before training and after every epoch; its call
    count is c = epochs_done + 1, and the momentum is

        alpha = clip((c - start) / (saturate - start), 0, 1)
        momentum = init_momentum (1 - alpha) + final_momentum alpha

    (``saturate == start`` jumps to final_momentum at c >= start). With the paper's
    start=1, saturate=250: epoch 0 uses init_momentum, epoch e uses alpha = e / 249, and
    every epoch from the 250th (e = 249) on uses final_momentum.
    """
    check_int("epochs_done", epochs_done, 0, owner="adjusted_momentum")
    check_int("start", start, 0, owner="adjusted_momentum")
    check_int("saturate", saturate, 0, owner="adjusted_momentum")
    if saturate < start:
        raise ValueError(f"adjusted_momentum: saturate must be >= start; got start={start}, saturate={saturate}")
    calls = epochs_done + 1
    if saturate == start:
        return final_momentum if calls >= start else init_momentum
    alpha = min(max((calls - start) / (saturate - start), 0.0), 1.0)
    return init_momentum * (1 - alpha) + alpha * final_momentum
