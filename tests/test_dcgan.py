"""DCGAN for MNIST: the networks' shapes and sizes, their gradients, separate D passes, resume, the demo."""
import json
import pathlib

import numpy as np
import pytest

import conftest
from minigan import backend, gradcheck, nn
from minigan.gan import draw_noise
from minigan.training import checkpoint, image_sampling, image_loop
from minigan.experiments import dcgan

ROOT = pathlib.Path(__file__).resolve().parents[1]




def layer_names(net):
    return [type(m).__name__ for m in net.layers]


# -- the networks ------------------------------------------------------------------------
def test_generator_follows_the_dcgan_layout_and_maps_noise_to_28x28_images_in_tanh_range():
    G = dcgan.generator()
    assert layer_names(G) == ["Linear", "BatchNorm1d", "ReLU", "Unflatten", "ConvTranspose2d", "BatchNorm2d",
                              "ReLU", "ConvTranspose2d", "Tanh"]
    images = G(backend.rng().normal((3, 100)))
    assert images.shape == (3, 1, 28, 28) and float(abs(images).max()) <= 1


def test_discriminator_follows_the_dcgan_layout_and_returns_one_logit_per_image():
    D = dcgan.discriminator()
    assert layer_names(D) == ["Conv2d", "LeakyReLU", "Conv2d", "BatchNorm2d", "LeakyReLU", "Flatten", "Linear"]
    assert all(m.negative_slope == 0.2 for m in D.layers if isinstance(m, nn.LeakyReLU))
    assert D(backend.rng().normal((3, 1, 28, 28))).shape == (3, 1)


def test_parameter_counts_match_the_layers_written_out():
    bn = lambda c: 2 * c  # noqa: E731 - gamma and beta
    g = 100 * 6272 + bn(6272) + 128 * 64 * 16 + bn(64) + 64 * 16 + 1          # no bias before batch norm
    d = 64 * 16 + 64 + 64 * 128 * 16 + bn(128) + 6272 + 1
    assert dcgan.generator().num_parameters() == g == 771_969
    assert dcgan.discriminator().num_parameters() == d == 138_689
    assert dcgan.generator(True).num_parameters() == g + 10 * 6272 + 10 * 10    # wider Linear, label table
    assert dcgan.discriminator(True).num_parameters() == d + 10 * 6272          # projection table


def test_weights_start_normal_with_std_0_02_and_batch_norm_gamma_near_1():
    G = dcgan.generator()
    w = backend.to_numpy(G.layers[0].weight.data)
    assert abs(w.std() - 0.02) < 0.001 and abs(w.mean()) < 0.001
    gamma, beta = backend.to_numpy(G.layers[1].weight.data), backend.to_numpy(G.layers[1].bias.data)
    assert abs(gamma.mean() - 1) < 0.002 and abs(gamma.std() - 0.02) < 0.002 and not beta.any()
    assert not backend.to_numpy(G.layers[7].bias.data).any()


class GeneratorThroughDiscriminator(nn.Module):
    """D(G(z) [, y]): the chain the generator's update differentiates through."""

    def __init__(self, G, D):
        self.G, self.D = G, D

    def forward(self, z, *labels):
        return self.D(self.G(z, *labels), *labels)

    def backward(self, grad_output):
        return self.G.backward(self.D.backward(grad_output))


def tiny_networks(conditional):
    G = dcgan.generator(conditional, noise_dim=3, channels=(3, 2), image_size=8, num_classes=3, embedding_dim=2)
    D = dcgan.discriminator(conditional, channels=(2, 3), image_size=8, num_classes=3)
    return G, D


def test_scaled_down_d_of_g_gradients_match_finite_differences(float64):
    backend.seed(1)
    G, D = tiny_networks(conditional=False)
    result = gradcheck.check_module(GeneratorThroughDiscriminator(G, D), backend.rng().normal((4, 3)))
    assert result.max_error < 1e-6, result
    assert {"G.layers.4.weight", "G.layers.5.weight", "D.layers.0.weight", "D.layers.3.bias"} <= set(result.errors)


@pytest.mark.parametrize("conditional", [False, True])
def test_minibatch_discrimination_sits_on_d_features_and_its_gradients_match_finite_differences(float64, conditional):
    # Finite differences are no gradient at a kink of LeakyReLU: seed 6 put a batch-norm output 7e-6 from it on
    # the random stream of CuPy's code path (benchmarks/rehearsal); seed 0 keeps clear of it there and on NumPy's.
    backend.seed(0)
    D = dcgan.discriminator(conditional, channels=(2, 3), image_size=8, num_classes=3, minibatch_kernels=4)
    features = D.features.layers if conditional else D.layers[:-1]
    assert [type(m).__name__ for m in features[-2:]] == ["Flatten", "MinibatchDiscrimination"]
    assert features[-1].in_features == 3 * 2 * 2 and features[-1].reduction == "mean"
    labels = (conftest.labels_of(0, 2, 1, 2),) if conditional else ()
    result = gradcheck.check_module(D, backend.rng().normal((4, 1, 8, 8)), *labels)
    assert result.max_error < 1e-6, result
    name = "features.layers.6.weight" if conditional else "layers.6.weight"
    assert {"input", name} <= set(result.errors)
    full = dcgan.Experiment(dcgan.Settings(minibatch_kernels=50)).build_gan(None).discriminator
    assert full.layers[-1].weight.shape == (6272 + 50, 1)


