"""Algorithm 1: the k-step schedule, the frozen discriminator, the two generator losses, and learning."""
import math

import numpy as np
import pytest

import conftest
from minigan import backend, gan, nn, optim
from minigan.experiments import toy_1d
from minigan.data import toy


def tiny_gan(k=1, generator_loss="non-saturating", conditional=False, lr=1e-3, dropout=0.0):
    if conditional:
        G = nn.Conditional(3, 2, nn.mlp([2 + 2, 8, 1]))
        D = nn.Conditional(3, 2, nn.Sequential(nn.Linear(1 + 2, 8), nn.LeakyReLU(0.2), nn.Dropout(dropout),
                                               nn.Linear(8, 1), nn.Sigmoid()))
    else:
        G = nn.mlp([2, 8, 1])
        D = nn.Sequential(nn.Linear(1, 8), nn.LeakyReLU(0.2), nn.Dropout(dropout), nn.Linear(8, 1), nn.Sigmoid())
    return gan.GAN(G, D, optim.Adam(G.parameters(), lr), optim.Adam(D.parameters(), lr), noise_dim=2, k=k,
                   generator_loss=generator_loss, num_classes=3 if conditional else None, log_every=3)


class CountingBatches:
    """An endless iterator of real batches that counts how many were drawn."""

    def __init__(self, m=16, labels=False):
        self.m, self.labels, self.drawn = m, labels, 0

    def __iter__(self):
        return self

    def __next__(self):
        self.drawn += 1
        x = 3 + backend.rng().normal((self.m, 1))
        return (x, backend.rng().integers(3, (self.m,))) if self.labels else x


@pytest.mark.parametrize("k", [1, 3, 5])
def test_each_iteration_makes_k_discriminator_updates_on_fresh_batches_then_one_generator_update(k):
    g = tiny_gan(k=k)
    batches = CountingBatches()
    for _ in range(4):
        g.train_step(batches)
    assert (g.d_steps, g.g_steps, g.iteration, batches.drawn) == (4 * k, 4, 4, 4 * k)
    history = g.history
    assert len(history["d_loss"]) == 4 * k and len(history["g_loss"]) == 4


def test_generator_step_leaves_the_discriminator_unchanged():
    g = tiny_gan()
    g.discriminator_step(3 + backend.rng().normal((16, 1)))
    before = backend.to_numpy(g.d_optimizer.data).copy()
    d_grad_before = backend.to_numpy(g.d_optimizer.grad).copy()
    g_before = backend.to_numpy(g.g_optimizer.data).copy()
    g.generator_step(16)
    np.testing.assert_array_equal(backend.to_numpy(g.d_optimizer.data), before)
    np.testing.assert_array_equal(backend.to_numpy(g.d_optimizer.grad), d_grad_before)
    assert np.abs(backend.to_numpy(g.g_optimizer.data) - g_before).max() > 0


def test_discriminator_step_leaves_the_generator_unchanged():
    g = tiny_gan()
    before = backend.to_numpy(g.g_optimizer.data).copy()
    g.discriminator_step(3 + backend.rng().normal((16, 1)))
    np.testing.assert_array_equal(backend.to_numpy(g.g_optimizer.data), before)


