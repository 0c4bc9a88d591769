"""DCGAN (Radford, Metz & Chintala 2016; ICLR 2016, arXiv 2015), sized for 28x28 MNIST digits.

Generator      G(z): z (100) -> Linear 128*7*7 -> BatchNorm1d -> ReLU -> (128, 7, 7)
               -> ConvTranspose2d 128->64, 4x4, stride 2 (14x14) -> BatchNorm2d -> ReLU
               -> ConvTranspose2d 64->1, 4x4, stride 2 (28x28) -> Tanh: an image in [-1, 1].
Discriminator  D(x): x (1, 28, 28) -> Conv2d 1->64, 4x4, stride 2 (14x14) -> LeakyReLU(0.2)
               -> Conv2d 64->128, 4x4, stride 2 (7x7) -> BatchNorm2d -> LeakyReLU(0.2)
               -> Flatten (6272) -> Linear 1: a logit (the fused, stable BCE: ``GAN(logits=True)``).

The paper's guidelines, each mapped to the line that implements it, are in docs/07_dcgan.md:
strided convolutions instead of pooling, batch norm in both networks but not on G's output
nor D's input, no hidden fully connected layers, ReLU in G with Tanh at the end,
LeakyReLU(0.2) in D, weights N(0, 0.02), Adam (lr 2e-4, beta1 0.5), minibatches of 64.
Layers followed by batch norm have no bias (batch norm subtracts the mean, so a bias
would be cancelled); the other biases start at 0.

Batch norm makes D compare the rows of a batch, so D is not row-wise and the GAN runs the
real and the fake batch through D in separate passes (``GAN.joint_d_pass`` is False): a
batch's statistics never mix real and fake images.

``conditional=True`` tells both networks the digit: G reads [z, embed(y)] (``nn.Conditional``);
D is a *projection discriminator* (Miyato & Koyama 2018, :class:`ProjectionDiscriminator`):
D(x, y) = psi(phi(x)) + <embed(y), phi(x)>, with phi(x) the 6272 features above.

``discriminator="residual"`` swaps D's two strided convolutions for StyleGAN2-ADA's residual blocks
(:func:`residual_layers`: 1x1 conv to 32 channels, then blocks to 64 x 14 x 14 and 128 x 7 x 7, the
same 6272 features); the rest of the recipe stays.
"""
from __future__ import annotations

import dataclasses

from .. import backend, nn
from ..gan import GAN
from ..training.image_experiment import ImageExperiment, check_settings
from ..nn.module import Module, backward_to, check_forward_called, check_grad_output
from ..optim import Adam
from ..checks import check_positive_int, is_int, is_number

NOISE_DIM = 100
NUM_CLASSES = 10
G_EMBEDDING_DIM = 10           # G reads [z (100), embed(y) (10)], as the MLP cGAN does
G_CHANNELS = (128, 64)         # G's feature maps at 7x7 and 14x14
D_CHANNELS = (64, 128)         # D's feature maps at 14x14 and 7x7
IMAGE_SIZE = 28
KERNEL, STRIDE, PADDING = 4, 2, 1  # each (transposed) convolution halves (doubles) the side
INIT_STD = 0.02                # weights N(0, 0.02), batch norm gamma N(1, 0.02)
LEARNING_RATE = 2e-4
BETAS = (0.5, 0.999)           # beta1 = 0.5: 0.9 made training oscillate (the paper, section 4)
BATCH_SIZE = 64
DISCRIMINATORS = ("plain", "residual")
FROM_IMAGE_CHANNELS = 32       # the residual D's 1x1 convolution from the image (then D_CHANNELS at 14x14, 7x7)


