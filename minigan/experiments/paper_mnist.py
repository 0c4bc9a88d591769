"""Goodfellow et al. (2014), Table 1: the MNIST GAN of the paper, configured as its published code.

Source: github.com/goodfeli/adversarial, ``mnist.yaml`` (the release commit 600ee5cc, with
``parzen_ll.py``), ``__init__.py`` (``Generator``, ``AdversaryCost2``), and the pylearn2 classes the
yaml names. Each constant cites the yaml key (or the code) it comes from. The networks:

    G: z ~ U(-sqrt 3, sqrt 3)^100 -> Linear 1200 -> ReLU -> Linear 1200 -> ReLU -> Linear 784 -> Sigmoid
    D: x (784) -> Dropout(0.2) -> Maxout 240x5 -> Dropout(0.5) -> Maxout 240x5 -> Dropout(0.5)
       -> Linear 1 -> Sigmoid

pylearn2's dropout multiplies the kept inputs by ``input_scale`` (1.25 on the image, 2 on the
hidden layers), which is 1 / include_prob: exactly minigan's inverted ``Dropout(p = 1 - include_prob)``.
"""
from __future__ import annotations

import dataclasses
import math

import numpy

from .. import backend, nn
from ..data import mnist
from ..gan import SimultaneousGAN, draw_noise
from ..metrics import PARZEN_SIGMAS
from ..optim import SGD
from ..optim.schedules import adjusted_momentum, exponential_decay_lr
from ..training.image_experiment import ImageExperiment, check_settings

# -- data (mnist.yaml) -------------------------------------------------------------------------
TRAIN_RANGE = (0, 50_000)            # dataset: MNIST {which_set: 'train', start: 0, stop: 50000}
VALIDATION_RANGE = (50_000, 60_000)  # monitoring_dataset 'valid': MNIST {which_set: 'train', start: 50000, stop: 60000}
# Pixels in [0, 1] (pylearn2 reads MNIST as float32 / 255; init_sigmoid_bias_from_array checks min 0, max 1).

# -- generator (mnist.yaml: generator) ---------------------------------------------------------
NOISE_DIM = 100                      # generator.mlp.nvis: 100
NOISE_BOUND = math.sqrt(3.0)         # generator.noise: "uniform" -> Generator.get_noise: U(-sqrt(3), sqrt(3)), variance 1
NOISE_PRIOR = f"uniform:{NOISE_BOUND!r}"   # the same prior, as draw_noise names it
G_HIDDEN = 1200                      # h0, h1: RectifiedLinear {dim: 1200}
G_IRANGE = 0.05                      # h0, h1, y: irange: .05 (biases: pylearn2's init_bias default 0)
IMAGE_DIM = 784                      # y: Sigmoid {dim: 784, init_bias: init_sigmoid_bias_from_marginals {dataset: *train}}
MARGINAL_CLIP = 1e-7                 # pylearn2.models.dbm.init_sigmoid_bias_from_array: clip(mean, 1e-7, 1 - 1e-7)

# -- discriminator (mnist.yaml: discriminator, cost: AdversaryCost2) ---------------------------
D_UNITS = 240                        # h0, h1: Maxout {num_units: 240}
D_PIECES = 5                         # h0, h1: Maxout {num_pieces: 5}
D_IRANGE = 0.005                     # h0, h1, y: irange: .005
D_IMAGE_INCLUDE_PROB = 0.8           # discriminator_input_include_probs: {'h0': .8}   (scale 'h0': 1.25)
D_HIDDEN_INCLUDE_PROB = 0.5          # discriminator_default_input_include_prob: .5    (default scale 2.)

