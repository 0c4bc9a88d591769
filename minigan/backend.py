"""The one place that chooses the array module.

minigan runs the same code on NumPy (CPU) and CuPy (GPU). Library code never
imports NumPy for math on model arrays; it asks this module:

    from minigan import backend
    xp = backend.xp            # numpy or cupy
    y = xp.tanh(x)

The choice is read once from the environment variable ``MINIGAN_BACKEND``
(``numpy``, the default, or ``cupy``) and can be changed with
:func:`set_backend`. Host copies for plots and files go through
:func:`to_numpy`, the only helper that moves arrays off the device.

The backend also owns the default floating dtype (float32; gradient checks use
float64) and a seedable random generator, so that a run is reproducible from
one seed.
"""
from __future__ import annotations

import contextlib
import math
import os
from types import ModuleType

import numpy

from .checks import is_int

ALLOWED_BACKENDS = ("numpy", "cupy")
ALLOWED_DTYPES = ("float32", "float64")

xp: ModuleType = numpy          #: the array module in use (numpy or cupy)
name: str = "numpy"             #: its name
dtype = numpy.float32           #: default floating dtype for parameters and data
_rng = None                     #: the backend's random generator (see rng())
defer_checks: bool = False      #: checks of device values wait for the next read-back (True on CuPy)


class BackendError(RuntimeError):
    """The requested array backend cannot be used."""


ENV_VAR = "MINIGAN_BACKEND"


def _import_cupy(requested_by: str) -> ModuleType:
    """CuPy with a usable CUDA device, or a BackendError that names who asked (``requested_by``) and the way out."""
    use_numpy = f"unset {ENV_VAR} to use NumPy" if requested_by.startswith(ENV_VAR) else "use the numpy backend"
    try:
        import cupy
    except Exception as exc:  # ImportError, or a CUDA library that fails to load
        raise BackendError(
            f"{requested_by} was requested but CuPy cannot be imported "
            f"({type(exc).__name__}: {exc}). Install it with "
            "`pip install \"minigan[gpu]\"` (CuPy for CUDA 12) on a machine with "
            f"an NVIDIA GPU, or {use_numpy}."
        ) from exc
    try:
        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:
        raise BackendError(
            f"{requested_by} was requested and CuPy imports, but no CUDA "
            f"device is usable ({type(exc).__name__}: {exc}). Check the NVIDIA "
            f"driver (`nvidia-smi`), or {use_numpy}."
        ) from exc
    if count < 1:
        raise BackendError(f"{requested_by} was requested but CUDA reports 0 devices; {use_numpy}.")
    return cupy


class _Unavailable:
    """Stands in for the array module that $MINIGAN_BACKEND asked for and that cannot run here (or that does
    not exist): every use raises a BackendError that says why (never a silent NumPy run; a demo shows it as
    one message)."""

    def __init__(self, error: Exception):
        self._message = str(error)

    def __getattr__(self, attr):
        raise BackendError(self._message)


def set_backend(backend: str | ModuleType = "numpy", *, requested_by: str | None = None) -> ModuleType:
    """Choose the array module: ``"numpy"``, ``"cupy"``, or a module object.

    A module object is accepted for tests (for example a strict NumPy that
    refuses implicit conversions, like CuPy does). Returns the module.
    Never falls back silently: asking for CuPy where it cannot run raises
    :class:`BackendError` saying why. ``requested_by`` names who asked, for the
    errors (e.g. ``"--backend cupy"``; default ``set_backend('cupy')``).
    """
    global xp, name, _rng, defer_checks
    if isinstance(backend, ModuleType):
        xp, name = backend, getattr(backend, "__name__", "custom")
    elif backend == "numpy":
        xp, name = numpy, "numpy"
    elif backend == "cupy":
        xp, name = _import_cupy(requested_by or f"set_backend({backend!r})"), "cupy"
    else:
        who = ENV_VAR if (requested_by or "").startswith(ENV_VAR) else "backend"
        raise ValueError(f"{who} must be one of {', '.join(ALLOWED_BACKENDS)}; got {backend!r}")
    _rng = None
    defer_checks = name == "cupy"
    _pending_checks.clear()
    return xp


def set_default_dtype(dt) -> None:
    """Set the floating dtype new parameters and data use: float32 or float64."""
    global dtype
    dtype = _check_dtype(dt)


@contextlib.contextmanager
def default_dtype(dt):
    """Temporarily change the default dtype: ``with default_dtype("float64"): ...``"""
    global dtype
    old = dtype
    dtype = _check_dtype(dt)
    try:
        yield
    finally:
        dtype = old


def _check_dtype(dt):
    dt = numpy.dtype(dt)
    if dt.name not in ALLOWED_DTYPES:
        raise ValueError(f"dtype must be one of {', '.join(ALLOWED_DTYPES)}; got {dt.name}")
    return dt.type


