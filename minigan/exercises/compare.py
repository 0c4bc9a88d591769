"""Running the learner's functions and minigan's on one case, and comparing what they return."""
from __future__ import annotations

import contextlib
import itertools
import numbers

import numpy

from .. import backend
from ..gradcheck import relative_error
from .definition import Fresh, Case, Exercise, TOLERANCE
from .messages import Text, say


# -- running functions on a case ----------------------------------------------------------------
class ReturnProblem(Exception):
    """The learner's function returned None or the wrong number of values (the message key and fields)."""

    def __init__(self, key, **fields):
        super().__init__(key)
        self.key, self.fields = key, fields


@contextlib.contextmanager
def numpy_float64():
    """Run minigan on NumPy in float64 for the duration (the learner writes NumPy), then restore."""
    previous = backend.xp
    if backend.name != "numpy":
        backend.set_backend("numpy")
    saved = backend.rng().get_state()       # the cases reseed the backend; the caller's stream goes on as it was
    try:
        with backend.default_dtype("float64"):
            yield
    finally:
        backend.rng().set_state(saved)
        if backend.xp is not previous:
            backend.set_backend(previous)


def fresh_args(case: Case) -> dict:
    """The case's arguments for one run: arrays copied, ``Fresh`` ones built after seeding the backend."""
    backend.seed(case.seed)
    built = {}
    for k, v in case.args.items():
        built[k] = v.make(built) if isinstance(v, Fresh) else v.copy() if isinstance(v, numpy.ndarray) else v
    return built


def _as_tuple(exercise: Exercise, function: str, result) -> tuple:
    names = exercise.outputs[function]
    if not names:
        return ()
    if result is None:
        raise ReturnProblem("returned_none")
    if len(names) == 1:
        return (result,)
    if not isinstance(result, (tuple, list)) or len(result) != len(names):
        got = (Text(f"{len(result)} values", f"값 {len(result)}개") if isinstance(result, (tuple, list))
               else Text(f"one {type(result).__name__}", f"{type(result).__name__} 하나"))
        raise ReturnProblem("wrong_count", count=len(names), names=", ".join(names), got=got)
    return tuple(result)


def case_outputs(exercise: Exercise, case: Case) -> tuple:
    return case.outputs or exercise.outputs[case.function]


def run(exercise: Exercise, case: Case, implementations: dict):
    """Run the case with ``implementations`` (function name -> callable). Returns (args, outputs)."""
    args = fresh_args(case)

    def call(function, **kwargs):
        with numpy.errstate(**(case.errstate or {"all": "ignore"})):
            result = implementations[function](**kwargs)
        return _as_tuple(exercise, function, result)

    driver = exercise.driver or (lambda case, call, args: call(case.function, **args))
    return args, driver(case, call, args)


def describe(args: dict) -> str:
    """'x (4, 3), weight (3, 5), negative_slope=0.2': how messages name an input."""
    parts = []
    for k, v in args.items():
        if isinstance(v, numpy.ndarray):
            parts.append(f"{k} {tuple(v.shape)}")
        elif isinstance(v, Fresh):
            parts.append(f"{k}={v.label}")
        else:
            parts.append(f"{k}={v!r}")
    return ", ".join(parts)


# -- comparing one output ----------------------------------------------------------------------
def _number(x) -> str:
    return f"{float(x):.6g}" if numpy.isfinite(x) else str(float(x))


def _index(index) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]" if index else ""


def as_real(value):
    """A learner's scalar output as a 0-d float64 array, or None if it is not a real number."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return numpy.asarray(float(value))
    if isinstance(value, numpy.ndarray) and value.shape == () and value.dtype.kind in "fiu":
        return value.astype(numpy.float64)
    return None


def structure_problem(name: str, got, expected, lang: str):
    """What is wrong with ``got``'s type, dtype, shape or finiteness (a message), or None."""
    if numpy.ndim(expected) == 0:                       # a number: V(D, G), a distance
        if numpy.iscomplexobj(got):
            return say("complex", lang, output=name, got=got)
        if as_real(got) is None:
            return say("not_number", lang, output=name, got=_type_name(got))
        got = as_real(got)
    elif not isinstance(got, numpy.ndarray):
        return say("not_array", lang, output=name, got=_type_name(got))
    elif got.dtype != expected.dtype:
        if got.dtype.kind == "c":
            return say("complex", lang, output=name, got=f"dtype {got.dtype}")
        return say("dtype", lang, output=name, got=got.dtype)
    elif got.shape != expected.shape:
        return say("shape", lang, output=name, got=tuple(got.shape), expected=tuple(expected.shape))
    bad = ~numpy.isfinite(got) & numpy.isfinite(expected)
    if bad.any():
        index = tuple(numpy.argwhere(bad)[0]) if got.ndim else ()
        return say("nonfinite", lang, output=name, index=_index(index), got=got[index],
                   expected=_number(numpy.asarray(expected)[index]))
    return None


