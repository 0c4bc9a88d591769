"""Time one full GAN training step in minigan and in PyTorch, in the same process.

A step is Algorithm 1 with k = 1: one discriminator update on a real and a
fake batch, then one generator update with the discriminator frozen
(``GAN.train_step``). Three models:

* ``cgan``: the MNIST conditional GAN of the common PyTorch tutorial
  (D: [x, embed(label)] 794-1024-512-256-1, LeakyReLU(0.2), Dropout(0.3),
  Sigmoid; G: [z, embed(label)] 110-256-512-1024-784, LeakyReLU(0.2), Tanh;
  BCE; Adam lr 1e-4), on synthetic 28x28 batches (speed does not depend on
  the pixels).
* ``dcgan``: the DCGAN of ``minigan/experiments/dcgan.py`` (unconditional; G: z 100 ->
  Linear 6272 -> BatchNorm1d -> ReLU -> (128, 7, 7) -> ConvTranspose2d 128->64 -> BatchNorm2d
  -> ReLU -> ConvTranspose2d 64->1 -> Tanh; D: Conv2d 1->64 -> LeakyReLU(0.2) -> Conv2d 64->128
  -> BatchNorm2d -> LeakyReLU(0.2) -> Linear 6272->1 logit; BCE with logits; Adam 2e-4, betas
  (0.5, 0.999); weights N(0, 0.02)). D has batch norm, so both frameworks run the real and the
  fake batch through D in separate passes.
* ``tiny``: a 1-D GAN (1-32-32-1 MLPs, LeakyReLU(0.2), sigmoid D, BCE, Adam),
  batch 128, where per-call overhead, not arithmetic, sets the speed.

For each it prints steps/s (median over ``--repeats`` timed chunks after a
warm-up; frameworks are interleaved chunk by chunk so that both see the same
machine load), the minigan/PyTorch ratio, the achieved GFLOP/s (2 m n k per
matrix product the step needs: see ``step_gemms``), and the fraction of the *GEMM floor*: the
time the same list of matrix products takes on their own, measured in this
run with the backend's float32 matmul, and the minor page faults per step.

Both frameworks share this process's C allocator. By default (``--malloc keep``) it keeps freed
memory for reuse (``keep_freed_memory``), so that neither pays page faults for the arrays a step
frees and allocates again. That is where a training run settles once it has loaded its data and
freed a large array or two: glibc then raises its own thresholds. With glibc's own settings in
this fresh process (``--malloc default``), who pays the faults depends on what the other
framework left behind.

    python benchmarks/bench_train_step.py                     # both models, 2 threads
    python benchmarks/bench_train_step.py --models cgan --batch-sizes 64 256 --json out.json
    python benchmarks/bench_train_step.py --models dcgan --batch-sizes 64 256
    python benchmarks/bench_train_step.py --models cgan tiny dcgan --no-torch --plain   # the plain versions too
    python benchmarks/bench_train_step.py --backend cupy --models cgan dcgan --batch-sizes 64 1024   # GPU

PyTorch is optional (``pip install torch``); without it only minigan is timed.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import platform
import statistics
import sys
import time


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--models", nargs="+", default=["cgan", "tiny"], choices=["cgan", "dcgan", "tiny"])
    p.add_argument("--batch-sizes", nargs="+", type=int, default=None,
                   help="batch sizes for the cGAN and the DCGAN (default 64 256); the tiny GAN always "
                        "uses 128 unless --tiny-batch is given")
    p.add_argument("--tiny-batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=2, help="BLAS / OpenMP threads (default 2)")
    p.add_argument("--repeats", type=int, default=7, help="timed chunks per framework (median reported)")
    p.add_argument("--seconds", type=float, default=1.0, help="target length of one timed chunk")
    p.add_argument("--warmup", type=float, default=1.0, help="warm-up seconds per framework and model")
    p.add_argument("--settle", type=float, default=0.2,
                   help="pause before each timed chunk, so that the BLAS / OpenMP threads of the chunk "
                        "before stop spinning (OpenBLAS spins ~60 ms after its last call)")
    p.add_argument("--malloc", choices=["keep", "default"], default="keep",
                   help="keep: glibc keeps freed memory for reuse (keep_freed_memory), so neither framework "
                        "pays page faults for the arrays a step frees and allocates again, as in a training "
                        "run once its data is loaded; the setting holds for the whole process, both "
                        "frameworks. default: glibc's own settings in a fresh process (benchmarks/RESULTS.md, "
                        "the DCGAN's log, section 6.7)")
    p.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    p.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    p.add_argument("--plain", action="store_true",
                   help="also time minigan's plain versions (nn.plain_copy of the same networks, optim.PlainAdam), "
                        "interleaved with the fast ones (docs/appendix_fast_numpy.md)")
    p.add_argument("--no-tutorial", action="store_true",
                   help="skip the extra PyTorch variant that trains as the tutorial does (no detach, no freeze)")
    p.add_argument("--no-joint", action="store_true",
                   help="skip the extra PyTorch variant that runs D once on [real; fake], as minigan does")
    p.add_argument("--json", metavar="OUT", help="save the results as JSON")
    args = p.parse_args(argv)
    if args.batch_sizes is None:
        args.batch_sizes = [64, 256]
    for name in ("threads", "repeats", "tiny_batch"):
        if getattr(args, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be >= 1; got {getattr(args, name)}")
    if any(b < 1 for b in args.batch_sizes):
        p.error(f"--batch-sizes must be positive; got {args.batch_sizes}")
    return args


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    # Thread counts must be set before NumPy / PyTorch load their BLAS.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)
    os.environ["MINIGAN_BACKEND"] = ARGS.backend

try:                                       # an installed minigan, or one on PYTHONPATH, wins
    import minigan  # noqa: F401
except ImportError:                        # else the checkout this script lives in
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy  # noqa: E402

from minigan import backend, nn  # noqa: E402
from minigan.gan import GAN  # noqa: E402
from minigan.optim import Adam, PlainAdam  # noqa: E402

NUM_CLASSES, EMBED, NOISE, PIXELS = 10, 10, 100, 784
D_DIMS = [PIXELS + EMBED, 1024, 512, 256, 1]
G_DIMS = [NOISE + EMBED, 256, 512, 1024, PIXELS]
TINY_G_DIMS = [1, 32, 32, 1]
TINY_D_DIMS = [1, 32, 32, 1]


# -- the models, in minigan ----------------------------------------------------------
def mlp(dims, hidden_act, out_act, dropout=0.0):
    layers = []
    for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(dims) - 2:
            layers.append(hidden_act())
            if dropout:
                layers.append(nn.Dropout(dropout))
    if out_act is not None:
        layers.append(out_act())
    return nn.Sequential(*layers)


def make_gan(G, D, plain, lr, betas=(0.9, 0.999), **kwargs):
    """GAN with Adam; ``plain``: the plain versions of G, D (``nn.plain_copy``) and of Adam."""
    adam = Adam
    if plain:
        G, D, adam = nn.plain_copy(G), nn.plain_copy(D), PlainAdam
    return GAN(G, D, adam(G.parameters(), lr=lr, betas=betas), adam(D.parameters(), lr=lr, betas=betas), **kwargs)


def minigan_cgan(plain=False):
    leaky = lambda: nn.LeakyReLU(0.2)  # noqa: E731
    D = nn.Conditional(NUM_CLASSES, EMBED, mlp(D_DIMS, leaky, nn.Sigmoid, dropout=0.3))
    G = nn.Conditional(NUM_CLASSES, EMBED, mlp(G_DIMS, leaky, nn.Tanh))
    return make_gan(G, D, plain, 1e-4, noise_dim=NOISE, noise="normal", num_classes=NUM_CLASSES)


def minigan_tiny(plain=False):
    leaky = lambda: nn.LeakyReLU(0.2)  # noqa: E731
    G = mlp(TINY_G_DIMS, leaky, None)
    D = mlp(TINY_D_DIMS, leaky, nn.Sigmoid)
    return make_gan(G, D, plain, 1e-3, noise_dim=TINY_G_DIMS[0], noise="normal")


def minigan_dcgan(plain=False):
    from minigan.experiments import dcgan
    G, D = dcgan.generator(), dcgan.discriminator()
    return make_gan(G, D, plain, dcgan.LEARNING_RATE, dcgan.BETAS, noise_dim=NOISE, noise="normal", logits=True)


MINIGAN_MODELS = {"cgan": minigan_cgan, "dcgan": minigan_dcgan, "tiny": minigan_tiny}


def minigan_batches(model, m, pool=8):
    """An endless iterator over a few pre-made synthetic real batches (data loading is not timed)."""
    rng = backend.rng()
    if model == "dcgan":
        batches = [rng.uniform(-1.0, 1.0, (m, 1, 28, 28)) for _ in range(pool)]
    elif model == "cgan":
        batches = [(rng.uniform(-1.0, 1.0, (m, PIXELS)), rng.integers(NUM_CLASSES, (m,))) for _ in range(pool)]
    else:
        batches = [4.0 + 1.25 * rng.normal((m, 1)) for _ in range(pool)]
    while True:
        yield from batches


def minigan_runner(model, m, plain=False):
    backend.seed(0)
    gan = MINIGAN_MODELS[model](plain)
    batches = minigan_batches(model, m)

    def run(steps):
        for _ in range(steps):
            gan.train_step(batches)
        backend.synchronize()
    run.gan = gan                          # for benchmarks/ablate_tricks.py
    return run


# -- the same models and step, in PyTorch ---------------------------------------------
def torch_runner(torch, model, m, device, variant="fair"):
    """The PyTorch twin of ``GAN.train_step``.

    ``variant="fair"`` (the comparison): the fake batch of the D update is made under
    no_grad (minigan runs only G's forward there), D loss = (BCE(real, 1) + BCE(fake, 0)) / 2
    from two passes of D, as the tutorial and most code write it, and the G update freezes
    D with requires_grad_(False) (no weight gradients for D, as minigan).
    ``"joint"``: the same, but D runs once on [real; fake] with targets [1; 0], as
    minigan does for a row-wise D (the same gradient; shows what that trick buys PyTorch).
    ``"tutorial"``: as the tutorial is written: the fake batch is not detached
    (autograd also backpropagates into G in the D update) and D is not frozen in the
    G update.
    """
    if variant not in ("fair", "joint", "tutorial"):
        raise ValueError(f"variant must be fair, joint or tutorial; got {variant!r}")
    tutorial = variant == "tutorial"
    tnn = torch.nn
    torch.manual_seed(0)

    def mlp_t(dims, out_act, dropout=0.0):
        layers = []
        for i, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
            layers.append(tnn.Linear(a, b))
            if i < len(dims) - 2:
                layers.append(tnn.LeakyReLU(0.2))
                if dropout:
                    layers.append(tnn.Dropout(dropout))
        if out_act is not None:
            layers.append(out_act())
        return tnn.Sequential(*layers)

    class ConditionalT(tnn.Module):
        def __init__(self, body):
            super().__init__()
            self.embedding = tnn.Embedding(NUM_CLASSES, EMBED)
            self.body = body

        def forward(self, x, labels):
            return self.body(torch.cat([x, self.embedding(labels)], 1))

    conditional = model == "cgan"
    if conditional:
        D = ConditionalT(mlp_t(D_DIMS, tnn.Sigmoid, dropout=0.3)).to(device)
        G = ConditionalT(mlp_t(G_DIMS, tnn.Tanh)).to(device)
        lr, nz = 1e-4, NOISE
    else:
        D = mlp_t(TINY_D_DIMS, tnn.Sigmoid).to(device)
        G = mlp_t(TINY_G_DIMS, None).to(device)
        lr, nz = 1e-3, TINY_G_DIMS[0]
    D.train(), G.train()
    d_opt = torch.optim.Adam(D.parameters(), lr=lr)
    g_opt = torch.optim.Adam(G.parameters(), lr=lr)
    bce = tnn.BCELoss()
    ones = torch.ones(m, 1, device=device)
    zeros = torch.zeros(m, 1, device=device)
    real_then_fake = torch.cat([ones, zeros])
    gen = torch.Generator(device="cpu").manual_seed(0)
    if conditional:
        pool = [(torch.rand(m, PIXELS, generator=gen).mul_(2).sub_(1).to(device),
                 torch.randint(0, NUM_CLASSES, (m,), generator=gen).to(device)) for _ in range(8)]
    else:
        pool = [(torch.randn(m, 1, generator=gen).mul_(1.25).add_(4).to(device), None) for _ in range(8)]

    def call(net, x, labels):
        return net(x, labels) if conditional else net(x)

    def step(real, labels):
        # discriminator update
        z = torch.randn(m, nz, device=device)
        fake_labels = torch.randint(0, NUM_CLASSES, (m,), device=device) if conditional else None
        if tutorial:
            fake = call(G, z, fake_labels)
        else:
            with torch.no_grad():
                fake = call(G, z, fake_labels)
        d_opt.zero_grad()
        if variant == "joint":
            both_labels = torch.cat([labels, fake_labels]) if conditional else None
            bce(call(D, torch.cat([real, fake]), both_labels), real_then_fake).backward()
        else:
            loss_real = bce(call(D, real, labels), ones)
            loss_fake = bce(call(D, fake, fake_labels), zeros)
            ((loss_real + loss_fake) / 2).backward()
        d_opt.step()
        # generator update (non-saturating)
        z = torch.randn(m, nz, device=device)
        fake_labels = torch.randint(0, NUM_CLASSES, (m,), device=device) if conditional else None
        g_opt.zero_grad()
        if not tutorial:
            D.requires_grad_(False)
        g_loss = bce(call(D, call(G, z, fake_labels), fake_labels), ones)
        g_loss.backward()
        g_opt.step()
        if not tutorial:
            D.requires_grad_(True)

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def run(steps):
        for i in range(steps):
            step(*pool[i % len(pool)])
        sync()
    return run


def torch_dcgan_runner(torch, m, device):
    """The PyTorch twin of minigan's DCGAN step (``minigan_dcgan``): the same layers (NCHW, PyTorch's
    default memory format), weights N(0, 0.02) and batch norm gamma N(1, 0.02), biases 0; the fake
    batch made under no_grad; D's loss (BCE(real, 1) + BCE(fake, 0)) / 2 from two passes (batch
    norm must not mix real and fake); G's update with D frozen (requires_grad_(False))."""
    tnn = torch.nn
    torch.manual_seed(0)
    G = tnn.Sequential(
        tnn.Linear(NOISE, 128 * 7 * 7, bias=False), tnn.BatchNorm1d(128 * 7 * 7), tnn.ReLU(),
        tnn.Unflatten(1, (128, 7, 7)),
        tnn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), tnn.BatchNorm2d(64), tnn.ReLU(),
        tnn.ConvTranspose2d(64, 1, 4, 2, 1), tnn.Tanh()).to(device)
    D = tnn.Sequential(
        tnn.Conv2d(1, 64, 4, 2, 1), tnn.LeakyReLU(0.2),
        tnn.Conv2d(64, 128, 4, 2, 1, bias=False), tnn.BatchNorm2d(128), tnn.LeakyReLU(0.2),
        tnn.Flatten(), tnn.Linear(128 * 7 * 7, 1)).to(device)
    with torch.no_grad():
        for layer in list(G) + list(D):
            if isinstance(layer, (tnn.Linear, tnn.Conv2d, tnn.ConvTranspose2d)):
                layer.weight.normal_(0.0, 0.02)
                if layer.bias is not None:
                    layer.bias.zero_()
            elif isinstance(layer, (tnn.BatchNorm1d, tnn.BatchNorm2d)):
                layer.weight.normal_(1.0, 0.02)
                layer.bias.zero_()
    D.train(), G.train()
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = tnn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(m, 1, device=device), torch.zeros(m, 1, device=device)
    gen = torch.Generator(device="cpu").manual_seed(0)
    pool = [torch.rand(m, 1, 28, 28, generator=gen).mul_(2).sub_(1).to(device) for _ in range(8)]

    def step(real):
        with torch.no_grad():
            fake = G(torch.randn(m, NOISE, device=device))
        d_opt.zero_grad()
        ((bce(D(real), ones) + bce(D(fake), zeros)) / 2).backward()
        d_opt.step()
        g_opt.zero_grad()
        D.requires_grad_(False)
        bce(D(G(torch.randn(m, NOISE, device=device))), ones).backward()
        g_opt.step()
        D.requires_grad_(True)

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    def run(steps):
        for i in range(steps):
            step(pool[i % len(pool)])
        sync()
    return run


