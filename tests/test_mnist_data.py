"""The MNIST reader checks the IDX format, the downloader checks MD5 sums, and minibatches are reproducible."""
import gzip
import hashlib
import shutil
import struct

import numpy as np
import pytest

from minigan import backend
from minigan.data import mnist

TEST_IMAGES, TEST_LABELS = mnist.FILES["test"]


def write_idx_images(path, pixels, magic=2051, rows=28, cols=28, compress=True):
    """An IDX image file holding uint8 ``pixels`` under a header we control."""
    data = struct.pack(">4I", magic, len(pixels), rows, cols) + np.asarray(pixels, np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def write_idx_labels(path, labels, magic=2049, compress=True):
    data = struct.pack(">2I", magic, len(labels)) + np.asarray(labels, np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def small_split(folder, n_images=5, n_labels=5, split="test"):
    """A valid-looking split of tiny synthetic files in ``folder``."""
    images_name, labels_name = mnist.FILES[split]
    pixels = np.arange(n_images * 784).reshape(n_images, 28, 28) % 256
    write_idx_images(folder / images_name, pixels)
    write_idx_labels(folder / labels_name, np.arange(n_labels) % 10)
    return pixels


# -- the real files -----------------------------------------------------------------
def test_shared_test_set_has_the_published_label_counts(mnist_dir):
    images, labels = mnist.load_mnist(mnist_dir, "test")
    assert images.shape == (10000, 784) and labels.shape == (10000,)
    assert np.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_images_are_float32_in_unit_interval_and_labels_int64(mnist_dir):
    images, labels = mnist.load_mnist(mnist_dir, "test")
    assert images.dtype == np.float32 and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    raw = mnist.read_idx_images(mnist_dir / TEST_IMAGES)
    assert raw.shape == (10000, 28, 28) and raw.dtype == np.uint8
    np.testing.assert_array_equal(images[7], raw[7].reshape(784) / np.float32(255))


def test_gunzipped_files_read_the_same_as_gz(mnist_dir, tmp_path):
    for name in mnist.FILES["test"]:
        (tmp_path / name.removesuffix(".gz")).write_bytes(gzip.decompress((mnist_dir / name).read_bytes()))
    raw_images, raw_labels = mnist.load_mnist(tmp_path, "test")
    gz_images, gz_labels = mnist.load_mnist(mnist_dir, "test")
    np.testing.assert_array_equal(raw_images, gz_images)
    np.testing.assert_array_equal(raw_labels, gz_labels)


def test_development_split_is_first_8000_and_last_2000_test_images(mnist_dir):
    train_x, train_y, held_x, held_y = mnist.development_split(mnist_dir)
    images, labels = mnist.load_mnist(mnist_dir, "test")
    assert len(train_x) == 8000 and len(held_x) == 2000
    np.testing.assert_array_equal(held_x, images[8000:])
    np.testing.assert_array_equal(train_y, labels[:8000])


# -- malformed files ------------------------------------------------------------------
def test_synthetic_files_round_trip(tmp_path):
    pixels = small_split(tmp_path)
    images, labels = mnist.load_mnist(tmp_path, "test")
    np.testing.assert_array_equal(images, pixels.reshape(5, 784).astype(np.float32) / 255)
    assert labels.tolist() == [0, 1, 2, 3, 4]


def test_wrong_magic_number_is_an_error_naming_the_file(tmp_path):
    path = write_idx_images(tmp_path / "x.gz", np.zeros((2, 28, 28)), magic=2049)
    with pytest.raises(mnist.IDXFormatError, match=r"x\.gz.*magic number must be 2051.*got 2049"):
        mnist.read_idx_images(path)


def test_labels_file_given_as_images_is_rejected(tmp_path):
    path = write_idx_labels(tmp_path / "labels.gz", [1, 2])
    with pytest.raises(mnist.IDXFormatError, match="magic number must be 2051"):
        mnist.read_idx_images(path)


def test_truncated_image_data_is_an_error_with_byte_counts(tmp_path):
    path = tmp_path / "short"
    write_idx_images(path, np.zeros((3, 28, 28)), compress=False)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(mnist.IDXFormatError, match=r"short: truncated.*3 items.*2368 bytes.*2268"):
        mnist.read_idx_images(path)


def test_extra_bytes_after_the_data_are_an_error(tmp_path):
    path = write_idx_labels(tmp_path / "long", [1, 2, 3], compress=False)
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(mnist.IDXFormatError, match="longer than its header says"):
        mnist.read_idx_labels(path)


def test_file_shorter_than_a_header_is_an_error(tmp_path):
    path = tmp_path / "tiny"
    path.write_bytes(b"\x00\x00\x08")
    with pytest.raises(mnist.IDXFormatError, match="only 3 bytes"):
        mnist.read_idx_labels(path)


def test_truncated_gzip_stream_is_an_error(tmp_path):
    path = write_idx_images(tmp_path / "cut.gz", np.zeros((50, 28, 28)))
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(mnist.IDXFormatError, match=r"cut\.gz: gzip data is truncated or corrupt"):
        mnist.read_idx_images(path)


def test_dot_gz_file_that_is_not_gzip_is_an_error(tmp_path):
    path = write_idx_labels(tmp_path / "plain.gz", [1], compress=False)
    with pytest.raises(mnist.IDXFormatError, match="not gzip-compressed"):
        mnist.read_idx_labels(path)


def test_images_that_are_not_28x28_are_rejected(tmp_path):
    path = write_idx_images(tmp_path / "x.gz", np.zeros((2, 32, 32)), rows=32, cols=32)
    with pytest.raises(mnist.IDXFormatError, match="must be 28x28; the header says 32x32"):
        mnist.read_idx_images(path)


def test_label_above_9_is_rejected(tmp_path):
    path = write_idx_labels(tmp_path / "y.gz", [3, 10])
    with pytest.raises(mnist.IDXFormatError, match="labels must be 0-9; found 10"):
        mnist.read_idx_labels(path)


def test_image_and_label_counts_must_match(tmp_path):
    small_split(tmp_path, n_images=5, n_labels=4)
    with pytest.raises(mnist.IDXFormatError, match="5 images but .* 4 labels"):
        mnist.load_mnist(tmp_path, "test")


def test_missing_files_error_names_all_four_files_and_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        mnist.load_mnist(tmp_path / "nowhere", "train")
    message = str(info.value)
    for name in mnist.ALL_FILES:
        assert name in message
    assert "--download" in message and "mirror" in message and "MINIGAN_DATA" in message


def test_unknown_split_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="split must be one of train, test; got 'valid'"):
        mnist.load_mnist(tmp_path, "valid")


def test_folder_comes_from_the_environment_when_not_given(tmp_path, monkeypatch):
    small_split(tmp_path)
    monkeypatch.setenv("MINIGAN_DATA", str(tmp_path))
    assert mnist.data_folder(None) == tmp_path
    assert mnist.load_mnist(split="test")[0].shape == (5, 784)
    assert mnist.data_folder(tmp_path / "other") == tmp_path / "other"


# -- downloading, offline through a file:// mirror --------------------------------------
def test_download_fetches_and_verifies_the_files(mnist_dir, tmp_path):
    mirror = tmp_path / "mirror"
    shutil.copytree(mnist_dir, mirror)
    target = mnist.download_mnist(tmp_path / "data", mirror=mirror.as_uri(), files=mnist.FILES["test"])
    for name in mnist.FILES["test"]:
        assert mnist.md5sum(target / name) == mnist.MD5[name]
    assert mnist.load_mnist(target, "test")[0].shape == (10000, 784)


def test_download_with_wrong_md5_fails_and_keeps_nothing(tmp_path):
    mirror, target = tmp_path / "mirror", tmp_path / "data"
    mirror.mkdir()
    bad = mirror / TEST_LABELS
    write_idx_labels(bad, [1, 2, 3])
    actual = hashlib.md5(bad.read_bytes()).hexdigest()
    with pytest.raises(ValueError, match=f"MD5 {actual}, expected {mnist.MD5[TEST_LABELS]}; the file was deleted"):
        mnist.download_mnist(target, mirror=mirror.as_uri(), files=[TEST_LABELS])
    assert list(target.iterdir()) == []


def test_download_keeps_a_verified_file_without_fetching(mnist_dir, tmp_path):
    target = tmp_path / "data"
    target.mkdir()
    shutil.copy(mnist_dir / TEST_LABELS, target / TEST_LABELS)
    empty_mirror = tmp_path / "empty"
    empty_mirror.mkdir()
    mnist.download_mnist(target, mirror=empty_mirror.as_uri(), files=[TEST_LABELS])   # would fail to fetch
    assert mnist.md5sum(target / TEST_LABELS) == mnist.MD5[TEST_LABELS]


def test_download_from_a_mirror_without_the_file_names_the_url(tmp_path):
    with pytest.raises(OSError, match=f"could not fetch .*{TEST_LABELS}"):
        mnist.download_mnist(tmp_path / "data", mirror=(tmp_path / "void").as_uri(), files=[TEST_LABELS])


# -- minibatches --------------------------------------------------------------------------
def toy_data(n=10, features=3):
    images = np.arange(n * features, dtype=np.float32).reshape(n, features)
    return images, np.arange(n, dtype=np.int64)


def take(batches, n):
    return [tuple(backend.to_numpy(a) for a in next(batches)) for _ in range(n)]


def test_same_seed_gives_the_same_batches_and_another_seed_does_not():
    images, labels = toy_data()
    first = take(mnist.Minibatches(images, labels, 3, seed=5), 7)
    again = take(mnist.Minibatches(images, labels, 3, seed=5), 7)
    other = take(mnist.Minibatches(images, labels, 3, seed=6), 7)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, again))
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(first, other))


