"""Data: toy distributions (``toy``) and MNIST (``mnist``)."""
from . import mnist, toy

__all__ = ["toy", "mnist"]
