"""One change to a PacGAN recipe, over a few seeds, scored by the papers' protocol (as ``--table`` scores it).

The sweeps of docs/results.md on the papers' grid and ring ("what each change bought") ran this way: each change
is a set of ``Recipe2D`` fields, given as ``FIELD=VALUE`` (Python literals), on top of
``toy_2d.PACGAN_GRID`` (or ``PACGAN_RING`` with ``--ring``). Each seed trains one GAN exactly as
``demos/ring_2d.py --table`` does for that seed and prints one JSON line; ``--jsonl`` appends them to a
file, so several processes (one per core) can share it.

    python benchmarks/grid_sweep.py --seeds 0 1                                   # the recipe as it is
    python benchmarks/grid_sweep.py g_activation='"leaky_relu"' steps=80000 --seeds 0 1   # the 2026-12-02 recipe
    python benchmarks/grid_sweep.py hidden='(128, 128, 128, 128)' d_hidden='(128, 128, 128)' --seeds 0 1 --jsonl s.jsonl

(The changes come before ``--seeds``, which takes every number after it.)
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import sys
from dataclasses import fields, replace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from minigan.experiments import toy_2d  # noqa: E402
from minigan.data import toy  # noqa: E402


def parse_change(items) -> dict:
    """["steps=120000", "g_activation='relu'"] -> {"steps": 120000, "g_activation": "relu"}, names checked."""
    known = {f.name for f in fields(toy_2d.Recipe2D)}
    change = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or name not in known:
            raise SystemExit(f"grid_sweep: a change must be FIELD=VALUE with FIELD one of {', '.join(sorted(known))}; "
                             f"got {item!r}")
        try:
            change[name] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            raise SystemExit(f"grid_sweep: {name}'s value must be a Python literal (a number, a quoted string, "
                             f"a tuple); got {value!r}") from None
    return change


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("change", nargs="*", help="Recipe2D fields to change, FIELD=VALUE")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--ring", action="store_true", help="PacGAN's ring and PACGAN_RING instead of the grid")
    p.add_argument("--jsonl", help="append each seed's line to this file")
    args = p.parse_args(argv)
    change = parse_change(args.change)
    target = toy.pacgan_ring() if args.ring else toy.pacgan_grid()
    recipe = replace(toy_2d.PACGAN_RING if args.ring else toy_2d.PACGAN_GRID, **change)
    for seed in args.seeds:
        table = toy_2d.pack_trials(target, recipe, packs=(recipe.pack,), trials=1, seed=seed)
        (entry,) = table.values()
        (trial,) = entry["trials"]
        row = {"change": change, **{k: trial[k] for k in ("seed", *toy_2d.TABLE_METRICS, "seconds")}}
        print(json.dumps(row), flush=True)
        if args.jsonl:
            with open(args.jsonl, "a") as f:
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