# -- optimisation (mnist.yaml: algorithm) ------------------------------------------------------
BATCH_SIZE = 100                     # algorithm.batch_size: 100
STEPS_PER_EPOCH = (TRAIN_RANGE[1] - TRAIN_RANGE[0]) // BATCH_SIZE   # 500
LEARNING_RATE = 0.1                  # algorithm.learning_rate: .1 (one SGD, one rate, for G and D together)
LR_DECAY_FACTOR = 1.000004           # update_callbacks: ExponentialDecay {decay_factor: 1.000004}
MIN_LR = 1e-6                        # update_callbacks: ExponentialDecay {min_lr: .000001}
INIT_MOMENTUM = 0.5                  # learning_rule: Momentum {init_momentum: .5}
FINAL_MOMENTUM = 0.7                 # extensions: MomentumAdjustor {final_momentum: .7}
MOMENTUM_START = 1                   # extensions: MomentumAdjustor {start: 1}
MOMENTUM_SATURATE = 250              # extensions: MomentumAdjustor {saturate: 250}
SGD_RULE = "pylearn2"                # learning_rule: Momentum: v <- m v - lr g; θ <- θ + v (optim.SGD(rule=...))
# No termination_criterion (it is commented out in mnist.yaml): the original ran until stopped.

# -- evaluation (parzen_ll.py defaults) --------------------------------------------------------
PARZEN_NUM_SAMPLES = 10_000          # parzen_ll.py -n/--num_samples 10000
PARZEN_VALIDATION_RANGE = (50_000, 51_000)   # get_valid: MNIST('train', 50000, 60000).X[:limit_size=1000]
PARZEN_SIGMA_GRID = PARZEN_SIGMAS    # numpy.logspace(--sigma_start -1, --sigma_end 0, num=--cross_val 10)


def noise(m: int):
    """The generator's input: m rows of 100 values uniform in [-sqrt(3), sqrt(3)) (mean 0, variance 1),
    from the global random stream (``draw_noise`` with ``NOISE_PRIOR``)."""
    return draw_noise(backend.rng(), NOISE_PRIOR, (m, NOISE_DIM))


def _linear(in_features: int, out_features: int, irange: float) -> nn.Linear:
    """A Linear layer initialised as pylearn2's ``irange``: weight uniform in ±irange, bias 0."""
    layer = nn.Linear(in_features, out_features)
    layer.weight.data[...] = backend.rng().uniform(-irange, irange, layer.weight.shape, layer.weight.data.dtype)
    layer.bias.data[...] = 0
    return layer


def output_bias_from_marginals(images) -> numpy.ndarray:
    """The generator's output bias b with sigmoid(b) = the mean of each pixel over ``images``.

    pylearn2's ``init_sigmoid_bias_from_marginals``: b = logit(clip(mean, 1e-7, 1 - 1e-7)), so a
    pixel that is 0 in every image gets b = logit(1e-7) = -16.1 instead of -inf.
    Shapes: images (n, 784) (or (n, 28, 28)) in [0, 1], host or backend; returns (784,) float64 on the host.
    """
    x = backend.to_numpy(images).astype(numpy.float64)
    x = x.reshape(len(x), -1) if x.ndim >= 2 else x
    if x.ndim != 2 or x.shape[1] != IMAGE_DIM or len(x) == 0:
        raise ValueError(f"output_bias_from_marginals: images must be (n, {IMAGE_DIM}) or (n, 28, 28) with n >= 1; "
                         f"got shape {tuple(backend.to_numpy(images).shape)}")
    if x.min() < 0 or x.max() > 1:
        raise ValueError(f"output_bias_from_marginals: pixels must lie in [0, 1]; got range [{x.min()}, {x.max()}]")
    mean = numpy.clip(x.mean(axis=0), MARGINAL_CLIP, 1 - MARGINAL_CLIP)
    return numpy.log(mean) - numpy.log1p(-mean)


def generator(output_bias=None) -> nn.Sequential:
    """G: 100 -> 1200 -> ReLU -> 1200 -> ReLU -> 784 -> Sigmoid, weights uniform in ±0.05, biases 0.

    output_bias: the (784,) bias of the last Linear, e.g. ``output_bias_from_marginals(train_images)``
    (what mnist.yaml does); None leaves it 0. Parameters: 2,503,984 (see ``test_paper_mnist.py``).
    """
    out = _linear(G_HIDDEN, IMAGE_DIM, G_IRANGE)
    if output_bias is not None:
        b = backend.asarray(backend.to_numpy(output_bias), dtype=out.bias.data.dtype)
        if b.shape != out.bias.shape:
            raise ValueError(f"generator: output_bias must have shape {out.bias.shape}; got {tuple(b.shape)}")
        out.bias.data[...] = b
    return nn.Sequential(_linear(NOISE_DIM, G_HIDDEN, G_IRANGE), nn.ReLU(),
                         _linear(G_HIDDEN, G_HIDDEN, G_IRANGE), nn.ReLU(),
                         out, nn.Sigmoid())


