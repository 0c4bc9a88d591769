"""The pre-trained generators shipped with minigan, demos/generate.py, and the demos that use them."""
from __future__ import annotations

import hashlib
import json
import re
import shutil

import numpy as np
import pytest

import conftest
from minigan import backend, pretrained
from minigan.data import mnist
from minigan.experiments import dcgan, mnist_cgan
from minigan.metrics import classifier
from minigan.pretrained import export
from minigan.pretrained.__main__ import main as pretrained_command
from minigan.training import checkpoint, image_loop, image_sampling

MODELS = pretrained.names()
MAX_BYTES = 8_000_000           # all three files together (issue 25)


# -- the shipped files ------------------------------------------------------------------------
@pytest.mark.parametrize("name", MODELS)
def test_each_shipped_file_matches_its_manifest_entry_and_loads_as_its_model(name):
    record = pretrained.read_manifest()[name]
    data = (pretrained.FOLDER / record["file"]).read_bytes()
    assert len(data) == record["size"] and hashlib.sha256(data).hexdigest() == record["sha256"]
    G, config = pretrained.load_pretrained(name)
    assert pretrained.model_name(config) == name and config["experiment"] == record["experiment"]
    assert config["weights_dtype"] == "float16" and not G.training
    assert all(p.data.dtype == backend.xp.float32 and isinstance(p.data, backend.xp.ndarray) for p in G.parameters())
    stored = checkpoint.load(pretrained.FOLDER / record["file"])["generator"]
    assert {v.dtype for v in stored.values()} == {np.dtype("float16")}      # no float32 left, no optimizer state
    assert stored.keys() == G.state_dict().keys()


@pytest.mark.parametrize("name", MODELS)
def test_manifest_says_how_each_model_was_made_and_how_good_it_is(name):
    record = pretrained.read_manifest()[name]
    assert record["seed"] == record["settings"]["seed"] and record["epochs"] == record["settings"]["epochs"]
    training = record["training"]
    assert "python demos/" in training["command"] and training["seconds"] > 0
    assert training["finished"] and training["machine"] and record["export"]["command"].startswith("python -m")
    assert record["settings"].get("train_split", "train") == "train" and record["settings"]["limit"] is None
    quality = record["quality"]
    for dtype in ("float16", "float32"):
        assert quality[dtype]["samples"]["n"] == 10000 and 0 < quality[dtype]["label_accuracy"] <= 1
    assert quality["float16"]["samples"]["sha256"] == record["sha256"]
    assert quality["float16"]["label_accuracy"] > 0.85 and quality["float16"]["classes_covered"] == 10
    # rounding to float16 changed nothing that matters: label accuracy within half a point
    assert abs(quality["float16"]["label_accuracy"] - quality["float32"]["label_accuracy"]) < 0.005


def test_the_three_files_together_stay_under_8_mb():
    assert sum(r["size"] for r in pretrained.read_manifest().values()) <= MAX_BYTES
    assert sorted(pretrained.read_manifest()) == sorted(MODELS)


# -- a damaged or wrong file is a clear error naming it -----------------------------------------
@pytest.fixture
def shipped_copy(tmp_path):
    """A copy of minigan/pretrained/'s manifest and files, to damage."""
    for name in [pretrained.MANIFEST] + [r["file"] for r in pretrained.read_manifest().values()]:
        shutil.copy(pretrained.FOLDER / name, tmp_path / name)
    return tmp_path


def test_a_missing_file_is_named_and_nothing_is_downloaded(shipped_copy):
    (shipped_copy / "cgan.npz").unlink()
    with pytest.raises(pretrained.PretrainedFileError, match=r"cgan\.npz is missing.*never downloaded"):
        pretrained.load_pretrained("cgan", folder=shipped_copy)


