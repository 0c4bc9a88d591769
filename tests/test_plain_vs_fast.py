"""Every fast path against its plain version, and the plain versions against finite differences.

The plain classes (``nn.PlainConv2d``, ``nn.PlainConvTranspose2d``, ``nn.PlainBatchNorm1d/2d``,
``nn.PlainLeakyReLU``, ``nn.PlainParameter``, ``optim.PlainAdam``) are what the docs derive; the fast
classes must compute the same numbers: forward, dL/dx, every parameter gradient, running statistics,
Adam's parameters and moments, on random shapes, in float64, to 1e-10 relative to each array's largest
entry (``gradcheck.relative_error``). Only rounding separates them: the fast paths add in other orders
(blocks, phases, einsum, m~ = m / (1 - b1)), a few units in the last place of each sum.

The suite's second run (MINIGAN_BACKEND=cupy with benchmarks/rehearsal's stand-in) runs this file on
CuPy's code paths, the plain classes included.
"""
import contextlib

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, nn, optim
from minigan.gan import GAN
from minigan.nn import conv_fast
from minigan.nn.module import backward_to

RTOL = 1e-10
seeds = st.integers(0, 2**16)
pairs = lambda lo, hi: st.tuples(st.integers(lo, hi), st.integers(lo, hi))   # noqa: E731


def host(a):
    return backend.to_numpy(a)


def assert_same(fast, plain, what=""):
    """max |fast - plain| <= RTOL * the largest |entry| of either (exact zeros must match exactly)."""
    assert fast is not None and plain is not None, what
    assert tuple(fast.shape) == tuple(plain.shape), what
    error = gradcheck.relative_error(host(fast), host(plain), tiny=1e-300)
    assert error <= RTOL, f"{what}: relative error {error:.2e}"


@contextlib.contextmanager
def block_bytes(limit):
    """Convolutions in batch blocks of at most ``limit`` bytes of windows (1: one sample a block)."""
    saved, conv_fast.BLOCK_BYTES = conv_fast.BLOCK_BYTES, limit
    try:
        yield
    finally:
        conv_fast.BLOCK_BYTES = saved


def plain_twin(fast, plain_class, *args, **kwargs):
    """A ``plain_class`` layer with the fast layer's parameters and buffers."""
    plain = plain_class(*args, **kwargs)
    for (name, p), q in zip(fast.named_parameters(), plain.parameters()):
        q.data[...] = p.data
    for name in fast.buffer_names:
        getattr(plain, name)[...] = getattr(fast, name)
    return plain


def run(layer, x, g, input_grad=True):
    """Forward, then backward_to with ``input_grad``: (y, dL/dx or None, [parameter gradients])."""
    layer.zero_grad()
    y = layer(x)
    dx = backward_to(layer, g, input_grad)
    return y, dx, [p.grad.copy() for p in layer.parameters()]


def assert_same_pass(fast, plain, x, g, input_grad=True):
    (y1, dx1, grads1), (y0, dx0, grads0) = run(fast, x, g, input_grad), run(plain, x, g, input_grad)
    assert_same(y1, y0, "forward")
    assert (dx1 is None) == (dx0 is None) == (input_grad is False)
    if dx1 is not None:
        assert_same(dx1, dx0, "dL/dx")
    for (name, _), a, b in zip(fast.named_parameters(), grads1, grads0):
        assert_same(a, b, f"dL/d{name}")


# -- convolutions ----------------------------------------------------------------------------
@st.composite
def conv_transpose_cases(draw):
    """Kernel, stride, padding, output_padding, input size: any, or with the stride dividing the kernel
    (the fast paths' col2im by phase and sub-pixel transposed convolution)."""
    stride = draw(pairs(1, 3))
    if draw(st.booleans()):
        kernel = tuple(s * draw(st.integers(1, 3)) for s in stride)
    else:
        kernel = draw(pairs(1, 6))
    padding, size = draw(pairs(0, 3)), draw(pairs(1, 5))
    output_padding = tuple(draw(st.integers(0, s - 1)) for s in stride)
    assume(all((n - 1) * s - 2 * p + k + op >= 1
               for n, s, p, k, op in zip(size, stride, padding, kernel, output_padding)))
    return kernel, stride, padding, output_padding, size