# -- arithmetic: the matrix products of one step --------------------------------------
def dcgan_layer_gemms(m):
    """(forward, dW, dx) GEMM shapes (rows, cols, inner) of each DCGAN layer at batch m, in order
    G: Linear, ConvT 128->64, ConvT 64->1; D: Conv 1->64, Conv 64->128, Linear.

    A convolution is the GEMM cols (m*OH*OW, kh*kw*C) @ W^T (kh*kw*C, O) (``nn.conv``), its dW
    G^T cols and its dx (G W) before col2im; a transposed convolution is X (m*H*W, C) @ W
    (C, kh*kw*O), its dW X^T im2col(g), its dx im2col(g) W^T. Batch norm, activations, im2col and
    col2im are not GEMMs and are not counted."""
    def conv(rows, inner, out):            # y (rows, out) = x (rows, inner) @ W (inner, out)
        return {"fwd": (rows, out, inner), "dw": (inner, out, rows), "dx": (rows, inner, out)}
    g = [conv(m, NOISE, 128 * 49), conv(m * 49, 128, 16 * 64), conv(m * 196, 64, 16 * 1)]
    d = [conv(m * 196, 16 * 1, 64), conv(m * 49, 16 * 64, 128), conv(m, 128 * 49, 1)]
    return g, d


