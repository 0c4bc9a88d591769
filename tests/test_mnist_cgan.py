"""The MNIST conditional GAN: the tutorial's models, exact resume, and the demos end to end."""
import json
import pathlib

import numpy as np
import pytest

import conftest
from minigan import backend, gradcheck, nn
from minigan.training import checkpoint, image_experiment, image_sampling, image_loop
from minigan.demo_tools import plots
from minigan.experiments import mnist_cgan

ROOT = pathlib.Path(__file__).resolve().parents[1]




# -- the models -------------------------------------------------------------------------
def layer_summary(net):
    return [(type(m).__name__, getattr(m, "in_features", None), getattr(m, "out_features", None))
            for m in net.body.layers]


def test_discriminator_is_the_tutorials_layer_for_layer():
    D = mnist_cgan.discriminator()
    assert isinstance(D, nn.Conditional) and D.label_concat.embedding.weight.shape == (10, 10)
    linear = [(i, o) for kind, i, o in layer_summary(D) if kind == "Linear"]
    assert linear == [(794, 1024), (1024, 512), (512, 256), (256, 1)]
    assert [k for k, _, _ in layer_summary(D)] == ["Linear", "LeakyReLU", "Dropout"] * 3 + ["Linear", "Sigmoid"]
    assert all(m.negative_slope == 0.2 for m in D.body.layers if isinstance(m, nn.LeakyReLU))
    assert all(m.p == 0.3 for m in D.body.layers if isinstance(m, nn.Dropout))


def test_generator_is_the_tutorials_layer_for_layer():
    G = mnist_cgan.generator()
    linear = [(i, o) for kind, i, o in layer_summary(G) if kind == "Linear"]
    assert linear == [(110, 256), (256, 512), (512, 1024), (1024, 784)]
    assert [k for k, _, _ in layer_summary(G)] == ["Linear", "LeakyReLU"] * 3 + ["Linear", "Tanh"]
    assert G.num_parameters() == 110 * 256 + 256 + 256 * 512 + 512 + 512 * 1024 + 1024 + 1024 * 784 + 784 + 100


def test_conditional_models_map_images_and_labels_to_the_right_shapes_and_ranges():
    G, D = mnist_cgan.generator(), mnist_cgan.discriminator()
    labels = conftest.labels_of(0, 3, 9)
    images = G(backend.rng().normal((3, 100)), labels)
    p = D(images, labels)
    assert images.shape == (3, 784) and float(abs(images).max()) <= 1
    assert p.shape == (3, 1) and 0 < float(p.min()) and float(p.max()) < 1


def test_unconditional_models_take_784_and_100_inputs():
    G, D = mnist_cgan.generator(False), mnist_cgan.discriminator(False)
    assert G.layers[0].in_features == 100 and D.layers[0].in_features == 784
    assert D(G(backend.rng().normal((2, 100)))).shape == (2, 1)


class GeneratorThroughDiscriminator(nn.Module):
    """D(G(z, y), y): the chain the generator's update differentiates through."""

    def __init__(self, G, D):
        self.G, self.D = G, D

    def forward(self, z, labels):
        return self.D(self.G(z, labels), labels)

    def backward(self, grad_output):
        return self.G.backward(self.D.backward(grad_output))


def test_scaled_down_conditional_gan_gradients_match_finite_differences(float64):
    G = mnist_cgan.generator(noise_dim=3, hidden=(5, 4), image_size=6, num_classes=3, embedding_dim=2)
    D = mnist_cgan.discriminator(image_size=6, hidden=(5, 4), dropout=0.3, num_classes=3, embedding_dim=2)
    result = gradcheck.check_module(GeneratorThroughDiscriminator(G, D), backend.rng().normal((4, 3)),
                                    conftest.labels_of(0, 2, 1, 2))
    assert result.max_error < 1e-6, result
    assert "G.label_concat.embedding.weight" in result.errors and "D.body.layers.0.weight" in result.errors


def test_load_generator_rebuilds_the_saved_weights_without_touching_the_random_stream(tmp_path):
    G = mnist_cgan.generator()
    image_sampling.save_generator(tmp_path / "g.npz", mnist_cgan.Experiment(), G)
    state = backend.rng().get_state()
    loaded, config = image_sampling.load_generator(tmp_path / "g.npz")
    assert backend.rng().get_state() == state and config["conditional"] is True
    z, labels = backend.rng().normal((2, 100)), conftest.labels_of(4, 7)
    np.testing.assert_array_equal(backend.to_numpy(loaded(z, labels)), backend.to_numpy(G(z, labels)))


