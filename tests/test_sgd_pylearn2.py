"""optim.SGD(rule="pylearn2"): pylearn2's Momentum rule, v <- m v - lr g; θ <- θ + v, written out step by step."""
import numpy as np
import pytest

from minigan import backend, nn, optim

GRADS = [np.random.default_rng(3).normal(size=(3, 2)) for _ in range(6)]
LRS = [0.1, 0.08, 0.05, 0.05, 0.02, 0.01]            # a schedule: the rules differ only when lr changes
MOMENTA = [0.5, 0.5, 0.6, 0.7, 0.0, 0.7]


def run(rule):
    layer = nn.Linear(3, 2)
    w0 = backend.to_numpy(layer.weight.data).astype(np.float64)
    opt = optim.SGD([layer.weight], lr=LRS[0], momentum=MOMENTA[0], rule=rule)
    history = []
    for g, lr, m in zip(GRADS, LRS, MOMENTA):
        opt.lr, opt.momentum = lr, m
        opt.zero_grad()
        layer.weight.grad += backend.asarray(g)
        opt.step()
        history.append(backend.to_numpy(layer.weight.data).astype(np.float64))
    return w0, history


def test_pylearn2_rule_is_v_gets_m_v_minus_lr_g_then_theta_plus_v():
    w, hist = run("pylearn2")
    v = np.zeros_like(w)
    for g, lr, m, got in zip(GRADS, LRS, MOMENTA, hist):
        v = m * v - lr * g
        w = w + v
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_the_rules_agree_at_constant_lr_and_differ_under_a_schedule():
    layer_a, layer_b = nn.Linear(3, 2), nn.Linear(3, 2)
    layer_b.load_state_dict(layer_a.state_dict())
    a = optim.SGD([layer_a.weight], lr=0.1, momentum=0.5)
    b = optim.SGD([layer_b.weight], lr=0.1, momentum=0.5, rule="pylearn2")
    for g in GRADS:
        for opt, layer in ((a, layer_a), (b, layer_b)):
            opt.zero_grad()
            layer.weight.grad += backend.asarray(g)
            opt.step()
    np.testing.assert_allclose(backend.to_numpy(layer_a.weight.data), backend.to_numpy(layer_b.weight.data),
                               rtol=1e-5, atol=1e-6)
    assert not np.allclose(run("pytorch")[1][-1], run("pylearn2")[1][-1], rtol=1e-4, atol=1e-5)


def test_pylearn2_state_round_trips_and_refuses_the_other_rule():
    layer = nn.Linear(3, 2)
    opt = optim.SGD(layer.parameters(), lr=0.1, momentum=0.5, rule="pylearn2")
    layer.weight.grad += 1.0
    opt.step()
    state = opt.state_dict()
    assert state["rule"] == "pylearn2"
    again = optim.SGD(nn.Linear(3, 2).parameters(), lr=0.1, momentum=0.5, rule="pylearn2")
    again.load_state_dict(state)
    np.testing.assert_array_equal(backend.to_numpy(again.buffer), backend.to_numpy(opt.buffer))
    with pytest.raises(ValueError, match="saved with rule='pylearn2'"):
        optim.SGD(nn.Linear(3, 2).parameters(), lr=0.1, momentum=0.5).load_state_dict(state)
    with pytest.raises(ValueError, match="SGD: rule must be one of"):
        optim.SGD(layer.parameters(), lr=0.1, rule="keras")
