"""A small text progress bar for long loops (no dependency).

    bar = Progress(total=1000, label="epoch 1/30")
    for step in range(1000):
        ...
        if step % 20 == 0:
            bar.update(step + 1, d_loss=0.69, D_x=0.51)   # read scalars only this often
    bar.close()

It writes to stderr and redraws in place on a terminal; elsewhere (a log
file, CI) it prints a line at most every ``min_interval`` seconds.
"""
from __future__ import annotations

import sys
import time


class Progress:
    """A progress bar: ``update(done, **numbers)``, then ``close()``."""

    def __init__(self, total: int, label: str = "", width: int = 28, stream=None,
                 min_interval: float = 0.2, enabled: bool = True, initial: int = 0):
        """``initial``: steps already done before this bar started (a resumed run): the bar starts
        there, and the rate and ETA count only the steps done since."""
        self.total, self.label, self.width = max(int(total), 1), label, width
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.min_interval = min_interval if self.tty else max(min_interval, 5.0)
        self.start = time.perf_counter()
        self._last_draw = -1e9
        self.done = self.initial = int(initial)
        self.numbers: dict = {}
        self.warnings: list = []

    def update(self, done: int, warnings=None, **numbers) -> None:
        """Redraw with ``done`` steps and the ``numbers`` to show; ``warnings``: short strings
        (``minigan.health.current_warnings``) shown after them while they hold."""
        self.done, self.numbers = done, numbers or self.numbers
        if warnings is not None:
            self.warnings = list(warnings)
        now = time.perf_counter()
        if now - self._last_draw >= self.min_interval or done >= self.total:
            self._draw(now)

    def _draw(self, now: float, end: str = "") -> None:
        if not self.enabled:
            return
        self._last_draw = now
        frac = min(self.done / self.total, 1.0)
        filled = int(round(frac * self.width))
        elapsed = now - self.start
        rate = (self.done - self.initial) / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        nums = " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in self.numbers.items())
        line = (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                f"{rate:.0f}/s eta {eta:.0f}s {nums}")
        if self.warnings:
            line += "  WARNING: " + "; ".join(self.warnings)
        if self.tty:
            self.stream.write("\r" + line + "\033[K" + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> float:
        """Draw the final state and return the elapsed seconds."""
        now = time.perf_counter()
        if self.tty:
            self._draw(now, end="\n")
        elif now - self._last_draw > 0.0 and self.done < self.total:
            self._draw(now)
        return now - self.start
