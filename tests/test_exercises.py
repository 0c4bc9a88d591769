"""The exercises and their checker (issue 25): for every exercise, minigan's own code dropped into the stub
passes, the stub itself is "not written yet", and every planted mistake fails with its own hint; learners'
own (independent) answers pass; the checker names wrong shapes, dtypes, missing returns, inputs changed in
place, and shows an exception at the learner's own line; the command line keeps its exit codes and never
overwrites the learner's work; every message exists in Korean."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import numpy_only

from minigan import backend
from minigan.exercises import compare, core, definition

#: the checker's own files, which a learner's report never shows
CHECKER_FILES = ("core.py", "compare.py", "definition.py", "learner_file.py", "support.py")
from minigan.exercises.__main__ import main
from minigan.exercises.registry import EXERCISES

ROOT = Path(__file__).resolve().parents[1]
NAMES = list(EXERCISES)
HANGUL = re.compile("[가-힣]")


def write(tmp_path, name, text):
    path = tmp_path / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return path


def rebound(name, overrides=None):
    """The stub, then each function bound to minigan's solution (or to a planted mistake)."""
    exercise = EXERCISES[name]
    lines = [definition.stub_text(exercise), "", "from minigan.exercises.registry import EXERCISES as _EXERCISES",
             f"_exercise = _EXERCISES[{name!r}]"]
    for function in exercise.functions:
        lines.append(f"{function} = _exercise.solutions[{function!r}]")
    for function, key in (overrides or {}).items():
        lines.append(f"{function} = _exercise.mistake({key!r}).code")
    return "\n".join(lines) + "\n"


def check(tmp_path, name, text, lang="en"):
    return core.check(EXERCISES[name], write(tmp_path, name, text), lang)


def learner(body):
    """A learner's file: numpy imported, then their code."""
    return "import numpy as np\n\n" + textwrap.dedent(body)


# -- every exercise ----------------------------------------------------------------------------------
def test_about_fifteen_exercises_follow_the_course():
    assert len(EXERCISES) >= 15
    chapters = [e.chapter for e in EXERCISES.values()]
    assert chapters == sorted(chapters)                   # listed in course order
    assert {"linear", "leaky_relu", "bce"} <= set(EXERCISES)


@pytest.mark.parametrize("name", NAMES)
def test_minigan_dropped_into_the_stub_passes(tmp_path, name):
    report = check(tmp_path, name, rebound(name))
    assert report.code == 0, report.text
    assert f"checks of {name} passed" in report.text
    assert EXERCISES[name].look("en") in report.text           # where to look, once it is right


@pytest.mark.parametrize("name", NAMES)
def test_the_stub_is_not_written_yet(tmp_path, name):
    report = check(tmp_path, name, definition.stub_text(EXERCISES[name]))
    assert report.code == 1
    assert "is not written yet" in report.text
    assert "Traceback" not in report.text and not any(f in report.text for f in CHECKER_FILES)


@pytest.mark.parametrize("name", NAMES)
def test_every_planted_mistake_fails_with_its_own_hint(tmp_path, name):
    exercise = EXERCISES[name]
    assert len(exercise.mistakes) >= 2
    for mistake in exercise.mistakes:
        report = check(tmp_path, name, rebound(name, {mistake.function or exercise.functions[0]: mistake.key}))
        assert report.code == 1, (mistake.key, report.text)
        assert "Hint: " + mistake.hint("en") in report.text, (mistake.key, report.text)
        others = [m.hint("en") for m in exercise.mistakes if m.hint != mistake.hint]
        assert not any(other in report.text for other in others), (mistake.key, report.text)


@pytest.mark.parametrize("name", NAMES)
def test_the_stub_states_the_math_the_shapes_a_hint_where_to_look_and_the_chapter(name):
    exercise = EXERCISES[name]
    text = definition.stub_text(exercise)
    tree = ast.parse(text)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    assert set(exercise.functions) <= set(functions)
    for function in exercise.functions:
        doc = ast.get_docstring(functions[function])
        assert "Hint:" in doc and ("Shapes" in doc or "shape" in doc), function
        assert isinstance(functions[function].body[-1], ast.Raise)              # raise NotImplementedError
    header = " ".join(ast.get_docstring(tree).split())
    assert f"python -m minigan.exercises check {name}" in header
    assert header.endswith(f"After trying, compare with minigan's own answer: {exercise.look('en')}. "
                           f"Chapter {exercise.chapter}: {exercise.doc}.")
    assert max(len(line) for line in text.splitlines()) <= 120


