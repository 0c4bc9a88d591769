"""The conditional GAN of the classic PyTorch MNIST tutorial, layer for layer (and its AC-GAN cure).

Discriminator  D(x, y): [x (784), embed(y) (10)] -> 1024 -> 512 -> 256 -> 1, LeakyReLU(0.2),
               Dropout(0.3) after each hidden layer, Sigmoid at the end: the probability that
               x is a real image of digit y.
Generator      G(z, y): [z (100), embed(y) (10)] -> 256 -> 512 -> 1024 -> 784, LeakyReLU(0.2),
               Tanh at the end: an image in [-1, 1].

Each network has its own label embedding (10 labels x 10 numbers), concatenated to its
input (``nn.Conditional``). ``conditional=False`` drops the embedding (input 784 for D,
100 for G). The recipe: binary cross-entropy, Adam (lr 1e-4, default betas) for both
networks, z ~ N(0, I) in R^100, minibatches of 64, 30 epochs.

``auxiliary_classifier=True`` is AC-GAN (Odena, Olah & Shlens 2017), the cure one of the
tutorials names: D reads the image alone and has two heads, real/fake and the digit
(``minigan.acgan``); G, still given the label, is also rewarded when D reads its sample
as the asked-for digit.
"""
from __future__ import annotations

import dataclasses

from .. import backend, nn
from ..gan.acgan import AuxiliaryDiscriminator
from ..data import mnist
from ..gan import GAN
from ..training.image_experiment import IMAGE_SIZE, ImageExperiment, check_settings
from ..optim import Adam

NOISE_DIM = 100
NUM_CLASSES = 10
EMBEDDING_DIM = 10
D_HIDDEN = (1024, 512, 256)
G_HIDDEN = (256, 512, 1024)
TRAIN_SPLITS = ("train", "test")


@dataclasses.dataclass
class Settings:
    """Everything that defines a run (``epochs`` may grow on resume; the rest must not change)."""

    epochs: int = 30
    batch_size: int = 64
    k: int = 1                   # Algorithm 1's discriminator steps per generator step
    seed: int = 0
    lr_d: float = 1e-4
    lr_g: float = 1e-4
    conditional: bool = True
    auxiliary_classifier: bool = False   # AC-GAN: D predicts the digit instead of reading the label
    train_split: str = "train"   # "test": development only (first 8,000 test images)
    limit: int | None = None     # train on the first `limit` images only (quick checks)

    def __post_init__(self):
        check_settings(self)
        if self.train_split not in TRAIN_SPLITS:
            raise ValueError(f"train_split must be one of {', '.join(TRAIN_SPLITS)}; got {self.train_split!r}")
        if self.auxiliary_classifier and not self.conditional:
            raise ValueError("auxiliary_classifier needs a conditional GAN (labels); got conditional=False")


def _maybe_conditional(body, conditional: bool, num_classes: int, embedding_dim: int):
    return nn.Conditional(num_classes, embedding_dim, body) if conditional else body


def discriminator(conditional: bool = True, *, image_size: int = IMAGE_SIZE, hidden=D_HIDDEN,
                  dropout: float = 0.3, num_classes: int = NUM_CLASSES, embedding_dim: int = EMBEDDING_DIM):
    """D: images (m, image_size) [and labels (m,)] -> probabilities (m, 1)."""
    layers, width = [], image_size + (embedding_dim if conditional else 0)
    for size in hidden:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
        width = size
    body = nn.Sequential(*layers, nn.Linear(width, 1), nn.Sigmoid())
    return _maybe_conditional(body, conditional, num_classes, embedding_dim)


def auxiliary_discriminator(*, image_size: int = IMAGE_SIZE, hidden=D_HIDDEN, dropout: float = 0.3,
                            num_classes: int = NUM_CLASSES):
    """AC-GAN's D: images (m, image_size) -> logits (m, 1 + num_classes): [real/fake, digit 0..9].
    The tutorial's body, without the label input, with a (1 + num_classes)-wide last layer."""
    layers, width = [], image_size
    for size in hidden:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2), nn.Dropout(dropout)]
        width = size
    return AuxiliaryDiscriminator(nn.Sequential(*layers, nn.Linear(width, 1 + num_classes)), num_classes)


def generator(conditional: bool = True, *, noise_dim: int = NOISE_DIM, hidden=G_HIDDEN,
              image_size: int = IMAGE_SIZE, num_classes: int = NUM_CLASSES, embedding_dim: int = EMBEDDING_DIM):
    """G: noise (m, noise_dim) [and labels (m,)] -> images (m, image_size) in [-1, 1]."""
    layers, width = [], noise_dim + (embedding_dim if conditional else 0)
    for size in hidden:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
        width = size
    body = nn.Sequential(*layers, nn.Linear(width, image_size), nn.Tanh())
    return _maybe_conditional(body, conditional, num_classes, embedding_dim)


class Experiment(ImageExperiment):
    """The tutorial's recipe for ``image_loop.train``."""

    name = "mnist_cgan"
    Settings = Settings
    noise_dim = NOISE_DIM
    noise = "normal"
    output = "tanh"

    def training_data(self, folder):
        """The 60,000 training images, or (``train_split="test"``, development only) the first 8,000 test images."""
        if self.settings.train_split == "train":
            images, labels = mnist.load_mnist(folder, "train")
        else:
            images, labels, _, _ = mnist.development_split(folder)
        limit = self.settings.limit
        return (images[:limit], labels[:limit]) if limit else (images, labels)

    def build_generator(self):
        return generator(self.conditional)

    def build_gan(self, images) -> GAN:
        """Seed the backend, build G and D, one Adam each, and the GAN (BCE, normal noise)."""
        s = self.settings
        backend.seed(s.seed)
        G = self.build_generator()
        D = auxiliary_discriminator() if s.auxiliary_classifier else discriminator(self.conditional)
        return GAN(G, D, Adam(G.parameters(), lr=s.lr_g), Adam(D.parameters(), lr=s.lr_d),
                   NOISE_DIM, k=s.k, noise="normal", num_classes=NUM_CLASSES if self.conditional else None,
                   logits=s.auxiliary_classifier, log_every=20)
