"""The outer training loop of the toy GANs: Algorithm 1 repeated, with a learning-rate schedule,
snapshots for figures, a progress bar and, if asked, checkpoints for an exact resume.
The algorithm itself is in ``minigan.gan`` (algorithm1.py).

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

from ..checks import check_positive_int
from ..gan.errors import TrainingDiverged
from . import checkpoint, health
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
        check_positive_int("every", self.every, "Checkpoints")
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
    """What a :class:`ToyLoop` (and :func:`fit`) leaves behind."""

    seconds: float          # training time, summed over the sessions of a resumed run
    snapshots: list         # on_snapshot's results in order (a resumed run's include the saved ones)
    resumed_from: int = 0   # the iteration a resumed run continued from; 0 for a fresh start


class ToyLoop:
    """The loop around Algorithm 1 in the toy demos, as an iterable of iteration numbers.

        with ToyLoop(gan, steps, final_lr_factor=0.05, checkpoints=checkpoints) as loop:
            for iteration in loop:                  # 1, 2, ..., steps (from a checkpoint's, on resume)
                for _ in range(gan.k):
                    gan.discriminator_step(next(real_batches))
                gan.generator_step(batch_size)
                gan.end_iteration()                 # what gan.train_step(real_batches) does
        loop.fitted                                 # seconds, snapshots, resumed_from

    Entering it loads a checkpoint to resume from (if asked) and takes the snapshot of iteration 0.
    Before each iteration it sets the decayed learning rates; after it, it takes the snapshots,
    saves the checkpoints and redraws the progress line (with the failure signs of ``health``).
    Leaving it puts the base learning rates back; a ``TrainingDiverged`` leaves with the word on
    the last good checkpoint.

    Args:
        final_lr_factor: both learning rates decay exponentially to this fraction.
        snapshot_at: iteration numbers (1-based, 0 = before training) at which
            ``on_snapshot(iteration)`` is called, e.g. to record a figure; it returns the snapshot,
            a dict of host arrays and plain values (what a checkpoint stores as it is).
        report_every: the progress bar reads losses back from the device this often.
        health_window: the progress line warns of the failure signs (``training.health``) that
            hold over the last this many iterations.
        checkpoints: save every ``checkpoints.every`` iterations; with ``checkpoints.resume``,
            first load the GAN's state and the snapshots from ``checkpoints.path`` and continue from
            the iteration it reached. The data iterator must draw from the backend's random source
            only (as ``toy.batches`` does), so that the resume restores it too.
    """

    def __init__(self, gan, steps: int, *, final_lr_factor: float = 1.0, snapshot_at=(), on_snapshot=None,
                 progress: bool = True, label: str = "training", report_every: int = 200,
                 health_window: int = health.WINDOW, checkpoints: Checkpoints | None = None):
        check_positive_int("steps", steps, "ToyLoop")
        self.gan, self.steps, self.final_lr_factor = gan, steps, final_lr_factor
        self.snapshot_at, self.on_snapshot = sorted(set(snapshot_at)), on_snapshot
        self.progress, self.label, self.report_every, self.health_window = progress, label, report_every, health_window
        if checkpoints is not None:
            checkpoints = checkpoints.with_settings(loop={"steps": steps, "final_lr_factor": final_lr_factor,
                                                          "snapshot_at": self.snapshot_at})
        self.checkpoints = checkpoints
        self.optimizers = (gan.d_optimizer, gan.g_optimizer)
        self.base_lrs = [opt.lr for opt in self.optimizers]      # before a resume loads the decayed ones
        self.fitted = None

    def __enter__(self) -> "ToyLoop":
        self.start, self.snapshots, self.seconds_before = 0, [], 0.0
        saved = self.checkpoints.start() if self.checkpoints is not None else None
        if saved is not None:
            self.gan.load_state_dict(saved["gan"])
            self.start, self.snapshots, self.seconds_before = saved["iteration"], list(saved["snapshots"]), \
                saved["seconds"]
        self.saved_at = self.start      # the iteration of the checkpoint on disk from this run (0: none)
        self.began = time.perf_counter()
        self.bar = Progress(self.steps, self.label, enabled=self.progress, initial=self.start)
        if self.start == 0:
            self._snapshot(0)
        return self

    def __iter__(self):
        for step in range(self.start, self.steps):
            if self.final_lr_factor != 1.0:
                decay_learning_rates(self.optimizers, self.base_lrs, self.final_lr_factor, step, self.steps)
            yield step + 1                                    # the caller runs iteration step + 1 here
            self._after(step + 1)

    def _after(self, done: int) -> None:
        """Snapshots, checkpoints and the progress line after iteration ``done``."""
        if self.gan.iteration != done:
            raise RuntimeError(f"ToyLoop: after iteration {done} the GAN counts {self.gan.iteration} iterations: "
                               "end each iteration with gan.end_iteration() (gan.train_step does)")
        self._snapshot(done)
        if self.checkpoints is not None and done % self.checkpoints.every == 0:
            self.checkpoints.save(self.gan, done, self.snapshots, self._seconds())
            self.saved_at = done
        if done % self.report_every == 0 or done == self.steps:
            _report(self.bar, self.gan, done, self.report_every, self.health_window)

    def _snapshot(self, iteration: int) -> None:
        if iteration in self.snapshot_at and self.on_snapshot:
            self.snapshots.append(self.on_snapshot(iteration))

    def _seconds(self) -> float:
        return self.seconds_before + time.perf_counter() - self.began

    def __exit__(self, kind, exc, traceback):
        for opt, lr in zip(self.optimizers, self.base_lrs):
            opt.lr = lr
        if exc is None:
            self.bar.close()
            self.fitted = Fitted(self._seconds(), self.snapshots, self.start)
        elif isinstance(exc, TrainingDiverged) and self.checkpoints is not None:
            note = checkpoint.last_good(self.checkpoints.path, f"iteration {self.saved_at}" if self.saved_at else None)
            raise TrainingDiverged(exc.quantity, exc.iteration, exc.value, exc.found_at, note=note) from None
        return False


def fit(gan, real_batches, steps: int, **options) -> Fitted:
    """Run ``steps`` iterations of Algorithm 1 (``gan.train_step``) in a :class:`ToyLoop` with
    ``options`` (its keyword arguments). ``real_batches``: endless iterator of real batches
    (x or (x, labels)). Returns the loop's :class:`Fitted`: seconds, snapshots, the iteration
    resumed from."""
    with ToyLoop(gan, steps, **options) as loop:
        for _ in loop:
            gan.train_step(real_batches)
    return loop.fitted


def _report(bar: Progress, gan, done: int, report_every: int, health_window: int) -> None:
    """Redraw the progress line: mean losses and D's verdicts, and the failure signs that hold."""
    warnings = health.current_warnings(gan.recent_history(health_window), k=gan.k, window=health_window,
                                       generator_loss=gan.generator_loss)
    bar.update(done, warnings=warnings, d_loss=gan.last("d_loss", report_every),
               g_loss=gan.last("g_loss", report_every), D_x=gan.last("d_real", report_every),
               D_Gz=gan.last("d_fake", report_every))