def test_projection_discriminator_gradients_match_finite_differences(float64):
    backend.seed(2)
    _, D = tiny_networks(conditional=True)
    result = gradcheck.check_module(D, backend.rng().normal((4, 1, 8, 8)), conftest.labels_of(0, 2, 1, 2))
    assert result.max_error < 1e-6, result
    assert {"input", "embedding.weight", "head.weight", "features.layers.0.weight"} <= set(result.errors)


def test_scaled_down_conditional_d_of_g_gradients_match_finite_differences(float64):
    backend.seed(3)
    G, D = tiny_networks(conditional=True)
    result = gradcheck.check_module(GeneratorThroughDiscriminator(G, D), backend.rng().normal((4, 3)),
                                    conftest.labels_of(0, 2, 1, 2))
    assert result.max_error < 1e-6, result
    assert "G.label_concat.embedding.weight" in result.errors and "D.embedding.weight" in result.errors


def test_projection_moves_the_logit_by_the_label_rows_inner_product_with_the_features():
    D = dcgan.discriminator(True).eval()          # eval: batch norm is the same function for each row
    x = backend.rng().normal((2, 1, 28, 28))
    phi = D.features(x)
    table = D.embedding.weight.data
    shift = D(x, conftest.labels_of(3, 3)) - D(x, conftest.labels_of(7, 7))
    np.testing.assert_allclose(backend.to_numpy(shift[:, 0]), backend.to_numpy(phi @ (table[3] - table[7])),
                               rtol=1e-4, atol=1e-6)


# -- the GAN ---------------------------------------------------------------------------
def synthetic_mnist(n=64, seed=0):
    return conftest.synthetic_mnist(n, seed)


def test_discriminator_sees_real_and_fake_batches_in_separate_passes(monkeypatch):
    experiment = dcgan.Experiment(dcgan.Settings(batch_size=8, conditional=True))
    images, labels = synthetic_mnist(n=8)
    gan = experiment.build_gan(images)
    assert gan.joint_d_pass is False and gan.logits is True
    seen, forward = [], gan.discriminator.forward
    monkeypatch.setattr(gan.discriminator, "forward", lambda x, y: seen.append(x.shape[0]) or forward(x, y))
    real = backend.asarray(experiment.model_inputs(images))
    gan.discriminator_step(real, backend.asarray(labels, dtype=backend.xp.int64))
    assert seen == [8, 8]                          # never one pass over the 16 rows [real; fake]


def test_packed_dcgan_reads_pack_images_as_channels_and_trains(tmp_path):
    """--pack 2: D's first convolution reads 2 channels (two images stacked), one logit per pair."""
    experiment = dcgan.Experiment(dcgan.Settings(batch_size=8, pack=2, epochs=1))
    images, labels = synthetic_mnist(n=16)
    gan = experiment.build_gan(images)
    assert gan.pack == 2 and gan.discriminator.layers[0].weight.shape == (64, 2, 4, 4)
    assert gan.discriminator(backend.rng().normal((4, 2, 28, 28))).shape == (4, 1)
    summary = image_loop.train(experiment, images, labels, tmp_path, show_progress=False, samples_per_class=2)
    assert summary["epochs_completed"] == 1 and np.load(tmp_path / "samples.npy").shape == (20, 784)


def test_batchnorm_on_the_output_is_an_explicit_ablation_of_the_generator():
    G = dcgan.generator(output_batchnorm=True)
    assert layer_names(G)[-3:] == ["ConvTranspose2d", "BatchNorm2d", "Tanh"]
    assert dcgan.Experiment(dcgan.Settings(output_batchnorm=True)).build_generator().layers[-2].num_features == 1


@pytest.mark.parametrize("settings, match", [
    (dict(pack=2, conditional=True), "pack > 1 needs the unconditional DCGAN"),
    (dict(pack=3, batch_size=64), "batch_size must be a multiple of pack"),
    (dict(pack=4, batch_size=4), "at least 2 packed rows"),
    (dict(pack=0), "pack must be a positive integer"),
    (dict(ema_decay=1.0), r"ema_decay must be 0 \(off\) or in \(0, 1\).*got 1.0"),
    (dict(ema_decay=-0.5), "ema_decay must be 0"),
    (dict(minibatch_kernels=-1), r"minibatch_kernels must be 0 \(off\) or a positive integer; got -1"),
])
def test_bad_pack_and_average_settings_are_errors_that_name_them(settings, match):
    with pytest.raises(ValueError, match=match):
        dcgan.Settings(**settings)


