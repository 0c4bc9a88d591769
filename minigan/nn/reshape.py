"""Reshaping layers between images and vectors: no arithmetic, so backward reshapes back."""
from __future__ import annotations

import math

from .. import backend
from .conv import to_channels_first, to_channels_last
from .module import Module, check_forward_called, check_grad_output
from ..checks import is_int


class Flatten(Module):
    """(N, d_1, ..., d_k) -> (N, d_1 * ... * d_k), as ``torch.nn.Flatten()`` (axes 1 to the end,
    in C order: for (N, C, H, W) the channel varies slowest). backward: dL/dx = dL/dy reshaped to x's shape.

    A reshape is a view when the input is C-contiguous, a copy otherwise (e.g. the channels-last
    output of a Conv2d); the values are the same either way. dL/dx comes back in the input's
    memory order."""

    rowwise = True

    def __init__(self):
        self._input_shape = None

    def forward(self, x):
        if not hasattr(x, "ndim") or x.ndim < 2:
            got = tuple(x.shape) if hasattr(x, "shape") else type(x).__name__
            raise ValueError(f"Flatten: input must have a batch axis and at least one more (N, ...); got shape {got}")
        self._input_shape = tuple(x.shape)
        # images in channels-last memory (a convolution's output, see conv.py): dL/dx gets the same order
        self._channels_last = x.ndim == 4 and not x.flags.c_contiguous and to_channels_last(x).flags.c_contiguous
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_output):
        """dL/dx = dL/dy (N, prod) reshaped to (N, d_1, ..., d_k)."""
        check_forward_called(self, self._input_shape)
        n, *rest = self._input_shape
        check_grad_output(self, grad_output, (n, math.prod(rest)))
        g = grad_output.reshape(self._input_shape)
        if self._channels_last:
            # one copy into the input's memory order here, so that every layer below reads and writes
            # in order (mixed orders made their passes 2-3x slower, measured; benchmarks/RESULTS.md, the DCGAN's log 6.5)
            g = to_channels_first(backend.xp.ascontiguousarray(to_channels_last(g)))
        return g


class Unflatten(Module):
    """Axis ``dim`` of size prod(unflattened_size) -> the axes ``unflattened_size``, as
    ``torch.nn.Unflatten(dim, unflattened_size)``; e.g. Unflatten(1, (128, 7, 7)) turns a
    generator's (N, 6272) into (N, 128, 7, 7). backward: dL/dx = dL/dy reshaped to x's shape.

    ``dim`` must not be the batch axis (0), so that each sample stays its own row."""

    rowwise = True

    def __init__(self, dim: int, unflattened_size):
        if not is_int(dim) or dim == 0:
            raise ValueError(f"Unflatten: dim must be a non-zero integer (axis 0 is the batch); got {dim!r}")
        size = tuple(unflattened_size) if isinstance(unflattened_size, (tuple, list)) else None
        if not size or any(not is_int(s) or s < 1 for s in size):
            raise ValueError(f"Unflatten: unflattened_size must be a non-empty tuple of positive integers; "
                             f"got {unflattened_size!r}")
        self.dim, self.unflattened_size = dim, size
        self._shapes = None

    def output_shape(self, input_shape):
        """input_shape with axis ``dim`` replaced by ``unflattened_size``; a clear error if the sizes differ."""
        shape = tuple(input_shape)
        dim = self.dim if self.dim > 0 else len(shape) + self.dim
        if not 0 < dim < len(shape):
            raise ValueError(f"Unflatten: dim {self.dim} is not a non-batch axis of the input shape {shape}")
        if shape[dim] != math.prod(self.unflattened_size):
            raise ValueError(f"Unflatten: axis {self.dim} of the input has size {shape[dim]}, but "
                             f"unflattened_size {self.unflattened_size} holds {math.prod(self.unflattened_size)}; "
                             f"input shape {shape}")
        return shape[:dim] + self.unflattened_size + shape[dim + 1:]

    def forward(self, x):
        if not hasattr(x, "shape"):
            raise ValueError(f"Unflatten: input must be an array; got {type(x).__name__}")
        out_shape = self.output_shape(x.shape)
        self._shapes = (tuple(x.shape), out_shape)
        return x.reshape(out_shape)

    def backward(self, grad_output):
        """dL/dx = dL/dy reshaped to x's shape."""
        check_forward_called(self, self._shapes)
        input_shape, out_shape = self._shapes
        check_grad_output(self, grad_output, out_shape)
        return grad_output.reshape(input_shape)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
