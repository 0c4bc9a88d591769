"""The speed-ups of docs/performance.md change how, never what, is computed."""
import numpy as np
import pytest

from minigan import backend, nn, optim
from minigan.gan import GAN


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
    arrays = [gan.g_optimizer.m, gan.g_optimizer.v, gan.d_optimizer.m, gan.d_optimizer.v]
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
