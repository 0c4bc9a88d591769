"""Training the MNIST (conditional) GAN: the loop behind ``demos/mnist_cgan.py``.

The recipe is the classic PyTorch tutorial's: the models of ``minigan.models``,
binary cross-entropy, Adam (lr 1e-4, default betas) for both networks, z ~ N(0, I)
in R^100, minibatches of 64, 30 epochs. One epoch is ``(N // batch_size) // k``
iterations of Algorithm 1 (``GAN.train_step``: k discriminator steps, each on a
fresh batch, then one generator step), so every epoch shows D about N images.

After every epoch the loop saves an atomic checkpoint (both networks, both
optimizers, the random state, the minibatch order and position, the settings),
so ``resume=True`` continues exactly where it stopped: on NumPy a resumed run
ends with the same weights as an uninterrupted one. At the end it writes

    samples.npy     (10000, 784) float32 in [0, 1]: 1,000 of each label (conditional)
    labels.npy      (10000,) int64, the labels of samples.npy (conditional only)
    generator.npz   the generator, for ``models.load_generator``
    summary.json    settings, seconds per epoch, final D(x), D(G(z)) and losses
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import time

import numpy

from . import backend, checkpoint, models
from .data import mnist
from .gan import GAN
from .optim import Adam
from .progress import Progress

CHECKPOINT = "checkpoint.npz"
READ_EVERY = 20          # iterations between reads of the loss scalars (each read makes a GPU wait)
TRAIN_SPLITS = ("train", "test")


@dataclasses.dataclass
class Settings:
    """Everything that defines a run (``epochs`` may grow on resume; the rest must not change)."""

    epochs: int = 30
    batch_size: int = 64
    k: int = 1                   # Algorithm 1's discriminator steps per generator step
    seed: int = 0
    lr_d: float = 1e-4
    lr_g: float = 1e-4
    conditional: bool = True
    train_split: str = "train"   # "test": development only (first 8,000 test images)
    limit: int | None = None     # train on the first `limit` images only (quick checks)

    def __post_init__(self):
        for name in ("epochs", "batch_size", "k"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        for name in ("lr_d", "lr_g"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be > 0; got {getattr(self, name)!r}")
        if self.train_split not in TRAIN_SPLITS:
            raise ValueError(f"train_split must be one of {', '.join(TRAIN_SPLITS)}; got {self.train_split!r}")
        if self.limit is not None and self.limit < 1:
            raise ValueError(f"limit must be a positive integer or None; got {self.limit!r}")


def training_data(folder, settings: Settings):
    """Host images (N, 784) in [0, 1] and labels (N,) for ``settings.train_split`` (and ``limit``)."""
    if settings.train_split == "train":
        images, labels = mnist.load_mnist(folder, "train")
    else:
        images, labels, _, _ = mnist.development_split(folder)
    if settings.limit is not None:
        images, labels = images[:settings.limit], labels[:settings.limit]
    return images, labels


def build_gan(settings: Settings) -> GAN:
    """Seed the backend, build G and D, one Adam each, and the GAN (BCE, normal noise)."""
    backend.seed(settings.seed)
    generator = models.generator(settings.conditional)
    discriminator = models.discriminator(settings.conditional)
    return GAN(generator, discriminator,
               Adam(generator.parameters(), lr=settings.lr_g),
               Adam(discriminator.parameters(), lr=settings.lr_d),
               models.NOISE_DIM, k=settings.k, noise="normal",
               num_classes=models.NUM_CLASSES if settings.conditional else None,
               log_every=READ_EVERY)


def iterations_per_epoch(n: int, batch_size: int, k: int) -> int:
    """(n // batch_size) // k: each iteration consumes k batches."""
    steps = (n // batch_size) // k
    if steps < 1:
        raise ValueError(f"an epoch would have 0 iterations: {n} images, batch_size {batch_size}, k {k}; "
                         "use more images or a smaller batch_size or k")
    return steps


def recent_means(gan: GAN, iterations: int) -> dict:
    """Host means over the last ``iterations`` (k D steps and 1 G step each) of each logged number."""
    d_steps = iterations * gan.k
    return {"d_loss": gan.last("d_loss", d_steps), "g_loss": gan.last("g_loss", iterations),
            "D(x)": gan.last("d_real", d_steps), "D(G(z))": gan.last("d_fake", d_steps)}


def run_epoch(gan: GAN, batches, steps: int, desc: str = "", show_progress: bool = True) -> None:
    """``steps`` iterations of Algorithm 1, with a progress bar read every READ_EVERY iterations."""
    bar = Progress(steps, label=desc, enabled=show_progress)
    for i in range(1, steps + 1):
        gan.train_step(batches)
        if show_progress and (i % READ_EVERY == 0 or i == steps):
            bar.update(i, **recent_means(gan, min(READ_EVERY, i)))
    bar.close()


def _check_resumable(saved: dict, settings: Settings, path) -> None:
    current = dataclasses.asdict(settings)
    different = {k: (saved.get(k), v) for k, v in current.items() if k != "epochs" and saved.get(k) != v}
    if different:
        details = ", ".join(f"{k}: checkpoint {a!r}, now {b!r}" for k, (a, b) in different.items())
        raise ValueError(f"cannot resume from {path}: settings differ ({details}); "
                         "pass the checkpoint's settings, or choose a new --out")


def train(images, labels, out, settings: Settings, *, resume: bool = False, on_epoch_end=None,
          show_progress: bool = True, args: dict | None = None, samples_per_class: int = 1000) -> dict:
    """Train on host ``images`` (N, 784) in [0, 1] with ``labels`` (N,); write to folder ``out``.

    ``on_epoch_end(epoch, gan)`` runs after each epoch's checkpoint (figures).
    ``args`` (e.g. the demo's command line) is stored in the checkpoint.
    ``samples_per_class``: samples.npy holds 10 times this many images.
    Returns the summary (also written to out/summary.json).
    """
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    images = numpy.asarray(images, dtype=numpy.float32)
    if images.ndim != 2 or images.shape[1] != models.IMAGE_SIZE or images.min() < 0 or images.max() > 1:
        raise ValueError(f"train: images must be (N, {models.IMAGE_SIZE}) in [0, 1]; got shape {images.shape}, "
                         f"range [{images.min()}, {images.max()}]")
    gan = build_gan(settings)
    batches = mnist.Minibatches(mnist.to_tanh_range(images), labels if settings.conditional else None,
                                settings.batch_size, seed=settings.seed)
    steps = iterations_per_epoch(len(images), settings.batch_size, settings.k)
    path, epoch, seconds = out / CHECKPOINT, 0, []
    if resume:
        state = checkpoint.load(path)
        _check_resumable(state["settings"], settings, path)
        if state["epoch"] > settings.epochs:
            raise ValueError(f"cannot resume: {path} has {state['epoch']} epochs, more than epochs={settings.epochs}")
        gan.load_state_dict(state["gan"])
        batches.load_state_dict(state["loader"])
        epoch, seconds = state["epoch"], list(state["seconds_per_epoch"])
    while epoch < settings.epochs:
        start = time.perf_counter()
        run_epoch(gan, batches, steps, f"epoch {epoch + 1}/{settings.epochs}", show_progress)
        backend.synchronize()
        seconds.append(time.perf_counter() - start)
        epoch += 1
        checkpoint.save(path, {"gan": gan.state_dict(), "loader": batches.state_dict(), "epoch": epoch,
                               "settings": dataclasses.asdict(settings), "seconds_per_epoch": seconds,
                               "args": args or {}})
        if on_epoch_end is not None:
            on_epoch_end(epoch, gan)
    return finish(gan, out, settings, steps, len(images), seconds, samples_per_class)


def finish(gan: GAN, out: pathlib.Path, settings: Settings, steps: int, n_images: int, seconds,
           samples_per_class: int = 1000) -> dict:
    """Write samples.npy, labels.npy, generator.npz and summary.json; return the summary."""
    samples, sample_labels = models.sample_images(gan.generator, samples_per_class, seed=settings.seed)
    numpy.save(out / "samples.npy", samples)
    if sample_labels is not None:
        numpy.save(out / "labels.npy", sample_labels)
    models.save_generator(out / "generator.npz", gan.generator, settings.conditional,
                          epochs=settings.epochs, seed=settings.seed)
    final = recent_means(gan, steps)
    summary = {
        "settings": dataclasses.asdict(settings), "backend": backend.name, "train_images": n_images,
        "iterations_per_epoch": steps, "epochs_completed": len(seconds),
        "seconds_per_epoch": [round(s, 3) for s in seconds],
        "mean_seconds_per_epoch": round(sum(seconds) / len(seconds), 3) if seconds else None,
        "final_epoch_means": final,
        "files": {"samples": "samples.npy", "labels": "labels.npy" if sample_labels is not None else None,
                  "generator": "generator.npz", "checkpoint": CHECKPOINT},
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