def dcgan_step_gemms(m):
    """The GEMMs of one DCGAN step as minigan computes it. D update: G forward; D forward,
    dW and dx (but not the first layer's dx: its input is data) on the real batch and again
    on the fake one (two passes: batch norm). G update: G forward, D forward, D dx only
    (frozen), G dW and dx (but not the first layer's: z is noise)."""
    g, d = dcgan_layer_gemms(m)
    fwd = lambda net: [layer["fwd"] for layer in net]  # noqa: E731
    dw = lambda net: [layer["dw"] for layer in net]  # noqa: E731
    dx = lambda net, first=True: [layer["dx"] for layer in net[0 if first else 1:]]  # noqa: E731
    one_d_pass = fwd(d) + dw(d) + dx(d, first=False)
    d_update = fwd(g) + 2 * one_d_pass
    g_update = fwd(g) + fwd(d) + dx(d) + dw(g) + dx(g, first=False)
    return d_update + g_update


def step_gemms(model, m):
    """(rows, cols, inner) of every Linear matrix product one training step needs.

    forward y = x W: (m, out, in); backward dW = x^T g: (in, out, m) and
    dx = g W^T: (m, in, out). The embedding's tiny products are left out.
    D update: G forward; D forward and backward on the 2m rows [real; fake], with
    no dx for D's first layer (its input is data). G update: G forward, D forward,
    D backward (dx only: D is frozen), G backward (no dx for G's first layer: z is noise).
    This is what minigan computes. PyTorch, in the tutorial's cGAN, also computes the
    first layers' dx (the concatenated embedding needs a gradient, and autograd cannot
    compute only its columns): 0.21 GFLOP more at batch 64; it is not counted.
    The DCGAN's list is ``dcgan_step_gemms``.
    """
    if model == "dcgan":
        return dcgan_step_gemms(m)
    g_dims, d_dims = (G_DIMS, D_DIMS) if model == "cgan" else (TINY_G_DIMS, TINY_D_DIMS)
    layers = lambda dims: list(zip(dims[:-1], dims[1:]))  # noqa: E731
    fwd = lambda dims, rows: [(rows, o, i) for i, o in layers(dims)]  # noqa: E731
    dw = lambda dims, rows: [(i, o, rows) for i, o in layers(dims)]  # noqa: E731
    dx = lambda dims, rows, first=True: [(rows, i, o) for i, o in layers(dims)[0 if first else 1:]]  # noqa: E731
    d_update = fwd(g_dims, m) + fwd(d_dims, 2 * m) + dw(d_dims, 2 * m) + dx(d_dims, 2 * m, first=False)
    g_update = fwd(g_dims, m) + fwd(d_dims, m) + dx(d_dims, m) + dw(g_dims, m) + dx(g_dims, m, first=False)
    return d_update + g_update


