"""The paper's MNIST networks (goodfeli/adversarial mnist.yaml): shapes, parameter counts, init, and one step."""
import numpy as np
import pytest

from minigan import backend, losses, nn
from minigan.experiments import paper_mnist as paper
from minigan.nn.module import backward_to


def test_generator_has_the_yaml_shapes_and_parameter_count():
    G = paper.generator()
    linears = [m for m in G.layers if isinstance(m, nn.Linear)]
    assert [l.weight.shape for l in linears] == [(100, 1200), (1200, 1200), (1200, 784)]
    assert [type(m).__name__ for m in G.layers] == ["Linear", "ReLU", "Linear", "ReLU", "Linear", "Sigmoid"]
    assert G.num_parameters() == 100 * 1200 + 1200 + 1200 * 1200 + 1200 + 1200 * 784 + 784 == 2_503_984


def test_discriminator_has_the_yaml_shapes_dropout_and_parameter_count():
    D = paper.discriminator()
    assert [type(m).__name__ for m in D.layers] == ["Dropout", "Maxout", "Dropout", "Maxout", "Dropout",
                                                    "Linear", "Sigmoid"]
    assert [m.p for m in D.layers if isinstance(m, nn.Dropout)] == pytest.approx([0.2, 0.5, 0.5])
    maxouts = [m for m in D.layers if isinstance(m, nn.Maxout)]
    assert [(m.in_features, m.num_units, m.num_pieces) for m in maxouts] == [(784, 240, 5), (240, 240, 5)]
    assert D.num_parameters() == 784 * 1200 + 1200 + 240 * 1200 + 1200 + 240 + 1 == 1_231_441
    assert type(paper.discriminator(logits=True).layers[-1]).__name__ == "Linear"


def test_weights_are_uniform_in_irange_and_biases_zero():
    for net, irange in ((paper.generator(), 0.05), (paper.discriminator(), 0.005)):
        for name, p in net.named_parameters():
            a = backend.to_numpy(p.data)
            if name.endswith("bias"):
                np.testing.assert_array_equal(a, 0, err_msg=name)
            else:
                assert np.abs(a).max() <= irange and (a.size < 100 or np.abs(a).max() > 0.9 * irange), name


def test_noise_is_uniform_on_plus_minus_sqrt3():
    z = backend.to_numpy(paper.noise(20_000))
    assert z.shape == (20_000, 100)
    assert np.abs(z).max() < np.sqrt(3)
    assert abs(z.mean()) < 0.01 and abs(z.var() - 1) < 0.01


def test_output_bias_is_the_clipped_log_odds_of_the_pixel_means():
    images = np.zeros((4, 784))
    images[:, 0] = 1                       # always on -> clipped at 1 - 1e-7
    images[:2, 1] = 1                      # on half the time -> logit(0.5) = 0
    images[0, 2] = 0.5                     # mean 0.125
    b = paper.output_bias_from_marginals(images)
    assert b.shape == (784,)
    np.testing.assert_allclose(b[:3], [np.log((1 - 1e-7) / 1e-7), 0.0, np.log(0.125 / 0.875)], rtol=1e-9)
    np.testing.assert_allclose(b[3:], np.log(1e-7 / (1 - 1e-7)), rtol=1e-9)
    G = paper.generator(output_bias=b)
    np.testing.assert_allclose(backend.to_numpy(G.layers[4].bias.data), b.astype(np.float32), rtol=1e-6)


def test_output_bias_rejects_bad_images():
    with pytest.raises(ValueError, match="output_bias_from_marginals: images must be"):
        paper.output_bias_from_marginals(np.zeros((3, 10)))
    with pytest.raises(ValueError, match=r"pixels must lie in \[0, 1\]"):
        paper.output_bias_from_marginals(np.full((2, 784), 255.0))
    with pytest.raises(ValueError, match="generator: output_bias must have shape"):
        paper.generator(output_bias=np.zeros(10))


def test_one_forward_and_backward_of_both_networks_runs_and_fills_every_gradient():
    G, D = paper.generator(), paper.discriminator(logits=True)
    bce = losses.BCEWithLogitsLoss()
    fake = G(paper.noise(8))
    real = backend.rng().random((8, 784))
    assert fake.shape == (8, 784) and float(fake.min()) > 0 and float(fake.max()) < 1
    d_out = D(backend.xp.concatenate([real, fake]))
    assert d_out.shape == (16, 1)
    target = backend.xp.concatenate([backend.xp.ones((8, 1), dtype=real.dtype), backend.xp.zeros((8, 1), dtype=real.dtype)])
    bce.forward(d_out, target)
    G.zero_grad()
    D.zero_grad()
    grad_x = D.backward(bce.backward())
    assert backward_to(G, grad_x[8:], input_grad=False) is None
    for name, p in list(G.named_parameters()) + list(D.named_parameters()):
        g = backend.to_numpy(p.grad)
        assert np.isfinite(g).all() and np.abs(g).max() > 0, name
