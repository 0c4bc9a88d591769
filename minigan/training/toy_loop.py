"""The outer training loop of the toy GANs: Algorithm 1 repeated, with a learning-rate schedule,
snapshots for figures, a progress bar and, if asked, checkpoints for an exact resume.
The algorithm itself is in gan.py.

A checkpoint (:class:`Checkpoints`) holds everything the rest of the run depends on: the GAN's
``state_dict`` (both networks, both optimizers, the counters, the history and the backend's
random state, which the toy data iterators, ``toy.batches``, draw from too), the iteration
reached, the snapshots taken so far and the settings. The learning-rate decay is a function of
the iteration, so it resumes by itself. On NumPy a run interrupted and resumed is bit-identical
to one that was not; on CuPy the random state cannot be read back, so it is not.
"""
from __future__ import annotations

import dataclasses
import pathlib
import time

from . import checkpoint, health
from ..gan.errors import TrainingDiverged
from .progress import Progress

#: Iterations between two checkpoints, unless told otherwise (a toy demo's --checkpoint-every).
CHECKPOINT_EVERY = 500


def decay_learning_rates(optimizers, base_lrs, final_factor: float, step: int, steps: int) -> None:
    """Exponential decay from base_lr to base_lr * final_factor over ``steps`` steps:
    lr_t = base_lr * final_factor ** (t / steps). Smaller steps at the end let the
    two players settle instead of circling the equilibrium."""
    factor = final_factor ** (step / steps)
    for opt, lr in zip(optimizers, base_lrs):
        opt.lr = lr * factor


@dataclasses.dataclass(frozen=True)
class Checkpoints:
    """Where and how often :func:`fit` saves a checkpoint, and whether it continues one.

    Attributes:
        path: the checkpoint file (a toy demo's OUT/checkpoint.npz).
        every: save after every this many iterations (atomically; never a non-finite state).
        resume: continue from ``path``, which must exist and hold the same settings.
        overwrite: start afresh even if ``path`` exists (without it or ``resume``, that is refused).
        settings: what defines the run, nested plain values, compared on resume
            (``checkpoint.check_resumable``). Each layer adds what it knows: the demo its name and
            seed, ``train_1d``/``train_2d`` the target and recipe, ``fit`` its schedule.
        args: stored beside them, not compared (e.g. the demo's command line).
    """

    path: pathlib.Path
    every: int = CHECKPOINT_EVERY
    resume: bool = False
    overwrite: bool = False
    settings: dict = dataclasses.field(default_factory=dict)
    args: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self):
        if isinstance(self.every, bool) or not isinstance(self.every, int) or self.every < 1:
            raise ValueError(f"Checkpoints: every must be a positive integer; got {self.every!r}")
        object.__setattr__(self, "path", pathlib.Path(self.path))

    def with_settings(self, **more) -> "Checkpoints":
        """A copy whose settings also hold ``more``."""
        return dataclasses.replace(self, settings={**self.settings, **more})

    def start(self) -> dict | None:
        """Check how the run may start (``checkpoint.check_start``); return the saved state to
        continue from (its settings checked against ours), or None for a fresh start."""
        checkpoint.check_start(self.path, self.resume, self.overwrite)
        if not self.resume:
            return None
        state = checkpoint.load(self.path)
        checkpoint.check_resumable(self.path, state.get("settings", {}), self.settings)
        return state

    def save(self, gan, iteration: int, snapshots: list, seconds: float) -> None:
        """Write the state after ``iteration`` iterations (refused if anything is non-finite)."""
        checkpoint.save(self.path, {"gan": gan.state_dict(), "iteration": iteration, "snapshots": snapshots,
                                    "seconds": seconds, "settings": self.settings, "args": self.args}, check=True)

    def remove(self) -> None:
        """Delete the checkpoint: the run is complete and its outputs are written."""
        self.path.unlink(missing_ok=True)


@dataclasses.dataclass
class Fitted:
    """What :func:`fit` returns."""

    seconds: float          # training time, summed over the sessions of a resumed run
    snapshots: list         # on_snapshot's results in order (a resumed run's include the saved ones)
    resumed_from: int = 0   # the iteration a resumed run continued from; 0 for a fresh start


