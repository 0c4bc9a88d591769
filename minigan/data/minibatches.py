"""Endless shuffled minibatches of an in-memory data set, with a state for an exact resume."""
from __future__ import annotations

import numpy

from .. import backend
from ..checks import check_int


class Minibatches:
    """An endless stream of shuffled minibatches, with a state that can be checkpointed.

    Each pass over the data (an "epoch" of the loader) visits a fresh random
    permutation in batches of ``batch_size``; the last ``N mod batch_size``
    samples of a permutation are skipped (every batch has the same size).
    The permutations come from a host NumPy generator seeded with ``seed``,
    so the order is the same on NumPy and CuPy, and ``state_dict()`` captures
    it exactly (epoch, position, order, generator state) for ``--resume``.

    The data are moved to the device once; each batch is a device gather.

    Args:
        images: host array (N, F), e.g. ``to_tanh_range(load_mnist(...)[0])``.
        labels: host int array (N,), or None for unlabelled data.
        batch_size: samples per batch (<= N).
        seed: seed of the shuffling generator.
    Yields:
        ``(x, labels)``: device float (batch_size, F) and int64 (batch_size,);
        or ``x`` alone when ``labels`` is None. Suits ``GAN.train_step``.
    """

    def __init__(self, images, labels=None, batch_size: int = 64, seed: int = 0):
        n = len(images)
        check_int("batch_size", batch_size, 1, maximum=n, owner="Minibatches")      # at most the data size
        if labels is not None and len(labels) != n:
            raise ValueError(f"Minibatches: images and labels must have the same length; got {n} and {len(labels)}")
        self.batch_size, self.seed, self.size = batch_size, seed, n
        self.images = backend.asarray(images)
        self.labels = None if labels is None else backend.asarray(labels, dtype=backend.xp.int64)
        self._generator = numpy.random.default_rng(seed)
        self.epoch = 0           # completed passes over the data
        self.position = 0        # next index into ``order``
        self.order = self._generator.permutation(n)

    @property
    def batches_per_epoch(self) -> int:
        """N // batch_size."""
        return self.size // self.batch_size

    def __iter__(self):
        return self

    def __next__(self):
        if self.position + self.batch_size > self.size:
            self.epoch += 1
            self.position = 0
            self.order = self._generator.permutation(self.size)
        index = backend.asarray(self.order[self.position:self.position + self.batch_size], dtype=backend.xp.int64)
        self.position += self.batch_size
        x = self.images[index]
        return x if self.labels is None else (x, self.labels[index])

    def state_dict(self) -> dict:
        """Host values that reproduce the rest of the stream exactly."""
        return {"epoch": self.epoch, "position": self.position, "order": self.order.copy(),
                "generator": self._generator.bit_generator.state, "batch_size": self.batch_size,
                "seed": self.seed, "size": self.size}

    def load_state_dict(self, state: dict) -> None:
        for key in ("batch_size", "size"):
            if state[key] != getattr(self, key):
                raise ValueError(
                    f"Minibatches.load_state_dict: the state has {key}={state[key]}, this loader {getattr(self, key)}"
                )
        self.epoch, self.position = int(state["epoch"]), int(state["position"])
        self.order = numpy.asarray(state["order"], dtype=numpy.int64)
        self._generator.bit_generator.state = state["generator"]


class Zipped:
    """Several streams drawn side by side: ``next`` gives a tuple of one batch of each, in the order given
    (``Zipped(a=..., b=...)`` yields (a_batch, b_batch): CycleGAN's unpaired batches of two domains).
    ``state_dict`` holds each stream's state under its name, for an exact resume."""

    def __init__(self, **streams):
        if not streams:
            raise ValueError("Zipped: give at least one stream, e.g. Zipped(a=Minibatches(...), b=Minibatches(...))")
        self.streams = streams

    def __iter__(self):
        return self

    def __next__(self):
        return tuple(next(stream) for stream in self.streams.values())

    def state_dict(self) -> dict:
        return {name: stream.state_dict() for name, stream in self.streams.items()}

    def load_state_dict(self, state: dict) -> None:
        if set(state) != set(self.streams):
            raise ValueError(f"Zipped.load_state_dict: the state has streams {sorted(state)}, this one "
                             f"{sorted(self.streams)}")
        for name, stream in self.streams.items():
            stream.load_state_dict(state[name])
