"""A chain of modules, and a conditional network built on one."""
from __future__ import annotations

from .embedding import LabelConcat
from .module import Module


class Sequential(Module):
    """y = f_n(... f_2(f_1(x))). backward runs the chain in reverse:
    dL/dx = f_1'^T(... f_n'^T(dL/dy))."""

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} must be a Module; got {type(m).__name__}")
        self.layers = list(modules)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_output):
        for layer in reversed(self.layers):
            grad_output = layer.backward(grad_output)
        return grad_output

    def __getitem__(self, i):
        return self.layers[i]

    def __len__(self):
        return len(self.layers)


class Conditional(Module):
    """A network that also reads a class label: ``body([x, embed(labels)])``.

    This is the conditional GAN's generator and discriminator: the label's
    embedding (``num_classes`` x ``embedding_dim``) is concatenated to the input,
    so ``body``'s first layer takes ``F + embedding_dim`` features.
    """

    def __init__(self, num_classes: int, embedding_dim: int, body: Module):
        self.label_concat = LabelConcat(num_classes, embedding_dim)
        self.body = body
        self.num_classes = num_classes

    def forward(self, x, labels):
        return self.body(self.label_concat(x, labels))

    def backward(self, grad_output):
        return self.label_concat.backward(self.body.backward(grad_output))
