"""Maxout: forward and backward against a loop-by-loop reference, finite differences, and the max's gradient rule."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, nn
from minigan.nn.module import backward_to

seeds = st.integers(0, 2**16)


def naive_maxout(x, W, b, units, pieces):
    """y[n, j] = max_p (x W + b)[n, j * pieces + p], and the winning p, one loop at a time."""
    y = np.empty((len(x), units))
    winner = np.empty((len(x), units), dtype=int)
    for n in range(len(x)):
        for j in range(units):
            values = [x[n] @ W[:, j * pieces + p] + b[j * pieces + p] for p in range(pieces)]
            winner[n, j] = int(np.argmax(values))
            y[n, j] = values[winner[n, j]]
    return y, winner


def naive_maxout_backward(x, W, winner, g, pieces):
    """dL/dx, dL/dW, dL/db by routing each g[n, j] to the one column j * pieces + winner[n, j]."""
    gx, gW, gb = np.zeros_like(x), np.zeros_like(W), np.zeros(W.shape[1])
    for n in range(len(x)):
        for j in range(winner.shape[1]):
            c = j * pieces + winner[n, j]
            gx[n] += g[n, j] * W[:, c]
            gW[:, c] += g[n, j] * x[n]
            gb[c] += g[n, j]
    return gx, gW, gb


def host(layer):
    return backend.to_numpy(layer.weight.data), backend.to_numpy(layer.bias.data)


def smallest_gap(layer, x):
    """The smallest margin between a unit's best and second-best piece (finite differences need one)."""
    W, b = host(layer)
    z = (backend.to_numpy(x) @ W + b).reshape(len(x), layer.num_units, layer.num_pieces)
    top2 = np.sort(z, axis=2)[:, :, -2:]
    return float((top2[:, :, 1] - top2[:, :, 0]).min()) if layer.num_pieces > 1 else np.inf


@settings(max_examples=20, deadline=None)
@given(batch=st.integers(1, 4), features=st.integers(1, 5), units=st.integers(1, 4),
       pieces=st.integers(1, 4), seed=seeds)
def test_maxout_gradients_match_finite_differences(float64, batch, features, units, pieces, seed):
    backend.seed(seed)
    layer = nn.Maxout(features, units, pieces)
    x = backend.rng().normal((batch, features))
    assume(smallest_gap(layer, x) > 1e-4)
    result = gradcheck.check_module(layer, x)
    assert result.max_error < 1e-6, result
    assert set(result.errors) == {"input", "weight", "bias"}


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 5), features=st.integers(1, 5), units=st.integers(1, 4),
       pieces=st.integers(1, 4), seed=seeds)
def test_maxout_forward_and_backward_match_the_loop_reference(float64, batch, features, units, pieces, seed):
    backend.seed(seed)
    layer = nn.Maxout(features, units, pieces)
    x = backend.rng().normal((batch, features))
    g = backend.rng().normal((batch, units))
    W, b = host(layer)
    y_ref, winner = naive_maxout(backend.to_numpy(x), W, b, units, pieces)
    np.testing.assert_allclose(backend.to_numpy(layer(x)), y_ref, rtol=1e-12, atol=1e-12)
    gx = layer.backward(g)
    gx_ref, gW_ref, gb_ref = naive_maxout_backward(backend.to_numpy(x), W, winner, backend.to_numpy(g), pieces)
    np.testing.assert_allclose(backend.to_numpy(gx), gx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(layer.weight.grad), gW_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(layer.bias.grad), gb_ref, rtol=1e-12, atol=1e-12)


def test_only_the_winning_piece_of_each_unit_gets_a_gradient():
    layer = nn.Maxout(3, 4, 5)
    x = backend.rng().normal((1, 3))
    layer(x)
    layer.backward(backend.xp.ones((1, 4), dtype=x.dtype))
    grad_b = backend.to_numpy(layer.bias.grad).reshape(4, 5)      # one row per unit, one column per piece
    W, b = host(layer)
    z = (backend.to_numpy(x) @ W + b).reshape(4, 5)
    np.testing.assert_array_equal(grad_b, np.eye(5)[z.argmax(axis=1)])


