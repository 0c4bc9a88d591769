"""The background thread that trains while the page says play.

It runs Algorithm 1 in short batches (at most BATCH_SECONDS each) with the session's lock held,
and lets go of the lock between batches, so a request never waits longer than one batch; while a
request is being answered (:class:`Gate`) it starts no batch, so the answer does not share the
Python interpreter (its GIL) with training either. At
``speed`` s > 0 it runs the iterations that are due at s per second and sleeps in between (slow
motion); at speed 0 it runs as fast as it can. An error that is not a divergence (which the
session handles) pauses training and is shown on the page; the thread itself keeps going.
"""
from __future__ import annotations

import contextlib
import threading
import time
import traceback

BATCH_SECONDS = 0.01       #: the longest a batch of steps holds the lock
IDLE_SECONDS = 0.1         #: how often a paused trainer looks again


class Gate:
    """Requests first: ``serving()`` marks an answer being computed; ``idle`` is set while none is."""

    def __init__(self):
        self._count, self._lock = 0, threading.Lock()
        self.idle = threading.Event()
        self.idle.set()

    @contextlib.contextmanager
    def serving(self):
        with self._lock:
            self._count += 1
            self.idle.clear()
        try:
            yield
        finally:
            with self._lock:
                self._count -= 1
                if not self._count:
                    self.idle.set()


class Trainer(threading.Thread):
    """Trains ``session`` (a LabSession) while ``session.running``; ``stop()`` ends the thread."""

    def __init__(self, session):
        super().__init__(name="minigan-lab-trainer", daemon=True)
        self.session = session
        self._stop_event = threading.Event()
        self._clock = None            # (start time, iterations done since then, speed) of the paced run

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_event.set()
        if self.is_alive():
            self.join(timeout)

    def _due(self, speed: float) -> int:
        """How many iterations to run now: a batch at full speed, else what the pace has made due."""
        if speed <= 0:
            self._clock = None
            return 10**9
        now = time.perf_counter()
        if self._clock is None or self._clock[2] != speed:
            self._clock = (now, 0, speed)
        start, done, _ = self._clock
        due = int((now - start) * speed) - done
        if due > max(1.0, speed * 0.25):          # fell behind (a long request): don't race to catch up
            self._clock = (now - 1.0 / speed, 0, speed)
            due = 1
        return max(0, due)

    def run(self) -> None:
        session = self.session
        while not self._stop_event.is_set():
            if not session.running:
                self._clock = None
                self._stop_event.wait(IDLE_SECONDS)
                continue
            if not session.gate.idle.wait(IDLE_SECONDS):   # a request is being answered: it goes first
                continue
            speed = session.config["speed"]
            due = self._due(speed)
            if due == 0:
                self._stop_event.wait(min(IDLE_SECONDS, 1.0 / speed))
                continue
            try:
                with session.lock:
                    done = session.run_steps("both", due, BATCH_SECONDS) if session.running else 0
            except Exception as exc:      # a bug or a bad state must not end the thread
                traceback.print_exc()
                session.fail(exc)
                continue
            if self._clock is not None:
                start, total, pace = self._clock
                self._clock = (start, total + done, pace)