def discriminator(logits: bool = False) -> nn.Sequential:
    """D: 784 -> Dropout(0.2) -> Maxout(240 x 5) -> Dropout(0.5) -> Maxout(240 x 5) -> Dropout(0.5) -> 1 -> Sigmoid.

    Weights uniform in ±0.005, biases 0. pylearn2 drops the input of every D layer
    (``MLP.dropout_fprop``), the output layer's included. logits=True leaves out the final
    Sigmoid, for ``BCEWithLogitsLoss``: pylearn2's ``Sigmoid.cost`` is computed from the
    pre-sigmoid value (softplus), which is what the fused loss does. Parameters: 1,231,441.
    """
    layers = [nn.Dropout(1 - D_IMAGE_INCLUDE_PROB), nn.Maxout(IMAGE_DIM, D_UNITS, D_PIECES, irange=D_IRANGE),
              nn.Dropout(1 - D_HIDDEN_INCLUDE_PROB), nn.Maxout(D_UNITS, D_UNITS, D_PIECES, irange=D_IRANGE),
              nn.Dropout(1 - D_HIDDEN_INCLUDE_PROB), _linear(D_UNITS, 1, D_IRANGE)]
    return nn.Sequential(*layers) if logits else nn.Sequential(*layers, nn.Sigmoid())


# -- the recipe, for image_loop.train ------------------------------------------------------
@dataclasses.dataclass
class Settings:
    """Everything that defines a run (``epochs`` may change on resume; the rest must not).

    The original has no termination criterion: ``epochs`` is where we choose to stop."""

    epochs: int = 159           # the run reported in docs/results.md (172.7 ± 1.4 nats); the original never stops
    batch_size: int = BATCH_SIZE
    k: int = 1                   # the paper's code has no k: both players step together (SimultaneousGAN)
    seed: int = 0
    conditional: bool = False
    limit: int | None = None     # train on the first `limit` of the 50,000 training images (quick checks)

    def __post_init__(self):
        check_settings(self, positive_ints=("epochs", "batch_size"), positive_floats=())
        if self.k != 1 or self.conditional:
            raise ValueError("paper_mnist.Settings: the paper's GAN is unconditional and steps both players "
                             f"together (k=1, conditional=False); got k={self.k!r}, conditional={self.conditional!r}")


def learning_rate(step: int) -> float:
    """The learning rate of SGD step ``step`` (0-based over the whole run): 0.1 / 1.000004^step, >= 1e-6."""
    return exponential_decay_lr(step, LEARNING_RATE, LR_DECAY_FACTOR, MIN_LR)


def momentum(epoch: int) -> float:
    """The momentum during epoch ``epoch`` (0-based): 0.5 -> 0.7 linearly, e / 249 of the way, then 0.7."""
    return adjusted_momentum(epoch, INIT_MOMENTUM, FINAL_MOMENTUM, MOMENTUM_START, MOMENTUM_SATURATE)


