"""A multilayer perceptron builder: Linear layers with LeakyReLU between them."""
from __future__ import annotations

from .activations import LeakyReLU
from .linear import Linear
from .module import Module
from .sequential import Sequential


def mlp(sizes, negative_slope: float = 0.2, output: Module | None = None) -> Sequential:
    """Linear(sizes[0], sizes[1]) LeakyReLU ... Linear(sizes[-2], sizes[-1]) [output].

    ``mlp([1, 32, 32, 1], output=Sigmoid())`` is the 1-D demo's discriminator.
    """
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"mlp: sizes needs at least an input and an output size; got {sizes}")
    layers: list = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(LeakyReLU(negative_slope))
    if output is not None:
        layers.append(output)
    return Sequential(*layers)
