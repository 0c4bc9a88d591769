"""Embedding table and label conditioning: y = weight[labels]."""
from __future__ import annotations

from .. import backend
from .module import Module, Parameter, check_forward_called, check_grad_output, check_input
from ..checks import check_positive_int


def check_labels(owner: str, labels, num_classes: int) -> None:
    """Labels must be a 1-D integer array with values in [0, num_classes)."""
    if not hasattr(labels, "dtype") or labels.ndim != 1:
        shape = getattr(labels, "shape", type(labels).__name__)
        raise ValueError(f"{owner}: labels must be a 1-D integer array (N,); got shape {shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{owner}: labels must be integers (class indices); got dtype {labels.dtype}")
    if labels.size:
        # On a GPU the range is read back later, not now (backend.check_later)
        backend.check_later(((labels < 0) | (labels >= num_classes)).any(), lambda: ValueError(
            f"{owner}: labels must lie in [0, {num_classes - 1}]; "
            f"got values in [{int(labels.min())}, {int(labels.max())}]"))


class Embedding(Module):
    """A lookup table: row ``labels[n]`` of ``weight`` for each n.

    Shapes: labels (N,) integers, weight (num_embeddings, embedding_dim),
    y (N, embedding_dim). Initialised N(0, 1) like PyTorch.
    """

    rowwise = True

    def __init__(self, num_embeddings: int, embedding_dim: int):
        for arg, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            check_positive_int(arg, value, "Embedding")
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        self.weight = Parameter(backend.rng().normal((num_embeddings, embedding_dim)))
        self._one_hot = None

    def forward(self, labels):
        check_labels("Embedding", labels, self.num_embeddings)
        xp = backend.xp
        # One-hot rows (N, num_embeddings): y = one_hot @ W picks the rows, and
        # backward is the same product transposed.
        self._one_hot = (labels[:, None] == xp.arange(self.num_embeddings)).astype(self.weight.data.dtype)
        return self.weight.data[labels]

    def backward(self, grad_output):
        """dL/dW = one_hot^T @ dL/dy (num_embeddings, dim): a row used k times receives
        the sum of its k gradients. Labels are not differentiable: returns None."""
        check_forward_called(self, self._one_hot)
        expected = (self._one_hot.shape[0], self.embedding_dim)
        if getattr(grad_output, "shape", None) != expected:
            check_grad_output(self, grad_output, expected)
        if self.weight.requires_grad:
            self.weight.accumulate_product(self._one_hot.T, grad_output)   # dL/dW += one_hot^T g
        return None

    def extra_repr(self):
        return f"num_embeddings={self.num_embeddings}, embedding_dim={self.embedding_dim}"


class LabelConcat(Module):
    """``[x, embed(labels)]``: a conditional GAN's way of telling a network the label.

    Shapes: x (N, F), labels (N,), y (N, F + embedding_dim). backward returns
    dL/dx (N, F) and sends the last ``embedding_dim`` columns to the embedding.
    """

    rowwise = True

    def __init__(self, num_classes: int, embedding_dim: int):
        self.embedding = Embedding(num_classes, embedding_dim)
        self.features = None        # F, the width of x (set by forward)

    def forward(self, x, labels):
        check_input(self, x)
        embedded = self.embedding(labels)          # checks the labels
        if x.shape[0] != labels.shape[0]:
            raise ValueError(
                f"LabelConcat: x and labels need the same batch size; got x {tuple(x.shape)}, labels {tuple(labels.shape)}"
            )
        self.features = x.shape[1]
        return backend.xp.concatenate([x, embedded.astype(x.dtype)], axis=1)

    def backward(self, grad_output):
        """Split dL/dy (N, F + E) into dL/dx (N, F) and dL/d embedding (N, E)."""
        check_forward_called(self, self.features)
        expected = (self.embedding._one_hot.shape[0], self.features + self.embedding.embedding_dim)
        if getattr(grad_output, "shape", None) != expected:
            check_grad_output(self, grad_output, expected)
        self.embedding.backward(grad_output[:, self.features:])
        return grad_output[:, : self.features]
