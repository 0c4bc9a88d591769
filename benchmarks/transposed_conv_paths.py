"""Time the two ways minigan computes a transposed convolution, col2im(X W), on the DCGAN's shapes.

* ``gemm + col2im``: one GEMM (N*H*W, C_in) x (C_in, kh*kw*C_out), then ``conv_fast.col2im`` adds the
  16 numbers per pixel and channel back onto the output;
* ``sub-pixel``: ``conv_fast.transposed_convolution_by_subpixel``: one im2col with 2 x 2 windows, one GEMM
  against the four phases' sub-kernels, one copy that interleaves the phases.

``conv_fast.transposed_convolution`` picks between them (RESULTS.md, the DCGAN's log §6.4); this script shows why.
Both paths are timed alternately in one process; the median of ``--repeats`` calls is printed.

    python benchmarks/transposed_conv_paths.py                  # batch 64 and 256, 2 threads
    python benchmarks/transposed_conv_paths.py --threads 1
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch-sizes", nargs="+", type=int, default=[64, 256])
    p.add_argument("--threads", type=int, default=2, help="BLAS threads (default 2)")
    p.add_argument("--repeats", type=int, default=15, help="timed calls per path (median reported)")
    return p.parse_args(argv)


#: (C_in, C_out, H) of the DCGAN's transposed convolutions (kernel 4, stride 2, padding 1): G's two
#: layers; D's second convolution's input gradient is the first shape too.
SHAPES = [(128, 64, 7), (64, 1, 14)]


def main(args):
    from minigan import backend
    from minigan.nn import conv_fast

    kernel, stride, padding = (4, 4), (2, 2), (1, 1)
    print(f"{'batch':>5} {'C_in -> C_out':>14} {'size':>8} {'gemm + col2im':>14} {'sub-pixel':>10}  (ms, median)")
    for n in args.batch_sizes:
        for c_in, c_out, h in SHAPES:
            x = backend.rng().normal((n, h, h, c_in))
            w = backend.rng().normal((c_in, 16 * c_out))
            shape = (n, 2 * h, 2 * h, c_out)
            paths = {
                "col2im": lambda: conv_fast.col2im(x.reshape(-1, c_in) @ w, shape, kernel, stride, padding),
                "subpixel": lambda: conv_fast.transposed_convolution_by_subpixel(x, w, shape, kernel, stride, padding),
            }
            times = {name: [] for name in paths}
            for _ in range(args.repeats):
                for name, run in paths.items():
                    t0 = time.perf_counter()
                    run()
                    backend.synchronize()
                    times[name].append(time.perf_counter() - t0)
            ms = {name: 1e3 * statistics.median(t) for name, t in times.items()}
            print(f"{n:5d} {f'{c_in} -> {c_out}':>14} {f'{h}->{2 * h}':>8} {ms['col2im']:14.2f} {ms['subpixel']:10.2f}")


if __name__ == "__main__":
    ARGS = parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    main(ARGS)
