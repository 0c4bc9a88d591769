"""BatchNorm1d and BatchNorm2d: normalisation, PyTorch's running statistics, the backward pass in both
modes, buffers in state_dict, and clear errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, nn
from minigan.nn.module import is_rowwise

TOL = 1e-6
seeds = st.integers(0, 2**16)


def host(a):
    return backend.to_numpy(a)


def randomise_affine(layer):
    """gamma and beta away from 1 and 0, so the checks see them."""
    layer.weight.data[...] = 1 + 0.5 * backend.rng().normal(layer.weight.shape, dtype=layer.weight.data.dtype)
    layer.bias.data[...] = backend.rng().normal(layer.bias.shape, dtype=layer.bias.data.dtype)
    return layer


def make(kind, channels):
    return nn.BatchNorm1d(channels) if kind == "1d" else nn.BatchNorm2d(channels)


def input_shape(kind, batch, channels, size=(3, 2)):
    return (batch, channels) if kind == "1d" else (batch, channels, *size)


def axes(kind):
    return (0,) if kind == "1d" else (0, 2, 3)


def per_channel(v, kind):
    return v.reshape((1, -1) if kind == "1d" else (1, -1, 1, 1))


# --- forward ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_training_mode_normalises_each_channel_with_the_batch_statistics(kind):
    layer = randomise_affine(make(kind, 3))
    x = 2 + 3 * backend.rng().normal(input_shape(kind, 4, 3))
    y, xh = host(layer(x)), host(x).astype(np.float64)
    mean, var = xh.mean(axis=axes(kind), keepdims=True), xh.var(axis=axes(kind), keepdims=True)  # biased
    expected = per_channel(host(layer.weight.data), kind) * (xh - mean) / np.sqrt(var + 1e-5) \
        + per_channel(host(layer.bias.data), kind)
    np.testing.assert_allclose(y, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_eval_mode_uses_the_running_statistics(kind):
    layer = randomise_affine(make(kind, 3))
    layer.running_mean[...] = backend.asarray([1.0, -2.0, 0.5])
    layer.running_var[...] = backend.asarray([4.0, 0.25, 1.0])
    layer.eval()
    x = backend.rng().normal(input_shape(kind, 1, 3))          # one sample is fine in eval mode
    rm, rv = (per_channel(host(a), kind) for a in (layer.running_mean, layer.running_var))
    expected = per_channel(host(layer.weight.data), kind) * (host(x) - rm) / np.sqrt(rv + 1e-5) \
        + per_channel(host(layer.bias.data), kind)
    np.testing.assert_allclose(host(layer(x)), expected, rtol=1e-5, atol=1e-6)
    before = host(layer.running_mean).copy()
    layer(x)
    np.testing.assert_array_equal(host(layer.running_mean), before)     # eval never updates them


@pytest.mark.parametrize("kind", ["1d", "2d"])
def test_running_statistics_follow_pytorchs_rule_over_several_steps(kind):
    momentum = 0.3
    layer = nn.BatchNorm1d(3, momentum=momentum) if kind == "1d" else nn.BatchNorm2d(3, momentum=momentum)
    running_mean, running_var = np.zeros(3), np.ones(3)
    for step in range(4):
        x = host(step + (1 + step) * backend.rng().normal(input_shape(kind, 5, 3))).astype(np.float64)
        layer(backend.asarray(x))
        values = np.moveaxis(x, 1, 0).reshape(3, -1)            # every value of each channel
        m = values.shape[1]
        batch_mean = values.sum(axis=1) / m
        unbiased_var = ((values - batch_mean[:, None]) ** 2).sum(axis=1) / (m - 1)
        running_mean = (1 - momentum) * running_mean + momentum * batch_mean
        running_var = (1 - momentum) * running_var + momentum * unbiased_var
    np.testing.assert_allclose(host(layer.running_mean), running_mean, rtol=1e-5)
    np.testing.assert_allclose(host(layer.running_var), running_var, rtol=1e-5)


def test_batch_norm_2d_keeps_the_input_memory_layout():
    x = backend.rng().normal((2, 5, 4, 3)).transpose(0, 2, 3, 1).copy().transpose(0, 3, 1, 2)  # channels-last
    y = nn.BatchNorm2d(5)(x)
    assert y.shape == x.shape and y.strides == x.strides


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_2d_gives_the_same_numbers_in_either_memory_layout(float64, training):
    """Channels-last memory takes the matrix-vector path for the per-channel sums, C order x.sum:
    the forward, dL/dx and the parameter gradients agree."""
    x = 1 + 2 * backend.rng().normal((4, 3, 5, 2))
    channels_last = backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    g = backend.rng().normal(x.shape)
    results = []
    for inp in (x, channels_last):
        backend.seed(1)
        layer = randomise_affine(nn.BatchNorm2d(3))
        layer.train(training)
        y = layer(inp)
        results.append([host(a).copy() for a in (y, layer.backward(g), layer.weight.grad, layer.bias.grad,
                                                  layer.running_mean, layer.running_var)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- backward -----------------------------------------------------------------------------
# batch >= 3: with two values per channel x_hat is +-1 whatever x is, dL/dx shrinks to O(eps) and the
# finite differences would measure their own rounding noise instead of the backward pass.
@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(["1d", "2d"]), batch=st.integers(3, 5), channels=st.integers(1, 3),
       size=st.tuples(st.integers(1, 3), st.integers(1, 3)), seed=seeds)
def test_training_gradients_match_finite_differences(float64, kind, batch, channels, size, seed):
    backend.seed(seed)
    layer = randomise_affine(make(kind, channels))
    result = gradcheck.check_module(layer, backend.rng().normal(input_shape(kind, batch, channels, size)))
    assert result.max_error < TOL, result
    assert set(result.errors) == {"input", "weight", "bias"}


@settings(max_examples=8, deadline=None)
@given(kind=st.sampled_from(["1d", "2d"]), batch=st.integers(1, 4), channels=st.integers(1, 3), seed=seeds)
def test_eval_gradients_match_finite_differences(float64, kind, batch, channels, seed):
    backend.seed(seed)
    layer = randomise_affine(make(kind, channels))
    layer.running_mean[...] = backend.rng().normal((channels,))
    layer.running_var[...] = 0.5 + backend.rng().random((channels,))
    layer.eval()
    result = gradcheck.check_module(layer, backend.rng().normal(input_shape(kind, batch, channels)))
    assert result.max_error < TOL, result


def test_training_input_gradient_is_orthogonal_to_constants_and_to_x_hat(float64):
    """Shifting one channel's input leaves x_hat unchanged, and so (as eps -> 0) does scaling it:
    per channel dL/dx sums to 0 against 1 and against x_hat (the two mean terms of the compact form)."""
    layer = randomise_affine(nn.BatchNorm2d(3, eps=1e-14))
    x = backend.rng().normal((4, 3, 2, 2))
    y = layer(x)
    dx = host(layer.backward(backend.rng().normal(y.shape)))
    x_hat = (host(y) - per_channel(host(layer.bias.data), "2d")) / per_channel(host(layer.weight.data), "2d")
    np.testing.assert_allclose(dx.sum(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose((dx * x_hat).sum(axis=(0, 2, 3)), 0, atol=1e-12)


def test_batch_norm_is_not_rowwise_and_a_frozen_one_keeps_its_gradients_zero():
    assert not is_rowwise(nn.BatchNorm1d(2)) and not is_rowwise(nn.BatchNorm2d(2))
    layer = nn.BatchNorm1d(2).requires_grad_(False)
    layer.zero_grad()
    y = layer(backend.rng().normal((3, 2)))
    assert layer.backward(y).shape == (3, 2)
    assert float(abs(layer.weight.grad).max()) == 0 == float(abs(layer.bias.grad).max())


# --- buffers: saved, loaded, converted ------------------------------------------------------
def test_state_dict_round_trip_includes_the_running_statistics():
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    for _ in range(3):
        net(backend.rng().normal((6, 3)))
    state = net.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
                           "layers.1.running_mean", "layers.1.running_var"]
    fresh = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    fresh.load_state_dict(state)
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    x = backend.rng().normal((2, 3))
    np.testing.assert_array_equal(host(fresh.eval()(x)), host(net.eval()(x)))


def test_loading_a_state_without_buffers_or_with_a_wrong_buffer_shape_is_an_error():
    layer = nn.BatchNorm2d(3)
    state = layer.state_dict()
    with pytest.raises(KeyError, match=re.escape("missing keys ['running_var']")):
        layer.load_state_dict({k: v for k, v in state.items() if k != "running_var"})
    with pytest.raises(ValueError, match=re.escape("buffer 'running_mean' has shape (3,), the state has (4,)")):
        layer.load_state_dict({**state, "running_mean": np.zeros(4)})


def test_modules_without_buffers_save_exactly_what_they_saved_before():
    layer = nn.Linear(2, 3)
    assert list(layer.state_dict()) == ["weight", "bias"] and list(layer.named_buffers()) == []
    layer.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(3)})
    with pytest.raises(ValueError, match=re.escape("parameter 'bias' has shape (3,), the state has (2,)")):
        layer.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(2)})


def test_to_converts_the_buffers_too():
    layer = nn.Sequential(nn.BatchNorm1d(2)).to("float64")
    assert layer.layers[0].running_mean.dtype == np.float64 == layer.layers[0].running_var.dtype
    assert [name for name, _ in layer.named_buffers()] == ["layers.0.running_mean", "layers.0.running_var"]


# --- clear errors ---------------------------------------------------------------------------
def test_one_value_per_channel_in_training_is_an_error_naming_the_layer_and_shape():
    with pytest.raises(ValueError, match=re.escape("BatchNorm1d: expected more than 1 value per channel when "
                                                   "training (the variance of one value is undefined); "
                                                   "got input shape (1, 3)")):
        nn.BatchNorm1d(3)(backend.rng().normal((1, 3)))
    with pytest.raises(ValueError, match=re.escape("BatchNorm2d: expected more than 1 value per channel")):
        nn.BatchNorm2d(3)(backend.rng().normal((1, 3, 1, 1)))
    assert nn.BatchNorm2d(3)(backend.rng().normal((1, 3, 1, 2))).shape == (1, 3, 1, 2)   # two values: fine


def test_bad_inputs_and_arguments_are_errors_that_name_them():
    with pytest.raises(ValueError, match=re.escape("BatchNorm2d: input must be a 4-D array (N, C, H, W); "
                                                   "got shape (2, 3)")):
        nn.BatchNorm2d(3)(backend.rng().normal((2, 3)))
    with pytest.raises(ValueError, match=re.escape("BatchNorm1d: input must have 3 channels (axis 1); "
                                                   "got shape (2, 4)")):
        nn.BatchNorm1d(3)(backend.rng().normal((2, 4)))
    with pytest.raises(TypeError, match="BatchNorm1d: input must be a floating array; got dtype int64"):
        nn.BatchNorm1d(3)(backend.xp.ones((2, 3), dtype=backend.xp.int64))
    for make_bad, match in ((lambda: nn.BatchNorm1d(0), "num_features must be a positive integer; got 0"),
                            (lambda: nn.BatchNorm2d(2, eps=0), "eps must be > 0"),
                            (lambda: nn.BatchNorm2d(2, momentum=1.5), r"momentum must be in \[0, 1\]; got 1.5")):
        with pytest.raises(ValueError, match=match):
            make_bad()


def test_backward_before_forward_and_a_misshapen_gradient_are_errors():
    layer = nn.BatchNorm2d(2)
    with pytest.raises(RuntimeError, match="BatchNorm2d.backward was called before forward"):
        layer.backward(backend.rng().normal((2, 2, 3, 3)))
    layer(backend.rng().normal((2, 2, 3, 3)))
    with pytest.raises(ValueError, match=re.escape("must have the output's shape (2, 2, 3, 3); got (2, 2, 3)")):
        layer.backward(backend.rng().normal((2, 2, 3)))


# --- PyTorch, where it is installed ---------------------------------------------------------
@pytest.mark.parametrize("kind", ["1d", "2d"])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_matches_pytorch(float64, kind, training):
    torch = pytest.importorskip("torch")
    layer = randomise_affine(make(kind, 3))
    layer.running_mean[...] = backend.rng().normal((3,))
    layer.running_var[...] = 0.5 + backend.rng().random((3,))
    layer.train(training)
    x = backend.rng().normal(input_shape(kind, 4, 3))
    tx, tw, tb = (torch.tensor(host(a), requires_grad=True) for a in (x, layer.weight.data, layer.bias.data))
    t_mean, t_var = torch.tensor(host(layer.running_mean)), torch.tensor(host(layer.running_var))
    ty = torch.nn.functional.batch_norm(tx, t_mean, t_var, tw, tb, training=training, momentum=0.1, eps=1e-5)
    y = layer(x)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(host(layer.running_mean), t_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(host(layer.running_var), t_var.numpy(), rtol=1e-12)
    g = backend.rng().normal(y.shape)
    ty.backward(torch.tensor(host(g)))
    layer.zero_grad()
    np.testing.assert_allclose(host(layer.backward(g)), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(host(layer.weight.grad), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(host(layer.bias.grad), tb.grad.numpy(), rtol=1e-10, atol=1e-12)
