"""The README is a front door, not a lab notebook (issue 24).

- README.md and README.ko.md stay short (at most 200 lines), carry no dates, no paths that exist only on a
  developer's machine (``../shared``) and no in-house words ("the main job", "주 작업").
- Their API example runs exactly as printed, and prints what its comments say: the comment at the end of
  a line with ``print(`` is the line it prints, character for character (so to the precision it shows).
  The Korean README's example is the same code; only the comments that are prose may differ.
- Teaching pages (every docs page but the results page, the glossary and the table of contents) carry no
  dated measurement log: no YYYY-MM-DD date. Dates, machines and sweeps live on docs/results.md and
  benchmarks/RESULTS.md.
- The results pages' links resolve, like the docs' (tests/test_docs.py checks README*, docs/ and docs/ko/).
"""
from __future__ import annotations

import io
import os
import pathlib
import re
import subprocess
import sys
import tokenize

import pytest

from test_docs import DOCS, KO, broken_links, fenced_blocks, relative_links

ROOT = pathlib.Path(__file__).resolve().parents[1]
READMES = [ROOT / "README.md", ROOT / "README.ko.md"]
MAX_README_LINES = 200
API_TIMEOUT_S = 600
DATE = re.compile(r"(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)")
IN_HOUSE = {"README.md": ["main job", "../shared"], "README.ko.md": ["주 작업", "../shared"]}
NOT_TEACHING = {"results.md", "glossary.md", "README.md"}


def teaching_pages():
    return [p for p in [*sorted(DOCS.glob("*.md")), *sorted(KO.glob("*.md"))] if p.name not in NOT_TEACHING]


def ids(paths):
    return [str(p.relative_to(ROOT)) for p in paths]


# -- what the rules read ------------------------------------------------------------------------------

def dates_in(text: str):
    """Every YYYY-MM-DD date, and every bare year 2026 (the project's own dates), in the text."""
    return DATE.findall(text) + re.findall(r"(?<!\d)2026(?!\d)", text)


def first_python_block(page: pathlib.Path) -> str:
    blocks = [code for language, code, _ in fenced_blocks(page.read_text(encoding="utf-8")) if language == "python"]
    assert blocks, f"{page.name} has no ```python block: its API example is missing"
    return blocks[0]


def comments_and_code(code: str):
    """(the code with its comments removed, line by line; [(line number, comment text)])."""
    lines = code.splitlines()
    comments = []
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            row, col = token.start
            comments.append((row, token.string[1:].strip()))
            lines[row - 1] = lines[row - 1][:col]
    return [line.rstrip() for line in lines], comments


def expected_output(code: str):
    """The comment of every line that calls print, in order: what that print shows."""
    stripped, comments = comments_and_code(code)
    return [text for row, text in comments if "print(" in stripped[row - 1]]


def mismatches(expected, printed):
    """Where the printed lines differ from the expected ones (the same count, the same text)."""
    problems = [f"expected {len(expected)} printed lines, got {len(printed)}: {printed!r}"] \
        if len(expected) != len(printed) else []
    problems += [f"comment says {want!r}, the code printed {got!r}"
                 for want, got in zip(expected, printed) if want != got]
    return problems


