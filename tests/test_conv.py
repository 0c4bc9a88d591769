"""Conv2d and ConvTranspose2d: the fast im2col layers against the plain ones (nn.PlainConv2d,
nn.PlainConvTranspose2d; tests/test_plain_vs_fast.py checks every fast path against them in depth),
finite differences, each other (the adjoint identity) and, where it is installed, PyTorch (the plain
layers too)."""
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import conftest
from minigan import backend, gradcheck, nn
from minigan.nn import conv_fast
from minigan.nn.module import backward_to

TOL = 1e-6
seeds = st.integers(0, 2**16)
pairs = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))   # noqa: E731


def host(a):
    return backend.to_numpy(a)


@st.composite
def conv_cases(draw, max_size=8):
    """A valid Conv2d configuration: rectangular kernel 1-7, stride 1-3, padding 0-3, input sizes."""
    kernel, stride, padding = draw(pairs(1, 7)), draw(pairs(1, 3)), draw(pairs(0, 3))
    size = draw(pairs(1, max_size))
    assume(all(s + 2 * p >= k for s, p, k in zip(size, padding, kernel)))
    return kernel, stride, padding, size


@st.composite
def conv_transpose_cases(draw, max_size=4):
    """A valid ConvTranspose2d configuration, output_padding < stride and a positive output size."""
    kernel, stride, padding = draw(pairs(1, 7)), draw(pairs(1, 3)), draw(pairs(0, 3))
    output_padding = tuple(draw(st.integers(0, s - 1)) for s in stride)
    size = draw(pairs(1, max_size))
    assume(all((s - 1) * st_ - 2 * p + k + op >= 1
               for s, st_, p, k, op in zip(size, stride, padding, kernel, output_padding)))
    return kernel, stride, padding, output_padding, size


# --- forward against the plain layers -------------------------------------------------------
def plain_twin(layer, plain_class, *args):
    """A plain layer with ``layer``'s weights."""
    twin = plain_class(*args, bias=layer.bias is not None)
    for mine, theirs in zip(twin.parameters(), layer.parameters()):
        mine.data[...] = theirs.data
    return twin


