"""Time the training step of two checkouts of minigan in one process, interleaved chunk by chunk.

``bench_train_step.py`` run alternately on two trees compares numbers taken minutes apart; on a
shared machine the load changes more than that between runs. Here both trees run in the same
process, their chunks interleaved (A B A B ...) as the benchmark interleaves minigan and PyTorch,
so both see the same load, and the ratio is the number to read. The other tree is loaded as the
package ``minigan_other`` (a renamed copy in a temporary folder, with its own
``bench_train_step.py`` building the models), so each tree builds its own models with its own code.

    git archive 401e1c7 | tar -x -C /tmp/before
    python benchmarks/compare_trees.py /tmp/before --models cgan tiny dcgan
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import re
import shutil
import sys
import tempfile


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("other", help="the root of the other checkout (holding minigan/ and benchmarks/)")
    p.add_argument("--models", nargs="+", default=["cgan", "tiny", "dcgan"], choices=["cgan", "dcgan", "tiny"])
    p.add_argument("--batch-sizes", nargs="+", type=int, default=[64, 256])
    p.add_argument("--tiny-batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7, help="timed chunks per tree (median reported)")
    p.add_argument("--seconds", type=float, default=1.0, help="target length of one timed chunk")
    p.add_argument("--warmup", type=float, default=1.0)
    return p.parse_args()


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):       # before NumPy loads
    os.environ[var] = str(ARGS.threads)
HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_train_step as bench  # noqa: E402  (this checkout's benchmark and minigan)


def load_other(root: pathlib.Path):
    """The other checkout's bench_train_step, importing its minigan renamed minigan_other."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="minigan_other_"))
    shutil.copytree(root / "minigan", folder / "minigan_other")
    source = (root / "benchmarks" / "bench_train_step.py").read_text()
    (folder / "bench_other.py").write_text(re.sub(r"\bminigan\b(?=[. ]|$)", "minigan_other", source, flags=re.M))
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("bench_other", folder / "bench_other.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(args):
    other = load_other(pathlib.Path(args.other).resolve())
    bench.keep_freed_memory()
    print(f"this tree: {os.path.dirname(sys.modules['minigan'].__file__)}; other: {args.other}; {args.threads} threads; "
          f"{bench.cpu_model()}; OpenBLAS kernel {bench.openblas_kernel()}; load average {os.getloadavg()}")
    cases = [(model, m) for model in ("cgan", "dcgan") if model in args.models for m in args.batch_sizes]
    cases += [("tiny", args.tiny_batch)] * ("tiny" in args.models)
    print(f"{'model':5} {'batch':>5} {'other steps/s':>14} {'this steps/s':>13} {'this/other':>10}  (min-max chunks)")
    for model, m in cases:
        runners = [other.minigan_runner(model, m), bench.minigan_runner(model, m)]
        load = bench.ForeignLoad()
        medians, spreads = bench.median_seconds_per_step(runners, args.repeats, args.seconds, args.warmup, 0.2)
        foreign = load.cores()
        (t_other, t_this), ((lo0, hi0), (lo1, hi1)) = medians, spreads
        print(f"{model:5} {m:5d} {1 / t_other:14.3g} {1 / t_this:13.3g} {t_other / t_this:9.2f}x  "
              f"({1 / hi0:.3g}-{1 / lo0:.3g} / {1 / hi1:.3g}-{1 / lo1:.3g})"
              + ("" if foreign is None else f"  other processes: {foreign:.2f} cores"), flush=True)
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main(ARGS)
