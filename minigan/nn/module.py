"""``Module`` and ``PlainParameter`` (and ``Parameter``, its fast twin): ``torch.nn``'s vocabulary, no autograd.

A module computes ``y = forward(x)`` and caches what its derivative needs.
``backward(dL/dy)`` then returns ``dL/dx`` and **adds** ``dL/dθ`` into each
parameter's ``.grad`` (two forward/backward pairs before one optimizer step
sum their gradients, as in PyTorch). There is no graph: the caller runs
``backward`` in the reverse order of ``forward``, and ``Sequential`` does that
for a chain.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy

from .. import backend


class PlainParameter:
    """A trainable array ``data`` and the gradient ``grad`` accumulated for it (an array of the same shape).

    Layers *add* dL/dθ into ``grad``; ``clear_grad`` (what ``zero_grad`` calls) writes zeros into it;
    an optimizer reads ``grad`` and updates ``data``. Both are updated in place, never rebound, so an
    optimizer may pack all parameters into one buffer and hand each a view of it (optim/optimizer.py).
    """

    def __init__(self, data):
        self.data = data
        self.grad = backend.xp.zeros_like(data)
        self.requires_grad = True       # False: backward skips dL/dθ (the network is frozen)

    def clear_grad(self) -> None:
        """grad = 0, in place."""
        self.grad[...] = 0

    def accumulate_product(self, a, b) -> None:
        """grad += a @ b (a layer's weight gradient, e.g. x^T g for ``Linear``)."""
        self.grad += a @ b

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"{type(self).__name__}(shape={tuple(self.data.shape)}, dtype={self.data.dtype})"


class Parameter(PlainParameter):
    """``PlainParameter`` with a lazily zeroed gradient, what every layer but the ``Plain*`` ones uses.

    ``clear_grad`` only marks ``grad`` empty, and the next ``accumulate_product`` writes ``a @ b`` into it:
    no pass of zeros, no temporary (cGAN step, batch 64: 21.9 -> 21.0 ms; docs/appendix_fast_numpy.md).
    Reading ``grad`` while it is empty writes the zeros first, so it always reads as the plain one.
    """

    @property
    def grad(self):
        """dL/dθ accumulated since the last ``clear_grad``, same shape as ``data``."""
        self.materialize_grad()
        return self._grad

    @grad.setter
    def grad(self, value):
        self._grad = value
        self._grad_empty = False

    def clear_grad(self) -> None:
        """Make the gradient zero, lazily: mark it empty."""
        self._grad_empty = True

    def materialize_grad(self) -> None:
        """Write the zeros of an empty gradient into the buffer (optimizers call this before
        reading the buffer directly)."""
        if self._grad_empty:
            self._grad[...] = 0
            self._grad_empty = False

    def accumulate_product(self, a, b) -> None:
        """grad += a @ b, without a temporary: written in place when the gradient is empty."""
        if self._grad_empty:
            backend.xp.matmul(a, b, out=self._grad)
            self._grad_empty = False
        else:
            self._grad += a @ b


class Module:
    """Base class of layers and models.

    Subclasses implement ``forward(x)`` and ``backward(grad_output)``; parameters
    and sub-modules are found automatically among the attributes (and in lists
    of modules), in the order they were assigned.
    """

    training: bool = True
    skips_input_grad: bool = False   # backward takes ``input_grad`` (see backward_to)
    rowwise: bool = False            # each output row depends on its own input row only (see is_rowwise)
    buffer_names: tuple = ()         # attributes holding saved, untrained arrays (BatchNorm's running stats)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must implement forward")

    def backward(self, grad_output):
        raise NotImplementedError(f"{type(self).__name__} must implement backward")

    # -- the tree of modules and parameters ------------------------------------
    def named_children(self):
        for key, value in vars(self).items():
            if isinstance(value, Module):
                yield key, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{key}.{i}", item

    def modules(self):
        """This module and every module below it."""
        yield self
        for _, child in self.named_children():
            yield from child.modules()

    def children(self):
        return [module for _, module in self.named_children()]

    def named_parameters(self, prefix: str = ""):
        for key, value in vars(self).items():
            if isinstance(value, PlainParameter):        # Parameter too (a subclass)
                yield prefix + key, value
        for key, child in self.named_children():
            yield from child.named_parameters(prefix + key + ".")

    def parameters(self):
        """All parameters of this module and its sub-modules, in a fixed order."""
        return [p for _, p in self.named_parameters()]

    def named_buffers(self, prefix: str = ""):
        """(dotted name, array) of every buffer: state that is saved but not trained (``buffer_names``)."""
        for key in self.buffer_names:
            yield prefix + key, getattr(self, key)
        for key, child in self.named_children():
            yield from child.named_buffers(prefix + key + ".")

    def zero_grad(self) -> None:
        """Make every parameter's ``.grad`` zero (``Parameter.clear_grad``)."""
        for p in self.parameters():
            p.clear_grad()

    def requires_grad_(self, flag: bool = True):
        """Freeze (False) or unfreeze (True) every parameter, as in PyTorch.

        A frozen module still returns dL/dx from backward (the generator needs
        it through the discriminator) but neither computes nor accumulates its
        own parameter gradients. Returns ``self``.
        """
        set_requires_grad(self.parameters(), flag)
        return self

    def train(self, mode: bool = True):
        """Training mode (Dropout drops). Returns ``self``."""
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self):
        """Evaluation mode (Dropout is the identity). Returns ``self``."""
        return self.train(False)

    def to(self, dtype):
        """Convert every parameter and buffer to ``dtype`` (e.g. float64 for gradient checks). Returns ``self``."""
        for p in self.parameters():
            p.data = p.data.astype(dtype)
            p.grad = backend.xp.zeros_like(p.data)
        for module in self.modules():
            for key in module.buffer_names:
                setattr(module, key, getattr(module, key).astype(dtype))
        return self

    def num_parameters(self) -> int:
        return sum(int(p.data.size) for p in self.parameters())

    # -- saving and loading ----------------------------------------------------
    def state_dict(self) -> "OrderedDict[str, numpy.ndarray]":
        """Host (NumPy) copies of every parameter, then of every buffer, by dotted name."""
        arrays = [(k, p.data) for k, p in self.named_parameters()] + list(self.named_buffers())
        return OrderedDict((k, backend.to_numpy(a).copy()) for k, a in arrays)

    def load_state_dict(self, state) -> None:
        """Copy arrays from ``state`` into the parameters and buffers, in place.

        Raises ``KeyError`` for missing or unexpected names and ``ValueError``
        for a shape that does not match, naming the parameter or buffer.
        """
        targets = {k: ("parameter", p.data) for k, p in self.named_parameters()}
        targets.update((k, ("buffer", a)) for k, a in self.named_buffers())
        missing = sorted(set(targets) - set(state))
        unexpected = sorted(set(state) - set(targets))
        if missing or unexpected:
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        for key, (kind, target) in targets.items():
            value = state[key]
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(
                    f"load_state_dict: {kind} {key!r} has shape {tuple(target.shape)}, "
                    f"the state has {tuple(value.shape)}"
                )
            target[...] = backend.xp.asarray(value, dtype=target.dtype)

    def __repr__(self):
        lines = [f"  ({k}): " + repr(m).replace("\n", "\n  ") for k, m in self.named_children()]
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        return f"{type(self).__name__}({extra}\n" + "\n".join(lines) + "\n)"

    def extra_repr(self) -> str:
        return ""


