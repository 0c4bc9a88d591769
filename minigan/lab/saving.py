"""Saved states: one minigan checkpoint per name, in the lab's save folder.

A saved state is ``<save_dir>/<name>.npz``, written by ``minigan.training.checkpoint.save`` (atomic, no
pickle) and holding ``{"gan": GAN.state_dict(), "lab": {"format", "config", "points", "history"}}``:
the networks, both optimizers, the counters, the history and the random state, with the lab's
settings and its curves beside them. The curves are stored as a recorded history (the entry's name
tells ``checkpoint.check_finite`` so): NaN there marks a point where nothing was recorded, such as
G's loss after a step of D alone, and is not a diverged state. Names are 1 to 40 letters, digits, '-' or '_', so a request cannot reach
outside the folder.
"""
from __future__ import annotations

import pathlib
import re

import numpy

from .config import DEFAULTS, ConfigError, check_points, validate
from ..training import checkpoint

SLOT = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
LAB_FORMAT = "minigan-lab/2"


def path_of(save_dir: pathlib.Path, name) -> pathlib.Path:
    """``save_dir/<name>.npz`` for a valid name, else ConfigError naming ``name``."""
    if not isinstance(name, str) or not SLOT.match(name):
        raise ConfigError("name", "1 to 40 letters, digits, '-' or '_'", name)
    return save_dir / f"{name}.npz"


def names(save_dir: pathlib.Path) -> list:
    """The saved states' names, sorted."""
    return sorted(p.stem for p in save_dir.glob("*.npz") if SLOT.match(p.stem))


def write(path: pathlib.Path, gan, config: dict, points, curves) -> None:
    """Save ``gan``'s state with the lab's ``config``, drawn ``points`` (or None) and ``curves``.
    Raises checkpoint.NonFiniteStateError for a diverged state (the previous file is kept)."""
    lab = {"format": LAB_FORMAT, "config": dict(config),
           "points": numpy.zeros((0, 2)) if points is None else numpy.asarray(points, dtype=numpy.float64),
           "history": curves.state_dict()}
    checkpoint.save(path, {"gan": gan.state_dict(), "lab": lab}, check=True)


def read(path: pathlib.Path, name: str, save_dir: pathlib.Path) -> dict:
    """{"config", "points", "gan", "curves"} of the state saved at ``path``, checked; ConfigError naming
    ``name`` when there is none or it is not a state the lab saved."""
    if not path.is_file():
        saved = ", ".join(names(save_dir)) or "none yet"
        raise ConfigError("name", f"the name of a saved state ({saved})", name)
    try:
        saved = checkpoint.load(path)
        lab = saved["lab"]
        if lab.get("format") != LAB_FORMAT:
            raise ValueError(f"format {lab.get('format')!r}, expected {LAB_FORMAT!r}")
        config = validate(lab["config"], DEFAULTS)
        points = check_points(numpy.asarray(lab["points"]).tolist()) if config["dataset"] == "drawn" else None
        return {"config": config, "points": points, "gan": saved["gan"], "curves": lab["history"]}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ConfigError("name", "a state saved by the lab", f"{name} ({exc})") from exc