def fit(gan, real_batches, steps: int, *, final_lr_factor: float = 1.0, snapshot_at=(),
        on_snapshot=None, progress: bool = True, label: str = "training", report_every: int = 200,
        health_window: int = health.WINDOW, checkpoints: Checkpoints | None = None) -> Fitted:
    """Run ``steps`` iterations of Algorithm 1 (``gan.train_step``).

    Args:
        real_batches: endless iterator of real batches (x or (x, labels)); it must draw from the
            backend's random source only (as ``toy.batches`` does), so that a resume can restore it.
        final_lr_factor: both learning rates decay exponentially to this fraction.
        snapshot_at: iteration numbers (1-based, 0 = before training) at which
            ``on_snapshot(iteration)`` is called, e.g. to record a figure; it returns the snapshot,
            a dict of host arrays and plain values (what a checkpoint stores as it is).
        report_every: the progress bar reads losses back from the device this often.
        health_window: the progress line warns of the failure signs (``minigan.health``) that
            hold over the last this many iterations.
        checkpoints: save every ``checkpoints.every`` iterations; with ``checkpoints.resume``,
            first load the GAN's state and the snapshots from ``checkpoints.path`` and continue from
            the iteration it reached. Divergence (TrainingDiverged) leaves the last good checkpoint
            in place and names it.
    Returns a :class:`Fitted`: seconds, snapshots, the iteration resumed from.
    """
    optimizers = (gan.d_optimizer, gan.g_optimizer)
    base_lrs = [opt.lr for opt in optimizers]       # before a resume loads the decayed ones
    snapshot_at = sorted(set(snapshot_at))
    start, snapshots, seconds = 0, [], 0.0
    if checkpoints is not None:
        checkpoints = checkpoints.with_settings(loop={"steps": steps, "final_lr_factor": final_lr_factor,
                                                      "snapshot_at": snapshot_at})
        saved = checkpoints.start()
        if saved is not None:
            gan.load_state_dict(saved["gan"])
            start, snapshots, seconds = saved["iteration"], list(saved["snapshots"]), saved["seconds"]
    saved_at = start            # the iteration of the checkpoint on disk from this run (0: none)
    began = time.perf_counter()
    bar = Progress(steps, label, enabled=progress, initial=start)
    if start == 0 and 0 in snapshot_at and on_snapshot:
        snapshots.append(on_snapshot(0))
    try:
        for step in range(start, steps):
            if final_lr_factor != 1.0:
                decay_learning_rates(optimizers, base_lrs, final_lr_factor, step, steps)
            gan.train_step(real_batches)
            done = step + 1
            if done in snapshot_at and on_snapshot:
                snapshots.append(on_snapshot(done))
            if checkpoints is not None and done % checkpoints.every == 0:
                checkpoints.save(gan, done, snapshots, seconds + time.perf_counter() - began)
                saved_at = done
            if done % report_every == 0 or done == steps:
                _report(bar, gan, done, report_every, health_window)
    except TrainingDiverged as exc:
        if checkpoints is None:
            raise
        note = checkpoint.last_good(checkpoints.path, f"iteration {saved_at}" if saved_at else None)
        raise TrainingDiverged(exc.quantity, exc.iteration, exc.value, exc.found_at, note=note) from None
    finally:
        for opt, lr in zip(optimizers, base_lrs):
            opt.lr = lr
    bar.close()
    return Fitted(seconds + time.perf_counter() - began, snapshots, start)


def _report(bar: Progress, gan, done: int, report_every: int, health_window: int) -> None:
    """Redraw the progress line: mean losses and D's verdicts, and the failure signs that hold."""
    warnings = health.current_warnings(gan.recent_history(health_window), k=gan.k, window=health_window,
                                       generator_loss=gan.generator_loss)
    bar.update(done, warnings=warnings, d_loss=gan.last("d_loss", report_every),
               g_loss=gan.last("g_loss", report_every), D_x=gan.last("d_real", report_every),
               D_Gz=gan.last("d_fake", report_every))
