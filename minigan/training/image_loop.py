"""The training loop shared by every image GAN: epochs, checkpoints, resume, figures, summary.

An *experiment* (one file in ``minigan/experiments/``: the tutorial's MLP cGAN, the
paper's Maxout GAN, the DCGAN) says which networks, optimizers and settings to use by
subclassing :class:`ImageExperiment`. This module does the rest, the same way for all:

- one epoch is ``(N // batch_size) // k`` iterations of Algorithm 1 (``GAN.train_step``:
  k discriminator steps, each on a fresh batch, then one generator step), so every epoch
  shows D about N images;
- after every epoch an atomic checkpoint (both networks, both optimizers, the random
  state, the minibatch order and position, the settings, the experiment's name), so
  ``resume=True`` continues exactly where it stopped: on NumPy a resumed run ends with
  the same weights as an uninterrupted one; an existing checkpoint is never overwritten
  unless asked (``overwrite=True``);
- training that diverges (a NaN or infinity read back from the device: ``TrainingDiverged``)
  stops with an error naming the quantity, the iteration, the usual causes and the last good
  checkpoint; no checkpoint is ever written from a non-finite state, so ``--resume`` continues
  from the last good epoch;
- the failure signs of ``minigan.health`` are shown in the progress line while they hold;
- at the end the experiment's outputs (for a GAN ``samples.npy`` (10000, 784) float32 in [0, 1],
  1,000 of each label for a conditional generator, ``labels.npy``, ``generator.npz``:
  ``image_sampling.load_generator``) and ``summary.json`` (with ``"health"``: the failure-sign
  episodes, empty when healthy).

The loop needs of what it trains only a small protocol, which ``GAN`` (one generator, one
discriminator) and ``CycleGAN`` (two of each) both keep:

    train_step(batches)         one iteration, drawing from the experiment's ``minibatches``
    state_dict(), load_state_dict(state)      everything an exact resume needs
    history, recent_history(n), last(key, n)  the recorded numbers (``gan.history.History``)
    k, generator_loss           what the health checks read (``training.health``)

The experiment says what differs: its data stream (:meth:`ImageExperiment.minibatches`), the length of
an epoch, the numbers on the progress line, its figures per epoch and its final outputs.
"""
from __future__ import annotations

import dataclasses
import json
import pathlib
import time

import numpy

from .. import backend
from . import checkpoint, health, image_sampling
from ..data import mnist
from ..gan.errors import TrainingDiverged
from ..gan import GAN
from .progress import Progress
from ..checks import check_number, check_positive_int

CHECKPOINT = checkpoint.FILE_NAME
READ_EVERY = 20          # iterations between reads of the loss scalars (each read makes a GPU wait)
IMAGE_SIZE = 28 * 28


