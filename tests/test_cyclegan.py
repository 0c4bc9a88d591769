"""CycleGAN on two styles of digits: the step's gradients, the domains, the measurements, the demo, resume."""
import json

import numpy as np
import pytest

import conftest
from minigan import backend, gradcheck
from minigan.data import digit_styles
from minigan.experiments import cyclegan
from minigan.gan.cyclegan import CycleGAN
from minigan.metrics import translation
from minigan.optim import Adam
from minigan.training import checkpoint, image_loop


# -- the step's gradients, against finite differences -------------------------------------------------
def tiny_cyclegan(cycle_weight=10.0, identity_weight=0.5):
    """G, F, D_A, D_B of the recipe at their smallest, for 8x8 images (D: 2x2 verdicts)."""
    G, F = cyclegan.resnet_generator(width=2, blocks=1), cyclegan.resnet_generator(width=2, blocks=1)
    D_A, D_B = cyclegan.patch_discriminator(width=2), cyclegan.patch_discriminator(width=2)
    for net in (G, F, D_A, D_B):             # larger weights than N(0, 0.02): every term matters
        for p in net.parameters():
            p.data[...] = backend.rng().normal(p.shape) * 0.5
    return CycleGAN(G, F, D_A, D_B, Adam(G.parameters() + F.parameters()), Adam(D_A.parameters() + D_B.parameters()),
                    cycle_weight=cycle_weight, identity_weight=identity_weight)


def images(m=2, side=8):
    return backend.xp.tanh(backend.rng().normal((m, 1, side, side)))


def applied_gradients_match_finite_differences(gan, optimizer, step, loss):
    """Run ``step`` (an optimizer step) and compare the gradient it applied to each parameter of ``optimizer``
    with the central differences of ``loss()`` at the parameters before the step."""
    before = [p.data.copy() for p in optimizer.params]
    step()
    applied = [p.grad.copy() for p in optimizer.params]
    for p, value in zip(optimizer.params, before):
        p.data[...] = value
    errors = [gradcheck.relative_error(g, gradcheck.numerical_gradient(loss, p.data))
              for p, g in zip(optimizer.params, applied)]
    return max(errors)


def generator_loss_terms(gan, a, b):
    """The paper's terms, by forward passes alone: (adversarial, cycle, identity), host floats."""
    G, F, xp = gan.G, gan.F, backend.xp
    l1 = lambda x, y: float(xp.abs(x - y).mean())  # noqa: E731
    adversarial = float(((gan.D_B(G(a)) - 1) ** 2).mean() + ((gan.D_A(F(b)) - 1) ** 2).mean())
    return adversarial, l1(F(G(a)), a) + l1(G(F(b)), b), l1(G(b), b) + l1(F(a), a)


@pytest.mark.parametrize("cycle_weight, identity_weight", [(10.0, 0.5), (3.0, 0.0)])
def test_the_gradient_the_generator_step_applies_is_the_finite_difference_of_the_total_loss(
        float64, cycle_weight, identity_weight):
    """With D frozen: the gradient G and F step along is that of adversarial + lambda cycle + lambda_idt identity,
    every path included (the cycle's way back through F into G above all)."""
    backend.seed(4)
    gan = tiny_cyclegan(cycle_weight, identity_weight)
    a, b = images(), images()
    d_before = [p.data.copy() for p in gan._d_parameters]

    def total():
        adversarial, cycle, identity = generator_loss_terms(gan, a, b)
        return adversarial + cycle_weight * cycle + cycle_weight * identity_weight * identity
    error = applied_gradients_match_finite_differences(gan, gan.g_optimizer, lambda: gan.generator_step(a, b), total)
    assert error < 1e-6
    assert all(np.array_equal(backend.to_numpy(p.data), backend.to_numpy(q)) for p, q in zip(gan._d_parameters, d_before))


def test_the_gradient_the_discriminator_step_applies_is_the_finite_difference_of_its_loss(float64):
    backend.seed(5)
    gan = tiny_cyclegan()
    a, b, fake_a, fake_b = images(), images(), images(), images()

    def loss():        # each D descends its own loss; their parameters are apart, so the sum's gradient is each's
        return 2 * float(gan.discriminator_gradient(a, b, fake_a, fake_b)["d_loss"])
    step = lambda: gan.discriminator_step(a, b, fake_a, fake_b)  # noqa: E731
    assert applied_gradients_match_finite_differences(gan, gan.d_optimizer, step, loss) < 1e-6