@dataclasses.dataclass
class Settings:
    """Everything that defines a run (``epochs`` may grow on resume; the rest must not change)."""

    epochs: int = 5
    batch_size: int = BATCH_SIZE
    k: int = 1                   # Algorithm 1's discriminator steps per generator step
    seed: int = 0
    lr_d: float = LEARNING_RATE
    lr_g: float = LEARNING_RATE
    beta1: float = BETAS[0]
    conditional: bool = False
    pack: int = 1                # PacGAN: D judges `pack` images at once, stacked as channels (docs/07_dcgan.md §5)
    output_batchnorm: bool = False   # breaks a guideline on purpose: batch norm on G's output (docs/07_dcgan.md §5)
    ema_decay: float = 0.0       # > 0: samples come from an exponential moving average of G (docs/07_dcgan.md §5.2)
    minibatch_kernels: int = 0   # > 0: minibatch discrimination on D's features, B kernels (docs/07_dcgan.md §5.2)
    discriminator: str = "plain"  # "residual": D of residual blocks, as StyleGAN2-ADA's (docs/07_dcgan.md §7)
    limit: int | None = None     # train on the first `limit` images only (quick checks)

    def __post_init__(self):
        check_settings(self)
        if self.batch_size < 2:
            raise ValueError(f"batch_size must be >= 2 (batch norm needs two images); got {self.batch_size}")
        check_positive_int("pack", self.pack)
        if not is_int(self.minibatch_kernels) or self.minibatch_kernels < 0:
            raise ValueError(f"minibatch_kernels must be 0 (off) or a positive integer; got {self.minibatch_kernels!r}")
        if self.pack > 1 and self.conditional:
            raise ValueError(f"pack > 1 needs the unconditional DCGAN (a packed row has no one label); "
                             f"got pack={self.pack} with conditional=True")
        if self.batch_size % self.pack or self.batch_size // self.pack < 2:
            raise ValueError(f"batch_size must be a multiple of pack with at least 2 packed rows per batch "
                             f"(batch norm); got batch_size {self.batch_size}, pack {self.pack}")
        if not is_number(self.ema_decay) or not 0 <= self.ema_decay < 1:
            raise ValueError(f"ema_decay must be 0 (off) or in (0, 1), e.g. 0.999; got {self.ema_decay!r}")
        if not 0 <= self.beta1 < 1:
            raise ValueError(f"beta1 must be in [0, 1); got {self.beta1!r}")
        if self.discriminator not in DISCRIMINATORS:
            raise ValueError(f"discriminator must be one of {', '.join(DISCRIMINATORS)}; got {self.discriminator!r}")


# -- the conditional discriminator ---------------------------------------------------------
class ProjectionDiscriminator(Module):
    """D(x, y) = psi(phi(x)) + <embed(y), phi(x)>: the projection discriminator.

    phi = ``features`` maps images to feature vectors h (m, F); psi = ``head`` is Linear(F, 1);
    ``embedding`` is a (num_classes, F) table. The label moves the logit by the inner product
    of its row with the features: D can learn, per digit, which features a real image of
    that digit has. Miyato & Koyama (2018) derive it from the log-density ratio
    log p(y | x) / q(y | x) of a softmax classifier on phi(x).

    Shapes: x (m, ...) as ``features`` reads it, labels (m,) int, output logits (m, 1).
    """

    conditional = True           # image_sampling.is_conditional: D reads labels
    rowwise = True               # itself; whether D is row-wise is up to ``features`` (batch norm)
    skips_input_grad = True

    def __init__(self, features: Module, num_features: int, num_classes: int):
        self.features = features
        self.head = nn.Linear(num_features, 1)
        self.embedding = nn.Embedding(num_classes, num_features)
        self.num_classes = num_classes
        self._cache = None

    def forward(self, x, labels):
        if x.shape[0] != labels.shape[0]:
            raise ValueError(f"ProjectionDiscriminator: x and labels need the same batch size; "
                             f"got x {tuple(x.shape)}, labels {tuple(labels.shape)}")
        h = self.features(x)                                  # phi(x) (m, F)
        e = self.embedding(labels)                            # embed(y) (m, F)
        self._cache = (h, e)
        return self.head(h) + (h * e).sum(axis=1, keepdims=True)

    def backward(self, grad_output, input_grad=True):
        """Given g = dL/d logit (m, 1):

        dL/dh = psi'^T g + g e (m, F)  (the head's input gradient plus the projection's),
        dL/d embed(y) = g h (m, F)     (added into the rows of the labels used),
        dL/dx = phi'^T dL/dh           (``features.backward``; input_grad as ``backward_to``)."""
        check_forward_called(self, self._cache)
        h, e = self._cache
        check_grad_output(self, grad_output, (h.shape[0], 1))
        self.embedding.backward(grad_output * h)
        grad_h = self.head.backward(grad_output)
        grad_h += grad_output * e
        return backward_to(self.features, grad_h, input_grad)

    def extra_repr(self):
        return f"num_classes={self.num_classes}"


