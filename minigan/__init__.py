"""minigan: Generative Adversarial Networks from scratch, on NumPy or CuPy, with no autograd.

Map of the package (one idea per file):

- ``backend``    which array module (NumPy or CuPy), dtype, random source, host copies
- ``nn``         Module, Parameter and the layers, each forward beside its backward
- ``losses``     BCELoss, BCEWithLogitsLoss
- ``optim``      SGD (momentum), Adam
- ``gradcheck``  finite-difference checks of any backward
"""
from . import backend, gradcheck, losses, nn, optim

__version__ = "0.1.0"
__all__ = ["backend", "nn", "losses", "optim", "gradcheck"]
