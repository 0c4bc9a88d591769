"""The state on the wire: JSON, with its arrays as lists or, for the page, packed.

The state (``LabSession``) keeps what it draws as host NumPy arrays. :func:`encode` writes it as
JSON in one of two forms:

- plain (the default of ``GET /api/state``, for people and scripts): every array as nested lists,
  rounded to DIGITS decimals, NaN and infinity as null;
- compact (``GET /api/state?compact=1``, what the page asks for): every array as
  ``{"f32": <base64 of little-endian float32>, "shape": [...]}``. Writing thousands of floats as
  decimal text was the largest part of answering a poll; a base64 copy of their bytes costs
  almost nothing, and the page turns it back into lists (``unpack`` in static/lab.js).
"""
from __future__ import annotations

import base64
import json
import math

import numpy

DIGITS = 4


def _finite_or_none(x):
    if isinstance(x, list):
        return [_finite_or_none(v) for v in x]
    return x if math.isfinite(x) else None


def plain(value):
    """An array as nested lists rounded to DIGITS decimals, None for NaN and infinity."""
    if not isinstance(value, numpy.ndarray):
        raise TypeError(f"wire.plain: expected a NumPy array, got {type(value).__name__}")
    a = numpy.round(value.astype(numpy.float64), DIGITS)
    return a.tolist() if numpy.isfinite(a).all() else _finite_or_none(a.tolist())


def packed(value):
    """An array as {"f32": base64 of its float32 bytes (little-endian), "shape": [...]}."""
    if not isinstance(value, numpy.ndarray):
        raise TypeError(f"wire.packed: expected a NumPy array, got {type(value).__name__}")
    data = numpy.ascontiguousarray(value, dtype="<f4").tobytes()
    return {"f32": base64.b64encode(data).decode("ascii"), "shape": list(value.shape)}


def encode(state: dict, compact: bool = False) -> bytes:
    """``state`` as JSON bytes; its NumPy arrays as :func:`packed` (compact) or :func:`plain` lists."""
    return json.dumps(state, default=packed if compact else plain, allow_nan=False).encode()
