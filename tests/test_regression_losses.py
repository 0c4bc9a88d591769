"""L1Loss and MSELoss: the mean of |x - y| and (x - y)^2, their gradients, PyTorch's conventions (the
subgradient 0 at x == y included), and clear errors."""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, losses

shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)
seeds = st.integers(0, 2**16)
LOSSES = ["L1Loss", "MSELoss"]


def host(a):
    return backend.to_numpy(a)


def pair(shape):
    """An input and a target whose elements differ by at least 0.01 (away from |d|'s kink at 0)."""
    target = backend.rng().normal(shape)
    d = 0.01 + backend.rng().random(shape)
    sign = 2 * (backend.rng().random(shape) > 0.5) - 1
    return target + sign * d, target


# --- values ---------------------------------------------------------------------------------
def test_l1_is_the_mean_absolute_difference():
    x, y = backend.asarray([[1.0, -2.0], [0.5, 4.0]]), backend.asarray([[0.0, 1.0], [0.5, 2.0]])
    assert float(losses.L1Loss()(x, y)) == pytest.approx((1 + 3 + 0 + 2) / 4)


def test_mse_is_the_mean_squared_difference():
    x, y = backend.asarray([[1.0, -2.0], [0.5, 4.0]]), backend.asarray([[0.0, 1.0], [0.5, 2.0]])
    assert float(losses.MSELoss()(x, y)) == pytest.approx((1 + 9 + 0 + 4) / 4)


def test_l1_gradient_is_the_sign_of_the_difference_over_n_and_zero_where_input_equals_target():
    x, y = backend.asarray([3.0, -1.0, 2.0, 0.25]), backend.asarray([1.0, 1.0, 2.0, 0.25])
    loss = losses.L1Loss()
    loss(x, y)
    np.testing.assert_array_equal(host(loss.backward()), [0.25, -0.25, 0.0, 0.0])


def test_mse_gradient_is_twice_the_difference_over_n():
    x, y = backend.asarray([3.0, -1.0, 2.0]), backend.asarray([1.0, 1.0, 2.0])
    loss = losses.MSELoss()
    loss(x, y)
    np.testing.assert_allclose(host(loss.backward()), [2 * 2 / 3, 2 * -2 / 3, 0.0], rtol=1e-6)


@pytest.mark.parametrize("name", LOSSES)
def test_loss_and_gradient_keep_the_inputs_dtype_and_shape(name):
    x = backend.rng().normal((3, 1, 2)).astype(backend.xp.float32)
    y = backend.rng().normal((3, 1, 2)).astype(backend.xp.float64)
    loss = getattr(losses, name)()
    value = loss(x, y)
    assert value.shape == () and value.dtype == backend.xp.float32
    grad = loss.backward()
    assert grad.shape == x.shape and grad.dtype == backend.xp.float32


# --- gradients ------------------------------------------------------------------------------
@settings(max_examples=20, deadline=None)
@given(name=st.sampled_from(LOSSES), shape=shapes, seed=seeds)
def test_regression_loss_gradients_match_finite_differences(float64, name, shape, seed):
    backend.seed(seed)
    x, y = pair(shape)
    result = gradcheck.check_loss(getattr(losses, name)(), x, y)
    assert result.max_error < 1e-6, result


# --- clear errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", LOSSES)
def test_shape_mismatch_names_the_loss_and_both_shapes(name):
    with pytest.raises(ValueError, match=re.escape(f"{name}: input and target must have the same shape; "
                                                   "got input (4, 1), target (4,)")):
        getattr(losses, name)()(backend.xp.zeros((4, 1)), backend.xp.zeros((4,)))


@pytest.mark.parametrize("name", LOSSES)
def test_non_arrays_integer_inputs_and_empty_inputs_are_errors_naming_the_loss(name):
    loss = getattr(losses, name)()
    with pytest.raises(TypeError, match=f"{name}: target must be an array; got list"):
        loss(backend.xp.zeros(2), [0.0, 1.0])
    with pytest.raises(TypeError, match=f"{name}: input must be a floating array; got dtype int64"):
        loss(backend.xp.zeros(2, dtype=backend.xp.int64), backend.xp.zeros(2))
    with pytest.raises(ValueError, match=f"{name}: input is empty"):
        loss(backend.xp.zeros((0, 3)), backend.xp.zeros((0, 3)))


@pytest.mark.parametrize("name", LOSSES)
def test_loss_backward_before_forward_is_a_clear_error(name):
    with pytest.raises(RuntimeError, match=f"{name}.backward was called before forward"):
        getattr(losses, name)().backward()


# --- PyTorch, where it is installed ---------------------------------------------------------
@pytest.mark.parametrize("name", LOSSES)
def test_regression_losses_match_pytorch_including_ties(float64, name):
    torch = pytest.importorskip("torch")
    x, y = backend.rng().normal((4, 3, 2)), backend.rng().normal((4, 3, 2))
    x[0] = y[0]                                       # ties: L1's subgradient is torch.sign's 0
    tx = torch.tensor(host(x), requires_grad=True)
    t_loss = getattr(torch.nn, name)()(tx, torch.tensor(host(y)))
    t_loss.backward()
    loss = getattr(losses, name)()
    assert float(loss(x, y)) == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(host(loss.backward()), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
