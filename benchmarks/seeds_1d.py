"""Quality of the 1-D demo's default recipe over several seeds (the target: W1 < 5% of the std).

    python benchmarks/seeds_1d.py --seeds 5

Prints one row per seed (W1 / std, sample mean and std, final mean D(x)) and the spread.
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from minigan import backend  # noqa: E402
from minigan.experiments import toy_1d  # noqa: E402
from minigan.data import toy  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=5, help="number of seeds, 0..N-1 (default 5)")
    p.add_argument("--mean", type=float, default=4.0)
    p.add_argument("--std", type=float, default=1.25)
    args = p.parse_args(argv)
    target = toy.Gaussian1D(args.mean, args.std)
    rows = []
    print(f"target N({args.mean}, {args.std}^2), default recipe {toy_1d.Recipe().to_dict()}")
    print("seed  W1/std   mean    std    D(x)   seconds")
    for seed in range(args.seeds):
        backend.seed(seed)
        m = toy_1d.train_1d(target, toy_1d.Recipe(), progress=False)["metrics"]
        rows.append(m)
        print(f"{seed:4d}  {100 * m['wasserstein1_over_std']:5.2f}%  {m['sample_mean']:6.3f} {m['sample_std']:6.3f} "
              f"{m['final_d_real']:6.3f} {m['seconds']:7.1f}", flush=True)
    w = [100 * m["wasserstein1_over_std"] for m in rows]
    print(f"W1/std over {len(w)} seeds: median {statistics.median(w):.2f}%, min {min(w):.2f}%, max {max(w):.2f}%; "
          f"{sum(v < 5 for v in w)}/{len(w)} below 5%")


if __name__ == "__main__":
    main()