def final_weights(out):
    state = checkpoint.load(out / image_loop.CHECKPOINT)["gan"]
    weights = {f"{net}/{k}": v for net in ("generator", "discriminator") for k, v in state[net].items()}
    weights.update((f"average/{k}", v) for k, v in state.get("generator_average", {}).get("average", {}).items())
    return weights


@conftest.needs_restorable_rng
@pytest.mark.parametrize("ema_decay", [0.0, 0.9])
def test_resumed_run_ends_with_the_weights_and_batch_statistics_of_an_uninterrupted_one(tmp_path, ema_decay):
    images, labels = synthetic_mnist(n=16)
    quick = {"show_progress": False, "samples_per_class": 2}
    settings = lambda epochs: dcgan.Settings(epochs=epochs, batch_size=8, seed=5, conditional=True,  # noqa: E731
                                             ema_decay=ema_decay)
    image_loop.train(dcgan.Experiment(settings(2)), images, labels, tmp_path / "straight", **quick)
    image_loop.train(dcgan.Experiment(settings(1)), images, labels, tmp_path / "resumed", **quick)
    image_loop.train(dcgan.Experiment(settings(2)), images, labels, tmp_path / "resumed", resume=True, **quick)
    straight, resumed = final_weights(tmp_path / "straight"), final_weights(tmp_path / "resumed")
    assert "generator/body.layers.1.running_var" in straight and straight.keys() == resumed.keys()
    assert ("average/body.layers.1.running_var" in straight) == (ema_decay > 0)
    assert all(np.array_equal(straight[k], resumed[k]) for k in straight)
    np.testing.assert_array_equal(np.load(tmp_path / "straight" / "samples.npy"),
                                  np.load(tmp_path / "resumed" / "samples.npy"))
    # the samples, generator.npz and a checkpoint rebuilt by load_generator all come from GAN.sampler
    sampler, _ = image_sampling.load_generator(tmp_path / "resumed" / image_loop.CHECKPOINT)
    saved, _ = image_sampling.load_generator(tmp_path / "resumed" / "generator.npz")
    prefix = "average/" if ema_decay else "generator/"
    for key, value in sampler.state_dict().items():
        np.testing.assert_array_equal(value, straight[prefix + key])
        np.testing.assert_array_equal(value, saved.state_dict()[key])


# -- the demo, end to end on the shared MNIST files ----------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One epoch of demos/dcgan_mnist.py --conditional on 200 training images (3 iterations)."""
    mnist_dir = conftest.mnist_folder_or_skip("train-images-idx3-ubyte.gz")
    backend.set_default_dtype("float32")
    out = tmp_path_factory.mktemp("dcgan")
    summary = conftest.load_demo("dcgan_mnist").main(["--data", str(mnist_dir), "--limit", "200", "--epochs", "1",
                                             "--conditional", "--out", str(out), "--seed", "2", "--quiet"])
    return out, summary


def test_demo_writes_10000_samples_in_unit_range_1000_per_label_and_a_summary(trained):
    out, summary = trained
    samples, labels = np.load(out / "samples.npy"), np.load(out / "labels.npy")
    assert samples.shape == (10000, 784) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1
    assert np.bincount(labels).tolist() == [1000] * 10
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["experiment"] == "dcgan" and on_disk["settings"]["conditional"] is True
    assert on_disk["iterations_per_epoch"] == 3 and on_disk["final_epoch_means"] == summary["final_epoch_means"]
    for name in ("grid_10x10.png", "loss_curves.png", "epochs/grid_10x10_epoch_001.png", "checkpoint.npz"):
        assert (out / name).is_file(), name


def test_saved_dcgan_generator_is_rebuilt_from_the_registry_and_reproduces_the_samples(trained):
    out, _ = trained
    G, config = image_sampling.load_generator(out / "generator.npz")
    assert config["experiment"] == "dcgan" and isinstance(G.body.layers[4], nn.ConvTranspose2d)
    # samples.npy row i is G(z_i, label i // 1000), z from Random(seed) (image_sampling.sample_images)
    z = draw_noise(backend.Random(2), "normal", (10000, 100))[:50]
    images = image_sampling.generate_images(G, z, conftest.labels_of(*[0] * 50))
    np.testing.assert_allclose(images, np.load(out / "samples.npy")[:50], atol=1e-5)   # batch 50, not 1000


def test_latent_space_demo_runs_on_a_dcgan_checkpoint(trained, tmp_path):
    out, _ = trained
    conftest.load_demo("latent_space").main(["--checkpoint", str(out / "checkpoint.npz"), "--out", str(tmp_path),
                                    "--samples", "50", "--steps", "3"])
    assert {p.name for p in tmp_path.iterdir()} == {"interpolation.png", "labels.png", "arithmetic.png"}
