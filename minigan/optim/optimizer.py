"""What every optimizer shares: its parameter list, ``zero_grad``, and packing.

Packing (``pack_parameters``): the optimizer copies the parameters it is given into one
contiguous buffer (and their gradients into another), then hands each ``Parameter`` a view of
it. An update is then a handful of whole-array operations instead of a Python loop over layers;
the layers do not notice, because they update ``data`` and ``grad`` in place. ``SGD`` and
``Adam`` pack; ``PlainAdam`` does not (``packed = False``): it updates one parameter at a time.
"""
from __future__ import annotations

from .. import backend
from ..checks import check_number
from ..nn.module import Parameter, PlainParameter


def parameter_list(params) -> list:
    """``params`` as a list: not empty, every item a parameter, all of one dtype."""
    params = list(params)
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    for i, p in enumerate(params):
        if not isinstance(p, PlainParameter):           # Parameter too (a subclass)
            raise TypeError(f"optimizer: params[{i}] must be a Parameter; got {type(p).__name__}")
    dtypes = {p.data.dtype for p in params}
    if len(dtypes) != 1:
        raise TypeError(f"optimizer: all parameters must share one dtype; got {sorted(map(str, dtypes))}")
    return params


def pack_parameters(params):
    """Make ``params`` views of two flat buffers (data, grad) and return the buffers.

    Shapes: returns (data (P,), grad (P,)) with P the total number of
    elements. Values are kept. Each call makes new buffers: give a parameter to one
    optimizer only (a second one would cut the first off from it).
    """
    xp = backend.xp
    total = sum(int(p.data.size) for p in params)
    flat_data = xp.empty(total, dtype=params[0].data.dtype)
    flat_grad = xp.zeros(total, dtype=params[0].data.dtype)
    offset = 0
    for p in params:
        n, shape = int(p.data.size), p.data.shape
        flat_data[offset:offset + n] = p.data.ravel()
        flat_grad[offset:offset + n] = p.grad.ravel()
        p.data = flat_data[offset:offset + n].reshape(shape)
        p.grad = flat_grad[offset:offset + n].reshape(shape)
        offset += n
    return flat_data, flat_grad


class Optimizer:
    """Holds the parameters and the learning rate ``lr``; subclasses define ``step()``.

    ``packed = True`` (the default): the parameters become views of the flat buffers ``data`` and
    ``grad`` (``pack_parameters``), which ``step`` updates as wholes."""

    packed = True

    def __init__(self, params, lr):
        check_number("lr", lr, 0, low_open=True, owner=type(self).__name__)
        self.params = parameter_list(params)
        self.lr = lr
        if self.packed:
            self.data, self.grad = pack_parameters(self.params)
            self._lazy = [p for p in self.params if isinstance(p, Parameter)]   # lazily zeroed gradients

    def zero_grad(self) -> None:
        """Make every gradient zero (``clear_grad``: lazily for a ``Parameter``, whose next backward
        then writes its gradient instead of adding it to a buffer of zeros)."""
        for p in self.params:
            p.clear_grad()

    def flat_grad(self):
        """The flat gradient buffer (P,) of a packed optimizer, with the gradients no backward
        reached since ``zero_grad`` set to zero."""
        for p in self._lazy:
            p.materialize_grad()
        return self.grad

    def state_dict(self) -> dict:
        raise NotImplementedError

    def load_state_dict(self, state: dict) -> None:
        raise NotImplementedError

    def _check_shape(self, key, value, shape):
        if tuple(value.shape) != tuple(shape):
            raise ValueError(f"{type(self).__name__}.load_state_dict: {key!r} has shape {tuple(value.shape)}, "
                             f"the optimizer has {tuple(shape)}")

    def _load_buffer(self, buffer, value, key):
        self._check_shape(key, value, buffer.shape)
        buffer[...] = backend.xp.asarray(value, dtype=buffer.dtype)
