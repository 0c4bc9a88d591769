"""The outer training loop: Algorithm 1 repeated, with a learning-rate schedule,
snapshots for figures, and a progress bar. The algorithm itself is in gan.py."""
from __future__ import annotations

from . import health
from .progress import Progress


def decay_learning_rates(optimizers, base_lrs, final_factor: float, step: int, steps: int) -> None:
    """Exponential decay from base_lr to base_lr * final_factor over ``steps`` steps:
    lr_t = base_lr * final_factor ** (t / steps). Smaller steps at the end let the
    two players settle instead of circling the equilibrium."""
    factor = final_factor ** (step / steps)
    for opt, lr in zip(optimizers, base_lrs):
        opt.lr = lr * factor


def fit(gan, real_batches, steps: int, *, final_lr_factor: float = 1.0, snapshot_at=(),
        on_snapshot=None, progress: bool = True, label: str = "training", report_every: int = 200,
        health_window: int = health.WINDOW):
    """Run ``steps`` iterations of Algorithm 1 (``gan.train_step``).

    Args:
        real_batches: endless iterator of real batches (x or (x, labels)).
        final_lr_factor: both learning rates decay exponentially to this fraction.
        snapshot_at: iteration numbers (1-based, 0 = before training) at which
            ``on_snapshot(iteration)`` is called, e.g. to record a figure.
        report_every: the progress bar reads losses back from the device this often.
        health_window: the progress line warns of the failure signs (``minigan.health``) that
            hold over the last this many iterations.
    Returns the elapsed seconds.
    """
    optimizers = (gan.d_optimizer, gan.g_optimizer)
    base_lrs = [opt.lr for opt in optimizers]
    snapshot_at = set(snapshot_at)
    bar = Progress(steps, label, enabled=progress)
    if 0 in snapshot_at and on_snapshot:
        on_snapshot(0)
    for step in range(steps):
        if final_lr_factor != 1.0:
            decay_learning_rates(optimizers, base_lrs, final_lr_factor, step, steps)
        gan.train_step(real_batches)
        done = step + 1
        if done in snapshot_at and on_snapshot:
            on_snapshot(done)
        if done % report_every == 0 or done == steps:
            warnings = health.current_warnings(gan.recent_history(health_window), k=gan.k, window=health_window,
                                               generator_loss=gan.generator_loss)
            bar.update(done, warnings=warnings, d_loss=gan.last("d_loss", report_every),
                       g_loss=gan.last("g_loss", report_every), D_x=gan.last("d_real", report_every),
                       D_Gz=gan.last("d_fake", report_every))
    for opt, lr in zip(optimizers, base_lrs):
        opt.lr = lr
    return bar.close()
