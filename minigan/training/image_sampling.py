"""Sampling from a trained image generator, and saving or rebuilding it.

Every MNIST experiment (``minigan/experiments/``) trains a generator that maps noise
z (m, noise_dim) [and labels (m,)] to images: flat (m, 784) or (m, 1, 28, 28), ending
in tanh ([-1, 1]) or sigmoid ([0, 1]). The functions here turn any of them into host
float32 images (m, 784) in [0, 1], the format ``demos/evaluate_mnist.py`` reads.

A generator file (``generator.npz``) holds the weights and a config naming the
experiment and its settings, so :func:`load_generator` rebuilds the right network.
"""
from __future__ import annotations

import pathlib

import numpy

from .. import backend, nn
from ..gan.noise import draw_noise
from . import checkpoint

NUM_CLASSES = 10
OUTPUT_RANGES = ("tanh", "sigmoid")


def is_conditional(net) -> bool:
    """Whether ``net`` reads labels (an ``nn.Conditional``, or a module that says ``conditional = True``)."""
    return isinstance(net, nn.Conditional) or bool(getattr(net, "conditional", False))


def to_unit_range(images, output: str = "tanh"):
    """Generator outputs (m, ...) in G's range -> (m, 784)-shaped device images in [0, 1]."""
    if output not in OUTPUT_RANGES:
        raise ValueError(f"output must be one of {', '.join(OUTPUT_RANGES)}; got {output!r}")
    flat = images.reshape(images.shape[0], -1)
    return (flat + 1) * 0.5 if output == "tanh" else flat


def generate_images(net, z, labels=None, output: str = "tanh", batch_size: int = 1000):
    """G(z [, labels]) in evaluation mode, as host float32 (m, 784) images in [0, 1].

    z: device (m, noise_dim); labels: device int (m,) for a conditional generator;
    output: the generator's last activation ("tanh" or "sigmoid"). Runs in batches of
    ``batch_size`` to bound memory.
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
            chunks.append(backend.to_numpy(to_unit_range(out, output)).astype("float32"))
    finally:
        net.train(was_training)
    return numpy.clip(numpy.concatenate(chunks), 0.0, 1.0)


def sample_images(net, n_per_class: int = 1000, seed: int = 0, noise_dim: int = 100, *,
                  output: str = "tanh", noise: str = "normal"):
    """Samples for evaluation: n_per_class of each label (conditional; labels 0,0,...,9,9 in order)
    or 10 * n_per_class unlabelled ones. z from ``noise`` drawn by a generator seeded with ``seed``,
    so the global random stream is untouched.

    Returns (images host float32 (N, 784) in [0, 1], labels host int64 (N,) or None).
    """
    n = NUM_CLASSES * n_per_class
    z = draw_noise(backend.Random(seed), noise, (n, noise_dim))
    if not is_conditional(net):
        return generate_images(net, z, output=output), None
    labels = numpy.repeat(numpy.arange(NUM_CLASSES, dtype=numpy.int64), n_per_class)
    return generate_images(net, z, backend.asarray(labels, dtype=backend.xp.int64), output=output), labels


def label_grid_inputs(rows: int = 10, cols: int = 10, seed: int = 0, noise_dim: int = 100, noise: str = "normal"):
    """Inputs of a rows x cols grid: row r is label r, column c one fixed z_c (shared by all rows).

    Returns device z (rows*cols, noise_dim) and labels int64 (rows*cols,), row-major.
    """
    xp = backend.xp
    z = draw_noise(backend.Random(seed), noise, (cols, noise_dim))
    labels = xp.repeat(xp.arange(rows, dtype=xp.int64), cols)
    return xp.tile(z, (rows, 1)), labels


# -- generator files -------------------------------------------------------------------
def save_generator(path, experiment, generator_module, *, dtype=None, compress: bool = False, **info) -> pathlib.Path:
    """Write ``generator.npz``: the weights and the config that rebuilds them (``experiment.generator_config``).

    dtype: round the floating-point weights to it, e.g. "float16" for the shipped generators (half
    the bytes; :func:`load_generator` casts them back to the default dtype); the config says so.
    compress: deflate the file (``checkpoint.save``). Rounded weights that overflow (float16 stops
    at 65504) are refused, not saved."""
    weights = generator_module.state_dict()
    if dtype is not None:
        weights = {k: v.astype(dtype) if v.dtype.kind == "f" else v for k, v in weights.items()}
        info = {**info, "weights_dtype": numpy.dtype(dtype).name}
    config = {**experiment.generator_config(), **info}
    return checkpoint.save(path, {"generator": weights, "config": config}, check=dtype is not None,
                           compress=compress)


def load_generator(path):
    """Rebuild a trained generator from ``generator.npz`` or a training ``checkpoint.npz``
    (or a shipped float16 file: ``minigan.pretrained``; the weights load in the default dtype).

    A checkpoint of a run with ``ema_decay`` gives its weight average (``GAN.sampler``), as
    generator.npz does. Returns (generator in eval mode, config): the config has at least ``experiment``,
    ``conditional``, ``noise_dim``, ``noise``, ``output``, ``num_classes``. Its forward is
    ``G(z)`` or ``G(z, labels)``.
    """
    from ..experiments import experiment_from_config   # experiments build on this module

    state = checkpoint.load(path)
    if "gan" in state and "generator" not in state["gan"]:
        raise ValueError(f"load_generator: {path} is a checkpoint of the {state.get('experiment')!r} experiment, "
                         f"which has no one generator from noise (it holds {', '.join(sorted(state['gan'])[:6])})")
    if "gan" in state:                                   # a training checkpoint: the generator samples come from
        gan = state["gan"]
        weights = gan["generator_average"]["average"] if "generator_average" in gan else gan["generator"]
        config = {"experiment": state.get("experiment", "mnist_cgan"), "settings": state["settings"],
                  "epoch": state["epoch"]}
    elif "generator" in state and "config" in state:
        weights, config = state["generator"], state["config"]
    else:
        raise ValueError(f"load_generator: {path} holds neither a generator nor a training checkpoint "
                         f"(keys: {sorted(state)})")
    experiment = experiment_from_config(config, path)
    random_state = backend.rng().get_state()     # building draws initial weights: keep the stream as it was
    net = experiment.build_generator()
    backend.rng().set_state(random_state)
    try:
        net.load_state_dict(weights)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"load_generator: {path} does not fit the {config['experiment']} generator "
                         f"built from its settings: {exc}") from exc
    return net.eval(), {**experiment.generator_config(), **config}
