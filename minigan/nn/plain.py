"""``plain_copy``: the same network, computed by the plain versions of its layers."""
from __future__ import annotations

import copy

from .activations import LeakyReLU, PlainLeakyReLU
from .batchnorm import BatchNorm1d, BatchNorm2d, PlainBatchNorm1d, PlainBatchNorm2d
from .conv import Conv2d, ConvTranspose2d, PlainConv2d, PlainConvTranspose2d
from .module import Module, PlainParameter

#: each fast layer's plain version (its base class: the same attributes, other methods)
PLAIN_VERSION = {Conv2d: PlainConv2d, ConvTranspose2d: PlainConvTranspose2d, BatchNorm1d: PlainBatchNorm1d,
                 BatchNorm2d: PlainBatchNorm2d, LeakyReLU: PlainLeakyReLU}


def plain_copy(module: Module) -> Module:
    """A deep copy of ``module`` in which every layer with a plain version is that plain version and
    every parameter a ``PlainParameter``: the same parameters, running statistics and mode, computed
    the way the docs derive it (slower). The copy starts with zero gradients and no cached forward."""
    net = copy.deepcopy(module)
    for m in net.modules():
        if type(m) in PLAIN_VERSION:
            m.__class__ = PLAIN_VERSION[type(m)]     # a fast layer holds what its plain base class holds
            m._cache = None                          # (the two cache different things)
        for key, value in list(vars(m).items()):
            if isinstance(value, PlainParameter):
                plain = PlainParameter(value.data)
                plain.requires_grad = value.requires_grad
                setattr(m, key, plain)
    return net