class Random:
    """The backend's seedable random source, in the backend's own array module.

    NumPy uses ``numpy.random.Generator`` (PCG64), whose state can be saved in a
    checkpoint so a resumed run draws exactly the numbers an uninterrupted run
    would. CuPy uses ``cupy.random.RandomState`` (cuRAND); its state cannot be
    read back, so a resumed GPU run is reseeded instead (documented, not exact).
    """

    def __init__(self, seed=None):
        self.seed = seed
        if name == "cupy":
            self._gen = xp.random.RandomState(seed)
        else:
            self._gen = xp.random.default_rng(seed)

    def random(self, shape, dtype=None):
        """Uniform samples in [0, 1), shape ``shape``."""
        dt = dtype or globals()["dtype"]
        if name == "cupy":
            return self._gen.random_sample(shape, dtype=dt)
        return self._gen.random(shape, dtype=dt)

    def normal(self, shape, dtype=None):
        """Standard normal samples, shape ``shape``."""
        return self._gen.standard_normal(shape, dtype=dtype or globals()["dtype"])

    def bernoulli(self, prob: float, shape):
        """A boolean array, each entry True with probability ``prob`` (dropout's keep mask).

        NumPy: 32 raw random bits per entry compared with round(prob * 2^32), so prob is
        exact to 2^-32 (a float32 uniform has 24 bits) and no floats are made; three times
        faster than ``random(shape) < prob``. CuPy: ``random(shape) < prob``.
        """
        if not 0 <= prob <= 1:
            raise ValueError(f"bernoulli: prob must be in [0, 1]; got {prob!r}")
        threshold = round(prob * 2**32)           # P(bits < threshold) = threshold / 2^32
        if name != "numpy" or threshold in (0, 2**32):
            return self.random(shape) < prob
        n = math.prod(shape)
        bits = self._gen.bit_generator.random_raw((n + 1) // 2).view(numpy.uint32)[:n]
        return (bits < numpy.uint32(threshold)).reshape(shape)

    def uniform(self, low, high, shape, dtype=None):
        """Uniform samples in [low, high), shape ``shape``."""
        return low + (high - low) * self.random(shape, dtype)

    def integers(self, high, shape):
        """Integers uniform in [0, high), shape ``shape`` (int64)."""
        if name == "cupy":
            return self._gen.randint(0, high, size=shape, dtype=xp.int64)
        return self._gen.integers(0, high, size=shape, dtype=xp.int64)

    def get_state(self):
        """A host-side copy of the state (NumPy), or ``None`` where it cannot be read (CuPy)."""
        return None if name == "cupy" else self._gen.bit_generator.state

    def set_state(self, state) -> None:
        if state is not None and name != "cupy":
            self._gen.bit_generator.state = state


def seed(n: int) -> None:
    """Seed the backend's random source (parameter init, noise, dropout, batches)."""
    global _rng
    if not is_int(n) or n < 0:
        raise ValueError(f"seed must be a non-negative integer; got {n!r}")
    _rng = Random(int(n))


def rng() -> Random:
    """The backend's random source (:class:`Random`), seeded by :func:`seed`."""
    global _rng
    if _rng is None:
        _rng = Random()
    return _rng


def asarray(x, dtype=None):
    """Move host data (lists, NumPy arrays) onto the backend, as ``dtype`` (default: the default dtype)."""
    return xp.asarray(x, dtype=globals()["dtype"] if dtype is None else dtype)


# -- checks of values on the device ------------------------------------------------------
_pending_checks: list = []
MAX_PENDING_CHECKS = 256


def check_later(failed, error) -> None:
    """Raise ``error()`` if the 0-d boolean array ``failed`` is True.

    Reading a value back from a GPU makes the host wait for all queued work, which a
    training step must not do (a layer checking its input would stall every step). So on
    CuPy (``defer_checks``) the check waits for the next read-back: ``to_numpy``,
    ``synchronize`` or ``run_pending_checks`` (``GAN`` reads its losses back every
    ``log_every`` steps); a bad input still fails loudly, a few steps later. On NumPy
    reading is free and the check runs now. ``error``: a callable building the exception;
    it runs only when the check failed, so it may read device values for its message.
    """
    if not defer_checks:
        if bool(failed):
            raise error()
        return
    _pending_checks.append((failed, error))
    if len(_pending_checks) >= MAX_PENDING_CHECKS:      # a loop that never reads back still gets checked
        run_pending_checks()


def run_pending_checks() -> None:
    """Read every deferred check back in one transfer; raise the first one that failed."""
    if not _pending_checks:
        return
    checks = list(_pending_checks)
    _pending_checks.clear()
    failed = to_numpy(xp.stack([flag for flag, _ in checks]))
    for flag, (_, error) in zip(failed, checks):
        if flag:
            exc = error()
            raise type(exc)(f"{exc} (found at a later read-back: on a GPU, inputs are checked then, "
                            "not at every call)")


def to_numpy(x) -> numpy.ndarray:
    """A host NumPy copy of a backend array (the one place arrays leave the device).
    Runs the checks deferred until a read-back (``check_later``) first."""
    if _pending_checks:
        run_pending_checks()
    if isinstance(x, numpy.ndarray) and type(x) is numpy.ndarray:
        return x
    if name == "cupy":
        import cupy
        return cupy.asnumpy(x)
    to_host = getattr(xp, "to_numpy", None)   # test backends provide their own
    return to_host(x) if to_host else numpy.asarray(x)


def synchronize() -> None:
    """Wait for queued GPU work (for timing), and run the deferred checks; a no-op on NumPy."""
    if name == "cupy":
        xp.cuda.Device().synchronize()
    run_pending_checks()


_requested = os.environ.get(ENV_VAR, "numpy").strip().lower() or "numpy"
try:
    set_backend(_requested, requested_by=f"{ENV_VAR}={_requested}")
except (BackendError, ValueError) as _error:    # raised at the first use instead, where a demo reports it in one line
    xp, name = _Unavailable(_error), f"{_requested} (unavailable)"
