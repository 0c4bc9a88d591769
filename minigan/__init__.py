"""minigan: Generative Adversarial Networks from scratch, on NumPy or CuPy, with no autograd.

The library, one idea per module:

- ``backend``      which array module (NumPy or CuPy), dtype, random source, host copies
- ``nn``           Module, Parameter and the layers, each forward beside its backward
- ``losses``       BCELoss, BCEWithLogitsLoss (the GAN's), CrossEntropyLoss (the classifier's), L1Loss, MSELoss (CycleGAN's)
- ``optim``        SGD (momentum), Adam
- ``gradcheck``    finite-difference checks of any backward
- ``gan``          the original GAN algorithm (Goodfellow et al. 2014, Algorithm 1) and its variants
- ``metrics``      W1, JS, mode metrics, Parzen window, Fréchet distance, class statistics
- ``data``         toy distributions and the MNIST reader
- ``latent``       interpolation and arithmetic in the noise space
- ``checks``       the argument checks every module shares

Built on it, in subpackages: ``training`` (the loops that run Algorithm 1 with checkpoints,
progress and health), ``experiments`` (the recipes of the demos), ``demo_tools`` (command lines
and figures); and for the learner: ``exercises`` (``python -m minigan.exercises``), ``lab``
(``python -m minigan.lab``, the browser playground) and ``pretrained`` (the shipped generators).
"""
from . import backend, gan, gradcheck, losses, nn, optim

__version__ = "0.1.0"
__all__ = ["backend", "nn", "losses", "optim", "gradcheck", "gan"]
