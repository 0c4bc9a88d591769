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

import math

import numpy

from .. import backend, nn
from ..metrics import PARZEN_SIGMAS

# -- data (mnist.yaml) -------------------------------------------------------------------------
TRAIN_RANGE = (0, 50_000)            # dataset: MNIST {which_set: 'train', start: 0, stop: 50000}
VALIDATION_RANGE = (50_000, 60_000)  # monitoring_dataset 'valid': MNIST {which_set: 'train', start: 50000, stop: 60000}
# Pixels in [0, 1] (pylearn2 reads MNIST as float32 / 255; init_sigmoid_bias_from_array checks min 0, max 1).

# -- generator (mnist.yaml: generator) ---------------------------------------------------------
NOISE_DIM = 100                      # generator.mlp.nvis: 100
NOISE_BOUND = math.sqrt(3.0)         # generator.noise: "uniform" -> Generator.get_noise: U(-sqrt(3), sqrt(3)), variance 1
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
    """The generator's input: m rows of 100 values uniform in [-sqrt(3), sqrt(3)) (mean 0, variance 1)."""
    return backend.rng().uniform(-NOISE_BOUND, NOISE_BOUND, (m, NOISE_DIM))


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
