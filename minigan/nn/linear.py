"""Fully connected layer: y = x @ W + b."""
from __future__ import annotations

import math

from .. import backend
from .module import Module, Parameter, check_forward_called, check_grad_output, check_input
from ..checks import check_positive_int


class Linear(Module):
    """``y = x @ weight + bias``.

    Shapes: x (N, in_features), weight (in_features, out_features),
    bias (out_features,), y (N, out_features). Initialised like PyTorch:
    weight and bias uniform in [-1/sqrt(in_features), 1/sqrt(in_features)].
    """

    rowwise = True
    skips_input_grad = True

    def __init__(self, in_features: int, out_features: int, bias: bool = True):
        for arg, value in (("in_features", in_features), ("out_features", out_features)):
            check_positive_int(arg, value, "Linear")
        self.in_features, self.out_features = in_features, out_features
        bound = 1.0 / math.sqrt(in_features)
        rng = backend.rng()
        self.weight = Parameter(rng.uniform(-bound, bound, (in_features, out_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, (out_features,))) if bias else None
        self._x = None

    def forward(self, x):
        check_input(self, x, self.in_features)
        self._x = x                                   # backward needs x for dL/dW
        y = x @ self.weight.data
        if self.bias is not None:
            y += self.bias.data
        return y

    def backward(self, grad_output, input_grad=True):
        """Given g = dL/dy (N, out):
        dL/dW = x^T g (in, out),  dL/db = sum_n g (out,),  dL/dx = g W^T (N, in).

        input_grad (see ``nn.module.backward_to``): False skips dL/dx (returns None);
        a slice of input columns c returns only dL/dx[:, c] = g W[c]^T."""
        check_forward_called(self, self._x)
        g = grad_output
        if getattr(g, "shape", None) != (self._x.shape[0], self.out_features):
            check_grad_output(self, g, (self._x.shape[0], self.out_features))
        return affine_backward(self.weight, self.bias, self._x, g, input_grad)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


def affine_backward(weight: Parameter, bias, x, g, input_grad=True):
    """The backward of z = x @ W + b given g = dL/dz (N, out), shared by Linear and Maxout:
    dL/dW += x^T g,  dL/db += sum_n g,  returns dL/dx = g W^T (or the columns ``input_grad``
    asks for, or None for input_grad=False). Frozen parameters get no gradient."""
    if weight.requires_grad:
        weight.accumulate_product(x.T, g)                   # dL/dW += x^T g
    if bias is not None and bias.requires_grad:
        bias.grad += g.sum(axis=0)
    if input_grad is False:
        return None
    W = weight.data if input_grad is True else weight.data[input_grad]
    if W.shape[1] == 1:
        # one output (a discriminator's logit): g W^T is an outer product, the same numbers by
        # broadcasting; OpenBLAS's GEMM with an inner dimension of 1 took 17x longer (measured)
        return g * W.T
    return g @ W.T