class ImageExperiment:
    """A recipe for an MNIST GAN. Subclasses set the class attributes and implement
    :meth:`build_generator` and :meth:`build_gan`; everything else has a default.

    Class attributes:
        name: the registry key (``minigan.experiments.EXPERIMENTS``), stored in checkpoints.
        Settings: a dataclass of everything that defines a run; it must have ``epochs``, ``batch_size``
            and ``seed``, and ``k`` and ``conditional`` for the default ``minibatches`` and
            ``iterations_per_epoch`` (only ``epochs`` may grow on resume).
        noise_dim, noise: size and prior of z ("normal", "uniform", "uniform:BOUND").
        output: G's last activation, "tanh" (images in [-1, 1]) or "sigmoid" ([0, 1]).
        image_shape: the shape of one image for D: (784,) flat, or (1, 28, 28) for convolutions.
    """

    name = "experiment"
    Settings = None
    noise_dim = 100
    noise = "normal"
    output = "tanh"
    image_shape = (IMAGE_SIZE,)

    def __init__(self, settings=None):
        self.settings = self.Settings() if settings is None else settings

    # -- what a subclass provides ---------------------------------------------------------
    def build_generator(self):
        """G: z (m, noise_dim) [, labels (m,)] -> images (m, *image_shape) in G's output range."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_generator")

    def build_gan(self, images) -> GAN:
        """Seed, build the networks and their optimizers, return the GAN (or another object keeping the
        loop's protocol: the module docstring).
        ``images``: the host training images (N, 784) in [0, 1] (some recipes initialise from them)."""
        raise NotImplementedError(f"{type(self).__name__} must implement build_gan")

    def before_iteration(self, gan: GAN, iteration: int, epoch: int) -> None:
        """Called before every iteration (0-based count over the whole run): learning-rate schedules."""

    def minibatches(self, images, labels):
        """The stream ``train_step`` draws from, with ``state_dict``/``load_state_dict`` (an exact resume):
        by default seeded shuffled batches of the images in D's layout (and their labels, when conditional)."""
        return mnist.Minibatches(self.model_inputs(images), labels if self.conditional else None,
                                 self.settings.batch_size, seed=self.settings.seed)

    def iterations_per_epoch(self, n: int) -> int:
        """Iterations in one epoch over ``n`` training images: ``iterations_per_epoch(n, batch_size, k)``."""
        return iterations_per_epoch(n, self.settings.batch_size, self.settings.k)

    def progress_means(self, gan, iterations: int) -> dict:
        """The progress line's and the summary's ``final_epoch_means``: host means over the last ``iterations``."""
        return recent_means(gan, iterations)

    def epoch_figures(self, out, seed: int = 0, gif: bool = False):
        """The demo's ``on_epoch_end(epoch, gan)``: ``plots.EpochFigures`` (grids, loss curves)."""
        from ..demo_tools.plots import EpochFigures
        return EpochFigures(out, self, seed=seed, gif=gif)

    def final_outputs(self, gan, out, images, labels, samples_per_class: int = 1000, classifier=None):
        """Write the run's final files into ``out``; return (files for the summary, the class histogram the
        health check reads or None, further summary entries). A GAN's: samples.npy, labels.npy (conditional)
        and generator.npz; ``classifier`` (optional, ``minigan.classifier``) reads the samples, so that the
        health check can see mode collapse in their class histogram."""
        samples, sample_labels = self.sample(gan.sampler, samples_per_class, seed=self.settings.seed)
        class_histogram = None
        if classifier is not None:
            from .. import metrics
            predicted = backend.to_numpy(classifier.predict(backend.asarray(samples)))
            class_histogram = metrics.class_histogram(predicted).tolist()
        numpy.save(out / "samples.npy", samples)
        if sample_labels is not None:
            numpy.save(out / "labels.npy", sample_labels)
        image_sampling.save_generator(out / "generator.npz", self, gan.sampler, epochs=self.settings.epochs)
        files = {"samples": "samples.npy", "labels": "labels.npy" if sample_labels is not None else None,
                 "generator": "generator.npz"}
        return files, class_histogram, {}

    def training_data(self, folder):
        """Host images (N, 784) in [0, 1] and labels (N,): the 60,000 training images by default."""
        images, labels = mnist.load_mnist(folder, "train")
        limit = getattr(self.settings, "limit", None)
        return (images[:limit], labels[:limit]) if limit else (images, labels)

    # -- shared ---------------------------------------------------------------------------
    @property
    def conditional(self) -> bool:
        return bool(self.settings.conditional)

    def model_inputs(self, images):
        """Host images (N, 784) in [0, 1] -> D's input range and layout (N, *image_shape)."""
        x = mnist.to_tanh_range(images) if self.output == "tanh" else images
        return numpy.ascontiguousarray(x.reshape((len(x),) + tuple(self.image_shape)), dtype=numpy.float32)

    def generator_config(self) -> dict:
        """What rebuilds the generator: the experiment's name and settings, and how to sample it."""
        return {"experiment": self.name, "settings": dataclasses.asdict(self.settings),
                "conditional": self.conditional, "noise_dim": self.noise_dim, "noise": self.noise,
                "output": self.output, "num_classes": image_sampling.NUM_CLASSES,
                "image_shape": [28, 28]}

    def sample(self, generator, n_per_class: int = 1000, seed: int = 0):
        """``image_sampling.sample_images`` with this experiment's noise and output range."""
        return image_sampling.sample_images(generator, n_per_class, seed, self.noise_dim,
                                            output=self.output, noise=self.noise)


def check_settings(settings, positive_ints=("epochs", "batch_size", "k"), positive_floats=("lr_d", "lr_g")) -> None:
    """The checks every experiment's Settings share: counts are positive integers, learning
    rates positive finite numbers, ``limit`` None or a positive integer. Raises ValueError naming
    the Settings class, the field and its value."""
    owner = f"{type(settings).__module__.rsplit('.', 1)[-1]}.Settings"
    for name in positive_ints:
        check_positive_int(name, getattr(settings, name), owner)
    for name in positive_floats:
        check_number(name, getattr(settings, name), 0, low_open=True, owner=owner)
    limit = getattr(settings, "limit", None)
    if limit is not None:
        check_positive_int("limit (or None)", limit, owner)


# -- the loop -----------------------------------------------------------------------------
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


def run_epoch(experiment: ImageExperiment, gan: GAN, batches, steps: int, epoch: int,
              desc: str = "", show_progress: bool = True) -> None:
    """``steps`` iterations (``gan.train_step``), with a progress bar read every READ_EVERY iterations."""
    bar = Progress(steps, label=desc, enabled=show_progress)
    first = epoch * steps
    for i in range(1, steps + 1):
        experiment.before_iteration(gan, first + i - 1, epoch)
        gan.train_step(batches)
        if show_progress and (i % READ_EVERY == 0 or i == steps):
            window = health.WINDOW
            warnings = health.current_warnings(gan.recent_history(window), k=gan.k, window=window,
                                               generator_loss=gan.generator_loss)
            bar.update(i, warnings=warnings, **experiment.progress_means(gan, min(READ_EVERY, i)))
    bar.close()


def _check_resumable(saved: dict, experiment: ImageExperiment, path) -> None:
    """The checkpoint at ``path`` is of this experiment, with its settings (``epochs`` may grow;
    a setting added after the checkpoint was written reads as its default)."""
    name = saved.get("experiment", "mnist_cgan")
    if name != experiment.name:
        raise ValueError(f"cannot resume from {path}: it was written by the {name!r} experiment, "
                         f"not {experiment.name!r}; choose another --out")
    checkpoint.check_resumable(path, saved["settings"], dataclasses.asdict(experiment.settings),
                               defaults=dataclasses.asdict(type(experiment.settings)()), may_change=("epochs",))


def _check_images(images, labels, conditional: bool):
    images = numpy.asarray(images, dtype=numpy.float32)
    if images.ndim != 2 or images.shape[1] != IMAGE_SIZE or images.min() < 0 or images.max() > 1:
        raise ValueError(f"train: images must be (N, {IMAGE_SIZE}) in [0, 1]; got shape {images.shape}, "
                         f"range [{images.min()}, {images.max()}]")
    if conditional and labels is None:
        raise ValueError("train: a conditional experiment needs labels (N,); got None")
    return images


def start_generator_from(gan: GAN, weights: dict) -> None:
    """Load ``weights`` into G (and into its weight average, with ``ema_decay``), in place.
    ValueError when they do not fit G (another architecture)."""
    try:
        for net in (gan.generator, gan.sampler):
            net.load_state_dict(weights)
    except (KeyError, ValueError) as exc:
        raise ValueError(f"the starting generator's weights do not fit this experiment's generator: {exc}") from None


def train(experiment: ImageExperiment, images, labels, out, *, resume: bool = False, overwrite: bool = False,
          on_epoch_end=None, show_progress: bool = True, args: dict | None = None,
          samples_per_class: int = 1000, classifier=None, generator_weights: dict | None = None) -> dict:
    """Train ``experiment`` on host ``images`` (N, 784) in [0, 1] with ``labels`` (N,); write to ``out``.

    resume: continue from ``out/checkpoint.npz`` (same experiment and settings; ``epochs`` may grow).
    overwrite: start afresh even if ``out/checkpoint.npz`` exists (otherwise that is refused).
    on_epoch_end(epoch, gan): runs after each epoch's checkpoint (figures: ``experiment.epoch_figures``).
    args: e.g. the demo's command line, stored in the checkpoint.
    samples_per_class: a GAN's samples.npy holds 10 times this many images.
    classifier: an MNIST classifier (``minigan.classifier``) for the final outputs (a GAN's health check).
    generator_weights: start G from these weights (a state dict, e.g. a shipped generator's:
    ``minigan.pretrained.initial_weights``) instead of its random initialisation; D, both optimizers
    and the epoch count start afresh. Ignored on resume (the checkpoint holds G).
    Returns the summary (also written to out/summary.json).
    """
    out = pathlib.Path(out)
    settings = experiment.settings
    images = _check_images(images, labels, experiment.conditional)
    path = out / CHECKPOINT
    checkpoint.check_start(path, resume, overwrite)
    out.mkdir(parents=True, exist_ok=True)
    gan = experiment.build_gan(images)
    if generator_weights is not None and not resume:
        start_generator_from(gan, generator_weights)
    batches = experiment.minibatches(images, labels)
    steps = experiment.iterations_per_epoch(len(images))
    epoch, seconds = 0, []
    if resume:
        state = checkpoint.load(path)
        _check_resumable(state, experiment, path)
        if state["epoch"] > settings.epochs:
            raise ValueError(f"cannot resume: {path} has {state['epoch']} epochs, more than epochs={settings.epochs}")
        gan.load_state_dict(state["gan"])
        batches.load_state_dict(state["loader"])
        epoch, seconds = state["epoch"], list(state["seconds_per_epoch"])
    while epoch < settings.epochs:
        start = time.perf_counter()
        try:
            run_epoch(experiment, gan, batches, steps, epoch, f"epoch {epoch + 1}/{settings.epochs}", show_progress)
            gan_state = gan.state_dict()    # reads the last steps back: a NaN in them is caught here
        except TrainingDiverged as exc:
            raise TrainingDiverged(exc.quantity, exc.iteration, exc.value, exc.found_at,
                                   note=checkpoint.last_good(path, f"epoch {epoch}" if epoch else None,
                                                             "in the first epoch")) from None
        backend.synchronize()
        seconds.append(time.perf_counter() - start)
        epoch += 1
        checkpoint.save(path, {"gan": gan_state, "loader": batches.state_dict(), "epoch": epoch,
                               "experiment": experiment.name, "settings": dataclasses.asdict(settings),
                               "seconds_per_epoch": seconds, "args": args or {}}, check=True)
        if on_epoch_end is not None:
            on_epoch_end(epoch, gan)
    return finish(experiment, gan, out, steps, images, labels, seconds, samples_per_class, classifier)


def finish(experiment: ImageExperiment, gan: GAN, out: pathlib.Path, steps: int, images, labels, seconds,
           samples_per_class: int = 1000, classifier=None) -> dict:
    """Write the experiment's final outputs (``ImageExperiment.final_outputs``) and summary.json;
    return the summary."""
    settings = experiment.settings
    files, class_histogram, extra = experiment.final_outputs(gan, out, images, labels, samples_per_class, classifier)
    summary = {
        "experiment": experiment.name, "settings": dataclasses.asdict(settings), "backend": backend.name,
        "train_images": len(images), "iterations_per_epoch": steps, "epochs_completed": len(seconds),
        "seconds_per_epoch": [round(s, 3) for s in seconds],
        "mean_seconds_per_epoch": round(sum(seconds) / len(seconds), 3) if seconds else None,
        "final_epoch_means": experiment.progress_means(gan, steps),
        "health": health.diagnose(gan.history, k=gan.k, generator_loss=gan.generator_loss,
                                  class_histogram=class_histogram),
        "files": {**files, "checkpoint": CHECKPOINT},
        **extra,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary
