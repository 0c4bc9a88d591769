"""MNIST: read the original IDX files, download them, and serve shuffled minibatches.

MNIST is four files (LeCun, Cortes & Burges; CC BY-SA 3.0), each gzip-compressed
IDX, a big-endian format:

    images: magic 2051, count N, rows 28, cols 28 (4-byte integers), then N*28*28 pixels (uint8)
    labels: magic 2049, count N (4-byte integers), then N labels 0-9 (uint8)

:func:`load_mnist` returns host NumPy arrays (images float32 (N, 784) in [0, 1],
labels int64 (N,)). The GAN's generator ends in tanh, so training images are
rescaled to [-1, 1] with :func:`to_tanh_range`. :class:`Minibatches` turns them
into an endless, seeded, checkpointable stream of device batches for
``GAN.train_step``.

Where the files live: the ``folder`` argument (a demo's ``--data``), else the
environment variable ``MINIGAN_DATA``, else :data:`DEFAULT_FOLDER`.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import pathlib
import struct
import urllib.error
import urllib.request
import zlib

import numpy

from .. import backend
from .minibatches import Minibatches  # noqa: F401  (re-exported: the image loop's shuffler)

IMAGE_SHAPE = (28, 28)
IMAGE_SIZE = 28 * 28
NUM_CLASSES = 10
IMAGES_MAGIC, LABELS_MAGIC = 2051, 2049

#: split -> (images file, labels file)
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
ALL_FILES = FILES["train"] + FILES["test"]
#: MD5 sums of the original files, as distributed
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
#: A public mirror of the original files (the one PyTorch's torchvision uses).
DEFAULT_MIRROR = "https://ossci-datasets.s3.amazonaws.com/mnist/"
DEFAULT_FOLDER = pathlib.Path.home() / ".cache" / "minigan" / "mnist"
ENV_VAR = "MINIGAN_DATA"

#: Development split of the 10,000 test images (never the benchmark protocol):
#: train on the first 8,000, hold out the last 2,000 for evaluation.
DEV_TRAIN_SIZE = 8000


class IDXFormatError(ValueError):
    """An IDX file is truncated, corrupt, or not the kind of file expected."""


# -- finding the files ---------------------------------------------------------------
def data_folder(folder=None) -> pathlib.Path:
    """The MNIST folder: ``folder``, else $MINIGAN_DATA, else DEFAULT_FOLDER."""
    if folder is not None and str(folder) != "":
        return pathlib.Path(folder).expanduser()
    env = os.environ.get(ENV_VAR, "").strip()
    return pathlib.Path(env).expanduser() if env else DEFAULT_FOLDER


def _missing_message(folder: pathlib.Path, missing) -> str:
    listing = "\n".join(f"  {name}  (md5 {MD5[name]})" for name in ALL_FILES)
    return (
        f"MNIST files not found in {folder}: missing {', '.join(missing)}.\n"
        f"MNIST is these four files (gzip-compressed, or gunzipped without the .gz):\n{listing}\n"
        f"Get them from an MNIST mirror, e.g. {DEFAULT_MIRROR}, into that folder, or run the demo "
        f"with --download (minigan.data.mnist.download_mnist). Choose the folder with --data DIR "
        f"or the environment variable {ENV_VAR}."
    )


def _existing(folder: pathlib.Path, name: str):
    """``folder/name`` (``.gz``) or its gunzipped twin without ``.gz``, whichever exists; else None."""
    for candidate in (folder / name, folder / name.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    return None


def find_file(folder, name: str) -> pathlib.Path:
    """The path of MNIST file ``name`` in ``folder`` (gzipped or not); FileNotFoundError otherwise."""
    folder = data_folder(folder)
    path = _existing(folder, name)
    if path is None:
        raise FileNotFoundError(_missing_message(folder, [name]))
    return path


# -- reading IDX files ---------------------------------------------------------------
def _read_bytes(path: pathlib.Path) -> bytes:
    """The file's content, decompressed when it is gzip (recognised by its first two bytes)."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"IDX file {path} does not exist")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (EOFError, OSError, zlib.error) as exc:
            raise IDXFormatError(f"{path}: gzip data is truncated or corrupt ({exc})") from exc
    if path.suffix == ".gz":
        raise IDXFormatError(f"{path}: named .gz but is not gzip-compressed (starts with {raw[:4].hex()})")
    return raw


def _header(path, data: bytes, magic: int, n_ints: int):
    """Check the magic number and return the header's 4-byte integers after it."""
    size = 4 * (1 + n_ints)
    if len(data) >= 4 and struct.unpack(">I", data[:4])[0] != magic:
        kind = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}[magic]
        raise IDXFormatError(f"{path}: magic number must be {magic} (IDX {kind}); "
                             f"got {struct.unpack('>I', data[:4])[0]}")
    if len(data) < size:
        raise IDXFormatError(f"{path}: only {len(data)} bytes, shorter than the {size}-byte IDX header")
    return struct.unpack(f">{n_ints}I", data[4:size]), size


def _check_length(path, data: bytes, header: int, count: int, item: int) -> None:
    expected = header + count * item
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "longer than its header says"
        raise IDXFormatError(
            f"{path}: {what}: the header announces {count} items, i.e. {expected} bytes; the file has {len(data)}"
        )