def _type_name(value) -> str:
    if isinstance(value, numpy.ndarray):
        return f"numpy.ndarray, shape {value.shape}, dtype {value.dtype}"
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def matches(got, target) -> bool:
    """``got`` equals ``target`` up to the tolerance: same shape, the same non-finite entries, and
    relative error below ``TOLERANCE`` on the finite ones (used to recognise mistakes)."""
    try:
        a = numpy.asarray(got, dtype=numpy.float64)
        b = numpy.asarray(target, dtype=numpy.float64)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape:
        return False
    fa, fb = numpy.isfinite(a), numpy.isfinite(b)
    if not (fa == fb).all() or not numpy.array_equal(a[~fa], b[~fb], equal_nan=True):
        return False
    return relative_error(a[fa], b[fb]) < TOLERANCE


# -- recognising wrong answers -------------------------------------------------------------------
def generic_diagnosis(name: str, got, expected, args: dict, lang: str):
    """A hint for a wrong output that no planted mistake explains: the transpose, the wrong sign, a
    constant factor (named when it is a size of an argument), or a sum over some axes left undone."""
    try:
        a = numpy.asarray(got, dtype=numpy.float64)
    except (TypeError, ValueError):
        return None
    e = numpy.asarray(expected, dtype=numpy.float64)
    if a.ndim == 2 and a.shape == e.shape[::-1] and a.shape != e.shape and matches(a.T, e):
        return say("transposed", lang, output=name)
    if a.ndim == 2 and a.shape == e.shape and a.shape[0] == a.shape[1] and matches(a.T, e):
        return say("transposed", lang, output=name)
    if a.shape == e.shape and numpy.isfinite(a).all() and (e != 0).any():
        factor = float((a * e).sum() / (e * e).sum())
        if factor != 0 and matches(a, factor * e) and abs(factor - 1) > 1e-6:
            if abs(factor + 1) < 1e-6:
                return say("wrong_sign", lang, output=name)
            return say("scaled", lang, output=name, factor=f"{factor:.6g}", because=_factor_reason(factor, args, lang))
    if a.ndim > e.ndim and a.size == e.size and matches(a.reshape(e.shape), e):
        return say("extra_axes", lang, output=name, got=a.shape, expected=e.shape)
    if a.ndim > e.ndim:
        for axes in itertools.combinations(range(a.ndim), a.ndim - e.ndim):
            kept = tuple(s for i, s in enumerate(a.shape) if i not in axes)
            if kept == e.shape and matches(a.sum(axis=axes), e):
                return say("summed", lang, output=name, axes=axes[0] if len(axes) == 1 else axes)
    return None


def _factor_reason(factor: float, args: dict, lang: str) -> str:
    """' (4 is x.shape[0])' when the factor (or its inverse) is a size of an argument."""
    for value in (factor, 1 / factor):
        number = round(value)
        if number < 2 or abs(value - number) > 1e-6 * number:
            continue
        for k, v in args.items():
            if isinstance(v, numpy.ndarray) and v.ndim:
                if v.size == number and v.ndim > 1:
                    what = say("size_of", lang, name=k)
                else:
                    axis = next((i for i, s in enumerate(v.shape) if s == number), None)
                    if axis is None:
                        continue
                    what = say("dim_of", lang, name=k, axis=axis)
                shown = f"{number}" if value == factor else f"1/{number}"
                return say("scaled_because", lang, number=shown, what=what)
    return ""
