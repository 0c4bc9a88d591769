"""Pre-trained MNIST generators that ship with minigan, so a demo or a chapter can draw digits at once.

Three generators, each trained by the project's own documented command (the commands, seed,
epochs, time, machine and measured quality are in ``manifest.json`` beside this file, and on
the results page):

| name | what it is | trained by |
| --- | --- | --- |
| ``cgan`` | the classic PyTorch tutorial's conditional MLP GAN | ``demos/mnist_cgan.py`` |
| ``acgan`` | the same generator, trained against AC-GAN's auxiliary-classifier D | ``demos/mnist_cgan.py --auxiliary-classifier`` |
| ``dcgan`` | the conditional DCGAN | ``demos/dcgan_mnist.py --conditional`` |

Each file is a ``generator.npz`` (``training.image_sampling.save_generator``) whose weights were
rounded to float16 (``python -m minigan.pretrained export``): half the bytes, and no optimizer
state and no discriminator. :func:`load_pretrained` checks the file against the manifest (size,
SHA-256, the model its config names) and rebuilds the generator in float32 on the current backend
through ``image_sampling.load_generator``, the function that reads a training run's own file.
Nothing is downloaded: the files come with minigan (``pip install .`` ships them as package data).
"""
from __future__ import annotations

import hashlib
import json
import pathlib

from ..training import image_sampling

FOLDER = pathlib.Path(__file__).resolve().parent
MANIFEST = "manifest.json"

#: name -> (experiment, the settings that make a generator this model, what it is)
MODELS = {
    "cgan": ("mnist_cgan", {"conditional": True, "auxiliary_classifier": False},
             "the tutorial's conditional MLP GAN (demos/mnist_cgan.py)"),
    "acgan": ("mnist_cgan", {"conditional": True, "auxiliary_classifier": True},
              "the MLP generator trained against AC-GAN's discriminator (demos/mnist_cgan.py --auxiliary-classifier)"),
    "dcgan": ("dcgan", {"conditional": True}, "the conditional DCGAN (demos/dcgan_mnist.py --conditional)"),
}


class PretrainedFileError(ValueError):
    """A shipped generator file is missing, truncated, altered, or holds another model."""


def names() -> list[str]:
    """The shipped models' names: ["cgan", "acgan", "dcgan"]."""
    return list(MODELS)


def model_name(config: dict) -> str | None:
    """Which shipped model (``MODELS``) a generator's config describes, or None: the experiment
    and its model-defining settings must match (other settings, e.g. learning rates, may differ)."""
    from ..experiments import experiment_from_config
    settings = vars(experiment_from_config(config).settings)     # with the defaults of settings not saved
    for name, (experiment, wanted) in ((n, m[:2]) for n, m in MODELS.items()):
        if config.get("experiment", "mnist_cgan") == experiment and all(settings.get(k) == v for k, v in wanted.items()):
            return name
    return None


def read_manifest(folder=None) -> dict:
    """The manifest's ``models``: name -> entry (file, sha256, size, experiment, settings, training, quality)."""
    path = pathlib.Path(folder or FOLDER) / MANIFEST
    try:
        return json.loads(path.read_text())["models"]
    except (OSError, ValueError, KeyError) as exc:
        raise PretrainedFileError(f"the pre-trained generators' manifest {path} cannot be read ({exc}); "
                                  "reinstall minigan or restore minigan/pretrained/ from git") from None


def sha256(path) -> str:
    """The SHA-256 of the file at ``path``, as 64 hex digits (the files are a few MB: read at once)."""
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()


def entry(name: str, folder=None) -> dict:
    """The manifest entry of shipped model ``name`` (ValueError naming the shipped ones otherwise)."""
    models = read_manifest(folder)
    if name not in models:
        raise ValueError(f"no shipped generator named {name!r}; shipped: {', '.join(models) or 'none'}")
    return models[name]


def file_of(name: str, folder=None) -> pathlib.Path:
    """Where the file of shipped model ``name`` is (its manifest entry's ``file``, in ``folder``)."""
    return pathlib.Path(folder or FOLDER) / entry(name, folder)["file"]


def verify(name: str, folder=None) -> pathlib.Path:
    """Check the file of shipped model ``name`` against the manifest: it exists, has the recorded
    size and SHA-256. Returns its path; raises :class:`PretrainedFileError` naming the file and
    what is wrong."""
    expected = entry(name, folder)
    path = pathlib.Path(folder or FOLDER) / expected["file"]
    restore = ("minigan's generators come with minigan and are never downloaded: reinstall minigan "
               "(pip install .) or restore the file (git checkout -- minigan/pretrained/)")
    if not path.is_file():
        raise PretrainedFileError(f"the shipped {name} generator {path} is missing; {restore}")
    size = path.stat().st_size
    if size != expected["size"]:
        state = "truncated" if size < expected["size"] else "not the file that shipped"
        raise PretrainedFileError(f"the shipped {name} generator {path} is {state}: {size:,} bytes, "
                                  f"the manifest says {expected['size']:,}; {restore}")
    digest = sha256(path)
    if digest != expected["sha256"]:
        raise PretrainedFileError(f"the shipped {name} generator {path} has been altered or corrupted: its SHA-256 "
                                  f"is {digest[:16]}..., the manifest says {expected['sha256'][:16]}...; {restore}")
    return path


def load_pretrained(name: str, folder=None):
    """The shipped generator ``name`` ("cgan", "acgan", "dcgan"), checked against the manifest.

    Returns (generator in eval mode, float32 (the default dtype) on the current backend, config):
    as ``image_sampling.load_generator``, whose config says how to sample it (``noise_dim``,
    ``noise``, ``output``, ``conditional``). Its forward is ``G(z, labels)``.
    ``folder``: where the manifest and files are (default: this package).
    Raises :class:`PretrainedFileError` for a missing, truncated or altered file, or one that
    holds another model than its name says.
    """
    path = verify(name, folder)
    try:
        generator, config = image_sampling.load_generator(path)
    except (ValueError, KeyError) as exc:
        raise PretrainedFileError(f"the shipped {name} generator {path} cannot be read: {exc}") from None
    experiment = MODELS[name][0]
    found = model_name(config)
    if found != name:
        raise PretrainedFileError(f"the shipped {name} generator {path} holds another model: its config names the "
                                  f"{config.get('experiment')!r} experiment as {found or 'no shipped model'}, "
                                  f"not {name} ({experiment} with {MODELS[name][1]})")
    return generator, config


def for_experiment(experiment) -> str:
    """The shipped model whose generator fits ``experiment`` (an ``ImageExperiment``): the start of
    ``--init pretrained``. ValueError naming the shipped models when none does."""
    name = model_name(experiment.generator_config())
    if name is None:
        shipped = "; ".join(f"{n}: {m[2]}" for n, m in MODELS.items())
        raise ValueError(f"--init pretrained: no shipped generator fits this {experiment.name} run "
                         f"(conditional={experiment.conditional}); shipped: {shipped}")
    return name


def initial_weights(experiment) -> tuple[str, dict]:
    """(name, host weights) of the shipped generator to start ``experiment``'s G from (``--init pretrained``)."""
    name = for_experiment(experiment)
    generator, _ = load_pretrained(name)
    return name, generator.state_dict()
