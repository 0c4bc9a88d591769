"""What the page draws, computed from the session's GAN: small, host-side, JSON-ready.

Every piece is a forward pass of minigan's own networks (and, for the arrows, one backward pass
through D), run while the session's lock is held, with fixed inputs so that the drawing moves
smoothly as the networks learn:

- ``fake``: G(z) for a fixed set of NUM_SAMPLES noise vectors (drawn once, from a random source of
  the lab's own, so drawing never changes the training's random numbers);
- ``arrows``: dL_G/dG(z) at those samples, exactly what ``D.backward`` returns for the generator's
  loss in ``GAN.generator_step`` (D frozen), times the number of D's rows, so that each arrow is
  the gradient of its own sample's loss (the page draws -arrow: where G is pushed);
- ``heatmap``: D's verdict sigma(D(x)) on a HEATMAP x HEATMAP grid over the view (with packing,
  D judges ``pack`` copies of the same point);
- ``manifold``: G over a MANIFOLD x MANIFOLD grid of z (the first two coordinates; the others 0);
- in 1-D, Figure 1 of the GAN paper: p_data, a histogram of p_g, D(x) on a line, and z -> G(z).
"""
from __future__ import annotations

import numpy

from .. import backend
from ..gan import pack_samples, unpack_gradient
from ..nn import sigmoid
from .look_inside import generator_loss_and_gradient

NUM_SAMPLES = 480          #: fake and real samples drawn (a multiple of every pack, 1 to 4)
QUALITY_SAMPLES = 2500     #: samples for the quality numbers (PacGAN's Table 1 protocol)
HEATMAP = 32               #: D's heatmap is HEATMAP x HEATMAP (the page smooths it as it scales it up)
MANIFOLD = 20              #: G's manifold is MANIFOLD x MANIFOLD points (a line of MANIFOLD^2 for 1-D noise)
LINE_POINTS = 200          #: points of D(x) and p_data in the 1-D view
Z_LINES = 24               #: z -> G(z) lines in the 1-D view
HISTOGRAM_BINS = 40        #: bins of p_g's histogram in the 1-D view (over NUM_SAMPLES samples)


def host(values) -> numpy.ndarray:
    """A host float32 copy of ``values`` (backend or host), as the wire sends it (minigan.lab.wire)."""
    return backend.to_numpy(values).astype(numpy.float32)


def z_range(noise: str) -> tuple:
    """The range of z the manifold covers: the prior's [-1, 1], or +-2 std of N(0, 1)."""
    return (-1.0, 1.0) if noise == "uniform" else (-2.0, 2.0)


class Display:
    """The fixed inputs of the drawing, made once per network build.

    ``z_normal``, ``z_uniform``: (NUM_SAMPLES + QUALITY_SAMPLES, noise_dim) host noise of each prior,
    from ``numpy.random.default_rng(seed)``; ``real``: (NUM_SAMPLES, dim) host data samples.
    """

    def __init__(self, noise_dim: int, real, seed: int):
        rs = numpy.random.default_rng(seed + 1)
        n = NUM_SAMPLES + QUALITY_SAMPLES
        self.z_normal = rs.standard_normal((n, noise_dim))
        self.z_uniform = rs.uniform(-1.0, 1.0, (n, noise_dim))
        self.real = backend.to_numpy(real).astype(numpy.float64)

    def noise(self, prior: str, count: int, start: int = 0):
        """``count`` fixed z of ``prior`` on the backend, (count, noise_dim)."""
        z = self.z_uniform if prior == "uniform" else self.z_normal
        return backend.asarray(z[start:start + count])


def generator_push(gan, fake):
    """dL_G/dG(z) for the fake samples ``fake`` (n, dim), as G's update computes it, per sample.

    D is frozen (``requires_grad_(False)``: no parameter gradient is touched), D's loss for G is the
    GAN's own (non-saturating -log D(G(z)), or minimax log(1 - D(G(z)))), and the gradient is the
    one ``D.backward`` returns, unpacked. Multiplied by D's number of rows: the gradient of each
    row's own loss rather than of their mean. Returns a backend array (n, dim).
    """
    D = gan.discriminator
    D.requires_grad_(False)
    try:
        logits = D(pack_samples(fake, gan.pack))
        _, grad, _ = generator_loss_and_gradient(gan, logits)
        return unpack_gradient(D.backward(grad), gan.pack) * logits.shape[0]
    finally:
        D.requires_grad_(True)