@pytest.mark.parametrize("name", NAMES)
def test_every_text_of_an_exercise_is_also_in_korean(name):
    exercise = EXERCISES[name]
    texts = [exercise.task, exercise.reference, exercise.differences_name] + [m.hint for m in exercise.mistakes]
    with compare.numpy_float64():
        texts += [case.note for case in exercise.make_cases() if case.note]
    for text in texts:
        assert text.en and HANGUL.search(text.ko) and not HANGUL.search(text.en), text


def test_the_interface_functions_outside_checks_call():
    signatures = {"linear": "linear_backward(x, weight, grad_output)",
                  "leaky_relu": "leaky_relu_backward(x, grad_output, negative_slope)",
                  "bce": "bce_backward(p, target)"}
    for name, signature in signatures.items():
        assert EXERCISES[name].functions == (signature.split("(")[0],)
        assert f"def {signature}:" in definition.stub_text(EXERCISES[name])


# -- a learner's own answers, written independently of minigan, pass ---------------------------------
OWN_ANSWERS = {
    "linear": """
        def linear_backward(x, weight, grad_output):
            return grad_output @ weight.T, x.T @ grad_output, grad_output.sum(axis=0)
        """,
    "leaky_relu": """
        def leaky_relu_backward(x, grad_output, negative_slope):
            return grad_output * np.where(x > 0, 1.0, negative_slope)
        """,
    "bce": """
        def bce_backward(p, target):
            return (-target / p + (1 - target) / (1 - p)) / p.size
        """,
    "embedding": """
        def embedding_backward(labels, grad_output, num_embeddings):
            grad = np.zeros((num_embeddings, grad_output.shape[1]))
            np.add.at(grad, labels, grad_output)
            return grad
        """,
    "conv2d": """
        def conv2d_forward(x, weight, bias, stride, padding):      # CS231n's conv_forward_naive
            xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
            n, o, (kh, kw) = x.shape[0], weight.shape[0], weight.shape[2:]
            oh, ow = (xp.shape[2] - kh) // stride + 1, (xp.shape[3] - kw) // stride + 1
            y = np.zeros((n, o, oh, ow))
            for b in range(n):
                for f in range(o):
                    for i in range(oh):
                        for j in range(ow):
                            window = xp[b, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
                            y[b, f, i, j] = (window * weight[f]).sum() + bias[f]
            return y

        def conv2d_backward(x, weight, grad_output, stride, padding):
            xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
            dxp, dw = np.zeros_like(xp), np.zeros_like(weight)
            n, o, oh, ow = grad_output.shape
            kh, kw = weight.shape[2:]
            for b in range(n):
                for f in range(o):
                    for i in range(oh):
                        for j in range(ow):
                            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
                            dxp[b, :, rows, cols] += grad_output[b, f, i, j] * weight[f]
                            dw[f] += grad_output[b, f, i, j] * xp[b, :, rows, cols]
            h, w = x.shape[2:]
            return dxp[:, :, padding:padding + h, padding:padding + w], dw, grad_output.sum(axis=(0, 2, 3))
        """,
    "algorithm1_iteration": """
        from minigan.exercises.catalog.algorithm1_iteration import iteration as algorithm1_iteration
        """,
    "frechet_distance": """
        from minigan.exercises.catalog.frechet_distance import learner_style as frechet_distance
        """,
    "batchnorm_backward": """
        from minigan.exercises.support import normalisation_backward

        def batchnorm_backward(x, gamma, grad_output, eps):
            axes = (0,) + tuple(range(2, x.ndim))
            return normalisation_backward(x, gamma, grad_output, eps, axes, axes)
        """,
}


@pytest.mark.parametrize("name", sorted(OWN_ANSWERS))
def test_a_learners_own_answer_passes(tmp_path, name):
    report = check(tmp_path, name, learner(OWN_ANSWERS[name]))
    assert report.code == 0, report.text