input_grads = st.sampled_from([True, False, slice(1, None), slice(0, 1)])
#: 1: one sample a block; 3000: a few samples a block at these sizes; 2**40: the whole batch
block_limits = st.sampled_from([1, 3000, 1 << 40])


@settings(max_examples=40, deadline=None)
@given(case=conv_transpose_cases(), channels=pairs(1, 4), batch=st.integers(1, 6), bias=st.booleans(),
       input_grad=input_grads, limit=block_limits, seed=seeds)
def test_conv2d_matches_plain_conv2d(float64, case, channels, batch, bias, input_grad, limit, seed):
    kernel, stride, padding, _, size = case
    size = tuple(max(n, k - 2 * p) for n, k, p in zip(size, kernel, padding))     # the kernel fits
    backend.seed(seed)
    fast = nn.Conv2d(*channels, kernel, stride, padding, bias=bias)
    plain = plain_twin(fast, nn.PlainConv2d, *channels, kernel, stride, padding, bias=bias)
    x = backend.rng().normal((batch, channels[0], *size))
    g = backend.rng().normal(fast.output_shape(x.shape))
    with block_bytes(limit):
        assert_same_pass(fast, plain, x, g, input_grad)


@settings(max_examples=40, deadline=None)
@given(case=conv_transpose_cases(), channels=pairs(1, 4), batch=st.integers(1, 6), bias=st.booleans(),
       limit=block_limits, seed=seeds)
def test_conv_transpose2d_matches_plain_conv_transpose2d(float64, case, channels, batch, bias, limit, seed):
    kernel, stride, padding, output_padding, size = case
    backend.seed(seed)
    fast = nn.ConvTranspose2d(*channels, kernel, stride, padding, output_padding, bias=bias)
    plain = plain_twin(fast, nn.PlainConvTranspose2d, *channels, kernel, stride, padding, output_padding, bias=bias)
    x = backend.rng().normal((batch, channels[0], *size))
    g = backend.rng().normal(fast.output_shape(x.shape))
    with block_bytes(limit):
        assert_same_pass(fast, plain, x, g)


def test_dcgan_layers_in_several_blocks_match_the_plain_layers(float64):
    """DCGAN's layers (kernel 4, stride 2, padding 1) at batch 40, in blocks of at most 256 KB on NumPy."""
    for fast, plain_class, args, x_shape in [
            (nn.Conv2d(1, 64, 4, 2, 1), nn.PlainConv2d, (1, 64, 4, 2, 1), (40, 1, 28, 28)),
            (nn.Conv2d(64, 128, 4, 2, 1), nn.PlainConv2d, (64, 128, 4, 2, 1), (40, 64, 14, 14)),
            (nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.PlainConvTranspose2d, (128, 64, 4, 2, 1), (40, 128, 7, 7)),
            (nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.PlainConvTranspose2d, (64, 1, 4, 2, 1), (40, 64, 14, 14))]:
        plain = plain_twin(fast, plain_class, *args)
        x = backend.rng().normal(x_shape)
        g = backend.rng().normal(fast.output_shape(x_shape))
        with block_bytes(1 << 18):
            assert_same_pass(fast, plain, x, g)
        assert backend.name == "cupy" or len(fast._cache[-2]) > 1           # it did run in several blocks


# -- batch norm ------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(kind=st.sampled_from(["1d", "2d"]), batch=st.integers(3, 6), channels=st.integers(1, 4),
       size=pairs(1, 4), channels_last=st.booleans(), momentum=st.floats(0, 1), seed=seeds)
def test_batch_norm_matches_plain_batch_norm(float64, kind, batch, channels, size, channels_last, momentum, seed):
    """Two training steps then one in eval mode: outputs, dL/dx, dL/dgamma, dL/dbeta and the running
    statistics. Channels-last input takes the fast path's matrix-vector sums. At least 3 values per
    channel: with 2, x_hat is +-1 whatever x is and dL/dx is O(eps), all rounding (see test_batchnorm.py)."""
    backend.seed(seed)
    fast_class, plain_class = ((nn.BatchNorm1d, nn.PlainBatchNorm1d) if kind == "1d"
                               else (nn.BatchNorm2d, nn.PlainBatchNorm2d))
    fast = fast_class(channels, momentum=momentum)
    fast.weight.data[...] = 1 + 0.5 * backend.rng().normal((channels,))
    fast.bias.data[...] = backend.rng().normal((channels,))
    plain = plain_twin(fast, plain_class, channels, momentum=momentum)
    shape = (batch, channels) if kind == "1d" else (batch, channels, *size)
    for training in (True, True, False):
        fast.train(training), plain.train(training)
        x = 3 + 2 * backend.rng().normal(shape)
        if channels_last and kind == "2d":
            x = backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        assert_same_pass(fast, plain, x, backend.rng().normal(shape))
        assert_same(fast.running_mean, plain.running_mean, "running_mean")
        assert_same(fast.running_var, plain.running_var, "running_var")


