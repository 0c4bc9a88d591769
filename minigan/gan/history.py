"""What a GAN remembers of its training: losses, D's verdicts, gradient norms, and the
divergence check that reads them.

Every step queues its numbers as device scalars; they are read back to the host once every
``log_every`` iterations (on a GPU, reading a number makes the host wait for the device, so
not every step), and a non-finite one stops training with :class:`TrainingDiverged`.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy

from .. import backend
from .errors import TrainingDiverged

HISTORY_KEYS = ("d_loss", "g_loss", "d_real", "d_fake", "value", "d_grad_norm", "g_grad_norm")
#: recorded once per generator step; the other keys once per discriminator step
G_KEYS = ("g_loss", "g_grad_norm")
#: recorded as squared norms on the device, rooted on the host at read-back
NORM_KEYS = ("d_grad_norm", "g_grad_norm")


class History:
    """The record keeping of a ``GAN`` (a base class of it, and of ``CycleGAN``): counters, queued
    device scalars, read-back and the divergence check. Uses the owner's ``k``, ``log_every`` and
    its two optimizers ``d_optimizer`` and ``g_optimizer``."""

    #: Stop with TrainingDiverged at the first read-back that sees a non-finite number.
    check_divergence = True
    #: What is recorded: every key once per D step, except ``g_keys``, once per G step; ``norm_keys``
    #: are queued squared and rooted at read-back. The keys are also the order that breaks ties
    #: between non-finite values. A subclass that records other numbers sets its own.
    keys, g_keys, norm_keys = HISTORY_KEYS, G_KEYS, NORM_KEYS

    def __init__(self):
        self.iteration = 0            # completed Algorithm-1 iterations (k D steps + 1 G step)
        self.d_steps = 0
        self.g_steps = 0
        self._pending = defaultdict(list)   # device scalars not yet read back
        self._history = defaultdict(list)

    # -- recording ------------------------------------------------------------------
    def record_d_step(self, d_loss, d_real_mean, d_fake_mean) -> None:
        """Queue one discriminator step: its loss, mean D(x), mean D(G(z)), V = -2 d_loss,
        and ||dL/dθ_D||^2 (device scalars)."""
        self.record_step("d", d_loss=d_loss, d_real=d_real_mean, d_fake=d_fake_mean, value=-2 * d_loss)

    def record_g_step(self, g_loss) -> None:
        """Queue one generator step: its loss and ||dL/dθ_G||^2 (its square root, the norm, at read-back)."""
        self.record_step("g", g_loss=g_loss)

    def record_step(self, player: str, **values) -> None:
        """Queue the device scalars ``values`` of one step of ``player`` ("d" or "g") and the squared
        norm of the gradient that player's optimizer just applied (as ``d_grad_norm`` or ``g_grad_norm``)."""
        for key, value in values.items():
            self._pending[key].append(value)
        self._record_grad_norm(f"{player}_grad_norm", self.d_optimizer if player == "d" else self.g_optimizer)
        if player == "d":
            self.d_steps += 1
        else:
            self.g_steps += 1

    def end_iteration(self) -> None:
        """Count one iteration of Algorithm 1; every ``log_every`` iterations read the history
        back and check it (``TrainingDiverged``)."""
        self.iteration += 1
        if self.iteration % self.log_every == 0:
            self._flush()

    def _record_grad_norm(self, key, optimizer):
        """Queue ||g||^2 of the gradient the optimizer just applied: one dot product of its
        packed flat buffer (P,), on the device; the square root is taken at read-back."""
        grad = optimizer.grad          # step() has filled every view (flat_grad)
        self._pending[key].append(grad.dot(grad))

    # -- read-back and the divergence check -----------------------------------------------
    def _flush(self):
        """Read pending device scalars back to the host in one transfer per key, then stop
        training if any of them, or any parameter, is not a finite number (TrainingDiverged).

        The check costs nothing per step: the values are on the host already, and the
        parameters are checked with one reduction per network per read-back."""
        xp = backend.xp
        new = {}
        for key, values in self._pending.items():
            if values:
                host = backend.to_numpy(xp.stack(values)).astype(float)
                new[key] = host ** 0.5 if key in self.norm_keys else host
        self._pending.clear()
        for key, host in new.items():
            self._history[key].extend(float(v) for v in host)
        if new and self.check_divergence:
            self._check_finite(new)

    def _check_finite(self, new: dict) -> None:
        """Raise TrainingDiverged for the earliest non-finite value among the values just read
        back (``new``: key -> host array of the latest steps), else for non-finite parameters."""
        first = None
        for key in self.keys:                    # this order breaks ties: losses before outputs
            host = new.get(key)
            if host is None or bool(numpy.isfinite(host).all()):
                continue
            j = int(numpy.flatnonzero(~numpy.isfinite(host))[0])
            # the last value is the latest step's: count back from the step counters
            if key in self.g_keys:
                iteration = self.g_steps - len(host) + j + 1
            else:
                iteration = (self.d_steps - len(host) + j) // self.k + 1
            if first is None or iteration < first[1]:
                first = (key, iteration, float(host[j]))
        if first is not None:
            raise TrainingDiverged(*first, found_at=self.iteration)
        xp = backend.xp
        optimizers = (("discriminator parameters", self.d_optimizer), ("generator parameters", self.g_optimizer))
        finite = backend.to_numpy(xp.stack([xp.isfinite(opt.data).all() for _, opt in optimizers]))
        for (name, _), ok in zip(optimizers, finite):
            if not ok:
                raise TrainingDiverged(name, self.iteration, found_at=self.iteration)

    # -- reading ----------------------------------------------------------------------------
    @property
    def history(self) -> dict:
        """Per-step records as host lists: d_loss, d_real, d_fake, value, d_grad_norm (one per D step),
        g_loss, g_grad_norm (one per G step). The gradient norms are ||dL/dθ|| over all of a
        network's parameters (its optimizer's flat buffer). A state saved before they were
        recorded gives shorter (or empty) gradient-norm lists."""
        self._flush()
        return {key: list(self._history.get(key, [])) for key in self.keys}

    def recent_history(self, iterations: int) -> dict:
        """The ``history`` of the last ``iterations`` iterations only (k * iterations D steps),
        without copying the whole of it: what a progress line's health check reads."""
        self._flush()
        counts = {key: iterations if key in self.g_keys else iterations * self.k for key in self.keys}
        return {key: self._history[key][-counts[key]:] for key in self.keys}

    def last(self, key: str, n: int = 1) -> float:
        """Mean of the last n recorded values of ``key`` (reads back pending values)."""
        if key not in self.keys:
            raise KeyError(f"last: key must be one of {', '.join(self.keys)}; got {key!r}")
        self._flush()
        values = self._history[key][-n:]          # no copy of the whole history, unlike .history
        return sum(values) / len(values) if values else math.nan

    # -- saving -------------------------------------------------------------------------------
    def history_state(self) -> dict:
        """The counters and the history, as ``GAN.state_dict`` saves them."""
        return {"counters": {"iteration": self.iteration, "d_steps": self.d_steps, "g_steps": self.g_steps},
                "history": self.history}

    def load_history_state(self, state: dict) -> None:
        """Restore what ``history_state`` saved (nothing pending afterwards)."""
        counters = state["counters"]
        self.iteration, self.d_steps, self.g_steps = counters["iteration"], counters["d_steps"], counters["g_steps"]
        self._pending.clear()
        self._history = defaultdict(list, {k: list(v) for k, v in state["history"].items()})
