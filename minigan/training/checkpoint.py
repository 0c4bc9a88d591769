"""Checkpoints: nested dicts of arrays and plain values, saved atomically.

A checkpoint is one ``.npz`` file: every array is an entry named by its path
in the nested dict ("generator/body.layers.0.weight"), and so is every list of
floats (a training history: one float64 array, read back as the same list of
floats, rather than one JSON number per step); everything else (numbers,
strings, other lists, the random generator's state) is JSON in an entry named
``__meta__``. Nothing is pickled, so loading a checkpoint cannot run code.

Saving writes a temporary file beside the target, flushes it to disk and then
renames it over the target (``os.replace`` is atomic): an interrupted save
leaves the previous checkpoint intact, never a half-written one.

Every training loop that checkpoints (the MNIST loop in ``image_training``, the toy loop
in ``training``) uses the three rules at the end of this module: never start afresh over an
existing checkpoint without being told (:func:`check_start`), resume only with the settings
the checkpoint was written with (:func:`check_resumable`), and after divergence say where the
last good checkpoint is (:func:`last_good`).
"""
from __future__ import annotations

import json
import os
import pathlib
import tempfile
import zipfile

import numpy

from .. import backend

FORMAT_VERSION = 1
#: The checkpoint's name inside a run's output folder.
FILE_NAME = "checkpoint.npz"


