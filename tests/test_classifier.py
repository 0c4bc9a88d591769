"""The MNIST classifier: its loss and backward, its augmentation, its training, and the evaluation demo."""
import gzip
import json
import pathlib
import struct
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import conftest
from minigan import backend, gradcheck, losses
from minigan.metrics import classifier
from minigan.data import mnist

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "demos"))


# -- CrossEntropyLoss -------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 6), c=st.integers(1, 5), scale=st.sampled_from([0.1, 3.0, 30.0]), seed=st.integers(0, 2**16))
def test_cross_entropy_gradient_matches_finite_differences(float64, n, c, scale, seed):
    backend.seed(seed)
    logits = scale * backend.rng().normal((n, c))
    target = backend.rng().integers(c, (n,))
    assert gradcheck.check_loss(losses.CrossEntropyLoss(), logits, target).max_error < 1e-6


def test_cross_entropy_is_the_mean_of_the_textbook_formula(float64):
    a = backend.asarray([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    y = backend.asarray([1, 0], dtype=backend.xp.int64)
    host = backend.to_numpy(a)
    softmax = np.exp(host) / np.exp(host).sum(axis=1, keepdims=True)
    expected = -(np.log(softmax[0, 1]) + np.log(softmax[1, 0])) / 2
    loss = losses.CrossEntropyLoss()
    assert float(loss(a, y)) == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(backend.to_numpy(loss.backward()), (softmax - np.eye(3)[[1, 0]]) / 2, rtol=1e-12)


def test_cross_entropy_with_two_classes_is_bce_with_logits(float64):
    # softmax over logits (0, a) is (1 - sigmoid(a), sigmoid(a)).
    a = 5 * backend.rng().normal((7, 1))
    y = backend.rng().integers(2, (7,))
    two_class = backend.xp.concatenate([backend.xp.zeros_like(a), a], axis=1)
    ce = float(losses.CrossEntropyLoss()(two_class, y))
    bce = float(losses.BCEWithLogitsLoss()(a, y[:, None].astype(a.dtype)))
    assert ce == pytest.approx(bce, rel=1e-12)


def test_cross_entropy_is_stable_for_huge_logits():
    a = backend.asarray([[1e4, 0.0], [0.0, 1e4]])
    y = backend.asarray([1, 1], dtype=backend.xp.int64)
    loss = losses.CrossEntropyLoss()
    assert float(loss(a, y)) == pytest.approx(1e4 / 2, rel=1e-6)
    np.testing.assert_allclose(backend.to_numpy(loss.backward()), [[0.5, -0.5], [0, 0]], atol=1e-7)


@conftest.needs_real_cupy
def test_cross_entropy_names_a_target_out_of_range():
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: labels must lie in \[0, 2\]; got values in \[0, 3\]"):
        backend.to_numpy(losses.CrossEntropyLoss()(backend.xp.zeros((2, 3), dtype=backend.dtype),
                                                   backend.asarray([0, 3], dtype=backend.xp.int64)))   # (GPU: at read-back)


# -- the network ------------------------------------------------------------------------------

def tiny_classifier():
    return classifier.MNISTClassifier(in_features=6, hidden=(5, 4), num_classes=3, dropout=0.3)


@settings(max_examples=10, deadline=None)
@given(batch=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_classifier_gradients_match_finite_differences(float64, batch, seed):
    backend.seed(seed)
    model = tiny_classifier()
    result = gradcheck.check_module(model, backend.rng().normal((batch, 6)))
    assert result.max_error < 1e-6, result
    assert len(result.errors) == 1 + 6                     # the input, and 3 weights + 3 biases


def test_features_are_the_penultimate_activations_without_dropout():
    model = tiny_classifier().train()
    x = backend.rng().random((8, 6))
    f1, f2 = model.features(x, batch_size=3), model.features(x)
    assert f1.shape == (8, 4)
    np.testing.assert_array_equal(backend.to_numpy(f1), backend.to_numpy(f2))      # dropout off
    expected = backend.to_numpy(model.head(f1))
    np.testing.assert_allclose(backend.to_numpy(model.logits(x)), expected, rtol=1e-6)
    assert model.training                                                          # mode restored


def test_random_shift_moves_each_pixel_by_at_most_max_shift():
    images = backend.xp.zeros((300, 784), dtype=backend.dtype)
    images[:, 14 * 28 + 14] = 1                                   # one pixel at the centre (14, 14)
    shifted = backend.to_numpy(classifier.random_shift(images, 2)).reshape(300, 28, 28)
    assert (shifted.sum(axis=(1, 2)) == 1).all()
    rows, cols = np.nonzero(shifted)[1:]
    assert set(zip(rows.tolist(), cols.tolist())) == {(r, c) for r in range(12, 17) for c in range(12, 17)}


def test_random_shift_by_zero_is_the_identity():
    images = backend.rng().random((4, 784))
    assert classifier.random_shift(images, 0) is images


def test_saved_classifier_loads_with_the_same_outputs(tmp_path):
    model = classifier.MNISTClassifier(hidden=(16,))
    x = backend.rng().random((5, 784))
    path = classifier.save_classifier(tmp_path / "c.npz", model, {"train_split": "test"})
    loaded, meta = classifier.load_classifier(path)
    assert meta == {"train_split": "test"} and loaded.config == model.config
    np.testing.assert_array_equal(backend.to_numpy(loaded.logits(x)), backend.to_numpy(model.logits(x)))


def test_training_runs_on_the_strict_backend(strict_backend):
    images, labels = np.random.default_rng(0).random((40, 784)), np.arange(40) % 10
    model, history = classifier.train_classifier(images, labels, epochs=1, batch_size=16, hidden=(8,), log=None)
    assert np.isfinite(history["loss"][0])
    assert type(model.predict(backend.asarray(images))) is strict_backend.StrictArray


@pytest.mark.slow
def test_short_training_on_real_digits_classifies_held_out_digits(mnist_dir):
    images, labels = mnist.load_mnist(mnist_dir, "test")
    model, history = classifier.train_classifier(images[:2000], labels[:2000], epochs=5, batch_size=32,
                                                 hidden=(256,), max_shift=0, log=None)
    assert history["loss"][-1] < history["loss"][0]
    assert classifier.accuracy(model, images[8000:], labels[8000:]) > 0.85


# -- the evaluation demo, end to end ----------------------------------------------------------

def write_idx(folder, n, seed=0):
    """Fake MNIST test files (gzip IDX): n noisy images with a bright 4x4 block whose place is the label."""
    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 10).astype(np.uint8)
    images = (rng.random((n, 28, 28)) * 60).astype(np.uint8)
    for k in range(10):                       # blocks 6 pixels apart: a 2-pixel shift keeps them apart
        top, left = 5 + 12 * (k // 5), 1 + 6 * (k % 5)
        images[labels == k, top:top + 4, left:left + 4] = 255
    images_name, labels_name = mnist.FILES["test"]
    (folder / images_name).write_bytes(gzip.compress(struct.pack(">4I", 2051, n, 28, 28) + images.tobytes()))
    (folder / labels_name).write_bytes(gzip.compress(struct.pack(">2I", 2049, n) + labels.tobytes()))
    return images.reshape(n, 784).astype(np.float32) / 255, labels.astype(np.int64)


def test_evaluate_mnist_end_to_end_on_tiny_data(tmp_path, monkeypatch, capsys):
    import evaluate_mnist

    images, labels = write_idx(tmp_path, 700)
    monkeypatch.setattr(mnist, "DEV_TRAIN_SIZE", 500)                # held out: 200, halves of 100
    samples_dir = tmp_path / "gan"
    samples_dir.mkdir()
    np.save(samples_dir / "samples.npy", images[:300])                # a "generator" that copies real digits
    np.save(samples_dir / "labels.npy", labels[:300])
    result = evaluate_mnist.main(["--samples", str(samples_dir), "--data", str(tmp_path), "--train-split", "test",
                                  "--classifier", str(tmp_path / "clf.npz"), "--classifier-epochs", "5",
                                  "--sigmas", "0.1", "0.3", "1.0"])
    saved = json.loads((samples_dir / "evaluation.json").read_text())
    assert saved["parzen"]["sigma"] == result["parzen"]["sigma"] in (0.1, 0.3, 1.0)
    assert (saved["parzen"]["validation_n"], saved["parzen"]["test_n"], saved["parzen"]["centres"]) == (100, 100, 300)
    assert saved["classes"]["label_accuracy"] > 0.9 and saved["classes"]["covered"] == 10
    assert saved["frechet"]["n_generated"] == saved["frechet"]["n_real_a"] == 100
    assert np.isfinite(saved["frechet"]["generated_vs_real"])
    out = capsys.readouterr().out
    assert "as reported by Goodfellow et al. 2014, Table 1" in out and "225 ± 2" in out
    assert (tmp_path / "clf.npz").is_file()
    quick = evaluate_mnist.main(["--samples", str(samples_dir), "--data", str(tmp_path), "--train-split", "test",
                                 "--classifier", str(tmp_path / "clf.npz"), "--skip-parzen"])
    assert quick["parzen"] is None and quick["classes"] == saved["classes"]
    assert "Parzen estimate skipped (--skip-parzen)" in capsys.readouterr().out


def test_benchmark_protocol_keeps_each_part_where_the_paper_put_it(monkeypatch):
    import evaluate_mnist

    # Stand-ins for the 60,000 training and 10,000 test images: each row holds its own index.
    fake = {"train": np.arange(60000.0)[:, None], "test": 1e6 + np.arange(10000.0)[:, None]}
    monkeypatch.setattr(mnist, "load_mnist", lambda folder, split: (fake[split], np.zeros(len(fake[split]), int)))
    parts = evaluate_mnist.protocol(None, "train")
    assert len(parts["classifier_train"][0]) == 60000
    np.testing.assert_array_equal(parts["parzen_validation"][0][:, 0], np.arange(50000, 51000))
    assert len(parts["parzen_test"][0]) == 10000
    a, b = parts["frechet_a"][0][:, 0], parts["frechet_b"][0][:, 0]
    assert len(a) == len(b) == 5000 and set(a) | set(b) == set(fake["test"][:, 0])     # disjoint halves of test
