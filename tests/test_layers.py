"""Every layer's backward agrees with finite differences, and its forward with the standard definition."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conftest
from minigan import backend, gradcheck, nn

TOL = 1e-6
shapes = st.tuples(st.integers(1, 5), st.integers(1, 6))   # (batch, features); batch 1 included
seeds = st.integers(0, 2**16)


def away_from_kinks(x, margin=1e-3):
    """Move entries off 0 so a finite difference never straddles the kink of ReLU/LeakyReLU."""
    xp = backend.xp
    return xp.where(xp.abs(x) < margin, xp.where(x < 0, -margin, margin) * 4, x)


def check(module, x, *extra):
    result = gradcheck.check_module(module, x, *extra)
    assert result.max_error < TOL, result
    return result


@settings(max_examples=20, deadline=None)
@given(shape=shapes, out=st.integers(1, 5), bias=st.booleans(), seed=seeds)
def test_linear_gradients_match_finite_differences(float64, shape, out, bias, seed):
    backend.seed(seed)
    layer = nn.Linear(shape[1], out, bias=bias)
    result = check(layer, backend.rng().normal(shape))
    assert set(result.errors) == {"input", "weight"} | ({"bias"} if bias else set())


@settings(max_examples=20, deadline=None)
@given(shape=shapes, seed=seeds, slope=st.sampled_from([0.0, 0.01, 0.2, 0.5]),
       kind=st.sampled_from(["ReLU", "LeakyReLU", "Tanh", "Sigmoid"]))
def test_activation_gradients_match_finite_differences(float64, shape, seed, slope, kind):
    backend.seed(seed)
    layer = nn.LeakyReLU(slope) if kind == "LeakyReLU" else getattr(nn, kind)()
    # |x| <= 4: beyond it tanh'(x) < 1e-3 shrinks toward the finite differences' rounding floor
    # (~1e-10), and the check would measure that floor rather than the backward pass.
    x = backend.xp.clip(3 * backend.rng().normal(shape), -4, 4)
    check(layer, away_from_kinks(x))


@settings(max_examples=20, deadline=None)
@given(shape=shapes, seed=seeds, p=st.sampled_from([0.0, 0.3, 0.5, 0.9]))
def test_dropout_gradient_matches_finite_differences(float64, shape, seed, p):
    backend.seed(seed)
    check(nn.Dropout(p), backend.rng().normal(shape))


@settings(max_examples=20, deadline=None)
@given(batch=st.integers(1, 6), classes=st.integers(1, 5), dim=st.integers(1, 4),
       features=st.integers(1, 4), seed=seeds)
def test_conditional_gradients_match_finite_differences(float64, batch, classes, dim, features, seed):
    backend.seed(seed)
    net = nn.Conditional(classes, dim, nn.Sequential(nn.Linear(features + dim, 3), nn.Tanh()))
    labels = backend.rng().integers(classes, (batch,))
    result = check(net, backend.rng().normal((batch, features)), labels)
    assert "label_concat.embedding.weight" in result.errors


@settings(max_examples=10, deadline=None)
@given(seed=seeds)
def test_mlp_discriminator_gradients_match_finite_differences(float64, seed):
    backend.seed(seed)
    net = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.2), nn.Dropout(0.3),
                        nn.Linear(8, 5), nn.Tanh(), nn.Linear(5, 1), nn.Sigmoid())
    check(net, backend.rng().normal((3, 4)))


# --- forward semantics (the standard definitions) ---------------------------

def test_linear_computes_x_times_weight_plus_bias_with_pytorch_init():
    layer = nn.Linear(4, 3)
    assert layer.weight.shape == (4, 3) and layer.bias.shape == (3,)
    bound = 1 / np.sqrt(4)
    assert float(abs(layer.weight.data).max()) <= bound and float(abs(layer.bias.data).max()) <= bound
    x = backend.rng().normal((2, 4))
    expected = backend.to_numpy(x) @ backend.to_numpy(layer.weight.data) + backend.to_numpy(layer.bias.data)
    np.testing.assert_allclose(backend.to_numpy(layer(x)), expected, rtol=1e-5, atol=1e-6)


def test_leaky_relu_scales_negatives_by_the_slope():
    x = backend.asarray([[-2.0, -0.5, 0.0, 3.0]])
    np.testing.assert_allclose(backend.to_numpy(nn.LeakyReLU(0.2)(x)), [[-0.4, -0.1, 0.0, 3.0]], rtol=1e-6)


def test_sigmoid_is_finite_and_exact_at_extreme_inputs():
    y = backend.to_numpy(nn.Sigmoid()(backend.asarray([[-1e4, -30.0, 0.0, 30.0, 1e4]])))
    assert np.all(np.isfinite(y))
    from scipy.special import expit
    np.testing.assert_allclose(y, expit(np.array([[-1e4, -30.0, 0.0, 30.0, 1e4]])), atol=1e-7)


def test_dropout_is_identity_in_eval_mode():
    layer = nn.Dropout(0.5).eval()
    x = backend.rng().normal((3, 4))
    assert layer(x) is x
    np.testing.assert_array_equal(backend.to_numpy(layer.backward(x)), backend.to_numpy(x))


def test_dropout_zeroes_about_p_and_scales_the_rest_by_one_over_one_minus_p():
    x = backend.xp.ones((200, 500), dtype=backend.dtype)
    y = backend.to_numpy(nn.Dropout(0.3)(x))
    kept = y[y != 0]
    np.testing.assert_allclose(kept, 1 / 0.7, rtol=1e-6)
    assert abs((y == 0).mean() - 0.3) < 0.01          # 100,000 Bernoulli draws: std 0.0015
    assert abs(y.mean() - 1.0) < 0.02                  # inverted dropout keeps the mean


def test_embedding_accumulates_rows_used_more_than_once():
    emb = nn.Embedding(4, 2)
    labels = backend.xp.asarray([1, 3, 1, 1])
    out = emb(labels)
    np.testing.assert_array_equal(backend.to_numpy(out), backend.to_numpy(emb.weight.data)[[1, 3, 1, 1]])
    g = backend.asarray([[1, 0], [0, 1], [2, 0], [3, 5]])
    emb.backward(g)
    np.testing.assert_allclose(backend.to_numpy(emb.weight.grad), [[0, 0], [6, 5], [0, 0], [0, 1]])


def test_backward_adds_into_grad_so_two_passes_sum():
    layer = nn.Linear(3, 2)
    x, g = backend.rng().normal((4, 3)), backend.rng().normal((4, 2))
    layer(x), layer.backward(g)
    once = backend.to_numpy(layer.weight.grad).copy()
    layer(x), layer.backward(g)
    np.testing.assert_allclose(backend.to_numpy(layer.weight.grad), 2 * once, rtol=1e-6)
    layer.zero_grad()
    assert float(abs(layer.weight.grad).max()) == 0


# --- errors a learner will meet ---------------------------------------------

@pytest.mark.parametrize("layer", [nn.Linear(2, 2), nn.ReLU(), nn.LeakyReLU(0.2), nn.Tanh(), nn.Sigmoid(),
                                   nn.Dropout(0.5), nn.Embedding(3, 2), nn.LabelConcat(3, 2)])
def test_backward_before_forward_is_a_clear_error(layer):
    with pytest.raises(RuntimeError, match="backward was called before forward"):
        layer.backward(backend.xp.ones((1, 2), dtype=backend.dtype))


def test_linear_rejects_wrong_feature_count_naming_the_shapes():
    with pytest.raises(ValueError, match=r"Linear: input must have 3 features.*\(2, 4\)"):
        nn.Linear(3, 1)(backend.rng().normal((2, 4)))


def test_linear_rejects_non_2d_input():
    with pytest.raises(ValueError, match=r"2-D array.*\(6,\)"):
        nn.Linear(3, 1)(backend.rng().normal((6,)))


@pytest.mark.parametrize("bad", [0, -3, 2.5])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match=f"in_features must be a positive integer; got {bad!r}"):
        nn.Linear(bad, 2)


def test_embedding_rejects_float_labels():
    with pytest.raises(TypeError, match="labels must be integers.*float"):
        nn.Embedding(10, 3)(backend.asarray([1.0, 2.0]))


@pytest.mark.parametrize("labels", [pytest.param([0, 10], marks=conftest.needs_real_cupy), [-1, 2]])
def test_embedding_rejects_out_of_range_labels(labels):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 9\]"):
        backend.to_numpy(nn.Embedding(10, 3)(backend.xp.asarray(labels)))     # (a GPU checks at read-back)


def test_label_concat_rejects_mismatched_batch():
    with pytest.raises(ValueError, match="same batch size"):
        nn.LabelConcat(10, 3)(backend.rng().normal((4, 2)), backend.xp.asarray([1, 2]))


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_rejects_p_outside_zero_one(p):
    with pytest.raises(ValueError, match=f"p must be a number in \\[0, 1\\]; got {p}"):
        nn.Dropout(p)


# --- Module bookkeeping -----------------------------------------------------

def test_parameters_are_found_in_order_and_state_dict_round_trips():
    net = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1))
    names = [n for n, _ in net.named_parameters()]
    assert names == ["layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias"]
    state = net.state_dict()
    other = nn.Sequential(nn.Linear(2, 3), nn.LeakyReLU(0.2), nn.Linear(3, 1))
    other.load_state_dict(state)
    for (_, a), (_, b) in zip(net.named_parameters(), other.named_parameters()):
        np.testing.assert_array_equal(backend.to_numpy(a.data), backend.to_numpy(b.data))


def test_load_state_dict_names_missing_keys_and_wrong_shapes():
    net = nn.Linear(2, 3)
    with pytest.raises(KeyError, match="missing keys \\['bias'\\]"):
        net.load_state_dict({"weight": np.zeros((2, 3))})
    with pytest.raises(ValueError, match=r"'weight' has shape \(2, 3\), the state has \(3, 2\)"):
        net.load_state_dict({"weight": np.zeros((3, 2)), "bias": np.zeros(3)})


def test_train_and_eval_reach_every_submodule():
    net = nn.Sequential(nn.Linear(2, 2), nn.Dropout(0.5))
    net.eval()
    assert not net[1].training
    net.train()
    assert net[1].training


def test_frozen_module_returns_input_gradient_but_leaves_parameter_gradients_alone():
    net = nn.Conditional(3, 2, nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1)))
    x, labels = backend.rng().normal((5, 2)), backend.xp.asarray([0, 1, 2, 0, 1])
    net(x, labels)
    expected = backend.to_numpy(net.backward(backend.xp.ones((5, 1), dtype=backend.dtype)))
    net.zero_grad()
    net.requires_grad_(False)
    net(x, labels)
    got = net.backward(backend.xp.ones((5, 1), dtype=backend.dtype))
    np.testing.assert_allclose(backend.to_numpy(got), expected, rtol=1e-6)
    assert all(float(abs(p.grad).max()) == 0 for p in net.parameters())


def test_sigmoid_keeps_relative_accuracy_for_very_negative_logits():
    # the non-saturating generator loss needs D(G(z)) ~ 1e-9 to stay nonzero, not round to 0
    y = backend.to_numpy(nn.Sigmoid()(backend.asarray([[-20.0, -40.0, -80.0]])))
    from scipy.special import expit
    np.testing.assert_allclose(y, expit(np.array([[-20.0, -40.0, -80.0]])), rtol=1e-5)
