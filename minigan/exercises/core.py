"""The checker every exercise shares.

An :class:`Exercise` is data: the stub the learner fills in, minigan's own code as the solution
(called, never copied), the inputs to try (:class:`Case`: random shapes from a fixed seed, and the
edge cases the exercise is known for), and the classic mistakes it recognises (:class:`Mistake`: the
wrong code itself, run on the same inputs, so a learner's output that equals the mistake's gets
the mistake's hint). :func:`check` runs the learner's functions and minigan's on every case in
float64 on NumPy, compares each output (type, dtype, shape, finiteness, then the relative error of
``minigan.gradcheck``, below 1e-6, against minigan and, for gradients, against centred finite
differences), and stops at the first wrong case with what a teacher would say.
"""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import inspect
import itertools
import numbers
import textwrap
import traceback
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy

from .. import backend
from ..gradcheck import relative_error
from .messages import CENTRED_DIFFERENCES, Text, say

#: An output is right when its relative error (``gradcheck.relative_error``) is below this, as in minigan's tests.
TOLERANCE = 1e-6

#: The chapter files of the course (docs/ and docs/ko/), by number.
CHAPTERS = {
    1: "docs/01_gan_game.md", 2: "docs/02_backprop.md", 3: "docs/03_algorithm1.md", 4: "docs/04_mode_collapse.md",
    5: "docs/05_conditional_gan.md", 6: "docs/06_convolutions.md", 7: "docs/07_dcgan.md",
    8: "docs/08_image_translation.md", 9: "docs/09_evaluating_gans.md", 10: "docs/10_training_health.md",
}


# -- what an exercise is ----------------------------------------------------------------------
@dataclass(frozen=True)
class Fresh:
    """An argument built anew for every run (a module, an optimizer, an iterator), right after the
    backend is seeded with the case's seed, so the learner's run and minigan's start alike.
    ``make(built)`` gets the arguments built before it (an optimizer needs its module's parameters)."""

    make: Callable
    label: str


