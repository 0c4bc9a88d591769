"""What an image GAN's recipe says: :class:`ImageExperiment` (networks, optimizers, data stream, outputs)
and the checks its settings share. The loop that trains any of them is ``image_loop.py``."""
from __future__ import annotations

import dataclasses

import numpy

from .. import backend
from . import image_sampling
from ..data import mnist
from ..data.mnist import IMAGE_SIZE
from ..gan import GAN
from ..checks import check_number, check_positive_int


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



# -- the defaults' helpers -----------------------------------------------------------------
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
