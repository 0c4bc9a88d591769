"""Draw digits from a pre-trained generator shipped with minigan (or from your own), no training needed.

    python demos/generate.py --model cgan --out outputs/generate                  # 100 digits, 10 of each
    python demos/generate.py --model dcgan --n 10000 --seed 1 --out outputs/dcgan10k
    python demos/generate.py --checkpoint outputs/mnist_cgan/generator.npz --out outputs/mine
    python demos/evaluate_mnist.py --samples outputs/dcgan10k --data DIR        # then score them

Writes to --out:
  samples.npy    (N, 784) float32 in [0, 1]
  labels.npy     (N,) int64: sample i is asked to be digit i % 10, so every digit has N/10 samples
  grid.png       one row per label, the first (up to) 10 samples of each
  generate.json  what made them: the command, the generator file and its SHA-256, N, the seed
The same --seed gives the same digits; z ~ the generator's own prior, from --seed alone.
The shipped models: minigan/pretrained/ (manifest.json: how each was trained, and its quality).
"""
from __future__ import annotations

import argparse
import json
import pathlib
import shlex
import sys

import numpy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from minigan import backend, pretrained  # noqa: E402
from minigan.demo_tools import cli, generator_args  # noqa: E402
from minigan.demo_tools.figure_text import text  # noqa: E402
from minigan.demo_tools.plots import save_image_grid  # noqa: E402
from minigan.gan import draw_noise  # noqa: E402
from minigan.training import image_sampling  # noqa: E402

NUM_CLASSES = image_sampling.NUM_CLASSES
GRID_COLUMNS = 10


def multiple_of_ten(text_value):
    """An argparse type: a positive integer that is a multiple of 10 (every digit gets N/10 samples)."""
    value = cli.positive(int)(text_value)
    if value % NUM_CLASSES:
        raise argparse.ArgumentTypeError(f"must be a multiple of {NUM_CLASSES}, so that every digit 0-9 gets "
                                         f"N/{NUM_CLASSES} samples; got {value}")
    return value


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                epilog="The labels cycle 0, 1, ..., 9, 0, 1, ...: sample i has label i % 10.")
    generator_args.add_generator_arguments(p)
    p.add_argument("--out", type=pathlib.Path, required=True, help="folder for samples.npy, labels.npy, grid.png")
    p.add_argument("--n", type=multiple_of_ten, default=100,
                   help="how many samples: a multiple of 10, N/10 of each digit (default: %(default)s)")
    p.add_argument("--seed", type=cli.non_negative_int, default=0, help="draws z (default: %(default)s)")
    p.add_argument("--backend", choices=["numpy", "cupy"], default=None,
                   help="array backend (default: $MINIGAN_BACKEND or numpy)")
    cli.add_lang_argument(p)
    cli.add_debug_argument(p)
    args = p.parse_args(argv)
    if generator_args.chosen_model(args) is None and args.checkpoint is None:
        p.error("give --model (a generator shipped with minigan) or --checkpoint (your own trained one)")
    return args


def generate(generator, config: dict, n: int, seed: int):
    """n samples of ``generator`` (host float32 (n, 784) in [0, 1]) and their labels (host int64 (n,),
    i % 10). z from ``backend.Random(seed)`` with the generator's prior: the global stream is untouched."""
    if not image_sampling.is_conditional(generator):
        raise ValueError("this generator reads no labels (an unconditional GAN), and generate.py draws each digit "
                         "by its label; sample it with demos/latent_space.py --checkpoint instead")
    z = draw_noise(backend.Random(seed), config["noise"], (n, int(config["noise_dim"])))
    labels = numpy.arange(n, dtype=numpy.int64) % NUM_CLASSES
    images = image_sampling.generate_images(generator, z, backend.asarray(labels, dtype=backend.xp.int64),
                                            config["output"])
    return images, labels


def grid_order(n: int, columns: int = GRID_COLUMNS):
    """Indices of the grid's images, row-major: row r = label r, column c = its c-th sample (10 c + r)."""
    cols = min(columns, n // NUM_CLASSES)
    return [NUM_CLASSES * c + r for r in range(NUM_CLASSES) for c in range(cols)], cols


def main(argv=None) -> dict:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parse_args(argv)
    cli.start_run(args)         # the figure's language, the backend (seeded; z has its own seeded source)
    generator, config, source = generator_args.load_generator(args)
    images, labels = generate(generator, config, args.n, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    numpy.save(args.out / "samples.npy", images)
    numpy.save(args.out / "labels.npy", labels)
    order, cols = grid_order(args.n)
    name = pretrained.model_name(config) or config["experiment"]
    save_image_grid(args.out / "grid.png", images[order], NUM_CLASSES, cols,
                    text("generate.grid", model=name, seed=args.seed), [str(d) for d in range(NUM_CLASSES)])
    record = {"command": shlex.join(["python", "demos/generate.py", *argv]), "model": name, "source": str(source),
              "sha256": pretrained.sha256(source) if args.checkpoint else pretrained.entry(name)["sha256"],
              "shipped": args.checkpoint is None, "n": args.n,
              "seed": args.seed, "backend": backend.name}
    (args.out / "generate.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"{args.n} samples of {name} ({source}), {args.n // NUM_CLASSES} per digit, seed {args.seed}: "
          f"{args.out}/samples.npy, labels.npy, grid.png")
    return record


if __name__ == "__main__":
    cli.run_main(main)