@settings(max_examples=25, deadline=None)
@given(case=conv_cases(), channels=pairs(1, 3), batch=st.integers(1, 2), seed=seeds)
def test_conv2d_matches_the_plain_convolution(float64, case, channels, batch, seed):
    kernel, stride, padding, size = case
    backend.seed(seed)
    layer = nn.Conv2d(channels[0], channels[1], kernel, stride, padding)
    plain = plain_twin(layer, nn.PlainConv2d, channels[0], channels[1], kernel, stride, padding)
    x = backend.rng().normal((batch, channels[0], *size))
    np.testing.assert_allclose(host(layer(x)), host(plain(x)), rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(case=conv_transpose_cases(), channels=pairs(1, 3), batch=st.integers(1, 2), seed=seeds)
def test_conv_transpose2d_matches_the_plain_transposed_convolution(float64, case, channels, batch, seed):
    kernel, stride, padding, output_padding, size = case
    backend.seed(seed)
    layer = nn.ConvTranspose2d(channels[0], channels[1], kernel, stride, padding, output_padding)
    plain = plain_twin(layer, nn.PlainConvTranspose2d, channels[0], channels[1], kernel, stride, padding, output_padding)
    x = backend.rng().normal((batch, channels[0], *size))
    np.testing.assert_allclose(host(layer(x)), host(plain(x)), rtol=1e-10, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(stride=pairs(1, 3), multiple=pairs(1, 3), padding=pairs(0, 3), extra=pairs(0, 4),
       channels=st.integers(1, 3), seed=seeds)
def test_col2im_by_phase_matches_col2im_by_offset(float64, stride, multiple, padding, extra, channels, seed):
    """The fast path (the stride divides the kernel) against the loop over every kernel offset."""
    kernel = tuple(s * t for s, t in zip(stride, multiple))
    size = tuple(max(1, k + e - 2 * p) for k, e, p in zip(kernel, extra, padding))   # the kernel fits
    assume(all(s + 2 * p >= k for s, p, k in zip(size, padding, kernel)))
    oh, ow = (nn.conv.conv_output_size(s, k, st_, p) for s, k, st_, p in zip(size, kernel, stride, padding))
    backend.seed(seed)
    cols = backend.rng().normal((2 * oh * ow, kernel[0] * kernel[1] * channels))
    shape = (2, *size, channels)
    fast = conv_fast.col2im_by_phase(cols, shape, kernel, stride, padding)
    np.testing.assert_allclose(host(fast), host(conv_fast.col2im_by_offset(cols, shape, kernel, stride, padding)),
                               rtol=1e-12, atol=1e-12)


@settings(max_examples=30, deadline=None)
@given(stride=pairs(2, 3), multiple=pairs(1, 3), padding=pairs(0, 3), size=pairs(1, 5),
       channels=pairs(1, 4), seed=seeds)
def test_subpixel_transposed_convolution_matches_gemm_then_col2im(float64, stride, multiple, padding, size,
                                                                  channels, seed):
    """The sub-pixel path (the stride divides the kernel) against one GEMM and col2im, whatever the
    channel counts (the dispatcher uses it only where it is faster)."""
    kernel = tuple(s * t for s, t in zip(stride, multiple))
    out_size = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(size, stride, padding, kernel))
    assume(min(out_size) >= 1)
    (c_in, c_out), shape = channels, (2, *out_size, channels[1])
    backend.seed(seed)
    x = backend.rng().normal((2, *size, c_in))
    w = backend.rng().normal((c_in, kernel[0] * kernel[1] * c_out))
    fast = conv_fast.transposed_convolution_by_subpixel(x, w, shape, kernel, stride, padding)
    slow = conv_fast.col2im(x.reshape(-1, c_in) @ w, shape, kernel, stride, padding)
    np.testing.assert_allclose(host(fast), host(slow), rtol=1e-12, atol=1e-12)


def test_dcgan_transposed_convolution_matches_the_plain_one(float64):
    """DCGAN's kernel 4, stride 2, padding 1 (the sub-pixel path) on a rectangular input."""
    layer = nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1)
    plain = plain_twin(layer, nn.PlainConvTranspose2d, 3, 2, 4, 2, 1)
    x = backend.rng().normal((2, 3, 3, 5))
    np.testing.assert_allclose(host(layer(x)), host(plain(x)), rtol=1e-10, atol=1e-12)


# --- cache blocking: the batch in blocks gives the same numbers as one block ----------------
def test_batch_blocks_cover_the_batch_in_equal_blocks_within_the_budget(monkeypatch):
    monkeypatch.setattr(conv_fast, "BLOCK_BYTES", 1000)
    monkeypatch.setattr(backend, "name", "numpy")                          # (batch_blocks reads only the name)
    assert conv_fast.batch_blocks(7, 100) == (slice(0, 7),)                    # 700 bytes: one block
    blocks = conv_fast.batch_blocks(25, 100)                                    # 2500 bytes: 3 blocks of 9, 9, 7
    assert blocks == (slice(0, 9), slice(9, 18), slice(18, 25))
    assert conv_fast.batch_blocks(3, 5000) == (slice(0, 1), slice(1, 2), slice(2, 3))   # at least one sample
    monkeypatch.setattr(backend, "name", "cupy")
    assert conv_fast.batch_blocks(25, 100) == (slice(0, 25),)                   # a GPU wants one large matrix


