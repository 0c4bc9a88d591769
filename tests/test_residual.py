"""Residual and ResidualBlock: y = x + f(x), the backward's g + f's input gradient, gradients that survive
depth, CycleGAN's block against PyTorch, and clear errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, losses, nn
from minigan.nn.module import backward_to, is_rowwise

from layer_contract import check_backward_guards

TOL = 1e-6
seeds = st.integers(0, 2**16)


def host(a):
    return backend.to_numpy(a)


def dense_branch(features):
    return nn.Sequential(nn.Linear(features, features), nn.Tanh())


# --- forward and backward -----------------------------------------------------------------
def test_residual_adds_the_branch_output_to_its_input():
    branch = dense_branch(4)
    block = nn.Residual(branch)
    x = backend.rng().normal((3, 4))
    np.testing.assert_allclose(host(block(x)), host(x) + host(branch(x)), rtol=1e-6)


def test_residual_backward_is_g_plus_the_branchs_input_gradient(float64):
    block = nn.Residual(nn.Linear(4, 4))
    x, g = backend.rng().normal((3, 4)), backend.rng().normal((3, 4))
    block(x)
    w = host(block.branch.weight.data)
    np.testing.assert_allclose(host(block.backward(g)), host(g) + host(g) @ w.T, rtol=1e-12)


def test_a_branch_that_outputs_zero_passes_the_gradient_through_unchanged():
    """The identity path alone: a dead branch (all weights 0) still hands g to the layer below."""
    linear = nn.Linear(5, 5)
    linear.weight.data[...] = 0
    linear.bias.data[...] = 0
    block = nn.Residual(nn.Sequential(linear, nn.ReLU()))
    x, g = backend.rng().normal((2, 5)), backend.rng().normal((2, 5))
    np.testing.assert_array_equal(host(block(x)), host(x))
    np.testing.assert_array_equal(host(block.backward(g)), host(g))


def test_an_identity_branch_doubles_the_gradient_without_aliasing_it():
    """An empty Sequential returns g itself: the block must return a new array 2g and leave g alone."""
    block = nn.Residual(nn.Sequential())
    x, g = backend.rng().normal((2, 3)), backend.rng().normal((2, 3))
    g_before = host(g).copy()
    np.testing.assert_array_equal(host(block(x)), 2 * host(x))
    np.testing.assert_array_equal(host(block.backward(g)), 2 * g_before)
    np.testing.assert_array_equal(host(g), g_before)


@settings(max_examples=10, deadline=None)
@given(batch=st.integers(1, 4), features=st.integers(1, 4), seed=seeds)
def test_residual_gradients_match_finite_differences(float64, batch, features, seed):
    backend.seed(seed)
    block = nn.Residual(dense_branch(features)).to("float64")
    result = gradcheck.check_module(block, backend.rng().normal((batch, features)), seed=seed + 1)
    assert result.max_error < TOL, result
    assert set(result.errors) == {"input", "branch.layers.0.weight", "branch.layers.0.bias"}


@settings(max_examples=6, deadline=None)
@given(batch=st.integers(1, 2), channels=st.integers(1, 2), size=st.tuples(st.integers(2, 4), st.integers(2, 4)),
       seed=seeds)
def test_residual_block_gradients_match_finite_differences(float64, batch, channels, size, seed):
    backend.seed(seed)
    block = nn.ResidualBlock(channels).to("float64")
    # dL/dy = R from the stream seed + 2, not x's own (see test_instance_norm.py)
    result = gradcheck.check_module(block, backend.rng().normal((batch, channels, *size)), seed=seed + 1)
    assert result.max_error < TOL, result
    assert set(result.errors) == {"input", "branch.layers.1.weight", "branch.layers.5.weight"}


def test_the_gradient_survives_a_deep_residual_stack_and_vanishes_in_the_plain_one(float64):
    """Forty small branches f_k (Linear with weights ~0.05, Tanh). Chained plainly, dL/dx is a product of
    forty Jacobians J_k, each shrinking g: it vanishes. Chained as residual blocks each factor is I + J_k
    and the identity carries g through: dL/dx stays the size of g."""
    depth, width = 40, 8
    branches = []
    for _ in range(depth):
        branch = dense_branch(width)
        branch.layers[0].weight.data[...] = 0.05 * backend.rng().normal((width, width))
        branches.append(branch)
    plain = nn.Sequential(*branches)
    residual = nn.Sequential(*[nn.Residual(b) for b in branches])
    x, g = backend.rng().normal((4, width)), backend.rng().normal((4, width))
    norm = float(np.linalg.norm(host(g)))
    plain(x)
    residual(x)
    plain_ratio = float(np.linalg.norm(host(plain.backward(g)))) / norm
    residual_ratio = float(np.linalg.norm(host(residual.backward(g)))) / norm
    assert plain_ratio < 1e-20
    assert 0.2 < residual_ratio < 5


# --- input_grad and row-wise --------------------------------------------------------------
def test_input_grad_false_accumulates_the_branchs_gradients_and_returns_none(float64):
    x, g = backend.rng().normal((3, 4)), backend.rng().normal((3, 4))
    full, skip = nn.Residual(dense_branch(4)), nn.Residual(dense_branch(4))
    skip.load_state_dict(full.state_dict())
    full(x)
    skip(x)
    dx = full.backward(g)
    assert backward_to(skip, g, input_grad=False) is None
    for (name, a), (_, b) in zip(full.named_parameters(), skip.named_parameters()):
        np.testing.assert_allclose(host(b.grad), host(a.grad), rtol=1e-12, err_msg=name)
    skip(x)
    np.testing.assert_allclose(host(backward_to(skip, g, input_grad=slice(1, 3))), host(dx)[:, 1:3], rtol=1e-12)


def test_residual_is_rowwise_exactly_when_its_branch_is():
    assert nn.Residual(nn.Linear(2, 2)).rowwise and is_rowwise(nn.Residual(nn.Linear(2, 2)))
    assert not nn.Residual(nn.BatchNorm1d(2)).rowwise and not is_rowwise(nn.Residual(nn.BatchNorm1d(2)))
    assert is_rowwise(nn.ResidualBlock(2))


def test_a_residual_block_treats_each_image_alone():
    block = nn.ResidualBlock(2)
    a, b = backend.rng().normal((2, 2, 4, 4)), 3 * backend.rng().normal((1, 2, 4, 4))
    together = host(block(backend.xp.concatenate([a, b])))
    np.testing.assert_allclose(together, np.concatenate([host(block(a)), host(block(b))]), rtol=1e-5, atol=1e-5)


# --- CycleGAN's block ---------------------------------------------------------------------
def test_residual_block_is_cyclegans_pad_conv_norm_relu_pad_conv_norm():
    block = nn.ResidualBlock(3)
    kinds = [type(m).__name__ for m in block.branch.layers]
    assert kinds == ["ReflectionPad2d", "Conv2d", "InstanceNorm2d", "ReLU", "ReflectionPad2d", "Conv2d",
                     "InstanceNorm2d"]
    assert [name for name, _ in block.named_parameters()] == ["branch.layers.1.weight", "branch.layers.5.weight"]
    x = backend.rng().normal((2, 3, 5, 4))
    assert block(x).shape == x.shape


def test_a_convolution_bias_before_instance_norm_is_cancelled_which_is_why_the_block_has_none(float64):
    """Instance norm subtracts each channel's mean, so the conv's per-channel bias never reaches the
    output and its gradient is 0 (up to rounding): a parameter that could never learn."""
    conv, norm = nn.Conv2d(2, 3, 3).to("float64"), nn.InstanceNorm2d(3)
    x = backend.rng().normal((2, 2, 5, 5))
    y = host(norm(conv(x))).copy()
    conv.bias.data[...] += 10.0
    np.testing.assert_allclose(host(norm(conv(x))), y, atol=1e-9)
    conv.zero_grad()
    conv.backward(norm.backward(backend.rng().normal(y.shape)))
    assert float(abs(conv.bias.grad).max()) < 1e-12 < float(abs(conv.weight.grad).max())


def test_residual_block_state_dict_round_trip():
    block = nn.ResidualBlock(2)
    fresh = nn.ResidualBlock(2)
    fresh.load_state_dict(block.state_dict())
    x = backend.rng().normal((1, 2, 3, 3))
    np.testing.assert_array_equal(host(fresh(x)), host(block(x)))


def test_cyclegans_layers_and_losses_mix_no_plain_numpy_into_backend_math(strict_backend):
    """The strict NumPy refuses implicit NumPy conversions as CuPy does: the GPU path, checked on a CPU."""
    net = nn.Sequential(nn.ResidualBlock(2), nn.InstanceNorm2d(2, affine=True), nn.ReflectionPad2d((1, 0, 2, 1)))
    y = net(backend.rng().normal((2, 2, 4, 4)))
    for loss_fn in (losses.L1Loss(), losses.MSELoss()):
        assert np.isfinite(float(loss_fn(y, backend.xp.zeros_like(y))))
        dx = net.backward(loss_fn.backward())
        assert type(dx) is strict_backend.StrictArray and dx.shape == (2, 2, 4, 4)


# --- clear errors ---------------------------------------------------------------------------
def test_bad_branches_and_inputs_are_errors_that_name_the_block():
    with pytest.raises(TypeError, match="Residual: branch must be a Module; got function"):
        nn.Residual(lambda x: x)
    with pytest.raises(ValueError, match=re.escape("Residual: the branch must return its input's shape (3, 4) to be "
                                                   "added to it; Linear returned (3, 2)")):
        nn.Residual(nn.Linear(4, 2))(backend.rng().normal((3, 4)))
    with pytest.raises(TypeError, match="Residual: input must be a floating array; got list"):
        nn.Residual(nn.Sequential())([[1.0, 2.0]])
    for channels in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match=f"ResidualBlock: channels must be a positive integer; got {channels!r}"):
            nn.ResidualBlock(channels)


def test_backward_before_forward_and_a_misshapen_gradient_are_errors():
    check_backward_guards(nn.ResidualBlock(2), backend.rng().normal((1, 2, 3, 3)))
    check_backward_guards(nn.Residual(nn.Linear(3, 3)), backend.rng().normal((2, 3)))


# --- PyTorch, where it is installed ---------------------------------------------------------
@pytest.mark.parametrize("layout", ["nchw", "channels_last"])
def test_residual_block_matches_pytorchs_cyclegan_block(float64, layout):
    torch = pytest.importorskip("torch")
    tnn = torch.nn
    block = nn.ResidualBlock(3).to("float64")
    x = backend.rng().normal((2, 3, 5, 6))
    if layout == "channels_last":
        x = backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    # CycleGAN's ResnetBlock (Zhu et al.'s code) with instance norm, without the dropout option
    t_branch = tnn.Sequential(tnn.ReflectionPad2d(1), tnn.Conv2d(3, 3, 3, bias=False), tnn.InstanceNorm2d(3),
                              tnn.ReLU(True), tnn.ReflectionPad2d(1), tnn.Conv2d(3, 3, 3, bias=False),
                              tnn.InstanceNorm2d(3)).double()
    with torch.no_grad():
        t_branch[1].weight.copy_(torch.tensor(host(block.branch.layers[1].weight.data)))
        t_branch[5].weight.copy_(torch.tensor(host(block.branch.layers[5].weight.data)))
    tx = torch.tensor(host(x), requires_grad=True)
    ty = tx + t_branch(tx)
    y = block(x)
    np.testing.assert_allclose(host(y), ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = backend.rng().normal(y.shape)
    ty.backward(torch.tensor(host(g)))
    np.testing.assert_allclose(host(block.backward(g)), tx.grad.numpy(), rtol=1e-9, atol=1e-11)
    for i in (1, 5):
        np.testing.assert_allclose(host(block.branch.layers[i].weight.grad), t_branch[i].weight.grad.numpy(),
                                   rtol=1e-9, atol=1e-11)
