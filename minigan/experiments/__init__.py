"""Experiments: recipes built on the library, one file each.

The library (``minigan.nn``, ``losses``, ``optim``, ``gan``, ``metrics``, ``data``,
``image_training``) knows nothing about any particular model. Each file here is one
experiment on MNIST: its networks, its optimizers, its settings, as an
``image_training.ImageExperiment`` subclass that the shared loop trains.

| experiment | file | what it is |
| --- | --- | --- |
| ``mnist_cgan`` | mnist_cgan.py | the classic PyTorch tutorial's MLP conditional GAN (and AC-GAN) |
| ``paper_mnist`` | paper_mnist.py | Goodfellow et al. (2014)'s MNIST GAN: Maxout D, SGD with momentum |
| ``dcgan`` | dcgan.py | DCGAN (Radford et al. 2015) sized for 28x28 |
"""
from __future__ import annotations

import dataclasses
import importlib

#: experiment name -> module (each defines ``Experiment``)
EXPERIMENTS = {"mnist_cgan": "mnist_cgan", "paper_mnist": "paper_mnist", "dcgan": "dcgan"}


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