def test_each_epoch_visits_every_sample_once_in_a_new_order():
    images, labels = toy_data(n=12)
    batches = mnist.Minibatches(images, labels, 4, seed=0)
    epoch1 = np.concatenate([b[1] for b in take(batches, 3)])
    epoch2 = np.concatenate([b[1] for b in take(batches, 3)])
    assert sorted(epoch1) == sorted(epoch2) == list(range(12))
    assert not np.array_equal(epoch1, epoch2)
    assert batches.epoch == 1


def test_batches_pair_images_with_their_labels_on_the_device():
    images, labels = toy_data()
    x, y = next(mnist.Minibatches(images, labels, 4, seed=0))
    assert isinstance(x, backend.xp.ndarray) and x.dtype == backend.dtype and y.dtype == backend.xp.int64
    np.testing.assert_array_equal(backend.to_numpy(x), images[backend.to_numpy(y)])


def test_unlabelled_batches_are_arrays_not_tuples():
    images, _ = toy_data()
    assert next(mnist.Minibatches(images, None, 4)).shape == (4, 3)


def test_restored_state_continues_the_stream_exactly():
    images, labels = toy_data(n=10)
    reference = mnist.Minibatches(images, labels, 3, seed=2)
    take(reference, 4)                       # crosses an epoch boundary (3 batches per epoch)
    state = reference.state_dict()
    expected = take(reference, 6)
    restored = mnist.Minibatches(images, labels, 3, seed=99)
    restored.load_state_dict(state)
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(expected, take(restored, 6)))