@conftest.numpy_only
@settings(max_examples=15, deadline=None)
@given(case=conv_transpose_cases(), channels=pairs(1, 3), bias=st.booleans(), seed=seeds)
def test_layers_in_batch_blocks_match_one_block(float64, case, channels, bias, seed):
    """Forward, dL/dx and the parameter gradients with one sample per block against the whole batch
    at once, for Conv2d (with and without dL/dx) and ConvTranspose2d, the sub-pixel path included."""
    kernel, stride, padding, output_padding, size = case
    backend.seed(seed)
    layers = (nn.ConvTranspose2d(channels[0], channels[1], kernel, stride, padding, output_padding, bias=bias),
              nn.Conv2d(channels[0], channels[1], kernel, stride, padding, bias=bias))
    x = backend.rng().normal((5, channels[0], *(s * st_ + k for s, st_, k in zip(size, stride, kernel))))
    for layer in layers:
        results = []
        for block_bytes, input_grad in ((conv_fast.BLOCK_BYTES, True), (1, True), (1, False)):
            conv_fast.BLOCK_BYTES, saved = block_bytes, conv_fast.BLOCK_BYTES
            try:
                layer.zero_grad()
                y = layer(x)
                g = backend.rng().normal(y.shape) if not results else results[0][1]
                dx = backward_to(layer, g, input_grad)
            finally:
                conv_fast.BLOCK_BYTES = saved
            assert (len(layer._cache[-2]) == 5) == (block_bytes == 1)      # the blocks the layer used
            results.append((host(y), g, None if dx is None else host(dx),
                            [host(p.grad).copy() for p in layer.parameters()]))   # (grad buffers are reused)
        (y0, _, dx0, grads0), *blocked = results
        for y1, _, dx1, grads1 in blocked:
            np.testing.assert_allclose(y1, y0, rtol=1e-12, atol=1e-12)
            if dx1 is not None:
                np.testing.assert_allclose(dx1, dx0, rtol=1e-12, atol=1e-12)
            for a, b in zip(grads1, grads0):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


# --- backward against finite differences ---------------------------------------------------
@settings(max_examples=12, deadline=None)
@given(case=conv_cases(max_size=6), channels=pairs(1, 2), bias=st.booleans(), seed=seeds)
def test_conv2d_gradients_match_finite_differences(float64, case, channels, bias, seed):
    kernel, stride, padding, size = case
    backend.seed(seed)
    layer = nn.Conv2d(channels[0], channels[1], kernel, stride, padding, bias=bias)
    result = gradcheck.check_module(layer, backend.rng().normal((2, channels[0], *size)))
    assert result.max_error < TOL, result
    assert set(result.errors) == {"input", "weight"} | ({"bias"} if bias else set())


@settings(max_examples=12, deadline=None)
@given(case=conv_transpose_cases(max_size=3), channels=pairs(1, 2), bias=st.booleans(), seed=seeds)
def test_conv_transpose2d_gradients_match_finite_differences(float64, case, channels, bias, seed):
    kernel, stride, padding, output_padding, size = case
    backend.seed(seed)
    layer = nn.ConvTranspose2d(channels[0], channels[1], kernel, stride, padding, output_padding, bias=bias)
    result = gradcheck.check_module(layer, backend.rng().normal((2, channels[0], *size)))
    assert result.max_error < TOL, result
    assert set(result.errors) == {"input", "weight"} | ({"bias"} if bias else set())


@settings(max_examples=15, deadline=None)
@given(case=conv_cases(), channels=pairs(1, 3), seed=seeds)
def test_transposed_convolution_is_the_adjoint_of_convolution(float64, case, channels, seed):
    """<conv(x), y> = <x, conv_transpose(y)> for the same weight, no bias, and the output_padding
    that makes the transposed convolution return x's size."""
    kernel, stride, padding, size = case
    backend.seed(seed)
    conv = nn.Conv2d(channels[0], channels[1], kernel, stride, padding, bias=False)
    x = backend.rng().normal((2, channels[0], *size))
    y_shape = conv.output_shape(x.shape)
    output_padding = tuple(s + 2 * p - k - (o - 1) * st_ for s, p, k, o, st_
                           in zip(size, padding, kernel, y_shape[2:], stride))   # the rows the windows left out
    transpose = nn.ConvTranspose2d(channels[1], channels[0], kernel, stride, padding, output_padding, bias=False)
    transpose.weight.data[...] = conv.weight.data           # both (conv's out, conv's in, kh, kw)
    y = backend.rng().normal(y_shape)
    lhs, rhs = float((conv(x) * y).sum()), float((x * transpose(y)).sum())
    assert abs(lhs - rhs) <= 1e-10 * max(1.0, abs(lhs))


