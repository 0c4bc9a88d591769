"""The GAN algorithms: the original one (Algorithm 1) and its variants.

| file | what |
| --- | --- |
| algorithm1.py | ``GAN``: Algorithm 1 of Goodfellow et al. (2014): k steps of D, one of G |
| base.py | its constructor, sampling, the joint D pass, saving and resuming |
| history.py | the record of training and the divergence check (``TrainingDiverged``, errors.py) |
| noise.py, packing.py | the noise prior p_z; PacGAN's packing |
| simultaneous.py | ``SimultaneousGAN``: the paper's code, both players in one step |
| acgan.py | ``AuxiliaryDiscriminator``: AC-GAN's class head |
| averaging.py | ``ExponentialAverage``: samples from an average of G's weights |
"""
from .acgan import AuxiliaryDiscriminator
from .algorithm1 import GAN
from .averaging import ExponentialAverage
from .base import GENERATOR_LOSSES
from .errors import TrainingDiverged
from .history import G_KEYS, HISTORY_KEYS, NORM_KEYS
from .noise import NOISE_PRIORS, draw_noise
from .packing import pack_samples, unpack_gradient
from .simultaneous import SimultaneousGAN

__all__ = ["GAN", "SimultaneousGAN", "AuxiliaryDiscriminator", "ExponentialAverage", "TrainingDiverged",
           "pack_samples", "unpack_gradient", "draw_noise", "GENERATOR_LOSSES", "NOISE_PRIORS", "HISTORY_KEYS",
           "G_KEYS", "NORM_KEYS"]