def test_a_tie_sends_the_whole_gradient_to_the_first_maximal_piece():
    layer = nn.Maxout(2, 1, 3)
    layer.weight.data[...] = 0                # every piece equals its bias
    layer.bias.data[...] = backend.asarray([1.0, 2.0, 2.0])
    layer(backend.rng().normal((2, 2)))
    layer.backward(backend.xp.ones((2, 1), dtype=layer.bias.data.dtype))
    np.testing.assert_array_equal(backend.to_numpy(layer.bias.grad), [0.0, 2.0, 0.0])


def test_maxout_output_shape_and_layout_grouped_by_unit():
    layer = nn.Maxout(6, 4, 3)
    assert layer.weight.shape == (6, 12) and layer.bias.shape == (12,)
    assert layer(backend.rng().normal((5, 6))).shape == (5, 4)
    layer.weight.data[...] = 0
    layer.bias.data[...] = backend.asarray(np.arange(12.0))      # unit j's pieces are columns 3j, 3j+1, 3j+2
    np.testing.assert_array_equal(backend.to_numpy(layer(backend.xp.zeros((1, 6), dtype=layer.bias.data.dtype))),
                                  [[2.0, 5.0, 8.0, 11.0]])


def test_skipping_the_input_gradient_keeps_the_parameter_gradients():
    full, skip = nn.Maxout(5, 3, 2), nn.Maxout(5, 3, 2)
    skip.load_state_dict(full.state_dict())
    x, g = backend.rng().normal((4, 5)), backend.rng().normal((4, 3))
    full(x)
    skip(x)
    gx = full.backward(g)
    assert backward_to(skip, g, input_grad=False) is None
    np.testing.assert_array_equal(backend.to_numpy(skip.weight.grad), backend.to_numpy(full.weight.grad))
    np.testing.assert_array_equal(backend.to_numpy(skip.bias.grad), backend.to_numpy(full.bias.grad))
    skip(x)
    cols = backward_to(skip, g, input_grad=slice(1, 3))
    np.testing.assert_allclose(backend.to_numpy(cols), backend.to_numpy(gx)[:, 1:3], rtol=1e-6)


def test_irange_draws_weights_in_the_interval_and_zero_biases():
    layer = nn.Maxout(784, 240, 5, irange=0.005)
    W, b = host(layer)
    assert np.abs(W).max() <= 0.005 and np.abs(W).max() > 0.0049
    np.testing.assert_array_equal(b, 0)
    default = nn.Maxout(16, 2, 3)
    assert np.abs(host(default)[0]).max() <= 0.25 and np.abs(host(default)[1]).max() <= 0.25


@pytest.mark.parametrize("kwargs, match", [
    (dict(in_features=0, num_units=2, num_pieces=2), "in_features"),
    (dict(in_features=3, num_units=2.0, num_pieces=2), "num_units"),
    (dict(in_features=3, num_units=2, num_pieces=True), "num_pieces"),
    (dict(in_features=3, num_units=2, num_pieces=2, irange=-0.1), "irange"),
    (dict(in_features=3, num_units=2, num_pieces=2, irange=float("inf")), "irange"),
])
def test_maxout_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=f"Maxout: {match}"):
        nn.Maxout(**kwargs)


def test_maxout_rejects_bad_inputs_and_gradients():
    layer = nn.Maxout(3, 2, 2)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(backend.xp.zeros((1, 2)))
    with pytest.raises(ValueError, match="3 features"):
        layer(backend.xp.zeros((1, 4), dtype=np.float32))
    layer(backend.xp.zeros((4, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"Maxout.backward: grad_output must have the output's shape \(4, 2\)"):
        layer.backward(backend.xp.zeros((4, 4), dtype=np.float32))


def test_maxout_runs_on_a_backend_that_refuses_plain_numpy(strict_backend):
    layer = nn.Maxout(4, 3, 2, irange=0.1)
    x = backend.rng().normal((5, 4))
    y = layer(x)
    grad_x = layer.backward(backend.xp.ones(y.shape, dtype=y.dtype))
    assert y.shape == (5, 3) and grad_x.shape == (5, 4)