# -- mistakes as a learner writes them ---------------------------------------------------------------
@pytest.mark.parametrize("name, body, hint", [
    ("linear", """
        def linear_backward(x, weight, grad_output):
            return grad_output @ weight.T, grad_output.T @ x, grad_output.sum(axis=0)
        """, "the transpose of the right one: dL/dW = x^T g"),
    ("linear", """
        def linear_backward(x, weight, grad_output):
            return grad_output @ weight.T, x.T @ grad_output, grad_output
        """, "dL/db must add g over the batch"),
    ("leaky_relu", """
        def leaky_relu_backward(x, grad_output, negative_slope):
            return grad_output * np.where(x < 0, 1.0, negative_slope)
        """, "The slope is on the wrong side of 0"),
    ("bce", """
        def bce_backward(p, target):
            return (p - target) / (p * (1 - p))
        """, "the gradient carries its 1/N too (divide by p.size)"),
    ("bce", """
        def bce_backward(p, target):
            return (p - target) / p.size
        """, "derivative with respect to the logit"),
    ("embedding", """
        def embedding_backward(labels, grad_output, num_embeddings):
            grad = np.zeros((num_embeddings, grad_output.shape[1]))
            grad[labels] += grad_output           # NumPy buffers: repeated labels keep one row
            return grad
        """, "Repeated labels were overwritten instead of added"),
])
def test_a_learners_classic_mistake_gets_its_diagnosis(tmp_path, name, body, hint):
    report = check(tmp_path, name, learner(body))
    assert report.code == 1
    assert hint in report.text, report.text


def test_a_wrong_output_is_described_as_a_teacher_would(tmp_path):
    report = check(tmp_path, "linear", learner("""
        def linear_backward(x, weight, grad_output):
            return grad_output @ weight.T, x.T @ grad_output, 2 * grad_output.sum(axis=0)
        """))
    text = report.text
    assert "linear_backward: dL/db is wrong on x (6, 4), weight (4, 4), grad_output (6, 4)." in text
    assert re.search(r"relative error 5\.00e-01 against minigan's Linear.backward", text)
    assert "against centred finite differences" in text
    assert re.search(r"worst entry dL/db\[\d\]: expected -?[\d.]+, got -?[\d.]+", text)
    assert "right: dL/dx, dL/dW" in text
    assert "dL/db is 2 times the right one" in text           # no planted mistake: the generic diagnosis


def test_generic_diagnoses_name_the_sign_a_factor_and_a_missing_sum(tmp_path):
    sign = check(tmp_path, "linear", learner("""
        def linear_backward(x, weight, grad_output):
            return -(grad_output @ weight.T), x.T @ grad_output, grad_output.sum(axis=0)
        """))
    assert "dL/dx has the wrong sign" in sign.text
    factor = check(tmp_path, "linear", learner("""
        def linear_backward(x, weight, grad_output):
            return len(x) * grad_output @ weight.T, x.T @ grad_output, grad_output.sum(axis=0)
        """))
    assert "dL/dx is 6 times the right one (6 is x.shape[0])" in factor.text
    conv = check(tmp_path, "conv2d", rebound("conv2d") + textwrap.dedent("""
        def conv2d_backward(x, weight, grad_output, stride, padding):
            dx, dw, db = _exercise.solutions["conv2d_backward"](x, weight, grad_output, stride, padding)
            return dx, dw, grad_output.sum(axis=(2, 3))
        """))
    assert "dL/dbias has shape (2, 4); it must have shape (4,)" in conv.text
    assert "dL/dbias summed over axis 0 would be right" in conv.text


