"""Small argparse helpers shared by the demos (so a bad flag is rejected with a reason)."""
from __future__ import annotations

import argparse
import math
import os
import pathlib
import sys
import warnings

from .. import backend


def _parse_number(kind, text, wanted):
    """``kind(text)`` that is a finite number, else an ArgumentTypeError saying what was ``wanted``
    (argparse prefixes the flag's name: "argument --mean: must be a finite number; got 'nan'")."""
    what = {int: "an integer", float: "a finite number"}.get(kind, kind.__name__)
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {what}{wanted}; got {text!r}") from None
    if not math.isfinite(value):         # float('nan'), float('inf') parse; no flag means them
        raise argparse.ArgumentTypeError(f"must be {what}{wanted}; got {text!r}")
    return value


def finite_float(text):
    """An argparse type: a finite float (rejects 'nan', 'inf', '-inf')."""
    return _parse_number(float, text, "")


finite_float.__name__ = "finite float"


def bounded(low=None, high=None, kind=float, low_open=False, high_open=False):
    """An argparse type: a finite ``kind`` in [low, high] (``low_open``/``high_open``: exclude the end).

    ``type=bounded(0, 1, high_open=True)`` accepts 0 <= p < 1, e.g. a dropout probability."""
    left, right = "(" if low_open else "[", ")" if high_open else "]"
    span = f" in {left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"

    def check(text):
        value = _parse_number(kind, text, span)
        below = low is not None and (value <= low if low_open else value < low)
        above = high is not None and (value >= high if high_open else value > high)
        if below or above:
            raise argparse.ArgumentTypeError(f"must be{span}; got {text}")
        return value
    check.__name__ = f"{kind.__name__}{span}"
    return check


def positive(kind):
    """An argparse type: ``kind(text)``, which must be finite and > 0 (e.g. ``type=positive(int)``)."""
    def check(text):
        value = _parse_number(kind, text, " > 0")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be > 0; got {text}")
        return value
    check.__name__ = f"positive {kind.__name__}"
    return check


def non_negative_int(text):
    """An argparse type for seeds: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0; got {text}")
    return value


def add_lang_argument(parser) -> None:
    """--lang en|ko: the language of the figures' labels (``figure_text.set_language``)."""
    from .figure_text import EXTRA, LANGUAGES
    parser.add_argument("--lang", choices=LANGUAGES, default="en",
                        help=f"language of the figures' labels; ko needs a Hangul font: {EXTRA} (default: %(default)s)")


def add_run_arguments(parser, out_default, out_help="output folder"):
    """The flags every training demo shares: --seed, --backend, --out, --quiet, --lang."""
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--backend", choices=["numpy", "cupy"], default=None,
                        help="array backend (default: $MINIGAN_BACKEND or numpy)")
    parser.add_argument("--out", type=pathlib.Path, default=out_default, help=out_help)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_lang_argument(parser)
    add_debug_argument(parser)


def add_resume_arguments(parser, may_change: str = "", checkpoint_every: int | None = None) -> None:
    """--resume and --overwrite, the flags of every demo that writes OUT/checkpoint.npz (without
    either, a demo refuses to start over an existing checkpoint: ``checkpoint.check_start``).
    ``may_change``: what --help says may differ on resume. ``checkpoint_every``: also add
    --checkpoint-every N with this default (None when not given, so a mode without checkpoints
    can tell it was)."""
    parser.add_argument("--resume", action="store_true",
                        help=f"continue from OUT/checkpoint.npz with the same settings{may_change}")
    parser.add_argument("--overwrite", action="store_true",
                        help="start afresh even if OUT/checkpoint.npz exists (it is replaced)")
    if checkpoint_every is not None:
        parser.add_argument("--checkpoint-every", type=positive(int), default=None, metavar="N",
                            help=f"write OUT/checkpoint.npz every N iterations (default {checkpoint_every}); "
                                 "it is deleted when the run completes")