def gemm_flops(gemms):
    return sum(2 * a * b * c for a, b, c in gemms)


def time_gemms(gemms, repeats, seconds):
    """Seconds to run ``gemms`` back to back with float32 matmul into preallocated outputs: the
    fastest of ``repeats`` chunks (a floor is a best case, and a busy host only slows it down)."""
    xp = backend.xp
    rng = backend.rng()
    ops = [(rng.normal((a, c), dtype=xp.float32), rng.normal((c, b), dtype=xp.float32),
            xp.empty((a, b), dtype=xp.float32)) for a, b, c in gemms]

    def run(n):
        for _ in range(n):
            for x, w, out in ops:
                xp.matmul(x, w, out=out)
        backend.synchronize()
    _, [(fastest, _)] = median_seconds_per_step([run], repeats, seconds, warmup=0.3)
    return fastest


def peak_gflops(repeats, seconds, n=2048):
    """float32 GFLOP/s of one large square matmul: the machine's best case."""
    return 2 * n ** 3 / time_gemms([(n, n, n)], repeats, seconds) / 1e9


# -- timing ---------------------------------------------------------------------------------
class ForeignLoad:
    """CPU time used by *other* processes while timing (Linux /proc; None elsewhere), in cores.

    A run is only trustworthy when this stays near 0: on a 2-core machine one busy
    neighbour takes half of what a 2-thread run needs, and makes its threads wait.
    """

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat") as f:
                cpu = [int(v) for v in f.readline().split()[1:]]
            with open("/proc/self/stat") as f:
                own = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        busy = sum(cpu) - cpu[3] - cpu[4]                       # all but idle and iowait
        return busy, int(own[11]) + int(own[12]), time.perf_counter()   # this process: utime + stime

    def cores(self):
        end = self._sample()
        if self.start is None or end is None:
            return None
        (busy0, own0, t0), (busy1, own1, t1) = self.start, end
        return max(0, (busy1 - busy0) - (own1 - own0)) / os.sysconf("SC_CLK_TCK") / (t1 - t0)


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for the next allocation, for this whole process.

    By default glibc serves large arrays with fresh pages from the kernel (mmap, from 128 KB: a
    threshold it raises as such arrays are freed, up to 32 MB) and hands free memory at the top of
    its heap back (trim), so a step that frees and reallocates the same arrays pays a page fault
    for every fresh page it writes. Raising both thresholds (man 3 mallopt: M_MMAP_THRESHOLD = -3,
    M_TRIM_THRESHOLD = -1) makes arrays under 32 MB reuse freed heap memory. Returns True when
    applied, False where the C library is not glibc (nothing changes there)."""
    if platform.libc_ver()[0] != "glibc":
        return False
    mallopt = ctypes.CDLL(None).mallopt
    return bool(mallopt(-3, 32 << 20)) and bool(mallopt(-1, 1 << 30))


def minor_page_faults():
    """This process's minor page faults so far (fresh pages the kernel handed out), or None
    where the ``resource`` module is missing (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def median_seconds_per_step(runners, repeats, seconds, warmup, settle=0.0, faults=None):
    """Warm each runner up, size a chunk to ~``seconds``, then time ``repeats`` chunks of
    every runner, interleaved (A B A B ...). Returns each runner's median seconds/step
    and its (fastest, slowest) chunk. ``faults``, a list, receives each runner's minor page
    faults per step over its timed chunks (None where they cannot be counted)."""
    chunk = []
    for run in runners:
        steps, t0 = 0, time.perf_counter()
        while True:
            run(1)
            steps += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= warmup and steps >= 3:
                break
        chunk.append(max(2, int(seconds * steps / elapsed)))
    times = [[] for _ in runners]
    faulted = [0] * len(runners)
    for _ in range(repeats):
        for i, run in enumerate(runners):
            time.sleep(settle)
            f0, t0 = minor_page_faults(), time.perf_counter()
            run(chunk[i])
            times[i].append((time.perf_counter() - t0) / chunk[i])
            faulted[i] = None if f0 is None else faulted[i] + minor_page_faults() - f0
    if faults is not None:
        faults[:] = [None if f is None else f / (repeats * c) for f, c in zip(faulted, chunk)]
    return [statistics.median(t) for t in times], [(min(t), max(t)) for t in times]


def openblas_kernel():
    """The kernel family NumPy's OpenBLAS runs ("SkylakeX", "Haswell", ...), or None.

    OpenBLAS picks it from the CPU at load time unless the environment variable
    ``OPENBLAS_CORETYPE`` names one: on an AVX-512 machine a forced "Haswell" runs the
    AVX2 kernels, about half the matmul speed (measured: 242 against 451 GFLOP/s on
    2 cores of an AMD EPYC, 2026-12-04). PyTorch's MKL/oneDNN ignores that variable, so
    a forced kernel slows only minigan's side of the comparison.
    """
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower() and line.rstrip().endswith(".so")}
    except OSError:
        return None
    for path in sorted(paths):
        lib = ctypes.CDLL(path)
        for symbol in ("scipy_openblas_get_corename64_", "scipy_openblas_get_corename", "openblas_get_corename64_",
                       "openblas_get_corename"):
            if hasattr(lib, symbol):
                getter = getattr(lib, symbol)
                getter.restype = ctypes.c_char_p
                return getter().decode()
    return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or "unknown CPU"


