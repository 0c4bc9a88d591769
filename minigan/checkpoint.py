"""Checkpoints: nested dicts of arrays and plain values, saved atomically.

A checkpoint is one ``.npz`` file: every array is an entry named by its path
in the nested dict ("generator/body.layers.0.weight"), and everything else
(numbers, strings, lists, the random generator's state) is JSON in an entry
named ``__meta__``. Nothing is pickled, so loading a checkpoint cannot run code.

Saving writes a temporary file beside the target, flushes it to disk and then
renames it over the target (``os.replace`` is atomic): an interrupted save
leaves the previous checkpoint intact, never a half-written one.
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile

import numpy

from . import backend

FORMAT_VERSION = 1


def _split(tree, prefix, arrays):
    """Replace arrays in ``tree`` by {"__array__": key}, collecting them into ``arrays``."""
    if isinstance(tree, dict):
        return {str(k): _split(v, f"{prefix}{k}/", arrays) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_split(v, f"{prefix}{i}/", arrays) for i, v in enumerate(tree)]
    if hasattr(tree, "shape") and hasattr(tree, "dtype") and getattr(tree, "ndim", 0) > 0:
        key = prefix.rstrip("/")
        arrays[key] = backend.to_numpy(tree)
        return {"__array__": key}
    if isinstance(tree, numpy.generic) or (hasattr(tree, "dtype") and getattr(tree, "ndim", 1) == 0):
        return backend.to_numpy(tree).item() if not isinstance(tree, numpy.generic) else tree.item()
    return tree


def _join(tree, arrays):
    if isinstance(tree, dict):
        if set(tree) == {"__array__"}:
            return arrays[tree["__array__"]]
        return {k: _join(v, arrays) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_join(v, arrays) for v in tree]
    return tree


def save(path, state: dict) -> pathlib.Path:
    """Write ``state`` to ``path`` atomically. Returns the path."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict = {}
    meta = _split(state, "", arrays)
    payload = {"__meta__": numpy.frombuffer(json.dumps({"version": FORMAT_VERSION, "state": meta}).encode(), numpy.uint8)}
    payload.update(arrays)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            numpy.savez(f, **payload)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)      # mkstemp makes 0600; a checkpoint gets the usual permissions
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(path) -> dict:
    """Read a checkpoint written by :func:`save`. Arrays come back as host NumPy arrays."""
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} does not exist")
    try:
        with numpy.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz["__meta__"].tobytes().decode())
            arrays = {k: npz[k] for k in npz.files if k != "__meta__"}
    except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"checkpoint {path} is not a minigan checkpoint or is corrupt ({exc})") from exc
    if meta.get("version") != FORMAT_VERSION:
        raise ValueError(f"checkpoint {path} has format version {meta.get('version')}; expected {FORMAT_VERSION}")
    return _join(meta["state"], arrays)
