"""Table 1 reproduced: the paper's simultaneous step, its schedules, exact resume, and the demo end to end."""
import functools
import json
import pathlib

import numpy as np
import pytest

from minigan import backend, gradcheck, nn
from minigan.training import checkpoint, image_loop
from minigan.data import mnist
from minigan.experiments import paper_mnist
from minigan.optim import SGD
from minigan.nn.module import backward_to
from minigan.gan.simultaneous import SimultaneousGAN
import conftest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def tiny_gan(lr=1e-3, momentum=0.0):
    """Scaled-down paper networks: G 3 -> 5 -> 4 (sigmoid), D 4 -> Dropout -> Maxout 3x2 -> Dropout -> 1."""
    G = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 4), nn.Sigmoid())
    D = nn.Sequential(nn.Dropout(0.2), nn.Maxout(4, 3, 2), nn.Dropout(0.5), nn.Linear(3, 1))
    optimizers = [SGD(net.parameters(), lr=lr, momentum=momentum, rule="pylearn2") for net in (G, D)]
    return SimultaneousGAN(G, D, *optimizers, 3, noise="uniform:1.7320508075688772", logits=True, log_every=1)


def objectives(gan, real, rng_state):
    """(d_obj, g_obj) recomputed by hand from the same random draws (z, then the fake masks, then the real)."""
    backend.rng().set_state(rng_state)
    xp = backend.xp
    fake = gan.generator(gan.sample_noise(len(real)))
    d_fake = gan.discriminator(fake)
    d_real = gan.discriminator(real)

    def softplus(a):
        return xp.logaddexp(0, a)
    # BCE with logits: BCE(a, 1) = softplus(-a), BCE(a, 0) = softplus(a)
    d_obj = 0.5 * (softplus(-d_real).mean() + softplus(d_fake).mean())
    g_obj = softplus(-d_fake).mean()
    return float(d_obj), float(g_obj)


def parameter_gradient(gan, real, rng_state, objective, params):
    """Central differences of one objective with respect to every parameter in ``params``, masks fixed."""
    pick = 0 if objective == "d" else 1
    return [gradcheck.numerical_gradient(lambda: objectives(gan, real, rng_state)[pick], p.data) for p in params]


@conftest.needs_restorable_rng
def test_one_step_moves_each_network_by_minus_lr_times_its_objectives_gradient_at_the_same_parameters(float64):
    gan = tiny_gan(lr=1e-3)
    real = backend.rng().random((6, 4))
    state = backend.rng().get_state()
    d_grads = parameter_gradient(gan, real, state, "d", gan.discriminator.parameters())
    g_grads = parameter_gradient(gan, real, state, "g", gan.generator.parameters())
    before = [p.data.copy() for p in gan.generator.parameters() + gan.discriminator.parameters()]
    backend.rng().set_state(state)
    gan.train_step(iter([real]))
    after = [p.data for p in gan.generator.parameters() + gan.discriminator.parameters()]
    for b, a, numeric in zip(before, after, g_grads + d_grads):
        assert gradcheck.relative_error((b - a) / 1e-3, numeric) < 1e-6


@conftest.needs_restorable_rng
def test_the_generator_gradient_flows_through_the_discriminators_own_dropout_masks(float64):
    """Finite differences of g_obj through a dropped-out D with the masks fixed, against the step's gradient."""
    gan = tiny_gan()
    real = backend.rng().random((5, 4))
    state = backend.rng().get_state()
    g_grads = parameter_gradient(gan, real, state, "g", gan.generator.parameters())
    backend.rng().set_state(state)
    gan.train_step(iter([real]))
    analytic = [p.grad for p in gan.generator.parameters()]
    assert max(gradcheck.relative_error(a, n) for a, n in zip(analytic, g_grads)) < 1e-6
    # without D's masks G's gradient would differ: the masks are part of g_obj
    gan.discriminator.eval()
    no_mask = parameter_gradient(gan, real, state, "g", gan.generator.parameters())
    assert max(gradcheck.relative_error(a, n) for a, n in zip(analytic, no_mask)) > 1e-3


def test_both_networks_move_from_one_batch_and_the_history_has_one_entry_of_each():
    gan = tiny_gan(lr=0.1)
    real = backend.rng().random((8, 4)).astype("float32")
    g0 = [p.data.copy() for p in gan.generator.parameters()]
    d0 = [p.data.copy() for p in gan.discriminator.parameters()]
    batches = iter([real])
    gan.train_step(batches)
    assert next(batches, None) is None                     # one batch consumed
    assert any(not np.array_equal(a, p.data) for a, p in zip(g0, gan.generator.parameters()))
    assert any(not np.array_equal(a, p.data) for a, p in zip(d0, gan.discriminator.parameters()))
    history = gan.history
    assert all(len(history[k]) == 1 for k in ("d_loss", "d_real", "d_fake", "value", "g_loss"))
    assert history["value"][0] == pytest.approx(-2 * history["d_loss"][0])


def test_skipping_the_first_maxouts_input_gradient_leaves_the_parameter_gradients_unchanged(float64):
    D = nn.Sequential(nn.Dropout(0.2), nn.Maxout(4, 3, 2), nn.Dropout(0.5), nn.Linear(3, 1))
    x, g = backend.rng().random((6, 4)), backend.rng().random((6, 1))
    D(x)
    backward_to(D, g, input_grad=False)
    fast = [p.grad.copy() for p in D.parameters()]
    D.zero_grad()
    D.backward(g)
    assert all(np.array_equal(a, p.grad) for a, p in zip(fast, D.parameters()))