def load_torch(args):
    if args.no_torch:
        return None, None
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: timing minigan only (pip install torch to compare).")
        return None, None
    torch.set_num_threads(args.threads)
    device = "cpu"
    if args.backend == "cupy":
        if not torch.cuda.is_available():
            print("--backend cupy: torch.cuda is not available, so PyTorch is not compared.")
            return None, None
        device = "cuda"
    return torch, device


def main(args):
    torch, device = load_torch(args)
    meta = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{cpu_model()}, {os.cpu_count()} logical CPUs, {platform.machine()}",
        "python": platform.python_version(), "numpy": numpy.__version__,
        "torch": torch.__version__ if torch else None, "backend": backend.name,
        "threads": args.threads, "repeats": args.repeats, "seconds": args.seconds,
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    meta["minigan"] = os.path.dirname(os.path.abspath(sys.modules["minigan"].__file__))
    meta["malloc"] = args.malloc
    meta["freed_memory_kept"] = keep_freed_memory() if args.malloc == "keep" else False
    print(f"minigan ({meta['minigan']}) backend {backend.name}, numpy {numpy.__version__}, "
          f"torch {meta['torch']}, {args.threads} threads, load average {meta['loadavg_start']}")
    print(f"allocator: {'freed memory kept for reuse (both frameworks)' if meta['freed_memory_kept'] else 'defaults'}"
          + (" -- not glibc, so --malloc keep changed nothing" if args.malloc == "keep"
             and not meta["freed_memory_kept"] else ""))
    checkout = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "minigan")
    if os.path.realpath(meta["minigan"]) != os.path.realpath(checkout):
        print(f"WARNING: timing the minigan at {meta['minigan']}, not this script's checkout {checkout} "
              f"(an installed minigan wins). To time this checkout: "
              f"PYTHONPATH={os.path.dirname(checkout)} python {' '.join(sys.argv)}")
    peak = peak_gflops(3, 0.5)
    meta["peak_gemm_gflops"] = peak
    meta["openblas_kernel"] = openblas_kernel() if backend.name == "numpy" else None
    print(f"{meta['machine']}; float32 matmul 2048^3: {peak:.0f} GFLOP/s; OpenBLAS kernel {meta['openblas_kernel']}")
    forced = {var: os.environ[var] for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if var in os.environ}
    meta["openblas_forced"] = forced
    if forced and backend.name == "numpy":
        print(f"WARNING: {forced} is set: OpenBLAS runs the kernel named there, not the one it would pick for "
              f"this CPU, and PyTorch is not affected. To time what a user's NumPy runs: "
              f"env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python {' '.join(sys.argv)}")

    cases = [("cgan", m) for m in args.batch_sizes] * ("cgan" in args.models)
    cases += [("dcgan", m) for m in args.batch_sizes] * ("dcgan" in args.models)
    cases += [("tiny", args.tiny_batch)] * ("tiny" in args.models)
    results = []
    header = (f"{'model':5} {'batch':>5} {'framework':22} {'steps/s':>8} {'(min-max)':>15} {'GFLOP/s':>8} "
              f"{'floor%':>7} {'faults/step':>11}")
    print(header)
    for model, m in cases:
        gemms = step_gemms(model, m)
        flops = gemm_flops(gemms)
        floor = time_gemms(gemms, 5, 0.3)
        names, runners = ["minigan"], [minigan_runner(model, m)]
        if torch is not None and model == "dcgan":        # batch norm: no one-pass or tutorial variant
            names.append(f"torch ({device})")
            runners.append(torch_dcgan_runner(torch, m, device))
        elif torch is not None:
            names.append(f"torch ({device})")
            runners.append(torch_runner(torch, model, m, device))
            if not args.no_joint:
                names.append(f"torch one D pass ({device})")
                runners.append(torch_runner(torch, model, m, device, variant="joint"))
            if not args.no_tutorial:
                names.append(f"torch tutorial ({device})")
                runners.append(torch_runner(torch, model, m, device, variant="tutorial"))
        if args.plain:                                     # last, so that the torch ratios keep their indices
            names.append("minigan plain")
            runners.append(minigan_runner(model, m, plain=True))
        load = ForeignLoad()
        faults = []
        medians, spreads = median_seconds_per_step(runners, args.repeats, args.seconds, args.warmup, args.settle,
                                                   faults)
        foreign = load.cores()
        row = {"model": model, "batch": m, "gemm_gflop_per_step": flops / 1e9,
               "gemm_floor_ms": floor * 1e3, "other_processes_cores": foreign, "frameworks": {}}
        for name, sec, (lo, hi), fault in zip(names, medians, spreads, faults):
            entry = {"steps_per_s": 1 / sec, "min_steps_per_s": 1 / hi, "max_steps_per_s": 1 / lo,
                     "ms_per_step": sec * 1e3, "gflops": flops / sec / 1e9, "floor_fraction": floor / sec,
                     "page_faults_per_step": fault}
            row["frameworks"][name] = entry
            print(f"{model:5} {m:5d} {name:22} {entry['steps_per_s']:8.3g} "
                  f"({entry['min_steps_per_s']:6.3g}-{entry['max_steps_per_s']:6.3g}) "
                  f"{entry['gflops']:8.1f} {100 * entry['floor_fraction']:6.0f}% "
                  f"{'-' if fault is None else f'{fault:.0f}':>11}")
        if torch is not None:
            ratio = medians[1] / medians[0]
            row["ratio_vs_torch"] = ratio
            line = f"{'':11} minigan / torch = {ratio:.2f}x"
            if not args.no_joint and model != "dcgan":
                row["ratio_vs_torch_one_d_pass"] = medians[2] / medians[0]
                line += f", / torch one D pass = {medians[2] / medians[0]:.2f}x"
            print(f"{line}   (GEMMs {flops / 1e9:.3f} GFLOP/step, GEMM floor {floor * 1e3:.2f} ms = {1 / floor:.0f} steps/s)")
        else:
            print(f"{'':11} GEMMs {flops / 1e9:.3f} GFLOP/step, GEMM floor {floor * 1e3:.2f} ms")
        if args.plain:
            row["ratio_plain_vs_fast"] = medians[-1] / medians[0]
            print(f"{'':11} minigan plain / minigan (time per step) = {medians[-1] / medians[0]:.2f}x")
        if foreign is not None:
            warn = "  <- NOT QUIET: numbers not comparable" if foreign > 0.1 else ""
            print(f"{'':11} other processes used {foreign:.2f} cores while timing{warn}")
        results.append(row)
    meta["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"load average at the end: {meta['loadavg_end']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"meta": meta, "results": results}, f, indent=2)
        print(f"saved {args.json}")


if __name__ == "__main__":
    main(ARGS)
