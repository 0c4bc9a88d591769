"""Layers with hand-written backward passes (``torch.nn`` vocabulary, no autograd).

| layer | forward | file |
| --- | --- | --- |
| Linear | x @ W + b | linear.py |
| Maxout | max over pieces of x @ W + b | maxout.py |
| ReLU, LeakyReLU, Tanh, Sigmoid | elementwise | activations.py |
| Dropout | inverted dropout | dropout.py |
| Embedding, LabelConcat | W[labels], [x, W[labels]] | embedding.py |
| Sequential, Conditional | chains | sequential.py |
| mlp | Linear/LeakyReLU stack | mlp.py |
| Rescale | fixed x * scale + shift | rescale.py |
| MinibatchDiscrimination | Salimans et al. 2016 | minibatch_discrimination.py |
| Conv2d, ConvTranspose2d | im2col + GEMM, and its adjoint | conv.py |
| BatchNorm1d, BatchNorm2d | per-channel batch normalisation | batchnorm.py |
| InstanceNorm2d | per-image, per-channel normalisation | instance_norm.py |
| ReflectionPad2d | mirror the border of images | padding.py |
| Residual, ResidualBlock | x + f(x); CycleGAN's block | residual.py |
| Flatten, Unflatten | reshapes | reshape.py |
"""
from .activations import LeakyReLU, ReLU, Sigmoid, Tanh, sigmoid
from .batchnorm import BatchNorm1d, BatchNorm2d
from .conv import Conv2d, ConvTranspose2d
from .dropout import Dropout
from .embedding import Embedding, LabelConcat
from .instance_norm import InstanceNorm2d
from .linear import Linear
from .maxout import Maxout
from .mlp import mlp
from .minibatch_discrimination import MinibatchDiscrimination
from .module import Module, Parameter
from .padding import ReflectionPad2d
from .rescale import Rescale
from .reshape import Flatten, Unflatten
from .residual import Residual, ResidualBlock
from .sequential import Conditional, Sequential

__all__ = [
    "Module", "Parameter", "Linear", "Maxout", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "sigmoid",
    "Dropout", "Embedding", "LabelConcat", "Sequential", "Conditional", "mlp", "Rescale", "MinibatchDiscrimination",
    "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d", "Flatten", "Unflatten",
    "InstanceNorm2d", "ReflectionPad2d", "Residual", "ResidualBlock",
]
