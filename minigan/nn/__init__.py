"""Layers with hand-written backward passes (``torch.nn`` vocabulary, no autograd).

| layer | forward | plain version | file |
| --- | --- | --- | --- |
| Linear | x @ W + b |  | linear.py |
| Maxout | max over pieces of x @ W + b |  | maxout.py |
| ReLU, LeakyReLU, Tanh, Sigmoid | elementwise | PlainLeakyReLU (``xp.where``) | activations.py |
| Dropout | inverted dropout |  | dropout.py |
| Embedding, LabelConcat | W[labels], [x, W[labels]] |  | embedding.py |
| Sequential, Conditional | chains |  | sequential.py |
| mlp | Linear/LeakyReLU stack |  | mlp.py |
| Rescale | fixed x * scale + shift |  | rescale.py |
| MinibatchDiscrimination | Salimans et al. 2016 |  | minibatch_discrimination.py |
| Conv2d, ConvTranspose2d | im2col + GEMM, and its adjoint | PlainConv2d, PlainConvTranspose2d (NCHW, loops over kernel offsets) | conv.py (fast kernels: conv_fast.py) |
| BatchNorm1d, BatchNorm2d | per-channel batch normalisation | PlainBatchNorm1d, PlainBatchNorm2d (``x.mean``, ``x.var``, x_hat cached) | batchnorm.py |
| InstanceNorm2d | per-image, per-channel normalisation |  | instance_norm.py |
| ReflectionPad2d | mirror the border of images |  | padding.py |
| Residual, ResidualBlock | x + f(x); CycleGAN's block |  | residual.py |
| Flatten, Unflatten | reshapes |  | reshape.py |
| Parameter | an array and its gradient | PlainParameter (``clear_grad`` writes zeros) | module.py |

**Plain and fast.** Where a layer has a fast path, its plain version is the one the docs derive,
the obvious NumPy, at the top of the same file (a blank: the layer is plain already). The fast class
keeps the public name, subclasses the plain one (same arguments, parameters, layouts, ``state_dict``
keys) and computes the same numbers (tests/test_plain_vs_fast.py); docs/appendix_fast_numpy.md measures what
each fast path buys. To compute the plain way, build from the ``Plain*`` classes, or copy a network
with ``plain_copy(net)``. The plain layers compute all of dL/dx where ``input_grad`` asks for less
(``backward_to`` cuts it). Optimizers: minigan.optim's table.
"""
from .activations import LeakyReLU, PlainLeakyReLU, ReLU, Sigmoid, Tanh, sigmoid
from .batchnorm import BatchNorm1d, BatchNorm2d, PlainBatchNorm1d, PlainBatchNorm2d
from .conv import Conv2d, ConvTranspose2d, PlainConv2d, PlainConvTranspose2d
from .dropout import Dropout
from .embedding import Embedding, LabelConcat
from .instance_norm import InstanceNorm2d
from .linear import Linear
from .maxout import Maxout
from .mlp import mlp
from .minibatch_discrimination import MinibatchDiscrimination
from .module import Module, Parameter, PlainParameter
from .padding import ReflectionPad2d
from .plain import plain_copy
from .rescale import Rescale
from .reshape import Flatten, Unflatten
from .residual import Residual, ResidualBlock
from .sequential import Conditional, Sequential

__all__ = [
    "Module", "Parameter", "Linear", "Maxout", "ReLU", "LeakyReLU", "Tanh", "Sigmoid", "sigmoid",
    "Dropout", "Embedding", "LabelConcat", "Sequential", "Conditional", "mlp", "Rescale", "MinibatchDiscrimination",
    "Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d", "Flatten", "Unflatten",
    "InstanceNorm2d", "ReflectionPad2d", "Residual", "ResidualBlock",
    "PlainParameter", "PlainLeakyReLU", "PlainConv2d", "PlainConvTranspose2d", "PlainBatchNorm1d", "PlainBatchNorm2d",
    "plain_copy",
]