@pytest.mark.parametrize("conv_class, transpose_class", [(nn.Conv2d, nn.ConvTranspose2d),
                                                        (nn.PlainConv2d, nn.PlainConvTranspose2d)])
def test_conv_transpose2d_forward_is_conv2d_input_gradient(float64, conv_class, transpose_class):
    conv = conv_class(3, 4, (4, 3), stride=2, padding=1, bias=False)
    x = backend.rng().normal((2, 3, 8, 8))              # width: 8 + 2 - 3 = 7 is odd, the last column unread
    g = backend.rng().normal(conv.output_shape(x.shape))
    conv(x)
    transpose = transpose_class(4, 3, (4, 3), stride=2, padding=1, output_padding=(0, 1), bias=False)
    transpose.weight.data[...] = conv.weight.data
    np.testing.assert_allclose(host(transpose(g)), host(conv.backward(g)), rtol=1e-12, atol=1e-12)


# --- the skip-the-input-gradient protocol ---------------------------------------------------
def test_conv2d_without_input_grad_returns_none_and_the_same_parameter_gradients(float64):
    layer = nn.Conv2d(2, 3, 3, stride=2, padding=1)
    x = backend.rng().normal((4, 2, 7, 6))
    g = backend.rng().normal(layer.output_shape(x.shape))
    layer(x)
    full = layer.backward(g)
    grads = [host(p.grad).copy() for p in layer.parameters()]
    layer.zero_grad()
    layer(x)
    assert backward_to(layer, g, input_grad=False) is None
    for before, p in zip(grads, layer.parameters()):
        np.testing.assert_allclose(host(p.grad), before, rtol=1e-12)
    layer(x)
    np.testing.assert_allclose(host(backward_to(layer, g, slice(1, 2))), host(full)[:, 1:2], rtol=1e-12)
    assert layer.skips_input_grad and nn.module.is_rowwise(layer)


def test_frozen_conv_layers_return_input_gradients_but_leave_their_parameters_alone(float64):
    for layer in (nn.Conv2d(2, 3, 3), nn.ConvTranspose2d(2, 3, 3)):
        layer.requires_grad_(False)
        layer.zero_grad()
        x = backend.rng().normal((2, 2, 5, 5))
        y = layer(x)
        assert layer.backward(backend.xp.ones_like(y)).shape == x.shape
        assert all(float(abs(p.grad).max()) == 0 for p in layer.parameters())


# --- layout: what the user sees does not depend on memory order ----------------------------
def test_outputs_do_not_depend_on_the_input_memory_layout(float64):
    x = backend.rng().normal((3, 2, 6, 5))
    channels_last = backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    for layer in (nn.Conv2d(2, 4, 3, padding=1), nn.ConvTranspose2d(2, 4, 3, stride=2)):
        np.testing.assert_array_equal(host(layer(x)), host(layer(channels_last)))
        g = backend.rng().normal(layer(x).shape)
        dx = host(layer.backward(g))
        layer(channels_last)
        np.testing.assert_array_equal(host(layer.backward(g)), dx)


def test_pytorch_initialisation_bounds():
    conv, transpose = nn.Conv2d(3, 8, (4, 2)), nn.ConvTranspose2d(3, 8, (4, 2))
    assert conv.weight.shape == (8, 3, 4, 2) and transpose.weight.shape == (3, 8, 4, 2)
    assert conv.bias.shape == transpose.bias.shape == (8,)
    for layer, fan_in in ((conv, 3 * 8), (transpose, 8 * 8)):      # PyTorch: weight.shape[1] * kh * kw
        bound = 1 / np.sqrt(fan_in)
        for p in layer.parameters():
            values = host(p.data)
            assert values.dtype == np.float32 and np.abs(values).max() <= bound
            assert np.abs(values).max() > 0.7 * bound                 # uses the whole range, not a smaller one


