"""pylearn2's ExponentialDecay and MomentumAdjustor, against their definitions (pylearn2 sgd.py, learning_rule.py)."""
import math

import pytest

from minigan.optim import schedules


class Pylearn2ExponentialDecay:
    """pylearn2.training_algorithms.sgd.ExponentialDecay, as written there (called after each step)."""

    def __init__(self, decay_factor, min_lr, base_lr):
        self.decay_factor, self.min_lr, self.base_lr = decay_factor, min_lr, base_lr
        self.count, self.min_reached, self.lr = 0, False, base_lr

    def __call__(self):
        self.count += 1
        if not self.min_reached:
            new_lr = self.base_lr / (self.decay_factor ** self.count)
            if new_lr <= self.min_lr:
                self.min_reached, new_lr = True, self.min_lr
        else:
            new_lr = self.min_lr
        self.lr = new_lr


class Pylearn2MomentumAdjustor:
    """pylearn2.training_algorithms.learning_rule.MomentumAdjustor (on_monitor: before training, after each epoch)."""

    def __init__(self, final_momentum, start, saturate, init_momentum):
        self.final, self.start, self.saturate, self.init, self.count = final_momentum, start, saturate, init_momentum, 0

    def on_monitor(self):
        self.count += 1
        w = self.saturate - self.start
        if w == 0:
            return self.final if self.count >= self.start else self.init
        alpha = min(max(float(self.count - self.start) / float(w), 0.0), 1.0)
        return self.init * (1 - alpha) + alpha * self.final


def test_exponential_decay_follows_pylearn2_step_by_step_down_to_the_floor():
    ref = Pylearn2ExponentialDecay(1.5, 0.01, 0.1)
    for step in range(12):
        assert schedules.exponential_decay_lr(step, 0.1, 1.5, 0.01) == pytest.approx(ref.lr, rel=1e-12)
        ref()
    assert schedules.exponential_decay_lr(10_000_000, 0.1, 1.5, 0.01) == 0.01


def test_paper_decay_after_250_epochs_and_time_to_the_floor():
    steps = 250 * 500
    assert schedules.exponential_decay_lr(steps, 0.1, 1.000004, 1e-6) == pytest.approx(0.1 * math.exp(-0.5), rel=1e-5)
    floor_step = math.ceil(math.log(0.1 / 1e-6) / math.log(1.000004))       # ~2.88 million steps
    assert schedules.exponential_decay_lr(floor_step - 1, 0.1, 1.000004, 1e-6) > 1e-6
    assert schedules.exponential_decay_lr(floor_step, 0.1, 1.000004, 1e-6) == 1e-6


@pytest.mark.parametrize("start, saturate", [(1, 250), (3, 7), (2, 2), (0, 4)])
def test_momentum_follows_pylearn2_epoch_by_epoch(start, saturate):
    ref = Pylearn2MomentumAdjustor(0.7, start, saturate, 0.5)
    for epochs_done in range(300):
        expected = ref.on_monitor()           # the call made after `epochs_done` epochs
        assert schedules.adjusted_momentum(epochs_done, 0.5, 0.7, start, saturate) == pytest.approx(expected, rel=1e-12)


def test_paper_momentum_starts_at_half_and_reaches_0_7_in_the_250th_epoch():
    m = [schedules.adjusted_momentum(e, 0.5, 0.7, 1, 250) for e in (0, 1, 248, 249, 1000)]
    assert m == pytest.approx([0.5, 0.5 + 0.2 / 249, 0.7 - 0.2 / 249, 0.7, 0.7])


def test_schedules_reject_bad_arguments():
    with pytest.raises(ValueError, match="exponential_decay_lr: step"):
        schedules.exponential_decay_lr(-1, 0.1, 1.1, 0.0)
    with pytest.raises(ValueError, match="decay_factor >= 1"):
        schedules.exponential_decay_lr(0, 0.1, 0.9, 0.0)
    with pytest.raises(ValueError, match="saturate must be >= start"):
        schedules.adjusted_momentum(0, 0.5, 0.7, 5, 3)
