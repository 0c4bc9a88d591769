"""Look inside: one fake sample's path through G, D and G's loss, and every gradient on the way back.

For one z, the lab runs G and D layer by layer, computes G's loss on D's verdict, then calls each
layer's own hand-written ``backward`` in reverse order, exactly as ``GAN.generator_step`` does
(D frozen, the gradient unpacked when D judges packs), and records what each one returned: dL/d of
that layer's input. Which file and function computed it is read from the code itself (``inspect``),
with the function's source and its section of the backpropagation chapter.

Nothing of training changes: no optimizer step runs, D's parameters are frozen as in G's own step,
and G's parameter gradients are saved before and written back after (in place: they are views of
the optimizer's flat buffer). The layers' caches are overwritten, which training never reads
before its next forward pass. The caller holds the session's lock.
"""
from __future__ import annotations

import functools
import inspect
import pathlib
import re

import numpy

from .. import backend
from ..gan import pack_samples, unpack_gradient
from ..losses import BCEWithLogitsLoss
from ..nn import sigmoid

ROOT = pathlib.Path(__file__).resolve().parents[2]     #: the repository (or site-packages) folder above minigan/
SHOWN = 16                                             #: numbers of a vector sent to the page


def _vector(row) -> dict:
    """The first SHOWN numbers of a host or backend row, its length and its Euclidean norm."""
    v = backend.to_numpy(row).astype(numpy.float64).ravel()
    return {"values": [float(f"{x:.5g}") for x in v[:SHOWN]], "size": int(v.size),
            "norm": float(f"{numpy.linalg.norm(v):.5g}")}


def _anchor(heading: str) -> str:
    """GitHub's anchor of a markdown heading (links as their text, punctuation dropped, spaces to '-')."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


@functools.lru_cache(maxsize=None)
def chapter_section(page: str, qualname: str):
    """The anchor of the heading of ``page`` (e.g. "docs/02_backprop.md") that names `qualname`, "" for the
    page's top when none does, None when the page is not there (an installed package has no docs)."""
    path = ROOT / page
    if not path.is_file():
        return None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") and f"`{qualname}`" in line:
            return _anchor(line.lstrip("#"))
    return ""


@functools.lru_cache(maxsize=None)
def source_of(function) -> dict:
    """Where ``function`` is defined, read by ``inspect``: its file (relative to ROOT), qualified name,
    first line, source text, and its section in the English and Korean backpropagation chapters."""
    file = pathlib.Path(inspect.getsourcefile(function)).resolve()
    lines, first = inspect.getsourcelines(function)
    name = function.__qualname__
    try:
        shown = file.relative_to(ROOT).as_posix()
    except ValueError:
        shown = file.as_posix()
    return {"file": shown, "function": name, "line": first, "source": "".join(lines),
            "chapter": {lang: {"page": page, "anchor": chapter_section(page, name)}
                        for lang, page in (("en", "docs/02_backprop.md"), ("ko", "docs/ko/02_backprop.md"))}}


def describe(layer) -> str:
    """A short name for a layer: "Linear(64 → 1)", "LeakyReLU(negative_slope=0.2)", "Rescale(...)"."""
    name = type(layer).__name__
    if hasattr(layer, "in_features"):
        return f"{name}({layer.in_features} → {layer.out_features})"
    extra = layer.extra_repr()
    return f"{name}({extra})" if extra else name


def _forward(network, x):
    """Run ``network``'s layers one by one; returns ([input of each layer], output)."""
    inputs = []
    for layer in network.layers:
        inputs.append(x)
        x = layer(x)
    return inputs, x


def generator_loss_and_gradient(gan, logit):
    """G's loss on D's logits (GAN.generator_step's), its gradient dL/dlogit, and the loss's name."""
    xp, bce = backend.xp, BCEWithLogitsLoss()
    if gan.generator_loss == "non-saturating":
        return bce(logit, xp.ones_like(logit)), bce.backward(), "-log D(G(z))"
    return -bce(logit, xp.zeros_like(logit)), -bce.backward(), "log(1 - D(G(z)))"


def _step(network: str, position, layer, function, grad, value, row: int) -> dict:
    """One row of the table: the layer whose backward ran, what it returned (row ``row``), its input."""
    out = {"network": network, "position": position, "layer": layer, "function": function.__qualname__,
           "gradient": _vector(grad[row]), "shape": list(grad.shape)}
    if value is not None:
        out["input"] = _vector(value[row])
    return out


def _backward_through(network, name: str, grad, inputs, row: int, steps: list, sources: dict):
    """Call each layer's backward from the last layer to the first, recording every returned gradient."""
    for position in reversed(range(len(network.layers))):
        layer = network.layers[position]
        grad = layer.backward(grad)
        step = _step(name, position, describe(layer), type(layer).backward, grad, inputs[position], row)
        params = [(key, p) for key, p in layer.named_parameters() if p.requires_grad]
        if params:   # G's layers: what this one sample adds to dL/dθ (D is frozen, as in G's step)
            step["parameters"] = {key: _vector(p.grad) for key, p in params}
        steps.append(step)
        sources.setdefault(step["function"], source_of(type(layer).backward))
    return grad


def look_inside(gan, z, row: int = 0) -> dict:
    """The path of fake sample ``row`` of ``z`` (pack, noise_dim): D judges the ``pack`` rows of z
    together, as in training. Returns {"z", "x", "logit", "d", "loss", "loss_name", "pack", "steps",
    "sources"}: ``steps`` from the loss back to z, each with the gradient that layer's ``backward``
    returned (dL/d its input, this sample's row), ``sources`` by function name (see :func:`source_of`)."""
    G, D = gan.generator, gan.discriminator
    g_params = G.parameters()
    saved = [backend.xp.array(p.grad, copy=True) for p in g_params]
    D.requires_grad_(False)
    try:
        for p in g_params:
            p.clear_grad()
        g_inputs, x = _forward(G, z)
        d_inputs, logit = _forward(D, pack_samples(x, gan.pack))
        loss, grad, loss_name = generator_loss_and_gradient(gan, logit)
        steps = [_step("loss", None, f"G's loss {loss_name}", BCEWithLogitsLoss.backward, grad, None, 0)]
        sources = {steps[0]["function"]: source_of(BCEWithLogitsLoss.backward)}
        grad = _backward_through(D, "D", grad, d_inputs, 0, steps, sources)
        if gan.pack > 1:
            grad = unpack_gradient(grad, gan.pack)
            steps.append(_step("pack", None, f"unpack {gan.pack} samples", unpack_gradient, grad, None, row))
            sources[steps[-1]["function"]] = source_of(unpack_gradient)
        _backward_through(G, "G", grad, g_inputs, row, steps, sources)
    finally:
        D.requires_grad_(True)
        for p, value in zip(g_params, saved):
            p.grad[...] = value
    return {"z": _vector(z[row]), "x": _vector(x[row]), "logit": float(backend.to_numpy(logit)[0, 0]),
            "d": float(backend.to_numpy(sigmoid(logit))[0, 0]), "loss": float(loss), "loss_name": loss_name,
            "pack": gan.pack, "steps": steps, "sources": sources}