# -- the networks ------------------------------------------------------------------------
def dcgan_init(net: Module, std: float = INIT_STD) -> Module:
    """The paper's initialisation, in place: every Linear, Conv2d and ConvTranspose2d weight
    N(0, std) and bias 0; every batch norm gamma N(1, std) and beta 0. Embeddings keep theirs
    (G's label code N(0, 1) like z; see :func:`discriminator` for D's). Returns ``net``."""
    rng = backend.rng()
    for module in net.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            module.weight.data[...] = rng.normal(module.weight.shape) * std
            if module.bias is not None:
                module.bias.data[...] = 0
        elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.weight.data[...] = 1 + rng.normal(module.weight.shape) * std
            module.bias.data[...] = 0
    return net


def _check_image_size(image_size: int) -> int:
    if not is_int(image_size) or image_size < 4 or image_size % 4:
        raise ValueError(f"image_size must be a positive multiple of 4 (two stride-2 layers); got {image_size!r}")
    return image_size // 4


def generator(conditional: bool = False, *, noise_dim: int = NOISE_DIM, channels=G_CHANNELS,
              image_size: int = IMAGE_SIZE, num_classes: int = NUM_CLASSES,
              embedding_dim: int = G_EMBEDDING_DIM, output_batchnorm: bool = False) -> Module:
    """G: noise (m, noise_dim) [and labels (m,)] -> images (m, 1, image_size, image_size) in [-1, 1].

    ``output_batchnorm=True`` breaks the paper's guideline on purpose (docs/07_dcgan.md §5): batch norm
    between the last transposed convolution and Tanh, so every batch of images is forced to the
    same per-batch mean and spread of pixel values."""
    base = _check_image_size(image_size)            # 7 for 28x28
    wide, narrow = channels
    z_width = noise_dim + (embedding_dim if conditional else 0)
    body = nn.Sequential(
        nn.Linear(z_width, wide * base * base, bias=False),   # the projection of z: not a hidden FC layer
        nn.BatchNorm1d(wide * base * base),
        nn.ReLU(),
        nn.Unflatten(1, (wide, base, base)),
        nn.ConvTranspose2d(wide, narrow, KERNEL, STRIDE, PADDING, bias=False),   # 2*base x 2*base
        nn.BatchNorm2d(narrow),
        nn.ReLU(),
        nn.ConvTranspose2d(narrow, 1, KERNEL, STRIDE, PADDING),                   # image_size x image_size
        *([nn.BatchNorm2d(1)] if output_batchnorm else []),                       # the guideline: none here
        nn.Tanh(),
    )
    dcgan_init(body)
    return nn.Conditional(num_classes, embedding_dim, body) if conditional else body


#: minibatch discrimination on D's 6272 features: C numbers per kernel, and T's initial std, small enough
#: that the L1 distances between images start O(1) (exp(-distance) neither 0 nor 1)
MINIBATCH_KERNEL_DIM, MINIBATCH_INIT_STD = 5, 0.005