def test_losses_are_the_papers_terms_written_out(float64):
    backend.seed(6)
    gan = tiny_cyclegan(cycle_weight=2.0, identity_weight=0.25)
    a, b = images(), images()
    losses, fake_a, fake_b = gan.generator_gradient(a, b)
    adversarial, cycle, identity = generator_loss_terms(gan, a, b)
    assert float(losses["g_adv"]) == pytest.approx(adversarial)
    assert float(losses["cycle"]) == pytest.approx(cycle) and float(losses["identity"]) == pytest.approx(identity)
    assert float(losses["g_loss"]) == pytest.approx(adversarial + 2.0 * cycle + 0.5 * identity)
    np.testing.assert_allclose(backend.to_numpy(fake_b), backend.to_numpy(gan.G(a)))
    d = gan.discriminator_gradient(a, b, fake_a, fake_b)
    d_b = ((gan.D_B(b) - 1) ** 2).mean() / 2 + (gan.D_B(fake_b) ** 2).mean() / 2
    d_a = ((gan.D_A(a) - 1) ** 2).mean() / 2 + (gan.D_A(fake_a) ** 2).mean() / 2
    assert float(d["d_loss"]) == pytest.approx(float(d_a + d_b) / 2)


def test_networks_have_the_documented_shapes():
    G, D = cyclegan.resnet_generator(16, 2), cyclegan.patch_discriminator(32)
    x = images(3, 28)
    assert G(x).shape == (3, 1, 28, 28) and float(abs(G(x)).max()) <= 1
    assert D(x).shape == (3, 1, 7, 7)
    assert [type(m).__name__ for m in G.layers].count("ResidualBlock") == 2


def test_cyclegan_refuses_a_discriminator_that_compares_images_and_bad_weights():
    from minigan import nn
    G, F, D = cyclegan.resnet_generator(2, 1), cyclegan.resnet_generator(2, 1), cyclegan.patch_discriminator(2)
    optimizers = (Adam(G.parameters() + F.parameters()), Adam(D.parameters()))
    with pytest.raises(ValueError, match="D_B must treat each image on its own"):
        CycleGAN(G, F, D, nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)), *optimizers)
    with pytest.raises(ValueError, match=r"CycleGAN: cycle_weight must be a number >= 0.*got -1"):
        CycleGAN(G, F, D, D, *optimizers, cycle_weight=-1)
    with pytest.raises(ValueError, match=r"cyclegan.Settings: g_width must be even.*got 5"):
        cyclegan.Settings(g_width=5)
    with pytest.raises(ValueError, match=r"cyclegan.Settings: identity_weight must be a number >= 0; got nan"):
        cyclegan.Settings(identity_weight=float("nan"))


# -- the two domains ---------------------------------------------------------------------------------
def test_style_b_is_a_deterministic_bold_dark_on_white_version():
    x = np.zeros((1, 784), np.float32)
    x[0, 14 * 28 + 14] = 0.8                                 # one lit pixel
    b = digit_styles.style_b(x).reshape(28, 28)
    assert (b[13:16, 13:16] == pytest.approx(0.2)) and b.sum() == pytest.approx(784 - 9 * 0.8)
    images, _ = conftest.synthetic_mnist(20)
    np.testing.assert_array_equal(digit_styles.style_b(images), digit_styles.style_b(images.copy()))
    closing = digit_styles.undo_style(digit_styles.style_b(images))        # the dilation eroded again
    assert (closing >= images - 1e-6).all()                                  # a closing only adds ink ...
    assert (closing <= digit_styles.max_filter_3x3(images) + 1e-6).all()    # ... less than the dilation did
    np.testing.assert_allclose(digit_styles.undo_style(digit_styles.style_b(x)), x, atol=1e-6)   # one stroke: back


def test_the_domains_come_from_disjoint_halves_and_the_test_pairs_are_aligned():
    images, labels = conftest.synthetic_mnist(21)
    a, a_labels, b, b_labels = digit_styles.unpaired_domains(images, labels)
    assert len(a) == len(b) == 10
    np.testing.assert_array_equal(a, images[:10])
    np.testing.assert_array_equal(b, digit_styles.style_b(images[10:20]))
    assert not (set(map(bytes, digit_styles.style_b(a))) & set(map(bytes, b)))      # no image has its pair
    test_a, test_b, test_labels = digit_styles.test_domains(images, labels)
    np.testing.assert_array_equal(test_b, digit_styles.style_b(test_a))
    with pytest.raises(ValueError, match=r"unpaired_domains: labels must have shape \(21,\); got \(3,\)"):
        digit_styles.unpaired_domains(images, labels[:3])
    with pytest.raises(ValueError, match=r"style_b|max_filter_3x3: images must be a float array"):
        digit_styles.style_b(np.zeros((2, 28, 28)))


# -- the measurements, on planted inputs ---------------------------------------------------------------
class Reads:
    """A stand-in classifier: predicts whatever ``rule`` says of the host images."""

    def __init__(self, rule):
        self.rule = rule

    def predict(self, x):
        return backend.asarray(self.rule(backend.to_numpy(x)), dtype=backend.xp.int64)


