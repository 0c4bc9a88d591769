"""minigan: Generative Adversarial Networks from scratch, on NumPy or CuPy, with no autograd.

Map of the package (one idea per file):

- ``backend``      which array module (NumPy or CuPy), dtype, random source, host copies
- ``nn``           Module, Parameter and the layers, each forward beside its backward
- ``losses``       BCELoss, BCEWithLogitsLoss (the GAN's), CrossEntropyLoss (the classifier's)
- ``optim``        SGD (momentum), Adam
- ``gradcheck``    finite-difference checks of any backward
- ``gan``          the original GAN algorithm (Goodfellow et al. 2014, Algorithm 1)
- ``training``     the toy demos' outer loop: learning-rate decay, snapshots, progress, checkpoints
- ``metrics``      W1, JS, mode metrics, Parzen window, Fréchet distance, class statistics
- ``data``         toy distributions and the MNIST reader
- ``checkpoint``   atomic save/load; the rules of a run that checkpoints (refuse, resume, last good)
- ``toy_gan``, ``toy_2d``            recipes of the 1-D and 2-D demos
- ``models``, ``train_mnist``        the MNIST conditional GAN and its training loop
- ``classifier``, ``latent``         the evaluation classifier; latent-space tours
"""
from . import backend, gan, gradcheck, losses, nn, optim

__version__ = "0.1.0"
__all__ = ["backend", "nn", "losses", "optim", "gradcheck", "gan"]
