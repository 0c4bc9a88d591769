"""The original GAN algorithm (Goodfellow et al. 2014, Algorithm 1), on one screen.

Two players share one value function

    V(D, G) = E_x~p_data[log D(x)] + E_z~p_z[log(1 - D(G(z)))]

The discriminator D (the police) ascends V; the generator G (the counterfeiter) descends it.
Each training iteration is

    for k steps:                      # discriminator_step
        sample m real x and m noise z
        ascend  log D(x) + log(1 - D(G(z)))        (G fixed)
    sample m noise z                  # generator_step
    descend log(1 - D(G(z)))       "minimax"        (D frozen)
    or ascend log D(G(z))          "non-saturating" (the paper's practical choice)

In minimisation form, D minimises the binary cross-entropy with real = 1 and fake = 0, so
``d_loss = (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2`` and ``V = -2 d_loss``; at the optimum
D(x) = 1/2 everywhere and V = -log 4. Conditional models (Mirza & Osindero 2014) pass class
labels to both G and D; the same code trains them.

The rest (constructor, sampling, the joint pass, saving) is in base.py; the record of
training in history.py.
"""
from __future__ import annotations

from .. import backend
from ..losses import mean
from ..nn.module import backward_to, set_requires_grad
from .base import GANBase
from .packing import unpack_gradient


class GAN(GANBase):
    """A generator, a discriminator, their optimizers, and Algorithm 1.

    Args:
        generator: Module mapping noise (m, noise_dim) [and labels (m,)] to samples (m, ...).
        discriminator: Module mapping samples [and labels] to (m, 1): probabilities
            (ending in Sigmoid) or, with ``logits=True``, logits.
        g_optimizer, d_optimizer: each network has its own optimizer and learning rate.
        noise_dim: size of z.
        k: discriminator steps per generator step (Algorithm 1's k).
        generator_loss: "non-saturating" (default) or "minimax".
        noise: the prior p_z: "uniform" on [-1, 1], "normal" N(0, I), or "uniform:a" on [-a, a].
        num_classes: set for a conditional GAN; fake labels are drawn uniformly.
        logits: the discriminator outputs logits (use the fused, stable BCE).
        log_every: history is read back to the host every this many iterations
            (on a GPU, reading a number forces a wait, so not every step).
        pack: PacGAN's packing degree (Lin et al. 2018; default 1 = the plain GAN): D judges
            ``pack`` samples at a time, all real or all fake (``packing.pack_samples``).
        ema_decay: > 0 keeps an exponential moving average of G's weights with this factor
            (``averaging``; e.g. 0.999) and draws samples from it (``sampler``).

    Attribute ``joint_d_pass``: True (chosen when every layer of D is row-wise) runs D's update
    as one pass over [real; fake] (``d_gradient_joint``); False runs the paper's two passes
    (``d_gradient_two_passes``). Both give the same gradient.
    """

    def train_step(self, real_batches):
        """One iteration of Algorithm 1: k discriminator steps, each on a fresh batch from the
        iterator ``real_batches`` (yielding x or (x, labels)), then one generator step."""
        for _ in range(self.k):
            batch = next(real_batches)
            real, labels = batch if isinstance(batch, tuple) else (batch, None)
            self.discriminator_step(real, labels)
        self.generator_step(real.shape[0])
        self.end_iteration()

    def discriminator_step(self, real, labels=None):
        """One update of D: descend (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2, with G fixed.

        real: (m, ...) samples from the data; labels: (m,) for a conditional GAN.
        Returns the device scalars (d_loss, mean D(x), mean D(G(z)), V)."""
        m = real.shape[0]
        self.check_batch(m, "the real batch")
        self.check_labels(labels)
        fake_labels = self.sample_labels(m)
        fake = self.G(self.sample_noise(m), fake_labels)     # G's forward only: no G update here
        self.d_optimizer.zero_grad()                          # nothing from G's last step reaches D
        d_gradient = self.d_gradient_joint if self.joint_d_pass else self.d_gradient_two_passes
        d_loss, d_real, d_fake = d_gradient(real, labels, fake, fake_labels)
        self.d_optimizer.step()
        d_real_mean, d_fake_mean = mean(self.probability(d_real)), mean(self.probability(d_fake))
        self.record_d_step(d_loss, d_real_mean, d_fake_mean)
        return d_loss, d_real_mean, d_fake_mean, -2 * d_loss

    def d_gradient_two_passes(self, real, labels, fake, fake_labels):
        """D's gradient as the paper writes it: a pass on the real batch (target 1), a pass on the
        fake one (target 0), each loss halved. The samples are data here, so D's backward skips
        dL/dx (input_grad=False). Returns (d_loss, D's outputs on real, on fake)."""
        xp, bce = backend.xp, self.bce
        d_real = self.D(real, labels)
        loss_real = bce(d_real, xp.ones_like(d_real))
        backward_to(self.discriminator, 0.5 * bce.backward(), input_grad=False)
        d_fake = self.D(fake, fake_labels)
        loss_fake = bce(d_fake, xp.zeros_like(d_fake))
        backward_to(self.discriminator, 0.5 * bce.backward(), input_grad=False)
        return 0.5 * (loss_real + loss_fake), d_real, d_fake

    def generator_step(self, m: int):
        """One update of G on m fresh noise samples, with D frozen.

        non-saturating: descend -log D(G(z)) = BCE(D(G(z)), 1)
        minimax:        descend  log(1 - D(G(z))) = -BCE(D(G(z)), 0)
        Returns the device scalar g_loss."""
        xp, bce = backend.xp, self.bce
        self.check_batch(m, "the generator's batch")
        labels = self.sample_labels(m)
        fake = self.G(self.sample_noise(m), labels)
        set_requires_grad(self._d_parameters, False)   # D frozen: its parameters neither move
        try:                                            # nor collect gradients
            d_fake = self.D(fake, labels)
            self.g_optimizer.zero_grad()
            if self.generator_loss == "non-saturating":
                g_loss = bce(d_fake, xp.ones_like(d_fake))
                grad = bce.backward()
            else:
                g_loss = -bce(d_fake, xp.zeros_like(d_fake))
                grad = -bce.backward()
            # dL/dG(z) flows back through D (and through the packing, undone); z is noise,
            # so G needs no dL/dz
            grad_fake = unpack_gradient(self.discriminator.backward(grad), self.pack)
            backward_to(self.generator, grad_fake, input_grad=False)
        finally:
            set_requires_grad(self._d_parameters, True)    # D trains again, even after an error
        self.g_optimizer.step()
        if self.average is not None:
            self.average.update()
        self.record_g_step(g_loss)
        return g_loss
