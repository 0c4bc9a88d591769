"""The parts of minigan that the lab uses and that are moving in the package's reorganisation.

Everything the lab takes from ``minigan.health``, ``minigan.checkpoint`` and ``minigan.errors`` is
imported here, once, so that a move of those modules changes this file only. The stable names
(``minigan.backend``, ``nn``, ``optim``, ``losses``, ``gan.GAN``, ``data.toy``, ``metrics``) are
imported where they are used.
"""
from __future__ import annotations

from .. import checkpoint
from ..errors import TrainingDiverged
from ..health import MESSAGES, SHORT, WINDOW, current_warnings, diagnose

__all__ = ["checkpoint", "TrainingDiverged", "MESSAGES", "SHORT", "WINDOW", "current_warnings", "diagnose",
           "health_signs", "collapse_sign"]

#: current_warnings' short words back to the sign's key ("D winning" -> "d_winning")
SIGN_OF_SHORT = {short: sign for sign, short in SHORT.items()}


def health_signs(history: dict, k: int, generator_loss: str, window: int = WINDOW) -> list:
    """The signs (keys of ``MESSAGES``) that hold over the latest ``window`` iterations of ``history``."""
    return [SIGN_OF_SHORT[short] for short in current_warnings(history, k, window, generator_loss)]


def collapse_sign(modes: dict) -> bool:
    """Whether ``minigan.health`` calls the mode statistics ``modes`` (``metrics.mode_metrics``) mode collapse."""
    return any(e["sign"] == "mode_collapse" for e in diagnose({"d_loss": [], "g_loss": []}, modes=modes))