def test_a_truncated_file_is_named_with_both_sizes(shipped_copy):
    path = shipped_copy / "dcgan.npz"
    size = path.stat().st_size
    path.write_bytes(path.read_bytes()[:size // 2])
    with pytest.raises(pretrained.PretrainedFileError, match=rf"dcgan\.npz is truncated: {size // 2:,} bytes, "
                                                             rf"the manifest says {size:,}"):
        pretrained.load_pretrained("dcgan", folder=shipped_copy)


def test_one_flipped_byte_is_caught_by_the_sha256(shipped_copy):
    path = shipped_copy / "acgan.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(pretrained.PretrainedFileError, match=r"acgan\.npz has been altered or corrupted: its SHA-256"):
        pretrained.load_pretrained("acgan", folder=shipped_copy)


def use_file_as(folder, source: str, name: str):
    """Put model ``source``'s file where ``name``'s belongs, and make the manifest agree on its bytes."""
    models = json.loads((folder / pretrained.MANIFEST).read_text())["models"]
    target = folder / models[name]["file"]
    if source != name:
        shutil.copy(folder / models[source]["file"], target)
    models[name].update(size=target.stat().st_size, sha256=pretrained.sha256(target))
    export.write_manifest(models, folder)


def test_another_models_file_is_caught_by_the_manifest(shipped_copy):
    shutil.copy(shipped_copy / "acgan.npz", shipped_copy / "cgan.npz")
    with pytest.raises(pretrained.PretrainedFileError, match=r"cgan\.npz"):
        pretrained.load_pretrained("cgan", folder=shipped_copy)


@pytest.mark.parametrize("source, name", [("acgan", "cgan"), ("cgan", "dcgan")])
def test_another_models_file_is_caught_by_its_config_even_when_the_manifest_agrees(shipped_copy, source, name):
    use_file_as(shipped_copy, source, name)
    with pytest.raises(pretrained.PretrainedFileError, match=rf"{name}\.npz holds another model"):
        pretrained.load_pretrained(name, folder=shipped_copy)


def test_a_damaged_archive_that_the_manifest_agrees_with_is_an_error_not_a_zip_traceback(shipped_copy):
    path = shipped_copy / "cgan.npz"
    path.write_bytes(path.read_bytes()[:100_000])
    use_file_as(shipped_copy, "cgan", "cgan")
    with pytest.raises(pretrained.PretrainedFileError, match=r"cgan\.npz cannot be read: .*truncated or corrupt"):
        pretrained.load_pretrained("cgan", folder=shipped_copy)


def test_an_unknown_name_lists_the_shipped_ones():
    with pytest.raises(ValueError, match="no shipped generator named 'wgan'; shipped: cgan, acgan, dcgan"):
        pretrained.load_pretrained("wgan")


# -- export ---------------------------------------------------------------------------------------
def tiny_run(out, **settings):
    """One epoch of the MLP cGAN on 64 random 'images' (2 iterations): a run folder with generator.npz."""
    images, labels = conftest.synthetic_mnist(64)
    experiment = mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32, **settings))
    image_loop.train(experiment, images, labels, out, show_progress=False, samples_per_class=1)
    return out


def test_export_writes_float16_weights_and_its_manifest_entry(tmp_path):
    run = tiny_run(tmp_path / "run")
    record = export.export("cgan", run, "python demos/mnist_cgan.py --epochs 1", folder=tmp_path / "shipped")
    assert record["sha256"] == pretrained.sha256(tmp_path / "shipped" / "cgan.npz")
    assert record["training"]["source_sha256"] == pretrained.sha256(run / "generator.npz")
    G16, _ = pretrained.load_pretrained("cgan", folder=tmp_path / "shipped")
    G32, _ = image_sampling.load_generator(run / "generator.npz")
    for (k, a), b in zip(G32.state_dict().items(), G16.state_dict().values()):
        np.testing.assert_array_equal(a.astype(np.float16).astype(np.float32), b, err_msg=k)
    assert 0 < record["export"]["max_pixel_change"] < 1e-2
    with pytest.raises(ValueError, match="is not the acgan model"):
        export.export("acgan", run, "x", folder=tmp_path / "shipped")


