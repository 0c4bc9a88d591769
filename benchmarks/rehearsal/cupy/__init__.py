"""A stand-in for CuPy made of NumPy, to rehearse ``benchmarks/gpu_check.sh`` on a machine without a GPU.

    PYTHONPATH=benchmarks/rehearsal bash benchmarks/gpu_check.sh

It is not CuPy: every array is a NumPy array on the CPU, and the script's preflight names it
("CuPy 0.0-stand-in, device 0: no GPU (NumPy stand-in)"). It runs minigan's CuPy code paths (the
backend's ``name == "cupy"`` branches: cuRAND-style random source, deferred checks, one convolution
block, the benchmark's ``--backend cupy``), so that the script and the tests' CuPy handling can be
checked before a GPU session spends its few minutes. It cannot speak for what only CuPy does:
out-of-range integer indices wrap around on CuPy, where NumPy raises IndexError; and the kernels,
rounding and speed are NumPy's.
"""
from numpy import *  # noqa: F401,F403
from numpy import lib, linalg  # noqa: F401
import numpy as _numpy

__version__ = "0.0-stand-in"
ndarray = _numpy.ndarray


def asnumpy(x):
    return _numpy.asarray(x)


class _Runtime:
    @staticmethod
    def getDeviceCount():
        return 1

    @staticmethod
    def getDeviceProperties(device):
        return {"name": b"no GPU (NumPy stand-in)", "totalGlobalMem": 0}


class _Device:
    def __init__(self, device=0):
        pass

    def synchronize(self):
        pass


class cuda:  # noqa: N801  (cupy.cuda)
    runtime = _Runtime
    Device = _Device


class random:  # noqa: N801  (cupy.random)
    class RandomState:
        """cupy.random.RandomState's methods that minigan calls, on NumPy's legacy generator."""

        def __init__(self, seed=None):
            self._state = _numpy.random.RandomState(seed)

        def random_sample(self, shape, dtype=float):
            return self._state.random_sample(shape).astype(dtype)

        def standard_normal(self, shape, dtype=float):
            return self._state.standard_normal(shape).astype(dtype)

        def randint(self, low, high, size=None, dtype=int):
            return self._state.randint(low, high, size=size).astype(dtype)