def run_block(code: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "MINIGAN_BACKEND": "numpy", "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=API_TIMEOUT_S)


# -- the rules --------------------------------------------------------------------------------------

@pytest.mark.parametrize("readme", READMES, ids=ids(READMES))
def test_readme_is_short(readme):
    lines = readme.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_README_LINES, f"{readme.name} has {lines} lines (at most {MAX_README_LINES}): " \
                                      "results belong on docs/results.md"


@pytest.mark.parametrize("readme", READMES, ids=ids(READMES))
def test_readme_carries_no_dates(readme):
    found = dates_in(readme.read_text(encoding="utf-8"))
    assert not found, f"{readme.name} carries dates {found}: dated results belong on docs/results.md"


@pytest.mark.parametrize("readme", READMES, ids=ids(READMES))
def test_readme_has_no_developer_paths_or_in_house_words(readme):
    text = readme.read_text(encoding="utf-8")
    found = [word for word in IN_HOUSE[readme.name] if word.lower() in text.lower()]
    assert not found, f"{readme.name} uses {found}: say 'the first demo' / '첫 데모', 'the MNIST folder' or --download"


@pytest.mark.parametrize("page", teaching_pages(), ids=ids(teaching_pages()))
def test_teaching_page_has_no_dated_log(page):
    found = DATE.findall(page.read_text(encoding="utf-8"))
    assert not found, (f"{page.relative_to(ROOT)} carries dates {found}: a teaching page gives a typical number "
                       "and links to docs/results.md (or benchmarks/RESULTS.md) for its date and machine")


@pytest.mark.slow
def test_readme_api_example_prints_what_its_comments_say():
    code = first_python_block(ROOT / "README.md")
    expected = expected_output(code)
    assert expected, "the README's API example has no print(...)  # <what it prints> line"
    result = run_block(code)
    assert result.returncode == 0, f"README.md's API example failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    problems = mismatches(expected, result.stdout.splitlines())
    assert not problems, "README.md's API example: " + "; ".join(problems)


def test_korean_readme_api_example_is_the_same_code_with_the_same_output():
    english, korean = (first_python_block(p) for p in READMES)
    assert comments_and_code(korean)[0] == comments_and_code(english)[0], \
        "README.ko.md's API example must be README.md's code (only prose comments translated)"
    assert expected_output(korean) == expected_output(english), \
        "README.ko.md's print comments must show the same output as README.md's"


RESULT_PAGES = [ROOT / "benchmarks" / "RESULTS.md", ROOT / "benchmarks" / "README.md"]


@pytest.mark.parametrize("page", RESULT_PAGES, ids=ids(RESULT_PAGES))
def test_benchmark_pages_links_resolve(page):
    broken = broken_links(page)
    assert not broken, "\n".join(broken)


# -- the course: numbered chapters, each with a summary and exercises --------------------------------

SECTION_TITLES = {"en": ("Summary", "Exercises"), "ko": ("요약", "연습 문제")}


def chapters(folder: pathlib.Path):
    """The course's chapters in ``folder``, in order: 01_*.md, 02_*.md, ..., then the appendix."""
    return sorted(folder.glob("[0-9][0-9]_*.md")) + [folder / "appendix_fast_numpy.md"]


def level2_headings(page: pathlib.Path):
    return re.findall(r"^## (.+?)\s*$", page.read_text(encoding="utf-8"), flags=re.M)


def section(page: pathlib.Path, title: str) -> str:
    """The text under the level-2 heading ``title`` of ``page``, up to the next level-2 heading."""
    parts = re.split(r"^## (.+?)\s*$", page.read_text(encoding="utf-8"), flags=re.M)
    return next((body for head, body in zip(parts[1::2], parts[2::2]) if head == title), "")


def contents_links(toc: pathlib.Path):
    """The chapter files the contents page links, in the order it lists them."""
    return [target for _, target in relative_links(toc) if re.fullmatch(r"(\d\d_\w+|appendix_\w+)\.md", target)]


COURSE = [(lang, page) for lang, folder in (("en", DOCS), ("ko", KO)) for page in chapters(folder)]


@pytest.mark.parametrize("lang, page", COURSE, ids=[str(p.relative_to(ROOT)) for _, p in COURSE])
def test_every_chapter_ends_with_a_summary_and_exercises(lang, page):
    summary, exercises = SECTION_TITLES[lang]
    headings = level2_headings(page)
    assert summary in headings and exercises in headings, \
        f"{page.relative_to(ROOT)} needs the level-2 headings '## {summary}' and '## {exercises}'; it has {headings}"
    assert headings.index(summary) < headings.index(exercises), f"{page.name}: the summary comes before the exercises"


@pytest.mark.parametrize("folder", [DOCS, KO], ids=["docs", "docs/ko"])
def test_the_contents_page_links_every_chapter_in_order(folder):
    numbered = [p.name for p in chapters(folder)]
    assert [p[:2] for p in numbered[:-1]] == [f"{i:02d}" for i in range(1, len(numbered))], \
        f"chapter numbers must run 01, 02, ... without gaps: {numbered}"
    assert contents_links(folder / "README.md") == numbered, \
        f"{(folder / 'README.md').relative_to(ROOT)} must link every chapter once, in order: {numbered}"


@pytest.mark.parametrize("lang, folder", [("en", DOCS), ("ko", KO)], ids=["docs", "docs/ko"])
def test_every_checked_exercise_is_named_in_its_chapters_exercises(lang, folder):
    from minigan.exercises.registry import EXERCISES
    missing = []
    for name, exercise in EXERCISES.items():
        page = next(folder.glob(f"{exercise.chapter:02d}_*.md"))
        if not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", section(page, SECTION_TITLES[lang][1])):
            missing.append(f"{name} (chapter {exercise.chapter}, {page.relative_to(ROOT)})")
    assert not missing, f"exercises their chapter's Exercises section does not name: {missing}"


# -- the rules can fail -----------------------------------------------------------------------------

def test_date_rule_sees_dates_and_only_dates():
    assert dates_in("measured 2026-12-04 on the machine") == ["2026-12-04", "2026"]
    assert dates_in("the session of 2026") == ["2026"]
    assert dates_in("1,226 s, 0.0231, 2,049 s, shapes (128, 12), steps 20260, 12026") == []


def test_print_comments_are_the_expected_output_and_a_wrong_one_is_caught():
    code = 'x = 3  # a prose comment\nprint(f"x {x:.1f}")  # x 3.0\nprint("#")  # #\n'
    assert expected_output(code) == ["x 3.0", "#"]
    assert comments_and_code(code)[0] == ["x = 3", 'print(f"x {x:.1f}")', 'print("#")']
    assert mismatches(["x 3.0", "#"], ["x 3.0", "#"]) == []
    assert mismatches(["x 3.0"], ["x 3.1"]) == ["comment says 'x 3.0', the code printed 'x 3.1'"]
    assert mismatches(["x 3.0"], []) != []


def test_course_rules_see_sections_and_only_linked_chapters(tmp_path):
    page = tmp_path / "01_x.md"
    page.write_text("# T\n\n## 1. Start\n\ntext\n\n## Summary\n\nshort\n\n## Exercises\n\n1. `start linear`\n",
                    encoding="utf-8")
    assert level2_headings(page) == ["1. Start", "Summary", "Exercises"]
    assert "start linear" in section(page, "Exercises") and "short" not in section(page, "Exercises")
    assert section(page, "요약") == ""
    toc = tmp_path / "README.md"
    toc.write_text("1. [One](01_x.md): a\n2. Two, not linked\n- [Appendix](appendix_fast_numpy.md)\n"
                   "- [The lab](lab.md)\n", encoding="utf-8")
    assert contents_links(toc) == ["01_x.md", "appendix_fast_numpy.md"]
