"""ReflectionPad2d: the mirror image without the edge, PyTorch's argument order, the backward pass as
forward's adjoint, inputs of any strides (a convolution's channels-last output), and clear errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, nn

from layer_contract import check_backward_guards

TOL = 1e-6
seeds = st.integers(0, 2**16)


def host(a):
    return backend.to_numpy(a)


def numpy_reflect(x, left, right, top, bottom):
    """NumPy's own reflection (mode="reflect" does not repeat the edge), as an independent reference."""
    return np.pad(host(x), ((0, 0), (0, 0), (top, bottom), (left, right)), mode="reflect")


def fitting(pads, shape):
    """(left, right, top, bottom) cut down to what a (N, C, H, W) input can mirror: < W and < H."""
    left, right, top, bottom = pads
    h, w = shape[2:]
    return min(left, w - 1), min(right, w - 1), min(top, h - 1), min(bottom, h - 1)


def channels_last(x):
    return backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)


def layouts(x):
    """x (N, C, H, W) in several memory orders, each with the same values: C order, channels-last (a
    Conv2d's output), a strided slice of a larger array, and H and W swapped in memory."""
    xp = backend.xp
    n, c, h, w = x.shape
    big = xp.zeros((n, c, 2 * h, 2 * w + 1), dtype=x.dtype)
    big[:, :, ::2, 1::2] = x
    swapped = xp.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)
    return {"nchw": x, "channels_last": channels_last(x), "strided": big[:, :, ::2, 1::2], "hw_swapped": swapped}


# --- forward ------------------------------------------------------------------------------
def test_reflection_mirrors_across_the_edge_without_repeating_it():
    x = backend.asarray([[[[1.0, 2.0, 3.0, 4.0]]]])
    y = nn.ReflectionPad2d((2, 2, 0, 0))(x)
    np.testing.assert_array_equal(host(y), [[[[3, 2, 1, 2, 3, 4, 3, 2]]]])


def test_padding_tuple_is_left_right_top_bottom_as_pytorch():
    x = backend.asarray(np.arange(12.0).reshape(1, 1, 3, 4))
    y = nn.ReflectionPad2d((1, 2, 0, 1))(x)
    assert y.shape == (1, 1, 3 + 0 + 1, 4 + 1 + 2)
    np.testing.assert_array_equal(host(y), numpy_reflect(x, 1, 2, 0, 1))


def test_an_integer_padding_pads_all_four_sides_and_the_corners_reflect_along_both_axes():
    x = backend.asarray(np.arange(9.0).reshape(1, 1, 3, 3))
    y = host(nn.ReflectionPad2d(2)(x))
    np.testing.assert_array_equal(y, numpy_reflect(x, 2, 2, 2, 2))
    assert y[0, 0, 0, 0] == host(x)[0, 0, 2, 2]              # the corner: row and column both mirrored


@settings(max_examples=25, deadline=None)
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(2, 5), st.integers(2, 5)),
       pads=st.tuples(*[st.integers(0, 4)] * 4), layout=st.sampled_from(["nchw", "channels_last", "strided",
                                                                       "hw_swapped"]), seed=seeds)
def test_reflection_pad_equals_numpys_reflect_for_any_shape_padding_and_strides(shape, pads, layout, seed):
    left, right, top, bottom = fitting(pads, shape)
    backend.seed(seed)
    x = layouts(backend.rng().normal(shape))[layout]
    np.testing.assert_array_equal(host(nn.ReflectionPad2d((left, right, top, bottom))(x)),
                                  numpy_reflect(x, left, right, top, bottom))


def test_zero_padding_returns_the_input_values():
    x = backend.rng().normal((2, 3, 4, 5))
    layer = nn.ReflectionPad2d(0)
    np.testing.assert_array_equal(host(layer(x)), host(x))
    np.testing.assert_array_equal(host(layer.backward(x)), host(x))


def test_a_channels_last_input_gives_a_channels_last_output_and_gradient():
    x = channels_last(backend.rng().normal((2, 3, 4, 5)))
    layer = nn.ReflectionPad2d((1, 2, 3, 1))
    y = layer(x)
    assert backend.xp.ascontiguousarray(y.transpose(0, 2, 3, 1)).strides == y.transpose(0, 2, 3, 1).strides
    g = channels_last(backend.rng().normal(y.shape))
    assert layer.backward(g).transpose(0, 2, 3, 1).flags.c_contiguous


def test_reflection_between_two_convolutions_takes_the_first_ones_channels_last_output():
    """CycleGAN's pattern: pad, conv, pad, conv; the second pad reads a Conv2d's channels-last view."""
    net = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(2, 3, 3), nn.ReflectionPad2d(1), nn.Conv2d(3, 2, 3))
    x = backend.rng().normal((2, 2, 5, 4))
    y = net(x)
    assert y.shape == x.shape
    assert net.backward(backend.xp.ones_like(y)).shape == x.shape


# --- backward -----------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(2, 4), st.integers(2, 4)),
       pads=st.tuples(*[st.integers(0, 3)] * 4), seed=seeds)
