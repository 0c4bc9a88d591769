"""The original GAN algorithm (Goodfellow et al. 2014, Algorithm 1).

Two players share one value function

    V(D, G) = E_x~p_data[log D(x)] + E_z~p_z[log(1 - D(G(z)))]

The discriminator D (the police) ascends V; the generator G (the
counterfeiter) descends it. Each training iteration is

    for k steps:                      # discriminator_step
        sample m real x and m noise z
        ascend  log D(x) + log(1 - D(G(z)))        (G fixed)
    sample m noise z                  # generator_step
    descend log(1 - D(G(z)))       "minimax"        (D frozen)
    or ascend log D(G(z))          "non-saturating" (the paper's practical choice)

In minimisation form, D minimises the binary cross-entropy with real = 1 and
fake = 0, so ``d_loss = (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2`` and the value is
``V = -(BCE(D(x), 1) + BCE(D(G(z)), 0))``; at the optimum D(x) = 1/2 everywhere
and V = -log 4.

Conditional models (Mirza & Osindero 2014) pass class labels to both G and D;
the same code trains them.
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy

from . import backend
from .averaging import ExponentialAverage
from .errors import TrainingDiverged
from .losses import BCELoss, BCEWithLogitsLoss, mean
from .nn.activations import sigmoid
from .nn.module import backward_to, is_rowwise, set_requires_grad

GENERATOR_LOSSES = ("non-saturating", "minimax")
NOISE_PRIORS = ("uniform", "normal")
HISTORY_KEYS = ("d_loss", "g_loss", "d_real", "d_fake", "value", "d_grad_norm", "g_grad_norm")
#: recorded once per generator step; the other keys once per discriminator step
G_KEYS = ("g_loss", "g_grad_norm")
#: recorded as squared norms on the device, rooted on the host at read-back
NORM_KEYS = ("d_grad_norm", "g_grad_norm")


def pack_samples(x, pack: int):
    """PacGAN's packing: concatenate each run of ``pack`` consecutive samples along the features.

    x (n, f, ...) -> (n / pack, pack * f, ...): packed row i is [x[i*pack], ..., x[i*pack + pack-1]]
    (for images (n, C, H, W), the channels are stacked). A row-major reshape, no copy.
    pack = 1 returns x itself.
    """
    if pack == 1:
        return x
    n = x.shape[0]
    return x.reshape(n // pack, pack * x.shape[1], *x.shape[2:])


def unpack_gradient(grad_packed, pack: int):
    """The adjoint of :func:`pack_samples`: dL/dx (n, f, ...) from dL/d(packed) (n / pack, pack * f, ...).

    Packing only moves numbers, so the gradient of each sample is its own block of the packed
    row's gradient: dL/dx[i*pack + j] = dL/dpacked[i, j*f:(j+1)*f]. The reverse reshape.
    """
    if pack == 1:
        return grad_packed
    rows = grad_packed.shape[0]
    return grad_packed.reshape(rows * pack, grad_packed.shape[1] // pack, *grad_packed.shape[2:])


class GAN:
    """A generator, a discriminator, their optimizers, and Algorithm 1.

    Args:
        generator: Module mapping noise (m, noise_dim) [and labels (m,)] to samples (m, ...).
        discriminator: Module mapping samples [and labels] to (m, 1): probabilities
            (ending in Sigmoid) or, with ``logits=True``, logits.
        g_optimizer, d_optimizer: each network has its own optimizer and learning rate.
        noise_dim: size of z.
        k: discriminator steps per generator step (Algorithm 1's k).
        generator_loss: "non-saturating" (default) or "minimax".
        noise: the prior p_z, "uniform" on [-1, 1] or "normal" N(0, I).
        num_classes: set for a conditional GAN; fake labels are drawn uniformly.
        logits: the discriminator outputs logits (use the fused, stable BCE).
        log_every: history is read back to the host every this many iterations
            (on a GPU, reading a number forces a wait, so not every step).
        pack: PacGAN's packing degree (Lin et al. 2018; default 1 = the plain GAN). D judges
            ``pack`` samples at a time, all real or all fake, concatenated along the features
            (:func:`pack_samples`), so D's input width is pack * the sample width; batches
            must hold a multiple of ``pack`` samples.
        ema_decay: > 0 keeps an exponential moving average of G's weights with this factor
            (``minigan.averaging``; e.g. 0.999) and draws samples from it (:attr:`sampler`);
            0 (default) samples the trained G itself. Training is the same either way.

    Attribute ``joint_d_pass``: True (chosen when every layer of D is row-wise) runs D's
    update as one pass over [real; fake]; False runs the paper's two passes. Both give the
    same gradient; set it False to follow the two-pass code.
    """

    def __init__(self, generator, discriminator, g_optimizer, d_optimizer, noise_dim: int, *,
                 k: int = 1, generator_loss: str = "non-saturating", noise: str = "uniform",
                 num_classes: int | None = None, logits: bool = False, log_every: int = 50,
                 pack: int = 1, ema_decay: float = 0.0):
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {', '.join(GENERATOR_LOSSES)}; got {generator_loss!r}")
        if noise not in NOISE_PRIORS:
            raise ValueError(f"noise must be one of {', '.join(NOISE_PRIORS)}; got {noise!r}")
        for arg, value in (("k", k), ("noise_dim", noise_dim), ("log_every", log_every), ("pack", pack)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{arg} must be a positive integer; got {value!r}")
        if pack > 1 and num_classes is not None:
            raise ValueError(f"pack > 1 needs an unconditional GAN (one label per packed row is not defined); "
                             f"got pack={pack}, num_classes={num_classes}")
        self.generator, self.discriminator = generator, discriminator
        # D's parameters, listed once: generator_step freezes them, and walking D's module
        # tree twice per step costs the tiny 1-D GAN 5% of its step.
        self._d_parameters = discriminator.parameters()
        # D's update runs D once on [real; fake] when D treats rows independently
        # (set False to run the paper's two passes; the gradient is the same)
        self.joint_d_pass = is_rowwise(discriminator)
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.noise_dim, self.k = noise_dim, k
        self.generator_loss, self.noise = generator_loss, noise
        self.num_classes, self.logits, self.log_every = num_classes, logits, log_every
        self.pack = pack
        if isinstance(ema_decay, bool) or not isinstance(ema_decay, (int, float)) or not 0 <= ema_decay < 1:
            raise ValueError(f"ema_decay must be 0 (off) or in (0, 1), e.g. 0.999; got {ema_decay!r}")
        self.average = ExponentialAverage(generator, ema_decay) if ema_decay else None
        self.bce = BCEWithLogitsLoss() if logits else BCELoss(reject_nan=False, check_target=False)
        self.iteration = 0            # completed Algorithm-1 iterations (k D steps + 1 G step)
        self.d_steps = 0
        self.g_steps = 0
        self._pending = defaultdict(list)   # device scalars not yet read back
        self._history = defaultdict(list)

    # -- sampling ---------------------------------------------------------------
    def sample_noise(self, m: int):
        """z ~ p_z, shape (m, noise_dim)."""
        rng = backend.rng()
        if self.noise == "uniform":
            return rng.uniform(-1.0, 1.0, (m, self.noise_dim))
        return rng.normal((m, self.noise_dim))

    def sample_labels(self, m: int):
        """Class labels uniform over num_classes, shape (m,); None for an unconditional GAN."""
        return None if self.num_classes is None else backend.rng().integers(self.num_classes, (m,))

    def _g(self, z, labels):
        return self.generator(z) if labels is None else self.generator(z, labels)

    def _d(self, x, labels):
        """D on samples x (n, ...), packed into (n / pack, pack * features, ...) first."""
        x = pack_samples(x, self.pack)
        return self.discriminator(x) if labels is None else self.discriminator(x, labels)

    def _check_packable(self, n: int, what: str) -> None:
        if n % self.pack:
            raise ValueError(f"GAN: {what} must be a multiple of pack={self.pack} samples; got {n}")

    def _probability(self, d_out):
        return sigmoid(d_out) if self.logits else d_out

    @property
    def sampler(self):
        """The generator that samples are drawn from: the weight average with ``ema_decay``, else G."""
        return self.generator if self.average is None else self.average.average

    def generate(self, m: int, labels=None, z=None):
        """m samples of :attr:`sampler` in evaluation mode, shape (m, ...). Pass ``z`` and/or
        ``labels`` to fix them."""
        z = self.sample_noise(m) if z is None else z
        if labels is None:
            labels = self.sample_labels(m)
        net = self.sampler
        was_training = net.training
        net.eval()
        try:
            return net(z) if labels is None else net(z, labels)
        finally:
            net.train(was_training)

    # -- the two updates ----------------------------------------------------------
    def discriminator_step(self, real, labels=None):
        """One update of D: descend BCE(D(x), 1) + BCE(D(G(z)), 0), with G fixed.

        real: (m, ...) samples from the data; labels: (m,) for a conditional GAN.
        Returns the device scalars (d_loss, mean D(x), mean D(G(z)), V).
        """
        m = real.shape[0]
        self._check_packable(m, "the real batch")
        if (labels is None) != (self.num_classes is None):
            raise ValueError("labels must be given exactly when the GAN is conditional (num_classes set); "
                             f"num_classes={self.num_classes}, labels {'missing' if labels is None else 'given'}")
        fake_labels = self.sample_labels(m)
        fake = self._g(self.sample_noise(m), fake_labels)   # G's forward only: no G update here

        self.d_optimizer.zero_grad()        # nothing from G's last step reaches D's update
        if self.joint_d_pass:
            d_loss, d_real, d_fake = self._d_update_joint(real, labels, fake, fake_labels)
        else:
            d_loss, d_real, d_fake = self._d_update_separate(real, labels, fake, fake_labels)
        self.d_optimizer.step()
        self.d_steps += 1

        # V = -(BCE_real + BCE_fake) = -2 d_loss
        stats = (d_loss, mean(self._probability(d_real)), mean(self._probability(d_fake)), -2 * d_loss)
        for key, value in zip(("d_loss", "d_real", "d_fake", "value"), stats):
            self._pending[key].append(value)
        self._record_grad_norm("d_grad_norm", self.d_optimizer)
        return stats

    def _d_update_separate(self, real, labels, fake, fake_labels):
        """D's gradient as the paper writes it: a pass on the real batch, a pass on the fake one.
        Returns (d_loss, D's outputs on real (m, 1), on fake (m, 1))."""
        xp, D, bce = backend.xp, self.discriminator, self.bce
        # real and fake are data here: D's update needs no dL/dx (input_grad=False)
        d_real = self._d(real, labels)
        loss_real = bce(d_real, xp.ones_like(d_real))
        backward_to(D, 0.5 * bce.backward(), input_grad=False)
        d_fake = self._d(fake, fake_labels)
        loss_fake = bce(d_fake, xp.zeros_like(d_fake))
        backward_to(D, 0.5 * bce.backward(), input_grad=False)
        return 0.5 * (loss_real + loss_fake), d_real, d_fake

    def _d_update_joint(self, real, labels, fake, fake_labels):
        """The same gradient in one pass over the 2m rows [x; G(z)] with targets [1; 0]:
        the mean BCE over 2m rows is (BCE_real + BCE_fake) / 2, and its gradient is half
        of each pass's. Half the calls and twice-as-tall matrix products; only for a D that
        treats rows independently (``nn.module.is_rowwise``), as minibatch discrimination does not."""
        xp, D, bce = backend.xp, self.discriminator, self.bce
        m = real.shape[0]
        both_labels = None if labels is None else xp.concatenate([labels, fake_labels])
        # with packing, m is a multiple of pack, so no packed row mixes real and fake samples
        d_both = self._d(xp.concatenate([real, fake]), both_labels)
        m = d_both.shape[0] // 2        # D's verdicts on real rows (m / pack of them when packed)
        targets = xp.zeros_like(d_both)
        targets[:m] = 1
        d_loss = bce(d_both, targets)
        backward_to(D, bce.backward(), input_grad=False)
        return d_loss, d_both[:m], d_both[m:]

    def generator_step(self, m: int):
        """One update of G on m fresh noise samples, with D frozen.

        non-saturating: descend -log D(G(z)) = BCE(D(G(z)), 1)
        minimax:        descend  log(1 - D(G(z))) = -BCE(D(G(z)), 0)
        Returns the device scalar g_loss.
        """
        xp = backend.xp
        self._check_packable(m, "the generator's batch")
        labels = self.sample_labels(m)
        fake = self._g(self.sample_noise(m), labels)
        D, bce = self.discriminator, self.bce
        set_requires_grad(self._d_parameters, False)   # D.requires_grad_(False): D's parameters
        try:                                            # neither move nor collect gradients
            d_fake = self._d(fake, labels)
            self.g_optimizer.zero_grad()
            if self.generator_loss == "non-saturating":
                g_loss = bce(d_fake, xp.ones_like(d_fake))
                grad = bce.backward()
            else:
                g_loss = -bce(d_fake, xp.zeros_like(d_fake))
                grad = -bce.backward()
            # dL/dG(z) flows back through D (and through the packing, undone); z is noise,
            # so G needs no dL/dz
            grad_fake = unpack_gradient(D.backward(grad), self.pack)
            backward_to(self.generator, grad_fake, input_grad=False)
        finally:
            set_requires_grad(self._d_parameters, True)    # D trains again, even after an error
        self.g_optimizer.step()
        if self.average is not None:
            self.average.update()
        self.g_steps += 1
        self._pending["g_loss"].append(g_loss)
        self._record_grad_norm("g_grad_norm", self.g_optimizer)
        return g_loss

    def train_step(self, real_batches):
        """One iteration of Algorithm 1: k discriminator steps, each on a fresh batch
        from the iterator ``real_batches`` (yielding x or (x, labels)), then one generator step."""
        for _ in range(self.k):
            batch = next(real_batches)
            real, labels = batch if isinstance(batch, tuple) else (batch, None)
            self.discriminator_step(real, labels)
        self.generator_step(real.shape[0])
        self.iteration += 1
        if self.iteration % self.log_every == 0:
            self._flush()

    # -- history ------------------------------------------------------------------
    def _record_grad_norm(self, key, optimizer):
        """Queue ||g||^2 of the gradient the optimizer just applied: one dot product of its
        packed flat buffer (P,), on the device; the square root is taken at read-back."""
        grad = optimizer.grad          # step() has filled every view (flat_grad)
        self._pending[key].append(grad.dot(grad))

    def _flush(self):
        """Read pending device scalars back to the host in one transfer per key, then stop
        training if any of them, or any parameter, is not a finite number (TrainingDiverged).

        The check costs nothing per step: the values are on the host already, and the
        parameters are checked with one reduction per network per read-back."""
        xp = backend.xp
        new = {}
        for key, values in self._pending.items():
            if values:
                host = backend.to_numpy(xp.stack(values)).astype(float)
                new[key] = host ** 0.5 if key in NORM_KEYS else host
        self._pending.clear()
        for key, host in new.items():
            self._history[key].extend(float(v) for v in host)
        if new and self.check_divergence:
            self._check_finite(new)

    #: Stop with TrainingDiverged at the first read-back that sees a non-finite number.
    check_divergence = True

    def _check_finite(self, new: dict) -> None:
        """Raise TrainingDiverged for the earliest non-finite value among the values just read
        back (``new``: key -> host array of the latest steps), else for non-finite parameters."""
        first = None
        for key in HISTORY_KEYS:                 # this order breaks ties: losses before outputs
            host = new.get(key)
            if host is None or bool(numpy.isfinite(host).all()):
                continue
            j = int(numpy.flatnonzero(~numpy.isfinite(host))[0])
            # the last value is the latest step's: count back from the step counters
            if key in G_KEYS:
                iteration = self.g_steps - len(host) + j + 1
            else:
                iteration = (self.d_steps - len(host) + j) // self.k + 1
            if first is None or iteration < first[1]:
                first = (key, iteration, float(host[j]))
        if first is not None:
            raise TrainingDiverged(*first, found_at=self.iteration)
        xp = backend.xp
        optimizers = (("discriminator parameters", self.d_optimizer), ("generator parameters", self.g_optimizer))
        finite = backend.to_numpy(xp.stack([xp.isfinite(opt.data).all() for _, opt in optimizers]))
        for (name, _), ok in zip(optimizers, finite):
            if not ok:
                raise TrainingDiverged(name, self.iteration, found_at=self.iteration)

    @property
    def history(self) -> dict:
        """Per-step records as host lists: d_loss, d_real, d_fake, value, d_grad_norm (one per D step),
        g_loss, g_grad_norm (one per G step). The gradient norms are ||dL/dθ|| over all of a
        network's parameters (its optimizer's flat buffer). A state saved before they were
        recorded gives shorter (or empty) gradient-norm lists."""
        self._flush()
        return {key: list(self._history.get(key, [])) for key in HISTORY_KEYS}

    def recent_history(self, iterations: int) -> dict:
        """The ``history`` of the last ``iterations`` iterations only (k * iterations D steps),
        without copying the whole of it: what a progress line's health check reads."""
        self._flush()
        counts = {key: iterations if key in G_KEYS else iterations * self.k for key in HISTORY_KEYS}
        return {key: self._history[key][-counts[key]:] for key in HISTORY_KEYS}

    def last(self, key: str, n: int = 1) -> float:
        """Mean of the last n recorded values of ``key`` (reads back pending values)."""
        if key not in HISTORY_KEYS:
            raise KeyError(f"last: key must be one of {', '.join(HISTORY_KEYS)}; got {key!r}")
        self._flush()
        values = self._history[key][-n:]          # no copy of the whole history, unlike .history
        return sum(values) / len(values) if values else math.nan

    # -- saving and resuming --------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to resume: both networks, both optimizers, counters, history, random state
        (and with ``ema_decay``, the weight average as ``"generator_average"``)."""
        state = {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            "counters": {"iteration": self.iteration, "d_steps": self.d_steps, "g_steps": self.g_steps},
            "history": self.history,
            "rng": backend.rng().get_state(),
        }
        if self.average is not None:
            state["generator_average"] = self.average.state_dict()
        return state

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` saved. A state of another model (other layers or sizes)
        raises KeyError/ValueError naming the part ("generator", ...) and the mismatching keys."""
        parts = ("generator", "discriminator", "g_optimizer", "d_optimizer", "counters", "history")
        if self.average is not None:
            parts += ("generator_average",)
        missing = [part for part in parts if part not in state]
        if missing == ["generator_average"]:
            raise KeyError(f"GAN.load_state_dict: the state has no generator_average: it was saved by a GAN "
                           f"without ema_decay, and this one has ema_decay={self.average.decay}")
        if self.average is None and "generator_average" in state:
            raise ValueError(f"GAN.load_state_dict: the state has a generator_average (saved with ema_decay="
                             f"{state['generator_average']['decay']}), and this GAN keeps none: build it with that "
                             f"ema_decay, or the average would be lost")
        if missing:
            raise KeyError(f"GAN.load_state_dict: the state has no {', '.join(missing)}: not a GAN's state_dict "
                           f"(it has {', '.join(map(str, state)) or 'nothing'})")
        owners = {"generator": self.generator, "discriminator": self.discriminator,
                  "g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer,
                  "generator_average": self.average}
        for part in parts:
            if part not in owners:          # counters and history: restored below
                continue
            try:
                owners[part].load_state_dict(state[part])
            except (KeyError, ValueError, TypeError) as exc:
                message = exc.args[0] if exc.args else repr(exc)
                raise type(exc)(f"GAN.load_state_dict: {part} does not match this GAN's: {message}") from exc
        counters = state["counters"]
        self.iteration, self.d_steps, self.g_steps = counters["iteration"], counters["d_steps"], counters["g_steps"]
        self._pending.clear()
        self._history = defaultdict(list, {k: list(v) for k, v in state["history"].items()})
        backend.rng().set_state(state["rng"])
