"""Minibatch discrimination (Salimans et al. 2016, "Improved Techniques for Training GANs", sec. 3.2).

A discriminator that sees one sample at a time cannot tell that the generator
keeps producing the same point: each copy looks real on its own. This layer
lets D look across the batch. For features f (N, A) and a learned tensor
T (A, B, C):

    M_i    = f_i T                              (B, C) per sample: B "kernels" of C numbers
    D_ijb  = ||M_i,b - M_j,b||_1 = sum_c |M_ibc - M_jbc|
    c_ijb  = exp(-D_ijb)                         closeness of samples i and j under kernel b
    o_ib   = sum_{j != i} c_ijb                  how crowded sample i's neighbourhood is
    output = [f, o]                              (N, A + B)

A batch of near-identical fakes gets o close to N - 1 on every kernel, a
spread-out batch of reals gets o close to 0, and D learns to tell them apart.

The sum skips j = i, as the authors' reference code does (it adds 1e6 to the
diagonal distances). Including j = i, as many PyTorch ports do, only adds the
constant 1 to every o_ib and changes no gradient.

``reduction="mean"`` divides o by N - 1, so it lies in [0, 1] whatever the
batch size. The paper sums; the mean is gentler on a small network trained
with Adam, whose step size does not shrink when an input is large.
"""
from __future__ import annotations

from .. import backend
from .module import Module, Parameter, check_forward_called, check_grad_output, check_input
from ..checks import check_positive_int


class MinibatchDiscrimination(Module):
    """``[f, o(f)]``: the input features followed by B minibatch features.

    Shapes: input f (N, in_features), T stored as ``weight`` (in_features,
    num_kernels * kernel_dim), output (N, in_features + num_kernels).
    ``weight`` starts as N(0, init_std^2), small like the reference code's
    (std 0.05), so that at first the L1 distances are O(1) and exp(-D) is
    neither 0 nor 1 everywhere. ``reduction``: "sum" (the paper) or "mean"
    (o / (N - 1)). The batch must hold at least 2 samples.
    """

    def __init__(self, in_features: int, num_kernels: int = 8, kernel_dim: int = 4, init_std: float = 0.1,
                 reduction: str = "sum"):
        for arg, value in (("in_features", in_features), ("num_kernels", num_kernels), ("kernel_dim", kernel_dim)):
            check_positive_int(arg, value, "MinibatchDiscrimination")
        if not init_std > 0:
            raise ValueError(f"MinibatchDiscrimination: init_std must be > 0; got {init_std!r}")
        if reduction not in ("sum", "mean"):
            raise ValueError(f"MinibatchDiscrimination: reduction must be 'sum' or 'mean'; got {reduction!r}")
        self.in_features, self.num_kernels, self.kernel_dim = in_features, num_kernels, kernel_dim
        self.reduction = reduction
        self.weight = Parameter(init_std * backend.rng().normal((in_features, num_kernels * kernel_dim)))
        self._cache = None

    def forward(self, f):
        """f (N, A) -> [f, o] (N, A + B)."""
        check_input(self, f, self.in_features)
        n = f.shape[0]
        if n < 2:
            raise ValueError(f"MinibatchDiscrimination: the batch must hold at least 2 samples; got {n}")
        xp = backend.xp
        # Kernels first, samples last: M[b, c, i]. Every sum below then runs over whole
        # (N, N) slabs of contiguous memory instead of over a short last axis (>10x faster).
        M = (f @ self.weight.data).reshape(n, self.num_kernels, self.kernel_dim)
        M = xp.ascontiguousarray(M.transpose(1, 2, 0))         # (B, C, N)
        diff = M[:, :, :, None] - M[:, :, None, :]              # (B, C, N, N): M_ibc - M_jbc
        c = xp.exp(-xp.abs(diff).sum(axis=1))                   # (B, N, N): c_ijb
        c[:, xp.arange(n), xp.arange(n)] = 0                    # j != i
        if self.reduction == "mean":
            c /= n - 1                                          # backward below then needs no change
        self._cache = (f, xp.sign(diff), c)
        return xp.concatenate([f, c.sum(axis=2).T], axis=1)

    def backward(self, grad_output):
        """Given grad_output = [dL/df_pass (N, A), G = dL/do (N, B)]:

        dL/dM_kbc = -sum_j (G_kb + G_jb) c_kjb sign(M_kbc - M_jbc)     (N, B, C)

        (sample k appears in o_k as i and in every o_j as j; c is symmetric
        and the sign flips, so the two terms share one sum), then as for Linear:
        dL/dT = f^T dM (A, B*C),  dL/df = dL/df_pass + dM T^T (N, A).
        sign(0) = 0 and c_kk = 0, so the diagonal contributes nothing, as it
        contributes nothing to o.
        """
        check_forward_called(self, self._cache)
        f, sign, c = self._cache
        n, a = f.shape
        if getattr(grad_output, "shape", None) != (n, a + self.num_kernels):
            check_grad_output(self, grad_output, (n, a + self.num_kernels))
        G = grad_output[:, a:].T                                # (B, N)
        W = (G[:, :, None] + G[:, None, :]) * c                 # (B, N, N): (G_kb + G_jb) c_kjb
        dM = -(sign * W[:, None, :, :]).sum(axis=3)             # (B, C, N)
        dM = dM.transpose(2, 0, 1).reshape(n, -1)               # (N, B*C), the layout of f @ T
        if self.weight.requires_grad:
            self.weight.grad += f.T @ dM
        return grad_output[:, :a] + dM @ self.weight.data.T

    def extra_repr(self):
        return (f"in_features={self.in_features}, num_kernels={self.num_kernels}, kernel_dim={self.kernel_dim}, "
                f"reduction={self.reduction!r}")
