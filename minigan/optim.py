"""Optimizers: SGD with momentum and Adam, with PyTorch's update rules.

Both pack the parameters they are given into one contiguous buffer (and their
gradients into another), then hand each ``Parameter`` a view of it. The
update is then a handful of whole-array operations instead of a Python loop
over layers; the layers do not notice, because they update ``data`` and
``grad`` in place.
"""
from __future__ import annotations

import math

from . import backend
from .nn.module import Parameter


def pack_parameters(params):
    """Make ``params`` views of two flat buffers (data, grad) and return the buffers.

    Shapes: returns (data (P,), grad (P,)) with P the total number of
    elements. Values are kept. Each call makes new buffers: give a parameter to one
    optimizer only (a second one would cut the first off from it).
    """
    params = list(params)
    if not params:
        raise ValueError("optimizer got an empty parameter list")
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"optimizer: params[{i}] must be a Parameter; got {type(p).__name__}")
    dtypes = {p.data.dtype for p in params}
    if len(dtypes) != 1:
        raise TypeError(f"optimizer: all parameters must share one dtype; got {sorted(map(str, dtypes))}")
    xp = backend.xp
    total = sum(int(p.data.size) for p in params)
    flat_data = xp.empty(total, dtype=params[0].data.dtype)
    flat_grad = xp.zeros(total, dtype=params[0].data.dtype)
    offset = 0
    for p in params:
        n, shape = int(p.data.size), p.data.shape
        flat_data[offset:offset + n] = p.data.ravel()
        flat_grad[offset:offset + n] = p.grad.ravel()
        p.data = flat_data[offset:offset + n].reshape(shape)
        p.grad = flat_grad[offset:offset + n].reshape(shape)
        offset += n
    return flat_data, flat_grad


