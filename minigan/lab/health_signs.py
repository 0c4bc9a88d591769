"""The health signs the page shows: ``minigan.training.health``'s, read from the lab's GAN."""
from __future__ import annotations

from ..training.health import SHORT, WINDOW, current_warnings, diagnose

#: current_warnings' short words back to the sign's key ("D winning" -> "d_winning")
SIGN_OF_SHORT = {short: sign for sign, short in SHORT.items()}


def health_signs(gan, generator_loss: str, quality: dict, window: int = WINDOW) -> list:
    """The signs (keys of ``MESSAGES``) that ``gan``'s history shows over its latest ``window`` iterations,
    plus "mode_collapse" when the mode statistics ``quality`` (``metrics.mode_metrics``, ring and grid)
    show it. Reading the history back may raise TrainingDiverged."""
    history = gan.recent_history(window)
    signs = [SIGN_OF_SHORT[short] for short in current_warnings(history, gan.k, window, generator_loss)]
    if "counts" in quality and gan.iteration > 0 and collapse_sign(quality):
        signs.append("mode_collapse")
    return signs


def collapse_sign(modes: dict) -> bool:
    """Whether ``minigan.training.health`` calls the mode statistics ``modes`` (``metrics.mode_metrics``) mode collapse."""
    return any(e["sign"] == "mode_collapse" for e in diagnose({"d_loss": [], "g_loss": []}, modes=modes))