def test_a_conditional_batch_is_refused():
    with pytest.raises(ValueError, match="unconditional"):
        tiny_gan().train_step(iter([(backend.rng().random((2, 4)), backend.xp.zeros(2, dtype=backend.xp.int64))]))


# -- the experiment ------------------------------------------------------------------------------
class Recorder:
    """Stands in for the GAN: just the two optimizers before_iteration sets."""

    def __init__(self):
        self.g_optimizer = SGD([nn.Parameter(backend.xp.zeros(1))], lr=1)
        self.d_optimizer = SGD([nn.Parameter(backend.xp.zeros(1))], lr=1)


def test_before_iteration_sets_the_decayed_lr_and_the_epochs_momentum_on_both_optimizers():
    experiment, gan = paper_mnist.Experiment(), Recorder()
    experiment.before_iteration(gan, 0, 0)
    assert gan.g_optimizer.lr == gan.d_optimizer.lr == pytest.approx(0.1, rel=1e-15)
    assert gan.g_optimizer.momentum == gan.d_optimizer.momentum == 0.5
    experiment.before_iteration(gan, 500 * 100, 100)
    for opt in (gan.g_optimizer, gan.d_optimizer):
        assert opt.lr == pytest.approx(0.1 / 1.000004 ** 50_000)
        assert opt.momentum == pytest.approx(0.5 + 0.2 * 100 / 249)
    experiment.before_iteration(gan, 10 ** 7, 300)
    assert gan.d_optimizer.lr == 1e-6 and gan.g_optimizer.momentum == pytest.approx(0.7)


def test_the_experiment_samples_the_prior_the_generator_was_trained_on():
    assert paper_mnist.Experiment.noise == paper_mnist.NOISE_PRIOR == "uniform:1.7320508075688772"
    backend.seed(5)
    a = backend.to_numpy(paper_mnist.noise(4))
    backend.seed(5)
    gan = paper_mnist.Experiment(paper_mnist.Settings(epochs=1)).build_gan(np.full((2, 784), 0.5, np.float32))
    backend.seed(5)
    np.testing.assert_array_equal(a, backend.to_numpy(gan.sample_noise(4)))


def synthetic_images(n=300, seed=0):
    return np.random.default_rng(seed).random((n, 784), dtype=np.float32)


@conftest.needs_restorable_rng
def test_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path):
    images = synthetic_images(200)
    quick = {"show_progress": False, "samples_per_class": 2}
    settings = paper_mnist.Settings(epochs=2, batch_size=50, seed=1)     # 4 steps per epoch
    image_loop.train(paper_mnist.Experiment(settings), images, None, tmp_path / "straight", **quick)
    half = paper_mnist.Settings(epochs=1, batch_size=50, seed=1)
    image_loop.train(paper_mnist.Experiment(half), images, None, tmp_path / "resumed", **quick)
    image_loop.train(paper_mnist.Experiment(settings), images, None, tmp_path / "resumed", resume=True, **quick)
    a, b = (checkpoint.load(tmp_path / d / image_loop.CHECKPOINT)["gan"] for d in ("straight", "resumed"))
    for part in ("generator", "discriminator"):
        assert all(np.array_equal(a[part][k], b[part][k]) for k in a[part])
    for part in ("g_optimizer", "d_optimizer"):
        np.testing.assert_array_equal(a[part]["buffer"], b[part]["buffer"])
        assert a[part]["momentum"] == b[part]["momentum"] and a[part]["lr"] == b[part]["lr"]


# -- the demo, end to end ------------------------------------------------------------------------
def load_demo():
    return conftest.load_demo("paper_table1")


def test_demo_trains_tracks_parzen_and_evaluates_a_checkpoint_on_a_few_hundred_images(mnist_dir, tmp_path,
                                                                                     monkeypatch):
    conftest.mnist_folder_or_skip("train-images-idx3-ubyte.gz")
    demo = load_demo()
    monkeypatch.setattr(mnist, "load_mnist", functools.lru_cache(mnist.load_mnist))   # read the files once
    quick = ["--data", str(mnist_dir), "--out", str(tmp_path), "--limit", "300", "--quiet",
             "--parzen-samples", "100", "--parzen-test", "200"]
    result = demo.main(quick + ["--epochs", "2", "--parzen-every", "1"])
    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (100, 784) and samples.dtype == np.float32
    assert 0 <= samples.min() and samples.max() <= 1
    summary = json.loads((tmp_path / "summary.json").read_text())
    table1 = summary["table1"]
    assert table1["epochs"] == 2 and table1["parzen"]["sigma"] in paper_mnist.PARZEN_SIGMA_GRID
    assert table1["parzen"]["test_images"] == 200 and table1["parzen_real_centres"]["centres"] == 100
    assert result["parzen"]["mean"] == table1["parzen"]["mean"]
    tracked = json.loads((tmp_path / demo.PARZEN_JSON).read_text())
    assert [row["epoch"] for row in tracked["epochs"]] == [1, 2]
    for name in ("figure2.png", demo.PARZEN_PNG, "grid_10x10.png"):
        assert (tmp_path / name).stat().st_size > 0
    # the checkpoint evaluates alone, and gives the same number the run printed
    again = demo.main(quick + ["--eval-only"])
    assert again["parzen"]["mean"] == result["parzen"]["mean"] and again["epochs"] == 2


def test_eval_only_without_a_checkpoint_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        load_demo().main(["--out", str(tmp_path), "--eval-only"])