def set_requires_grad(parameters, flag: bool) -> None:
    """Freeze (False) or unfreeze (True) each of ``parameters`` (what ``requires_grad_`` does
    for a module's; a caller that freezes the same module every step can list them once)."""
    for p in parameters:
        p.requires_grad = flag


def backward_to(module: Module, grad_output, input_grad=True):
    """``module.backward(grad_output)``, computing only the part of dL/dx that is wanted.

    input_grad: True: all of dL/dx (N, F), as ``module.backward``. False: none of it
    (the input is data, as in the discriminator's own update): only the parameter
    gradients are accumulated, and None is returned. A slice: the columns
    dL/dx[:, input_grad] (a conditional network needs only its embedding's columns).

    Autograd cannot know which columns a caller will use; we do, and in D's update the
    skipped product g W^T of D's first layer is 9% of a cGAN step's arithmetic. A module
    that can skip that work sets ``skips_input_grad = True`` and takes ``input_grad`` in
    its ``backward`` (Linear, Sequential, Conditional); for any other module the whole
    dL/dx is computed and cut here, so the result is the same either way.
    """
    if input_grad is True:
        return module.backward(grad_output)
    if module.skips_input_grad:
        return module.backward(grad_output, input_grad=input_grad)
    grad = module.backward(grad_output)
    return None if input_grad is False else grad[:, input_grad]


def is_rowwise(module: Module) -> bool:
    """Whether ``module`` treats each row of a batch on its own (every module in it says so).

    Then running it on [a; b] gives [module(a); module(b)], and the GAN may run D once on
    the real and the fake batch together. Layers that compare rows (minibatch
    discrimination, batch normalisation) are not row-wise, and neither is a module that
    does not say it is (``rowwise = True``).
    """
    return all(m.rowwise for m in module.modules())


def check_forward_called(module: Module, cached) -> None:
    """Raise a clear error when ``backward`` runs before ``forward``."""
    if cached is None:
        raise RuntimeError(
            f"{type(module).__name__}.backward was called before forward: run forward(x) first "
            "(backward uses what forward cached)"
        )


def check_input(module: Module, x, features: int | None = None, ndim: int = 2) -> None:
    """Check that ``x`` is a ``ndim``-D floating array with ``features`` columns."""
    name = type(module).__name__
    if not hasattr(x, "shape") or x.ndim != ndim:
        shape = getattr(x, "shape", type(x).__name__)
        raise ValueError(f"{name}: input must be a {ndim}-D array (batch, features); got shape {shape}")
    if features is not None and x.shape[-1] != features:
        raise ValueError(f"{name}: input must have {features} features (last axis); got shape {tuple(x.shape)}")
    if x.dtype.kind != "f":
        raise TypeError(f"{name}: input must be a floating array; got dtype {x.dtype}")


def check_grad_output(module: Module, grad_output, expected_shape) -> None:
    """Raise a clear error when ``backward`` gets dL/dy of the wrong shape (or not an array).

    ``expected_shape`` is the shape of the output the forward returned; dL/dy must match it."""
    name = type(module).__name__
    shape = getattr(grad_output, "shape", None)
    if shape is None:
        raise TypeError(f"{name}.backward: grad_output must be an array of shape {tuple(expected_shape)}; "
                        f"got {type(grad_output).__name__}")
    if tuple(shape) != tuple(expected_shape):
        raise ValueError(f"{name}.backward: grad_output must have the output's shape {tuple(expected_shape)}; "
                         f"got {tuple(shape)}")