def test_dcgan_shapes():
    x = backend.rng().normal((2, 1, 28, 28))
    h = nn.Conv2d(64, 128, 4, 2, 1)(nn.Conv2d(1, 64, 4, 2, 1)(x))
    assert h.shape == (2, 128, 7, 7)
    out = nn.ConvTranspose2d(64, 1, 4, 2, 1)(nn.ConvTranspose2d(128, 64, 4, 2, 1)(h))
    assert out.shape == (2, 1, 28, 28) and out.dtype == np.float32


# --- clear errors -------------------------------------------------------------------------
@pytest.mark.parametrize("make, match", [
    (lambda: nn.Conv2d(0, 3, 3), "in_channels must be a positive integer; got 0"),
    (lambda: nn.Conv2d(2, 3, 0), "kernel_size must be an integer >= 1"),
    (lambda: nn.Conv2d(2, 3, (3, 2, 1)), r"kernel_size .* got \(3, 2, 1\)"),
    (lambda: nn.Conv2d(2, 3, 3, stride=0), "stride must be an integer >= 1"),
    (lambda: nn.Conv2d(2, 3, 3, padding=-1), "padding must be an integer >= 0"),
    (lambda: nn.ConvTranspose2d(2, 3, 3, stride=2, output_padding=2),
     r"output_padding must be smaller than stride; got output_padding \(2, 2\), stride \(2, 2\)"),
    (lambda: nn.ConvTranspose2d(2, 3, 3, stride=(2, 3), output_padding=(1, 3)), "smaller than stride"),
])
def test_bad_constructor_arguments_are_errors_that_name_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_are_errors_that_name_the_layer_and_the_shapes():
    conv = nn.Conv2d(2, 3, 5, padding=1)
    with pytest.raises(ValueError, match=r"Conv2d: input must be a 4-D array \(N, C, H, W\); got shape \(2, 8\)"):
        conv(backend.rng().normal((2, 8)))
    with pytest.raises(ValueError, match=r"Conv2d: input must have 2 channels .* got shape \(1, 3, 8, 8\)"):
        conv(backend.rng().normal((1, 3, 8, 8)))
    with pytest.raises(ValueError, match=r"kernel height 5 is larger than the padded input height 2 \+ 2\*1 = 4"):
        conv(backend.rng().normal((1, 2, 2, 8)))
    with pytest.raises(TypeError, match="Conv2d: input must be a floating array; got dtype int64"):
        conv(backend.xp.ones((1, 2, 8, 8), dtype=backend.xp.int64))
    with pytest.raises(ValueError, match="height and width must be positive"):
        conv(backend.xp.ones((1, 2, 0, 8), dtype=backend.dtype))
    transpose = nn.ConvTranspose2d(2, 3, 1, padding=1)
    with pytest.raises(ValueError, match=r"ConvTranspose2d: output height .* = -1 is not positive"):
        transpose(backend.rng().normal((1, 2, 1, 4)))


def test_backward_before_forward_and_a_misshapen_gradient_are_errors():
    for layer in (nn.Conv2d(2, 3, 3), nn.ConvTranspose2d(2, 3, 3)):
        with pytest.raises(RuntimeError, match=f"{type(layer).__name__}.backward was called before forward"):
            layer.backward(backend.rng().normal((1, 3, 4, 4)))
        y = layer(backend.rng().normal((1, 2, 6, 6)))
        with pytest.raises(ValueError, match=re.escape(f"must have the output's shape {tuple(y.shape)}; got (1, 3, 5, 5)")):
            layer.backward(backend.rng().normal((1, 3, 5, 5)))


