"""Reflection padding, the border CycleGAN's ResNet generator gives its 3x3 convolutions.

Zero padding surrounds an image with a black frame the next convolution can see (and a generator
learns to draw artefacts along it); reflection padding mirrors the image across its edge instead,
the edge pixel itself not repeated. For one row [a b c d] and padding 2:

    c b | a b c d | c b

forward copies by slicing; backward adds each border pixel's gradient back onto the pixel it copied.
"""
from __future__ import annotations

from .. import backend
from .images import check_images, empty_in_memory_order_of
from .module import Module, check_forward_called, check_grad_output
from ..checks import is_int


def _along(axis: int, index) -> tuple:
    """An index of a 4-D array that applies ``index`` on ``axis`` only."""
    return (slice(None),) * axis + (index,)


def reflect_into(out, axis: int, before: int, after: int):
    """Fill the ``before`` and ``after`` borders of ``out`` along ``axis`` with the mirror images of its
    interior (out[before : len - after] along that axis), in place: border entry before - k (k >= 1)
    copies interior entry before + k, and entry len - after - 1 + k copies len - after - 1 - k."""
    xp = backend.xp
    end = out.shape[axis] - after                                      # one past the interior
    if before:
        out[_along(axis, slice(0, before))] = xp.flip(out[_along(axis, slice(before + 1, 2 * before + 1))], axis)
    if after:
        out[_along(axis, slice(end, end + after))] = xp.flip(out[_along(axis, slice(end - 1 - after, end - 1))], axis)


def fold_reflection(g, axis: int, before: int, after: int):
    """``reflect_into``'s adjoint: the interior of g along ``axis`` (a new array in g's memory order),
    with each border entry's gradient added onto the interior entry it copied."""
    xp = backend.xp
    end = g.shape[axis] - after
    inner = end - before
    dx = xp.copy(g[_along(axis, slice(before, end))], order="K")     # (a copy in g's memory order)
    if before:
        dx[_along(axis, slice(1, before + 1))] += xp.flip(g[_along(axis, slice(0, before))], axis)
    if after:
        dx[_along(axis, slice(inner - 1 - after, inner - 1))] += xp.flip(g[_along(axis, slice(end, None))], axis)
    return dx


class ReflectionPad2d(Module):
    """Pad (N, C, H, W) images by reflection, as ``torch.nn.ReflectionPad2d``.

    padding: an int (all four sides) or (left, right, top, bottom), as PyTorch. The output is
    (N, C, top + H + bottom, left + W + right), in the input's memory order; any strides are accepted.
    Each padding must be smaller than the side it mirrors (left, right < W; top, bottom < H): the
    mirror image of an edge pixel is taken from its neighbours, not from the edge itself.
    """

    rowwise = True

    def __init__(self, padding):
        sides = (padding,) * 4 if is_int(padding) else padding
        if not isinstance(sides, (tuple, list)) or len(sides) != 4 or any(not is_int(p) or p < 0 for p in sides):
            raise ValueError(f"ReflectionPad2d: padding must be an integer >= 0 or a 4-tuple of them "
                             f"(left, right, top, bottom); got {padding!r}")
        self.padding = tuple(sides)
        self._input_shape = None

    def _check_input(self, x):
        shape = check_images(self, x)
        left, right, top, bottom = self.padding
        for sides, axis, pads, size in (("left, right", "width", (left, right), shape[3]),
                                        ("top, bottom", "height", (top, bottom), shape[2])):
            if max(pads) >= size:
                raise ValueError(f"ReflectionPad2d: padding ({sides}) = {pads} must be smaller than the input "
                                 f"{axis} {size} (the edge is not repeated); got input shape {shape}")

    def forward(self, x):
        """x (N, C, H, W) -> (N, C, top + H + bottom, left + W + right): x in the middle, the borders
        its mirror images (rows first mirrored across the left/right edges, then all columns across
        the top/bottom edges, which fills the corners by reflecting along both axes)."""
        self._check_input(x)
        left, right, top, bottom = self.padding
        n, c, h, w = x.shape
        out = empty_in_memory_order_of(x, (n, c, top + h + bottom, left + w + right))
        out[:, :, top:top + h, left:left + w] = x
        reflect_into(out[:, :, top:top + h], 3, left, right)
        reflect_into(out, 2, top, bottom)
        self._input_shape = (n, c, h, w)
        return out

    def backward(self, grad_output):
        """Given g = dL/dy (N, C, top + H + bottom, left + W + right): dL/dx (N, C, H, W) is g's middle
        plus the gradient of every border pixel added onto the pixel of x it is a copy of: first the
        top/bottom rows folded onto the rows they mirror, then the left/right columns (the adjoint of
        forward's two copies, in the reverse order; a corner reaches x through both folds)."""
        check_forward_called(self, self._input_shape)
        left, right, top, bottom = self.padding
        n, c, h, w = self._input_shape
        check_grad_output(self, grad_output, (n, c, top + h + bottom, left + w + right))
        return fold_reflection(fold_reflection(grad_output, 2, top, bottom), 3, left, right)

    def extra_repr(self):
        return f"{self.padding}"
