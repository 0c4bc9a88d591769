"""A GAN that fails loudly: divergence is caught at the read-back, named, and never saved;
demos reject non-finite flags and stop with one clear message."""
import argparse
import io
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minigan import backend, nn, optim
from minigan.training import checkpoint
from minigan.demo_tools import cli
from minigan.gan.errors import TrainingDiverged
from minigan.gan import GAN, HISTORY_KEYS
from minigan.training.progress import Progress

ROOT = pathlib.Path(__file__).resolve().parents[1]


def tiny_gan(log_every=5, k=1):
    G, D = nn.mlp([1, 8, 1]), nn.mlp([1, 8, 1], output=nn.Sigmoid())
    return GAN(G, D, optim.Adam(G.parameters(), 1e-3), optim.Adam(D.parameters(), 1e-3), 1,
               k=k, log_every=log_every)


def batches(bad_from=None, bad=math.nan):
    """Real batches N(0, 1), (16, 1); from D step ``bad_from`` (1-based) on, every value is ``bad``."""
    step = 0
    while True:
        step += 1
        x = backend.rng().normal((16, 1))
        if bad_from is not None and step >= bad_from:
            x[...] = bad
        yield x


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # NaN data on purpose
def test_nan_data_stops_training_at_the_read_back_naming_the_iteration_and_quantity():
    gan, real = tiny_gan(log_every=5, k=2), batches(bad_from=5)     # D step 5 is in iteration 3
    for _ in range(4):
        gan.train_step(real)                      # no read-back yet: no per-step host check
    with pytest.raises(TrainingDiverged) as caught:
        gan.train_step(real)
    assert (caught.value.quantity, caught.value.iteration, caught.value.found_at) == ("d_loss", 3, 5)
    assert isinstance(caught.value, ValueError)
    assert "learning rate too high" in str(caught.value) and "at iteration 3" in str(caught.value)


def test_non_finite_parameters_are_found_at_the_read_back():
    gan, real = tiny_gan(log_every=100), batches()
    for _ in range(3):
        gan.train_step(real)
    gan.g_optimizer.data[0] = math.inf
    with pytest.raises(TrainingDiverged, match="generator parameters became non-finite") as caught:
        gan.history
    assert caught.value.iteration == 3


@pytest.mark.filterwarnings("ignore::RuntimeWarning")   # NaN data on purpose
def test_a_finite_run_reads_back_without_error_and_can_opt_out():
    gan, real = tiny_gan(), batches(bad_from=1)
    gan.check_divergence = False
    for _ in range(5):
        gan.train_step(real)
    assert math.isnan(gan.history["d_loss"][0])


def test_gradient_norms_are_the_norms_of_the_packed_gradients():
    gan, real = tiny_gan(log_every=100, k=3), batches()
    for _ in range(4):
        gan.train_step(real)
    h = gan.history
    assert len(h["d_grad_norm"]) == len(h["d_loss"]) == 12 and len(h["g_grad_norm"]) == len(h["g_loss"]) == 4
    assert h["g_grad_norm"][-1] == pytest.approx(float(np.linalg.norm(backend.to_numpy(gan.g_optimizer.grad))),
                                                 rel=1e-5)
    assert h["d_grad_norm"][-1] == pytest.approx(float(np.linalg.norm(backend.to_numpy(gan.d_optimizer.grad))),
                                                 rel=1e-5)
    assert set(h) == set(HISTORY_KEYS) and gan.last("g_grad_norm") == pytest.approx(h["g_grad_norm"][-1])


def test_a_state_saved_before_gradient_norms_still_loads():
    gan, real = tiny_gan(), batches()
    for _ in range(5):
        gan.train_step(real)
    state = gan.state_dict()
    for key in ("d_grad_norm", "g_grad_norm"):
        del state["history"][key]
    other = tiny_gan()
    other.load_state_dict(state)
    other.train_step(real)
    assert len(other.history["g_grad_norm"]) == 1 and len(other.history["g_loss"]) == 6