def test_label_grid_rows_share_z_and_columns_share_label():
    z, labels = image_sampling.label_grid_inputs(rows=3, cols=4, seed=1)
    z, labels = backend.to_numpy(z), backend.to_numpy(labels)
    assert labels.tolist() == [0] * 4 + [1] * 4 + [2] * 4
    np.testing.assert_array_equal(z[:4], z[8:])
    assert not np.array_equal(z[0], z[1])


# -- training --------------------------------------------------------------------------
def synthetic_mnist(n=192, seed=0):
    return conftest.synthetic_mnist(n, seed)


def final_weights(out):
    state = checkpoint.load(out / image_loop.CHECKPOINT)["gan"]
    return {f"{net}/{k}": v for net in ("generator", "discriminator") for k, v in state[net].items()}


def test_one_epoch_is_n_over_batch_over_k_iterations():
    assert image_experiment.iterations_per_epoch(8000, 64, 1) == 125
    assert image_experiment.iterations_per_epoch(8000, 64, 5) == 25
    with pytest.raises(ValueError, match="0 iterations"):
        image_experiment.iterations_per_epoch(100, 64, 2)


@conftest.needs_restorable_rng
def test_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(tmp_path):
    images, labels = synthetic_mnist()
    settings = mnist_cgan.Settings(epochs=2, batch_size=32, k=2, seed=3)   # 3 iterations, 6 batches per epoch
    quick = {"show_progress": False, "samples_per_class": 10}
    image_loop.train(mnist_cgan.Experiment(settings), images, labels, tmp_path / "straight", **quick)
    first_half = mnist_cgan.Settings(epochs=1, batch_size=32, k=2, seed=3)
    image_loop.train(mnist_cgan.Experiment(first_half), images, labels, tmp_path / "resumed", **quick)
    summary = image_loop.train(mnist_cgan.Experiment(settings), images, labels, tmp_path / "resumed", resume=True, **quick)
    straight, resumed = final_weights(tmp_path / "straight"), final_weights(tmp_path / "resumed")
    assert straight.keys() == resumed.keys()
    assert all(np.array_equal(straight[k], resumed[k]) for k in straight)
    np.testing.assert_array_equal(np.load(tmp_path / "straight" / "samples.npy"),
                                  np.load(tmp_path / "resumed" / "samples.npy"))
    assert summary["epochs_completed"] == 2


def test_resume_with_different_settings_is_refused(tmp_path):
    images, labels = synthetic_mnist(n=64)
    image_loop.train(mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32)), images, labels, tmp_path,
                      show_progress=False, samples_per_class=1)
    with pytest.raises(ValueError, match=r"settings differ \(lr_g: checkpoint 0.0001, now 0.001\)"):
        image_loop.train(mnist_cgan.Experiment(mnist_cgan.Settings(epochs=2, batch_size=32, lr_g=1e-3)), images, labels, tmp_path,
                          resume=True, show_progress=False)


def test_training_images_outside_the_unit_interval_are_rejected(tmp_path):
    images, labels = synthetic_mnist(n=64)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        image_loop.train(mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1)), images * 2 - 1, labels, tmp_path, show_progress=False)


