"""Maxout (Goodfellow et al. 2013): each unit is the max of a few linear pieces, y_j = max_p (x W + b)_{j,p}."""
from __future__ import annotations

import math

from .. import backend
from .linear import affine_backward
from .module import Module, Parameter, check_forward_called, check_grad_output, check_input
from ..checks import check_number, check_positive_int


class Maxout(Module):
    """``y[n, j] = max_p z[n, j, p]`` with ``z = x @ weight + bias`` grouped by unit.

    Shapes: x (N, in_features), weight (in_features, num_units * num_pieces),
    bias (num_units * num_pieces,), y (N, num_units).

    Layout (pylearn2's ``maxout.Maxout``): the pieces of unit j are the contiguous
    columns ``j * num_pieces + p``, p = 0..num_pieces-1, so ``z.reshape(N, num_units,
    num_pieces)`` lists each unit's pieces along the last axis. A Maxout layer is a Linear
    layer of ``num_units * num_pieces`` outputs followed by a max over each group.

    Initialisation: ``irange=None`` (default) draws weight and bias uniform in
    ±1/sqrt(in_features), as minigan's (PyTorch's) Linear; ``irange=r`` draws the weight
    uniform in ±r and sets the bias to zero, as pylearn2's ``irange`` with its default
    ``init_bias=0`` (the GAN paper's discriminator uses r = 0.005).
    """

    rowwise = True
    skips_input_grad = True

    def __init__(self, in_features: int, num_units: int, num_pieces: int, irange: float | None = None):
        for arg, value in (("in_features", in_features), ("num_units", num_units), ("num_pieces", num_pieces)):
            check_positive_int(arg, value, "Maxout")
        if irange is not None:
            check_number("irange", irange, 0, low_open=True, owner="Maxout")
        self.in_features, self.num_units, self.num_pieces = in_features, num_units, num_pieces
        self.irange = irange
        width = num_units * num_pieces
        rng = backend.rng()
        if irange is None:
            bound = 1.0 / math.sqrt(in_features)
            self.weight = Parameter(rng.uniform(-bound, bound, (in_features, width)))
            self.bias = Parameter(rng.uniform(-bound, bound, (width,)))
        else:
            self.weight = Parameter(rng.uniform(-irange, irange, (in_features, width)))
            self.bias = Parameter(backend.xp.zeros(width, dtype=self.weight.data.dtype))
        self._x = None
        self._winner = None

    def forward(self, x):
        check_input(self, x, self.in_features)
        z = x @ self.weight.data
        z += self.bias.data
        z = z.reshape(len(x), self.num_units, self.num_pieces)
        self._x = x                                   # backward needs x for dL/dW
        self._winner = z.argmax(axis=2)               # (N, units): the first maximal piece
        return z.max(axis=2)

    def backward(self, grad_output, input_grad=True):
        """Given g = dL/dy (N, units), with k(n, j) the winning piece of unit j on row n:

        dL/dz[n, j, p] = g[n, j] if p == k(n, j) else 0     (N, units, pieces), viewed (N, units*pieces)
        dL/dW = x^T dL/dz (in, units*pieces),  dL/db = sum_n dL/dz,  dL/dx = dL/dz W^T (N, in).

        The max passes its gradient to the winning piece only; on a tie the first maximal
        piece (lowest p, ``argmax``) takes all of it. input_grad as in ``Linear.backward``
        (see ``nn.module.backward_to``)."""
        check_forward_called(self, self._x)
        check_grad_output(self, grad_output, self._winner.shape)
        xp = backend.xp
        pieces = xp.arange(self.num_pieces)
        won = self._winner[:, :, None] == pieces                     # (N, units, pieces) one-hot
        grad_z = (won * grad_output[:, :, None]).astype(grad_output.dtype, copy=False)
        grad_z = grad_z.reshape(len(grad_output), self.num_units * self.num_pieces)
        return affine_backward(self.weight, self.bias, self._x, grad_z, input_grad)   # z = x W + b

    def extra_repr(self):
        init = "" if self.irange is None else f", irange={self.irange}"
        return f"in_features={self.in_features}, num_units={self.num_units}, num_pieces={self.num_pieces}{init}"
