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

from . import backend
from .losses import BCELoss, BCEWithLogitsLoss, mean
from .nn.activations import sigmoid
from .nn.module import backward_to, is_rowwise, set_requires_grad

GENERATOR_LOSSES = ("non-saturating", "minimax")
NOISE_PRIORS = ("uniform", "normal")
HISTORY_KEYS = ("d_loss", "g_loss", "d_real", "d_fake", "value")


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

    Attribute ``joint_d_pass``: True (chosen when every layer of D is row-wise) runs D's
    update as one pass over [real; fake]; False runs the paper's two passes. Both give the
    same gradient; set it False to follow the two-pass code.
    """

    def __init__(self, generator, discriminator, g_optimizer, d_optimizer, noise_dim: int, *,
                 k: int = 1, generator_loss: str = "non-saturating", noise: str = "uniform",
                 num_classes: int | None = None, logits: bool = False, log_every: int = 50):
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {', '.join(GENERATOR_LOSSES)}; got {generator_loss!r}")
        if noise not in NOISE_PRIORS:
            raise ValueError(f"noise must be one of {', '.join(NOISE_PRIORS)}; got {noise!r}")
        for arg, value in (("k", k), ("noise_dim", noise_dim), ("log_every", log_every)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{arg} must be a positive integer; got {value!r}")
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
        self.bce = BCEWithLogitsLoss() if logits else BCELoss()
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
        return self.discriminator(x) if labels is None else self.discriminator(x, labels)

    def _probability(self, d_out):
        return sigmoid(d_out) if self.logits else d_out

    def generate(self, m: int, labels=None, z=None):
        """m samples G(z) in evaluation mode, shape (m, ...). Pass ``z`` and/or ``labels`` to fix them."""
        z = self.sample_noise(m) if z is None else z
        if labels is None:
            labels = self.sample_labels(m)
        self.generator.eval()
        try:
            return self._g(z, labels)
        finally:
            self.generator.train()

    # -- the two updates ----------------------------------------------------------
    def discriminator_step(self, real, labels=None):
        """One update of D: descend BCE(D(x), 1) + BCE(D(G(z)), 0), with G fixed.

        real: (m, ...) samples from the data; labels: (m,) for a conditional GAN.
        Returns the device scalars (d_loss, mean D(x), mean D(G(z)), V).
        """
        m = real.shape[0]
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
        d_both = self._d(xp.concatenate([real, fake]), both_labels)
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
            # dL/dG(z) flows back through D; z is noise, so G needs no dL/dz
            backward_to(self.generator, D.backward(grad), input_grad=False)
        finally:
            set_requires_grad(self._d_parameters, True)    # D trains again, even after an error
        self.g_optimizer.step()
        self.g_steps += 1
        self._pending["g_loss"].append(g_loss)
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
    def _flush(self):
        """Read pending device scalars back to the host in one transfer per key."""
        xp = backend.xp
        for key, values in self._pending.items():
            if values:
                self._history[key].extend(float(v) for v in backend.to_numpy(xp.stack(values)))
        self._pending.clear()

    @property
    def history(self) -> dict:
        """Per-step records as host lists: d_loss, d_real, d_fake, value (one per D step), g_loss (one per G step)."""
        self._flush()
        return {key: list(self._history.get(key, [])) for key in HISTORY_KEYS}

    def last(self, key: str, n: int = 1) -> float:
        """Mean of the last n recorded values of ``key`` (reads back pending values)."""
        if key not in HISTORY_KEYS:
            raise KeyError(f"last: key must be one of {', '.join(HISTORY_KEYS)}; got {key!r}")
        self._flush()
        values = self._history[key][-n:]          # no copy of the whole history, unlike .history
        return sum(values) / len(values) if values else math.nan

    # -- saving and resuming --------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to resume: both networks, both optimizers, counters, history, random state."""
        return {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            "counters": {"iteration": self.iteration, "d_steps": self.d_steps, "g_steps": self.g_steps},
            "history": self.history,
            "rng": backend.rng().get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.g_optimizer.load_state_dict(state["g_optimizer"])
        self.d_optimizer.load_state_dict(state["d_optimizer"])
        counters = state["counters"]
        self.iteration, self.d_steps, self.g_steps = counters["iteration"], counters["d_steps"], counters["g_steps"]
        self._pending.clear()
        self._history = defaultdict(list, {k: list(v) for k, v in state["history"].items()})
        backend.rng().set_state(state["rng"])
