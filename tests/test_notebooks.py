"""Every course chapter opens as a notebook made from it (docs/notebooks/make_notebooks.py): the
committed notebooks are in sync with their chapters, and the English ones run.

A notebook runs in a Jupyter kernel (nbclient, the `notebooks` extra) where one is installed, with its
figures drawn inline; elsewhere its code cells run in order in one Python process, which runs the same
code. The Korean notebooks hold the same code cells as the English ones (tests/test_docs.py checks that
the Korean chapters' code blocks mirror the English ones), so only their sync is checked here.
"""
from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import subprocess
import sys

import pytest

from conftest import mnist_env_for

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "notebooks"))

import make_notebooks  # noqa: E402

TIMEOUT_S = 600
ENGLISH = [make_notebooks.notebook_path(page, "en") for page in make_notebooks.chapters("en")]
#: the chapters are written for NumPy, the default backend; one BLAS thread each (CI has 2 cores)
NOTEBOOK_ENV = {"MINIGAN_BACKEND": "numpy", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
KERNEL = all(importlib.util.find_spec(name) for name in ("nbclient", "nbformat", "ipykernel"))


def test_every_chapter_has_its_notebook_in_sync():
    assert make_notebooks.main(["--check"]) == 0


def test_every_english_chapter_has_a_korean_one_and_both_have_notebooks():
    english = [p.name for p in make_notebooks.chapters("en")]
    korean = [p.name for p in make_notebooks.chapters("ko")]
    assert english == korean
    assert all(make_notebooks.notebook_path(p, "ko").exists() for p in make_notebooks.chapters("ko"))


def test_a_notebook_is_made_from_its_page_in_order(tmp_path):
    page = tmp_path / "01_demo.md"
    page.write_text("# Demo\n\nText with a [link](figures/a.png).\n\n```python\nx = 1\n```\n\n## Next\n\n"
                    "<!-- excerpt -->\n```python\nnot run\n```\n\n```bash\npython demos/x.py\n```\n", encoding="utf-8")
    cells = make_notebooks.build(page, "en")["cells"]
    kinds = [c["cell_type"] for c in cells]
    assert kinds == ["markdown", "markdown", "code", "markdown", "code", "markdown"]
    assert "".join(cells[4]["source"]) == "x = 1"
    assert "../../" in "".join(cells[3]["source"])          # the link, rewritten from docs/notebooks/
    assert "not run" in "".join(cells[5]["source"]) and "<!-- excerpt -->" not in "".join(cells[5]["source"])


def run_in_kernel(path: pathlib.Path, monkeypatch) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    for name, value in {**NOTEBOOK_ENV, **mnist_env_for(code)}.items():   # the kernel inherits them; restored after
        monkeypatch.setenv(name, value)
    NotebookClient(notebook, timeout=TIMEOUT_S, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()


def run_in_process(path: pathlib.Path, monkeypatch) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(line for line in c["source"] if not line.lstrip().startswith("%"))
            for c in cells if c["cell_type"] == "code"]
    script = "namespace = {'__name__': '__main__'}\nfor i, code in enumerate(%r):\n" \
             "    exec(compile(code, f'%s (cell {i})', 'exec'), namespace)\n" % (code, path.name)
    env = {**os.environ, **NOTEBOOK_ENV, "MPLBACKEND": "Agg", **mnist_env_for("\n".join(code))}
    result = subprocess.run([sys.executable, "-c", script], cwd=path.parent, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT_S)
    assert result.returncode == 0, f"{path.name}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.mark.slow
@pytest.mark.docs_examples
@pytest.mark.parametrize("path", ENGLISH, ids=[p.name for p in ENGLISH])
def test_the_english_notebook_runs(path, monkeypatch):
    (run_in_kernel if KERNEL else run_in_process)(path, monkeypatch)