def test_discriminator_update_uses_only_its_own_minibatch_gradient():
    """The D update after a G step equals the D update of a fresh copy that never saw the G step."""
    g = tiny_gan()
    g.generator_step(16)                   # would leave D gradients behind if D were not frozen
    state = backend.rng().get_state()
    real = 3 + backend.rng().normal((16, 1))
    d_before = backend.to_numpy(g.d_optimizer.data).copy()
    g.discriminator_step(real)
    step_after_g = backend.to_numpy(g.d_optimizer.data) - d_before

    fresh = tiny_gan()
    fresh.generator.load_state_dict(g.generator.state_dict())
    fresh.d_optimizer.data[...] = backend.asarray(d_before)
    backend.rng().set_state(state)
    backend.rng().normal((16, 1))          # the same draw of `real`
    fresh.discriminator_step(real)
    np.testing.assert_allclose(backend.to_numpy(fresh.d_optimizer.data) - d_before, step_after_g, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("loss", ["non-saturating", "minimax"])
def test_generator_loss_gradient_with_respect_to_d_output_matches_its_formula(float64, loss):
    """dL_G/dD for each sample: non-saturating -1/(m D), minimax -1/(m (1 - D))."""
    g = tiny_gan(generator_loss=loss)
    for net in (g.generator, g.discriminator):
        net.to("float64")
    captured = {}
    original_backward = g.discriminator.backward

    def spy(grad):
        captured["grad"] = backend.to_numpy(grad).copy()
        captured["d"] = backend.to_numpy(g.discriminator.layers[-1]._y).copy()
        return original_backward(grad)

    g.discriminator.backward = spy
    g_loss = float(g.generator_step(8))
    d, m = captured["d"], 8
    expected = -1 / (m * d) if loss == "non-saturating" else -1 / (m * (1 - d))
    np.testing.assert_allclose(captured["grad"], expected, rtol=1e-9)
    value = -np.log(d).mean() if loss == "non-saturating" else np.log(1 - d).mean()
    assert g_loss == pytest.approx(value, rel=1e-9)


def test_conditional_gan_passes_labels_to_both_networks():
    g = tiny_gan(conditional=True)
    batches = CountingBatches(labels=True)
    g.train_step(batches)
    assert g.d_steps == 1 and g.g_steps == 1
    samples = g.generate(5, labels=backend.xp.asarray([0, 1, 2, 0, 1]))
    assert samples.shape == (5, 1)
    with pytest.raises(ValueError, match="labels must be given exactly when the GAN is conditional"):
        g.discriminator_step(backend.rng().normal((4, 1)))


def test_bad_settings_are_named():
    G, D = nn.mlp([1, 1]), nn.mlp([1, 1], output=nn.Sigmoid())
    args = (G, D, optim.SGD(G.parameters(), 0.1), optim.SGD(D.parameters(), 0.1), 1)
    with pytest.raises(ValueError, match="generator_loss must be one of non-saturating, minimax; got 'wasserstein'"):
        gan.GAN(*args, generator_loss="wasserstein")
    with pytest.raises(ValueError, match="k must be a positive integer; got 0"):
        gan.GAN(*args, k=0)
    with pytest.raises(ValueError, match=r"noise must be .uniform., .normal. or .uniform:BOUND. \(BOUND > 0\); got .gaussian."):
        gan.GAN(*args, noise="gaussian")


def test_history_is_read_back_only_every_log_every_iterations():
    g = tiny_gan()                        # log_every=3
    batches = CountingBatches()
    g.train_step(batches); g.train_step(batches)
    assert len(g._history["d_loss"]) == 0 and len(g._pending["d_loss"]) == 2
    g.train_step(batches)
    assert len(g._history["d_loss"]) == 3 and not g._pending


@conftest.needs_restorable_rng
def test_state_dict_round_trip_resumes_identically():
    def run(split):
        backend.seed(0)
        g = tiny_gan(dropout=0.3)
        batches = toy.batches(toy.Gaussian1D(3, 1), 16)
        for _ in range(split):
            g.train_step(batches)
        state = g.state_dict()
        backend.seed(123)                 # scramble, then restore
        g2 = tiny_gan(dropout=0.3)
        g2.load_state_dict(state)
        for _ in range(6 - split):
            g2.train_step(batches)
        return backend.to_numpy(g2.g_optimizer.data), g2.history

    (w_a, h_a), (w_b, h_b) = run(2), run(4)
    np.testing.assert_array_equal(w_a, w_b)
    assert h_a == h_b and len(h_a["g_loss"]) == 6


@pytest.mark.slow
def test_short_training_moves_the_generator_toward_the_data():
    target = toy.Gaussian1D(4.0, 1.25)
    recipe = toy_1d.Recipe(steps=300, batch_size=128, final_lr_factor=0.2)
    g = toy_1d.build(recipe, 1, *toy_1d.data_scale(target))
    before = toy_1d.evaluate_1d(backend.to_numpy(g.generate(5000))[:, 0], target)["wasserstein1"]
    from minigan.training.toy_loop import fit
    fit(g, toy.batches(target, recipe.batch_size), recipe.steps, final_lr_factor=0.2, progress=False)
    assert (g.iteration, g.d_steps) == (300, 300 * recipe.k)
    after = toy_1d.evaluate_1d(backend.to_numpy(g.generate(5000))[:, 0], target)["wasserstein1"]
    print(f"W1 before {before:.3f}, after {after:.3f}")
    assert before > 0.3 * target.std      # the untrained G has the data's scale but not its shape
    assert after < 0.1 * target.std and after < before / 4
    assert abs(g.last("d_real", 200) - 0.5) < 0.1


def test_equilibrium_values_are_the_papers():
    """At D = 1/2 everywhere, d_loss = log 2 and V = -log 4."""
    G = nn.mlp([1, 1])
    D = nn.Sequential(nn.Linear(1, 1), nn.Sigmoid())
    D.layers[0].weight.data[...] = 0
    D.layers[0].bias.data[...] = 0
    g = gan.GAN(G, D, optim.SGD(G.parameters(), 1e-9), optim.SGD(D.parameters(), 1e-9), 1)
    d_loss, d_real, d_fake, value = g.discriminator_step(backend.rng().normal((8, 1)))
    assert float(d_loss) == pytest.approx(math.log(2), rel=1e-6)
    assert float(value) == pytest.approx(-math.log(4), rel=1e-6)
    assert float(d_real) == pytest.approx(0.5) and float(d_fake) == pytest.approx(0.5)


def test_last_averages_the_most_recent_records_and_names_unknown_keys():
    g = tiny_gan()
    batches = CountingBatches()
    for _ in range(4):
        g.train_step(batches)
    assert g.last("d_real", 2) == pytest.approx(sum(g.history["d_real"][-2:]) / 2)
    with pytest.raises(KeyError, match="key must be one of d_loss, g_loss, d_real, d_fake, value, d_grad_norm, g_grad_norm; got 'D\\(x\\)'"):
        g.last("D(x)")
