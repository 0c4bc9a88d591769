"""CycleGAN (Zhu, Park, Isola & Efros 2017): translation between two domains without pairs.

Two generators G: A -> B and F: B -> A, two discriminators D_B (is this a real B?) and D_A (a real
A?). The paper's objective (its equations 1-3; the identity loss of its section 5.2), in the
least-squares form it trains with (section 4; Mao et al. 2017), every E a mean over a batch's
pixels or, for a PatchGAN D, over its grid of verdicts (``MSELoss``, ``L1Loss``):

    G, F minimise   L_G = E[(D_B(G(a)) - 1)^2] + E[(D_A(F(b)) - 1)^2]             adversarial
                        + lambda (E|F(G(a)) - a| + E|G(F(b)) - b|)                 cycle (eq. 2)
                        + lambda_idt (E|G(b) - b| + E|F(a) - a|)                   identity
    D_B minimises  (E[(D_B(b) - 1)^2] + E[D_B(G(a))^2]) / 2,   D_A the same with a and F(b)

with lambda = 10 and lambda_idt = 0.5 lambda (the paper's code; the paper itself uses the identity term
for paintings <-> photos only). One iteration (``train_step``) is the reference code's: one Adam step
of G and F together (D_A, D_B frozen), then one of D_A and D_B on the same translated images, now data. (The paper also shows D fakes from a pool of 50 earlier ones; here D
sees the latest: docs/08_image_translation.md.) The history, counters and divergence check are
``History``'s, as for ``GAN``; so are ``state_dict``'s parts, restored by ``saving.load_parts``.
"""
from __future__ import annotations

from .. import backend
from ..checks import check_number, check_positive_int
from ..losses import L1Loss, MSELoss, mean
from ..nn.module import Module, backward_to, is_rowwise, set_requires_grad
from .history import History
from .saving import load_parts

#: The numbers recorded per iteration (one D step of both D's, one G step of both G's): losses as in the
#: module docstring (d_loss: the mean of D_A's and D_B's; g_adv, cycle, identity: unweighted sums of the two
#: directions), mean verdicts on real and translated images, and the two gradient norms.
KEYS = ("d_loss", "g_loss", "d_real", "d_fake", "g_adv", "cycle", "identity", "d_grad_norm", "g_grad_norm")
G_KEYS = ("g_loss", "g_adv", "cycle", "identity", "g_grad_norm")


