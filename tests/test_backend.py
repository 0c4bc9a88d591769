"""The backend: one place picks the array module; errors say what to do."""
import importlib
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import conftest
from minigan import backend


def test_unknown_backend_names_the_allowed_values():
    with pytest.raises(ValueError, match=r"numpy, cupy.*'tensorflow'"):
        backend.set_backend("tensorflow")


def test_unknown_backend_in_environment_fails_at_first_use():
    code = "from minigan import nn\nnn.Linear(2, 3)"
    env = {"MINIGAN_BACKEND": "jax", "PATH": "", "PYTHONPATH": str(pathlib.Path(__file__).resolve().parents[1])}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode != 0
    assert "BackendError: MINIGAN_BACKEND must be one of numpy, cupy; got 'jax'" in proc.stderr


def test_cupy_requested_without_cupy_explains_how_to_install(monkeypatch):
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed here; this checks the machine without it")
    with pytest.raises(backend.BackendError, match=r'pip install "minigan\[gpu\]"'):
        backend.set_backend("cupy")
    assert backend.name != "cupy"


def test_cupy_asked_for_by_a_flag_names_the_flag_and_the_way_out():
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed here; this checks the machine without it")
    with pytest.raises(backend.BackendError, match=r"^--backend cupy was requested.*use the numpy backend\.$"):
        backend.set_backend("cupy", requested_by="--backend cupy")
    assert backend.name != "cupy"


def test_cupy_in_the_environment_without_cupy_fails_at_first_use_in_one_message():
    """import minigan succeeds; the first array operation raises the reason, and a demo prints it in one line
    (exit status 1, no traceback), never running on NumPy instead."""
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed here; this checks the machine without it")
    root = pathlib.Path(__file__).resolve().parents[1]
    env = {**os.environ, "MINIGAN_BACKEND": "cupy", "PYTHONPATH": str(root)}
    env.pop("MINIGAN_DEBUG", None)
    code = ("from minigan import backend, nn\n"
            "print(backend.name)\n"
            "try:\n    nn.Linear(2, 3)\nexcept backend.BackendError as exc:\n    print('BackendError:', exc)\n")
    lines = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert lines[0] == "cupy (unavailable)"
    assert lines[1].startswith("BackendError: MINIGAN_BACKEND=cupy was requested but CuPy cannot be imported")
    assert lines[1].endswith("unset MINIGAN_BACKEND to use NumPy.")
    demo = subprocess.run([sys.executable, str(root / "demos" / "gaussian_1d.py"), "--steps", "5", "--quiet"],
                          env=env, capture_output=True, text=True, cwd=root)
    assert demo.returncode == 1
    assert demo.stderr.startswith("gaussian_1d.py: error: MINIGAN_BACKEND=cupy was requested")
    assert "Traceback" not in demo.stderr and len(demo.stderr.strip().splitlines()) == 1


def test_default_dtype_is_float32_and_float64_is_selectable():
    assert backend.dtype == np.float32
    with backend.default_dtype("float64"):
        assert backend.rng().normal((2,)).dtype == np.float64
    assert backend.rng().normal((2,)).dtype == np.float32


def test_unsupported_dtype_is_an_error():
    with pytest.raises(ValueError, match="float32, float64; got float16"):
        backend.set_default_dtype("float16")


def test_same_seed_gives_same_numbers():
    backend.seed(7)
    a = backend.to_numpy(backend.rng().normal((4, 3)))
    backend.seed(7)
    b = backend.to_numpy(backend.rng().normal((4, 3)))
    np.testing.assert_array_equal(a, b)


@conftest.needs_restorable_rng
def test_rng_state_round_trip_continues_the_stream():
    backend.seed(3)
    state = backend.rng().get_state()
    first = backend.to_numpy(backend.rng().random((5,)))
    backend.rng().set_state(state)
    np.testing.assert_array_equal(first, backend.to_numpy(backend.rng().random((5,))))


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_seed_must_be_a_non_negative_integer(bad):
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        backend.seed(bad)


