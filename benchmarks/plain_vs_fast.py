"""Time each fast path beside its plain version: what each trick buys (docs/appendix_fast_numpy.md).

For each layer with a plain version (nn.Plain*), one forward and one backward at the DCGAN's and
the cGAN's shapes, float32, the fast and the plain layer with the same weights and input, timed
alternately in one process (median of ``--repeats`` chunks); then ``zero_grad`` + forward + backward
of a Linear layer with lazily zeroed gradients (``Parameter``) against plain ones
(``PlainParameter``), and one Adam step against one PlainAdam step on the cGAN's networks' parameters.
Prints plain / fast, the factor the fast path buys.

    python benchmarks/plain_vs_fast.py                       # batch 64, 2 threads
    python benchmarks/plain_vs_fast.py --batch 256 --repeats 9
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=7, help="timed chunks per variant (median reported)")
    p.add_argument("--seconds", type=float, default=0.3, help="target length of one timed chunk")
    p.add_argument("--only", nargs="*", default=None, help="rows whose name contains one of these words")
    return p.parse_args()


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:                       # thread counts must be set before NumPy loads its BLAS
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

try:                                       # an installed minigan, or one on PYTHONPATH, wins
    import minigan  # noqa: F401
except ImportError:                        # else the checkout this script lives in
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from minigan import backend, nn, optim  # noqa: E402


def layer_pass(layer, x, g):
    """One forward and one backward (dL/dx included) of ``layer``."""
    def run():
        layer.zero_grad()
        layer(x)
        layer.backward(g)
    return run


def layer_cases(m):
    """(name, fast layer, input shape, channels-last input?) at batch m: the DCGAN's and cGAN's layers."""
    return [
        ("Conv2d 1->64, 28x28 (D)", nn.Conv2d(1, 64, 4, 2, 1), (m, 1, 28, 28), False),
        ("Conv2d 64->128, 14x14 (D)", nn.Conv2d(64, 128, 4, 2, 1), (m, 64, 14, 14), True),
        ("ConvTranspose2d 128->64, 7x7 (G)", nn.ConvTranspose2d(128, 64, 4, 2, 1), (m, 128, 7, 7), False),
        ("ConvTranspose2d 64->1, 14x14 (G)", nn.ConvTranspose2d(64, 1, 4, 2, 1), (m, 64, 14, 14), True),
        ("BatchNorm1d 6272 (G)", nn.BatchNorm1d(6272), (m, 6272), False),
        ("BatchNorm2d 64, 14x14, NCHW", nn.BatchNorm2d(64), (m, 64, 14, 14), False),
        ("BatchNorm2d 64, 14x14, channels-last (G)", nn.BatchNorm2d(64), (m, 64, 14, 14), True),
        ("BatchNorm2d 128, 7x7, channels-last (D)", nn.BatchNorm2d(128), (m, 128, 7, 7), True),
        ("LeakyReLU (m, 1024) (cGAN)", nn.LeakyReLU(0.2), (m, 1024), False),
        ("LeakyReLU 64x14x14, channels-last (D)", nn.LeakyReLU(0.2), (m, 64, 14, 14), True),
    ]


def rows(m):
    """(name, fast run, plain run) for every comparison."""
    out = []
    for name, fast, shape, channels_last in layer_cases(m):
        plain = nn.plain_copy(fast)
        x = backend.rng().normal(shape)
        if channels_last:                  # as a convolution's output is: an NCHW view of NHWC memory
            x = backend.xp.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
        g = backend.rng().normal(fast(x).shape)
        out.append((name, layer_pass(fast, x, g), layer_pass(plain, x, g)))
    fast = nn.Linear(794, 1024)
    plain = nn.plain_copy(fast)
    x, g = backend.rng().normal((m, 794)), backend.rng().normal((m, 1024))
    out.append(("Linear 794->1024, lazily zeroed .grad", layer_pass(fast, x, g), layer_pass(plain, x, g)))
    for label, dims in (("cGAN D", [794, 1024, 512, 256, 1]), ("cGAN G", [110, 256, 512, 1024, 784]),
                        ("1-D GAN D", [1, 32, 32, 1])):
        fast_net = nn.mlp(dims)
        plain_net = nn.plain_copy(fast_net)
        steps = []
        for net, adam in ((fast_net, optim.Adam), (plain_net, optim.PlainAdam)):
            opt = adam(net.parameters(), lr=1e-4)
            for p in net.parameters():
                p.grad[...] = backend.rng().normal(p.shape)
            steps.append(opt.step)
        n = sum(int(p.data.size) for p in fast_net.parameters())
        out.append((f"Adam step, {label} ({n:,} parameters)", *steps))
    return out


def median_seconds(runs, repeats, seconds):
    """Warm up, size a chunk to ~``seconds`` per run, then time ``repeats`` chunks of each, interleaved."""
    chunks = []
    for run in runs:
        run()
        t0, k = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds / 3 or k < 2:
            run()
            k += 1
        chunks.append(max(1, int(k * seconds / (time.perf_counter() - t0))))
    times = [[] for _ in runs]
    for _ in range(repeats):
        for i, run in enumerate(runs):
            t0 = time.perf_counter()
            for _ in range(chunks[i]):
                run()
            backend.synchronize()
            times[i].append((time.perf_counter() - t0) / chunks[i])
    return [statistics.median(t) for t in times]


def main(args):
    backend.seed(0)
    print(f"minigan {os.path.dirname(sys.modules['minigan'].__file__)}, backend {backend.name}, batch {args.batch}, "
          f"{args.threads} threads, {args.repeats} chunks of ~{args.seconds} s, load average {os.getloadavg()}")
    print(f"{'':48} {'fast ms':>9} {'plain ms':>9} {'plain/fast':>10}")
    for name, fast, plain in rows(args.batch):
        if args.only and not any(word in name for word in args.only):
            continue
        t_fast, t_plain = median_seconds([fast, plain], args.repeats, args.seconds)
        print(f"{name:48} {1e3 * t_fast:9.3f} {1e3 * t_plain:9.3f} {t_plain / t_fast:9.2f}x", flush=True)
    print(f"load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main(ARGS)
