"""Experiments: recipes built on the library, one file each.

The library (``minigan.nn``, ``losses``, ``optim``, ``gan``, ``metrics``, ``data``) knows nothing
about any particular model, and the harness (``minigan.training``) only how to run one. Each file
here is one recipe: its networks, its optimizers, its settings. The toy recipes train with the toy
loop (``training.toy_loop``); each MNIST recipe is a ``training.image_experiment.ImageExperiment``
subclass that the image loop trains.

| experiment | file | what it is |
| --- | --- | --- |
| | toy_1d.py | the 1-D GAN of the first demo (``demos/gaussian_1d.py``) |
| | toy_2d.py | the 2-D GANs of the ring and the grid, PacGAN's recipes (``demos/ring_2d.py``) |
| ``mnist_cgan`` | mnist_cgan.py | the classic PyTorch tutorial's MLP conditional GAN (and AC-GAN) |
| ``paper_mnist`` | paper_mnist.py | Goodfellow et al. (2014)'s MNIST GAN: Maxout D, SGD with momentum |
| ``dcgan`` | dcgan.py | DCGAN (Radford et al. 2016) sized for 28x28 |
| ``cyclegan`` | cyclegan.py | CycleGAN (Zhu et al. 2017) between two styles of digits |
"""
from __future__ import annotations

import dataclasses
import importlib

#: experiment name -> module (each defines ``Experiment``)
EXPERIMENTS = {"mnist_cgan": "mnist_cgan", "paper_mnist": "paper_mnist", "dcgan": "dcgan", "cyclegan": "cyclegan"}


def get(name: str):
    """The ``ImageExperiment`` subclass registered as ``name``."""
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}")
    return importlib.import_module(f"{__name__}.{EXPERIMENTS[name]}").Experiment


def experiment_from_config(config: dict, path=None):
    """Rebuild the experiment that wrote a generator file or checkpoint from its config.

    Files written before experiments had names hold only ``conditional``: they are the tutorial's cGAN."""
    name = config.get("experiment", "mnist_cgan")
    cls = get(name)
    saved = dict(config.get("settings") or {"conditional": bool(config.get("conditional", True))})
    fields = {f.name for f in dataclasses.fields(cls.Settings)}
    unknown = sorted(set(saved) - fields)
    if unknown:
        raise ValueError(f"{path or 'config'}: settings {unknown} are not settings of the {name!r} experiment")
    return cls(cls.Settings(**saved))