def test_reflection_pad_gradient_matches_finite_differences(float64, shape, pads, seed):
    """(gradcheck perturbs x in place through a flat view, so x is C-contiguous here; the test below
    checks that every other memory order gives the same gradient.)"""
    left, right, top, bottom = fitting(pads, shape)
    backend.seed(seed)
    result = gradcheck.check_module(nn.ReflectionPad2d((left, right, top, bottom)), backend.rng().normal(shape))
    assert result.max_error < TOL, result


@pytest.mark.parametrize("layout", ["channels_last", "strided", "hw_swapped"])
def test_the_gradient_of_any_memory_order_equals_the_c_order_ones(float64, layout):
    x = backend.rng().normal((2, 3, 4, 5))
    layer = nn.ReflectionPad2d((3, 1, 2, 3))
    g = backend.rng().normal(layer(x).shape)
    expected = host(layer.backward(g)).copy()
    np.testing.assert_array_equal(host(layer(layouts(x)[layout])), numpy_reflect(x, 3, 1, 2, 3))
    np.testing.assert_array_equal(host(layer.backward(layouts(g)[layout])), expected)


def test_backward_is_forwards_adjoint_each_border_gradient_lands_on_the_pixel_it_copied(float64):
    """<pad(x), g> = <x, pad^T(g)> for any x and g: backward is the transpose of the copy."""
    layer = nn.ReflectionPad2d((2, 1, 1, 3))
    x = backend.rng().normal((2, 2, 4, 5))
    g = backend.rng().normal(layer(x).shape)
    dx = layer.backward(g)
    assert float((layer(x) * g).sum()) == pytest.approx(float((x * dx).sum()), rel=1e-12)


def test_each_input_pixels_gradient_counts_its_copies():
    """With dL/dy = 1 everywhere, dL/dx counts how many output pixels copy each input pixel."""
    layer = nn.ReflectionPad2d((1, 0, 0, 0))
    x = backend.asarray([[[[1.0, 2.0, 3.0]]]])
    layer(x)
    np.testing.assert_array_equal(host(layer.backward(backend.xp.ones((1, 1, 1, 4)))), [[[[1, 2, 1]]]])
    layer = nn.ReflectionPad2d(1)
    layer(backend.rng().normal((1, 1, 3, 3)))
    counts = host(layer.backward(backend.xp.ones((1, 1, 5, 5))))[0, 0]
    # the middle row and column are each copied three times (themselves, and once across either edge)
    np.testing.assert_array_equal(counts, [[1, 3, 1], [3, 9, 3], [1, 3, 1]])


# --- clear errors ---------------------------------------------------------------------------
def test_padding_as_large_as_the_side_it_mirrors_is_an_error_naming_it():
    with pytest.raises(ValueError, match=re.escape("ReflectionPad2d: padding (left, right) = (3, 0) must be smaller "
                                                   "than the input width 3 (the edge is not repeated); got input "
                                                   "shape (1, 2, 5, 3)")):
        nn.ReflectionPad2d((3, 0, 1, 1))(backend.rng().normal((1, 2, 5, 3)))
    with pytest.raises(ValueError, match=re.escape("padding (top, bottom) = (1, 1) must be smaller than the input "
                                                   "height 1")):
        nn.ReflectionPad2d(1)(backend.rng().normal((1, 2, 1, 3)))


@pytest.mark.parametrize("padding", [-1, (1, 2), (1, 2, 3, -1), 1.5, True, None, (1, 2, 3, 4.0)])
def test_a_bad_padding_argument_is_an_error_naming_it(padding):
    with pytest.raises(ValueError, match=re.escape("ReflectionPad2d: padding must be an integer >= 0 or a 4-tuple "
                                                   f"of them (left, right, top, bottom); got {padding!r}")):
        nn.ReflectionPad2d(padding)


def test_bad_inputs_are_errors_that_name_the_layer():
    with pytest.raises(ValueError, match=re.escape("ReflectionPad2d: input must be a 4-D array (N, C, H, W); "
                                                   "got shape (3, 4, 4)")):
        nn.ReflectionPad2d(1)(backend.rng().normal((3, 4, 4)))
    with pytest.raises(TypeError, match="ReflectionPad2d: input must be a floating array; got dtype int64"):
        nn.ReflectionPad2d(1)(backend.xp.ones((1, 1, 3, 3), dtype=backend.xp.int64))
    check_backward_guards(nn.ReflectionPad2d((1, 2, 0, 1)), backend.rng().normal((1, 1, 3, 3)))


# --- PyTorch, where it is installed ---------------------------------------------------------
@pytest.mark.parametrize("padding", [1, 3, (0, 2, 1, 3), (3, 1, 0, 0)])
@pytest.mark.parametrize("layout", ["nchw", "channels_last", "strided"])
def test_reflection_pad_matches_pytorch(float64, padding, layout):
    torch = pytest.importorskip("torch")
    x = layouts(backend.rng().normal((2, 3, 4, 5)))[layout]
    tx = torch.tensor(host(x), requires_grad=True)
    ty = torch.nn.ReflectionPad2d(padding)(tx)
    layer = nn.ReflectionPad2d(padding)
    y = layer(x)
    np.testing.assert_array_equal(host(y), ty.detach().numpy())
    g = backend.rng().normal(y.shape)
    ty.backward(torch.tensor(host(g)))
    np.testing.assert_allclose(host(layer.backward(g)), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
