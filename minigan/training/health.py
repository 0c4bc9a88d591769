"""Training health: the known signs of a GAN going wrong, read from its recorded history.

A GAN's losses do not go down as a classifier's do, so "is it working?" is hard to see in
the curves. This module watches ``GAN.history`` (host lists, see ``minigan.gan``) for the
signs practitioners know, each with a documented threshold over a window of iterations
(docs/10_training_health.md explains each sign, its cause and its usual cure):

| sign | flagged when, over a window (means unless said) |
| --- | --- |
| ``d_winning`` | D(x) > 0.9, D(G(z)) < 0.1 and D's loss < 0.1: D tells every fake from every real |
| ``vanishing_g_gradient`` | D(G(z)) < 0.05 and either the minimax loss (whose gradient is -D(G(z)) per logit) or a median ||dL/dθ_G|| < 1e-4 |
| ``g_loss_rising`` | the mean G loss of each quarter of the window above the one before, by 0.5 nats in all |
| ``exploding_gradients`` | median ||dL/dθ|| of D or of G above 100 (the "GAN hacks" list's rule of thumb) |
| ``oscillation`` | D(G(z)) swings (range of 20 block means > 0.3, crossing its mean >= 6 times) with no drift (halves' means within 0.1) |
| ``non_finite`` | any recorded value is NaN or infinite |
| ``mode_collapse`` | (from sample statistics, not the history) fewer than half the modes or classes hold >= 1 % of the samples, or KL(p || uniform) > log(K) / 2 |

:func:`diagnose` returns *episodes*: JSON-able dicts ``{"sign", "first", "last", "numbers",
"message"}``, ``first`` and ``last`` being iterations (1-based) of Algorithm 1, so that a
demo can write them into its summary.json and shade them on its loss curves
(``minigan.plots.shade_episodes``). :func:`current_warnings` says which signs hold over the
latest window, in a few words, for a progress line. Everything here runs on the host, on
numbers already read back: it never touches the device.
"""
from __future__ import annotations
from ..checks import check_positive_int

import math

import numpy

WINDOW = 200                  #: iterations per window (each holds k D steps and one G step)

D_WINNING_REAL = 0.9          #: mean D(x) above this ...
D_WINNING_FAKE = 0.1          #: ... and mean D(G(z)) below this ...
D_WINNING_LOSS = 0.1          #: ... and D's loss below this: D wins
VANISHING_FAKE = 0.05         #: mean D(G(z)) below this: the minimax gradient factor D(G(z)) is < 1/19 of the non-saturating 1 - D(G(z))
VANISHING_NORM = 1e-4         #: a median G gradient norm below this is vanished, whatever the loss
RISE_NATS = 0.5               #: G's loss rising by more than this over a window, quarter by quarter
EXPLODING_NORM = 100.0        #: a median gradient norm above this has exploded
OSCILLATION_BLOCKS = 20       #: D(G(z)) is averaged over this many blocks of a window ...
OSCILLATION_RANGE = 0.3       #: ... whose range exceeds this ...
OSCILLATION_CROSSINGS = 6     #: ... crossing the window's mean at least this often ...
OSCILLATION_DRIFT = 0.1       #: ... while the two halves' means differ by less than this
MODE_MIN_SHARE = 0.01         #: a mode or class "holds" samples when it has at least this share
COLLAPSE_KL_FRACTION = 0.5    #: KL(p || uniform) above this fraction of log K is collapse

