"""A NumPy that, like CuPy, refuses to be mixed with plain NumPy.

Library code must do math through ``backend.xp``. On a CPU-only machine a slip
such as ``numpy.exp(x)`` or ``numpy.zeros(n) + x`` goes unnoticed, because xp is
NumPy; on a GPU it fails, because CuPy arrays refuse implicit conversion. This
module makes the CPU fail the same way: arrays made through it are
``StrictArray``s, and any NumPy call that did not come through this module, or
that mixes a plain ``numpy.ndarray`` with a ``StrictArray``, raises
:class:`MixedNumPyError`.

Use: ``backend.set_backend(strict_numpy.module)``.
"""
from __future__ import annotations

import functools
import threading
import types

import numpy as np

_state = threading.local()


class MixedNumPyError(TypeError):
    """Plain NumPy touched a backend array (on CuPy this would be a TypeError too)."""


def _depth():
    return getattr(_state, "depth", 0)


def _is_plain(x):
    return type(x) is np.ndarray and x.ndim > 0


def _check_operands(where, values):
    for v in values:
        if isinstance(v, (list, tuple)):
            _check_operands(where, v)
        elif _is_plain(v):
            raise MixedNumPyError(
                f"{where}: a plain numpy.ndarray of shape {v.shape} was mixed with backend arrays; "
                "make it with backend.xp (or move it with backend.asarray)"
            )


def _wrap(x):
    if type(x) is np.ndarray:
        return x.view(StrictArray)
    if isinstance(x, tuple):
        return tuple(_wrap(v) for v in x)
    if isinstance(x, list):
        return [_wrap(v) for v in x]
    return x


def _inside(fn, where):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        _check_operands(where, args)
        _check_operands(where, kwargs.values())
        _state.depth = _depth() + 1
        try:
            return _wrap(fn(*args, **kwargs))
        finally:
            _state.depth -= 1
    return call


def _plain(x):
    return np.ndarray.view(x, np.ndarray) if isinstance(x, StrictArray) else x


class StrictArray(np.ndarray):
    """An ndarray that only backend.xp may compute with."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if _depth() == 0:
            raise MixedNumPyError(
                f"numpy.{ufunc.__name__} was called directly on a backend array; use backend.xp.{ufunc.__name__}"
            )
        _check_operands(f"numpy.{ufunc.__name__}", inputs)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(_plain(o) for o in out)
        result = getattr(ufunc, method)(*(_plain(i) for i in inputs), **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types_, args, kwargs):
        if _depth() == 0:
            raise MixedNumPyError(
                f"numpy.{func.__name__} was called directly on a backend array; use backend.xp.{func.__name__}"
            )
        return _wrap(super().__array_function__(func, types_, args, kwargs))


_OPERATORS = """add radd iadd sub rsub isub mul rmul imul truediv rtruediv itruediv floordiv rfloordiv
mod pow rpow ipow matmul rmatmul imatmul neg pos abs lt le gt ge eq ne and rand iand or ror ior xor
invert getitem setitem""".split()
for _op in _OPERATORS:
    _name = f"__{_op}__"
    setattr(StrictArray, _name, _inside(getattr(np.ndarray, _name), f"operator {_name}"))
for _name in dir(np.ndarray):
    _attr = getattr(np.ndarray, _name)
    if not _name.startswith("_") and callable(_attr) and _name != "view":
        setattr(StrictArray, _name, _inside(_attr, f"ndarray.{_name}"))


class _Proxy:
    """Wraps an object (a ufunc, a random Generator) so its calls run inside the strict module."""

    def __init__(self, obj, where):
        self._obj, self._where = obj, where

    def __call__(self, *args, **kwargs):
        return _inside(self._obj, self._where)(*args, **kwargs)

    def __getattr__(self, name):
        attr = getattr(self._obj, name)
        if callable(attr) and not isinstance(attr, type):
            return _Proxy(attr, f"{self._where}.{name}")
        return attr


_HOST_TO_DEVICE = ("asarray", "array")


class _StrictModule(types.ModuleType):
    def __init__(self, name, wrapped):
        super().__init__(name)
        self._wrapped = wrapped

    def __getattr__(self, name):
        attr = getattr(self._wrapped, name)
        if isinstance(attr, types.ModuleType):
            return _StrictModule(f"{self.__name__}.{name}", attr)
        if isinstance(attr, type) or not callable(attr):
            return attr
        if name == "default_rng":
            return lambda *a, **k: _Proxy(attr(*a, **k), "Generator")
        if isinstance(attr, np.ufunc):
            return _Proxy(attr, f"xp.{name}")
        if name in _HOST_TO_DEVICE:   # cupy.asarray(numpy_array) is a legal host-to-device copy
            return lambda *a, **k: _wrap(attr(*(_plain(v) for v in a), **k))
        return _inside(attr, f"xp.{name}")


module = _StrictModule("strict_numpy", np)
module.ndarray = StrictArray
module.to_numpy = lambda x: np.array(_plain(x), copy=True)