# -- LeakyReLU -------------------------------------------------------------------------------
@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 5), min_size=1, max_size=4), slope=st.floats(0, 0.99), seed=seeds)
def test_leaky_relu_matches_plain_leaky_relu(float64, shape, slope, seed):
    backend.seed(seed)
    x = backend.rng().normal(tuple(shape))
    x = x * (backend.rng().random(x.shape) > 0.2)                 # some exact zeros: the slope there is alpha
    assert_same_pass(nn.LeakyReLU(slope), nn.PlainLeakyReLU(slope), x, backend.rng().normal(x.shape))


def test_leaky_relus_take_the_slope_at_zero_and_keep_float32():
    for layer in (nn.LeakyReLU(0.2), nn.PlainLeakyReLU(0.2)):
        y = layer(backend.asarray([[-3.0, 0.0, 2.0]]))
        dx = layer.backward(backend.asarray([[1.0, 1.0, 1.0]]))
        assert y.dtype == np.float32 and dx.dtype == np.float32
        np.testing.assert_allclose(host(dx), [[0.2, 0.2, 1.0]], rtol=1e-6)


# -- Parameter ------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(ops=st.lists(st.sampled_from(["clear", "product", "add", "read"]), min_size=1, max_size=8), seed=seeds)
def test_lazily_zeroed_parameter_matches_plain_parameter(float64, ops, seed):
    """Any sequence of clear_grad, accumulate_product, grad += and reads gives the plain gradient."""
    backend.seed(seed)
    data = backend.rng().normal((3, 4))
    lazy, plain = nn.Parameter(data.copy()), nn.PlainParameter(data.copy())
    for op in ops:
        a, b, c = backend.rng().normal((5, 3)), backend.rng().normal((5, 4)), backend.rng().normal((3, 4))
        for p in (lazy, plain):
            if op == "clear":
                p.clear_grad()
            elif op == "product":
                p.accumulate_product(a.T, b)
            elif op == "add":
                p.grad += c
        np.testing.assert_array_equal(host(lazy.grad), host(plain.grad))


def test_modules_and_optimizers_take_both_kinds_of_parameter():
    layer = nn.Linear(3, 2)
    layer.bias = nn.PlainParameter(layer.bias.data)               # one plain, one lazy
    assert [type(p).__name__ for p in layer.parameters()] == ["Parameter", "PlainParameter"]
    opt = optim.SGD(layer.parameters(), lr=0.1)
    layer(backend.rng().normal((4, 3))), layer.backward(backend.rng().normal((4, 2)))
    opt.zero_grad()
    assert float(abs(opt.flat_grad()).max()) == 0
    assert isinstance(nn.Conv2d(1, 1, 1).weight, nn.Parameter)
    assert type(nn.PlainConv2d(1, 1, 1).weight) is nn.PlainParameter


# -- Adam -----------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(shapes=st.lists(st.lists(st.integers(1, 6), min_size=1, max_size=3), min_size=1, max_size=4),
       steps=st.integers(1, 6), lr=st.floats(1e-4, 0.1), b1=st.floats(0, 0.99), b2=st.floats(0, 0.999),
       eps=st.sampled_from([0.0, 1e-8, 1e-3]), block=st.sampled_from([3, 16, 1 << 16]), seed=seeds)