def _check_positive(owner, name, value, allow_zero=False):
    real = not isinstance(value, bool) and isinstance(value, (int, float)) and math.isfinite(value)
    ok = real and (value >= 0 if allow_zero else value > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{owner}: {name} must be a number {bound}; got {value!r}")


class Optimizer:
    """Holds packed parameters; subclasses define ``step()``."""

    def __init__(self, params, lr):
        _check_positive(type(self).__name__, "lr", lr)
        self.params = list(params)
        self.lr = lr
        self.data, self.grad = pack_parameters(self.params)

    def zero_grad(self) -> None:
        """Make every gradient zero. Lazily (``Parameter.clear_grad``): the next backward
        writes each layer's gradient instead of adding it to a buffer of zeros."""
        for p in self.params:
            p.clear_grad()

    def flat_grad(self):
        """The flat gradient buffer (P,), with the gradients no backward reached since
        ``zero_grad`` set to zero."""
        for p in self.params:
            p.materialize_grad()
        return self.grad

    def state_dict(self) -> dict:
        raise NotImplementedError

    def load_state_dict(self, state: dict) -> None:
        raise NotImplementedError

    def _load_buffer(self, buffer, value, key):
        if tuple(value.shape) != tuple(buffer.shape):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: {key!r} has shape {tuple(value.shape)}, "
                f"the optimizer has {tuple(buffer.shape)}"
            )
        buffer[...] = backend.xp.asarray(value, dtype=buffer.dtype)


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
        _check_positive("SGD", "momentum", momentum, allow_zero=True)
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


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction, as in PyTorch:

        m <- b1 m + (1 - b1) g          v <- b2 v + (1 - b2) g^2
        m_hat = m / (1 - b1^t)          v_hat = v / (1 - b2^t)
        θ <- θ - lr * m_hat / (sqrt(v_hat) + eps)

    The code keeps m~ = m / (1 - b1) and v~ = v / (1 - b2) instead of m and v, so each
    average is one multiply and one add (m~ <- b1 m~ + g, v~ <- b2 v~ + g^2); the
    constant factors move into the step size and eps (see ``step``). ``m`` and ``v``
    (and ``state_dict``) give PyTorch's m and v.

    On NumPy the flat buffers are updated ``block_size`` elements at a time, so
    that the five arrays of a block (θ, g, m~, v~, scratch: 5 x 256 KB) stay in the
    CPU's cache during the update's ten passes (docs/performance.md). On CuPy
    the whole buffer is one block.
    """

    block_size = 1 << 16

    def __init__(self, params, lr: float = 1e-3, betas=(0.9, 0.999), eps: float = 1e-8):
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2); got {betas!r}")
        for i, b in enumerate(betas):
            if isinstance(b, bool) or not isinstance(b, (int, float)) or not 0 <= b < 1:
                raise ValueError(f"Adam: betas[{i}] must be in [0, 1); got {b!r}")
        _check_positive("Adam", "eps", eps, allow_zero=True)
        self.betas, self.eps = tuple(betas), eps
        self.t = 0
        xp = backend.xp
        self.m_tilde = xp.zeros_like(self.data)     # m / (1 - b1)
        self.v_tilde = xp.zeros_like(self.data)     # v / (1 - b2)
        self._scratch = xp.empty_like(self.data)

    @property
    def m(self):
        """The first moment m (PyTorch's ``exp_avg``): a new array."""
        return self.m_tilde * (1 - self.betas[0])

    @property
    def v(self):
        """The second moment v (PyTorch's ``exp_avg_sq``): a new array."""
        return self.v_tilde * (1 - self.betas[1])

    def step(self) -> None:
        b1, b2 = self.betas
        self.t += 1
        # With m = (1 - b1) m~ and v = (1 - b2) v~, PyTorch's update
        #   lr m_hat / (sqrt(v_hat) + eps) = step_size m~ / (sqrt(v~) + eps_hat),
        # where c = sqrt((1 - b2^t) / (1 - b2)), step_size = lr (1 - b1) c / (1 - b1^t),
        # eps_hat = eps c: the bias corrections and the (1 - b) factors are two scalars.
        c = math.sqrt((1 - b2 ** self.t) / (1 - b2))
        step_size = self.lr * (1 - b1) * c / (1 - b1 ** self.t)
        self.flat_grad()                          # gradients no backward reached are zero
        n = self.data.size
        block = n if backend.name == "cupy" else self.block_size
        for start in range(0, n, block):
            self._update(slice(start, start + block), step_size, self.eps * c)

    def _update(self, block, step_size, eps_hat):
        """Adam on the elements ``block`` of the flat buffers, in place (no temporaries)."""
        xp = backend.xp
        b1, b2 = self.betas
        g, m, v, s = self.grad[block], self.m_tilde[block], self.v_tilde[block], self._scratch[block]
        m *= b1                                   # m~ <- b1 m~ + g
        m += g
        v *= b2                                   # v~ <- b2 v~ + g^2
        xp.multiply(g, g, out=s)
        v += s
        xp.sqrt(v, out=s)                         # θ <- θ - step_size m~ / (sqrt(v~) + eps_hat)
        s += eps_hat
        xp.divide(m, s, out=s)
        s *= step_size
        self.data[block] -= s

    def state_dict(self) -> dict:
        """lr, betas, eps, t, PyTorch's m and v, and m~, v~ themselves (for an exact resume:
        m~ -> m -> m~ would round)."""
        return {
            "lr": self.lr, "betas": self.betas, "eps": self.eps, "t": self.t,
            "m": backend.to_numpy(self.m), "v": backend.to_numpy(self.v),
            "m_tilde": backend.to_numpy(self.m_tilde).copy(), "v_tilde": backend.to_numpy(self.v_tilde).copy(),
        }

    def load_state_dict(self, state: dict) -> None:
        """Load a ``state_dict``; one with only ``m`` and ``v`` (PyTorch's moments) works too."""
        self.lr, self.betas, self.eps, self.t = state["lr"], tuple(state["betas"]), state["eps"], int(state["t"])
        b1, b2 = self.betas
        if "m_tilde" in state:
            self._load_buffer(self.m_tilde, state["m_tilde"], "m_tilde")
            self._load_buffer(self.v_tilde, state["v_tilde"], "v_tilde")
            return
        self._load_buffer(self.m_tilde, state["m"], "m")
        self._load_buffer(self.v_tilde, state["v"], "v")
        self.m_tilde *= 1 / (1 - b1)
        self.v_tilde *= 1 / (1 - b2)