def read_idx_images(path) -> numpy.ndarray:
    """Read an IDX image file (``.gz`` or raw). Returns uint8 (N, 28, 28), host NumPy."""
    data = _read_bytes(path)
    (count, rows, cols), offset = _header(path, data, IMAGES_MAGIC, 3)
    if (rows, cols) != IMAGE_SHAPE:
        raise IDXFormatError(f"{path}: images must be 28x28; the header says {rows}x{cols}")
    _check_length(path, data, offset, count, rows * cols)
    return numpy.frombuffer(data, numpy.uint8, offset=offset).reshape(count, rows, cols)


def read_idx_labels(path) -> numpy.ndarray:
    """Read an IDX label file (``.gz`` or raw). Returns int64 (N,) with values 0-9, host NumPy."""
    data = _read_bytes(path)
    (count,), offset = _header(path, data, LABELS_MAGIC, 1)
    _check_length(path, data, offset, count, 1)
    labels = numpy.frombuffer(data, numpy.uint8, offset=offset).astype(numpy.int64)
    if count and labels.max() >= NUM_CLASSES:
        raise IDXFormatError(f"{path}: labels must be 0-9; found {int(labels.max())}")
    return labels


def load_mnist(folder=None, split: str = "train"):
    """Load one split of MNIST.

    Args:
        folder: the folder holding the files (None: $MINIGAN_DATA, else DEFAULT_FOLDER).
        split: "train" (60,000 images) or "test" (10,000).
    Returns:
        images float32 (N, 784) in [0, 1] (pixel / 255), labels int64 (N,); host NumPy.
    """
    if split not in FILES:
        raise ValueError(f"load_mnist: split must be one of {', '.join(FILES)}; got {split!r}")
    folder = data_folder(folder)
    images_path, labels_path = (_existing(folder, name) for name in FILES[split])
    missing = [name for name, path in zip(FILES[split], (images_path, labels_path)) if path is None]
    if missing:
        raise FileNotFoundError(_missing_message(folder, missing))
    images, labels = read_idx_images(images_path), read_idx_labels(labels_path)
    if len(images) != len(labels):
        raise IDXFormatError(
            f"MNIST {split}: {images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels"
        )
    return images.reshape(len(images), IMAGE_SIZE).astype(numpy.float32) / 255, labels


def development_split(folder=None):
    """The development split of the *test* files (a convenience, never the benchmark protocol).

    Returns (train_images, train_labels, holdout_images, holdout_labels): the first
    DEV_TRAIN_SIZE = 8,000 test images and the last 2,000, as :func:`load_mnist` returns them.
    """
    images, labels = load_mnist(folder, "test")
    n = DEV_TRAIN_SIZE
    return images[:n], labels[:n], images[n:], labels[n:]


def to_tanh_range(images):
    """Map pixels from [0, 1] to [-1, 1] (the range of the generator's tanh): 2x - 1. Any shape."""
    return images * 2 - 1


def from_tanh_range(images):
    """Map [-1, 1] back to [0, 1]: (x + 1) / 2. Any shape."""
    return (images + 1) / 2


# -- downloading ------------------------------------------------------------------------
def md5sum(path) -> str:
    """The MD5 hex digest of a file."""
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_mnist(folder=None, mirror: str = DEFAULT_MIRROR, files=ALL_FILES, timeout: float = 60.0):
    """Fetch the MNIST files from ``mirror`` into ``folder``, checking each file's MD5.

    A file already present with the right MD5 is kept. Each download goes to a
    temporary file that is renamed into place only when its MD5 is right; a
    wrong MD5 deletes it and raises ValueError naming the file, the expected
    and the actual sum. ``mirror`` is a URL prefix (``https://...`` or, for
    tests, ``file:///...``). Returns the folder.
    """
    folder = data_folder(folder)
    folder.mkdir(parents=True, exist_ok=True)
    base = mirror if mirror.endswith("/") else mirror + "/"
    for name in files:
        if name not in MD5:
            raise ValueError(f"download_mnist: files must be among {', '.join(ALL_FILES)}; got {name!r}")
        target = folder / name
        if target.is_file() and md5sum(target) == MD5[name]:
            continue
        tmp = folder / (name + ".part")
        try:
            with urllib.request.urlopen(base + name, timeout=timeout) as response, open(tmp, "wb") as f:
                for block in iter(lambda: response.read(1 << 20), b""):
                    f.write(block)
        except (urllib.error.URLError, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise OSError(f"download_mnist: could not fetch {base + name} ({exc}); try another mirror") from exc
        actual = md5sum(tmp)
        if actual != MD5[name]:
            tmp.unlink()
            raise ValueError(
                f"download_mnist: {base + name} has MD5 {actual}, expected {MD5[name]}; the file was deleted"
            )
        os.replace(tmp, target)
    return folder


# -- minibatches ------------------------------------------------------------------------
def image_grid(images, rows: int, cols: int, pad: int = 2, background: float = 1.0) -> numpy.ndarray:
    """Tile host images (rows*cols, 784) in [0, 1] into one (rows*30-2, cols*30-2) picture, row-major,
    with ``pad`` pixels of ``background`` between them (for plt.imsave / imshow)."""
    images = numpy.asarray(images)
    if images.shape != (rows * cols, IMAGE_SIZE):
        raise ValueError(f"image_grid: images must have shape ({rows * cols}, {IMAGE_SIZE}) for a "
                         f"{rows}x{cols} grid; got {images.shape}")
    h, w = IMAGE_SHAPE
    grid = numpy.full((rows * (h + pad) - pad, cols * (w + pad) - pad), background, dtype=numpy.float32)
    for i, image in enumerate(images.reshape(-1, h, w)):
        r, c = divmod(i, cols)
        grid[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = image
    return grid