def test_adam_matches_plain_adam(float64, shapes, steps, lr, b1, b2, eps, block, seed):
    """Parameters and PyTorch's moments after every step, the flat buffers in several blocks or one."""
    backend.seed(seed)
    start = [backend.rng().normal(tuple(s)) for s in shapes]
    fast_params = [nn.Parameter(a.copy()) for a in start]
    plain_params = [nn.PlainParameter(a.copy()) for a in start]
    fast = optim.Adam(fast_params, lr=lr, betas=(b1, b2), eps=eps)
    fast.block_size = block
    plain = optim.PlainAdam(plain_params, lr=lr, betas=(b1, b2), eps=eps)
    for _ in range(steps):
        for opt, params in ((fast, fast_params), (plain, plain_params)):
            opt.zero_grad()
        for p, q in zip(fast_params, plain_params):
            g = backend.rng().normal(p.shape)
            p.grad += g
            q.grad += g
        fast.step(), plain.step()
        for p, q in zip(fast_params, plain_params):
            assert_same(p.data, q.data, "parameter")
        assert_same(fast.m, backend.xp.concatenate([m.ravel() for m in plain.m]), "m")
        assert_same(fast.v, backend.xp.concatenate([v.ravel() for v in plain.v]), "v")
    assert fast.t == plain.t == steps
    assert_same(fast.grad, plain.grad, "flat gradient")
    assert_same(fast.data, plain.data, "flat parameters")


def test_adam_and_plain_adam_load_each_others_state(float64):
    def make(cls):
        backend.seed(0)
        net = nn.Linear(3, 2)
        return net, cls(net.parameters(), lr=0.01, betas=(0.8, 0.99))

    def step(net, opt, g):
        opt.zero_grad()
        net.weight.grad += g
        opt.step()

    grads = [backend.rng().normal((3, 2)) for _ in range(4)]
    for source_class, target_class in ((optim.Adam, optim.PlainAdam), (optim.PlainAdam, optim.Adam)):
        net_a, opt_a = make(source_class)
        for g in grads[:3]:
            step(net_a, opt_a, g)
        state = opt_a.state_dict()
        assert {"lr", "betas", "eps", "t", "m", "v"} <= set(state)
        net_b, opt_b = make(target_class)
        net_b.load_state_dict(net_a.state_dict())
        opt_b.load_state_dict(state)
        step(net_a, opt_a, grads[3]), step(net_b, opt_b, grads[3])
        assert opt_b.t == 4
        for p, q in zip(net_a.parameters(), net_b.parameters()):
            assert_same(p.data, q.data, f"{source_class.__name__} -> {target_class.__name__}")


def test_plain_adam_rejects_a_state_of_another_size():
    opt = optim.PlainAdam(nn.Linear(3, 2).parameters())
    state = optim.Adam(nn.Linear(4, 2).parameters()).state_dict()
    with pytest.raises(ValueError, match=r"'m' has shape \(10,\), the optimizer has \(8,\)"):
        opt.load_state_dict(state)


# -- the plain versions are what the docs derive: finite differences --------------------------
@settings(max_examples=12, deadline=None)
@given(case=conv_transpose_cases(), channels=pairs(1, 2), bias=st.booleans(), transpose=st.booleans(), seed=seeds)
def test_plain_convolutions_match_finite_differences(float64, case, channels, bias, transpose, seed):
    kernel, stride, padding, output_padding, size = case
    backend.seed(seed)
    if transpose:
        layer = nn.PlainConvTranspose2d(*channels, kernel, stride, padding, output_padding, bias=bias)
    else:
        size = tuple(max(n, k - 2 * p) for n, k, p in zip(size, kernel, padding))
        layer = nn.PlainConv2d(*channels, kernel, stride, padding, bias=bias)
    result = gradcheck.check_module(layer, backend.rng().normal((2, channels[0], *size)))
    assert result.max_error < 1e-6, result
    assert set(result.errors) == {"input", "weight"} | ({"bias"} if bias else set())


@settings(max_examples=12, deadline=None)
@given(kind=st.sampled_from(["1d", "2d"]), training=st.booleans(), batch=st.integers(3, 5),
       channels=st.integers(1, 3), size=pairs(1, 3), seed=seeds)