# --- the strict NumPy (CuPy's refusal to mix host arrays) -----------------------------------
def test_a_small_dcgan_runs_forward_backward_and_saves_on_the_strict_backend(strict_backend):
    generator = nn.Sequential(nn.Linear(4, 8 * 3 * 3), nn.BatchNorm1d(72), nn.ReLU(),
                              nn.Unflatten(1, (8, 3, 3)),
                              nn.ConvTranspose2d(8, 4, 4, 2, 1), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.ConvTranspose2d(4, 1, 4, 2, 1), nn.Tanh())
    discriminator = nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(4, 8, 4, 2, 1),
                                  nn.BatchNorm2d(8), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(72, 1))
    fake = generator(backend.rng().normal((5, 4)))
    assert fake.shape == (5, 1, 12, 12)
    out = discriminator(fake)
    generator.backward(discriminator.backward(backend.xp.ones_like(out)))
    assert backward_to(discriminator, backend.xp.ones_like(discriminator(fake)), input_grad=False) is None
    generator.eval()
    generator(backend.rng().normal((1, 4)))
    state = generator.state_dict()
    assert type(state["layers.5.running_var"]) is np.ndarray
    assert type(generator.to("float64").layers[1].running_mean) is strict_backend.StrictArray


# --- PyTorch, where it is installed ---------------------------------------------------------
@pytest.mark.parametrize("kernel, stride, padding, output_padding, size", [
    ((4, 4), (2, 2), (1, 1), (0, 0), (7, 7)),          # DCGAN's layer
    ((3, 2), (1, 3), (2, 0), (0, 2), (5, 6)),
    ((1, 5), (3, 2), (0, 3), (1, 1), (4, 3)),
])
def test_conv_layers_match_pytorch(float64, kernel, stride, padding, output_padding, size):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x = backend.rng().normal((2, 3, *size))
    for layer, fn, kwargs in ((nn.Conv2d(3, 4, kernel, stride, padding), F.conv2d, {}),
                              (nn.PlainConv2d(3, 4, kernel, stride, padding), F.conv2d, {}),
                              (nn.ConvTranspose2d(3, 4, kernel, stride, padding, output_padding), F.conv_transpose2d,
                               {"output_padding": output_padding}),
                              (nn.PlainConvTranspose2d(3, 4, kernel, stride, padding, output_padding),
                               F.conv_transpose2d, {"output_padding": output_padding})):
        tx, tw, tb = (torch.tensor(host(a), requires_grad=True)
                      for a in (x, layer.weight.data, layer.bias.data))
        ty = fn(tx, tw, tb, stride=stride, padding=padding, **kwargs)
        y = layer(x)
        np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = backend.rng().normal(y.shape)
        ty.backward(torch.tensor(host(g)))
        layer.zero_grad()
        np.testing.assert_allclose(host(layer.backward(g)), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(host(layer.weight.grad), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(host(layer.bias.grad), tb.grad.numpy(), rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(case=conv_transpose_cases(), channels=pairs(1, 3), batch=st.integers(1, 3), seed=seeds)
def test_plain_layers_match_pytorch_on_random_shapes(float64, case, channels, batch, seed):
    """The plain layers (what the fast ones are tested against) against PyTorch, forward and backward."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    kernel, stride, padding, output_padding, size = case
    backend.seed(seed)
    conv_size = tuple(max(n, k - 2 * p) for n, k, p in zip(size, kernel, padding))     # the kernel fits
    for layer, fn, kwargs, x_size in (
            (nn.PlainConv2d(*channels, kernel, stride, padding), F.conv2d, {}, conv_size),
            (nn.PlainConvTranspose2d(*channels, kernel, stride, padding, output_padding), F.conv_transpose2d,
             {"output_padding": output_padding}, size)):
        x = backend.rng().normal((batch, channels[0], *x_size))
        tx, tw, tb = (torch.tensor(host(a), requires_grad=True) for a in (x, layer.weight.data, layer.bias.data))
        ty = fn(tx, tw, tb, stride=stride, padding=padding, **kwargs)
        y = layer(x)
        np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
        g = backend.rng().normal(y.shape)
        ty.backward(torch.tensor(host(g)))
        np.testing.assert_allclose(host(layer.backward(g)), tx.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(host(layer.weight.grad), tw.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(host(layer.bias.grad), tb.grad.numpy(), rtol=1e-10, atol=1e-12)
