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
import inspect
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy

from ..gradcheck import relative_error
from .compare import ReturnProblem, numpy_float64, fresh_args, case_outputs, run, describe, as_real, structure_problem, matches, generic_diagnosis, _index, _number
from .definition import Exercise, TOLERANCE, check_command
from .learner_file import LoadProblem, shown_path, load, learner_traceback, _still_a_stub
from .messages import Text, say


# -- the check -------------------------------------------------------------------------------------
@dataclass
class Report:
    """What ``check`` found: the exit status (0 right, 1 wrong or not written yet) and the text."""

    code: int
    text: str



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
    lines.append(say("look", lang, look=exercise.look(lang), chapter=exercise.chapter, doc=exercise.doc_in(lang)))
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
        fields = {key: value(lang) if isinstance(value, Text) else value for key, value in exc.fields.items()}
        return [say(exc.key, lang, function=case.function, inputs=inputs, **fields)] + note
    except Exception as exc:
        if _still_a_stub(exc, path):
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            return [say("not_written", lang, function=frame.name, path=shown_path(path),
                        check=check_command(exercise, directory, lang))]
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
    return relative_error(got[finite], expected[finite], tiny=scale or 1e-12)


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
    return generic_diagnosis(case_outputs(exercise, case)[i], got[i], expected[i], case.args, lang)
