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
from . import checkpoint, health
from ..gan.errors import TrainingDiverged
from ..gan import GAN
from .progress import Progress
from .image_experiment import IMAGE_SIZE, ImageExperiment

CHECKPOINT = checkpoint.FILE_NAME
READ_EVERY = 20          # iterations between reads of the loss scalars (each read makes a GPU wait)


# -- the loop -----------------------------------------------------------------------------
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
        for net in {id(net): net for net in (gan.generator, gan.sampler)}.values():   # the same network without EMA
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
