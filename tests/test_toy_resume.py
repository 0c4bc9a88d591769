"""Nothing lost in the toy demos: checkpoints, an exact --resume, and no silent fresh start.

A run cut off (in-process by an exception, or a real process by SIGKILL) and resumed from its
checkpoint ends bit-identical to one that ran straight through (NumPy); a demo refuses to start
over an unfinished run's checkpoint unless told --resume or --overwrite, deletes the checkpoint
once its outputs are written, and refuses to resume with other settings.
"""
import pathlib
import sys
from dataclasses import replace

import numpy as np
import pytest

import conftest
from minigan import backend
from minigan.training import checkpoint
from minigan.demo_tools import cli
from minigan.experiments import toy_2d, toy_1d
from minigan.data import toy
from minigan.gan.errors import TrainingDiverged
from minigan.training.toy_loop import Checkpoints

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "demos"))
import gaussian_1d  # noqa: E402
import ring_2d  # noqa: E402

exact = pytest.mark.skipif(backend.name != "numpy", reason="an exact resume needs NumPy's readable random state")

SEED, EVERY, STEPS = 7, 100, 300
#: (target, recipe, trainer, draws of the target before the first iteration: train_1d's data_scale)
CASES = {
    "1-D": (toy.Gaussian1D(4.0, 1.25), toy_1d.Recipe(hidden=(16, 16), batch_size=64, k=2, steps=STEPS),
            toy_1d.train_1d, 1),
    # PacGAN2 with batch norm in G: packed batches, and running statistics that must resume too
    "2-D": (toy.ring(), toy_2d.Recipe2D(hidden=(16, 16), batch_size=32, steps=STEPS, pack=2, g_batchnorm=True,
                                        g_activation="relu"),
            toy_2d.train_2d, 0),
}


class Cut(Exception):
    """The in-process stand-in for an interruption."""


class CutAt:
    """``target``, except that the first real batch of iteration ``iteration`` raises Cut
    (``then="cut"``) or, from that batch on, every sample is NaN (``then="nan"``: divergence)."""

    def __init__(self, target, recipe, iteration, before, then="cut"):
        self.target, self.then = target, then
        self.draws_left = before + recipe.k * (iteration - 1)

    def sample(self, m):
        self.draws_left -= 1
        if self.draws_left >= 0:
            return self.target.sample(m)
        if self.then == "cut":
            raise Cut
        return self.target.sample(m) * float("nan")

    def __getattr__(self, name):           # describe(), quantiles(), dim, centers, ...: the target's
        return getattr(self.target, name)


def train(case, out, *, resume=False, cut_at=None, then="cut", seed=SEED, **changes):
    target, recipe, trainer, before = CASES[case]
    recipe = replace(recipe, **changes)
    if cut_at is not None:
        target = CutAt(target, recipe, cut_at, before, then)
    backend.seed(seed)
    checkpoints = Checkpoints(out / checkpoint.FILE_NAME, EVERY, resume=resume, settings={"seed": seed})
    return trainer(target, recipe, progress=False, checkpoints=checkpoints)


