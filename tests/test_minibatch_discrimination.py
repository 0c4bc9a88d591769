"""MinibatchDiscrimination: its backward agrees with finite differences, and o() measures crowding."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, losses, nn, optim

TOL = 1e-6


def smallest_offdiagonal_gap(layer, f):
    """min over i != j, b, c of |M_ibc - M_jbc|: how far the input is from a kink of the L1 norm."""
    M = backend.to_numpy(f @ layer.weight.data).reshape(f.shape[0], -1)
    gaps = np.abs(M[:, None, :] - M[None, :, :])
    off_diagonal = ~np.eye(f.shape[0], dtype=bool)
    return gaps[off_diagonal].min()


@settings(max_examples=25, deadline=None)
@given(batch=st.integers(2, 5), features=st.integers(1, 4), kernels=st.integers(1, 3),
       kernel_dim=st.integers(1, 3), reduction=st.sampled_from(["sum", "mean"]), seed=st.integers(0, 2**16))
def test_minibatch_discrimination_gradients_match_finite_differences(float64, batch, features, kernels,
                                                                     kernel_dim, reduction, seed):
    backend.seed(seed)
    layer = nn.MinibatchDiscrimination(features, kernels, kernel_dim, init_std=0.5, reduction=reduction)
    f = backend.rng().normal((batch, features))
    # |M_i - M_j| is not differentiable at 0; a finite difference of step 1e-6 must not straddle it.
    assume(smallest_offdiagonal_gap(layer, f) > 1e-3)
    result = gradcheck.check_module(layer, f)
    assert set(result.errors) == {"input", "weight"}
    assert result.max_error < TOL, result


def test_output_is_the_input_followed_by_one_feature_per_kernel():
    layer = nn.MinibatchDiscrimination(6, num_kernels=5, kernel_dim=3)
    assert layer.weight.shape == (6, 15)
    f = backend.rng().normal((7, 6))
    out = layer(f)
    assert out.shape == (7, 11)
    np.testing.assert_array_equal(backend.to_numpy(out[:, :6]), backend.to_numpy(f))


def test_o_is_the_sum_over_other_samples_of_exp_minus_l1_distance():
    layer = nn.MinibatchDiscrimination(3, num_kernels=2, kernel_dim=4)
    f = backend.rng().normal((5, 3))
    M = (backend.to_numpy(f) @ backend.to_numpy(layer.weight.data)).reshape(5, 2, 4)
    expected = np.zeros((5, 2))
    for i in range(5):
        for j in range(5):
            if j != i:
                expected[i] += np.exp(-np.abs(M[i] - M[j]).sum(axis=1))
    np.testing.assert_allclose(backend.to_numpy(layer(f)[:, 3:]), expected, rtol=1e-5)


def test_mean_reduction_divides_o_by_the_number_of_other_samples():
    f = backend.rng().normal((6, 3))
    summed = nn.MinibatchDiscrimination(3, 4, 2)
    averaged = nn.MinibatchDiscrimination(3, 4, 2, reduction="mean")
    averaged.weight.data[...] = summed.weight.data
    np.testing.assert_allclose(backend.to_numpy(averaged(f)[:, 3:]), backend.to_numpy(summed(f)[:, 3:]) / 5, rtol=1e-6)


def test_identical_samples_look_more_crowded_than_spread_samples():
    layer = nn.MinibatchDiscrimination(2, num_kernels=4, kernel_dim=3, init_std=1.0)
    spread = 3 * backend.rng().normal((16, 2))
    collapsed = backend.xp.ones((16, 2), dtype=backend.dtype) * spread[:1]
    o_spread = backend.to_numpy(layer(spread)[:, 2:])
    o_collapsed = backend.to_numpy(layer(collapsed)[:, 2:])
    np.testing.assert_allclose(o_collapsed, 15.0, rtol=1e-6)     # exp(0) for each of the 15 others
    assert o_spread.mean() < 0.5 * o_collapsed.mean()


def test_a_frozen_layer_returns_the_input_gradient_but_keeps_its_own_zero():
    layer = nn.MinibatchDiscrimination(3).requires_grad_(False)
    f = backend.rng().normal((4, 3))
    grad = layer.backward(backend.xp.ones_like(layer(f)))
    assert grad.shape == (4, 3) and float(abs(grad).sum()) > 0
    assert float(abs(layer.weight.grad).sum()) == 0


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="reduction"):
        nn.MinibatchDiscrimination(3, reduction="max")
    with pytest.raises(ValueError, match="num_kernels"):
        nn.MinibatchDiscrimination(3, num_kernels=0)
    with pytest.raises(ValueError, match="at least 2 samples"):
        nn.MinibatchDiscrimination(3)(backend.rng().normal((1, 3)))
    with pytest.raises(ValueError, match="3 features"):
        nn.MinibatchDiscrimination(3)(backend.rng().normal((4, 2)))


def test_minibatch_discrimination_runs_on_the_strict_backend(strict_backend):
    D = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.MinibatchDiscrimination(8, 4, 3), nn.Linear(12, 1))
    logits = D(backend.rng().normal((6, 2)))
    bce = losses.BCEWithLogitsLoss()
    assert np.isfinite(float(bce(logits, backend.xp.ones_like(logits))))
    D.backward(bce.backward())
    optim.Adam(D.parameters()).step()
    assert type(D[2].weight.data) is strict_backend.StrictArray
