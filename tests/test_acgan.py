"""AC-GAN's discriminator: a source head for the GAN's loss, a class head whose loss rides along."""
import numpy as np
import pytest

from minigan import backend, gradcheck, nn
from minigan.gan.acgan import AuxiliaryDiscriminator
from minigan.gan import GAN
from minigan.losses import BCEWithLogitsLoss
from minigan.optim import SGD
import conftest



def small_auxiliary_discriminator(weight=0.7):
    body = nn.Sequential(nn.Linear(5, 6), nn.LeakyReLU(0.2), nn.Linear(6, 1 + 3))
    return AuxiliaryDiscriminator(body, num_classes=3, weight=weight)


def test_forward_returns_the_source_logit_and_records_the_class_loss():
    D = small_auxiliary_discriminator()
    x, y = backend.rng().normal((4, 5)), conftest.labels_of(0, 2, 1, 2)
    source = D(x, y)
    logits = D.body(x)
    assert source.shape == (4, 1)
    np.testing.assert_allclose(backend.to_numpy(source), backend.to_numpy(logits[:, :1]), rtol=1e-6)
    log_p = logits[:, 1:] - np.log(np.exp(backend.to_numpy(logits[:, 1:])).sum(axis=1, keepdims=True))
    expected = -np.mean(backend.to_numpy(log_p)[np.arange(4), backend.to_numpy(y)])
    assert float(D.last_class_loss) == pytest.approx(expected, rel=1e-5)


def test_gradient_of_source_bce_plus_weighted_class_loss_matches_finite_differences(float64):
    """L = BCE(source logit, t) + weight * CE(class logits, y): one backward through the shared body."""
    D = small_auxiliary_discriminator(weight=0.7)
    x, y = backend.rng().normal((4, 5)), conftest.labels_of(0, 2, 1, 2)
    targets = backend.asarray([[1.0], [0.0], [1.0], [0.0]])
    bce = BCEWithLogitsLoss()

    def total_loss():
        source = D(x, y)
        return float(bce(source, targets)) + D.weight * float(D.last_class_loss)

    D.zero_grad()
    total_loss()
    grad_x = D.backward(bce.backward())
    for name, p in D.named_parameters():
        numeric = gradcheck.numerical_gradient(total_loss, p.data)
        assert gradcheck.relative_error(p.grad, numeric) < 1e-6, name
    assert gradcheck.relative_error(grad_x, gradcheck.numerical_gradient(total_loss, x)) < 1e-6


def test_discriminator_update_runs_the_real_and_fake_passes_separately():
    D = small_auxiliary_discriminator()
    assert not nn.module.is_rowwise(D)
    G = nn.Conditional(3, 2, nn.Sequential(nn.Linear(2 + 2, 5), nn.Tanh()))
    gan = GAN(G, D, SGD(G.parameters(), lr=0.1), SGD(D.parameters(), lr=0.1), noise_dim=2,
              num_classes=3, logits=True)
    assert gan.joint_d_pass is False
    batches = iter([(backend.rng().normal((4, 5)), conftest.labels_of(0, 1, 2, 0))] * 2)
    gan.train_step(batches)
    assert np.isfinite(gan.last("d_loss")) and 0 < gan.last("d_fake") < 1


@pytest.mark.parametrize("kwargs, message", [({"num_classes": 1}, "num_classes must be an integer >= 2"),
                                             ({"weight": 0.0}, "weight must be > 0")])
def test_bad_arguments_are_named(kwargs, message):
    args = {"body": nn.Linear(5, 4), "num_classes": 3, **kwargs}
    with pytest.raises(ValueError, match=message):
        AuxiliaryDiscriminator(**args)


def test_a_body_of_the_wrong_width_is_a_clear_error():
    D = AuxiliaryDiscriminator(nn.Linear(5, 3), num_classes=3)
    with pytest.raises(ValueError, match=r"body must output \(m, 4\) logits; got shape \(2, 3\)"):
        D(backend.rng().normal((2, 5)), conftest.labels_of(0, 1))