BRIGHT_BACKGROUND = Reads(lambda x: (x.mean(axis=1) > 0.5).astype(int))      # 1 = "B"


def test_an_identity_translation_keeps_the_content_changes_no_style_and_comes_back_exactly():
    images, labels = conftest.synthetic_mnist(40)
    a, b, labels = digit_styles.test_domains(images * 0.5, labels)
    by_label = Reads(lambda x: labels[: len(x)])              # a classifier that is always right
    test = {"a": a, "b": b, "labels": labels, "g_of_a": a, "f_of_b": b, "f_of_g_of_a": a, "g_of_f_of_b": b}
    measured = translation.measure_translation(test, by_label, BRIGHT_BACKGROUND)
    assert measured["style_changed_g_of_a"] == 0 and measured["style_changed_f_of_b"] == 0
    assert measured["content_kept_g_of_a"] == 1 and measured["domain_accuracy_real"] == 1
    assert measured["cycle_error_a"] == 0 and measured["cycle_error_b"] == 0
    assert measured["pair_error_g_of_a"] == pytest.approx(float(np.abs(a - b).mean()))


def test_a_translation_that_draws_one_digit_changes_the_style_and_loses_the_content():
    labels = np.arange(10).repeat(4)
    a = np.full((40, 784), 0.1, np.float32)
    one_b_digit = np.full((40, 784), 0.9, np.float32)
    digit_seen = Reads(lambda x: np.where(x.mean(axis=1) > 0.5, 7, labels))
    assert translation.style_changed(BRIGHT_BACKGROUND, one_b_digit, "B") == 1
    assert translation.content_kept(digit_seen, one_b_digit, labels) == pytest.approx(0.1)
    assert translation.content_kept(digit_seen, one_b_digit, labels, prepare=lambda x: 1 - x) == 1
    assert translation.cycle_error(a, a + 0.25) == pytest.approx(0.25)


