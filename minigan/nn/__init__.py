"""Layers with hand-written backward passes (``torch.nn`` vocabulary, no autograd).

| layer | forward | file |
| --- | --- | --- |
| Linear | x @ W + b | linear.py |
| ReLU, LeakyReLU, Tanh, Sigmoid | elementwise | activations.py |
| Dropout | inverted dropout | dropout.py |
| Embedding, LabelConcat | W[labels], [x, W[labels]] | embedding.py |
| Sequential, Conditional | chains | sequential.py |
| mlp | Linear/LeakyReLU stack | mlp.py |
| Rescale | fixed x * scale + shift | rescale.py |
| MinibatchDiscrimination | Salimans et al. 2016 | minibatch_discrimination.py |
"""
from .activations import LeakyReLU, ReLU, Sigmoid, Tanh, sigmoid
from .dropout import Dropout
from .embedding import Embedding, LabelConcat
from .linear import Linear
from .mlp import mlp
from .minibatch_discrimination import MinibatchDiscrimination
from .module import Module, Parameter
from .rescale import Rescale
from .sequential import Conditional, Sequential

__all__ = [
    "Module", "Parameter", "Linear", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "sigmoid",
    "Dropout", "Embedding", "LabelConcat", "Sequential", "Conditional", "mlp", "Rescale", "MinibatchDiscrimination",
]
