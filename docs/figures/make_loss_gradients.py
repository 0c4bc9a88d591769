"""Figure for docs/03_algorithm1.md (section 4): why the generator uses the non-saturating loss.

Write D = D(G(z)) = sigmoid(a), with a the discriminator's logit on a fake.
The two generator losses of ``GAN.generator_step`` and their slopes in a:

    minimax         L = log(1 - D) = -BCE(D, 0)     dL/da = -D
    non-saturating  L = -log D     =  BCE(D, 1)     dL/da = -(1 - D)

Both slopes are negative (both push a up, i.e. make the fake look more real),
but early in training D rejects the fakes, D ~ 0, and the minimax slope
vanishes while the non-saturating one is close to its largest value, 1.

The curves are not typed in: they come from minigan's own BCEWithLogitsLoss
(on logits) and BCELoss chained through Sigmoid.backward (on probabilities),
called the way ``GAN.generator_step`` calls them, and both are checked
against the closed forms above before anything is drawn.

    python docs/figures/make_loss_gradients.py        # writes docs/figures/generator_losses.png
"""
from __future__ import annotations

import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))

from minigan import backend, losses, nn  # noqa: E402


def generator_loss_curves(d):
    """Loss and dL/da for each generator loss at D(G(z)) = d.

    d: host array (n,) in (0, 1). Returns {name: (loss (n,), dL/da (n,))},
    computed by minigan's losses on the logits a = log(d / (1 - d)), one
    element per call for the loss (the losses return a batch mean) and one
    batched call for the gradient (the mean's 1/n is multiplied back).
    """
    a = backend.asarray(numpy.log(d / (1 - d))[:, None])          # (n, 1) logits
    ones, zeros = backend.xp.ones_like(a), backend.xp.zeros_like(a)
    bce = losses.BCEWithLogitsLoss()
    n = a.shape[0]

    def elementwise(target, sign):
        return numpy.array([sign * float(bce(a[i:i + 1], target[i:i + 1])) for i in range(n)])

    ns_loss = elementwise(ones, +1.0)                  # -log D      = BCE(D, 1)
    bce(a, ones)
    ns_grad = bce.backward() * n                       # d/da BCE(D, 1)
    mm_loss = elementwise(zeros, -1.0)                 # log(1 - D)  = -BCE(D, 0)
    bce(a, zeros)
    mm_grad = -bce.backward() * n                      # d/da -BCE(D, 0)
    return {
        "non-saturating": (ns_loss, backend.to_numpy(ns_grad)[:, 0]),
        "minimax": (mm_loss, backend.to_numpy(mm_grad)[:, 0]),
    }


def probability_path_gradients(d):
    """The same dL/da through a Sigmoid layer and BCELoss (the ``logits=False`` discriminator).

    dL/dD = (D - y) / (D (1 - D)), then Sigmoid.backward multiplies by D (1 - D).
    """
    a = backend.asarray(numpy.log(d / (1 - d))[:, None])
    sig, bce = nn.Sigmoid(), losses.BCELoss()
    p = sig(a)
    n = a.shape[0]
    bce(p, backend.xp.ones_like(p))
    ns = sig.backward(bce.backward()) * n
    bce(p, backend.xp.zeros_like(p))
    mm = -sig.backward(bce.backward()) * n
    return {"non-saturating": backend.to_numpy(ns)[:, 0], "minimax": backend.to_numpy(mm)[:, 0]}


def check(d, curves, probability_grads):
    """Assert the library's numbers equal the closed forms (float64, so to ~1e-12)."""
    closed = {
        "non-saturating": (-numpy.log(d), -(1 - d)),
        "minimax": (numpy.log(1 - d), -d),
    }
    for name, (loss, grad) in closed.items():
        numpy.testing.assert_allclose(curves[name][0], loss, rtol=1e-9, atol=1e-12, err_msg=f"{name} loss")
        numpy.testing.assert_allclose(curves[name][1], grad, rtol=1e-9, atol=1e-12, err_msg=f"{name} dL/da")
        numpy.testing.assert_allclose(probability_grads[name], grad, rtol=1e-6, atol=1e-9,
                                      err_msg=f"{name} dL/da through Sigmoid + BCELoss")
    print("minigan's BCEWithLogitsLoss and Sigmoid+BCELoss agree with dL/da = -D (minimax) "
          "and -(1 - D) (non-saturating)")


def plot(d, curves, path):
    colors = {"minimax": "tab:red", "non-saturating": "tab:blue"}
    labels = {"minimax": r"minimax  $\log(1-D)$", "non-saturating": r"non-saturating  $-\log D$"}
    fig, (ax_loss, ax_grad) = plt.subplots(1, 2, figsize=(9, 3.6))
    for ax in (ax_loss, ax_grad):
        ax.axvspan(0, 0.1, color="0.9")
        ax.set_xlim(0, 1)
        ax.set_xlabel(r"$D(G(z))$: the discriminator's belief that a fake is real")

    for name, (loss, _) in curves.items():
        ax_loss.plot(d, loss, color=colors[name], label=labels[name])
    ax_loss.set_ylim(-5, 5)
    ax_loss.axhline(0, color="0.5", lw=0.5)
    ax_loss.set_title("generator losses (G minimises both)")
    ax_loss.text(0.02, -4.6, "early\ntraining", fontsize=8, va="bottom")
    ax_loss.legend(loc="upper right", fontsize=8)

    for name, (_, grad) in curves.items():
        ax_grad.plot(d, numpy.abs(grad), color=colors[name],
                     label=(r"minimax: $D$" if name == "minimax" else r"non-saturating: $1-D$"))
    ax_grad.set_ylim(0, 1.05)
    ax_grad.axvline(0.5, color="0.5", lw=0.5, ls="--")
    ax_grad.text(0.51, 0.03, "equilibrium\n$D = 1/2$", fontsize=8)
    ax_grad.text(0.02, 0.55, "minimax\ngradient\nvanishes", fontsize=8, color=colors["minimax"])
    ax_grad.set_title(r"gradient size $|\partial L/\partial a|$  ($a$: D's logit)")
    ax_grad.legend(loc="upper center", fontsize=8)

    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    with backend.default_dtype("float64"):
        d = numpy.linspace(0.001, 0.999, 999)
        curves = generator_loss_curves(d)
        check(d, curves, probability_path_gradients(d))
    path = os.path.join(HERE, "generator_losses.png")
    plot(d, curves, path)
    print(f"wrote {path} ({os.path.getsize(path) / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
