"""What each speed-up of docs/appendix_fast_numpy.md buys, measured in one process.

The old implementations are kept below; the script swaps them in and out of
minigan and times the training step for each cumulative variant (before, then
one more trick switched on per row), in interleaved chunks, so all variants see
the same machine load. The variants share one GAN, so its training trajectory
is a patchwork; only the timings mean something.

    python benchmarks/ablate_tricks.py                       # cGAN batch 64
    python benchmarks/ablate_tricks.py --model tiny --batch 128 --steps 600
    python benchmarks/ablate_tricks.py --model dcgan --batch 64 --steps 8 --repeats 15    # RESULTS.md, the DCGAN's log 6.5
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
    p.add_argument("--model", choices=["cgan", "tiny", "dcgan"], default="cgan")
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
from minigan import backend, gan, losses, nn, optim  # noqa: E402
from minigan.gan import algorithm1, base  # noqa: E402  (the modules whose names the tricks swap)
from minigan.nn import batchnorm, conv_fast, linear, module, reshape  # noqa: E402


# -- the implementations before the speed-ups -------------------------------------------
def old_leaky_relu_forward(self, x):
    xp = backend.xp
    self._cache = xp.where(x > 0, x.dtype.type(1), x.dtype.type(self.negative_slope))    # the slope
    return x * self._cache


def old_adam_step(self):
    """Adam on the whole buffer with a temporary per step (m_tilde, v_tilde hold m, v here)."""
    xp = backend.xp
    b1, b2 = self.betas
    self.t += 1
    g, m, v, s = self.flat_grad(), self.m_tilde, self.v_tilde, self._scratch
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


def twelve_pass_adam_step(self):
    """In place and in blocks, but m and v kept as PyTorch writes them: 12 passes."""
    b1, b2 = self.betas
    self.t += 1
    c2 = math.sqrt(1 - b2 ** self.t)
    step_size, eps_hat = self.lr * c2 / (1 - b1 ** self.t), self.eps * c2
    xp, grad = backend.xp, self.flat_grad()
    for start in range(0, self.data.size, self.block_size):
        block = slice(start, start + self.block_size)
        g, m, v, s = grad[block], self.m_tilde[block], self.v_tilde[block], self._scratch[block]
        m *= b1
        xp.multiply(g, 1 - b1, out=s)
        m += s
        v *= b2
        xp.multiply(g, g, out=s)
        s *= 1 - b2
        v += s
        xp.sqrt(v, out=s)
        s += eps_hat
        xp.divide(m, s, out=s)
        s *= step_size
        self.data[block] -= s


def full_backward_to(net, grad_output, input_grad=True):
    """Every layer computes all of dL/dx, used or not."""
    grad = net.backward(grad_output)
    return None if input_grad is False else grad


def eager_zero_grad(self):
    """Write zeros into the whole gradient buffer."""
    self.grad.fill(0)
    for p in self.params:
        p._grad_empty = False


def add_product(self, a, b):
    self.grad += a @ b


NEW = {
    "leaky": nn.LeakyReLU.forward, "adam": optim.Adam.step, "d_step": gan.GAN.discriminator_step,
    "backward_to": algorithm1.backward_to, "zero_grad": optim.Optimizer.zero_grad,
    "product": module.Parameter.accumulate_product, "freeze": algorithm1.set_requires_grad, "mean": losses.mean,
}


def old_discriminator_step(self, real, labels=None):
    self.discriminator.requires_grad_(True)      # the third walk of D's tree per iteration
    return NEW["d_step"](self, real, labels)


TRICKS = ["leaky", "adam_blocks", "freeze_once", "skip_dx", "one_d_pass", "lazy_zero", "adam_10", "walk_once"]
VARIANTS = {
    "before": 0,
    "+ LeakyReLU without where": 1,
    "+ Adam in place, in blocks": 2,
    "+ freeze D once per G step": 3,
    "+ no dL/dx for data inputs": 4,
    "+ one D pass on [real; fake]": 5,
    "+ lazy zero_grad": 6,
    "+ Adam with scaled moments": 7,
    "+ D's parameters listed once, sum/n": 8,
}


def use(run, n_on):
    on = {name: i < n_on for i, name in enumerate(TRICKS)}
    the_gan = run.gan
    nn.LeakyReLU.forward = NEW["leaky"] if on["leaky"] else old_leaky_relu_forward
    optim.Adam.step = (NEW["adam"] if on["adam_10"] else twelve_pass_adam_step) if on["adam_blocks"] else old_adam_step
    gan.GAN.discriminator_step = NEW["d_step"] if on["freeze_once"] else old_discriminator_step
    algorithm1.backward_to = base.backward_to = NEW["backward_to"] if on["skip_dx"] else full_backward_to
    the_gan.joint_d_pass = on["one_d_pass"]
    optim.Optimizer.zero_grad = NEW["zero_grad"] if on["lazy_zero"] else eager_zero_grad
    module.Parameter.accumulate_product = NEW["product"] if on["lazy_zero"] else add_product
    algorithm1.set_requires_grad = (NEW["freeze"] if on["walk_once"]
                              else lambda params, flag: the_gan.discriminator.requires_grad_(flag))
    algorithm1.mean = losses.mean = NEW["mean"] if on["walk_once"] else (lambda x: x.mean())


# -- the DCGAN's speed-ups (RESULTS.md, the DCGAN's log 6.5) -------------------------------
def old_flatten_backward(self, grad_output):
    """dL/dx in C order whatever the input's memory order was."""
    return grad_output.reshape(self._input_shape)