def _split(tree, prefix, arrays):
    """Replace arrays in ``tree`` by {"__array__": key}, collecting them into ``arrays``."""
    if isinstance(tree, dict):
        return {str(k): _split(v, f"{prefix}{k}/", arrays) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        if tree and all(isinstance(v, float) for v in tree):    # float64 holds a Python float exactly
            key = prefix.rstrip("/")
            arrays[key] = numpy.asarray(tree, dtype=numpy.float64)
            return {"__floats__": key}
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
        if set(tree) == {"__floats__"}:
            return arrays[tree["__floats__"]].tolist()
        return {k: _join(v, arrays) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_join(v, arrays) for v in tree]
    return tree


class NonFiniteStateError(ValueError):
    """A state holds NaN or infinity: it is not saved, so the last good checkpoint survives."""


def _non_finite(tree, prefix=""):
    """The paths of the floating arrays and numbers in ``tree`` that hold NaN or infinity,
    leaving out every entry named "history" (at any depth)."""
    if isinstance(tree, dict):
        return [bad for k, v in tree.items() if k != "history" for bad in _non_finite(v, f"{prefix}{k}/")]
    if isinstance(tree, (list, tuple)):
        if tree and all(isinstance(v, float) for v in tree):       # a history: one check for the list
            return [] if numpy.isfinite(tree).all() else [prefix.rstrip("/")]
        return [bad for i, v in enumerate(tree) for bad in _non_finite(v, f"{prefix}{i}/")]
    if isinstance(tree, float) or (hasattr(tree, "dtype") and getattr(tree.dtype, "kind", "") in "fc"):
        finite = numpy.isfinite(backend.to_numpy(tree) if hasattr(tree, "dtype") else tree).all()
        return [] if finite else [prefix.rstrip("/")]
    return []


def check_finite(state: dict, what: str = "state") -> None:
    """Raise :class:`NonFiniteStateError` naming every entry of ``state`` that holds NaN or
    infinity (parameters, optimizer moments, numbers; a recorded history, any entry named
    "history" at any depth, is left out, as it may rightly show how training failed). Arrays are
    read back to the host: call it once per save, not per step."""
    bad = _non_finite(state)
    if bad:
        shown = ", ".join(bad[:8]) + (f" and {len(bad) - 8} more" if len(bad) > 8 else "")
        raise NonFiniteStateError(
            f"refusing to save {what}: it holds NaN or infinity in {shown}. Training has diverged "
            "(see docs/10_training_health.md); the previous checkpoint, if any, is left as it was")


def save(path, state: dict, check: bool = False, compress: bool = False) -> pathlib.Path:
    """Write ``state`` to ``path`` atomically. Returns the path.

    check: first refuse a state that holds NaN or infinity (:func:`check_finite`), so a
    diverged run never overwrites its last good checkpoint.
    compress: deflate the entries (``numpy.savez_compressed``): smaller, slower to write; for
    files that ship, not for the checkpoint written every epoch. :func:`load` reads both."""
    path = pathlib.Path(path)
    if check:
        check_finite(state, f"checkpoint {path}")
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays: dict = {}
    meta = _split(state, "", arrays)
    payload = {"__meta__": numpy.frombuffer(json.dumps({"version": FORMAT_VERSION, "state": meta}).encode(), numpy.uint8)}
    payload.update(arrays)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            (numpy.savez_compressed if compress else numpy.savez)(f, **payload)
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
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":       # every .npz is a zip archive
        raise ValueError(f"checkpoint {path} is not a minigan checkpoint: not an .npz (zip) archive "
                         f"(it starts with {head!r}). Point to a file written by minigan.checkpoint.save")
    try:
        with numpy.load(path, allow_pickle=False) as npz:
            if not isinstance(npz, numpy.lib.npyio.NpzFile):
                raise ValueError("it is a single .npy array, not an .npz archive")
            if "__meta__" not in npz.files:
                raise ValueError(f"it has no __meta__ entry (entries: {', '.join(npz.files[:5]) or 'none'})")
            meta = json.loads(npz["__meta__"].tobytes().decode())
            arrays = {k: npz[k] for k in npz.files if k != "__meta__"}
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise ValueError(f"checkpoint {path} is not a minigan checkpoint, or is truncated or corrupt ({exc}). "
                         "Delete it, or point to another file, and start again") from exc
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION or "state" not in meta:
        version = meta.get("version") if isinstance(meta, dict) else None
        raise ValueError(f"checkpoint {path} has format version {version}; expected {FORMAT_VERSION}")
    try:
        return _join(meta["state"], arrays)
    except KeyError as exc:
        raise ValueError(f"checkpoint {path} is corrupt: its metadata names the array {exc}, "
                         "which the file does not hold") from exc


# -- the rules of a run that checkpoints ------------------------------------------------------
def check_start(path, resume: bool, overwrite: bool) -> None:
    """Refuse a start that would lose or invent work: ``resume`` without a checkpoint at ``path``
    (FileNotFoundError), a fresh start over an existing one without ``overwrite``
    (FileExistsError naming --resume and --overwrite), or both flags at once (ValueError)."""
    path = pathlib.Path(path)
    if resume and overwrite:
        raise ValueError("--resume and --overwrite contradict each other (continue the run in "
                         f"{path.parent}, or start it over): pass one of them")
    if resume and not path.exists():
        raise FileNotFoundError(f"cannot resume: {path} does not exist (no unfinished run there); "
                                "start without --resume, or point --out to the run's folder")
    if path.exists() and not (resume or overwrite):
        raise FileExistsError(f"{path} exists: pass --resume to continue that run, or --overwrite to start "
                              "over (its checkpoint will be replaced), or choose another --out")


class _Absent:
    def __repr__(self):
        return "absent"


_ABSENT = _Absent()


def _flat(tree: dict, prefix: str = "") -> dict:
    """A nested dict as one level: {"a": {"b": 1}} -> {"a.b": 1} (an empty dict is a leaf)."""
    flat = {}
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _as_stored(tree: dict) -> dict:
    """``tree`` as a checkpoint reads it back (JSON: tuples become lists)."""
    return json.loads(json.dumps(tree))


def check_resumable(path, saved: dict, current: dict, *, defaults: dict | None = None, may_change=()) -> None:
    """Refuse to resume from ``path`` unless the settings it was written with (``saved``) equal
    the ``current`` ones. Both are nested dicts of plain values, compared leaf by leaf as the
    checkpoint stores them (a tuple equals the list it reads back as); a nested key is named with
    dots ("recipe.lr_d"). ``defaults``: the value of a setting that ``saved`` lacks (one added after
    the checkpoint was written). ``may_change``: keys that may differ (e.g. "epochs", which may grow).
    Raises ValueError naming every setting that differs, with both values."""
    saved = {**_flat(_as_stored(defaults or {})), **_flat(_as_stored(saved))}
    current = _flat(_as_stored(current))
    different = {k: (saved.get(k, _ABSENT), current.get(k, _ABSENT)) for k in {**current, **saved}
                 if k not in may_change and saved.get(k, _ABSENT) != current.get(k, _ABSENT)}
    if different:
        details = ", ".join(f"{k}: checkpoint {a!r}, now {b!r}" for k, (a, b) in different.items())
        raise ValueError(f"cannot resume from {path}: settings differ ({details}); "
                         "pass the checkpoint's settings, or choose a new --out")


def last_good(path, reached: str | None, before: str = "before its first checkpoint") -> str:
    """What a diverged run says about its checkpoint: where to resume from (``reached``, e.g.
    "epoch 3", is how far that checkpoint got), or, with ``reached`` None or no file at ``path``,
    that there is none (``before``: when it diverged, e.g. "in the first epoch")."""
    path = pathlib.Path(path)
    if reached is None or not path.exists():
        return f"No checkpoint was written (it diverged {before}): start over with other settings."
    return (f"The last good checkpoint is {path} ({reached}); it was not overwritten. "
            "Resume from it with --resume after changing what caused this (settings must match, "
            "so for another learning rate start a new --out).")
