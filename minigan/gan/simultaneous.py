"""The GAN paper's code trains both players at once: one simultaneous gradient step.

Algorithm 1 of Goodfellow et al. (2014) alternates: k steps of D, then one step of G against
the updated D (``minigan.gan.GAN``). The code that made the paper's Table 1 does not
(github.com/goodfeli/adversarial, ``__init__.py``: ``AdversaryCost2.get_gradients``). From one
minibatch x and one batch of samples G(z) it builds both objectives, with the same dropout masks,

    d_obj = (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2        D's loss (what ``GAN`` calls d_loss)
    g_obj = BCE(D(G(z)), 1) = -mean log D(G(z))         G's non-saturating loss (no 1/2)

takes dd_obj/dθ_D and dg_obj/dθ_G at the *same* parameters, and gives both to one SGD step
over all parameters (one learning rate, one momentum). Neither player sees the other's
update before it moves. That is :meth:`SimultaneousGAN.train_step`.

D's dropout (pylearn2's ``dropout_fprop``) is on in both objectives: G's gradient flows back
through the very masks that D's gradient uses on the fake batch. The real and the fake batch
go through D in two passes, each drawing its own masks, as the original's two ``dropout_fprop``
calls do.

Two optimizers stepped with the same learning rate and momentum (the experiment sets both
before every step) are one SGD over both parameter lists: the rule works element by element.
"""
from __future__ import annotations

from .. import backend
from ..losses import mean
from ..nn.module import backward_to, set_requires_grad
from .algorithm1 import GAN


class SimultaneousGAN(GAN):
    """A ``GAN`` whose ``train_step`` is the paper's code: both players step at once.

    Args as ``GAN``, except: no ``k`` (one batch per step, it is 1), unconditional only, and
    the paper's prior is ``noise="uniform:1.7320508075688772"``, U(-sqrt 3, sqrt 3).
    Set ``g_optimizer`` and ``d_optimizer`` to the same lr and momentum before each step to
    get the original's one SGD (``experiments.paper_mnist.Experiment.before_iteration`` does).

    History: per step d_loss, d_real, d_fake, value (as ``GAN``'s discriminator step), g_loss,
    and both gradient norms, all at the one set of parameters the step started from.
    """

    def __init__(self, generator, discriminator, g_optimizer, d_optimizer, noise_dim: int, *,
                 generator_loss: str = "non-saturating", noise: str = "uniform", logits: bool = False,
                 log_every: int = 50):
        if generator_loss != "non-saturating":
            raise ValueError("SimultaneousGAN: the paper's code uses generator_loss='non-saturating'; "
                             f"got {generator_loss!r}")
        super().__init__(generator, discriminator, g_optimizer, d_optimizer, noise_dim, k=1,
                         generator_loss=generator_loss, noise=noise, logits=logits, log_every=log_every)

    def train_step(self, real_batches):
        """One simultaneous step on the next batch x (m, ...) of the iterator ``real_batches``.

        1. z ~ p_z (m, noise_dim), G(z) in training mode.
        2. D on G(z) (one set of dropout masks): g_obj = BCE(D(G(z)), 1) and BCE(D(G(z)), 0).
           dg_obj/dG(z) goes back through D with D frozen, then into G's parameters;
           (1/2) dBCE(D(G(z)), 0)/dθ_D from the same forward.
        3. D on x (its own masks): (1/2) dBCE(D(x), 1)/dθ_D.
        4. Both optimizers step; neither gradient saw the other's update.
        Returns (d_loss, g_loss) as device scalars.
        """
        batch = next(real_batches)
        if isinstance(batch, tuple):
            raise ValueError("SimultaneousGAN: the paper's GAN is unconditional; the batches must be "
                             "images x alone, not (x, labels) pairs")
        xp, D, bce = backend.xp, self.discriminator, self.bce
        real = batch
        m = real.shape[0]
        fake = self.generator(self.sample_noise(m))
        self.g_optimizer.zero_grad()
        self.d_optimizer.zero_grad()

        d_fake = D(fake)
        g_loss = bce(d_fake, xp.ones_like(d_fake))
        grad_g_obj = bce.backward()
        loss_fake = bce(d_fake, xp.zeros_like(d_fake))
        grad_d_obj_fake = 0.5 * bce.backward()
        set_requires_grad(self._d_parameters, False)     # dg_obj/dθ_D is not wanted
        try:
            grad_sample = D.backward(grad_g_obj)          # dg_obj/dG(z) (m, ...)
        finally:
            set_requires_grad(self._d_parameters, True)
        backward_to(D, grad_d_obj_fake, input_grad=False)   # the same cached forward, the same masks
        backward_to(self.generator, grad_sample, input_grad=False)

        d_real = D(real)
        loss_real = bce(d_real, xp.ones_like(d_real))
        backward_to(D, 0.5 * bce.backward(), input_grad=False)

        self.d_optimizer.step()
        self.g_optimizer.step()
        self._record(0.5 * (loss_real + loss_fake), d_real, d_fake, g_loss)
        return 0.5 * (loss_real + loss_fake), g_loss

    def _record(self, d_loss, d_real, d_fake, g_loss) -> None:
        """Record this step under ``GAN``'s history keys: one D step, one G step, one iteration."""
        self.record_d_step(d_loss, mean(self.probability(d_real)), mean(self.probability(d_fake)))
        self.record_g_step(g_loss)
        self.end_iteration()