def test_a_wrong_shape_dtype_type_or_count_is_named(tmp_path):
    cases = {
        "return grad_output @ weight.T, (x.T @ grad_output).astype(np.float32), grad_output.sum(axis=0)":
            "dL/dW has dtype float32; it must be float64",
        "return grad_output @ weight.T, (x.T @ grad_output).tolist(), grad_output.sum(axis=0)":
            "dL/dW must be a NumPy array (numpy.ndarray); got list",
        "return grad_output @ weight.T, x.T @ grad_output":
            "linear_backward must return 3 values, (dL/dx, dL/dW, dL/db); it returned 2 values",
        "grad_x = grad_output @ weight.T":
            "linear_backward returned None on x (6, 4), weight (4, 4), grad_output (6, 4): did you forget `return`?",
    }
    for line, message in cases.items():
        report = check(tmp_path, "linear", learner(f"def linear_backward(x, weight, grad_output):\n    {line}\n"))
        assert report.code == 1 and message in report.text, report.text
    shape = check(tmp_path, "linear", learner("""
        def linear_backward(x, weight, grad_output):
            return grad_output @ weight.T, np.zeros((1, 2, 3)), grad_output.sum(axis=0)
        """))
    assert "dL/dW has shape (1, 2, 3); it must have shape (4, 4)." in shape.text


def test_a_number_that_is_not_finite_or_not_real_is_named(tmp_path):
    nan = check(tmp_path, "bce", learner("""
        def bce_backward(p, target):
            g = (p - target) / (p * (1 - p)) / p.size
            g[0] = np.nan
            return g
        """))
    assert re.search(r"dL/dp\[0, 0\] is nan \(expected -?[\d.e-]+\): every entry must be finite", nan.text)
    complex_value = check(tmp_path, "frechet_distance", learner("""
        def frechet_distance(mu1, sigma1, mu2, sigma2):
            return 1 + 0.5j
        """))
    assert "d^2 is complex" in complex_value.text and ".real" in complex_value.text


def test_an_argument_changed_in_place_is_reported(tmp_path):
    report = check(tmp_path, "leaky_relu", learner("""
        def leaky_relu_backward(x, grad_output, negative_slope):
            grad_output *= np.where(x > 0, 1.0, negative_slope)
            return grad_output
        """))
    assert report.code == 1
    assert "leaky_relu_backward changed its argument grad_output in place" in report.text


def test_the_identity_branchs_in_place_trap(tmp_path):
    report = check(tmp_path, "residual_block", learner("""
        def residual_forward(x, branch):
            return x + branch.forward(x)

        def residual_backward(grad_output, branch):
            grad = branch.backward(grad_output)
            grad += grad_output
            return grad
        """))
    assert report.code == 1
    assert "changed its argument grad_output in place" in report.text
    assert "an empty branch" in report.text                  # the edge case's note


# -- errors in the learner's code ------------------------------------------------------------------
def test_an_exception_shows_the_learners_file_and_line_not_the_checker(tmp_path):
    path = write(tmp_path, "linear", learner("""
        def helper(a, b):
            return a @ b

        def linear_backward(x, weight, grad_output):
            grad_x = grad_output @ weight.T
            grad_weight = helper(grad_output, x)
            return grad_x, grad_weight, grad_output.sum(axis=0)
        """))
    report = core.check(EXERCISES["linear"], path)
    assert report.code == 1
    lines = path.read_text().splitlines()
    call = next(i for i, line in enumerate(lines, 1) if "helper(grad_output, x)" in line)
    inner = next(i for i, line in enumerate(lines, 1) if "return a @ b" in line)
    assert f'linear.py", line {call}, in linear_backward' in report.text
    assert f'linear.py", line {inner}, in helper' in report.text
    assert "ValueError: matmul" in report.text
    assert report.text.count('File "') == 2                   # the learner's two frames, none of the checker's
    assert not any(f in report.text for f in CHECKER_FILES) and "Traceback" not in report.text


def test_an_error_while_loading_and_a_syntax_error_show_the_line(tmp_path):
    loading = check(tmp_path, "bce", "import numpy as np\n\nSCALE = 1 / 0\n")
    assert loading.code == 1 and 'bce.py", line 3, in <module>' in loading.text
    assert "ZeroDivisionError" in loading.text
    syntax = check(tmp_path, "bce", "def bce_backward(p, target)\n    return p\n")
    assert syntax.code == 1 and "is not valid Python (line 1)" in syntax.text and "SyntaxError" in syntax.text
    missing = check(tmp_path, "bce", "def bce_grad(p, target):\n    return p\n")
    assert missing.code == 1 and "defines no function bce_backward" in missing.text
    assert "bce_backward(p, target)" in missing.text
    renamed = check(tmp_path, "bce", "def bce_backward(probabilities, target):\n    return probabilities\n")
    assert renamed.code == 1
    assert ("bce_backward must take the stub's arguments, bce_backward(p, target) (the checker passes them by name); "
            "yours is bce_backward(probabilities, target).") in renamed.text


