"""Measuring an unpaired image-to-image translation (CycleGAN) on test images whose pairs are known.

Three questions, each a number in [0, 1] over N test images (host arrays (N, 784) in [0, 1]):

- content kept: the fraction of translations that a digit classifier reads as the digit of the
  image they were made from (:func:`content_kept`; a B-style image is first brought to the form the
  classifier was trained on, e.g. ``digit_styles.undo_style``);
- style changed: the fraction that a domain classifier, trained on real images of the two domains,
  calls the target domain (:func:`style_changed`; :func:`train_domain_classifier`);
- cycle error: the mean |F(G(a)) - a| over every pixel of every image (:func:`cycle_error`): 0 when
  translating there and back gives the image back exactly;
- pair error: the mean |G(a) - b| against the true pair b of a (known here, never shown in training;
  the same function): how far the translation is from the image the style's transform makes.

A translation that changes nothing keeps all the content and changes no style; one that draws the
same fine B digit for every input changes all the style and keeps a tenth of the content. Only the
two together say that a translation works. :func:`measure_translation` reports all of them, with
the classifiers' accuracies on real test images as the ceilings they can reach.
"""
from __future__ import annotations

import numpy

from .. import backend
from .classes import label_accuracy
from .classifier import train_classifier

DOMAIN_NAMES = ("A", "B")           #: the domain classifier's classes 0 and 1


def _images(name: str, images, n: int | None = None) -> numpy.ndarray:
    x = backend.to_numpy(images)
    if x.ndim != 2 or x.shape[1] != 784 or x.dtype.kind != "f" or len(x) == 0:
        raise ValueError(f"{name} must be a non-empty float array (N, 784); got shape {x.shape}, dtype {x.dtype}")
    if n is not None and len(x) != n:
        raise ValueError(f"{name} must hold {n} images, one per image it is compared with; got {len(x)}")
    if not numpy.isfinite(x).all() or x.min() < 0 or x.max() > 1:
        raise ValueError(f"{name} must hold finite pixels in [0, 1]; got values in [{x.min()}, {x.max()}]")
    return x


def _predict(classifier, images) -> numpy.ndarray:
    return backend.to_numpy(classifier.predict(backend.asarray(images)))


def content_kept(digit_classifier, translated, labels, prepare=None) -> float:
    """The fraction of ``translated`` (N, 784) that ``digit_classifier`` reads as ``labels`` (N,), the
    digits of the images they were translated from. ``prepare``: applied to the images first (a map
    from the target style to the one the classifier knows), or None."""
    x = _images("translated", translated)
    return label_accuracy(_predict(digit_classifier, x if prepare is None else prepare(x)), numpy.asarray(labels))


def style_changed(domain_classifier, translated, domain: str) -> float:
    """The fraction of ``translated`` (N, 784) that ``domain_classifier`` (classes 0 = "A", 1 = "B")
    calls ``domain``, the domain they were translated into."""
    if domain not in DOMAIN_NAMES:
        raise ValueError(f"style_changed: domain must be one of {', '.join(DOMAIN_NAMES)}; got {domain!r}")
    predicted = _predict(domain_classifier, _images("translated", translated))
    return float((predicted == DOMAIN_NAMES.index(domain)).mean())


def cycle_error(images, returned) -> float:
    """mean |returned - images| over all pixels: F(G(a)) against a (or G(F(b)) against b), (N, 784) each."""
    x = _images("images", images)
    return float(numpy.abs(_images("returned", returned, len(x)).astype(numpy.float64) - x).mean())


def train_domain_classifier(a, b, epochs: int = 1, seed: int = 0, hidden=(32,), log=None):
    """A small classifier of the domain, trained on real images: a (N_a, 784) is class 0 ("A"), b (N_b, 784)
    class 1 ("B"). An MLP 784-32-2 (``metrics.classifier.MNISTClassifier``) with Adam, on the images as they
    are (no shifted copies: a shift would frame a light B image in black, a sign of neither domain). One
    epoch of MNIST's two halves tells these two styles apart. Returns the classifier in evaluation mode."""
    a, b = _images("a", a), _images("b", b)
    labels = numpy.r_[numpy.zeros(len(a), numpy.int64), numpy.ones(len(b), numpy.int64)]
    model, _ = train_classifier(numpy.concatenate([a, b]), labels, epochs=epochs, seed=seed, hidden=hidden,
                                num_classes=2, max_shift=0, log=log)
    return model


def measure_translation(test: dict, digit_classifier, domain_classifier, read_b=None) -> dict:
    """Every measurement of a translation between A and B on paired test images.

    test: host arrays (N, 784) in [0, 1]: "a", "b" (the same digits in the two styles), "labels" (N,),
        "g_of_a", "f_of_b" (the translations), "f_of_g_of_a", "g_of_f_of_b" (there and back).
    digit_classifier: reads A-style digits (``metrics.classifier``), or None to leave content out.
    domain_classifier: :func:`train_domain_classifier`'s.
    read_b: the map from B's style to A's under which ``digit_classifier`` reads a B-style image
        (e.g. ``digit_styles.undo_style``), or None.
    Returns a dict of floats (and None for content without a digit classifier)."""
    a, labels = _images("a", test["a"]), numpy.asarray(test["labels"])
    n = len(a)
    b, g_of_a, f_of_b = (_images(key, test[key], n) for key in ("b", "g_of_a", "f_of_b"))
    content = {}
    if digit_classifier is not None:
        content = {"content_kept_g_of_a": content_kept(digit_classifier, g_of_a, labels, read_b),
                   "content_kept_f_of_b": content_kept(digit_classifier, f_of_b, labels),
                   "digit_accuracy_real_a": content_kept(digit_classifier, a, labels),
                   "digit_accuracy_real_b": content_kept(digit_classifier, b, labels, read_b)}
    domains_real = numpy.r_[_predict(domain_classifier, a) == 0, _predict(domain_classifier, b) == 1]
    return {"test_images": n, **content,
            "style_changed_g_of_a": style_changed(domain_classifier, g_of_a, "B"),
            "style_changed_f_of_b": style_changed(domain_classifier, f_of_b, "A"),
            "domain_accuracy_real": float(domains_real.mean()),
            "cycle_error_a": cycle_error(a, test["f_of_g_of_a"]),
            "cycle_error_b": cycle_error(b, test["g_of_f_of_b"]),
            "pair_error_g_of_a": cycle_error(b, g_of_a), "pair_error_f_of_b": cycle_error(a, f_of_b)}
