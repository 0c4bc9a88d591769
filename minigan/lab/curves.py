"""The curves under the plot: D's and G's losses, mean D(x) and D(G(z)), at a bounded resolution.

Training records one value per step (``GAN.history``); the page needs a few hundred points. The
recorder sums what each batch of steps added (``GAN.last``: no copy of the whole history) into a
bucket, and closes the bucket as one point once it spans ``stride`` steps. When MAX_POINTS points
are held, every two neighbours merge and the stride doubles, so the curve always covers the
whole run with at most MAX_POINTS points.
"""
from __future__ import annotations

import math

import numpy

from ..gan.history import G_KEYS     # recorded per G step; the others per D step

KEYS = ("d_loss", "g_loss", "d_real", "d_fake")
MAX_POINTS = 400


class Curves:
    """Bounded curves of KEYS against the iteration. ``points()`` gives the page's lists."""

    def __init__(self):
        self.columns = {key: [] for key in ("iteration", *KEYS)}
        self.stride = 1                  # steps a point spans at least
        self._last_steps = 1             # steps the last point spans
        self._bucket = self._empty_bucket()

    @staticmethod
    def _empty_bucket():
        return {"steps": 0, **{key: [0.0, 0] for key in KEYS}}

    def record(self, gan, d_new: int, g_new: int) -> None:
        """Add the last ``d_new`` D steps and ``g_new`` G steps of ``gan``'s history.
        May raise TrainingDiverged (reading the history back checks it)."""
        if d_new + g_new == 0:
            return
        bucket = self._bucket
        for key in KEYS:
            n = g_new if key in G_KEYS else d_new
            if n:
                value = gan.last(key, n)
                if math.isfinite(value):
                    bucket[key][0] += value * n
                    bucket[key][1] += n
        bucket["steps"] += d_new + g_new
        if bucket["steps"] >= self.stride:
            self._last_steps = bucket["steps"]
            self._close(gan.iteration)

    def _close(self, iteration: int) -> None:
        self.columns["iteration"].append(iteration)
        for key in KEYS:
            total, n = self._bucket[key]
            self.columns[key].append(round(total / n, 5) if n else None)
        self._bucket = self._empty_bucket()
        if len(self.columns["iteration"]) >= MAX_POINTS:
            self._halve()

    def _halve(self) -> None:
        """Merge neighbouring points (the later iteration, the mean of the values); later points span
        twice the steps of the last one."""
        for key, values in self.columns.items():
            pairs = zip(values[0::2], values[1::2])
            if key == "iteration":
                merged = [b for _, b in pairs]
            else:
                merged = [None if a is None and b is None else (b if a is None else a if b is None else round((a + b) / 2, 5))
                          for a, b in pairs]
            self.columns[key] = merged
        self.stride = 2 * max(self.stride, self._last_steps)

    def points(self) -> dict:
        """{"iteration": (n,), "d_loss": (n,), ...} as float arrays, NaN where nothing was recorded."""
        return {key: numpy.array(values, dtype=numpy.float64) for key, values in self.columns.items()}

    # -- in a checkpoint (float arrays, NaN for None) ---------------------------------------
    def state_dict(self) -> dict:
        state = {key: numpy.asarray([numpy.nan if v is None else v for v in values], dtype=numpy.float64)
                 for key, values in self.columns.items()}
        state["stride"] = self.stride
        return state

    def load_state_dict(self, state: dict) -> None:
        for key in self.columns:
            values = numpy.asarray(state.get(key, []), dtype=numpy.float64).ravel().tolist()
            self.columns[key] = [None if math.isnan(v) else (int(v) if key == "iteration" else v) for v in values]
        self.stride = int(state.get("stride", 1))
        self._bucket = self._empty_bucket()
