"""Make every course chapter a Jupyter notebook, from the chapter's one source (its Markdown page).

    python docs/notebooks/make_notebooks.py            # write docs/notebooks/*.ipynb (and ko/*.ipynb)
    python docs/notebooks/make_notebooks.py --check    # exit 1 naming each notebook out of sync with its chapter

A chapter is a page of docs/ (and docs/ko/) whose name starts with its number (01_gan_game.md) or
with "appendix". Its notebook has, in order: a title cell saying where it comes from; a set-up cell
(how to install minigan where it is missing, and how to switch to CuPy on a GPU runtime); then the
page itself, cut into Markdown cells at its headings, with every ```python block that runs (not
marked <!-- excerpt -->) as a code cell. Relative links are rewritten so that they still resolve
from docs/notebooks/. The notebooks are committed without outputs (GitHub and Colab open them as
they are); tests/test_notebooks.py checks that they are in sync and runs the English ones.

Edit the chapter, never the notebook: the notebook is made again from it.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import sys

HERE = pathlib.Path(__file__).resolve().parent
DOCS = HERE.parent
ROOT = DOCS.parent
EXCERPT_MARKER = "<!-- excerpt -->"
FENCE = re.compile(r"^(```+)[ \t]*([\w+-]*)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)
LINK = re.compile(r"(!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\()([^()\s]+)(\))")
HEADING = re.compile(r"^#{2,3} ", re.M)

SETUP = {
    "en": (
        "Set-up: run this cell first. The chapter's code runs from the root of a clone of minigan's\n"
        "repository, where `pip install -e .` installed it (`pip install -e \".[gpu]\"` for CuPy).\n"
        "On a GPU runtime, set `MINIGAN_BACKEND` to `\"cupy\"` below before anything imports minigan."
    ),
    "ko": (
        "준비: 이 셀을 먼저 실행하세요. 이 장의 코드는 minigan 저장소를 복제한 폴더의 최상위에서,\n"
        "`pip install -e .`로 설치한 minigan으로 실행됩니다 (CuPy를 쓰려면 `pip install -e \".[gpu]\"`).\n"
        "GPU 런타임에서는 minigan을 import하기 전에 아래의 `MINIGAN_BACKEND`를 `\"cupy\"`로 바꾸세요."
    ),
}
SETUP_CODE = """import os, pathlib, sys
os.environ.setdefault("MINIGAN_BACKEND", "numpy")      # "cupy" on a GPU runtime
here = pathlib.Path.cwd().resolve()
root = next((p for p in [here, *here.parents] if (p / "minigan" / "__init__.py").is_file()), None)
if root is not None:                                   # inside a clone: run from its root, as the chapter does
    os.chdir(root)
    sys.path.insert(0, str(root))
try:
    import minigan
except ImportError:
    raise ImportError("minigan is not installed here: clone its repository, then run "
                      "`pip install -e .` in the clone (or open this notebook from inside the clone)") from None
%matplotlib inline
print("minigan", minigan.__version__, "from", pathlib.Path(minigan.__file__).parent)"""
TITLE = {
    "en": "*This notebook is made from [{source}]({link}) by `python docs/notebooks/make_notebooks.py`: "
          "edit the chapter, not the notebook.*",
    "ko": "*이 노트북은 [{source}]({link})에서 `python docs/notebooks/make_notebooks.py`로 만든 것입니다. "
          "노트북이 아니라 장을 고치세요.*",
}


def chapters(lang: str):
    """The chapter pages of one language, in order."""
    folder = DOCS if lang == "en" else DOCS / lang
    return sorted(p for p in folder.glob("*.md") if re.match(r"^(\d\d_|appendix)", p.name))


def notebook_path(page: pathlib.Path, lang: str) -> pathlib.Path:
    return (HERE if lang == "en" else HERE / lang) / (page.stem + ".ipynb")


def relink(markdown: str, page: pathlib.Path, out: pathlib.Path) -> str:
    """Rewrite relative links of ``page`` so that they resolve from the notebook at ``out``."""
    def sub(match):
        target = match.group(2)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            return match.group(0)
        path, hash_, fragment = target.partition("#")
        moved = os.path.relpath((page.parent / path).resolve(), out.parent.resolve())
        return f"{match.group(1)}{moved}{hash_}{fragment}{match.group(3)}"
    return LINK.sub(sub, markdown)


def markdown_cells(text: str):
    """Markdown cut at its level-2 and level-3 headings (no empty cells)."""
    starts = [m.start() for m in HEADING.finditer(text)]
    pieces = [text[a:b] for a, b in zip([0, *starts], [*starts, len(text)])]
    return [p.strip("\n") for p in pieces if p.strip()]


def cell(kind: str, source: str, index: int) -> dict:
    lines = source.splitlines(keepends=True)
    base = {"cell_type": kind, "id": f"cell-{index}", "metadata": {}, "source": lines}
    if kind == "code":
        base.update(execution_count=None, outputs=[])
    return base


def build(page: pathlib.Path, lang: str) -> dict:
    """The notebook of one chapter page, as a JSON-ready dict (nbformat 4.5, no outputs)."""
    out = notebook_path(page, lang)
    text = page.read_text(encoding="utf-8")
    pieces = []                 # ("markdown" | "code", source)
    position = 0
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        runnable = match.group(2).lower() == "python" and before != EXCERPT_MARKER
        if not runnable:
            continue
        pieces.append(("markdown", text[position:match.start()]))
        pieces.append(("code", match.group(3).rstrip("\n")))
        position = match.end()
    pieces.append(("markdown", text[position:]))
    link = os.path.relpath(page, out.parent)
    source = os.path.relpath(page, ROOT)
    cells = [("markdown", TITLE[lang].format(source=source, link=link)),
             ("markdown", SETUP[lang]), ("code", SETUP_CODE)]
    for kind, body in pieces:
        if kind == "code":
            cells.append((kind, body))
        else:
            body = body.replace(EXCERPT_MARKER + "\n", "")
            cells.extend(("markdown", m) for m in markdown_cells(relink(body, page, out)))
    return {
        "cells": [cell(kind, body, i) for i, (kind, body) in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


def render(notebook: dict) -> str:
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that every notebook is in sync")
    args = parser.parse_args(argv)
    stale, wanted = [], set()
    for lang in ("en", "ko"):
        for page in chapters(lang):
            out = notebook_path(page, lang)
            wanted.add(out)
            text = render(build(page, lang))
            if out.exists() and out.read_text(encoding="utf-8") == text:
                continue
            if args.check:
                stale.append(f"{out.relative_to(ROOT)} is not in sync with {page.relative_to(ROOT)}")
            else:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text, encoding="utf-8")
                print(f"wrote {out.relative_to(ROOT)}")
    for orphan in sorted(set(HERE.rglob("*.ipynb")) - wanted):
        stale.append(f"{orphan.relative_to(ROOT)} has no chapter (delete it)")
    if stale:
        print("\n".join(stale) + "\nrun: python docs/notebooks/make_notebooks.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
