"""Small argparse helpers shared by the demos (so a bad flag is rejected with a reason)."""
from __future__ import annotations

import argparse


def positive(kind):
    """An argparse type: ``kind(text)``, which must be > 0 (e.g. ``type=positive(int)``)."""
    def check(text):
        try:
            value = kind(text)
        except ValueError:
            what = {int: "an integer", float: "a number"}.get(kind, kind.__name__)
            raise argparse.ArgumentTypeError(f"must be {what} > 0; got {text!r}")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0; got {text}")
        return value
    check.__name__ = f"positive {kind.__name__}"
    return check
