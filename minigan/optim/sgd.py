"""Stochastic gradient descent with momentum: PyTorch's rule and pylearn2's."""
from __future__ import annotations

from .. import backend
from ..checks import check_number
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent with (heavy-ball) momentum, as in PyTorch (``rule="pytorch"``):

        b <- momentum * b + g      (b = g on the first step)
        θ <- θ - lr * b

    ``rule="pylearn2"``: the rule of pylearn2's ``learning_rule.Momentum``, which trained the
    GAN paper's models (Hinton's "practical guide", section 9):

        v <- momentum * v - lr * g      (v = 0 before the first step)
        θ <- θ + v

    With a constant lr the two give the same θ (v = -lr b). When lr changes between steps
    (a schedule), they differ: pylearn2 keeps each past gradient scaled by the lr of its own
    step, PyTorch rescales the whole buffer by the current lr. ``buffer`` holds b or v.
    """

    RULES = ("pytorch", "pylearn2")

    def __init__(self, params, lr: float, momentum: float = 0.0, rule: str = "pytorch"):
        super().__init__(params, lr)
        check_number("momentum", momentum, 0, owner="SGD")
        if rule not in self.RULES:
            raise ValueError(f"SGD: rule must be one of {self.RULES}; got {rule!r}")
        self.momentum = momentum
        self.rule = rule
        self.buffer = None

    def step(self) -> None:
        grad = self.flat_grad()
        if self.rule == "pylearn2":
            self._step_pylearn2(grad)
            return
        if self.momentum == 0:
            self.data -= self.lr * grad
            return
        if self.buffer is None:
            self.buffer = grad.copy()
        else:
            self.buffer *= self.momentum
            self.buffer += grad
        self.data -= self.lr * self.buffer

    def _step_pylearn2(self, grad) -> None:
        """v <- momentum v - lr g;  θ <- θ + v (v is kept even at momentum 0: a later
        nonzero momentum must see the last step)."""
        if self.buffer is None:
            self.buffer = backend.xp.zeros_like(self.data)
        self.buffer *= self.momentum
        self.buffer -= self.lr * grad
        self.data += self.buffer

    def state_dict(self) -> dict:
        buf = None if self.buffer is None else backend.to_numpy(self.buffer).copy()
        return {"lr": self.lr, "momentum": self.momentum, "rule": self.rule, "buffer": buf}

    def load_state_dict(self, state: dict) -> None:
        rule = state.get("rule", "pytorch")        # states saved before the option are PyTorch's
        if rule != self.rule:
            raise ValueError(f"SGD.load_state_dict: the state was saved with rule={rule!r}, this optimizer "
                             f"uses rule={self.rule!r} (their buffers mean different things)")
        self.lr, self.momentum = state["lr"], state["momentum"]
        if state["buffer"] is None:
            self.buffer = None
        else:
            self.buffer = backend.xp.zeros_like(self.data)
            self._load_buffer(self.buffer, state["buffer"], "buffer")
