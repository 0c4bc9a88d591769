"""Losses: binary cross-entropy (the original GAN's) and softmax cross-entropy (the classifier's).

For a probability p = D(x) and a target y in {0, 1} (1 = real, 0 = fake):

    BCE(p, y) = -[y log p + (1 - y) log(1 - p)]

averaged over every element (PyTorch's ``reduction="mean"``). ``forward``
returns the scalar loss (a 0-d backend array: read it with ``float()`` only
when you log, so a GPU is not forced to wait every step); ``backward()``
returns dL/d input, same shape as the input.
"""
from __future__ import annotations

from . import backend
from .nn.activations import sigmoid
from .nn.module import check_forward_called


def mean(x):
    """The mean of all elements as a 0-d array: ``sum / n`` (NumPy's ``mean`` adds ~2 µs of
    Python per call, 5% of the tiny 1-D GAN's step over its five means)."""
    return x.sum() * (1.0 / x.size)


def _check_pair(loss: str, input, target) -> None:
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"{loss}: input and target must have the same shape; got input {tuple(input.shape)}, "
            f"target {tuple(target.shape)}"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"{loss}: input must be a floating array; got dtype {input.dtype}")


class BCELoss:
    """Mean BCE on probabilities p in [0, 1] (after a Sigmoid).

    Like PyTorch, each log is clamped at -100, so p = 0 or p = 1 exactly gives
    a finite loss, and the gradient's denominator p (1 - p) is kept above 1e-12.
    """

    LOG_MIN = -100.0
    EPS = 1e-12
    TINY = 1e-44        # below exp(-100): log(TINY) is clamped, and log never sees 0

    def __init__(self):
        self._cache = None

    def __call__(self, input, target):
        return self.forward(input, target)

    def forward(self, input, target):
        """input p (N, ...), target y (N, ...) -> scalar mean BCE."""
        _check_pair("BCELoss", input, target)
        xp = backend.xp
        log_p = xp.maximum(xp.log(xp.maximum(input, self.TINY)), self.LOG_MIN)
        log_1mp = xp.maximum(xp.log(xp.maximum(1 - input, self.TINY)), self.LOG_MIN)
        self._cache = (input, target)
        return -mean(target * log_p + (1 - target) * log_1mp)

    def backward(self):
        """dL/dp = (p - y) / (p (1 - p)) / n, where n is the number of elements."""
        check_forward_called(self, self._cache)
        p, y = self._cache
        return (p - y) / backend.xp.maximum(p * (1 - p), self.EPS) / p.size


class BCEWithLogitsLoss:
    """Mean BCE on logits a (before the sigmoid): BCE(sigmoid(a), y), stable for any a.

    Written as max(a, 0) - a y + log(1 + exp(-|a|)), which never overflows, and
    whose derivative fuses into dL/da = (sigmoid(a) - y) / n (see docs/backprop.md).
    """

    def __init__(self):
        self._cache = None

    def __call__(self, input, target):
        return self.forward(input, target)

    def forward(self, input, target):
        """input a (N, ...), target y (N, ...) -> scalar mean BCE of sigmoid(a)."""
        _check_pair("BCEWithLogitsLoss", input, target)
        xp = backend.xp
        self._cache = (input, target)
        return mean(xp.maximum(input, 0) - input * target + xp.log1p(xp.exp(-xp.abs(input))))

    def backward(self):
        """dL/da = (sigmoid(a) - y) / n."""
        check_forward_called(self, self._cache)
        a, y = self._cache
        return (sigmoid(a) - y) / a.size


class CrossEntropyLoss:
    """Mean softmax cross-entropy on logits, for classifiers (PyTorch's ``CrossEntropyLoss``).

    For logits a (N, C) and class indices y (N,):

        L = -(1/N) sum_n log softmax(a_n)[y_n],   log softmax(a)_c = a_c - logsumexp(a).

    The logsumexp subtracts the row maximum m first, so no logit overflows ``exp``, and is
    m + log1p(sum of the other terms), exact even for a loss far below float precision of 1.
    The gradient fuses like BCE with logits: dL/da = (softmax(a) - onehot(y)) / N.
    """

    def __init__(self):
        self._cache = None

    def __call__(self, input, target):
        return self.forward(input, target)

    def forward(self, input, target):
        """input a (N, C) logits, target y (N,) integers in [0, C) -> scalar mean cross-entropy."""
        from .nn.embedding import check_labels

        if input.ndim != 2:
            raise ValueError(f"CrossEntropyLoss: input must be logits of shape (N, C); got shape {tuple(input.shape)}")
        if input.dtype.kind != "f":
            raise TypeError(f"CrossEntropyLoss: input must be a floating array; got dtype {input.dtype}")
        check_labels("CrossEntropyLoss", target, input.shape[1])
        if target.shape[0] != input.shape[0]:
            raise ValueError(
                f"CrossEntropyLoss: input and target need the same batch size; got input {tuple(input.shape)}, "
                f"target {tuple(target.shape)}"
            )
        xp = backend.xp
        rows = xp.arange(input.shape[0])
        shifted = input - input.max(axis=1, keepdims=True)
        # logsumexp(shifted) = log(1 + rest): the max term is exp(0) = 1 exactly. log1p(rest)
        # keeps its precision when rest is tiny (a confident prediction), where log(1 + rest) would not.
        rest = xp.exp(shifted)
        rest[rows, shifted.argmax(axis=1)] = 0
        log_probs = shifted - xp.log1p(rest.sum(axis=1, keepdims=True))
        self._cache = (log_probs, target, rows)
        return -log_probs[rows, target].mean()

    def backward(self):
        """dL/da = (softmax(a) - onehot(y)) / N, shape (N, C)."""
        check_forward_called(self, self._cache)
        log_probs, target, rows = self._cache
        xp = backend.xp
        grad = xp.exp(log_probs)
        # p_y - 1 as expm1(log p_y): exact when p_y is within rounding of 1, where exp(.) - 1 is 0.
        grad[rows, target] = xp.expm1(log_probs[rows, target])
        return grad / log_probs.shape[0]