def discriminator_features(channels=D_CHANNELS, in_channels: int = 1, minibatch_kernels: int = 0,
                           image_size: int = IMAGE_SIZE, residual: bool = False) -> Module:
    """phi: images (m, in_channels, S, S) -> features (m, channels[1] * (S/4)^2) (6272 for 28x28).
    ``residual``: a 1x1 convolution to 32 channels and two residual blocks to ``channels``
    (:func:`residual_layers`) instead of the two strided convolutions.
    ``in_channels`` > 1 reads packed images (PacGAN: ``pack`` images stacked as channels).
    ``minibatch_kernels`` = B > 0 appends B minibatch features (``nn.MinibatchDiscrimination``,
    Salimans et al. 2016): (m, 6272 + B), each saying how close the image is to the rest of its batch."""
    narrow, wide = channels
    width = wide * (image_size // 4) ** 2
    crowding = [nn.MinibatchDiscrimination(width, minibatch_kernels, MINIBATCH_KERNEL_DIM, MINIBATCH_INIT_STD,
                                           reduction="mean")] if minibatch_kernels else []
    if residual:
        return nn.Sequential(*residual_layers((in_channels, FROM_IMAGE_CHANNELS, narrow, wide)), nn.Flatten(),
                             *crowding)
    return nn.Sequential(
        nn.Conv2d(in_channels, narrow, KERNEL, STRIDE, PADDING),    # no batch norm on D's input layer
        nn.LeakyReLU(0.2),
        nn.Conv2d(narrow, wide, KERNEL, STRIDE, PADDING, bias=False),
        nn.BatchNorm2d(wide),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
        *crowding,
    )


def residual_layers(channels) -> list:
    """StyleGAN2-ADA's residual D (Karras et al. 2020, its ``architecture="resnet"``) for channels
    (C_in, C_0, C_1, ..., C_n): a 1x1 convolution C_in -> C_0 and LeakyReLU (its "fromrgb"), then one
    block per further entry, each halving the side (28 -> 14 -> 7):

        branch: Conv 3x3 C -> C, LeakyReLU 0.2, Conv 3x3 stride 2 C -> C', LeakyReLU 0.2
        skip:   Conv 2x2 stride 2 C -> C', no bias (StyleGAN2: low-pass, subsample, 1x1 convolution)
        y = (skip(x) + branch(x)) / sqrt(2)                                        (``nn.Residual``)

    No normalisation (StyleGAN2's D has none), so the D is row-wise. StyleGAN2 blurs before each
    stride-2 step; here the 2x2 skip convolution can learn that averaging, the branch's 3x3 may learn its own."""
    layers = [nn.Conv2d(channels[0], channels[1], 1), nn.LeakyReLU(0.2)]
    for c, c_next in zip(channels[1:], channels[2:]):
        branch = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1), nn.LeakyReLU(0.2), nn.Conv2d(c, c_next, 3, 2, 1),
                               nn.LeakyReLU(0.2))
        layers.append(nn.Residual(branch, skip=nn.Conv2d(c, c_next, 2, 2, bias=False), scale=0.5 ** 0.5))
    return layers


def discriminator(conditional: bool = False, *, channels=D_CHANNELS, image_size: int = IMAGE_SIZE,
                  num_classes: int = NUM_CLASSES, pack: int = 1, minibatch_kernels: int = 0,
                  residual: bool = False) -> Module:
    """D: images (m, pack, image_size, image_size) [and labels (m,)] -> logits (m, 1).
    ``pack`` > 1 (unconditional only): one logit per packed row of ``pack`` images (``GAN(pack=)``).
    ``minibatch_kernels``, ``residual``: see :func:`discriminator_features`.

    Conditional: a :class:`ProjectionDiscriminator`; its embedding starts N(0, 0.02) like the
    head's weight it is added to, so the label's term starts as small as the head's."""
    base = _check_image_size(image_size)
    features = discriminator_features(channels, pack, minibatch_kernels, image_size, residual)
    width = channels[1] * base * base + minibatch_kernels
    if not conditional:
        return dcgan_init(nn.Sequential(*features.layers, nn.Linear(width, 1)))
    D = dcgan_init(ProjectionDiscriminator(features, width, num_classes))
    D.embedding.weight.data[...] = backend.rng().normal(D.embedding.weight.shape) * INIT_STD
    return D


class Experiment(ImageExperiment):
    """DCGAN for ``image_loop.train``: images as (1, 28, 28) maps in [-1, 1]."""

    name = "dcgan"
    Settings = Settings
    noise_dim = NOISE_DIM
    noise = "normal"
    output = "tanh"
    image_shape = (1, IMAGE_SIZE, IMAGE_SIZE)

    def build_generator(self):
        return generator(self.conditional, output_batchnorm=self.settings.output_batchnorm)

    def build_gan(self, images) -> GAN:
        """Seed the backend, build G and D, one Adam each (lr 2e-4, betas (0.5, 0.999)), and the GAN
        (logits with the fused BCE, z ~ N(0, I)). D has batch norm, so its two passes stay separate."""
        s = self.settings
        backend.seed(s.seed)
        G, D = self.build_generator(), discriminator(self.conditional, pack=s.pack, minibatch_kernels=s.minibatch_kernels,
                                                        residual=s.discriminator == "residual")
        betas = (s.beta1, BETAS[1])
        return GAN(G, D, Adam(G.parameters(), lr=s.lr_g, betas=betas), Adam(D.parameters(), lr=s.lr_d, betas=betas),
                   NOISE_DIM, k=s.k, noise="normal", num_classes=NUM_CLASSES if self.conditional else None,
                   logits=True, log_every=20, pack=s.pack, ema_decay=s.ema_decay)