@dataclass
class Case:
    """One input to try. ``args``: argument name -> value (arrays are copied for every run).

    function: which of the exercise's functions it calls (default: the first); messages name the input
    by its arguments' shapes (``describe``). note: what this edge case is about, said when it fails. differences: also compare with the exercise's second opinion (finite differences).
    errstate: NumPy's floating-point error handling while the function runs (default: ignore all;
    ``{"over": "raise"}`` makes an overflow an error that shows the learner's line). outputs: the names
    of what the run gives, where the exercise's driver computes them per case. seed: the backend's seed
    before the ``Fresh`` arguments are built. scale: for an output that is a difference of large terms
    (a distance that is 0 for equal inputs), the size of those terms, which the relative error is
    measured against when the output itself is smaller."""

    args: dict
    function: str = ""
    note: Text | None = None
    differences: bool = True
    errstate: dict | None = None
    outputs: tuple = ()
    seed: int = 0
    scale: float = 0.0


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer: ``code`` has the signature of the learner's ``function`` (default: the
    exercise's first) and computes what the mistake computes; a learner's output equal to it gets ``hint``."""

    key: str
    code: Callable
    hint: Text
    function: str = ""


@dataclass
class Exercise:
    """name, chapter (a key of ``CHAPTERS``), task (one line), stub (the functions the learner writes:
    signatures, docstrings with the math, the shapes and a hint, ``raise NotImplementedError``), look
    (where minigan's answer is: a path and a name), reference (how messages name minigan's code),
    solutions (function name -> minigan's code with the learner's signature), outputs (function name ->
    the names of what it returns), cases (rng -> list of ``Case``), mistakes, differences (function
    name -> callable(**args) -> {output name: array}: a second opinion, by default centred finite
    differences of minigan's forward, named ``differences_name``), driver (``(case, call, args) ->
    tuple of outputs``, for exercises whose functions are called in sequence or act on modules; default:
    one call of ``case.function``)."""

    name: str
    chapter: int
    task: Text
    stub: str
    look: str
    reference: Text
    solutions: dict
    outputs: dict
    cases: Callable
    mistakes: tuple = ()
    differences: dict = field(default_factory=dict)
    differences_name: Text = CENTRED_DIFFERENCES
    driver: Callable | None = None

    @property
    def functions(self) -> tuple:
        return tuple(self.solutions)

    @property
    def doc(self) -> str:
        return CHAPTERS[self.chapter]

    def mistake(self, key: str) -> Mistake:
        return next(m for m in self.mistakes if m.key == key)

    def make_cases(self) -> list:
        """The cases, from a fixed seed (the same every run); each names its function."""
        cases = self.cases(numpy.random.default_rng(zlib.crc32(self.name.encode())))
        for case in cases:
            case.function = case.function or self.functions[0]
        return cases


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
        got = f"{len(result)} values" if isinstance(result, (tuple, list)) else f"one {type(result).__name__}"
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


# -- loading the learner's file ------------------------------------------------------------------
_loaded = itertools.count()


class LoadProblem(Exception):
    """The learner's file cannot be loaded (the message, already in the learner's words)."""


def shown_path(path: Path) -> str:
    """The path as the learner typed it: relative to the current directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load(path: Path, lang: str):
    """The learner's file as a fresh module (importlib, from its path; compiled from its text each
    time, so no stale bytecode is ever run). Raises ``LoadProblem`` with the learner's line on error."""
    path = path.resolve()
    spec = importlib.util.spec_from_file_location(f"minigan_exercise_{next(_loaded)}", path)
    module = importlib.util.module_from_spec(spec)
    source = path.read_text(encoding="utf-8")
    try:
        code = compile(source, str(path), "exec")
    except SyntaxError as exc:
        lines = [say("syntax_error", lang, path=shown_path(path), line=exc.lineno)]
        if exc.text:
            lines.append("    " + exc.text.rstrip("\n"))
            if exc.offset:
                lines.append("    " + " " * (exc.offset - 1) + "^")
        lines.append(f"{type(exc).__name__}: {exc.msg}")
        raise LoadProblem("\n".join(lines)) from None
    try:
        exec(code, module.__dict__)
    except Exception as exc:  # the learner's module-level code
        raise LoadProblem(say("load_error", lang, path=shown_path(path)) + "\n" + learner_traceback(exc, path, lang)) \
            from None
    return module


