"""Shared test set-up.

The suite runs on whichever backend ``MINIGAN_BACKEND`` names (NumPy in CI,
CuPy on a GPU). Where CuPy was asked for but cannot run, every test is skipped
with the reason, rather than silently testing NumPy instead.
"""
from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(pathlib.Path(__file__).parent))

from minigan import backend  # noqa: E402

REQUESTED = os.environ.get("MINIGAN_BACKEND", "numpy").strip().lower() or "numpy"
_SKIP_REASON = None
try:
    backend.set_backend(REQUESTED)
except backend.BackendError as exc:
    _SKIP_REASON = f"MINIGAN_BACKEND={REQUESTED} cannot run here: {exc}"

# The float64 fixture holds for every example of a test, which is what we want.
# derandomize: every run (CI's too) draws the same examples, so a result is reproducible.
settings.register_profile("minigan", suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None,
                          derandomize=True)
# A stress profile, to hunt rare failures: MINIGAN_HYPOTHESIS_PROFILE=stress python -m pytest
settings.register_profile("stress", parent=settings.get_profile("minigan"), derandomize=False, max_examples=300)
settings.load_profile(os.environ.get("MINIGAN_HYPOTHESIS_PROFILE", "minigan"))

SHARED_MNIST = pathlib.Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"

#: For tests that rewind the random source (exact resume, masks fixed by restoring the state): on CuPy
#: the state cannot be read back, and a resumed run is reseeded instead (minigan.backend.Random).
needs_restorable_rng = pytest.mark.skipif(
    REQUESTED == "cupy", reason="CuPy's random state cannot be read back: a resumed GPU run is reseeded, "
                                "not exact, and masks cannot be replayed (minigan.backend.Random)")
#: For tests of what NumPy alone does: cache blocking (on CuPy the batch is one block), or a check of a
#: device value failing at once (on CuPy it waits for the next read-back: backend.check_later).
numpy_only = pytest.mark.skipif(REQUESTED == "cupy", reason="NumPy's behaviour; CuPy's is tested beside it")
#: benchmarks/rehearsal's NumPy stand-in for CuPy runs CuPy's code paths on NumPy arrays, but not what only
#: CuPy's arrays do: an out-of-range integer index raises IndexError there, where CuPy's wraps around.
ON_CUPY_STAND_IN = REQUESTED == "cupy" and str(getattr(backend.xp, "__version__", "")).endswith("stand-in")
needs_real_cupy = pytest.mark.skipif(ON_CUPY_STAND_IN, reason="NumPy's indexing raises IndexError before the deferred "
                                                               "check is read back; CuPy's wraps around")


def pytest_collection_modifyitems(config, items):
    if _SKIP_REASON:
        for item in items:
            item.add_marker(pytest.mark.skip(reason=_SKIP_REASON))


def pytest_report_header(config):
    return f"minigan backend: {backend.name}"


@pytest.fixture(autouse=True)
def _fresh_backend_state():
    """Each test starts on the requested backend, float32, seed 0."""
    backend.set_backend(REQUESTED)
    backend.set_default_dtype("float32")
    backend.seed(0)
    yield
    backend.set_backend(REQUESTED)
    backend.set_default_dtype("float32")


@pytest.fixture
def float64():
    """Gradient checks run in float64."""
    with backend.default_dtype("float64"):
        yield


@pytest.fixture
def strict_backend():
    """A NumPy that refuses to be mixed with plain NumPy, as CuPy does (see strict_numpy.py)."""
    if REQUESTED != "numpy":
        pytest.skip("the strict NumPy stands in for CuPy on CPU; the CuPy backend (or benchmarks/rehearsal's "
                    "stand-in) is in use here")
    import strict_numpy
    backend.set_backend(strict_numpy.module)
    backend.seed(0)
    yield strict_numpy
    backend.set_backend(REQUESTED)


def mnist_folder_or_skip(required: str = "t10k-images-idx3-ubyte.gz") -> pathlib.Path:
    """The shared MNIST folder ($MINIGAN_TEST_MNIST or ../shared/data/mnist), or a skip saying
    that ``required`` is absent (usable from fixtures of any scope)."""
    folder = pathlib.Path(os.environ.get("MINIGAN_TEST_MNIST", SHARED_MNIST))
    if not (folder / required).exists():
        pytest.skip(f"MNIST file {required} not found in {folder} (users do not have ../shared/data/mnist)")
    return folder


def mnist_env_for(code: str) -> dict:
    """Environment for running docs code: code that reads MNIST (``mnist.load_mnist(``) is pointed at the
    shared test folder through $MINIGAN_DATA, the demos' variable, or skipped with the reason where the
    folder is absent; other code needs nothing."""
    if "mnist.load_mnist(" not in code:
        return {}
    return {"MINIGAN_DATA": str(mnist_folder_or_skip("train-images-idx3-ubyte.gz"))}


@pytest.fixture
def mnist_dir():
    """The shared MNIST test files, or a skip saying they are absent."""
    return mnist_folder_or_skip()


# -- helpers shared by the tests of the MNIST experiments -------------------------------------
ROOT = pathlib.Path(__file__).resolve().parents[1]


def load_demo(name: str):
    """Import ``demos/<name>.py`` as a module (the demos are scripts, not a package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, ROOT / "demos" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def synthetic_mnist(n: int = 128, seed: int = 0):
    """Random host 'images' (n, 784) float32 in [0, 1] and labels (n,): enough to run the training loop."""
    rs = np.random.default_rng(seed)
    return rs.random((n, 784), dtype=np.float32), rs.integers(0, 10, n)


def labels_of(*values):
    """Device int64 labels."""
    return backend.asarray(values, dtype=backend.xp.int64)


# -- demos as real processes, for the tests that kill one with a real signal -------------------
def start_demo(name: str, *argv) -> subprocess.Popen:
    """``demos/<name>.py argv`` in a process of its own, with one BLAS thread (every process of a
    bit-identity comparison must use the same thread count: a product split over other threads
    rounds differently) and the Agg backend; stdout and stderr piped."""
    env = {**os.environ, "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, str(ROOT / "demos" / f"{name}.py"), *map(str, argv)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_at_first_checkpoint(process: subprocess.Popen, checkpoint_file: pathlib.Path, timeout: float = 120) -> None:
    """SIGKILL ``process`` as soon as ``checkpoint_file`` exists: no chance to clean up, mid-step,
    maybe mid-write. Fails if the process ended before it could be interrupted."""
    deadline = time.monotonic() + timeout
    while not checkpoint_file.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL, "the run finished before it could be interrupted"