def test_plain_batch_norm_matches_finite_differences(float64, kind, training, batch, channels, size, seed):
    """(batch >= 3: with two values per channel x_hat is +-1 whatever x is, see test_batchnorm.py)"""
    backend.seed(seed)
    layer = nn.PlainBatchNorm1d(channels) if kind == "1d" else nn.PlainBatchNorm2d(channels)
    layer.weight.data[...] = 1 + 0.5 * backend.rng().normal((channels,))
    layer.bias.data[...] = backend.rng().normal((channels,))
    layer.running_mean[...] = backend.rng().normal((channels,))
    layer.running_var[...] = 0.5 + backend.rng().random((channels,))
    layer.train(training)
    shape = (batch, channels) if kind == "1d" else (batch, channels, *size)
    result = gradcheck.check_module(layer, backend.rng().normal(shape))
    assert result.max_error < 1e-6, result
    assert set(result.errors) == {"input", "weight", "bias"}


def test_plain_leaky_relu_matches_finite_differences(float64):
    x = backend.rng().normal((4, 5))
    x += backend.xp.sign(x) * 0.1                  # away from the kink at 0
    result = gradcheck.check_module(nn.PlainLeakyReLU(0.2), x)
    assert result.max_error < 1e-6, result


# -- whole networks ----------------------------------------------------------------------------
def small_dcgan():
    """DCGAN's layers, small. No bias before a batch norm (as DCGAN): its gradient is 0 but for rounding."""
    G = nn.Sequential(nn.Linear(4, 8 * 3 * 3, bias=False), nn.BatchNorm1d(72), nn.ReLU(), nn.Unflatten(1, (8, 3, 3)),
                      nn.ConvTranspose2d(8, 4, 4, 2, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                      nn.ConvTranspose2d(4, 1, 4, 2, 1), nn.Tanh())
    D = nn.Sequential(nn.Conv2d(1, 4, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(4, 8, 4, 2, 1, bias=False),
                      nn.BatchNorm2d(8), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(72, 1))
    return G, D


def test_plain_copy_computes_the_same_network_the_plain_way(float64):
    G, D = small_dcgan()
    net = nn.Sequential(G, D)
    plain = nn.plain_copy(net)
    kinds = {type(m).__name__ for m in plain.modules()}
    assert {"PlainConv2d", "PlainConvTranspose2d", "PlainBatchNorm1d", "PlainBatchNorm2d", "PlainLeakyReLU"} <= kinds
    assert not kinds & {"Conv2d", "ConvTranspose2d", "BatchNorm1d", "BatchNorm2d", "LeakyReLU"}
    assert all(type(p) is nn.PlainParameter for p in plain.parameters())
    assert list(plain.state_dict()) == list(net.state_dict())
    z = backend.rng().normal((5, 4))
    assert_same_pass(net, plain, z, backend.rng().normal((5, 1)))
    for (name, a), b in zip(net.state_dict().items(), plain.state_dict().values()):
        assert_same(a, b, name)                                 # the running statistics moved alike
    before = host(net.layers[1].layers[0].weight.data).copy()
    plain.layers[1].layers[0].weight.data += 1                    # a copy: the original is left alone
    np.testing.assert_array_equal(host(net.layers[1].layers[0].weight.data), before)


def test_a_gan_trains_alike_with_plain_layers_and_plain_adam(float64):
    """Three steps of a small DCGAN: plain layers with PlainAdam against the fast ones with Adam
    (GAN reads each optimizer's flat ``grad`` and ``data``: PlainAdam gives them as copies)."""
    results = []
    for plain in (False, True):
        backend.seed(3)
        G, D = small_dcgan()
        if plain:
            G, D = nn.plain_copy(G), nn.plain_copy(D)
        adam = optim.PlainAdam if plain else optim.Adam
        gan = GAN(G, D, adam(G.parameters(), lr=0.01, betas=(0.5, 0.999)), adam(D.parameters(), lr=0.01, betas=(0.5, 0.999)),
                  noise_dim=4, logits=True, log_every=1)
        rng = backend.Random(9)
        for _ in range(3):
            gan.train_step(iter([rng.uniform(-1.0, 1.0, (6, 1, 12, 12))]))
        results.append(([host(p.data) for p in G.parameters() + D.parameters()], gan.history))
    (w_fast, h_fast), (w_plain, h_plain) = results
    for a, b in zip(w_fast, w_plain):
        assert_same(a, b, "weights after 3 steps")
    for key in h_fast:
        np.testing.assert_allclose(h_plain[key], h_fast[key], rtol=RTOL)