def test_state_from_another_batch_size_is_rejected():
    images, labels = toy_data()
    state = mnist.Minibatches(images, labels, 3).state_dict()
    with pytest.raises(ValueError, match="batch_size=3, this loader 2"):
        mnist.Minibatches(images, labels, 2).load_state_dict(state)


def test_batch_size_larger_than_the_data_is_rejected():
    images, labels = toy_data(n=4)
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 4\].*got 5"):
        mnist.Minibatches(images, labels, 5)


def test_minibatches_are_backend_clean(strict_backend):
    images, labels = toy_data()
    x, y = next(mnist.Minibatches(mnist.to_tanh_range(images / 30), labels, 4))
    assert (x * 2).sum().shape == () and y.shape == (4,)


def test_tanh_range_maps_0_and_1_to_minus_1_and_1_and_back():
    x = np.array([0.0, 0.25, 1.0], dtype=np.float32)
    np.testing.assert_allclose(mnist.to_tanh_range(x), [-1.0, -0.5, 1.0])
    np.testing.assert_allclose(mnist.from_tanh_range(mnist.to_tanh_range(x)), x)


def test_image_grid_places_images_row_major_with_padding():
    images = np.zeros((6, 784), np.float32)
    images[4] = 0.5                                   # row 1, column 1 of a 2x3 grid
    grid = mnist.image_grid(images, 2, 3, pad=2, background=1.0)
    assert grid.shape == (58, 88)
    assert np.all(grid[30:58, 30:58] == 0.5) and np.all(grid[28:30, :] == 1.0)
