"""The lab's settings: their defaults, their allowed values, and the one function that checks them.

A setting that is wrong raises :class:`ConfigError` naming the field, what was expected and what
was given, e.g. ``k: expected an integer from 1 to 20, got 0``: the server answers it with HTTP 400.
Settings in :data:`RESETTING` change a network's shape or the data, so applying one starts the
networks over; the others apply to the running networks.
"""
from __future__ import annotations

from ..checks import is_int, is_number

DATASETS = ("ring", "grid", "moons", "spiral", "gaussian_1d", "drawn")
#: the data sets on which packing is offered (PacGAN's ring and grid)
PACKABLE = ("ring", "grid")
LOSSES = ("non-saturating", "minimax")
NOISES = ("normal", "uniform")

DEFAULTS = {
    "dataset": "ring", "loss": "non-saturating", "k": 1, "lr_d": 1e-3, "lr_g": 1e-3, "batch_size": 128,
    "noise": "normal", "noise_dim": 2, "g_depth": 2, "g_width": 64, "d_depth": 2, "d_width": 64,
    "pack": 1, "speed": 0.0, "seed": 0,
}
#: changing one of these rebuilds the networks (the page says so)
RESETTING = ("dataset", "noise_dim", "g_depth", "g_width", "d_depth", "d_width", "pack", "seed")

#: drawn points: how many, and the box [-DRAW_LIMIT, DRAW_LIMIT]^2 they must lie in
MIN_POINTS, MAX_POINTS, DRAW_LIMIT = 8, 2000, 3.0


class ConfigError(ValueError):
    """A setting with a value it cannot take; ``field`` names the setting."""

    def __init__(self, field: str, expected: str, given):
        self.field = field
        shown = repr(given)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        super().__init__(f"{field}: expected {expected}, got {shown}")


def integer_field(field, value, lo, hi):
    if not is_int(value) or not lo <= value <= hi:
        raise ConfigError(field, f"an integer from {lo} to {hi}", value)
    return value


def _number(field, value, lo, hi, what="a number"):
    if not is_number(value) or not lo <= value <= hi:
        raise ConfigError(field, f"{what} from {lo:g} to {hi:g}", value)
    return float(value)


def choice_field(field, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(field, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


#: field -> function(field, value) -> the checked value
CHECKS = {
    "dataset": lambda f, v: choice_field(f, v, DATASETS),
    "loss": lambda f, v: choice_field(f, v, LOSSES),
    "noise": lambda f, v: choice_field(f, v, NOISES),
    "k": lambda f, v: integer_field(f, v, 1, 20),
    "lr_d": lambda f, v: _number(f, v, 1e-5, 1.0),
    "lr_g": lambda f, v: _number(f, v, 1e-5, 1.0),
    "batch_size": lambda f, v: integer_field(f, v, 8, 512),
    "noise_dim": lambda f, v: integer_field(f, v, 1, 32),
    "g_depth": lambda f, v: integer_field(f, v, 1, 6),
    "d_depth": lambda f, v: integer_field(f, v, 1, 6),
    "g_width": lambda f, v: integer_field(f, v, 2, 256),
    "d_width": lambda f, v: integer_field(f, v, 2, 256),
    "pack": lambda f, v: integer_field(f, v, 1, 4),
    "speed": lambda f, v: _number(f, v, 0, 10000, "iterations per second (0 = as fast as it goes)"),
    "seed": lambda f, v: integer_field(f, v, 0, 2**31 - 1),
}


def check_points(points) -> list:
    """A drawn distribution: a list of MIN_POINTS..MAX_POINTS pairs [x, y] of finite numbers in
    [-DRAW_LIMIT, DRAW_LIMIT]. Returns them as a list of float pairs (n, 2)."""
    expected = f"a list of {MIN_POINTS} to {MAX_POINTS} points [x, y]"
    if not isinstance(points, list) or not MIN_POINTS <= len(points) <= MAX_POINTS:
        raise ConfigError("points", expected, f"{len(points)} points" if isinstance(points, list) else points)
    checked = []
    for i, point in enumerate(points):
        if not isinstance(point, list) or len(point) != 2:
            raise ConfigError(f"points[{i}]", "a pair [x, y]", point)
        for value in point:
            _number(f"points[{i}]", value, -DRAW_LIMIT, DRAW_LIMIT, "coordinates")
        checked.append([float(point[0]), float(point[1])])
    return checked


def validate(changes, current: dict) -> dict:
    """``current`` with ``changes`` applied, every changed field checked, and the combination too.

    changes: a dict {field: value} (from JSON); current: a valid configuration.
    Raises ConfigError for an unknown field, a bad value, or packing on a data set that has none;
    a data set without packing given no ``pack`` gets pack = 1 (the page need not send it).
    A ``points`` entry (a drawn data set) is left to :func:`check_points`: it is not a setting.
    """
    if not isinstance(changes, dict):
        raise ConfigError("settings", "a JSON object of settings", changes)
    new = dict(current)
    for field, value in changes.items():
        if field == "points":
            continue
        if field not in CHECKS:
            raise ConfigError(field, "one of the settings " + ", ".join([*CHECKS, "points"]), "an unknown setting")
        new[field] = CHECKS[field](field, value)
    if new["pack"] != 1 and new["dataset"] not in PACKABLE:
        if "pack" in changes:
            raise ConfigError("pack", f"1 on the data set {new['dataset']!r} (packing is offered on "
                                      f"{' and '.join(PACKABLE)})", new["pack"])
        new["pack"] = 1
    return new


def resetting_changes(old: dict, new: dict) -> list:
    """The fields of :data:`RESETTING` whose value differs between ``old`` and ``new``."""
    return [field for field in RESETTING if old[field] != new[field]]
