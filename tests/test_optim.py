"""Optimizers follow their update rules, written out here step by step (PyTorch's definitions)."""

import numpy as np
import pytest

from minigan import backend, nn, optim


def grads_sequence(n, shape, seed=1):
    rs = np.random.default_rng(seed)
    return [rs.normal(size=shape) for _ in range(n)]


def run(opt_factory, steps=5):
    """Apply the optimizer to a Linear layer with a known gradient sequence; return the weights after each step."""
    layer = nn.Linear(3, 2)
    w0 = backend.to_numpy(layer.weight.data).astype(np.float64)
    opt = opt_factory(layer.parameters())
    history = []
    for g in grads_sequence(steps, (3, 2)):
        opt.zero_grad()
        layer.weight.grad += backend.asarray(g)
        opt.step()
        history.append(backend.to_numpy(layer.weight.data).astype(np.float64))
    return w0, history


def test_sgd_without_momentum_is_theta_minus_lr_grad():
    w0, hist = run(lambda p: optim.SGD(p, lr=0.1))
    w = w0
    for g, got in zip(grads_sequence(5, (3, 2)), hist):
        w = w - 0.1 * g
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_sgd_momentum_buffer_starts_at_the_first_gradient():
    w0, hist = run(lambda p: optim.SGD(p, lr=0.05, momentum=0.9))
    w, b = w0, None
    for g, got in zip(grads_sequence(5, (3, 2)), hist):
        b = g if b is None else 0.9 * b + g
        w = w - 0.05 * b
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_adam_follows_its_update_rule_with_bias_correction():
    lr, b1, b2, eps = 0.01, 0.5, 0.999, 1e-8
    w0, hist = run(lambda p: optim.Adam(p, lr=lr, betas=(b1, b2), eps=eps), steps=6)
    w, m, v = w0, 0.0, 0.0
    for t, (g, got) in enumerate(zip(grads_sequence(6, (3, 2)), hist), start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_adam_first_step_moves_each_weight_by_lr_against_the_gradient_sign():
    # with bias correction, m_hat = g and v_hat = g^2 at t = 1, so the step is lr * sign(g)
    w0, hist = run(lambda p: optim.Adam(p, lr=0.01), steps=1)
    g = grads_sequence(1, (3, 2))[0]
    np.testing.assert_allclose(hist[0] - w0, -0.01 * np.sign(g), rtol=1e-4)


def test_packing_keeps_values_and_makes_parameters_views_of_one_buffer():
    net = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
    before = [backend.to_numpy(p.data).copy() for p in net.parameters()]
    opt = optim.Adam(net.parameters())
    for b, p in zip(before, net.parameters()):
        np.testing.assert_array_equal(backend.to_numpy(p.data), b)
    assert opt.data.size == net.num_parameters()
    net.parameters()[0].data[0, 0] = 42.0
    assert float(opt.data[0]) == 42.0


def test_zero_grad_clears_every_parameter_gradient():
    net = nn.Linear(2, 2)
    opt = optim.SGD(net.parameters(), lr=0.1)
    net(backend.rng().normal((3, 2))), net.backward(backend.rng().normal((3, 2)))
    opt.zero_grad()
    assert all(float(abs(p.grad).max()) == 0 for p in net.parameters())


def test_adam_state_dict_round_trip_continues_identically():
    def make():
        backend.seed(0)
        net = nn.Linear(3, 2)
        return net, optim.Adam(net.parameters(), lr=0.01)

    net_a, opt_a = make()
    for g in grads_sequence(3, (3, 2)):
        opt_a.zero_grad(); net_a.weight.grad += backend.asarray(g); opt_a.step()
    net_b, opt_b = make()
    net_b.load_state_dict(net_a.state_dict())
    opt_b.load_state_dict(opt_a.state_dict())
    for opt, net in ((opt_a, net_a), (opt_b, net_b)):
        opt.zero_grad(); net.weight.grad += backend.asarray(np.ones((3, 2))); opt.step()
    np.testing.assert_array_equal(backend.to_numpy(net_a.weight.data), backend.to_numpy(net_b.weight.data))


@pytest.mark.parametrize("kwargs, message", [
    ({"lr": 0}, "lr must be a number > 0; got 0"),
    ({"lr": -1e-3}, "lr must be a number > 0"),
    ({"lr": 1e-3, "betas": (0.9, 1.0)}, r"betas\[1\] must be a number in \[0, 1\); got 1.0"),
    ({"lr": 1e-3, "eps": -1}, "eps must be a number >= 0"),
])
def test_adam_rejects_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        optim.Adam(nn.Linear(2, 2).parameters(), **kwargs)


def test_optimizer_rejects_empty_and_non_parameter_lists():
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\] must be a Parameter"):
        optim.SGD([np.zeros(3)], lr=0.1)
