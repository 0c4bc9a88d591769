"""A chain of modules, and a conditional network built on one."""
from __future__ import annotations

from .embedding import LabelConcat
from .module import Module, backward_to, check_forward_called


class Sequential(Module):
    """y = f_n(... f_2(f_1(x))). backward runs the chain in reverse:
    dL/dx = f_1'^T(... f_n'^T(dL/dy))."""

    rowwise = True
    skips_input_grad = True

    def __init__(self, *modules: Module):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: argument {i} must be a Module; got {type(m).__name__}")
        self.layers = list(modules)

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def backward(self, grad_output, input_grad=True):
        """input_grad (see ``nn.module.backward_to``) concerns only the first layer:
        every later layer's input is an earlier layer's output, whose gradient the chain needs.

        With input_grad=False, layers before the first one that has parameters (a Dropout
        on D's input, say) need no backward at all: nothing below them learns, so the chain
        stops at the first parameterised layer, which skips its own dL/dx."""
        if not self.layers:
            return backward_to(_Identity(), grad_output, input_grad)
        first = self._first_with_parameters() if input_grad is False else 0
        for layer in reversed(self.layers[first + 1:]):
            grad_output = layer.backward(grad_output)
        return backward_to(self.layers[first], grad_output, input_grad)

    def _first_with_parameters(self) -> int:
        """Index of the first layer with parameters (0 if none has any)."""
        return next((i for i, layer in enumerate(self.layers) if layer.parameters()), 0)

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

    rowwise = True
    skips_input_grad = True

    def __init__(self, num_classes: int, embedding_dim: int, body: Module):
        self.label_concat = LabelConcat(num_classes, embedding_dim)
        self.body = body
        self.num_classes = num_classes

    def forward(self, x, labels):
        return self.body(self.label_concat(x, labels))

    def backward(self, grad_output, input_grad=True):
        """dL/dx (N, F), and the embedding's gradient from the last E columns of dL/d[x, e].

        input_grad=False (x is data, as in D's own update): only those E columns are
        computed, g W[F:]^T in body's first layer, instead of all F + E."""
        if input_grad is not False:
            grad = self.label_concat.backward(self.body.backward(grad_output))
            return grad if input_grad is True else grad[:, input_grad]
        features = self.label_concat.features
        check_forward_called(self, features)
        self.label_concat.embedding.backward(backward_to(self.body, grad_output, slice(features, None)))
        return None


class _Identity(Module):
    """y = x: what an empty Sequential computes."""

    rowwise = True

    def backward(self, grad_output):
        return grad_output