@pytest.mark.parametrize("call, match", [
    (lambda: translation.cycle_error(np.zeros((3, 784), np.float32), np.zeros((2, 784), np.float32)),
     r"returned must hold 3 images"),
    (lambda: translation.cycle_error(np.zeros((3, 28, 28), np.float32), None), r"images must be a non-empty float "
                                                                             r"array \(N, 784\); got shape \(3, 28, 28\)"),
    (lambda: translation.style_changed(BRIGHT_BACKGROUND, np.zeros((3, 784), np.float32), "C"),
     r"domain must be one of A, B; got 'C'"),
    (lambda: translation.content_kept(BRIGHT_BACKGROUND, np.full((3, 784), 2.0, np.float32), [0, 1, 2]),
     r"translated must hold finite pixels in \[0, 1\]; got values in \[2.0, 2.0\]"),
])
def test_bad_measurement_input_is_named(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_the_domain_classifier_tells_real_a_from_real_b(mnist_dir):
    from minigan.data import mnist
    images, labels = mnist.load_mnist(mnist_dir, "test")
    a, _, b, _ = digit_styles.unpaired_domains(images[:3000], labels[:3000])
    model = translation.train_domain_classifier(a, b, epochs=2)
    test_a, test_b, _ = digit_styles.test_domains(images[3000:4000], labels[3000:4000])
    assert translation.style_changed(model, test_b, "B") > 0.99 and translation.style_changed(model, test_a, "A") > 0.99


# -- the loop: exact resume, through the same image loop as every MNIST model --------------------------
def small_settings(epochs, **extra):
    return cyclegan.Settings(epochs=epochs, batch_size=4, seed=3, g_width=4, residual_blocks=1, d_width=4, **extra)


def final_state(out):
    state = checkpoint.load(out / image_loop.CHECKPOINT)
    return state["gan"], state["loader"]


def test_training_runs_through_the_image_loop_and_summarises_its_measurements(tmp_path):
    images, labels = conftest.synthetic_mnist(32)
    experiment = cyclegan.Experiment(small_settings(1))
    experiment.test_digits = digit_styles.test_domains(images[:12], labels[:12])
    summary = image_loop.train(experiment, images, labels, tmp_path, show_progress=False)
    assert summary["iterations_per_epoch"] == 4 and summary["experiment"] == "cyclegan"
    assert set(summary["final_epoch_means"]) == {"d_loss", "g_adv", "D(real)", "D(translated)", "cycle", "identity"}
    assert summary["measurements"]["test_images"] == 12 and "content_kept_g_of_a" not in summary["measurements"]
    assert np.load(tmp_path / "g_of_a.npy").shape == (12, 784)


@conftest.needs_restorable_rng
def test_a_run_resumed_after_epoch_1_equals_an_uninterrupted_2_epoch_run_bit_for_bit(tmp_path):
    images, labels = conftest.synthetic_mnist(32)
    quick = {"show_progress": False}

    def run(epochs, out, **flags):
        experiment = cyclegan.Experiment(small_settings(epochs))
        experiment.test_digits = digit_styles.test_domains(images[:10], labels[:10])
        return image_loop.train(experiment, images, labels, tmp_path / out, **flags, **quick)
    run(2, "straight")
    run(1, "cut")
    run(2, "cut", resume=True)
    (straight, loader), (resumed, resumed_loader) = final_state(tmp_path / "straight"), final_state(tmp_path / "cut")
    for part in ("G", "F", "D_A", "D_B", "g_optimizer", "d_optimizer"):
        for key, value in straight[part].items():
            np.testing.assert_array_equal(value, resumed[part][key], err_msg=f"{part}/{key}")
    assert straight["history"] == resumed["history"] and loader["a"]["position"] == resumed_loader["a"]["position"]
    for name in ("g_of_a.npy", "f_of_b.npy"):
        np.testing.assert_array_equal(np.load(tmp_path / "straight" / name), np.load(tmp_path / "cut" / name))


def test_resuming_with_another_cycle_weight_is_refused_by_name(tmp_path):
    from minigan.training import image_sampling
    images, labels = conftest.synthetic_mnist(16)
    experiment = cyclegan.Experiment(small_settings(1))
    experiment.test_digits = digit_styles.test_domains(images[:4], labels[:4])
    image_loop.train(experiment, images, labels, tmp_path, show_progress=False)
    other = cyclegan.Experiment(small_settings(2, cycle_weight=0.0))
    with pytest.raises(ValueError, match=r"settings differ \(cycle_weight: checkpoint 10.0, now 0.0\)"):
        image_loop.train(other, images, labels, tmp_path, resume=True, show_progress=False)
    with pytest.raises(ValueError, match=r"checkpoint of the 'cyclegan' experiment, which has no one generator"):
        image_sampling.load_generator(tmp_path / image_loop.CHECKPOINT)


# -- the demo, end to end on the shared MNIST files ----------------------------------------------------
@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    """demos/cyclegan_digits.py for one epoch of 64 training images, tiny networks, 200 test digits, with a
    stand-in MNIST classifier (one that reads every image as 0: only the plumbing is tested here)."""
    mnist_dir = conftest.mnist_folder_or_skip("train-images-idx3-ubyte.gz")
    from minigan.demo_tools import cli
    from minigan.metrics import classifier
    backend.set_default_dtype("float32")
    out = tmp_path_factory.mktemp("cyclegan")
    saved = cli.CLASSIFIER_CACHE
    cli.CLASSIFIER_CACHE = out / "classifier.npz"
    classifier.save_classifier(cli.CLASSIFIER_CACHE, classifier.MNISTClassifier(hidden=(4,)))
    try:
        summary = conftest.load_demo("cyclegan_digits").main([
            "--data", str(mnist_dir), "--out", str(out / "run"), "--limit", "64", "--epochs", "1",
            "--batch-size", "8", "--g-width", "4", "--residual-blocks", "1", "--d-width", "4",
            "--test-images", "200", "--seed", "1", "--quiet"])
    finally:
        cli.CLASSIFIER_CACHE = saved
    return out / "run", summary


def test_demo_writes_every_output_with_the_promised_shapes_and_ranges(demo_run):
    """Measured on 200 test digits (--test-images), so the outputs hold 200 (a full run: the first 1,000)."""
    out, summary = demo_run
    assert cyclegan.OUTPUTS == 1000
    for name in ("a", "g_of_a", "b", "f_of_b"):
        x = np.load(out / f"{name}.npy")
        assert x.shape == (200, 784) and x.dtype == np.float32 and x.min() >= 0 and x.max() <= 1, name
    labels = np.load(out / "a_labels.npy")
    assert labels.shape == (200,) and np.array_equal(labels, np.load(out / "b_labels.npy"))
    np.testing.assert_array_equal(np.load(out / "b.npy"), digit_styles.style_b(np.load(out / "a.npy")))
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["settings"]["cycle_weight"] == 10.0 and on_disk["epochs_completed"] == 1
    assert on_disk["measurements"] == summary["measurements"] and "health" in on_disk
    assert 0 <= on_disk["measurements"]["content_kept_g_of_a"] <= 1
    for name in ("translations.png", "loss_curves.png", "epochs/translations_epoch_001.png", "checkpoint.npz"):
        assert (out / name).is_file(), name


def test_no_cycle_and_cycle_weight_together_are_refused(capsys):
    with pytest.raises(SystemExit):
        conftest.load_demo("cyclegan_digits").parse_args(["--no-cycle", "--cycle-weight", "5"])
    assert "--no-cycle sets lambda to 0" in capsys.readouterr().err