def command_line(args) -> dict:
    """The parsed flags as plain values (paths as strings), to store in a checkpoint."""
    return {k: str(v) if isinstance(v, pathlib.Path) else v for k, v in vars(args).items()}


def toy_checkpoints(args, out, demo: str):
    """The :class:`minigan.training.Checkpoints` of a toy demo's run: OUT/checkpoint.npz every
    --checkpoint-every iterations, --resume, --overwrite; the demo's name and --seed are settings."""
    from ..training.checkpoint import FILE_NAME
    from ..training.toy_loop import CHECKPOINT_EVERY, Checkpoints
    every = CHECKPOINT_EVERY if args.checkpoint_every is None else args.checkpoint_every
    return Checkpoints(pathlib.Path(out) / FILE_NAME, every, resume=args.resume, overwrite=args.overwrite,
                       settings={"demo": demo, "seed": args.seed}, args=command_line(args))


def start_run(args) -> None:
    """Switch to the backend asked for (if any), then seed it: the run is reproducible from --seed.
    Also set the figures' language (for --lang ko, fail here, before training, if no Hangul font is found)."""
    from .figure_text import set_language
    set_language(args.lang)
    if args.backend:
        backend.set_backend(args.backend, requested_by=f"--backend {args.backend}")
    backend.seed(args.seed)


# -- the MNIST demos (mnist_cgan, paper_table1, dcgan_mnist) share these -------------------
def image_demo_parser(doc: str, settings, out_default):
    """An MNIST training demo's parser: its description (``doc``'s first line) and :func:`add_image_gan_arguments`."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    add_image_gan_arguments(parser, settings, out_default)
    return parser


def add_image_gan_arguments(parser, settings, out_default):
    """Flags of every MNIST training demo: data, length, checkpoints, figures, run flags.
    ``settings``: the experiment's default Settings (for the defaults shown in --help)."""
    from ..data import mnist
    parser.add_argument("--data", default=None,
                        help=f"folder with the four MNIST files (default: ${mnist.ENV_VAR}, else {mnist.DEFAULT_FOLDER})")
    parser.add_argument("--download", action="store_true",
                        help=f"download MNIST into the folder first (from {mnist.DEFAULT_MIRROR}, MD5-checked)")
    parser.add_argument("--epochs", type=positive(int), default=settings.epochs, help="(default: %(default)s)")
    parser.add_argument("--batch-size", type=positive(int), default=settings.batch_size, help="(default: %(default)s)")
    parser.add_argument("--limit", type=positive(int), default=None,
                        help="train on the first LIMIT training images only (quick checks)")
    add_resume_arguments(parser, " (--epochs may grow)")
    parser.add_argument("--gif", action="store_true",
                        help="also write OUT/training.gif: each epoch's figure (the fixed-z grid, or the "
                             "translations) as an animation")
    add_run_arguments(parser, out_default)


def add_init_argument(parser) -> None:
    """--init random|pretrained: where a training demo's generator starts (:func:`initial_generator`)."""
    parser.add_argument("--init", choices=["random", "pretrained"], default="random",
                        help="where G starts: 'random' (the recipe's initialisation) or 'pretrained' (the generator "
                             "shipped with minigan for these settings, to continue its training: "
                             "python -m minigan.pretrained list). D and both optimizers start fresh either way, "
                             "and --epochs counts the new epochs; ignored with --resume (default: %(default)s)")


def initial_generator(experiment, args):
    """The shipped generator's weights when ``args.init`` is "pretrained" (else None), said on stderr."""
    if getattr(args, "init", "random") != "pretrained" or args.resume:
        return None
    from .. import pretrained
    name, weights = pretrained.initial_weights(experiment)
    print(f"--init pretrained: G starts from the shipped {name} generator ({pretrained.file_of(name)}); "
          "D starts fresh", file=sys.stderr)
    return weights


