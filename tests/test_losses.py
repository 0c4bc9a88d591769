"""BCE losses: gradients, PyTorch's conventions, and finite values at the extremes."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, gradcheck, losses

shapes = st.tuples(st.integers(1, 6), st.integers(1, 3))
seeds = st.integers(0, 2**16)


def targets(shape, soft):
    r = backend.rng().random(shape)
    return r if soft else (r > 0.5).astype(backend.dtype)


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=seeds, soft=st.booleans())
def test_bce_gradient_matches_finite_differences(float64, shape, seed, soft):
    backend.seed(seed)
    p = 0.02 + 0.96 * backend.rng().random(shape)        # inside (0, 1), where the log is smooth
    assert gradcheck.check_loss(losses.BCELoss(), p, targets(shape, soft)).max_error < 1e-6


@settings(max_examples=25, deadline=None)
@given(shape=shapes, seed=seeds, soft=st.booleans(), scale=st.sampled_from([0.1, 3.0, 30.0]))
def test_bce_with_logits_gradient_matches_finite_differences(float64, shape, seed, soft, scale):
    backend.seed(seed)
    a = scale * backend.rng().normal(shape)
    assert gradcheck.check_loss(losses.BCEWithLogitsLoss(), a, targets(shape, soft)).max_error < 1e-6


def test_bce_is_the_mean_of_the_textbook_formula():
    p = backend.asarray([[0.9], [0.2], [0.6]])
    y = backend.asarray([[1.0], [0.0], [1.0]])
    expected = -np.mean([np.log(0.9), np.log(0.8), np.log(0.6)])
    assert float(losses.BCELoss()(p, y)) == pytest.approx(expected, rel=1e-6)


def test_bce_on_sigmoid_equals_bce_with_logits(float64):
    a = 4 * backend.rng().normal((8, 1))
    y = targets((8, 1), soft=True)
    from minigan.nn import sigmoid
    l1, l2 = losses.BCELoss(), losses.BCEWithLogitsLoss()
    assert float(l1(sigmoid(a), y)) == pytest.approx(float(l2(a, y)), rel=1e-10)


def test_bce_at_probability_exactly_zero_and_one_is_finite_like_pytorch():
    p = backend.asarray([[0.0], [1.0]])
    y = backend.asarray([[1.0], [0.0]])
    loss = losses.BCELoss()
    assert float(loss(p, y)) == pytest.approx(100.0)     # each log clamped at -100
    assert np.all(np.isfinite(backend.to_numpy(loss.backward())))


def test_bce_with_logits_is_stable_for_huge_logits():
    a = backend.asarray([[1e4], [-1e4], [1e4], [-1e4]])
    y = backend.asarray([[1.0], [0.0], [0.0], [1.0]])
    loss = losses.BCEWithLogitsLoss()
    assert float(loss(a, y)) == pytest.approx((0 + 0 + 1e4 + 1e4) / 4, rel=1e-6)
    np.testing.assert_allclose(backend.to_numpy(loss.backward()), [[0], [0], [0.25], [-0.25]], atol=1e-7)


def test_bce_with_logits_fused_gradient_is_sigmoid_minus_target_over_n(float64):
    a = backend.rng().normal((5, 1))
    y = targets((5, 1), soft=False)
    loss = losses.BCEWithLogitsLoss()
    loss(a, y)
    expected = (1 / (1 + np.exp(-backend.to_numpy(a))) - backend.to_numpy(y)) / 5
    np.testing.assert_allclose(backend.to_numpy(loss.backward()), expected, rtol=1e-12)


@pytest.mark.parametrize("loss", [losses.BCELoss(), losses.BCEWithLogitsLoss()])
def test_shape_mismatch_names_both_shapes(loss):
    with pytest.raises(ValueError, match=r"input \(4, 1\), target \(4,\)"):
        loss(backend.xp.full((4, 1), 0.5, dtype=backend.dtype), backend.xp.ones((4,), dtype=backend.dtype))


@pytest.mark.parametrize("loss", [losses.BCELoss(), losses.BCEWithLogitsLoss()])
def test_loss_backward_before_forward_is_a_clear_error(loss):
    with pytest.raises(RuntimeError, match="before forward"):
        loss.backward()