def test_a_numpy_overflow_is_an_error_at_the_learners_line(tmp_path):
    report = check(tmp_path, "sigmoid_tanh", rebound("sigmoid_tanh") + textwrap.dedent("""
        def sigmoid(x):
            return 1 / (1 + np.exp(-x))
        """))
    assert report.code == 1
    assert "return 1 / (1 + np.exp(-x))" in report.text and "FloatingPointError: overflow" in report.text
    assert "exp(-x) overflows" in report.text                # the edge case's note


def test_each_check_loads_the_file_afresh(tmp_path):
    """The same file rewritten at once (same size, same second) is checked as it is now: no stale bytecode."""
    wrong = learner("def bce_backward(p, target):\n    return (p - target) / (p * (1 - p)) / p.shape[0]\n")
    right = learner("def bce_backward(p, target):\n    return (p - target) / (p * (1 - p)) / p.size    \n")
    assert len(wrong) == len(right)
    assert check(tmp_path, "bce", wrong).code == 1
    assert check(tmp_path, "bce", right).code == 0


@numpy_only     # on CuPy, switching to NumPy and back reseeds (CuPy's random state cannot be read back)
def test_checking_leaves_the_callers_backend_as_it_was(tmp_path):
    backend.seed(3)
    expected = backend.Random(3).normal((4,))
    check(tmp_path, "algorithm1_iteration", rebound("algorithm1_iteration"))
    assert backend.dtype == np.float32
    np.testing.assert_array_equal(backend.rng().normal((4,)), expected)


# -- Korean --------------------------------------------------------------------------------------------
def test_korean_messages(tmp_path):
    stub = check(tmp_path, "linear", definition.stub_text(EXERCISES["linear"]), lang="ko")
    assert "아직 작성되지 않았습니다" in stub.text and "NotImplementedError" in stub.text
    exercise = EXERCISES["linear"]
    wrong = check(tmp_path, "linear", rebound("linear", {"linear_backward": "bias_not_summed"}), lang="ko")
    assert "입력 x (6, 4), weight (4, 4), grad_output (6, 4)에서 dL/db 값이 틀렸습니다" in wrong.text
    assert "힌트: " + exercise.mistake("bias_not_summed").hint("ko") in wrong.text
    assert exercise.mistake("bias_not_summed").hint("en") not in wrong.text
    assert "dL/db 값의 모양이 (6, 4)입니다. 올바른 모양은 (4,)입니다." in wrong.text
    right = check(tmp_path, "linear", rebound("linear"), lang="ko")
    assert "검사 5개를 모두 통과했습니다" in right.text and "minigan의 답과 비교해 보세요" in right.text
    raised = check(tmp_path, "bce", "def bce_backward(p, target):\n    return p @ p @ p\n", lang="ko")
    assert "오류를 일으켰습니다" in raised.text and 'bce.py", line 2, in bce_backward' in raised.text


def test_korean_messages_use_the_glossarys_words_not_its_discouraged_ones():
    from test_docs import discouraged_pattern, discouraged_variants     # the docs' one reading of the glossary

    from minigan.exercises import messages
    discouraged = discouraged_variants()
    assert {"그래디언트", "레이어", "훈련"} <= set(discouraged)                # the table was read
    korean = [t.ko for t in messages.MESSAGES.values()]
    for exercise in EXERCISES.values():
        korean += [exercise.task.ko, exercise.reference.ko] + [m.hint.ko for m in exercise.mistakes]
    for text in korean:
        for word in discouraged:
            assert not discouraged_pattern(word).search(text), (word, text)


