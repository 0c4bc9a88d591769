"""Flatten and Unflatten: PyTorch's element order, backward reshapes back, clear errors."""
import re

import numpy as np
import pytest

from minigan import backend, gradcheck, nn
from minigan.nn.module import is_rowwise


def host(a):
    return backend.to_numpy(a)


def test_flatten_keeps_the_batch_axis_and_orders_the_rest_like_numpy_reshape():
    x = backend.rng().normal((2, 3, 4, 5))
    layer = nn.Flatten()
    y = layer(x)
    assert y.shape == (2, 60)
    np.testing.assert_array_equal(host(y), host(x).reshape(2, 60))      # channel slowest, as in PyTorch
    g = backend.rng().normal((2, 60))
    np.testing.assert_array_equal(host(layer.backward(g)), host(g).reshape(2, 3, 4, 5))


def test_flatten_of_a_channels_last_conv_output_is_in_nchw_order():
    conv = nn.Conv2d(2, 3, 3, padding=1)
    y = conv(backend.rng().normal((2, 2, 4, 4)))
    np.testing.assert_array_equal(host(nn.Flatten()(y)), np.ascontiguousarray(host(y)).reshape(2, -1))


def test_flatten_gives_the_gradient_the_memory_order_of_its_input():
    """Same values either way; a channels-last input gets a channels-last dL/dx (the layers below
    then read it in order), a C-ordered one a C-ordered dL/dx."""
    x = backend.rng().normal((2, 3, 4, 5))
    channels_last = backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    g = backend.rng().normal((2, 60))
    layer = nn.Flatten()
    layer(x)
    plain = layer.backward(g)
    layer(channels_last)
    reordered = layer.backward(g)
    np.testing.assert_array_equal(host(reordered), host(plain))
    assert plain.flags.c_contiguous
    assert reordered.transpose(0, 2, 3, 1).flags.c_contiguous


def test_unflatten_splits_one_axis_and_backward_joins_it_again():
    layer = nn.Unflatten(1, (3, 2, 2))
    x = backend.rng().normal((4, 12))
    y = layer(x)
    assert y.shape == (4, 3, 2, 2)
    np.testing.assert_array_equal(host(y), host(x).reshape(4, 3, 2, 2))
    assert layer.backward(backend.rng().normal((4, 3, 2, 2))).shape == (4, 12)
    assert nn.Unflatten(-1, (2, 3))(backend.rng().normal((2, 5, 6))).shape == (2, 5, 2, 3)


def test_flatten_then_unflatten_is_the_identity_and_both_pass_gradient_checks(float64):
    x = backend.rng().normal((3, 2, 3, 2))
    chain = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 3, 2)))
    np.testing.assert_array_equal(host(chain(x)), host(x))
    for layer, inp in ((nn.Flatten(), x), (nn.Unflatten(1, (4, 3)), backend.rng().normal((2, 12)))):
        result = gradcheck.check_module(layer, inp)
        assert result.max_error < 1e-6, result


def test_both_are_rowwise():
    assert is_rowwise(nn.Flatten()) and is_rowwise(nn.Unflatten(1, (2, 2)))


def test_bad_inputs_and_arguments_are_errors_that_name_them():
    with pytest.raises(ValueError, match=re.escape("Flatten: input must have a batch axis and at least one more")):
        nn.Flatten()(backend.rng().normal((5,)))
    with pytest.raises(ValueError, match=re.escape("Unflatten: axis 1 of the input has size 10, but unflattened_size "
                                                   "(3, 3) holds 9; input shape (2, 10)")):
        nn.Unflatten(1, (3, 3))(backend.rng().normal((2, 10)))
    with pytest.raises(ValueError, match="dim must be a non-zero integer"):
        nn.Unflatten(0, (2, 2))
    with pytest.raises(ValueError, match="unflattened_size must be a non-empty tuple of positive integers"):
        nn.Unflatten(1, (2, 0))
    with pytest.raises(ValueError, match=re.escape("dim 3 is not a non-batch axis of the input shape (2, 4)")):
        nn.Unflatten(3, (2, 2))(backend.rng().normal((2, 4)))


def test_backward_before_forward_and_a_misshapen_gradient_are_errors():
    for layer, x, bad in ((nn.Flatten(), (2, 3, 2), (2, 5)), (nn.Unflatten(1, (3, 2)), (2, 6), (2, 2, 3))):
        with pytest.raises(RuntimeError, match="backward was called before forward"):
            layer.backward(backend.rng().normal(bad))
        layer(backend.rng().normal(x))
        with pytest.raises(ValueError, match="must have the output's shape"):
            layer.backward(backend.rng().normal(bad))