# -- demos/generate.py --------------------------------------------------------------------------
def generate(*argv):
    return conftest.load_demo("generate").main([str(a) for a in argv])


@pytest.mark.parametrize("name", MODELS)
def test_generate_writes_n_samples_in_unit_range_with_labels_cycling_0_to_9(name, tmp_path):
    record = generate("--model", name, "--n", 40, "--out", tmp_path)
    samples, labels = np.load(tmp_path / "samples.npy"), np.load(tmp_path / "labels.npy")
    assert samples.shape == (40, 784) and samples.dtype == np.float32
    assert samples.min() >= 0 and samples.max() <= 1 and samples.std() > 0.1
    assert labels.dtype == np.int64 and labels.tolist() == [i % 10 for i in range(40)]
    assert (tmp_path / "grid.png").is_file() and record["sha256"] == pretrained.read_manifest()[name]["sha256"]


def test_generate_is_reproducible_for_a_seed_and_differs_across_seeds(tmp_path):
    for out, seed in (("a", 5), ("b", 5), ("c", 6)):
        generate("--model", "cgan", "--n", 20, "--seed", seed, "--out", tmp_path / out)
    a, b, c = (np.load(tmp_path / out / "samples.npy") for out in "abc")
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).mean() > 0.01


@pytest.mark.parametrize("argv, message", [
    (["--model", "cgan", "--n", "25"], "--n: must be a multiple of 10"),
    (["--model", "cgan", "--n", "0"], "--n: must be > 0"),
    ([], "give --model .* or --checkpoint"),
    (["--model", "wgan"], "invalid choice: 'wgan'"),
])
def test_generate_rejects_bad_arguments_with_one_line(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        generate(*argv, "--out", tmp_path)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "Traceback" not in err
    assert re.search(f"error: .*{message}", err.strip().splitlines()[-1])


def test_generate_draws_from_the_learners_own_checkpoint(tmp_path):
    run = tiny_run(tmp_path / "run", seed=3)
    generate("--checkpoint", run / "checkpoint.npz", "--n", 30, "--seed", 2, "--out", tmp_path / "mine")
    G, config = image_sampling.load_generator(run / "generator.npz")
    from minigan.gan import draw_noise
    z = draw_noise(backend.Random(2), "normal", (30, 100))
    expected = image_sampling.generate_images(G, z, conftest.labels_of(*[i % 10 for i in range(30)]))
    np.testing.assert_allclose(np.load(tmp_path / "mine" / "samples.npy"), expected, atol=1e-6)
    made = json.loads((tmp_path / "mine" / "generate.json").read_text())
    assert made["shipped"] is False and made["model"] == "cgan"


def test_generate_refuses_a_checkpoint_of_another_model_than_model_names(tmp_path):
    run = tiny_run(tmp_path / "run")
    with pytest.raises(ValueError, match="is cgan, not --model acgan"):
        generate("--model", "acgan", "--checkpoint", run / "generator.npz", "--out", tmp_path / "x")


# -- quality: the shipped generators draw the digit they are asked for ------------------------------
def mean_ink(name, label, n=200, seed=0):
    G, config = pretrained.load_pretrained(name)
    z = backend.Random(seed).normal((n, int(config["noise_dim"])))
    return float(image_sampling.generate_images(G, z, conftest.labels_of(*[label] * n)).mean())


def test_shipped_cgan_draws_ones_with_far_less_ink_than_zeros_as_real_digits_have():
    # real MNIST: a 0 has about 0.17 of its pixels' ink, a 1 about 0.08; a generator that ignored its
    # label (or an untrained one, about 0.5 everywhere) would not show this
    zero, one = mean_ink("cgan", 0), mean_ink("cgan", 1)
    assert one < 0.12 and zero > 0.13 and zero > 1.6 * one


@pytest.fixture(scope="module")
def quick_classifier():
    """minigan's MNIST classifier (one hidden layer of 256), one epoch on the 60,000 training images:
    about 5 s, and it reads the shipped samples within a point or two of the results page's
    classifier (two hidden layers, 10 epochs)."""
    folder = conftest.mnist_folder_or_skip("train-images-idx3-ubyte.gz")
    backend.set_default_dtype("float32")
    images, labels = mnist.load_mnist(folder, "train")
    model, _ = classifier.train_classifier(images, labels, epochs=1, hidden=(256,), seed=0, log=None)
    return model


@pytest.mark.slow
@pytest.mark.parametrize("name", MODELS)
def test_shipped_samples_are_read_as_their_label_close_to_the_recorded_accuracy(name, quick_classifier, tmp_path):
    generate("--model", name, "--n", 2000, "--seed", 1, "--out", tmp_path)      # other z than the recorded run's
    samples, labels = np.load(tmp_path / "samples.npy"), np.load(tmp_path / "labels.npy")
    accuracy = float((backend.to_numpy(quick_classifier.predict(samples)) == labels).mean())
    recorded = pretrained.read_manifest()[name]["quality"]["float16"]["label_accuracy"]
    assert abs(accuracy - recorded) < 0.05, (accuracy, recorded)


# -- the demos that use them --------------------------------------------------------------------
def test_latent_space_runs_on_the_shipped_cgan_without_training(tmp_path):
    result = conftest.load_demo("latent_space").main(["--out", str(tmp_path), "--samples", "200", "--steps", "3"])
    assert {p.name for p in tmp_path.iterdir()} == {"interpolation.png", "labels.png", "arithmetic.png"}
    assert len(result["ink_by_strength"]) == 7


@pytest.mark.parametrize("experiment, name", [
    (mnist_cgan.Experiment(mnist_cgan.Settings()), "cgan"),
    (mnist_cgan.Experiment(mnist_cgan.Settings(auxiliary_classifier=True, lr_g=1e-3)), "acgan"),
    (dcgan.Experiment(dcgan.Settings(conditional=True, ema_decay=0.9)), "dcgan"),
])
def test_init_pretrained_starts_g_and_its_average_from_the_shipped_model(experiment, name):
    chosen, weights = pretrained.initial_weights(experiment)
    assert chosen == name
    gan = experiment.build_gan(conftest.synthetic_mnist(8)[0])
    image_loop.start_generator_from(gan, weights)
    for net in (gan.generator, gan.sampler):
        for key, value in net.state_dict().items():
            np.testing.assert_array_equal(value, weights[key])


def test_init_pretrained_has_no_shipped_model_for_an_unconditional_run():
    with pytest.raises(ValueError, match="no shipped generator fits this mnist_cgan run.*shipped: cgan"):
        pretrained.initial_weights(mnist_cgan.Experiment(mnist_cgan.Settings(conditional=False)))


def test_training_from_the_shipped_generator_continues_from_its_weights(tmp_path):
    images, labels = conftest.synthetic_mnist(64)
    experiment = mnist_cgan.Experiment(mnist_cgan.Settings(epochs=1, batch_size=32))
    _, weights = pretrained.initial_weights(experiment)
    image_loop.train(experiment, images, labels, tmp_path, show_progress=False, samples_per_class=1,
                     generator_weights=weights)
    trained = checkpoint.load(tmp_path / "generator.npz")["generator"]
    moved = max(float(np.abs(trained[k] - weights[k]).max()) for k in weights)
    assert 0 < moved < 1e-3          # two Adam steps of lr 1e-4 from the shipped weights, not a fresh start


def test_pretrained_list_checks_every_file(capsys):
    pretrained_command(["list"])
    out = capsys.readouterr().out
    assert all(f"{name}.npz" in out for name in MODELS) and out.count("(file checked)") == 3