# -- the demos, end to end on the shared MNIST files ---------------------------------------
@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One epoch of demos/mnist_cgan.py on 2,000 images (31 iterations), shared by the tests below."""
    mnist_dir = conftest.mnist_folder_or_skip("t10k-images-idx3-ubyte.gz")
    backend.set_default_dtype("float32")
    out = tmp_path_factory.mktemp("mnist_cgan")
    summary = conftest.load_demo("mnist_cgan").main(
        ["--data", str(mnist_dir), "--train-split", "test", "--limit", "2000", "--epochs", "1",
         "--out", str(out), "--seed", "4", "--quiet"])
    return out, summary


def test_demo_writes_10000_samples_in_unit_range_with_1000_of_each_label(trained):
    out, _ = trained
    samples, labels = np.load(out / "samples.npy"), np.load(out / "labels.npy")
    assert samples.shape == (10000, 784) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1
    assert labels.dtype == np.int64 and np.bincount(labels).tolist() == [1000] * 10


def test_demo_summary_records_settings_timing_and_final_numbers(trained):
    out, summary = trained
    on_disk = json.loads((out / "summary.json").read_text())
    assert on_disk["settings"]["train_split"] == "test" and on_disk["train_images"] == 2000
    assert on_disk["iterations_per_epoch"] == 31 and len(on_disk["seconds_per_epoch"]) == 1
    assert 0 < on_disk["final_epoch_means"]["D(x)"] < 1 and 0 < on_disk["final_epoch_means"]["D(G(z))"] < 1
    assert on_disk["final_epoch_means"] == summary["final_epoch_means"]


def test_demo_writes_the_figures_and_a_checkpoint(trained):
    out, _ = trained
    for name in ("grid_3x3.png", "grid_10x10.png", "loss_curves.png", "epochs/grid_10x10_epoch_001.png",
                 "checkpoint.npz", "generator.npz"):
        assert (out / name).is_file(), name
    assert checkpoint.load(out / "checkpoint.npz")["args"]["limit"] == 2000


def test_saved_generator_reproduces_the_samples(trained):
    out, _ = trained
    G, config = image_sampling.load_generator(out / "generator.npz")
    images, labels = image_sampling.sample_images(G, 1000, seed=4)
    np.testing.assert_array_equal(images, np.load(out / "samples.npy"))
    np.testing.assert_array_equal(labels, np.load(out / "labels.npy"))


def test_latent_space_demo_draws_its_three_figures(trained, tmp_path):
    out, _ = trained
    result = conftest.load_demo("latent_space").main(["--checkpoint", str(out / "checkpoint.npz"), "--out", str(tmp_path),
                                             "--samples", "200", "--steps", "5"])
    assert {p.name for p in tmp_path.iterdir()} == {"interpolation.png", "labels.png", "arithmetic.png"}
    assert len(result["ink_by_strength"]) == 7


def test_unconditional_training_writes_samples_without_labels_and_its_figures(tmp_path):
    images, _ = synthetic_mnist(n=64)
    experiment = mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32, conditional=False))
    figures = plots.EpochFigures(tmp_path, experiment, seed=0)
    image_loop.train(experiment, images, None, tmp_path, on_epoch_end=figures, show_progress=False,
                         samples_per_class=3)
    assert np.load(tmp_path / "samples.npy").shape == (30, 784)
    assert not (tmp_path / "labels.npy").exists()
    assert (tmp_path / "grid_10x10.png").is_file() and (tmp_path / "grid_3x3.png").is_file()
    assert image_sampling.load_generator(tmp_path / "generator.npz")[1]["conditional"] is False


def test_an_existing_checkpoint_is_neither_overwritten_silently_nor_ignored(tmp_path):
    images, labels = synthetic_mnist(n=64)
    experiment = mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32))
    image_loop.train(experiment, images, labels, tmp_path, show_progress=False, samples_per_class=1)
    before = (tmp_path / "checkpoint.npz").read_bytes()
    with pytest.raises(FileExistsError, match=r"--resume .* --overwrite"):
        image_loop.train(experiment, images, labels, tmp_path, show_progress=False, samples_per_class=1)
    assert (tmp_path / "checkpoint.npz").read_bytes() == before
    image_loop.train(experiment, images, labels, tmp_path, overwrite=True, show_progress=False,
                         samples_per_class=1)


def test_resume_refuses_a_checkpoint_of_another_experiment(tmp_path):
    images, labels = synthetic_mnist(n=64)
    experiment = mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32))
    image_loop.train(experiment, images, labels, tmp_path, show_progress=False, samples_per_class=1)

    class Other(mnist_cgan.Experiment):
        name = "dcgan"
    with pytest.raises(ValueError, match="written by the 'mnist_cgan' experiment, not 'dcgan'"):
        image_loop.train(Other(experiment.settings), images, labels, tmp_path, resume=True, show_progress=False)


def test_auxiliary_classifier_gan_trains_and_its_generator_reloads(tmp_path):
    images, labels = synthetic_mnist(n=64)
    settings = mnist_cgan.Settings(epochs=1, batch_size=32, auxiliary_classifier=True)
    image_loop.train(mnist_cgan.Experiment(settings), images, labels, tmp_path, show_progress=False,
                         samples_per_class=2)
    G, config = image_sampling.load_generator(tmp_path / "generator.npz")
    assert config["settings"]["auxiliary_classifier"] is True and image_sampling.is_conditional(G)
    assert np.load(tmp_path / "labels.npy").tolist() == sorted(list(range(10)) * 2)
