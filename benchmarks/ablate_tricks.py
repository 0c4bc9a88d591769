"""What each speed-up of docs/performance.md buys, measured in one process.

The old implementations are kept below; the script swaps them in and out of
minigan and times the training step for each cumulative variant (before,
+ LeakyReLU, + Adam, + freeze), in interleaved chunks, so all variants see the
same machine load.

    python benchmarks/ablate_tricks.py                       # cGAN batch 64
    python benchmarks/ablate_tricks.py --model tiny --batch 128 --steps 600
"""
from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", choices=["cgan", "tiny"], default="cgan")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=40, help="steps per timed chunk")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=2)
    return p.parse_args()


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench_train_step as bench  # noqa: E402  (also puts this checkout's minigan on the path)
from minigan import backend, nn, optim  # noqa: E402
from minigan.gan import GAN  # noqa: E402


# -- the implementations before the speed-ups -------------------------------------------
def old_leaky_relu_forward(self, x):
    xp = backend.xp
    self._slope = xp.where(x > 0, x.dtype.type(1), x.dtype.type(self.negative_slope))
    return x * self._slope


def old_adam_step(self):
    xp = backend.xp
    b1, b2 = self.betas
    self.t += 1
    g, m, v, s = self.grad, self.m, self.v, self._scratch
    m *= b1
    m += (1 - b1) * g
    v *= b2
    xp.multiply(g, g, out=s)
    s *= 1 - b2
    v += s
    step_size = self.lr / (1 - b1 ** self.t)
    xp.sqrt(v, out=s)
    s *= 1 / math.sqrt(1 - b2 ** self.t)
    s += self.eps
    xp.divide(m, s, out=s)
    s *= step_size
    self.data -= s


NEW = {"leaky": nn.LeakyReLU.forward, "adam": optim.Adam.step, "d_step": GAN.discriminator_step}


def old_discriminator_step(self, real, labels=None):
    self.discriminator.requires_grad_(True)      # the third walk of D's tree per iteration
    return NEW["d_step"](self, real, labels)


VARIANTS = {
    "before": (False, False, False),
    "+ LeakyReLU without where": (True, False, False),
    "+ Adam in place, in blocks": (True, True, False),
    "+ freeze D once per G step": (True, True, True),
}


def use(leaky, adam, freeze_once):
    nn.LeakyReLU.forward = NEW["leaky"] if leaky else old_leaky_relu_forward
    optim.Adam.step = NEW["adam"] if adam else old_adam_step
    GAN.discriminator_step = NEW["d_step"] if freeze_once else old_discriminator_step


def main(args):
    run = bench.minigan_runner(args.model, args.batch)
    for flags in VARIANTS.values():                  # warm up every variant
        use(*flags)
        run(max(2, args.steps // 4))
    times = {name: [] for name in VARIANTS}
    load = bench.ForeignLoad()
    for _ in range(args.repeats):
        for name, flags in VARIANTS.items():
            use(*flags)
            time.sleep(0.1)
            t0 = time.perf_counter()
            run(args.steps)
            times[name].append((time.perf_counter() - t0) / args.steps)
    use(True, True, True)
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{args.model} {args.batch:4d} {name:28s} {1 / med:8.1f} steps/s {1e3 * med:8.3f} ms/step "
              f"(chunks {1e3 * min(ts):.3f}-{1e3 * max(ts):.3f} ms)")
    foreign = load.cores()
    if foreign is not None:
        print(f"other processes used {foreign:.2f} cores while timing" + ("  <- NOT QUIET" if foreign > 0.1 else ""))


if __name__ == "__main__":
    main(ARGS)