class CycleGAN(History):
    """G: A -> B, F: B -> A, D_A, D_B, one optimizer over G's and F's parameters and one over the D's.

    Args:
        G, F: modules mapping images (m, C, H, W) to images of the same shape.
        D_A, D_B: row-wise modules mapping images to verdicts (m, ...) (a PatchGAN grid, or (m, 1)).
        g_optimizer: over G.parameters() + F.parameters(); d_optimizer: over D_A's and D_B's.
        cycle_weight: lambda (10 in the paper); 0 drops the cycle loss (its value is still recorded).
        identity_weight: lambda_idt as a fraction of lambda (0.5 in the paper, as its code's lambda_identity).
        log_every: iterations between read-backs of the recorded numbers (``History``).
    """

    keys, g_keys = KEYS, G_KEYS
    k = 1                                 # one D step per G step: what the loop and the health checks read
    generator_loss = "least-squares"

    def __init__(self, G: Module, F: Module, D_A: Module, D_B: Module, g_optimizer, d_optimizer, *,
                 cycle_weight: float = 10.0, identity_weight: float = 0.5, log_every: int = 20):
        check_number("cycle_weight", cycle_weight, 0, owner="CycleGAN", example="10")
        check_number("identity_weight", identity_weight, 0, owner="CycleGAN", example="0.5")
        check_positive_int("log_every", log_every, "CycleGAN")
        for name, D in (("D_A", D_A), ("D_B", D_B)):
            if not is_rowwise(D):
                raise ValueError(f"CycleGAN: {name} must treat each image on its own (row-wise: instance norm, "
                                 f"not batch norm), as it judges real and translated images in one pass")
        super().__init__()
        self.G, self.F, self.D_A, self.D_B = G, F, D_A, D_B
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.cycle_weight, self.identity_weight, self.log_every = cycle_weight, identity_weight, log_every
        self._d_parameters = D_A.parameters() + D_B.parameters()
        self.mse, self.l1 = MSELoss(), L1Loss()

    # -- one iteration --------------------------------------------------------------------------
    def train_step(self, batches):
        """One iteration on the next pair of unpaired batches (a, b) from ``batches``: G and F, then D_A and D_B."""
        a, b = next(batches)
        fake_a, fake_b = self.generator_step(a, b)
        self.discriminator_step(a, b, fake_a, fake_b)
        self.end_iteration()

    def generator_step(self, a, b):
        """One Adam step of G and F on L_G (D_A, D_B frozen). Returns the translations (F(b), G(a))."""
        self.g_optimizer.zero_grad()
        set_requires_grad(self._d_parameters, False)
        try:
            losses, fake_a, fake_b = self.generator_gradient(a, b)
        finally:
            set_requires_grad(self._d_parameters, True)
        self.g_optimizer.step()
        self.record_step("g", **losses)
        return fake_a, fake_b

    def generator_gradient(self, a, b):
        """Add dL_G/dθ into G's and F's gradients. Returns (losses, F(b), G(a)), losses device scalars.

        No autograd: a network keeps the input of its last forward only, so each path through G or F
        runs forward and back before that network runs again. G(a) (m, C, H, W) feeds two terms, D_B's
        verdict and the cycle back through F, so its gradient is the sum of the two, each (m, C, H, W):

            dL/dG(a) = D_B.backward(2 (D_B(G(a)) - 1) / n_D)             adversarial, through D_B
                     + F.backward(lambda sign(F(G(a)) - a) / n)          cycle, back through F

        n_D = the number of verdicts (m P^2 for a P x P grid), n = m C H W. On its way back through F
        the cycle term also adds to F's parameter gradients (F is trained by the cycle a -> G -> F as
        well as by its own terms). G.backward(dL/dG(a)) then gives G's parameter gradients. The cycle
        b -> F -> G is the mirror image; the identity terms add lambda_idt sign(G(b) - b) / n into G's
        backward and the same for F."""
        fake_b, adv_g, cycle_a = self._one_way(self.G, self.F, self.D_B, a)     # a -> G(a) -> F(G(a))
        fake_a, adv_f, cycle_b = self._one_way(self.F, self.G, self.D_A, b)     # b -> F(b) -> G(F(b))
        identity = self._identity(self.G, b) + self._identity(self.F, a)        # |G(b) - b| + |F(a) - a|
        lam, lam_idt = self.cycle_weight, self.cycle_weight * self.identity_weight
        adversarial, cycle = adv_g + adv_f, cycle_a + cycle_b
        losses = {"g_loss": adversarial + lam * cycle + lam_idt * identity, "g_adv": adversarial,
                  "cycle": cycle, "identity": identity}
        return losses, fake_a, fake_b

    def _one_way(self, there, back, judge, x):
        """y = there(x) judged by ``judge`` and sent back; dL/dy from both into there's parameters.
        Returns (y, adversarial loss, cycle loss |back(y) - x|)."""
        xp = backend.xp
        y = there(x)
        cycle = self.l1(back(y), x)
        grad_y = back.backward(self.cycle_weight * self.l1.backward()) if self.cycle_weight else None
        verdicts = judge(y)
        adversarial = self.mse(verdicts, xp.ones_like(verdicts))                # G's target: "real"
        grad_adv = judge.backward(self.mse.backward())                          # judge frozen: only dL/dy
        backward_to(there, grad_adv if grad_y is None else grad_y + grad_adv, input_grad=False)
        return y, adversarial, cycle

    def _identity(self, net, x):
        """|net(x) - x| for an image already of net's target domain; its gradient when weighted."""
        loss = self.l1(net(x), x)
        weight = self.cycle_weight * self.identity_weight
        if weight:
            backward_to(net, weight * self.l1.backward(), input_grad=False)
        return loss

    def discriminator_step(self, a, b, fake_a, fake_b):
        """One Adam step of D_A and D_B on their least-squares losses; the translations are data."""
        self.d_optimizer.zero_grad()
        numbers = self.discriminator_gradient(a, b, fake_a, fake_b)
        self.d_optimizer.step()
        self.record_step("d", **numbers)

    def discriminator_gradient(self, a, b, fake_a, fake_b):
        """Add the gradients of D_B's loss (b real, G(a) translated) and D_A's (a, F(b)) into theirs.
        Returns device scalars: d_loss (the mean of the two losses), d_real and d_fake (mean verdicts)."""
        loss_b, real_b, judged_b = self._judge(self.D_B, b, fake_b)
        loss_a, real_a, judged_a = self._judge(self.D_A, a, fake_a)
        return {"d_loss": (loss_a + loss_b) / 2, "d_real": (real_a + real_b) / 2, "d_fake": (judged_a + judged_b) / 2}

    def _judge(self, D, real, fake):
        """D's loss (E[(D(real) - 1)^2] + E[D(fake)^2]) / 2 in one pass over [real; fake] with targets
        [1; 0] (equal halves: the mean over both is half the sum of the two means); D's gradient.
        Returns (loss, mean verdict on real, on fake)."""
        xp = backend.xp
        m = real.shape[0]
        verdicts = D(xp.concatenate([real, fake]))
        targets = xp.zeros_like(verdicts)
        targets[:m] = 1
        loss = self.mse(verdicts, targets)
        backward_to(D, self.mse.backward(), input_grad=False)
        return loss, mean(verdicts[:m]), mean(verdicts[m:])

    # -- using and saving it ----------------------------------------------------------------------
    def translate(self, images, to: str, batch_size: int = 500):
        """G(images) (``to="B"``) or F(images) (``to="A"``), device (m, C, H, W), in batches."""
        if to not in ("A", "B"):
            raise ValueError(f"CycleGAN.translate: to must be 'A' (F: B -> A) or 'B' (G: A -> B); got {to!r}")
        net = self.G if to == "B" else self.F
        return backend.xp.concatenate([net(images[i:i + batch_size]) for i in range(0, images.shape[0], batch_size)])

    def parts(self) -> dict:
        """The four networks and two optimizers, by the names ``state_dict`` gives them."""
        return {"G": self.G, "F": self.F, "D_A": self.D_A, "D_B": self.D_B,
                "g_optimizer": self.g_optimizer, "d_optimizer": self.d_optimizer}

    def state_dict(self) -> dict:
        """Everything needed to resume: the networks, the optimizers, counters, history, random state."""
        return {**{name: part.state_dict() for name, part in self.parts().items()}, **self.history_state(),
                "rng": backend.rng().get_state()}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` saved; a state of other networks raises an error naming the part."""
        owners = self.parts()
        load_parts("CycleGAN", state, owners, (*owners, "counters", "history", "rng"))
        self.load_history_state(state)
        backend.rng().set_state(state["rng"])
