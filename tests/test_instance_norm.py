"""InstanceNorm2d: per-image statistics, PyTorch's defaults and numbers, the backward pass, affine
parameters in state_dict, memory layout, and clear errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, nn
from minigan.nn.module import is_rowwise

from layer_contract import check_backward_guards

TOL = 1e-6
seeds = st.integers(0, 2**16)


def host(a):
    return backend.to_numpy(a)


def affine_layer(channels, **kwargs):
    """An affine InstanceNorm2d with gamma and beta away from 1 and 0, so the checks see them."""
    layer = nn.InstanceNorm2d(channels, affine=True, **kwargs)
    layer.weight.data[...] = 1 + 0.5 * backend.rng().normal((channels,), dtype=layer.weight.data.dtype)
    layer.bias.data[...] = backend.rng().normal((channels,), dtype=layer.bias.data.dtype)
    return layer


def channels_last(x):
    """The same values as x (N, C, H, W), as an NCHW view of channels-last memory (a Conv2d's output)."""
    return backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def reference(x, gamma=None, beta=None, eps=1e-5):
    """The textbook formula on the host, in float64: each (n, c) slice by its own biased statistics."""
    x = host(x).astype(np.float64)
    mean, var = x.mean(axis=(2, 3), keepdims=True), x.var(axis=(2, 3), keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = host(gamma)[None, :, None, None] * y + host(beta)[None, :, None, None]
    return y


# --- forward ------------------------------------------------------------------------------
@pytest.mark.parametrize("affine", [False, True])
def test_each_image_and_channel_is_normalised_by_its_own_mean_and_biased_variance(affine):
    layer = affine_layer(3) if affine else nn.InstanceNorm2d(3)
    x = 2 + 3 * backend.rng().normal((4, 3, 5, 6))
    expected = reference(x, layer.weight.data, layer.bias.data) if affine else reference(x)
    np.testing.assert_allclose(host(layer(x)), expected, rtol=1e-4, atol=1e-5)


def test_defaults_are_pytorchs_no_affine_parameters_and_no_running_statistics():
    layer = nn.InstanceNorm2d(4)
    assert (layer.eps, layer.affine) == (1e-5, False)
    assert layer.parameters() == [] and layer.weight is None and layer.bias is None
    assert list(layer.state_dict()) == [] and list(layer.named_buffers()) == []
    assert repr(layer) == "InstanceNorm2d(4, eps=1e-05, affine=False)"


def test_evaluation_mode_still_uses_each_images_own_statistics():
    layer = affine_layer(2)
    x = backend.rng().normal((3, 2, 4, 4))
    train_y = host(layer.train()(x)).copy()
    np.testing.assert_array_equal(host(layer.eval()(x)), train_y)


def test_instance_norm_is_rowwise_each_image_alone_gives_the_same_output():
    layer = affine_layer(3)
    a, b = backend.rng().normal((2, 3, 4, 3)), 5 * backend.rng().normal((3, 3, 4, 3))
    together = host(layer(backend.xp.concatenate([a, b])))
    np.testing.assert_allclose(together, np.concatenate([host(layer(a)), host(layer(b))]), rtol=1e-6, atol=1e-6)
    assert is_rowwise(layer) and is_rowwise(nn.InstanceNorm2d(3))


def test_instance_norm_keeps_the_input_memory_layout():
    x = channels_last(backend.rng().normal((2, 5, 4, 3)))
    layer = affine_layer(5)
    y = layer(x)
    assert y.shape == x.shape and y.strides == x.strides
    assert layer.backward(backend.xp.ones_like(y)).strides == x.strides


def test_instance_norm_gives_the_same_numbers_in_either_memory_layout(float64):
    x = 1 + 2 * backend.rng().normal((3, 4, 5, 2))
    g = backend.rng().normal(x.shape)
    results = []
    for inp in (x, channels_last(x)):
        backend.seed(1)
        layer = affine_layer(4)
        y = layer(inp)
        results.append([host(a).copy() for a in (y, layer.backward(g), layer.weight.grad, layer.bias.grad)])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- backward -----------------------------------------------------------------------------
# H*W >= 3: with two values per (n, c) x_hat is +-1 whatever x is, dL/dx shrinks to O(eps) and the finite
# differences would measure their own rounding noise instead of the backward pass (as for batch norm).
spatial = st.tuples(st.integers(1, 4), st.integers(1, 4)).filter(lambda s: s[0] * s[1] >= 3)


@settings(max_examples=15, deadline=None)
@given(batch=st.integers(1, 3), channels=st.integers(1, 3), size=spatial, affine=st.booleans(), seed=seeds)
def test_instance_norm_gradients_match_finite_differences(float64, batch, channels, size, affine, seed):
    backend.seed(seed)
    layer = affine_layer(channels) if affine else nn.InstanceNorm2d(channels)
    x = 1 + 2 * backend.rng().normal((batch, channels, *size))
    # dL/dy = R is drawn from the stream seed + 2, never x's own (with one stream R would be x's draws, which
    # lie in span(1, x_hat), exactly the directions the gradient projects out: dx = 0 and a meaningless check)
    result = gradcheck.check_module(layer, x, seed=seed + 1)
    assert result.max_error < TOL, result
    assert set(result.errors) == ({"input", "weight", "bias"} if affine else {"input"})


def test_input_gradient_of_each_image_and_channel_is_orthogonal_to_constants_and_to_x_hat(float64):
    """Shifting one image's channel leaves x_hat unchanged, and so (as eps -> 0) does scaling it: per
    (n, c) dL/dx sums to 0 against 1 and against x_hat."""
    layer = affine_layer(3, eps=1e-14)
    x = backend.rng().normal((2, 3, 3, 4))
    y = layer(x)
    dx = host(layer.backward(backend.rng().normal(y.shape)))
    x_hat = reference(x, eps=1e-14)
    np.testing.assert_allclose(dx.sum(axis=(2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose((dx * x_hat).sum(axis=(2, 3)), 0, atol=1e-12)


def test_affine_parameter_gradients_are_summed_over_images_and_pixels(float64):
    layer = affine_layer(2)
    x = backend.rng().normal((3, 2, 4, 4))
    g = backend.rng().normal(x.shape)
    layer(x)
    layer.zero_grad()
    layer.backward(g)
    np.testing.assert_allclose(host(layer.weight.grad), (host(g) * reference(x)).sum(axis=(0, 2, 3)), rtol=1e-10)
    np.testing.assert_allclose(host(layer.bias.grad), host(g).sum(axis=(0, 2, 3)), rtol=1e-10)


def test_a_frozen_affine_instance_norm_keeps_its_gradients_zero_and_still_returns_dx():
    layer = affine_layer(2).requires_grad_(False)
    layer.zero_grad()
    y = layer(backend.rng().normal((2, 2, 3, 3)))
    assert layer.backward(y).shape == (2, 2, 3, 3)
    assert float(abs(layer.weight.grad).max()) == 0 == float(abs(layer.bias.grad).max())


# --- state_dict ---------------------------------------------------------------------------
def test_affine_state_dict_round_trip_restores_gamma_and_beta():
    net = nn.Sequential(nn.Conv2d(1, 3, 3), affine_layer(3))
    state = net.state_dict()
    assert list(state) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    fresh = nn.Sequential(nn.Conv2d(1, 3, 3), nn.InstanceNorm2d(3, affine=True))
    fresh.load_state_dict(state)
    for key, value in fresh.state_dict().items():
        np.testing.assert_array_equal(value, state[key])
    x = backend.rng().normal((2, 1, 6, 6))
    np.testing.assert_array_equal(host(fresh(x)), host(net(x)))


def test_loading_affine_parameters_into_an_instance_norm_without_them_is_an_error():
    with pytest.raises(KeyError, match=re.escape("unexpected keys ['bias', 'weight']")):
        nn.InstanceNorm2d(3).load_state_dict(affine_layer(3).state_dict())


# --- clear errors ---------------------------------------------------------------------------
def test_one_spatial_value_per_channel_is_an_error_naming_the_layer_and_shape():
    with pytest.raises(ValueError, match=re.escape("InstanceNorm2d: expected more than 1 spatial value (H*W > 1) "
                                                   "per image and channel (the variance of one value is "
                                                   "undefined); got input shape (4, 3, 1, 1)")):
        nn.InstanceNorm2d(3)(backend.rng().normal((4, 3, 1, 1)))
    assert nn.InstanceNorm2d(3)(backend.rng().normal((1, 3, 1, 2))).shape == (1, 3, 1, 2)    # two values: fine


def test_bad_inputs_and_arguments_are_errors_that_name_them():
    with pytest.raises(ValueError, match=re.escape("InstanceNorm2d: input must be a 4-D array (N, C, H, W); "
                                                   "got shape (3, 4, 4)")):
        nn.InstanceNorm2d(3)(backend.rng().normal((3, 4, 4)))
    with pytest.raises(ValueError, match=re.escape("InstanceNorm2d: input must have 3 channels (axis 1); "
                                                   "got shape (2, 4, 3, 3)")):
        nn.InstanceNorm2d(3)(backend.rng().normal((2, 4, 3, 3)))
    with pytest.raises(TypeError, match="InstanceNorm2d: input must be a floating array; got dtype int64"):
        nn.InstanceNorm2d(3)(backend.xp.ones((2, 3, 2, 2), dtype=backend.xp.int64))
    for make_bad, match in ((lambda: nn.InstanceNorm2d(0), "num_features must be a positive integer; got 0"),
                            (lambda: nn.InstanceNorm2d(True), "num_features must be a positive integer; got True"),
                            (lambda: nn.InstanceNorm2d(2, eps=0), "eps must be a number > 0; got 0"),
                            (lambda: nn.InstanceNorm2d(2, affine=1), "affine must be True or False; got 1")):
        with pytest.raises(ValueError, match=f"InstanceNorm2d: {match}"):
            make_bad()


def test_backward_before_forward_and_a_misshapen_gradient_are_errors():
    check_backward_guards(nn.InstanceNorm2d(2), backend.rng().normal((2, 2, 3, 3)))


# --- PyTorch, where it is installed ---------------------------------------------------------
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
def test_instance_norm_matches_pytorch(float64, affine, layout):
    torch = pytest.importorskip("torch")
    layer = affine_layer(3) if affine else nn.InstanceNorm2d(3)
    x = 1 + 2 * backend.rng().normal((4, 3, 5, 3))
    x = channels_last(x) if layout == "channels_last" else x
    tx = torch.tensor(host(x), requires_grad=True)
    t_layer = torch.nn.InstanceNorm2d(3, affine=affine).double()     # eps 1e-5, no running statistics
    if affine:
        with torch.no_grad():
            t_layer.weight.copy_(torch.tensor(host(layer.weight.data)))
            t_layer.bias.copy_(torch.tensor(host(layer.bias.data)))
    ty = t_layer(tx)
    y = layer(x)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = backend.rng().normal(y.shape)
    ty.backward(torch.tensor(host(g)))
    np.testing.assert_allclose(host(layer.backward(g)), tx.grad.numpy(), rtol=1e-9, atol=1e-12)
    if affine:
        np.testing.assert_allclose(host(layer.weight.grad), t_layer.weight.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(host(layer.bias.grad), t_layer.bias.grad.numpy(), rtol=1e-10, atol=1e-12)
