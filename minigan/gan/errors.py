"""The errors minigan raises when training goes wrong (as opposed to a bad argument).

:class:`TrainingDiverged` is what ``GAN`` raises when a loss, an output, a gradient
norm or a parameter stops being a finite number. It is found when the history is
read back (``GAN._flush``, every ``log_every`` iterations), never by a per-step check,
so the iteration it names is the first bad one, found up to ``log_every`` iterations
later. docs/10_training_health.md explains each cause and its cure.
"""
from __future__ import annotations

#: What usually makes each kind of quantity non-finite, and what to try.
CAUSES = {
    "loss": ("usual causes: a learning rate too high (try it 10x smaller), data not scaled to order 1 "
             "(standardize it, or scale images to [-1, 1]), NaN or infinity in the data itself, or a "
             "discriminator so sure of itself that the minimax loss saturates"),
    "output": ("usual causes: data not scaled to order 1 (a first layer fed values of 1e30 overflows "
               "float32), NaN or infinity in the data itself, or weights that a too-high learning rate "
               "blew up"),
    "gradient": ("usual causes: a learning rate too high (try it 10x smaller), unscaled data, or a "
                 "discriminator so sharp that its gradient explodes (gradient norms above ~100 warn "
                 "of it first: minigan.health)"),
    "parameter": ("usual causes: an optimizer step with a learning rate too high, or a gradient that was "
                  "already NaN or infinite (unscaled data, a saturated loss)"),
}

#: The kind of each recorded quantity, for its message.
KIND = {"d_loss": "loss", "g_loss": "loss", "value": "loss", "d_real": "output", "d_fake": "output",
        "d_grad_norm": "gradient", "g_grad_norm": "gradient",
        "discriminator parameters": "parameter", "generator parameters": "parameter"}


class TrainingDiverged(ValueError):
    """Training produced a non-finite number.

    Attributes:
        quantity: what became non-finite ("d_loss", "d_real", "g_grad_norm", "generator parameters", ...).
        iteration: the Algorithm-1 iteration (1-based) at which it was first non-finite.
        value: the offending value (nan, inf or -inf); None for parameters.
    """

    def __init__(self, quantity: str, iteration: int, value=None, found_at: int | None = None, note: str = ""):
        self.quantity, self.iteration, self.value, self.found_at = quantity, iteration, value, found_at
        self.note = note        # e.g. the training loop's word on the last good checkpoint
        shown = "" if value is None else f" ({value})"
        found = "" if found_at is None or found_at == iteration else f"; found at the read-back of iteration {found_at}"
        cause = CAUSES[KIND.get(quantity, "loss")]
        super().__init__(f"training diverged: {quantity} became non-finite{shown} at iteration {iteration}"
                         f"{found}. {cause[0].upper()}{cause[1:]}. {note + ' ' if note else ''}"
                         "See docs/10_training_health.md.")

    def __reduce__(self):      # picklable (multiprocessing) with its attributes
        return (type(self), (self.quantity, self.iteration, self.value, self.found_at, self.note))
