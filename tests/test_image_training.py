"""The loop shared by the MNIST GANs: divergence keeps the last good checkpoint, a killed run resumes exactly."""
import gzip
import pathlib
import struct

import numpy as np
import pytest

from minigan.training import checkpoint, image_experiment, image_loop
from minigan.gan.errors import TrainingDiverged
from minigan.experiments import mnist_cgan
import conftest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def synthetic_mnist(n=128, seed=0):
    return conftest.synthetic_mnist(n, seed)


def weights(path):
    state = checkpoint.load(path)["gan"]
    return {f"{net}/{k}": v for net in ("generator", "discriminator") for k, v in state[net].items()}


class PoisonedInSecondEpoch(mnist_cgan.Experiment):
    """The tutorial's cGAN, except that a weight of G turns NaN at the first iteration of epoch 2."""

    def before_iteration(self, gan, iteration, epoch):
        if epoch == 1 and iteration == image_experiment.iterations_per_epoch(128, 32, 1):
            gan.generator.parameters()[0].data[0, 0] = float("nan")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_names_the_last_good_checkpoint_and_leaves_it_byte_for_byte(tmp_path):
    images, labels = synthetic_mnist()
    settings = mnist_cgan.Settings(epochs=2, batch_size=32, seed=1)
    saved = {}

    def remember(epoch, gan):
        saved[epoch] = (tmp_path / "checkpoint.npz").read_bytes()
    with pytest.raises(TrainingDiverged, match=r"last good checkpoint is .*checkpoint.npz \(epoch 1\)") as info:
        image_loop.train(PoisonedInSecondEpoch(settings), images, labels, tmp_path, on_epoch_end=remember,
                             show_progress=False, samples_per_class=1)
    assert info.value.iteration == 5          # the first iteration of epoch 2 (4 iterations per epoch)
    assert list(saved) == [1] and (tmp_path / "checkpoint.npz").read_bytes() == saved[1]
    assert not (tmp_path / "summary.json").exists()


@conftest.needs_restorable_rng
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_resuming_after_divergence_continues_from_the_last_good_epoch(tmp_path):
    images, labels = synthetic_mnist()
    settings = mnist_cgan.Settings(epochs=2, batch_size=32, seed=1)
    quick = {"show_progress": False, "samples_per_class": 1}
    image_loop.train(mnist_cgan.Experiment(settings), images, labels, tmp_path / "straight", **quick)
    with pytest.raises(TrainingDiverged):
        image_loop.train(PoisonedInSecondEpoch(settings), images, labels, tmp_path / "cut", **quick)
    image_loop.train(mnist_cgan.Experiment(settings), images, labels, tmp_path / "cut", resume=True, **quick)
    straight, resumed = weights(tmp_path / "straight" / "checkpoint.npz"), weights(tmp_path / "cut" / "checkpoint.npz")
    assert all(np.array_equal(straight[k], resumed[k]) for k in straight)


def test_summary_reports_an_empty_health_list_for_a_short_healthy_run(tmp_path):
    images, labels = synthetic_mnist()
    summary = image_loop.train(mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32)),
                                   images, labels, tmp_path, show_progress=False, samples_per_class=1)
    assert summary["health"] == []


# -- a real process, killed with a real signal, then resumed -------------------------------------
def write_training_files(folder, n=512, seed=0):
    rs = np.random.default_rng(seed)
    pixels, labels = rs.integers(0, 256, (n, 28 * 28), dtype=np.uint8), rs.integers(0, 10, n, dtype=np.uint8)
    images_name, labels_name = "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"
    (folder / images_name).write_bytes(gzip.compress(struct.pack(">4I", 2051, n, 28, 28) + pixels.tobytes(), 1))
    (folder / labels_name).write_bytes(gzip.compress(struct.pack(">2I", 2049, n) + labels.tobytes(), 1))


def demo(data, out, *extra):
    return conftest.start_demo("mnist_cgan", "--data", data, "--out", out, "--epochs", 3, "--batch-size", 32,
                               "--seed", 2, "--quiet", *extra)


@conftest.needs_restorable_rng
def test_a_run_killed_by_a_signal_resumes_to_the_uninterrupted_result(tmp_path):
    write_training_files(tmp_path)
    straight = demo(tmp_path, tmp_path / "straight")
    checkpoint_file = tmp_path / "cut" / "checkpoint.npz"
    conftest.kill_at_first_checkpoint(demo(tmp_path, tmp_path / "cut"), checkpoint_file)
    epoch = checkpoint.load(checkpoint_file)["epoch"]
    assert 1 <= epoch < 3
    resumed = demo(tmp_path, tmp_path / "cut", "--resume")
    for process in (straight, resumed):
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err.decode()
    a, b = weights(tmp_path / "straight" / "checkpoint.npz"), weights(checkpoint_file)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    np.testing.assert_array_equal(np.load(tmp_path / "straight" / "samples.npy"), np.load(tmp_path / "cut" / "samples.npy"))


def test_a_demo_refuses_to_start_over_an_existing_checkpoint_without_a_word(tmp_path, capsys):
    import importlib.util

    from minigan.demo_tools import cli
    spec = importlib.util.spec_from_file_location("mnist_cgan_demo", ROOT / "demos" / "mnist_cgan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    write_training_files(tmp_path, n=64)
    argv = ["--data", str(tmp_path), "--out", str(tmp_path / "out"), "--epochs", "1", "--batch-size", "32", "--quiet"]
    cli.run_main(module.main, argv)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        cli.run_main(module.main, argv)
    message = capsys.readouterr().err
    assert exit_info.value.code == 1
    assert "--resume" in message and "--overwrite" in message and "Traceback" not in message
