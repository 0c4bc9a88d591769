"""Small argparse helpers shared by the demos (so a bad flag is rejected with a reason)."""
from __future__ import annotations

import argparse
import pathlib

from . import backend


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


def non_negative_int(text):
    """An argparse type for seeds: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {text}")
    return value


def add_run_arguments(parser, out_default, out_help="output folder"):
    """The flags every training demo shares: --seed, --backend, --out, --quiet."""
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default=None,
                        help="array backend (default: $MINIGAN_BACKEND or numpy)")
    parser.add_argument("--out", type=pathlib.Path, default=out_default, help=out_help)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def start_run(args) -> None:
    """Switch to the backend asked for (if any), then seed it: the run is reproducible from --seed."""
    if args.backend:
        backend.set_backend(args.backend)
    backend.seed(args.seed)