def test_to_numpy_returns_a_host_array():
    x = backend.rng().normal((3,))
    assert type(backend.to_numpy(x)) is np.ndarray


@pytest.mark.parametrize("prob", [0.0, 0.3, 0.5, 0.7, 1.0])
def test_bernoulli_is_true_with_the_asked_probability(prob):
    draws = backend.to_numpy(backend.Random(0).bernoulli(prob, (400, 501)))   # odd size: half a 64-bit draw left over
    assert draws.dtype == bool and draws.shape == (400, 501)
    sigma = np.sqrt(prob * (1 - prob) / draws.size)
    assert abs(draws.mean() - prob) <= 5 * sigma        # exact at 0 and 1; else within 5 standard errors


def test_bernoulli_masks_are_reproducible_and_independent():
    a, b = backend.Random(3), backend.Random(3)
    first, again = backend.to_numpy(a.bernoulli(0.5, (64, 33))), backend.to_numpy(b.bernoulli(0.5, (64, 33)))
    np.testing.assert_array_equal(first, again)
    second = backend.to_numpy(a.bernoulli(0.5, (64, 33)))
    assert 0.4 < (first == second).mean() < 0.6             # the next mask is a fresh draw


@pytest.mark.parametrize("prob", [-0.1, 1.5, float("nan")])
def test_bernoulli_rejects_a_probability_outside_0_1(prob):
    with pytest.raises(ValueError, match="prob must be in \\[0, 1\\]"):
        backend.Random(0).bernoulli(prob, (2,))


# -- checks that would make a GPU wait are deferred to the next read-back -------------------
@pytest.fixture
def deferred(monkeypatch):
    """NumPy behaving as on CuPy: checks of device values wait for a read-back."""
    monkeypatch.setattr(backend, "defer_checks", True)
    yield
    backend._pending_checks.clear()


@conftest.numpy_only
def test_a_bad_label_fails_at_once_where_reading_is_free():
    from minigan import nn
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]; got values in \[0, 5\]"):
        nn.Embedding(3, 2)(backend.asarray([0, 5], dtype=backend.xp.int64))


def test_a_bad_label_on_a_gpu_fails_at_the_next_read_back(deferred):
    from minigan import nn
    layer = nn.Embedding(3, 2)
    # -1: NumPy's indexing would wrap it silently, as CuPy's does for any out-of-range label
    y = layer(backend.asarray([0, -1], dtype=backend.xp.int64))    # no read-back, no error yet
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]; got values in \[-1, 0\].*later read-back"):
        backend.to_numpy(y)
    assert backend.to_numpy(y).shape == (2, 2)                     # reported once, then cleared


def test_a_gan_reports_a_deferred_bad_label_when_it_reads_its_losses(deferred):
    from minigan import nn, optim
    from minigan.gan import GAN
    G = nn.Conditional(3, 2, nn.Sequential(nn.Linear(4 + 2, 2)))
    D = nn.Conditional(3, 2, nn.Sequential(nn.Linear(2 + 2, 1), nn.Sigmoid()))
    gan = GAN(G, D, optim.Adam(G.parameters()), optim.Adam(D.parameters()), noise_dim=4, num_classes=3,
              log_every=2)
    batch = (backend.rng().normal((5, 2)), backend.asarray([0, 1, 2, -1, 1], dtype=backend.xp.int64))
    gan.train_step(iter([batch]))                                   # iteration 1: nothing read back
    with pytest.raises(ValueError, match="labels must lie in"):
        gan.train_step(iter([batch]))                               # iteration 2 reads the losses back


def test_deferred_checks_run_by_themselves_when_too_many_wait(deferred, monkeypatch):
    monkeypatch.setattr(backend, "MAX_PENDING_CHECKS", 3)
    ok, bad = backend.xp.asarray(False), backend.xp.asarray(True)
    backend.check_later(ok, lambda: ValueError("never"))
    backend.check_later(bad, lambda: ValueError("second check failed"))
    with pytest.raises(ValueError, match="second check failed"):
        backend.check_later(ok, lambda: ValueError("never"))
    assert not backend._pending_checks
