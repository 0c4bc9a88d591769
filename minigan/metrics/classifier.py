"""A small MNIST classifier, trained with minigan itself, to judge generated digits.

A GAN's samples can be judged by a network that knows what digits look like:
which class does it see (do the samples cover all ten? does a conditional
generator draw the digit it was asked for?), and how do the samples sit in its
feature space compared with real digits (the Fréchet distance of
:func:`minigan.metrics.frechet_distance_from_features`). See
docs/09_evaluating_gans.md.

The network is an MLP, 784-512-256-10 with ReLU and Dropout, trained with
softmax cross-entropy (:class:`minigan.losses.CrossEntropyLoss`) and Adam on
images in [0, 1], each randomly shifted by up to two pixels (a cheap
augmentation: a digit moved by a pixel is still the same digit).
"""
from __future__ import annotations

import time

import numpy

from .. import backend, nn
from ..training import checkpoint
from ..losses import CrossEntropyLoss
from ..optim import Adam

IMAGE_SIDE = 28


class MNISTClassifier(nn.Module):
    """logits = head(features(x)), features = [Linear, ReLU, Dropout] per hidden layer.

    Shapes: x (N, in_features) in [0, 1], features (N, hidden[-1]), logits (N, num_classes).
    """

    def __init__(self, in_features: int = 784, hidden=(512, 256), num_classes: int = 10, dropout: float = 0.3):
        self.config = {"in_features": in_features, "hidden": list(hidden), "num_classes": num_classes,
                       "dropout": dropout}
        layers, width = [], in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.Dropout(dropout)]
            width = h
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x):
        return self.head(self.body(x))

    def backward(self, grad_output):
        """dL/dlogits (N, C) -> dL/dx (N, in_features); parameter gradients accumulate."""
        return self.body.backward(self.head.backward(grad_output))

    def _evaluate(self, fn, x, batch_size: int):
        """Run ``fn`` over x in evaluation mode, batch by batch; concatenated backend result."""
        was_training = self.training
        self.eval()
        try:
            x = backend.asarray(x, dtype=self.head.weight.data.dtype)
            return backend.xp.concatenate([fn(x[i:i + batch_size]) for i in range(0, len(x), batch_size)])
        finally:
            self.train(was_training)

    def features(self, x, batch_size: int = 1000):
        """Penultimate-layer activations (N, hidden[-1]) in evaluation mode (no dropout).

        x: host or backend (N, in_features). Returns a backend array.
        """
        return self._evaluate(self.body, x, batch_size)

    def logits(self, x, batch_size: int = 1000):
        """Class scores (N, num_classes) in evaluation mode; a backend array."""
        return self._evaluate(self.forward, x, batch_size)

    def predict(self, x, batch_size: int = 1000):
        """Most likely class (N,) int64 in evaluation mode; a backend array."""
        return self.logits(x, batch_size).argmax(axis=1)


def random_shift(images, max_shift: int, rng=None):
    """Move each image by its own random (dy, dx), |dy|, |dx| <= max_shift, filling with 0.

    Pads by max_shift on every side, then crops a 28x28 window at a random offset,
    all in one gather. Shapes: images (N, 784) -> (N, 784), on the backend.
    """
    if max_shift == 0:
        return images
    xp = backend.xp
    rng = rng or backend.rng()
    n, k = images.shape[0], max_shift
    padded = xp.pad(images.reshape(n, IMAGE_SIDE, IMAGE_SIDE), ((0, 0), (k, k), (k, k)))
    offset_y, offset_x = rng.integers(2 * k + 1, (n,)), rng.integers(2 * k + 1, (n,))
    side = xp.arange(IMAGE_SIDE)
    rows = (offset_y[:, None] + side)[:, :, None]                   # (N, 28, 1)
    cols = (offset_x[:, None] + side)[:, None, :]                   # (N, 1, 28)
    return padded[xp.arange(n)[:, None, None], rows, cols].reshape(n, IMAGE_SIDE * IMAGE_SIDE)


def accuracy(model: MNISTClassifier, images, labels, batch_size: int = 1000) -> float:
    """Fraction of images (N, 784) classified as their label (N,)."""
    predicted = backend.to_numpy(model.predict(images, batch_size))
    return float((predicted == numpy.asarray(backend.to_numpy(labels))).mean())


def train_classifier(images, labels, epochs: int = 30, batch_size: int = 128, lr: float = 1e-3,
                     max_shift: int = 2, seed: int = 0, hidden=(512, 256), dropout: float = 0.3,
                     num_classes: int = 10, validation=None, log=print):
    """Train an :class:`MNISTClassifier` with Adam on softmax cross-entropy.

    Args:
        images: host (N, 784) in [0, 1]; labels: host int (N,).
        epochs: passes over the data (each a fresh permutation; the last partial batch is kept).
        max_shift: random shift augmentation in pixels (0: none).
        validation: optional (images, labels) whose accuracy is logged after each epoch.
        log: callable for one progress line per epoch (None: silent).
    Returns:
        (model in evaluation mode, history dict of per-epoch host lists "loss", "val_accuracy").
    """
    images, labels = numpy.asarray(images), numpy.asarray(labels)
    if images.ndim != 2 or labels.shape != (len(images),):
        raise ValueError(
            f"train_classifier: images must be (N, features) and labels (N,); got {images.shape} and {labels.shape}"
        )
    backend.seed(seed)
    model = MNISTClassifier(images.shape[1], hidden, num_classes, dropout)
    optimizer, loss_fn = Adam(model.parameters(), lr=lr), CrossEntropyLoss()
    x_all, y_all = backend.asarray(images), backend.asarray(labels, dtype=backend.xp.int64)
    order_rng = numpy.random.default_rng(seed)
    history = {"loss": [], "val_accuracy": []}
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        total = backend.xp.zeros((), dtype=backend.dtype)    # summed on the device: one sync per epoch
        order = order_rng.permutation(len(images))
        for i in range(0, len(order), batch_size):
            index = backend.asarray(order[i:i + batch_size], dtype=backend.xp.int64)
            x = random_shift(x_all[index], max_shift)
            optimizer.zero_grad()
            loss = loss_fn(model(x), y_all[index])
            model.backward(loss_fn.backward())
            optimizer.step()
            total += loss * len(index)
        history["loss"].append(float(total) / len(images))
        line = f"classifier epoch {epoch}/{epochs}: loss {history['loss'][-1]:.4f}"
        if validation is not None:
            history["val_accuracy"].append(accuracy(model, *validation))
            line += f", held-out accuracy {history['val_accuracy'][-1]:.4f}"
        if log is not None:
            log(line + f" ({time.perf_counter() - start:.1f} s)")
    return model.eval(), history


def save_classifier(path, model: MNISTClassifier, meta: dict | None = None):
    """Save the configuration, the weights and ``meta`` (plain values) as a minigan checkpoint."""
    return checkpoint.save(path, {"config": model.config, "state": dict(model.state_dict()), "meta": meta or {}})


def load_classifier(path):
    """Load a classifier saved by :func:`save_classifier`. Returns (model in evaluation mode, meta)."""
    state = checkpoint.load(path)
    if set(state) != {"config", "state", "meta"}:
        raise ValueError(f"{path} is a minigan checkpoint but not a classifier (keys {sorted(state)})")
    config = state["config"]
    model = MNISTClassifier(config["in_features"], tuple(config["hidden"]), config["num_classes"], config["dropout"])
    model.load_state_dict(state["state"])
    return model.eval(), state["meta"]
