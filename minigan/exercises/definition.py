"""What an exercise is: the data every exercise module of ``catalog/`` declares, and the stub the
learner gets from it."""
from __future__ import annotations

import textwrap
import zlib
from dataclasses import dataclass, field
from typing import Callable

import numpy

from .messages import CENTRED_DIFFERENCES, Text


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
    (where minigan's answer is, in both languages: a path and a name), reference (how messages name minigan's code),
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
    look: Text
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

    def doc_in(self, lang: str = "en") -> str:
        """The chapter's page in ``lang`` (docs/ko/... for Korean)."""
        return self.doc.replace("docs/", "docs/ko/", 1) if lang == "ko" else self.doc

    def mistake(self, key: str) -> Mistake:
        return next(m for m in self.mistakes if m.key == key)

    def make_cases(self) -> list:
        """The cases, from a fixed seed (the same every run); each names its function."""
        cases = self.cases(numpy.random.default_rng(zlib.crc32(self.name.encode())))
        for case in cases:
            case.function = case.function or self.functions[0]
        return cases

def command(verb: str, exercise: Exercise, directory: str | None, lang: str = "en") -> str:
    """The command line of ``verb`` (start or check) for ``exercise``, with --dir and --lang as the learner gave them."""
    return (f"python -m minigan.exercises {verb} {exercise.name}" + (f" --dir {directory}" if directory else "")
            + (" --lang ko" if lang == "ko" else ""))


def check_command(exercise: Exercise, directory: str | None, lang: str = "en") -> str:
    return command("check", exercise, directory, lang)


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
        textwrap.fill(f"After trying, compare with minigan's own answer: {exercise.look('en')}.", 100)
        + f"\nChapter {exercise.chapter}: {exercise.doc}.\n" + '"""',
    ]
    header = "\n\n".join(parts) + "\nimport numpy as np\n"
    return header + exercise.stub


def suggestions(name: str, names) -> list:
    import difflib
    return difflib.get_close_matches(name, list(names), n=3, cutoff=0.5)