class Experiment(ImageExperiment):
    """Goodfellow et al. (2014)'s MNIST GAN as its code trains it, for ``image_loop.train``.

    One SGD step moves G and D together (``SimultaneousGAN``, not Algorithm 1's alternation);
    ``before_iteration`` sets the step's learning rate and momentum on both optimizers.
    """

    name = "paper_mnist"
    Settings = Settings
    noise_dim = NOISE_DIM
    noise = NOISE_PRIOR
    output = "sigmoid"

    def training_data(self, folder):
        """Training images 0-49,999 (pixels in [0, 1]) and their labels, or the first ``limit`` of them."""
        return self.training_split(*mnist.load_mnist(folder, "train"))

    def training_split(self, images, labels=None):
        """Rows 0-49,999 of the 60,000-image training file (the first ``limit`` of them): (images, labels)."""
        start = TRAIN_RANGE[0]
        stop = TRAIN_RANGE[1] if self.settings.limit is None else min(start + self.settings.limit, TRAIN_RANGE[1])
        return images[start:stop], None if labels is None else labels[start:stop]

    @staticmethod
    def validation_split(images):
        """Rows 50,000-59,999 of the training file: the validation images (10000, 784) in [0, 1]."""
        if len(images) < VALIDATION_RANGE[1]:
            raise ValueError(f"paper_mnist: the training file must hold {VALIDATION_RANGE[1]:,} images; "
                             f"got {len(images):,}")
        return images[VALIDATION_RANGE[0]:VALIDATION_RANGE[1]]

    def build_generator(self):
        return generator()

    def build_gan(self, images) -> SimultaneousGAN:
        """Seed the backend, build G (output bias from ``images``' pixel means) and D (logits),
        one pylearn2-rule SGD each, and the simultaneous GAN."""
        backend.seed(self.settings.seed)
        G = generator(output_bias_from_marginals(images))
        D = discriminator(logits=True)
        optimizers = [SGD(net.parameters(), lr=learning_rate(0), momentum=momentum(0), rule=SGD_RULE)
                      for net in (G, D)]
        return SimultaneousGAN(G, D, *optimizers, NOISE_DIM, noise=NOISE_PRIOR, logits=True, log_every=20)

    def before_iteration(self, gan, iteration: int, epoch: int) -> None:
        """Both optimizers get step ``iteration``'s learning rate and epoch ``epoch``'s momentum."""
        lr, mu = learning_rate(iteration), momentum(epoch)
        for optimizer in (gan.g_optimizer, gan.d_optimizer):
            optimizer.lr, optimizer.momentum = lr, mu


# -- evaluation: parzen_ll.py's protocol -------------------------------------------------------
def parzen_table1(samples, validation, test, sigmas=PARZEN_SIGMA_GRID, progress=None) -> dict:
    """Table 1's number for a set of Parzen centres, as ``parzen_ll.py`` computes it.

    sigma = the grid point with the best mean log-likelihood of ``validation`` (the original:
    training images 50,000-50,999), then the mean log-likelihood of ``test`` (the 10,000 test
    images) and its standard error std / sqrt(n). Shapes: samples (n, 784), validation (v, 784),
    test (t, 784), host or backend, in [0, 1]. ``progress(done, total)``: after each block.
    Returns {"mean", "stderr", "sigma", "validation": [{"sigma", "mean", "stderr"}, ...],
    "centres", "test_images"} (nats per image).
    """
    from ..metrics import parzen_log_likelihood, parzen_select_sigma
    sigma, table = parzen_select_sigma(samples, validation, sigmas, progress=progress)
    mean_ll, stderr = parzen_log_likelihood(samples, test, sigma, progress=progress)
    return {"mean": mean_ll, "stderr": stderr, "sigma": sigma, "validation": table,
            "centres": int(len(samples)), "test_images": int(len(test))}


def nearest_images(queries, images, batch_size: int = 10_000):
    """Index of the nearest of ``images`` (N, d) to each query (q, d) in Euclidean distance, (q,) ints.

    Figure 2's rightmost column: the training image nearest to a sample, which shows the
    sample is not a copy. Host float64, by blocks: ||q - y||^2 = ||q||^2 - 2 q.y + ||y||^2, whose
    ||q||^2 is the same for every candidate y and is left out of the comparison."""
    q = backend.to_numpy(queries).astype(numpy.float64)
    best, best_d = numpy.zeros(len(q), dtype=numpy.int64), numpy.full(len(q), numpy.inf)
    for start in range(0, len(images), batch_size):
        block = numpy.asarray(images[start:start + batch_size], dtype=numpy.float64)
        d2 = (block * block).sum(axis=1)[None, :] - 2.0 * (q @ block.T)
        j = d2.argmin(axis=1)
        better = d2[numpy.arange(len(q)), j] < best_d
        best[better], best_d[better] = start + j[better], d2[numpy.arange(len(q)), j][better]
    return best
