"""Optimizers with PyTorch's update rules, and the GAN paper's schedules.

| optimizer | rule | plain version | file |
| --- | --- | --- | --- |
| SGD | momentum, PyTorch's rule or pylearn2's | (is plain: two lines per rule) | sgd.py |
| Adam | bias-corrected moments; packed, scaled moments, in cache-sized blocks | PlainAdam: each parameter on its own, the paper's formulas | adam.py |
| Optimizer | the base: parameter list, ``zero_grad``, packing into one buffer | ``packed = False`` | optimizer.py |
| schedules | pylearn2's learning-rate decay and momentum ramp | | schedules.py |

The fast version is the default; ``optim.PlainAdam`` is the same algorithm as written in the paper, and
its ``state_dict`` loads into ``Adam`` and back. docs/appendix_fast_numpy.md measures what each fast path buys.
"""
from . import schedules
from .adam import Adam, PlainAdam
from .optimizer import Optimizer, pack_parameters
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "PlainAdam", "pack_parameters", "schedules"]
