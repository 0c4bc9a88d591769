"""The noise prior p_z: where the generator's input z comes from."""
from __future__ import annotations

from .. import backend

#: "uniform" U(-1, 1) (the paper's Figure 1), "normal" N(0, I), or "uniform:a" U(-a, a)
#: (the paper's MNIST code draws U(-sqrt 3, sqrt 3), variance 1).
NOISE_PRIORS = ("uniform", "normal", "uniform:BOUND")


def draw_noise(random: backend.Random, prior: str, shape):
    """z from the prior: "normal" N(0, I), "uniform" U(-1, 1), or "uniform:a" U(-a, a).
    ``random``: a ``backend.Random`` (``backend.rng()`` for the global stream)."""
    if prior == "normal":
        return random.normal(shape)
    if prior == "uniform":
        return random.uniform(-1.0, 1.0, shape)
    bound = _bound(prior)
    return random.uniform(-bound, bound, shape)


def check_prior(prior) -> None:
    """Raise a clear error for anything ``draw_noise`` does not know."""
    if prior not in ("normal", "uniform"):
        _bound(prior)


def _bound(prior) -> float:
    """a of "uniform:a" (a finite number > 0), or a ValueError naming the priors there are."""
    try:
        name, text = prior.split(":", 1)
        bound = float(text)
    except (AttributeError, ValueError):
        name, bound = None, None
    if name != "uniform" or bound is None or not 0 < bound < float("inf"):
        raise ValueError(f"noise must be 'uniform', 'normal' or 'uniform:BOUND' (BOUND > 0); got {prior!r}")
    return bound
