"""The exponential moving average of G's weights: its formula, that training ignores it, resume."""
import numpy as np
import pytest

import conftest
from minigan import backend, gan, nn, optim
from minigan.gan.averaging import ExponentialAverage
from minigan.data import toy
from minigan.nn.batchnorm import BatchNorm1d


def host(net):
    return {k: np.asarray(v) for k, v in net.state_dict().items()}


def small_gan(ema_decay=0.0):
    G = nn.Sequential(nn.Linear(2, 8, bias=False), BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 1))
    D = nn.Sequential(nn.Linear(1, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
    return gan.GAN(G, D, optim.Adam(G.parameters(), 1e-2), optim.Adam(D.parameters(), 1e-2), noise_dim=2,
                   logits=True, noise="normal", log_every=2, ema_decay=ema_decay)


def test_one_update_mixes_old_average_and_new_weights_by_the_decay_in_parameters_and_buffers(float64):
    net = nn.Sequential(nn.Linear(3, 4), BatchNorm1d(4))
    average = ExponentialAverage(net, 0.9)
    before = host(net)
    net.layers[0].weight.data += 1.0                       # "a training step"
    net(backend.rng().normal((5, 3)))                     # moves the running statistics
    after = host(net)
    average.update()
    got = host(average.average)
    assert set(got) == set(before) and "layers.1.running_var" in got
    for key in got:
        np.testing.assert_allclose(got[key], 0.9 * before[key] + 0.1 * after[key], rtol=1e-12)
    assert average.updates == 1 and not average.average.training


def test_the_average_of_constant_weights_converges_to_them_geometrically(float64):
    net = nn.Linear(2, 2)
    average = ExponentialAverage(net, 0.5)
    start = np.asarray(net.weight.data).copy()
    net.weight.data[...] = 0.0
    for _ in range(10):
        average.update()
    np.testing.assert_allclose(np.asarray(average.average.weight.data), 0.5 ** 10 * start, rtol=1e-12)


def test_averaging_leaves_training_unchanged_and_samples_come_from_the_average():
    batches = lambda: toy.batches(toy.Gaussian1D(3, 1), 16)  # noqa: E731
    runs = {}
    for decay in (0.0, 0.8):
        backend.seed(4)
        g, data = small_gan(decay), batches()
        for _ in range(7):
            g.train_step(data)
        runs[decay] = g
    plain, averaged = runs[0.0], runs[0.8]
    for a, b in ((plain.generator, averaged.generator), (plain.discriminator, averaged.discriminator)):
        assert all(np.array_equal(host(a)[k], host(b)[k]) for k in host(a))
    assert averaged.average.updates == 7 and averaged.sampler is averaged.average.average
    assert not np.allclose(np.asarray(averaged.sampler.layers[0].weight.data),
                           np.asarray(averaged.generator.layers[0].weight.data))
    z = backend.rng().normal((6, 2))
    expected = averaged.average.average(z)
    np.testing.assert_array_equal(np.asarray(averaged.generate(6, z=z)), np.asarray(expected))
    assert plain.sampler is plain.generator and averaged.generator.training


@conftest.needs_restorable_rng
def test_a_resumed_gan_continues_the_average_exactly():
    def run(split):
        backend.seed(1)
        g, data = small_gan(0.9), toy.batches(toy.Gaussian1D(3, 1), 16)
        for _ in range(split):
            g.train_step(data)
        state = g.state_dict()
        backend.seed(99)
        g2 = small_gan(0.9)
        g2.load_state_dict(state)
        for _ in range(6 - split):
            g2.train_step(data)
        return host(g2.sampler), g2.average.updates

    (a, n_a), (b, n_b) = run(2), run(5)
    assert n_a == n_b == 6 and all(np.array_equal(a[k], b[k]) for k in a)


def test_a_state_without_the_average_is_refused_by_a_gan_with_one_and_says_why():
    state = small_gan(0.0).state_dict()
    with pytest.raises(KeyError, match="no generator_average.*without ema_decay.*ema_decay=0.99"):
        small_gan(0.99).load_state_dict(state)
    with pytest.raises(ValueError, match="has a generator_average .*ema_decay=0.99.*keeps none"):
        small_gan(0.0).load_state_dict(small_gan(0.99).state_dict())
    average = ExponentialAverage(nn.Linear(1, 1), 0.5)
    with pytest.raises(ValueError, match="decay 0.5, this average has 0.25"):
        ExponentialAverage(nn.Linear(1, 1), 0.25).load_state_dict(average.state_dict())


@pytest.mark.parametrize("decay", [0, 1, 1.5, -0.1, True, "0.9"])
def test_a_decay_outside_0_1_is_an_error_that_names_it(decay):
    with pytest.raises(ValueError, match=r"decay must be a number in \(0, 1\).*got"):
        ExponentialAverage(nn.Linear(1, 1), decay)
    if decay != 0:              # 0 is the GAN's "no average"
        with pytest.raises(ValueError, match=r"ema_decay \(0: off\) must be a number in \[0, 1\).*got"):
            small_gan(decay)
