"""Residual connections (He et al. 2016): y = x + f(x), the block deep generators and discriminators
are built from (CycleGAN's ResNet generator, StyleGAN2-ADA's residual discriminator)."""
from __future__ import annotations

from .activations import ReLU
from .conv import Conv2d
from .instance_norm import InstanceNorm2d
from .module import Module, backward_to, check_forward_called, check_grad_output, is_rowwise
from .padding import ReflectionPad2d
from .sequential import Sequential
from ..checks import check_number, check_positive_int


class Residual(Module):
    """y = x + branch(x): the branch learns a correction to the identity. The branch must return
    an array of its input's shape.

    backward: dL/dx = g + branch.backward(g), the gradient of the identity path plus the branch's.
    That one addition is what keeps deep networks trainable: through a plain stack of n layers the
    gradient is a product of n Jacobians and shrinks (or grows) geometrically; through n residual
    blocks each factor is I + J_k, and the term I carries g down to the input unchanged, however
    small the branches' Jacobians J_k are (docs/02_backprop.md shows it).

    ``skip`` and ``scale`` (StyleGAN2's residual discriminator, which changes the shape on the way):
    y = scale (skip(x) + branch(x)), the skip path a module of its own (a strided 1x1 convolution, say)
    whose output has the branch's shape; backward: dL/dx = skip.backward(scale g) + branch.backward(scale g).
    scale = 1/sqrt(2) keeps the variance of a sum of two like terms that of one.

    Row-wise exactly when the branch (and the skip path) are (``is_rowwise``).
    """

    skips_input_grad = True

    def __init__(self, branch: Module, skip: Module | None = None, scale: float = 1.0):
        for name, module in (("branch", branch), ("skip", skip)):
            if not isinstance(module, Module) and not (name == "skip" and module is None):
                raise TypeError(f"{type(self).__name__}: {name} must be a Module; got {type(module).__name__}")
        check_number("scale", scale, 0, low_open=True, owner=type(self).__name__)
        self.branch, self.skip, self.scale = branch, skip, scale
        self._shape = None

    @property
    def rowwise(self) -> bool:
        return is_rowwise(self.branch) and (self.skip is None or is_rowwise(self.skip))

    def forward(self, x):
        """x -> scale (skip(x) + branch(x)), skip(x) = x unless a skip path is given (then the branch's shape)."""
        name = type(self).__name__
        if not hasattr(x, "shape") or getattr(x, "dtype", None) is None or x.dtype.kind != "f":
            got = f"dtype {x.dtype}" if hasattr(x, "dtype") else type(x).__name__
            raise TypeError(f"{name}: input must be a floating array; got {got}")
        fx = self.branch(x)
        sx = x if self.skip is None else self.skip(x)
        if tuple(getattr(fx, "shape", ())) != tuple(sx.shape):
            what = "its input's shape" if self.skip is None else f"the skip path's ({type(self.skip).__name__}) shape"
            raise ValueError(f"{name}: the branch must return {what} {tuple(sx.shape)} to be added "
                             f"to it; {type(self.branch).__name__} returned {tuple(getattr(fx, 'shape', ()))}")
        self._shape = (tuple(x.shape), tuple(fx.shape))
        y = sx + fx
        return y if self.scale == 1 else y * self.scale

    def backward(self, grad_output, input_grad=True):
        """Given g = dL/dy (the output's shape): dL/dx = g + branch.backward(g) (x's shape), or with a skip path
        and scale, skip.backward(scale g) + branch.backward(scale g); each path accumulates its parameters'
        gradients on the way.

        input_grad (see ``nn.module.backward_to``): False computes only the parameter gradients (the
        input is data) and returns None; a slice returns those columns of dL/dx."""
        check_forward_called(self, self._shape)
        check_grad_output(self, grad_output, self._shape[1])
        g = grad_output if self.scale == 1 else grad_output * self.scale
        branch_grad = backward_to(self.branch, g, input_grad)
        if self.skip is not None:
            skip_grad = backward_to(self.skip, g, input_grad)
            return None if input_grad is False else skip_grad + branch_grad
        if input_grad is False:
            return None
        identity_grad = g if input_grad is True else g[:, input_grad]
        return identity_grad + branch_grad          # a new array: the branch may have returned g itself


class ResidualBlock(Residual):
    """CycleGAN's residual block for ``channels`` feature maps (Zhu et al. 2017, the ResNet generator):

        y = x + IN(conv3x3(pad(ReLU(IN(conv3x3(pad(x)))))))

    with pad = ReflectionPad2d(1), conv3x3 = Conv2d(channels, channels, 3) and IN = InstanceNorm2d
    (no affine parameters, as CycleGAN's default). The output has the input's shape (N, C, H, W);
    H and W must be at least 2 (reflection by 1 needs a neighbour).

    The convolutions have no bias: instance norm subtracts each channel's mean right after them, so a
    bias would be cancelled exactly and its gradient would be 0 (CycleGAN's code keeps one that
    never learns; the block computes the same function without it).
    """

    def __init__(self, channels: int):
        check_positive_int("channels", channels, "ResidualBlock")
        self.channels = channels
        super().__init__(Sequential(
            ReflectionPad2d(1), Conv2d(channels, channels, 3, bias=False), InstanceNorm2d(channels), ReLU(),
            ReflectionPad2d(1), Conv2d(channels, channels, 3, bias=False), InstanceNorm2d(channels),
        ))

    def extra_repr(self):
        return f"{self.channels}"
