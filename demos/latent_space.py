"""A tour of a trained MNIST generator's latent space.

    python demos/latent_space.py                     # the shipped cGAN: runs in seconds, nothing to train
    python demos/latent_space.py --model dcgan       # another shipped generator (minigan/pretrained/)
    python demos/latent_space.py --checkpoint outputs/mnist_cgan/generator.npz   # your own trained one

Writes to --out (default outputs/latent_space):
  interpolation.png  lerp and slerp between the same pairs of z, and |z(t)| along each path
  labels.png         the same z under each of the 10 labels (style is in z, the digit in the label)
  arithmetic.png     z + s * (mean z of thick-stroke samples - mean z of thin-stroke ones)
See docs/05_conditional_gan.md.
"""
from __future__ import annotations

import argparse
import pathlib
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan import backend, latent  # noqa: E402
from minigan.training import image_sampling  # noqa: E402
from minigan.demo_tools.cli import add_debug_argument, add_lang_argument, non_negative_int, positive, run_main  # noqa: E402
from minigan.demo_tools.generator_args import add_generator_arguments, load_generator  # noqa: E402
from minigan.demo_tools.figure_text import set_language, text  # noqa: E402
from minigan.demo_tools.plots import show_images as show  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
STRENGTHS = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5)   # in units of |thick - thin|: larger ones break the digit


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_generator_arguments(p, default_model="cgan")
    p.add_argument("--out", type=pathlib.Path, default=ROOT / "outputs" / "latent_space")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--steps", type=positive(int), default=10, help="images along each interpolation")
    p.add_argument("--samples", type=positive(int), default=2000, help="samples used to find the thick-stroke direction")
    add_lang_argument(p)
    add_debug_argument(p)
    return p.parse_args(argv)


def labels_for(G, values):
    return backend.asarray(values, dtype=backend.xp.int64) if image_sampling.is_conditional(G) else None


def interpolation_figure(G, dim, rng, steps, path, pairs=4, output="tanh"):
    """Rows: lerp then slerp for each pair (same endpoints, same label); right: |z(t)|."""
    xp = backend.xp
    paths, names, norms = [], [], []
    for i in range(pairs):
        z0, z1 = rng.normal((dim,)), rng.normal((dim,))
        for kind in (latent.lerp, latent.slerp):
            z = kind(z0, z1, steps)
            paths.append(image_sampling.generate_images(G, z, labels_for(G, [i] * steps), output))
            names.append(f"{kind.__name__} {i}" if image_sampling.is_conditional(G) else kind.__name__)
            norms.append(backend.to_numpy(xp.linalg.norm(z, axis=1)))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 0.55 * len(paths) + 1), width_ratios=(3, 1))
    show(left, numpy.concatenate(paths), len(paths), steps, text("latent.interpolations"), names)
    t = numpy.linspace(0, 1, steps)
    for norm, name in zip(norms, names):
        right.plot(t, norm, color="C0" if name.startswith("lerp") else "C1", lw=1)
    right.axhline(numpy.sqrt(dim), color="gray", ls="--", lw=0.8)
    right.set_xlabel("t")
    right.set_title(text("latent.norms", dim=dim), fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def labels_figure(G, dim, rng, path, n=8, output="tanh"):
    """The same z (one per row) under labels 0-9 (columns)."""
    z = rng.normal((n, dim))
    z = backend.xp.repeat(z, 10, axis=0)
    images = image_sampling.generate_images(G, z, labels_for(G, list(range(10)) * n), output)
    fig, ax = plt.subplots(figsize=(6.5, 0.6 * n + 0.8))
    show(ax, images, n, 10, text("latent.labels"), [f"z{i}" for i in range(n)],
         [str(i) for i in range(10)])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def arithmetic_figure(G, dim, rng, samples, path, n=8, output="tanh"):
    """Find the thick-stroke direction from generated samples, then add it to new z's."""
    z = rng.normal((samples, dim))
    labels = numpy.arange(samples, dtype=numpy.int64) % 10
    images = image_sampling.generate_images(G, z, labels_for(G, labels), output)
    thickness = backend.asarray(latent.ink(images))
    groups = backend.asarray(labels, dtype=backend.xp.int64) if image_sampling.is_conditional(G) else None
    direction = latent.attribute_vector(z, thickness, fraction=0.2, groups=groups)
    new_z = latent.add_attribute(rng.normal((n, dim)), direction, STRENGTHS)
    row_labels = numpy.repeat(numpy.arange(n) % 10, len(STRENGTHS))
    result = image_sampling.generate_images(G, new_z, labels_for(G, row_labels), output)
    column_ink = latent.ink(result).reshape(n, len(STRENGTHS)).mean(axis=0)
    fig, ax = plt.subplots(figsize=(5.5, 0.6 * n + 1.2))
    show(ax, result, n, len(STRENGTHS),
         text("latent.arithmetic", norm=float(backend.xp.linalg.norm(direction))),
         None, [text("latent.strength", strength=s, ink=v) for s, v in zip(STRENGTHS, column_ink)])
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return column_ink


def main(argv=None) -> dict:
    args = parse_args(argv)
    set_language(args.lang)
    G, config, _ = load_generator(args)
    dim, output = int(config["noise_dim"]), config["output"]
    rng = backend.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    interpolation_figure(G, dim, rng, args.steps, args.out / "interpolation.png", output=output)
    if image_sampling.is_conditional(G):
        labels_figure(G, dim, rng, args.out / "labels.png", output=output)
    column_ink = arithmetic_figure(G, dim, rng, args.samples, args.out / "arithmetic.png", output=output)
    print("mean ink per strength " + ", ".join(f"{s:+g}: {v:.3f}" for s, v in zip(STRENGTHS, column_ink))
          + f". Figures in {args.out}")
    return {"ink_by_strength": dict(zip(STRENGTHS, column_ink.tolist()))}


if __name__ == "__main__":
    run_main(main)
