"""The speed-ups of docs/appendix_fast_numpy.md change how, never what, is computed."""
import numpy as np
import pytest

from minigan import backend, nn, optim
from minigan.gan import GAN
from minigan.nn.module import backward_to


def adam_reference(w, grads, lr, b1, b2, eps):
    """Adam written out in float64, one step per gradient (PyTorch's definition)."""
    m = v = 0.0
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return w


@pytest.mark.parametrize("block_size", [7, 16, 1 << 16])
def test_adam_block_by_block_matches_the_whole_array_rule(monkeypatch, block_size):
    monkeypatch.setattr(optim.Adam, "block_size", block_size)
    layer = nn.Linear(5, 9)                        # 54 parameters: several blocks of 7 or 16
    w0 = backend.to_numpy(layer.weight.data).astype(np.float64)
    opt = optim.Adam(layer.parameters(), lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    rs = np.random.default_rng(3)
    grads = [rs.normal(size=(5, 9)) for _ in range(4)]
    for g in grads:
        opt.zero_grad()
        layer.weight.grad += backend.asarray(g)
        opt.step()
    expected = adam_reference(w0, grads, 0.01, 0.8, 0.99, 1e-6)
    np.testing.assert_allclose(backend.to_numpy(layer.weight.data), expected, rtol=1e-5, atol=1e-6)


def test_leaky_relu_keeps_float32_and_its_slope_at_zero():
    x = backend.asarray([[-3.0, 0.0, 2.0]])
    layer = nn.LeakyReLU(0.2)
    y = layer(x)
    dx = layer.backward(backend.asarray([[1.0, 1.0, 1.0]]))
    assert y.dtype == np.float32 and dx.dtype == np.float32
    np.testing.assert_allclose(backend.to_numpy(dx), [[0.2, 0.2, 1.0]], rtol=1e-6)


def test_a_float32_training_step_never_creates_float64_arrays():
    """Python float scalars keep float32; a float64 array or NumPy float64 scalar would upcast."""
    G = nn.Sequential(nn.Linear(2, 8), nn.LeakyReLU(0.2), nn.Linear(8, 3), nn.Tanh())
    D = nn.Sequential(nn.Linear(3, 8), nn.LeakyReLU(0.2), nn.Dropout(0.3), nn.Linear(8, 1), nn.Sigmoid())
    gan = GAN(G, D, optim.Adam(G.parameters()), optim.Adam(D.parameters()), noise_dim=2)
    real = backend.rng().normal((16, 3))
    gan.train_step(iter([real]))
    arrays = [opt.m_tilde for opt in (gan.g_optimizer, gan.d_optimizer)] + [opt.v_tilde for opt in (gan.g_optimizer, gan.d_optimizer)]
    arrays += [p.data for p in G.parameters() + D.parameters()] + [p.grad for p in G.parameters() + D.parameters()]
    assert {str(a.dtype) for a in arrays} == {"float32"}
    d_loss, d_real, d_fake, value = gan.discriminator_step(real)
    assert {str(s.dtype) for s in (d_loss, d_real, d_fake, value, gan.generator_step(16))} == {"float32"}


def test_generator_step_unfreezes_the_discriminator_even_when_it_fails():
    G = nn.Sequential(nn.Linear(2, 3))
    D = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())       # wrong width: D's forward raises
    gan = GAN(G, D, optim.Adam(G.parameters()), optim.Adam(D.parameters()), noise_dim=2)
    with pytest.raises(ValueError):
        gan.generator_step(5)
    assert all(p.requires_grad for p in D.parameters())


# -- D's first-layer input gradient is skipped where no one reads it -----------------------
def run_backward(net, x, g, *labels, input_grad=True):
    net.zero_grad()
    net(x, *labels)
    dx = backward_to(net, g, input_grad=input_grad)
    return dx, [backend.to_numpy(p.grad).copy() for p in net.parameters()]


@pytest.mark.parametrize("input_grad", [False, slice(1, 3), slice(0, 0)])
def test_backward_to_gives_the_same_parameter_gradients_and_the_asked_columns(float64, input_grad):
    backend.seed(0)
    net = nn.Sequential(nn.Linear(4, 5), nn.LeakyReLU(0.2), nn.Linear(5, 2))
    x, g = backend.rng().normal((3, 4)), backend.rng().normal((3, 2))
    full_dx, full_grads = run_backward(net, x, g)
    dx, grads = run_backward(net, x, g, input_grad=input_grad)
    for a, b in zip(grads, full_grads):
        np.testing.assert_array_equal(a, b)
    if input_grad is False:
        assert dx is None
    else:
        np.testing.assert_allclose(backend.to_numpy(dx), backend.to_numpy(full_dx)[:, input_grad], rtol=1e-12)