def learner_traceback(exc: BaseException, path: Path, lang: str) -> str:
    """The exception as the learner needs it: only the frames in their own file, then the error."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    lines = []
    for frame in frames:
        lines.append(f'  File "{shown_path(path)}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line}")
    if not frames:
        lines.append("  " + say("no_learner_frame", lang, path=shown_path(path)))
    message = "".join(traceback.format_exception_only(type(exc), exc)).rstrip()
    return "\n".join(lines + [message])


def _still_a_stub(exc: BaseException, path: Path) -> bool:
    """A NotImplementedError raised in the learner's own file: the stub's line, not yet replaced."""
    if not isinstance(exc, NotImplementedError):
        return False
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and frames[-1].filename == str(path)


# -- the check -------------------------------------------------------------------------------------
@dataclass
class Report:
    """What ``check`` found: the exit status (0 right, 1 wrong or not written yet) and the text."""

    code: int
    text: str


def check_command(exercise: Exercise, directory: str | None) -> str:
    return f"python -m minigan.exercises check {exercise.name}" + (f" --dir {directory}" if directory else "")


def check(exercise: Exercise, path, lang: str = "en", directory: str | None = None) -> Report:
    """Check the learner's file ``path`` for ``exercise``. ``directory``: the --dir the learner used
    (for the commands messages suggest)."""
    path = Path(path).resolve()
    lines = [say("checking", lang, name=exercise.name, functions=", ".join(exercise.functions),
                 path=shown_path(path))]
    with numpy_float64():
        code = _check(exercise, path, lang, directory, lines)
    return Report(code, "\n".join(lines))


def _check(exercise, path, lang, directory, lines) -> int:
    try:
        module = load(path, lang)
    except LoadProblem as exc:
        lines.append(str(exc))
        return 1
    learner = {}
    for function in exercise.functions:
        learner[function] = getattr(module, function, None)
        if not callable(learner[function]):
            lines.append(say("missing_function", lang, path=shown_path(path), function=function,
                             signature=_signature(exercise, function)))
            return 1
        try:      # the checker passes the arguments by the stub's names
            inspect.signature(learner[function]).bind(**dict.fromkeys(_parameters(exercise, function)))
        except TypeError:
            lines.append(say("wrong_arguments", lang, function=function, signature=_signature(exercise, function),
                             got=f"{function}{inspect.signature(learner[function])}"))
            return 1
    cases = exercise.make_cases()
    for done, case in enumerate(cases):
        problem = _check_case(exercise, case, learner, path, lang, directory)
        if problem:
            lines.extend(problem)
            if done:
                lines.append(say("progress", lang, passed=done, total=len(cases)))
            return 1
    edges = sum(1 for c in cases if c.note is not None)
    counts = [say(key, lang, count=n, s="s" if n != 1 else "")
              for key, n in (("random_cases", len(cases) - edges), ("edge_cases", edges)) if n]
    second = say("passed_second", lang, against=exercise.differences_name(lang)) if exercise.differences else ""
    lines.append(say("passed", lang, total=len(cases), name=exercise.name, cases=", ".join(counts),
                     functions=", ".join(exercise.functions), reference=exercise.reference(lang), second=second))
    lines.append(say("look", lang, look=exercise.look, chapter=exercise.chapter, doc=exercise.doc))
    return 0


def _stub_function(exercise: Exercise, function: str) -> ast.FunctionDef:
    return next(node for node in ast.parse(exercise.stub).body
                if isinstance(node, ast.FunctionDef) and node.name == function)


def _parameters(exercise: Exercise, function: str) -> list:
    return [a.arg for a in _stub_function(exercise, function).args.args]


def _signature(exercise: Exercise, function: str) -> str:
    """'linear_backward(x, weight, grad_output)', as the stub declares it."""
    return f"{function}({', '.join(_parameters(exercise, function))})"


def _check_case(exercise, case, learner, path, lang, directory):
    """Run one case; None when right, else the lines that say what is wrong."""
    inputs = describe(case.args)
    note = [say("case_note", lang, note=case.note(lang))] if case.note else []
    try:
        args, got = run(exercise, case, learner)
    except ReturnProblem as exc:
        return [say(exc.key, lang, function=case.function, inputs=inputs, **exc.fields)] + note
    except Exception as exc:
        if _still_a_stub(exc, path):
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            return [say("not_written", lang, function=frame.name, path=shown_path(path),
                        check=check_command(exercise, directory))]
        return [say("raised", lang, function=case.function, inputs=inputs), learner_traceback(exc, path, lang)] + note
    for name, value in case.args.items():
        if isinstance(value, numpy.ndarray) and not numpy.array_equal(args[name], value, equal_nan=True):
            return [say("changed_input", lang, function=case.function, argument=name, inputs=inputs)] + note
    _, expected = run(exercise, case, exercise.solutions)
    second = {}
    if case.differences and case.function in exercise.differences:
        second = exercise.differences[case.function](**fresh_args(case))
    names = case_outputs(exercise, case)
    right, wrong = [], []
    for i, name in enumerate(names):
        problem = _output_problem(case, name, got[i], expected[i], second.get(name), exercise, lang)
        (wrong if problem else right).append((name, problem))
    if not wrong:
        return None
    name, problem = wrong[0]
    lines = [say("wrong_header", lang, function=case.function, output=name, inputs=inputs)]
    lines += ["  " + line for line in problem]
    if right:
        lines.append("  " + say("right_outputs", lang, outputs=", ".join(n for n, _ in right)))
    hint = _diagnose(exercise, case, names.index(name), got, expected, lang)
    if hint:
        lines.append(say("hint", lang, hint=hint))
    return lines + note


def _output_problem(case, name, got, expected, numeric, exercise, lang):
    """The lines that say what is wrong with one output, or [] when it is right."""
    structure = structure_problem(name, got, expected, lang)
    if structure:
        return [structure]
    got = as_real(got) if numpy.ndim(expected) == 0 else got
    expected = numpy.asarray(expected, dtype=numpy.float64)
    errors = [(_error(got, expected, case.scale), exercise.reference(lang))]
    if numeric is not None:
        errors.append((_error(got, numeric, case.scale), exercise.differences_name(lang)))
    if all(error < TOLERANCE for error, _ in errors):
        return []
    lines = [say("relative_error", lang, error=error, against=against, tolerance=TOLERANCE)
             for error, against in errors]
    diff = numpy.where(numpy.isfinite(expected), numpy.abs(got - expected), 0)
    index = tuple(numpy.unravel_index(numpy.argmax(diff), diff.shape)) if diff.ndim else ()
    lines.append(say("worst", lang, output=name, index=_index(index), expected=_number(expected[index]),
                     got=_number(got[index])))
    return lines


def _error(got, expected, scale: float) -> float:
    """``gradcheck.relative_error`` over the finite entries (inf where the non-finite ones differ); with a
    ``scale``, measured against it where both outputs are smaller."""
    got, expected = numpy.asarray(got, dtype=numpy.float64), numpy.asarray(expected, dtype=numpy.float64)
    finite = numpy.isfinite(expected)
    if not numpy.array_equal(got[~finite], expected[~finite], equal_nan=True):
        return float("inf")
    got, expected = got[finite], expected[finite]
    if not scale or not got.size:
        return relative_error(got, expected)
    return float(numpy.abs(got - expected).max()) / max(float(numpy.abs(got).max()), float(numpy.abs(expected).max()),
                                                        scale)


def _diagnose(exercise, case, i, got, expected, lang):
    """The hint of the first planted mistake whose output ``i`` equals the learner's, else a generic one."""
    for mistake in exercise.mistakes:
        function = mistake.function or exercise.functions[0]
        if function != case.function and exercise.driver is None:
            continue
        try:
            _, planted = run(exercise, case, {**exercise.solutions, function: mistake.code})
        except Exception:  # a mistake that cannot run on this input does not explain it
            continue
        if not matches(planted[i], expected[i]) and matches(got[i], planted[i]):
            return mistake.hint(lang)
    args = fresh_args(case)
    return generic_diagnosis(case_outputs(exercise, case)[i], got[i], expected[i], args, lang)


# -- the files the learner gets ------------------------------------------------------------------------
def stub_text(exercise: Exercise, directory: str | None = None) -> str:
    """The learner's file: a header (the task, how to check, then where to look after trying and the
    chapter), then the stub's functions."""
    parts = [
        f'"""Exercise {exercise.name}',
        textwrap.fill(exercise.task("en"), 100) + "\nKeep the functions' names and arguments. Then check:",
        f"    {check_command(exercise, directory)}",
        "The checker runs your code in float64 on random inputs and on edge cases, compares every output\n"
        "with minigan's own code (and, for gradients, with centred finite differences), and says which\n"
        "output is wrong, on which input, where, and why when it recognises the mistake.\n"
        "Add --lang ko for the messages in Korean.",
        textwrap.fill(f"After trying, compare with minigan's own answer: {exercise.look}.", 100)
        + f"\nChapter {exercise.chapter}: {exercise.doc}.\n" + '"""',
    ]
    header = "\n\n".join(parts) + "\nimport numpy as np\n"
    return header + exercise.stub


def suggestions(name: str, names) -> list:
    import difflib
    return difflib.get_close_matches(name, list(names), n=3, cutoff=0.5)