def verdict(gan, x):
    """sigma(D(x)) for host points x (n, dim): D on ``pack`` copies of each point, (n,)."""
    xp = backend.xp
    points = backend.asarray(x)
    logits = gan.discriminator(xp.concatenate([points] * gan.pack, axis=1))
    return sigmoid(logits)[:, 0]


def heatmap(gan, view: tuple, size: int = HEATMAP) -> dict:
    """D's verdict on the centres of a size x size grid over [lo, hi]^2, row 0 at the top (y = hi)."""
    lo, hi = view
    step = (hi - lo) / size
    centres = lo + step * (numpy.arange(size) + 0.5)
    xs, ys = numpy.meshgrid(centres, centres[::-1])
    values = verdict(gan, numpy.stack([xs.ravel(), ys.ravel()], axis=1))
    return {"size": size, "values": host(values)}


def manifold(gan, noise_dim: int, noise: str) -> dict:
    """G over a grid of z: rows x cols points (n, 2), z's first two coordinates on the grid, the rest 0.
    With 1-D noise, one row of MANIFOLD^2 points along z."""
    lo, hi = z_range(noise)
    if noise_dim == 1:
        rows, cols = 1, MANIFOLD * MANIFOLD
        z = numpy.linspace(lo, hi, cols)[:, None]
    else:
        rows = cols = MANIFOLD
        a, b = numpy.meshgrid(numpy.linspace(lo, hi, cols), numpy.linspace(lo, hi, rows))
        z = numpy.zeros((rows * cols, noise_dim))
        z[:, 0], z[:, 1] = a.ravel(), b.ravel()
    points = gan.generate(len(z), z=backend.asarray(z))
    return {"rows": rows, "cols": cols, "points": host(points)}


def figure_one(gan, data, fake_host, noise: str) -> dict:
    """The 1-D view: x line, p_data(x), D(x), a histogram density of p_g on the same line, z -> G(z)."""
    lo, hi = data.view
    x = numpy.linspace(lo, hi, LINE_POINTS)
    counts, edges = numpy.histogram(fake_host[:, 0], bins=HISTOGRAM_BINS, range=(lo, hi))
    density = counts / max(1, len(fake_host)) / (edges[1] - edges[0])
    z = numpy.linspace(*z_range(noise), Z_LINES)
    z_full = numpy.zeros((Z_LINES, gan.noise_dim))
    z_full[:, 0] = z
    g = gan.generate(Z_LINES, z=backend.asarray(z_full))[:, 0]
    return {"x": host(x), "p_data": host(data.density(x)), "d": host(verdict(gan, x[:, None])),
            "p_g_edges": host(edges), "p_g": host(density), "z": host(z), "g": host(g)}


def drawing(gan, data, display: Display, config: dict) -> dict:
    """Everything the page draws for the current networks (see the module's docstring)."""
    z = display.noise(config["noise"], NUM_SAMPLES)
    fake = gan.generate(NUM_SAMPLES, z=z)
    push = generator_push(gan, fake)
    fake_host = backend.to_numpy(fake).astype(numpy.float64)
    out = {"fake": host(fake_host), "arrows": host(push)}
    if data.dim == 1:
        out["one_d"] = figure_one(gan, data, fake_host, config["noise"])
    else:
        out["heatmap"] = heatmap(gan, data.view)
        out["manifold"] = manifold(gan, config["noise_dim"], config["noise"])
    return out


def quality(gan, data, display: Display, config: dict) -> dict:
    """minigan's quality numbers (``LabData.quality``) on QUALITY_SAMPLES fixed-noise samples."""
    z = display.noise(config["noise"], QUALITY_SAMPLES, start=NUM_SAMPLES)
    samples = backend.to_numpy(gan.generate(QUALITY_SAMPLES, z=z)).astype(numpy.float64)
    if not numpy.isfinite(samples).all():
        return {}
    return data.quality(samples if data.dim > 1 else samples[:, 0])