def test_a_conditional_network_without_input_gradient_still_trains_its_embedding(float64):
    backend.seed(1)
    net = nn.Conditional(4, 3, nn.Sequential(nn.Linear(5 + 3, 6), nn.Tanh(), nn.Linear(6, 1)))
    x, labels, g = backend.rng().normal((7, 5)), backend.rng().integers(4, (7,)), backend.rng().normal((7, 1))
    _, full_grads = run_backward(net, x, g, labels)
    dx, grads = run_backward(net, x, g, labels, input_grad=False)
    assert dx is None
    assert float(np.abs(full_grads[0]).max()) > 0          # the embedding's gradient is not trivially zero
    for a, b in zip(grads, full_grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


class Doubler(nn.Module):
    """A user's module that knows nothing of input_grad: backward_to must still work."""

    def forward(self, x):
        return 2 * x

    def backward(self, grad_output):
        return 2 * grad_output


def test_backward_to_falls_back_to_the_full_backward_for_other_modules():
    layer = Doubler()
    layer(backend.asarray([[1.0, 2.0, 3.0]]))
    g = backend.asarray([[1.0, 1.0, 1.0]])
    assert backward_to(layer, g, input_grad=False) is None
    np.testing.assert_array_equal(backend.to_numpy(backward_to(layer, g, input_grad=slice(1, None))), [[2.0, 2.0]])


# -- D's update in one pass over [real; fake] -----------------------------------------------
def test_only_networks_of_row_wise_layers_are_row_wise():
    assert nn.module.is_rowwise(nn.mlp([2, 4, 1], output=nn.Sigmoid()))
    assert nn.module.is_rowwise(nn.Conditional(3, 2, nn.Sequential(nn.Linear(4, 1), nn.Dropout(0.3))))
    assert not nn.module.is_rowwise(nn.Sequential(nn.Linear(2, 4), nn.MinibatchDiscrimination(4), nn.Linear(12, 1)))
    assert not nn.module.is_rowwise(nn.Sequential(nn.Linear(2, 2), Doubler()))    # unknown: assume it mixes rows


def tiny_gan(conditional, joint):
    backend.seed(5)
    lc = 2 if conditional else 0
    G = nn.Sequential(nn.Linear(3 + lc, 6), nn.LeakyReLU(0.2), nn.Linear(6, 2))
    D = nn.Sequential(nn.Linear(2 + lc, 6), nn.LeakyReLU(0.2), nn.Linear(6, 1), nn.Sigmoid())
    if conditional:
        G, D = nn.Conditional(3, 2, G), nn.Conditional(3, 2, D)
    gan = GAN(G, D, optim.Adam(G.parameters(), lr=0.01), optim.Adam(D.parameters(), lr=0.01), noise_dim=3,
              num_classes=3 if conditional else None)
    assert gan.joint_d_pass                      # chosen because D is row-wise
    gan.joint_d_pass = joint
    return gan


@pytest.mark.parametrize("conditional", [False, True])
def test_the_joint_discriminator_pass_computes_the_two_pass_update(float64, conditional):
    results = []
    for joint in (False, True):
        gan = tiny_gan(conditional, joint)
        rng = backend.Random(9)
        batches = [(rng.normal((8, 2)), rng.integers(3, (8,))) if conditional else rng.normal((8, 2))
                   for _ in range(3)]
        for batch in batches:
            gan.train_step(iter([batch]))
        weights = [backend.to_numpy(p.data) for p in gan.discriminator.parameters() + gan.generator.parameters()]
        results.append((weights, gan.history))
    (w_two, h_two), (w_one, h_one) = results
    for a, b in zip(w_two, w_one):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    for key in h_two:
        np.testing.assert_allclose(h_one[key], h_two[key], rtol=1e-10)


def test_a_discriminator_that_compares_rows_gets_two_passes():
    D = nn.Sequential(nn.Linear(2, 4), nn.MinibatchDiscrimination(4), nn.Linear(12, 1), nn.Sigmoid())
    G = nn.Sequential(nn.Linear(3, 2))
    gan = GAN(G, D, optim.Adam(G.parameters()), optim.Adam(D.parameters()), noise_dim=3)
    assert not gan.joint_d_pass


# -- lazily zeroed gradients ---------------------------------------------------------------------
def test_a_cleared_gradient_reads_as_zero_and_accumulates_from_zero():
    layer = nn.Linear(3, 2)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    x, g = backend.rng().normal((4, 3)), backend.rng().normal((4, 2))
    layer(x), layer.backward(g)
    opt.zero_grad()
    assert float(abs(layer.weight.grad).max()) == 0           # read while empty: zeros
    layer.weight.grad += 1.0                                    # a hand-written gradient survives backward
    layer(x), layer.backward(g)
    expected = 1.0 + backend.to_numpy(x).T @ backend.to_numpy(g)
    np.testing.assert_allclose(backend.to_numpy(layer.weight.grad), expected, rtol=1e-5)


def test_two_backward_passes_after_zero_grad_add_up():
    layer = nn.Linear(3, 2)
    opt = optim.SGD(layer.parameters(), lr=0.1)
    x, g = backend.rng().normal((4, 3)), backend.rng().normal((4, 2))
    layer(x), layer.backward(g)                                # stale gradient from before
    opt.zero_grad()
    for _ in range(2):
        layer(x), layer.backward(g)
    expected = 2 * backend.to_numpy(x).T @ backend.to_numpy(g)
    np.testing.assert_allclose(backend.to_numpy(layer.weight.grad), expected, rtol=1e-5)


def test_a_parameter_no_backward_reached_steps_with_a_zero_gradient():
    used, unused = nn.Linear(2, 2), nn.Linear(2, 2)
    opt = optim.SGD(used.parameters() + unused.parameters(), lr=0.1)
    used(backend.rng().normal((3, 2))), used.backward(backend.rng().normal((3, 2)))
    unused(backend.rng().normal((3, 2))), unused.backward(backend.rng().normal((3, 2)))
    before = backend.to_numpy(unused.weight.data).copy()
    opt.zero_grad()
    used(backend.rng().normal((3, 2))), used.backward(backend.rng().normal((3, 2)))
    opt.step()                                                  # unused's buffer still holds its old gradient
    np.testing.assert_array_equal(backend.to_numpy(unused.weight.data), before)


def test_adam_reports_pytorch_moments_and_resumes_from_them(float64):
    layer = nn.Linear(3, 2)
    opt = optim.Adam(layer.parameters(), lr=0.01, betas=(0.8, 0.99))
    rs = np.random.default_rng(0)
    m = v = 0.0
    for _ in range(3):
        g = rs.normal(size=(3, 2))
        opt.zero_grad(); layer.weight.grad += backend.asarray(g); opt.step()
        m, v = 0.8 * m + 0.2 * g, 0.99 * v + 0.01 * g * g
    np.testing.assert_allclose(backend.to_numpy(opt.m)[:6].reshape(3, 2), m, rtol=1e-12)
    np.testing.assert_allclose(backend.to_numpy(opt.v)[:6].reshape(3, 2), v, rtol=1e-12)
    state = {k: val for k, val in opt.state_dict().items() if k not in ("m_tilde", "v_tilde")}
    other = optim.Adam(nn.Linear(3, 2).parameters())
    other.load_state_dict(state)                                # PyTorch-style state: m and v only
    np.testing.assert_allclose(backend.to_numpy(other.m_tilde), backend.to_numpy(opt.m_tilde), rtol=1e-12)


def test_a_chain_starting_with_dropout_skips_its_backward_and_keeps_the_parameter_gradients(float64):
    net = nn.Sequential(nn.Dropout(0.2), nn.Linear(6, 4), nn.LeakyReLU(0.2), nn.Linear(4, 1))
    x, g = backend.rng().normal((5, 6)), backend.rng().normal((5, 1))
    net(x)
    net.zero_grad()
    net.backward(g)
    full = [backend.to_numpy(p.grad).copy() for p in net.parameters()]
    calls = []
    net.layers[0].backward = lambda grad: calls.append(grad)     # must not run
    net.zero_grad()
    assert backward_to(net, g, input_grad=False) is None
    assert calls == []
    for a, p in zip(full, net.parameters()):
        np.testing.assert_allclose(a, backend.to_numpy(p.grad), rtol=1e-12)
