"""The flags of the demos that read a trained generator (``demos/generate.py``, ``demos/latent_space.py``):
a generator shipped with minigan (``minigan.pretrained``, --model) or the learner's own run (--checkpoint)."""
from __future__ import annotations

import argparse
import pathlib


def add_generator_arguments(parser, default_model: str | None = None) -> None:
    """--model (a generator shipped with minigan; ``default_model`` when neither flag is given)
    and --checkpoint (the learner's own run). :func:`load_generator` reads them."""
    from .. import pretrained
    default = f" (default, without --checkpoint: {default_model})" if default_model else ""
    parser.add_argument("--model", choices=pretrained.names(), default=argparse.SUPPRESS,   # absent: not chosen
                        help=f"a pre-trained generator shipped with minigan, nothing to train{default}: "
                             + "; ".join(f"{name}: {m[2]}" for name, m in pretrained.MODELS.items()))
    parser.add_argument("--checkpoint", type=pathlib.Path, default=None,
                        help="use your own trained generator instead: a run's generator.npz or checkpoint.npz "
                             "(demos/mnist_cgan.py, dcgan_mnist.py, paper_table1.py write them in --out)")
    parser.set_defaults(default_model=default_model)


def chosen_model(args) -> str | None:
    """The shipped model --model named, or None when it was not given (:func:`add_generator_arguments`)."""
    return getattr(args, "model", None)


def load_generator(args):
    """The generator that ``args`` (:func:`add_generator_arguments`) name: (generator in eval mode,
    config, the file it came from). Without --checkpoint, the shipped --model (or the default);
    with both, the checkpoint must be that model (``minigan.pretrained.model_name``)."""
    from .. import pretrained
    from ..training import image_sampling
    chosen = chosen_model(args)
    if args.checkpoint is None:
        model = chosen or args.default_model
        if model is None:
            raise ValueError("give --model (a generator shipped with minigan) or --checkpoint (your own trained one)")
        generator, config = pretrained.load_pretrained(model)
        return generator, config, pretrained.file_of(model)
    if not args.checkpoint.is_file():
        raise FileNotFoundError(f"--checkpoint {args.checkpoint} does not exist: train first (e.g. python "
                                "demos/mnist_cgan.py --out OUT writes OUT/generator.npz), or use a shipped --model")
    generator, config = image_sampling.load_generator(args.checkpoint)
    found = pretrained.model_name(config)
    if chosen is not None and found != chosen:
        raise ValueError(f"--checkpoint {args.checkpoint} is {found or 'a ' + config['experiment'] + ' generator'}, "
                         f"not --model {chosen}; leave --model out to use it as it is")
    return generator, config, args.checkpoint
