"""AC-GAN (Odena, Olah & Shlens 2017): a discriminator that also says which digit it sees.

In the conditional GAN, D *reads* the label y beside the image. In AC-GAN, D reads the
image alone and has two heads on one body:

    logits (m, 1 + C) = body(x):   column 0   the source, real or fake (a logit)
                                   columns 1: the class, digit 0..C-1 (logits)

Both players add the class cross-entropy CE(class logits, y) to their usual loss:
D learns to name the digit of real images and of G's samples (labelled with the digit
G was asked for); G, whose gradient flows through D, is rewarded when D reads its
sample as the asked-for digit. That is the "cure" for a conditional G that ignores y:
a sample of the wrong class now costs G something directly.

:class:`AuxiliaryDiscriminator` wraps the body so that the GAN of ``minigan.gan`` trains
it unchanged: its forward(x, y) returns the source logit (m, 1) for the usual fused
BCE-with-logits and computes the class loss on the side; its backward adds the class
loss's gradient to the class columns. Per forward pass of n rows the class term is

    L_class = weight * (1/n) sum_i CE(logits_i[1:], y_i),

so D minimises (BCE_real + BCE_fake) / 2 + weight * (CE_real + CE_fake) (one class term per
pass: D's two passes are kept separate, ``rowwise = False``), and G minimises
BCE(D(G(z)), real) + weight * CE_fake.
"""
from __future__ import annotations

from .. import backend
from ..losses import CrossEntropyLoss
from ..nn.module import Module, backward_to, check_forward_called, check_grad_output
from ..checks import check_int


class AuxiliaryDiscriminator(Module):
    """D(x, y) -> source logit (m, 1); the class head's loss on the side (``class_losses``).

    body: module x (m, ...) -> logits (m, 1 + num_classes). weight: the class term's weight.
    ``last_class_loss``: the device scalar CE of the last forward (without the weight).
    """

    rowwise = False          # one class term per pass: D's real and fake passes stay separate
    skips_input_grad = True

    def __init__(self, body: Module, num_classes: int, weight: float = 1.0):
        check_int("num_classes", num_classes, 2, owner="AuxiliaryDiscriminator")
        if not weight > 0:
            raise ValueError(f"AuxiliaryDiscriminator: weight must be > 0; got {weight!r}")
        self.body, self.num_classes, self.weight = body, num_classes, float(weight)
        self.cross_entropy = CrossEntropyLoss()
        self.last_class_loss = None
        self._rows = None

    def forward(self, x, labels):
        logits = self.body(x)
        if logits.ndim != 2 or logits.shape[1] != 1 + self.num_classes:
            raise ValueError(f"AuxiliaryDiscriminator: body must output (m, {1 + self.num_classes}) logits; "
                             f"got shape {tuple(logits.shape)}")
        self.last_class_loss = self.cross_entropy(logits[:, 1:], labels)
        self._rows = logits.shape[0]
        return logits[:, :1]

    def backward(self, grad_output, input_grad=True):
        """g = dL/d(source logit) (m, 1) -> dL/dlogits = [g, weight * (softmax - onehot(y)) / m] (m, 1 + C),
        then back through the body."""
        check_forward_called(self, self._rows)
        check_grad_output(self, grad_output, (self._rows, 1))
        class_grad = self.weight * self.cross_entropy.backward()
        full = backend.xp.concatenate([grad_output, class_grad.astype(grad_output.dtype)], axis=1)
        return backward_to(self.body, full, input_grad)
