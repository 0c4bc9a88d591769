"""Everything around Algorithm 1 that is not the algorithm: the constructor and its checks,
sampling z and labels, drawing samples, D's update in one joint pass, saving and resuming.
``algorithm1.GAN`` builds on :class:`GANBase`; read that file first.
"""
from __future__ import annotations

from .. import backend
from ..checks import check_number, check_positive_int
from ..losses import BCELoss, BCEWithLogitsLoss
from ..nn.activations import sigmoid
from ..nn.module import backward_to, is_rowwise
from .averaging import ExponentialAverage
from .history import History
from .noise import check_prior, draw_noise
from .packing import pack_samples
from .saving import load_parts

GENERATOR_LOSSES = ("non-saturating", "minimax")


class GANBase(History):
    """A generator, a discriminator, their optimizers and settings (see ``GAN`` for the arguments)."""

    def __init__(self, generator, discriminator, g_optimizer, d_optimizer, noise_dim: int, *,
                 k: int = 1, generator_loss: str = "non-saturating", noise: str = "uniform",
                 num_classes: int | None = None, logits: bool = False, log_every: int = 50,
                 pack: int = 1, ema_decay: float = 0.0):
        if generator_loss not in GENERATOR_LOSSES:
            raise ValueError(f"generator_loss must be one of {', '.join(GENERATOR_LOSSES)}; got {generator_loss!r}")
        check_prior(noise)
        for arg, value in (("k", k), ("noise_dim", noise_dim), ("log_every", log_every), ("pack", pack)):
            check_positive_int(arg, value)
        if pack > 1 and num_classes is not None:
            raise ValueError(f"pack > 1 needs an unconditional GAN (one label per packed row is not defined); "
                             f"got pack={pack}, num_classes={num_classes}")
        check_number("ema_decay (0: off)", ema_decay, 0, 1, high_open=True, example="0.999")
        super().__init__()
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
        self.average = ExponentialAverage(generator, ema_decay) if ema_decay else None
        self.bce = BCEWithLogitsLoss() if logits else BCELoss(reject_nan=False, check_target=False)

    # -- sampling ---------------------------------------------------------------
    def sample_noise(self, m: int):
        """z ~ p_z, shape (m, noise_dim), from the backend's global random stream."""
        return draw_noise(backend.rng(), self.noise, (m, self.noise_dim))

    def sample_labels(self, m: int):
        """Class labels uniform over num_classes, shape (m,); None for an unconditional GAN."""
        return None if self.num_classes is None else backend.rng().integers(self.num_classes, (m,))

    def G(self, z, labels=None):
        """G(z) or, for a conditional GAN, G(z, labels): samples (m, ...)."""
        return self.generator(z) if labels is None else self.generator(z, labels)

    def D(self, x, labels=None):
        """D on samples x (n, ...), packed into (n / pack, pack * features, ...) first (``pack``)."""
        x = pack_samples(x, self.pack)
        return self.discriminator(x) if labels is None else self.discriminator(x, labels)

    def probability(self, d_out):
        """D's output as a probability: sigmoid(d_out) for a D that outputs logits."""
        return sigmoid(d_out) if self.logits else d_out

    def check_batch(self, m: int, what: str) -> None:
        """A batch of m samples must be a multiple of ``pack`` (D judges ``pack`` at a time)."""
        if m % self.pack:
            raise ValueError(f"GAN: {what} must be a multiple of pack={self.pack} samples; got {m}")

    def check_labels(self, labels) -> None:
        """Labels are given exactly for a conditional GAN (``num_classes`` set)."""
        if (labels is None) != (self.num_classes is None):
            raise ValueError("labels must be given exactly when the GAN is conditional (num_classes set); "
                             f"num_classes={self.num_classes}, labels {'missing' if labels is None else 'given'}")

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

    # -- D's update in one pass ------------------------------------------------------
    def d_gradient_joint(self, real, labels, fake, fake_labels):
        """The gradient of ``GAN.d_gradient_two_passes`` in one pass over the 2m rows [x; G(z)] with
        targets [1; 0]: the mean BCE over 2m rows is (BCE_real + BCE_fake) / 2, and its gradient is
        half of each pass's. Half the calls and twice-as-tall matrix products; only for a D that
        treats rows independently (``nn.module.is_rowwise``), as minibatch discrimination does not.
        Returns (d_loss, D's outputs on real, on fake)."""
        xp, bce = backend.xp, self.bce
        both_labels = None if labels is None else xp.concatenate([labels, fake_labels])
        # with packing, m is a multiple of pack, so no packed row mixes real and fake samples
        d_both = self.D(xp.concatenate([real, fake]), both_labels)
        m = d_both.shape[0] // 2        # D's verdicts on real rows (m / pack of them when packed)
        targets = xp.zeros_like(d_both)
        targets[:m] = 1
        d_loss = bce(d_both, targets)
        backward_to(self.discriminator, bce.backward(), input_grad=False)
        return d_loss, d_both[:m], d_both[m:]

    # -- saving and resuming --------------------------------------------------------
    def state_dict(self) -> dict:
        """Everything needed to resume: both networks, both optimizers, counters, history, random state
        (and with ``ema_decay``, the weight average as ``"generator_average"``)."""
        state = {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "g_optimizer": self.g_optimizer.state_dict(),
            "d_optimizer": self.d_optimizer.state_dict(),
            **self.history_state(),
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
        owners = {"generator": self.generator, "discriminator": self.discriminator,
                  "g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer,
                  "generator_average": self.average}
        load_parts("GAN", state, owners, parts)         # counters and history: restored below
        self.load_history_state(state)
        backend.rng().set_state(state["rng"])