def run_image_demo(experiment, args) -> dict:
    """Train ``experiment`` as the demo's ``args`` say (data, resume, figures); print and return the summary."""
    from ..training import health, image_loop
    from ..data import mnist
    start_run(args)
    start = initial_generator(experiment, args)     # before the data: a wrong --init fails at once
    folder = mnist.data_folder(args.data)
    if args.download:
        mnist.download_mnist(folder)
    images, labels = experiment.training_data(folder)
    figures = experiment.epoch_figures(args.out, seed=args.seed, gif=args.gif)
    summary = image_loop.train(experiment, images, labels, args.out, resume=args.resume,
                                   overwrite=args.overwrite, on_epoch_end=figures, show_progress=not args.quiet,
                                   args=command_line(args), classifier=cached_classifier(),
                                   generator_weights=start)
    final = summary["final_epoch_means"]
    for line in health.summary_lines(summary["health"]):
        print(f"health: {line}", file=sys.stderr)
    means = sorted(final.items(), key=lambda item: not item[0].startswith("D("))   # D's verdicts first
    print(f"{summary['epochs_completed']} epochs of {summary['iterations_per_epoch']} iterations on "
          f"{summary['train_images']} images, {summary['mean_seconds_per_epoch']} s/epoch ({summary['backend']}); "
          f"last epoch: {', '.join(f'{key} {value:.3f}' for key, value in means)}. Outputs in {args.out}",
          file=sys.stdout)
    return summary


# -- errors: one clear message, not a traceback ---------------------------------------------
DEBUG_VARIABLE = "MINIGAN_DEBUG"

#: Errors that say what went wrong in words (a bad file, a bad value, divergence): shown alone.
EXPECTED_ERRORS = (ValueError, TypeError, KeyError, OSError, RuntimeError)


def add_debug_argument(parser) -> None:
    """--debug, which :func:`run_main` handles: show the full traceback of an error."""
    parser.add_argument("--debug", action="store_true",
                        help=f"on an error, show the Python traceback too (or set {DEBUG_VARIABLE}=1)")


def error_message(exc: BaseException) -> str:
    """The one-paragraph message a demo prints for ``exc``."""
    from ..gan.errors import TrainingDiverged

    text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
    if isinstance(exc, TrainingDiverged):
        return f"{text}\nTraining stopped at that read-back; nothing non-finite was saved."
    if isinstance(exc, MemoryError):
        return "out of memory: try a smaller --batch-size (or fewer samples)"
    if not isinstance(exc, EXPECTED_ERRORS):
        return (f"unexpected {type(exc).__name__}: {text}\nThis may be a bug in minigan; "
                f"rerun with --debug (or {DEBUG_VARIABLE}=1) to see where it happened.")
    return text


def run_main(main, argv=None) -> None:
    """Run a demo's ``main(argv)`` as a command: an error becomes one message on stderr and
    exit status 1 (130 on Ctrl-C), with no traceback unless ``--debug`` is given or
    ``MINIGAN_DEBUG=1``. Every demo's ``if __name__ == "__main__":`` calls it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv or os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0")
    argv = [a for a in argv if a != "--debug"]
    prog = pathlib.Path(sys.argv[0]).name or "minigan"
    if not debug:       # NumPy's overflow/invalid-value warnings: noise before the one message
        warnings.filterwarnings("ignore", category=RuntimeWarning)
    try:
        main(argv)
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"{prog}: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:     # noqa: BLE001 - every error gets the one-message treatment
        if debug:
            raise
        print(f"{prog}: error: {error_message(exc)}", file=sys.stderr)
        sys.exit(1)


#: Where ``demos/evaluate_mnist.py`` caches the classifier trained on the 60,000 training images.
CLASSIFIER_CACHE = pathlib.Path(__file__).resolve().parents[2] / "outputs" / "mnist_classifier" / "classifier-train.npz"


def cached_classifier():
    """The evaluation classifier, if ``demos/evaluate_mnist.py`` has trained and cached it (else None):
    the training demos use it to check their final samples for mode collapse."""
    if not CLASSIFIER_CACHE.is_file():
        return None
    from ..metrics import classifier
    return classifier.load_classifier(CLASSIFIER_CACHE)[0]