def assert_identical(a, b, where="run"):
    """Equal structure, and every array bit-identical (same dtype, same values)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_identical(a[k], b[k], f"{where}/{k}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_identical(x, y, f"{where}/{i}")
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and np.array_equal(a, b), where
    else:
        assert a == b, where


# -- (a) in process: cut at an iteration, resumed, bit-identical --------------------------------
@exact
@pytest.mark.parametrize("case", list(CASES))
def test_a_run_cut_off_and_resumed_is_bit_identical_to_an_uninterrupted_one(case, tmp_path):
    straight = train(case, tmp_path / "straight")
    with pytest.raises(Cut):
        train(case, tmp_path / "cut", cut_at=250)
    saved = checkpoint.load(tmp_path / "cut" / checkpoint.FILE_NAME)
    assert saved["iteration"] == 200 and saved["gan"]["counters"]["iteration"] == 200
    resumed = train(case, tmp_path / "cut", resume=True)
    assert resumed["resumed_from"] == 200 and len(saved["snapshots"]) < len(resumed["snapshots"])
    assert_identical(straight["gan"].state_dict(), resumed["gan"].state_dict(), "state")
    assert_identical(straight["snapshots"], resumed["snapshots"], "snapshots")
    assert_identical(straight["samples"], resumed["samples"], "samples")


# -- (e) a resume with other settings is refused, naming each one ----------------------------------
def test_resuming_with_other_settings_is_refused_naming_them(tmp_path):
    with pytest.raises(Cut):
        train("1-D", tmp_path, cut_at=150)
    path = tmp_path / checkpoint.FILE_NAME
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"settings differ \(recipe\.lr_d: checkpoint 0\.001, now 0\.002\)"):
        train("1-D", tmp_path, resume=True, lr_d=2e-3)
    with pytest.raises(ValueError, match=r"settings differ \(seed: checkpoint 7, now 8\)"):
        train("1-D", tmp_path, resume=True, seed=8)
    with pytest.raises(ValueError, match=r"recipe\.steps: checkpoint 300, now 400.*loop\.steps"):
        train("1-D", tmp_path, resume=True, steps=400)     # the decay and the snapshots depend on steps
    assert path.read_bytes() == before


# -- divergence keeps the last good checkpoint, names it, and resumes from it -----------------------
@exact
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_leaves_the_last_good_checkpoint_names_it_and_resumes_from_it(tmp_path):
    with pytest.raises(TrainingDiverged, match=r"last good checkpoint is .*checkpoint\.npz \(iteration 100\)") as info:
        train("1-D", tmp_path / "cut", cut_at=120, then="nan")
    assert info.value.iteration == 120
    assert checkpoint.load(tmp_path / "cut" / checkpoint.FILE_NAME)["iteration"] == 100
    resumed = train("1-D", tmp_path / "cut", resume=True)
    assert resumed["resumed_from"] == 100
    straight = train("1-D", tmp_path / "straight")
    assert_identical(straight["samples"], resumed["samples"], "samples")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_before_the_first_checkpoint_says_there_is_none(tmp_path):
    with pytest.raises(TrainingDiverged, match="No checkpoint was written"):
        train("1-D", tmp_path, cut_at=20, then="nan")
    assert not (tmp_path / checkpoint.FILE_NAME).exists()


# -- (b, d) a real process, killed with SIGKILL, resumed; no checkpoint left behind -----------------
#: not a multiple of DEMO_EVERY: a kill that lands after training, while the figures are drawn, still
#: finds a checkpoint short of the end (600), so the resume has iterations to redo
DEMO_STEPS, DEMO_EVERY = 650, 100
QUICK = {"gaussian_1d": ["--batch-size", "64", "--k", "2", "--hidden", "16", "16"],
         "ring_2d": ["--pack", "2", "--batch-size", "16"]}


def demo_argv(name, out, *extra):
    return [*QUICK[name], "--steps", str(DEMO_STEPS), "--checkpoint-every", str(DEMO_EVERY), "--seed", "3",
            "--out", str(out), "--quiet", *extra]


def demo(name, out, *extra):
    return conftest.start_demo(name, *demo_argv(name, out, *extra))


@exact
@pytest.mark.parametrize("name", list(QUICK))
def test_a_demo_killed_by_a_signal_resumes_to_the_uninterrupted_result(name, tmp_path):
    checkpoint_file = tmp_path / "cut" / checkpoint.FILE_NAME
    conftest.kill_at_first_checkpoint(demo(name, tmp_path / "cut"), checkpoint_file)
    reached = checkpoint.load(checkpoint_file)["iteration"]
    assert DEMO_EVERY <= reached < DEMO_STEPS and not (tmp_path / "cut" / "samples.npy").exists()
    resumed = demo(name, tmp_path / "cut", "--resume")
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err.decode()
    assert f"{DEMO_STEPS} iterations, resumed from iteration {reached}, in" in out.decode()
    straight = demo(name, tmp_path / "straight")     # a process too: the same BLAS threads as the others
    assert straight.wait(timeout=300) == 0, straight.stderr.read().decode()
    np.testing.assert_array_equal(np.load(tmp_path / "straight" / "samples.npy"),
                                  np.load(tmp_path / "cut" / "samples.npy"))
    for run in ("straight", "cut"):                 # (d) a completed run leaves no checkpoint
        assert not (tmp_path / run / checkpoint.FILE_NAME).exists()


# -- (c) no silent fresh start over an unfinished run ------------------------------------------------
@pytest.mark.parametrize("main", [gaussian_1d.main, ring_2d.main], ids=["gaussian_1d", "ring_2d"])
def test_a_demo_refuses_to_start_over_an_unfinished_run_naming_both_flags(main, tmp_path, capsys):
    path = checkpoint.save(tmp_path / checkpoint.FILE_NAME, {"iteration": 100})
    with pytest.raises(SystemExit) as exit_info:
        cli.run_main(main, ["--out", str(tmp_path), "--steps", "5", "--quiet"])
    message = capsys.readouterr().err
    assert exit_info.value.code == 1 and "Traceback" not in message
    assert f"{path} exists: pass --resume to continue that run, or --overwrite to start over" in message
    assert path.read_bytes() and sorted(p.name for p in tmp_path.iterdir()) == [checkpoint.FILE_NAME]


def test_overwrite_starts_over_and_the_finished_run_removes_its_checkpoint(tmp_path):
    checkpoint.save(tmp_path / checkpoint.FILE_NAME, {"iteration": 100})
    ring_2d.main(["--out", str(tmp_path), "--steps", "5", "--batch-size", "8", "--overwrite", "--quiet"])
    assert (tmp_path / "samples.npy").exists() and not (tmp_path / checkpoint.FILE_NAME).exists()


def test_resume_without_a_checkpoint_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.run_main(gaussian_1d.main, ["--out", str(tmp_path), "--steps", "5", "--resume", "--quiet"])
    assert exit_info.value.code == 1
    assert "cannot resume" in capsys.readouterr().err and not (tmp_path / "samples.npy").exists()


@pytest.mark.parametrize("argv", [["--table", "--resume"], ["--compare", "--overwrite"],
                                  ["--table", "--checkpoint-every", "10"]])
def test_ring_modes_without_checkpoints_reject_the_checkpoint_flags(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        ring_2d.parse_args(argv)
    message = capsys.readouterr().err
    assert exit_info.value.code == 2 and f"{argv[1]} cannot be used with {argv[0]}" in message


def test_resume_and_overwrite_together_are_refused(tmp_path):
    with pytest.raises(ValueError, match="--resume and --overwrite contradict each other"):
        checkpoint.check_start(tmp_path / checkpoint.FILE_NAME, resume=True, overwrite=True)


def test_a_toy_loop_whose_body_forgets_to_end_the_iteration_stops_with_a_clear_error():
    from minigan.experiments import toy_1d
    from minigan.training.toy_loop import ToyLoop
    backend.seed(0)
    recipe = toy_1d.Recipe(hidden=(4,), batch_size=8, k=1, steps=3)
    gan = toy_1d.build(recipe, 1)
    real_batches = toy.batches(toy.Gaussian1D(0.0, 1.0), 8)
    with pytest.raises(RuntimeError, match=r"end each iteration with gan.end_iteration\(\)"):
        with ToyLoop(gan, recipe.steps, progress=False) as loop:
            for _ in loop:
                gan.discriminator_step(next(real_batches))
                gan.generator_step(8)