def old_affine_backward(weight, bias, x, g, input_grad=True):
    """g W^T by GEMM even when W has one column (the inner dimension is then 1)."""
    if weight.requires_grad:
        weight.accumulate_product(x.T, g)
    if bias is not None and bias.requires_grad:
        bias.grad += g.sum(axis=0)
    if input_grad is False:
        return None
    return g @ (weight.data if input_grad is True else weight.data[input_grad]).T


def old_channel_sums(self, x):
    return x.sum(axis=self._axes)


NEW.update({"flatten": reshape.Flatten.backward, "affine": linear.affine_backward,
            "sums": batchnorm._BatchNorm._channel_sums, "block_bytes": conv_fast.BLOCK_BYTES})
DCGAN_TRICKS = ["flatten_order", "outer_product", "channel_sums", "blocks"]
DCGAN_VARIANTS = {label: n_on for n_on, label in enumerate([     # row n switches the first n tricks on
    "before (of these four)", "+ Flatten's dL/dx in the input's order", "+ one-output Linear dL/dx by broadcast",
    "+ batch norm's sums by matrix-vector", "+ convolutions in batch blocks"])}


def use_dcgan(run, n_on):
    on = {name: i < n_on for i, name in enumerate(DCGAN_TRICKS)}
    reshape.Flatten.backward = NEW["flatten"] if on["flatten_order"] else old_flatten_backward
    linear.affine_backward = NEW["affine"] if on["outer_product"] else old_affine_backward
    batchnorm._BatchNorm._channel_sums = NEW["sums"] if on["channel_sums"] else old_channel_sums
    conv_fast.BLOCK_BYTES = NEW["block_bytes"] if on["blocks"] else 1 << 62     # one block: the whole batch


def main(args):
    run = bench.minigan_runner(args.model, args.batch)
    use_, variants, tricks = (use_dcgan, DCGAN_VARIANTS, DCGAN_TRICKS) if args.model == "dcgan" \
        else (use, VARIANTS, TRICKS)
    for n_on in variants.values():                   # warm up every variant
        use_(run, n_on)
        run(max(2, args.steps // 4))
    times = {name: [] for name in variants}
    load = bench.ForeignLoad()
    for _ in range(args.repeats):
        for name, n_on in variants.items():
            use_(run, n_on)
            time.sleep(0.1)
            t0 = time.perf_counter()
            run(args.steps)
            times[name].append((time.perf_counter() - t0) / args.steps)
    use_(run, len(tricks))
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{args.model} {args.batch:4d} {name:40s} {1 / med:8.1f} steps/s {1e3 * med:8.3f} ms/step "
              f"(chunks {1e3 * min(ts):.3f}-{1e3 * max(ts):.3f} ms)")
    foreign = load.cores()
    if foreign is not None:
        print(f"other processes used {foreign:.2f} cores while timing" + ("  <- NOT QUIET" if foreign > 0.1 else ""))


if __name__ == "__main__":
    main(ARGS)
