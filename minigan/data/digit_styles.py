"""Two styles of digits, two domains for unpaired image-to-image translation (CycleGAN).

Domain A is MNIST as it is: thin light strokes on a black background. Domain B is the same kind
of digit in another style, made by a fixed, deterministic transform (:func:`style_b`):

    B = 1 - max_{|dy|, |dx| <= 1} A[y + dy, x + dx]

the 3x3 maximum filter (a grey-scale dilation) thickens every stroke by a pixel on each side,
and 1 - (.) shows it dark on a white background: bold ink on paper, where A is chalk on a board.
A person would call them two styles; a pixel-wise model cannot turn one into the other without
learning where the strokes are (the dilation moves edges, the inversion swaps what is background).

Unpaired: the two training sets come from disjoint halves of MNIST's training images
(:func:`unpaired_domains`): A from the first half, B from the second half passed through the
style, so no image of A has its own B version anywhere in the data (CycleGAN must learn without
pairs). The test sets are the 10,000 test digits through each transform (:func:`test_domains`),
the pair of each digit known, which is what lets us measure a translation.

:func:`undo_style` maps a B image back to A's style as far as it can: the colours back
(1 - x), the strokes thinned by a 3x3 minimum filter (the erosion that is the dilation's counterpart).
For b = style_b(a) it gives the *closing* of a (a with gaps narrower than three pixels filled in):
the form in which the MNIST classifier, trained on A, reads a B image's digit
(``minigan.metrics.translation``): it reads 97.9 % of the test digits' B versions this way, 88.4 %
with the colours undone alone (thick strokes), 8 % as they are.

Everything here runs on host NumPy arrays (N, 784) in [0, 1].
"""
from __future__ import annotations

import numpy

SIDE = 28
DOMAINS = ("A", "B")


def _check_images(name: str, images) -> numpy.ndarray:
    images = numpy.asarray(images)
    if images.ndim != 2 or images.shape[1] != SIDE * SIDE or images.dtype.kind != "f":
        raise ValueError(f"{name}: images must be a float array (N, {SIDE * SIDE}); got shape {images.shape}, "
                         f"dtype {images.dtype}")
    return images


def max_filter_3x3(images) -> numpy.ndarray:
    """Each pixel replaced by the largest of its 3x3 neighbourhood (zero outside the image):
    host (N, 784) -> (N, 784), same dtype."""
    images = _check_images("max_filter_3x3", images)
    n = len(images)
    padded = numpy.pad(images.reshape(n, SIDE, SIDE), ((0, 0), (1, 1), (1, 1)))
    out = padded[:, :SIDE, :SIDE].copy()
    for dy in range(3):
        for dx in range(3):
            numpy.maximum(out, padded[:, dy:dy + SIDE, dx:dx + SIDE], out=out)
    return out.reshape(n, SIDE * SIDE)


def style_b(images) -> numpy.ndarray:
    """Domain B's style: 1 - max_filter_3x3(images): strokes a pixel thicker on each side, dark on
    white. Host (N, 784) in [0, 1] -> (N, 784) in [0, 1], same dtype; deterministic."""
    return 1 - max_filter_3x3(images)


def undo_style(images) -> numpy.ndarray:
    """B-style images (N, 784) back in A's style: erosion(1 - x) = 1 - max_filter_3x3(x), light strokes on
    black a pixel thinner on each side. It is ``style_b`` itself: the same formula undoes the colours and,
    applied to inverted images, the maximum filter becomes a minimum filter. Host (N, 784) -> (N, 784)."""
    return style_b(images)


def unpaired_domains(images, labels):
    """Split training images (N, 784) in [0, 1] and labels (N,) into two unpaired domains:
    A = the first N // 2 images as they are, B = ``style_b`` of the next N // 2 (an odd last image
    is left out). No digit is in both. Returns (a, a_labels, b, b_labels), host arrays."""
    images = _check_images("unpaired_domains", images)
    labels = numpy.asarray(labels)
    if labels.shape != (len(images),):
        raise ValueError(f"unpaired_domains: labels must have shape ({len(images)},); got {labels.shape}")
    half = len(images) // 2
    if half < 1:
        raise ValueError(f"unpaired_domains: need at least 2 images (one per domain); got {len(images)}")
    return images[:half], labels[:half], style_b(images[half:2 * half]), labels[half:2 * half]


def test_domains(images, labels):
    """The test digits (N, 784) through each transform: (a = images, b = style_b(images), labels),
    so that a[i] and b[i] are the same digit in the two styles."""
    images = _check_images("test_domains", images)
    return images, style_b(images), numpy.asarray(labels)