MESSAGES = {
    "d_winning": "D wins: it tells every fake from every real (D(x) -> 1, D(G(z)) -> 0). Usual cures: "
                 "fewer D steps (k) or a smaller D learning rate, the non-saturating loss, label smoothing",
    "vanishing_g_gradient": "G's gradient vanishes: D rejects the fakes so surely that the minimax loss "
                            "log(1 - D(G(z))) is flat. Cure: the non-saturating loss -log D(G(z))",
    "g_loss_rising": "G's loss rises steadily: D is pulling ahead. Usual cures: a smaller D learning rate "
                     "or fewer D steps, a larger G learning rate, a bigger G",
    "exploding_gradients": "gradient norms above 100: the next steps may diverge. Usual cures: a smaller "
                           "learning rate, data scaled to order 1, gradient clipping",
    "oscillation": "D(G(z)) swings up and down without progress: the players circle each other. Usual cures: "
                   "smaller learning rates (or a decaying schedule), Adam with beta1 = 0.5",
    "non_finite": "a recorded number is NaN or infinite: training diverged",
    "mode_collapse": "mode collapse: the samples cover only some of the modes. Usual cures: fewer D steps, "
                     "minibatch discrimination, packing (PacGAN), a larger batch",
}
SHORT = {"d_winning": "D winning", "vanishing_g_gradient": "G gradient vanishing", "g_loss_rising": "G loss rising",
         "exploding_gradients": "gradients exploding", "oscillation": "oscillating", "non_finite": "non-finite values",
         "mode_collapse": "mode collapse"}
D_KEYS = ("d_loss", "d_real", "d_fake", "value", "d_grad_norm")
G_KEYS = ("g_loss", "g_grad_norm")