# -- the command line -----------------------------------------------------------------------------------
def cli(tmp_path, *argv):
    # the subprocess runs in tmp_path: the entries of PYTHONPATH (CI's CuPy stand-in) as absolute paths
    inherited = [str(Path(p).resolve()) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *inherited])}
    return subprocess.run([sys.executable, "-m", "minigan.exercises", *argv], cwd=tmp_path, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


@pytest.mark.parametrize("name", ["linear", "leaky_relu"])
def test_command_line_exit_codes(tmp_path, name):
    """As a learner runs it, in a process of its own: 0 right, 1 not written yet (or wrong), 2 usage errors."""
    assert cli(tmp_path, "start", name).returncode == 0
    stub = tmp_path / "minigan_exercises" / f"{name}.py"
    assert stub.read_text(encoding="utf-8") == definition.stub_text(EXERCISES[name])
    not_written = cli(tmp_path, "check", name)
    assert not_written.returncode == 1 and "not written yet" in not_written.stdout
    stub.write_text(learner(OWN_ANSWERS[name]), encoding="utf-8")
    assert cli(tmp_path, "check", name).returncode == 0
    unknown = cli(tmp_path, "check", name + "x")
    assert unknown.returncode == 2 and f"Did you mean {name}?" in unknown.stderr
    missing = cli(tmp_path, "check", name, "--dir", "elsewhere")
    assert missing.returncode == 2 and f"start {name} --dir elsewhere" in missing.stderr


def test_command_line_in_process(tmp_path, capsys, monkeypatch):
    """The same entry point, in this process: list, a wrong answer, usage errors."""
    monkeypatch.chdir(tmp_path)
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert all(re.search(rf"^{name}\s+ch\. \d", listed, re.M) for name in NAMES)
    assert main(["start", "linear"]) == 0
    stub = tmp_path / "minigan_exercises" / "linear.py"
    stub.write_text(learner(OWN_ANSWERS["linear"]).replace("weight.T", "weight"), encoding="utf-8")
    assert main(["check", "linear"]) == 1
    assert "dL/dx is wrong" in capsys.readouterr().out
    assert main(["check", "bce"]) == 2
    assert "python -m minigan.exercises start bce" in capsys.readouterr().err
    assert main(["start", "no_such_exercise"]) == 2
    for argv in ([], ["check", "linear", "--lang", "fr"], ["start"]):
        with pytest.raises(SystemExit) as usage:
            main(argv)
        assert usage.value.code == 2


def test_start_never_overwrites_the_learners_work_without_force(tmp_path):
    assert main(["start", "leaky_relu", "--dir", str(tmp_path / "work")]) == 0
    path = tmp_path / "work" / "leaky_relu.py"
    assert f"python -m minigan.exercises check leaky_relu --dir {tmp_path / 'work'}" in path.read_text()
    path.write_text("# my work\n")
    assert main(["start", "leaky_relu", "--dir", str(tmp_path / "work")]) == 1
    assert path.read_text() == "# my work\n"
    assert main(["start", "leaky_relu", "--dir", str(tmp_path / "work"), "--force"]) == 0
    assert (tmp_path / "work" / "leaky_relu.py.bak").read_text() == "# my work\n"
    assert "raise NotImplementedError" in path.read_text()


def test_check_with_dir_and_korean_in_process(tmp_path, capsys):
    folder = tmp_path / "mine"
    assert main(["start", "bce", "--dir", str(folder), "--lang", "ko"]) == 0
    assert main(["check", "bce", "--dir", str(folder), "--lang", "ko"]) == 1
    out = capsys.readouterr().out
    assert "파일을 만들었습니다" in out and "아직 작성되지 않았습니다" in out
    assert f"check bce --dir {folder}" in out
    (folder / "bce.py").write_text(learner(OWN_ANSWERS["bce"]))
    assert main(["check", "bce", "--dir", str(folder)]) == 0


def test_the_exercises_ship_in_the_package():
    from setuptools import find_packages
    packages = find_packages(str(ROOT), include=["minigan*"])
    assert {"minigan.exercises", "minigan.exercises.catalog"} <= set(packages)


def test_an_extra_size_one_axis_is_named_as_such_not_as_a_missing_sum(tmp_path):
    text = check(tmp_path, "linear", learner("""
        def linear_backward(x, weight, grad_output):
            return grad_output @ weight.T, x.T @ grad_output, grad_output.sum(axis=0, keepdims=True)
        """)).text
    assert "dL/db has the right values but shape (1, 4): drop the size-1 axes" in text
    assert "summed over axis" not in text
