"""The health signs the page shows: ``minigan.training.health``'s, read from the lab's GAN."""
from __future__ import annotations

from ..training.health import WINDOW, current_signs, mode_collapse


def health_signs(gan, generator_loss: str, quality: dict, window: int = WINDOW) -> list:
    """The signs (keys of ``MESSAGES``) that ``gan``'s history shows over its latest ``window`` iterations,
    plus "mode_collapse" when the mode statistics ``quality`` (``metrics.mode_metrics``, ring and grid)
    show it. Reading the history back may raise TrainingDiverged."""
    signs = current_signs(gan.recent_history(window), gan.k, window, generator_loss)
    if "counts" in quality and gan.iteration > 0 and mode_collapse(quality):
        signs.append("mode_collapse")
    return signs
