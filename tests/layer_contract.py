"""Checks of the forward/backward contract that every layer's tests share."""
import re

import pytest

from minigan import backend


def check_backward_guards(layer, x):
    """backward before forward is a RuntimeError naming the layer; after forward(x), a dL/dy that lacks
    the output's last axis is a ValueError naming the layer and the output's shape."""
    name = type(layer).__name__
    with pytest.raises(RuntimeError, match=re.escape(f"{name}.backward was called before forward")):
        layer.backward(backend.xp.zeros(x.shape, dtype=x.dtype))
    shape = tuple(layer(x).shape)
    with pytest.raises(ValueError, match=re.escape(f"{name}.backward: grad_output must have the output's shape "
                                                   f"{shape}; got {shape[:-1]}")):
        layer.backward(backend.xp.zeros(shape[:-1], dtype=x.dtype))
