"""The MNIST models: the conditional GAN of the classic PyTorch tutorial, layer for layer.

Discriminator  D(x, y): [x (784), embed(y) (10)] -> 1024 -> 512 -> 256 -> 1, LeakyReLU(0.2),
               Dropout(0.3) after each hidden layer, Sigmoid at the end: the probability that
               x is a real image of digit y.
Generator      G(z, y): [z (100), embed(y) (10)] -> 256 -> 512 -> 1024 -> 784, LeakyReLU(0.2),
               Tanh at the end: an image in [-1, 1].

Each network has its own label embedding (10 labels x 10 numbers), concatenated
to its input (``nn.Conditional``). ``conditional=False`` drops the embedding
(input 784 for D, 100 for G). The hidden sizes and the image size can be
shrunk for gradient checks; the defaults are the tutorial's.
"""
from __future__ import annotations

import pathlib

import numpy

from . import backend, checkpoint, nn
from .data.mnist import from_tanh_range

NOISE_DIM = 100
NUM_CLASSES = 10
EMBEDDING_DIM = 10
IMAGE_SIZE = 28 * 28
D_HIDDEN = (1024, 512, 256)
G_HIDDEN = (256, 512, 1024)


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


def generator(conditional: bool = True, *, noise_dim: int = NOISE_DIM, hidden=G_HIDDEN,
              image_size: int = IMAGE_SIZE, num_classes: int = NUM_CLASSES, embedding_dim: int = EMBEDDING_DIM):
    """G: noise (m, noise_dim) [and labels (m,)] -> images (m, image_size) in [-1, 1]."""
    layers, width = [], noise_dim + (embedding_dim if conditional else 0)
    for size in hidden:
        layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
        width = size
    body = nn.Sequential(*layers, nn.Linear(width, image_size), nn.Tanh())
    return _maybe_conditional(body, conditional, num_classes, embedding_dim)


def save_generator(path, generator_module, conditional: bool, **info) -> pathlib.Path:
    """Write a generator checkpoint: its weights and the settings needed to rebuild it."""
    config = {"conditional": conditional, "noise_dim": NOISE_DIM, "num_classes": NUM_CLASSES,
              "image_shape": [28, 28], **info}
    return checkpoint.save(path, {"generator": generator_module.state_dict(), "config": config})


def load_generator(path):
    """Rebuild the trained generator from ``generator.npz`` or a training ``checkpoint.npz``.

    Returns (generator in eval mode, config dict with at least ``conditional``,
    ``noise_dim``, ``num_classes``). Its forward is ``G(z)`` or ``G(z, labels)``.
    """
    state = checkpoint.load(path)
    if "gan" in state:                                   # a training checkpoint
        weights, settings = state["gan"]["generator"], state["settings"]
        config = {"conditional": settings["conditional"], "noise_dim": NOISE_DIM,
                  "num_classes": NUM_CLASSES, "image_shape": [28, 28], "epoch": state["epoch"]}
    elif "generator" in state:
        weights, config = state["generator"], state["config"]
    else:
        raise ValueError(f"load_generator: {path} holds neither a generator nor a training checkpoint "
                         f"(keys: {sorted(state)})")
    random_state = backend.rng().get_state()     # building draws initial weights: keep the stream as it was
    net = generator(bool(config["conditional"]), noise_dim=int(config["noise_dim"]))
    backend.rng().set_state(random_state)
    net.load_state_dict(weights)
    return net.eval(), config


# -- sampling from a trained generator -------------------------------------------------
def is_conditional(net) -> bool:
    """Whether ``net`` reads labels (an ``nn.Conditional``)."""
    return isinstance(net, nn.Conditional)


def generate_images(net, z, labels=None, batch_size: int = 1000):
    """G(z [, labels]) in evaluation mode, as host float32 (m, 784) images in [0, 1].

    z: device (m, noise_dim); labels: device int (m,) for a conditional generator.
    Runs in batches of ``batch_size`` to bound memory.
    """
    if is_conditional(net) != (labels is not None):
        raise ValueError(f"generate_images: labels must be given exactly for a conditional generator; "
                         f"conditional={is_conditional(net)}, labels {'given' if labels is not None else 'missing'}")
    was_training, chunks = net.training, []
    net.eval()
    try:
        for start in range(0, z.shape[0], batch_size):
            zs = z[start:start + batch_size]
            out = net(zs) if labels is None else net(zs, labels[start:start + batch_size])
            chunks.append(backend.to_numpy(from_tanh_range(out)).astype("float32"))
    finally:
        net.train(was_training)
    return numpy.concatenate(chunks)


def sample_images(net, n_per_class: int = 1000, seed: int = 0, noise_dim: int = NOISE_DIM):
    """Samples for evaluation: n_per_class of each label (conditional; labels 0,0,...,9,9 in order)
    or 10 * n_per_class unlabelled ones. z ~ N(0, I) from a generator seeded with ``seed``,
    so the global random stream is untouched.

    Returns (images host float32 (N, 784) in [0, 1], labels host int64 (N,) or None).
    """
    n = NUM_CLASSES * n_per_class
    z = backend.Random(seed).normal((n, noise_dim))
    if not is_conditional(net):
        return generate_images(net, z), None
    labels = numpy.repeat(numpy.arange(NUM_CLASSES, dtype=numpy.int64), n_per_class)
    return generate_images(net, z, backend.asarray(labels, dtype=backend.xp.int64)), labels


def label_grid_inputs(rows: int = 10, cols: int = 10, seed: int = 0, noise_dim: int = NOISE_DIM):
    """Inputs of a rows x cols grid: row r is label r, column c one fixed z_c (shared by all rows).

    Returns device z (rows*cols, noise_dim) and labels int64 (rows*cols,), row-major.
    """
    xp = backend.xp
    z = backend.Random(seed).normal((cols, noise_dim))
    labels = xp.repeat(xp.arange(rows, dtype=xp.int64), cols)
    return xp.tile(z, (rows, 1)), labels
