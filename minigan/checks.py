"""Argument checks shared by the whole package: each error names the argument, what it must be,
and what it got (``Linear: in_features must be a positive integer; got 0``)."""
from __future__ import annotations

import math
import numbers


def _prefix(owner) -> str:
    return f"{owner}: " if owner else ""


def is_int(value) -> bool:
    """An integer (Python's or NumPy's), and not a bool (True is not a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A finite real number (an int or a float, Python's or NumPy's), and not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def check_int(name: str, value, minimum: int = 1, maximum: int | None = None, owner: str | None = None) -> int:
    """``value`` must be an integer in [minimum, maximum] (no upper bound if maximum is None).
    Returns it; raises ValueError naming ``owner: name``."""
    if is_int(value) and value >= minimum and (maximum is None or value <= maximum):
        return value
    if maximum is not None:
        wanted = f"an integer in [{minimum}, {maximum}]"
    else:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    raise ValueError(f"{_prefix(owner)}{name} must be {wanted}; got {value!r}")


def check_int_pair(name: str, value, minimum: int, owner: str | None = None) -> tuple:
    """``value`` must be an integer >= minimum or a pair of them (a kernel size, a stride); returns the pair."""
    pair = (value, value) if is_int(value) else value
    if not isinstance(pair, (tuple, list)) or len(pair) != 2 or any(not is_int(v) or v < minimum for v in pair):
        raise ValueError(f"{_prefix(owner)}{name} must be an integer >= {minimum} or a pair of them; got {value!r}")
    return tuple(pair)


def check_positive_int(name: str, value, owner: str | None = None) -> int:
    """``value`` must be an integer >= 1 (a size, a count, a number of steps)."""
    return check_int(name, value, 1, owner=owner)


def check_number(name: str, value, low=None, high=None, *, low_open: bool = False, high_open: bool = False,
                 owner: str | None = None, example: str = "") -> float:
    """``value`` must be a finite real number within the bounds (closed unless ``*_open``).
    Returns it; raises ValueError naming ``owner: name`` and the interval."""
    ok = is_number(value) and (low is None or (value > low if low_open else value >= low)) \
        and (high is None or (value < high if high_open else value <= high))
    if ok:
        return value
    if low is not None and high is not None:
        wanted = f"a number in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    elif low is not None:
        wanted = f"a number {'>' if low_open else '>='} {low}"
    elif high is not None:
        wanted = f"a number {'<' if high_open else '<='} {high}"
    else:
        wanted = "a finite number"
    raise ValueError(f"{_prefix(owner)}{name} must be {wanted}{', e.g. ' + example if example else ''}; "
                     f"got {value!r}")