def test_a_non_finite_state_is_not_saved_and_the_good_file_stays_byte_for_byte(tmp_path):
    gan, real = tiny_gan(), batches()
    gan.train_step(real)
    path = checkpoint.save(tmp_path / "checkpoint.npz", gan.state_dict(), check=True)
    before = path.read_bytes()
    gan.d_optimizer.data[3] = math.nan
    with pytest.raises(checkpoint.NonFiniteStateError, match="discriminator/layers.0.weight"):
        checkpoint.save(path, gan.state_dict() | {"history": {}}, check=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz"]      # no temporary left


def test_check_finite_ignores_the_history_and_integers():
    checkpoint.check_finite({"history": {"d_loss": [math.nan]}, "counters": {"iteration": 3}, "w": np.ones(2)})
    with pytest.raises(ValueError, match="lr"):
        checkpoint.check_finite({"opt": {"lr": math.inf}})


# -- the command line ---------------------------------------------------------------------
@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "NaN", "1e400"])
def test_finite_float_rejects_nan_and_infinity(text):
    with pytest.raises(argparse.ArgumentTypeError, match="must be a finite number"):
        cli.finite_float(text)


def test_positive_and_bounded_reject_non_finite_and_out_of_range_values():
    with pytest.raises(argparse.ArgumentTypeError, match="finite number > 0"):
        cli.positive(float)("nan")
    assert cli.bounded(0, 1, high_open=True)("0") == 0.0
    with pytest.raises(argparse.ArgumentTypeError, match=r"must be in \[0, 1\); got 1"):
        cli.bounded(0, 1, high_open=True)("1")


def test_run_main_prints_one_message_and_exits_1(capsys):
    def main(argv):
        raise TrainingDiverged("d_loss", 7, math.nan)
    with pytest.raises(SystemExit) as caught:
        cli.run_main(main, [])
    err = capsys.readouterr().err
    assert caught.value.code == 1 and "Traceback" not in err
    assert "d_loss became non-finite (nan) at iteration 7" in err


def test_run_main_shows_the_traceback_with_debug(monkeypatch):
    def main(argv):
        raise ValueError("bad")
    with pytest.raises(ValueError, match="bad"):
        cli.run_main(main, ["--debug"])
    monkeypatch.setenv("MINIGAN_DEBUG", "1")
    with pytest.raises(ValueError, match="bad"):
        cli.run_main(main, [])


def test_progress_line_shows_warnings_while_they_hold():
    stream = io.StringIO()
    bar = Progress(10, "t", stream=stream, min_interval=0)
    bar.update(5, warnings=["D winning"], d_loss=0.1)
    bar.update(10, warnings=[], d_loss=0.6)
    first, second = stream.getvalue().splitlines()[:2]
    assert first.endswith("WARNING: D winning") and "WARNING" not in second


def run_demo(*argv):
    return subprocess.run([sys.executable, str(ROOT / "demos" / "gaussian_1d.py"), *argv], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def test_the_1d_demo_rejects_nan_at_parse_time_naming_the_flag():
    result = run_demo("--mean", "nan")
    assert result.returncode == 2 and "argument --mean: must be a finite number; got 'nan'" in result.stderr


def test_the_1d_demo_on_overflowing_raw_data_stops_with_one_clear_message(tmp_path):
    result = run_demo("--no-standardize", "--mean", "1e38", "--std", "1e38", "--steps", "60", "--k", "1",
                      "--batch-size", "8", "--hidden", "4", "--quiet", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Warning" not in result.stderr
    assert "training diverged: d_loss became non-finite" in result.stderr
    assert not (tmp_path / "out" / "summary.json").exists()


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_with_checks_deferred_as_on_a_gpu_divergence_is_still_named_at_the_read_back(monkeypatch):
    monkeypatch.setattr(backend, "defer_checks", True)
    gan, real = tiny_gan(log_every=5), batches(bad_from=2)
    for _ in range(4):
        gan.train_step(real)
    with pytest.raises(TrainingDiverged) as caught:
        gan.train_step(real)
    assert (caught.value.quantity, caught.value.iteration) == ("d_loss", 2)


def test_with_checks_deferred_bce_out_of_range_fails_at_the_next_read_back(monkeypatch):
    from minigan.losses import BCELoss
    monkeypatch.setattr(backend, "defer_checks", True)
    loss = BCELoss()(backend.asarray([[1.5]]), backend.asarray([[1.0]]))      # no error yet
    with pytest.raises(ValueError, match="BCELoss: input must hold probabilities.*found at a later read-back"):
        backend.to_numpy(loss)
