"""Class statistics of a classifier's predictions on generated digits: coverage, histogram, label accuracy."""
from __future__ import annotations

import numpy

from .. import backend


# -- class statistics of a classifier's predictions -----------------------------------------

def _host_labels(labels, name: str, num_classes: int) -> numpy.ndarray:
    a = backend.to_numpy(labels)
    if a.ndim != 1 or a.size == 0 or a.dtype.kind not in "iu":
        raise ValueError(f"{name} must be a non-empty 1-D integer array; got shape {a.shape}, dtype {a.dtype}")
    if a.min() < 0 or a.max() >= num_classes:
        raise ValueError(f"{name} must lie in [0, {num_classes - 1}]; got values in [{a.min()}, {a.max()}]")
    return a.astype(numpy.int64)


def class_histogram(predicted, num_classes: int = 10) -> numpy.ndarray:
    """How many samples were predicted as each class: int64 (num_classes,). predicted: (n,) ints."""
    return numpy.bincount(_host_labels(predicted, "predicted", num_classes), minlength=num_classes)


def kl_from_uniform(counts) -> float:
    """KL(p || uniform) = sum_k p_k log(K p_k) in nats, p = counts / sum(counts).

    0 when the classes are equally frequent, log K when every sample is one class.
    """
    c = numpy.asarray(counts, dtype=numpy.float64)
    if c.ndim != 1 or c.size == 0 or (c < 0).any() or c.sum() <= 0:
        raise ValueError(f"counts must be a 1-D array of non-negative counts with a positive sum; got {counts!r}")
    p = c / c.sum()
    nz = p > 0                                      # 0 log 0 = 0
    return float((p[nz] * numpy.log(p[nz] * len(p))).sum())


def class_coverage(predicted, num_classes: int = 10, min_count: int = 1) -> int:
    """The number of classes predicted for at least ``min_count`` samples (n,)."""
    return int((class_histogram(predicted, num_classes) >= min_count).sum())


def label_accuracy(predicted, labels) -> float:
    """Fraction of samples whose predicted class equals the label they were generated for, (n,) each."""
    p, y = backend.to_numpy(predicted), backend.to_numpy(labels)
    if p.shape != y.shape or p.ndim != 1 or p.size == 0:
        raise ValueError(f"predicted and labels must be 1-D arrays of the same length; got {p.shape} and {y.shape}")
    return float((p == y).mean())


def label_accuracy_per_class(predicted, labels, num_classes: int = 10) -> list:
    """For each class c, the fraction of samples generated for label c that are read as c
    (None for a class with no sample): a conditional G may get most digits right and one wrong."""
    p, y = backend.to_numpy(predicted), backend.to_numpy(labels)
    label_accuracy(p, y)                       # the same shape checks
    return [float((p[y == c] == c).mean()) if (y == c).any() else None for c in range(num_classes)]
