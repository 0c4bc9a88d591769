"""Losses: binary cross-entropy (the original GAN's), softmax cross-entropy (the classifier's), and the
mean absolute and squared errors (CycleGAN's cycle-consistency and least-squares losses: L1Loss, MSELoss).

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
    for name, value in (("input", input), ("target", target)):
        if not hasattr(value, "shape") or not hasattr(value, "dtype"):
            raise TypeError(f"{loss}: {name} must be an array; got {type(value).__name__}")
    if tuple(input.shape) != tuple(target.shape):
        raise ValueError(
            f"{loss}: input and target must have the same shape; got input {tuple(input.shape)}, "
            f"target {tuple(target.shape)}"
        )
    if input.dtype.kind != "f":
        raise TypeError(f"{loss}: input must be a floating array; got dtype {input.dtype}")
    if input.size == 0:
        raise ValueError(f"{loss}: input is empty (shape {tuple(input.shape)}); the mean of no elements is undefined")


def _range_message(loss: str, name: str, p) -> str:
    """What a non-probability ``p`` holds (built only when the check failed)."""
    xp = backend.xp
    nan = bool(xp.isnan(p).any())
    finite = p[~xp.isnan(p)]
    span = f"values in [{float(finite.min())}, {float(finite.max())}]" if finite.size else "only NaN"
    hint = (" (the input is D's output: end D with a Sigmoid, or use BCEWithLogitsLoss on logits)"
            if name == "input" else "")
    return f"{loss}: {name} must hold probabilities in [0, 1]{hint}; got {span}{' and NaN' if nan and finite.size else ''}"


class BCELoss:
    """Mean BCE on probabilities p in [0, 1] (after a Sigmoid).

    Like PyTorch, each log is clamped at -100, so p = 0 or p = 1 exactly gives
    a finite loss, and the gradient's denominator p (1 - p) is kept above 1e-12.
    """

    LOG_MIN = -100.0
    EPS = 1e-12
    TINY = 1e-44        # below exp(-100): log(TINY) is clamped, and log never sees 0

    def __init__(self, reject_nan: bool = True, check_target: bool = True):
        """reject_nan: NaN in the input is an error (a probability outside [0, 1] always is).
        check_target: a target outside [0, 1] is an error.
        ``GAN`` passes False for both: it reports a NaN loss as ``TrainingDiverged`` at its next
        read-back, naming the iteration (which says more than an error at this call), and
        builds its 0/1 targets itself (checking them would cost the 1-D GAN 1% of its step)."""
        self.reject_nan, self.check_target = reject_nan, check_target
        self._cache = None

    def __call__(self, input, target):
        return self.forward(input, target)

    def forward(self, input, target):
        """input p (N, ...), target y (N, ...) -> scalar mean BCE."""
        _check_pair("BCELoss", input, target)
        xp = backend.xp
        one_minus_p = 1 - input
        p_times_1mp = input * one_minus_p       # backward's denominator; >= 0 exactly when 0 <= p <= 1
        if input.size:
            # Probabilities only, as PyTorch's BCELoss: p > 1 would give a finite, wrong loss.
            # One reduction per array (NaN fails the comparison too); on a GPU it waits for a read-back.
            lowest = p_times_1mp.min()                       # NaN if any p is NaN
            if self.check_target:
                lowest = xp.minimum(lowest, (target * (1 - target)).min())
            backend.check_later(~(lowest >= 0) if self.reject_nan else lowest < 0, lambda: ValueError(_range_message(
                "BCELoss", "input" if not (p_times_1mp.min() >= 0) else "target", input if not
                (p_times_1mp.min() >= 0) else target)))
        log_p = xp.maximum(xp.log(xp.maximum(input, self.TINY)), self.LOG_MIN)
        log_1mp = xp.maximum(xp.log(xp.maximum(one_minus_p, self.TINY)), self.LOG_MIN)
        self._cache = (input, target, p_times_1mp)
        return -mean(target * log_p + (1 - target) * log_1mp)

    def backward(self):
        """dL/dp = (p - y) / (p (1 - p)) / n, where n is the number of elements."""
        check_forward_called(self, self._cache)
        p, y, p_times_1mp = self._cache
        return (p - y) / backend.xp.maximum(p_times_1mp, self.EPS) / p.size


class BCEWithLogitsLoss:
    """Mean BCE on logits a (before the sigmoid): BCE(sigmoid(a), y), stable for any a.

    Written as max(a, 0) - a y + log(1 + exp(-|a|)), which never overflows, and
    whose derivative fuses into dL/da = (sigmoid(a) - y) / n (see docs/02_backprop.md).
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

        if not hasattr(input, "ndim") or input.ndim != 2:
            got = f"shape {tuple(input.shape)}" if hasattr(input, "shape") else type(input).__name__
            raise ValueError(f"CrossEntropyLoss: input must be logits of shape (N, C); got {got}")
        if input.shape[0] == 0 or input.shape[1] == 0:
            raise ValueError(f"CrossEntropyLoss: input must hold at least one row and one class; got shape "
                             f"{tuple(input.shape)}")
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


class _DifferenceLoss:
    """What L1Loss and MSELoss share: the mean over all n elements of rho(d), d = input - target,
    and dL/d input = rho'(d) / n (a subclass gives rho and rho')."""

    def __init__(self):
        self._cache = None

    def __call__(self, input, target):
        return self.forward(input, target)

    @staticmethod
    def per_element(d):
        raise NotImplementedError

    @staticmethod
    def derivative(d):
        raise NotImplementedError

    def forward(self, input, target):
        """input x (N, ...), target y (same shape) -> scalar mean of rho(x - y), in the input's dtype."""
        _check_pair(type(self).__name__, input, target)
        d = input - target
        if d.dtype != input.dtype:                 # an integer or wider target: the input's precision
            d = d.astype(input.dtype)
        self._cache = d
        return mean(self.per_element(d))

    def backward(self):
        """dL/dx = rho'(x - y) / n, same shape as the input."""
        check_forward_called(self, self._cache)
        d = self._cache
        return self.derivative(d) * (1.0 / d.size)


class L1Loss(_DifferenceLoss):
    """Mean absolute error, PyTorch's ``L1Loss()``: L = (1/n) sum |x - y| (CycleGAN's cycle-consistency
    and identity losses).

    dL/dx = sign(x - y) / n: each element is pulled toward its target with the same force, however close
    it already is. |d| has no derivative at d = 0; like PyTorch (torch.sign), the gradient there is 0,
    a subgradient."""

    @staticmethod
    def per_element(d):
        return backend.xp.abs(d)

    @staticmethod
    def derivative(d):
        return backend.xp.sign(d)


class MSELoss(_DifferenceLoss):
    """Mean squared error, PyTorch's ``MSELoss()``: L = (1/n) sum (x - y)^2 (the least-squares GAN's
    loss, with targets 1 for real and 0 for fake).

    dL/dx = 2 (x - y) / n: the pull grows with the distance to the target and vanishes at it."""

    @staticmethod
    def per_element(d):
        return d * d

    @staticmethod
    def derivative(d):
        return 2 * d
