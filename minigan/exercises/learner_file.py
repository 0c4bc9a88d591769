"""Loading the learner's file as a fresh module, and showing an error in it as the learner's own."""
from __future__ import annotations

import importlib.util
import itertools
import traceback
from pathlib import Path


from .messages import say


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
