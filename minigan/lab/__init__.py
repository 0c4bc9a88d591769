"""minigan lab: watch and steer a GAN as it trains, in the browser, on minigan's own layers.

``python -m minigan.lab`` starts it (see ``__main__``). One file per job:

- ``config``       the settings, their defaults and their checks (ConfigError names field, expected, given)
- ``datasets``     ring, grid, two moons, spiral, a 1-D Gaussian, a drawn distribution; their quality numbers
- ``networks``     the GAN: two MLPs of minigan's layers, Adam, Algorithm 1
- ``session``      LabSession: one GAN, a lock, steps of D / G / both, settings, reset, save and load
- ``trainer``      the background thread that trains while the page plays
- ``curves``       the loss curves at a bounded resolution
- ``state``        what the page draws: samples, D's heatmap, G's manifold, the gradient arrows, Figure 1
- ``look_inside``  one sample's gradients, layer by layer, with the file and function that computed each
- ``server``       the HTTP server and its JSON API (standard library only)
- ``health_signs`` the health signs of ``minigan.training.health`` that the page shows
- ``static/``      the page: one HTML file, plain JavaScript and canvas, no build step
"""
from .config import ConfigError
from .session import LabSession

__all__ = ["LabSession", "ConfigError"]
