"""Residual connections (He et al. 2016): y = x + f(x), the block deep generators and discriminators
are built from (CycleGAN's ResNet generator, StyleGAN2-ADA's residual discriminator)."""
from __future__ import annotations

from .activations import ReLU
from .conv import Conv2d
from .instance_norm import InstanceNorm2d
from .module import Module, backward_to, check_forward_called, check_grad_output, is_rowwise
from .padding import ReflectionPad2d
from .sequential import Sequential
from ..checks import check_positive_int


class Residual(Module):
    """y = x + branch(x): the branch learns a correction to the identity. The branch must return
    an array of its input's shape.

    backward: dL/dx = g + branch.backward(g), the gradient of the identity path plus the branch's.
    That one addition is what keeps deep networks trainable: through a plain stack of n layers the
    gradient is a product of n Jacobians and shrinks (or grows) geometrically; through n residual
    blocks each factor is I + J_k, and the term I carries g down to the input unchanged, however
    small the branches' Jacobians J_k are (docs/02_backprop.md shows it).

    Row-wise exactly when the branch is (``is_rowwise``).
    """

    skips_input_grad = True

    def __init__(self, branch: Module):
        if not isinstance(branch, Module):
            raise TypeError(f"{type(self).__name__}: branch must be a Module; got {type(branch).__name__}")
        self.branch = branch
        self._shape = None

    @property
    def rowwise(self) -> bool:
        return is_rowwise(self.branch)

    def forward(self, x):
        """x -> x + branch(x), same shape."""
        name = type(self).__name__
        if not hasattr(x, "shape") or getattr(x, "dtype", None) is None or x.dtype.kind != "f":
            got = f"dtype {x.dtype}" if hasattr(x, "dtype") else type(x).__name__
            raise TypeError(f"{name}: input must be a floating array; got {got}")
        fx = self.branch(x)
        if tuple(getattr(fx, "shape", ())) != tuple(x.shape):
            raise ValueError(f"{name}: the branch must return its input's shape {tuple(x.shape)} to be added "
                             f"to it; {type(self.branch).__name__} returned {tuple(getattr(fx, 'shape', ()))}")
        self._shape = tuple(x.shape)
        return x + fx

    def backward(self, grad_output, input_grad=True):
        """Given g = dL/dy (same shape as x): dL/dx = g + branch.backward(g) (same shape); the branch
        accumulates its parameters' gradients from g.

        input_grad (see ``nn.module.backward_to``): False computes only the branch's parameter
        gradients (the input is data) and returns None; a slice returns those columns of dL/dx."""
        check_forward_called(self, self._shape)
        check_grad_output(self, grad_output, self._shape)
        branch_grad = backward_to(self.branch, grad_output, input_grad)
        if input_grad is False:
            return None
        identity_grad = grad_output if input_grad is True else grad_output[:, input_grad]
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