# -- the history as arrays -----------------------------------------------------------------
def _num_iterations(history: dict, k: int) -> int:
    return min(len(history.get("d_loss", [])) // k, len(history.get("g_loss", [])))


def _aligned(history: dict, key: str, length: int, reference: str):
    """The first ``length`` values of ``history[key]`` as float64, counted in the steps of
    ``reference`` (d_loss or g_loss, recorded from the first step): a shorter list (a state
    saved before gradient norms were recorded) lacks the earliest steps and is padded with
    NaN at the front. Returns (values, mask of the values actually present)."""
    values = numpy.asarray(history.get(key, []), dtype=numpy.float64)
    pad = max(0, len(history.get(reference, [])) - len(values))
    padded = numpy.r_[numpy.full(pad, numpy.nan), values][:length]
    present = numpy.r_[numpy.zeros(pad, bool), numpy.ones(len(values), bool)][:length]
    return padded, present


def _mean(x) -> float:
    x = x[numpy.isfinite(x)]
    return float(x.mean()) if x.size else math.nan


def _median(x) -> float:
    x = x[numpy.isfinite(x)]
    return float(numpy.median(x)) if x.size else math.nan


# -- the signs, each on one window --------------------------------------------------------
def _window_signs(d: dict, g: dict, present: dict, generator_loss) -> dict:
    """{sign: numbers} for the signs that hold on one window. ``d``/``g``: key -> the window's
    values per D step / per G step."""
    found = {}
    real, fake, loss = _mean(d["d_real"]), _mean(d["d_fake"]), _mean(d["d_loss"])
    if real > D_WINNING_REAL and fake < D_WINNING_FAKE and loss < D_WINNING_LOSS:
        found["d_winning"] = {"d_real": real, "d_fake": fake, "d_loss": loss}

    g_norm = _median(g["g_grad_norm"])
    minimax = generator_loss == "minimax" or (generator_loss is None and _is_minimax(g["g_loss"]))
    if fake < VANISHING_FAKE and (minimax or g_norm < VANISHING_NORM):
        found["vanishing_g_gradient"] = {"d_fake": fake, "g_grad_norm_median": g_norm, "minimax": minimax}

    quarters = [_mean(q) for q in numpy.array_split(g["g_loss"], 4)]
    if all(b > a for a, b in zip(quarters, quarters[1:])) and quarters[-1] - quarters[0] > RISE_NATS:
        found["g_loss_rising"] = {"g_loss_first_quarter": quarters[0], "g_loss_last_quarter": quarters[-1]}

    norms = {"d_grad_norm_median": _median(d["d_grad_norm"]), "g_grad_norm_median": g_norm}
    if any(v > EXPLODING_NORM for v in norms.values()):
        found["exploding_gradients"] = norms

    swing = _oscillation(d["d_fake"])
    if swing is not None:
        found["oscillation"] = swing

    bad = [key for key, values in {**d, **g}.items() if (present[key] & ~numpy.isfinite(values)).any()]
    if bad:
        found["non_finite"] = {"quantities": bad}
    return found


def _is_minimax(g_loss) -> bool:
    """The minimax loss log(1 - D(G(z))) is <= 0; the non-saturating -log D(G(z)) is >= 0."""
    finite = g_loss[numpy.isfinite(g_loss)]
    return bool(finite.size) and bool((finite <= 0).all())


def _oscillation(fake):
    blocks = numpy.array([_mean(b) for b in numpy.array_split(fake, OSCILLATION_BLOCKS)])
    blocks = blocks[numpy.isfinite(blocks)]
    if blocks.size < OSCILLATION_BLOCKS // 2:
        return None
    centre = blocks.mean()
    crossings = int((numpy.diff(numpy.sign(blocks - centre)) != 0).sum())
    half = blocks.size // 2
    drift = abs(blocks[half:].mean() - blocks[:half].mean())
    swing = float(blocks.max() - blocks.min())
    if swing > OSCILLATION_RANGE and crossings >= OSCILLATION_CROSSINGS and drift < OSCILLATION_DRIFT:
        return {"d_fake_range": swing, "crossings": crossings, "drift": float(drift)}
    return None


# -- mode collapse, from sample statistics ---------------------------------------------------
def _collapse_from_counts(counts, what: str):
    counts = numpy.asarray(counts, dtype=numpy.float64)
    if counts.ndim != 1 or counts.size < 2 or (counts < 0).any() or not numpy.isfinite(counts).all():
        raise ValueError(f"health: {what} counts must be a 1-D list of >= 2 non-negative numbers; got {counts.tolist()}")
    total = counts.sum()
    k = counts.size
    if total == 0:
        return {f"{what}_holding_samples": 0, f"num_{what}": k, "reverse_kl": math.inf}
    p = counts / total
    held = int((p >= MODE_MIN_SHARE).sum())
    nz = p > 0
    kl = float((p[nz] * numpy.log(p[nz] * k)).sum())
    if held < k / 2 or kl > COLLAPSE_KL_FRACTION * math.log(k):
        return {f"{what}_holding_samples": held, f"num_{what}": k, "reverse_kl": kl}
    return None


def _collapse_episodes(modes, class_histogram, last: int) -> list:
    episodes = []
    if modes is not None:
        numbers = _collapse_from_counts(modes["counts"], "modes")
        if numbers is not None:
            numbers.update(modes_captured=int(modes["modes_captured"]), high_quality=float(modes["high_quality"]))
            episodes.append(_episode("mode_collapse", last, last, numbers))
    if class_histogram is not None:
        numbers = _collapse_from_counts(class_histogram, "classes")
        if numbers is not None:
            episodes.append(_episode("mode_collapse", last, last, numbers))
    return episodes


# -- episodes ---------------------------------------------------------------------------
def _episode(sign: str, first: int, last: int, numbers: dict) -> dict:
    clean = {key: (value if not isinstance(value, float) or math.isfinite(value) else str(value))
             for key, value in numbers.items()}      # JSON has no NaN or infinity
    return {"sign": sign, "first": int(first), "last": int(last), "numbers": clean, "message": MESSAGES[sign]}


def _check_args(k, window):
    for name, value in (("k", k), ("window", window)):
        check_positive_int(name, value, "health")


def _windows(history: dict, k: int, window: int, generator_loss, start: int = 0):
    """Yield (first, last, {sign: numbers}) for consecutive windows of ``window`` iterations
    from iteration ``start`` (0-based); a final window shorter than half a window is skipped."""
    n = _num_iterations(history, k)
    series = {key: _aligned(history, key, n * k, "d_loss") for key in D_KEYS}
    series.update({key: _aligned(history, key, n, "g_loss") for key in G_KEYS})
    for lo in range(start, n, window):
        hi = min(lo + window, n)
        if hi - lo < max(1, window // 2) and lo > start:
            break
        d = {key: series[key][0][lo * k:hi * k] for key in D_KEYS}
        g = {key: series[key][0][lo:hi] for key in G_KEYS}
        present = {key: series[key][1][lo * k:hi * k] for key in D_KEYS}
        present.update({key: series[key][1][lo:hi] for key in G_KEYS})
        yield lo + 1, hi, _window_signs(d, g, present, generator_loss)


def diagnose(history: dict, k: int = 1, window: int = WINDOW, modes: dict | None = None,
             class_histogram=None, generator_loss: str | None = None) -> list:
    """The episodes of every known failure sign in a recorded history.

    Args:
        history: ``GAN.history`` (lists per D step: d_loss, d_real, d_fake, value, d_grad_norm;
            per G step: g_loss, g_grad_norm). Missing gradient norms (an older state) are skipped.
        k: the GAN's D steps per G step (to line the two kinds of lists up).
        window: iterations per window; a sign holds over a whole window (see the module's table).
        modes: ``minigan.metrics.mode_metrics`` of the final samples (toy data), for mode collapse.
        class_histogram: counts of the final samples' predicted classes (MNIST), for mode collapse.
        generator_loss: "minimax" or "non-saturating"; None infers it from the sign of G's loss.
    Returns a list of dicts ``{"sign", "first", "last", "numbers", "message"}`` sorted by
    ``first``: consecutive windows with the same sign merge into one episode (``numbers`` are
    those of its first window, plus ``"windows"``, how many it spans). Empty when healthy.
    Mode collapse is judged on the final samples: its episode spans the last iteration only.
    """
    _check_args(k, window)
    episodes, open_ = [], {}
    for first, last, signs in _windows(history, k, window, generator_loss):
        for sign in list(open_):
            if sign not in signs:
                episodes.append(open_.pop(sign))
        for sign, numbers in signs.items():
            if sign in open_:
                open_[sign]["last"] = last
                open_[sign]["numbers"]["windows"] += 1
            else:
                open_[sign] = _episode(sign, first, last, {**numbers, "windows": 1})
    episodes.extend(open_.values())
    episodes.extend(_collapse_episodes(modes, class_histogram, _num_iterations(history, k)))
    return sorted(episodes, key=lambda e: (e["first"], e["sign"]))


def current_signs(history: dict, k: int = 1, window: int = WINDOW, generator_loss: str | None = None) -> list:
    """The signs (keys of ``MESSAGES``) that hold over the latest ``window`` iterations, e.g.
    ``["d_winning"]``; empty while healthy or before half a window has been recorded."""
    _check_args(k, window)
    n = _num_iterations(history, k)
    if n < max(1, window // 2):
        return []
    windows = list(_windows(history, k, window, generator_loss, start=max(0, n - window)))   # one window
    return list(windows[-1][2]) if windows else []


def current_warnings(history: dict, k: int = 1, window: int = WINDOW, generator_loss: str | None = None) -> list:
    """Short names of the ``current_signs`` (for a progress line), e.g. ``["D winning", "G gradient vanishing"]``."""
    return [SHORT[sign] for sign in current_signs(history, k, window, generator_loss)]


def mode_collapse(modes: dict) -> bool:
    """Whether the mode statistics ``modes`` (``metrics.mode_metrics``, with ``counts``) show mode collapse,
    by the test ``diagnose`` applies to a run's final samples."""
    return _collapse_from_counts(modes["counts"], "modes") is not None


def summary_lines(episodes: list) -> list:
    """One line per episode, for a demo's final report."""
    return [f"iterations {e['first']}-{e['last']}: {e['message']}" for e in episodes]
