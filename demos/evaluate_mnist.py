"""Evaluate generated MNIST digits: Parzen log-likelihood, classifier metrics, Fréchet distance.

    python demos/evaluate_mnist.py --samples outputs/mnist_cgan --data DIR                    # benchmark
    python demos/evaluate_mnist.py --samples outputs/mnist_cgan --data DIR --train-split test # development

Reads OUT/samples.npy (n, 784) in [0, 1] and, for a conditional GAN, OUT/labels.npy (n,).
Trains (or loads, from outputs/mnist_classifier/) a small MNIST classifier, then reports

- the Gaussian Parzen-window log-likelihood of real test images, sigma chosen on a
  validation set (the protocol of Goodfellow et al. 2014), beside their Table 1;
- label accuracy (does the digit match its conditioning label?), classes covered and the
  KL divergence of the predicted-class histogram from uniform;
- the Fréchet distance between real and generated images in the classifier's feature
  space, with the distance between two disjoint real sets as a reference.

Protocols (``--train-split``):
  train  the benchmark: classifier trained on the 60,000 training images; Parzen sigma chosen on
         training images 50,000-50,999 (from Goodfellow et al.'s validation set, 1,000 images as in
         their code), log-likelihood of the 10,000 test images; Fréchet distances on two random
         halves A, B of the test set.
  test   development, when only the 10,000 test files exist: the first 8,000 test images train the
         classifier (and the GAN), the last 2,000 are held out and split at random in two halves:
         A = Parzen validation and Fréchet real reference, B = Parzen test and Fréchet target.

Writes OUT/evaluation.json (OUT = --out, default the samples folder) and prints a table.
See docs/09_evaluating_gans.md for what each number does and does not tell.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
import time

import numpy

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from minigan import backend, metrics  # noqa: E402
from minigan.metrics import classifier  # noqa: E402
from minigan.demo_tools.cli import add_debug_argument, non_negative_int, positive, run_main  # noqa: E402
from minigan.data import mnist  # noqa: E402

PAPER_TABLE1 = metrics.PAPER_TABLE1   #: Table 1 of Goodfellow et al. (2014), MNIST column (nats)
PAPER_SOURCE = "as reported by Goodfellow et al. 2014, Table 1 (MNIST; 60k-train / 10k-test protocol)"
VALIDATION_SIZE = 1000          #: Parzen validation images in the benchmark protocol (as the original code)
SPLIT_SEED = 0                  #: the random split of the held-out images into halves A and B
CAVEATS = [
    "Parzen estimates in 784 dimensions are unreliable (Theis et al. 2016, 'A note on the evaluation of "
    "generative models'): with 10,000 centres the estimate is far below the true log-likelihood and depends "
    "strongly on sigma and on the number of samples; a set of centres tuned to the data (e.g. k-means) can "
    "beat real training images. It rewards samples close to test images in Euclidean pixel distance, not "
    "visual quality, and it is not a likelihood of the GAN. Compare numbers only under the same protocol.",
    "Classifier metrics see only what the classifier sees: a sample that fools it counts as a digit, and "
    "label accuracy is bounded by the classifier's own accuracy.",
    "The Fréchet distance compares Gaussians fitted to features (means and covariances only) and is biased "
    "upwards for small sample sizes: compare it with the real-vs-real value at the same sizes.",
]


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--samples", default="outputs/mnist_cgan", help="folder with samples.npy (and labels.npy)")
    p.add_argument("--data", default=None, help="MNIST folder (default: $MINIGAN_DATA or ~/.cache/minigan/mnist)")
    p.add_argument("--train-split", choices=["train", "test"], default="train",
                   help="train: benchmark protocol; test: development on the 10,000 test images")
    p.add_argument("--classifier", default=None,
                   help="classifier checkpoint (default outputs/mnist_classifier/classifier-<split>.npz)")
    p.add_argument("--retrain-classifier", action="store_true", help="train the classifier even if cached")
    p.add_argument("--classifier-only", action="store_true", help="train/load the classifier, report, stop")
    p.add_argument("--classifier-epochs", type=positive(int), default=30)
    p.add_argument("--sigmas", type=positive(float), nargs="+", default=list(metrics.PARZEN_SIGMAS),
                   help="Parzen sigma grid (default: 10 values log-spaced in [0.1, 1], as the original code)")
    p.add_argument("--batch-size", type=positive(int), default=1000, help="Parzen block size (points and centres)")
    p.add_argument("--skip-parzen", action="store_true",
                   help="leave out the Parzen estimate (the slow part): classifier metrics and Fréchet distance only")
    p.add_argument("--out", default=None, help="where evaluation.json goes (default: the samples folder)")
    p.add_argument("--seed", type=non_negative_int, default=0)
    add_debug_argument(p)
    return p.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


# -- data -----------------------------------------------------------------------------------
def protocol(folder, train_split: str) -> dict:
    """The real images each part of the evaluation uses, with a description of each (host arrays).

    Halves A and B are a random split (fixed seed) of the held-out images: MNIST's test set is
    ordered by writer, so contiguous halves differ systematically (a larger real-vs-real distance).
    """
    if train_split == "train":
        x_train, y_train = mnist.load_mnist(folder, "train")
        x_held, y_held = mnist.load_mnist(folder, "test")
        held = f"the {len(x_held):,} test images"
        validation = (x_train[50000:50000 + VALIDATION_SIZE], f"training images 50,000-{50000 + VALIDATION_SIZE - 1:,}")
        centres = (x_train[:10000], "training images 0-9,999")
        classifier_train = (x_train, y_train, f"the {len(x_train):,} training images")
        name = "benchmark (--train-split train)"
    else:
        x, y = mnist.load_mnist(folder, "test")
        n = mnist.DEV_TRAIN_SIZE
        x_held, y_held = x[n:], y[n:]
        held = f"held-out test images {n:,}-{len(x) - 1:,}"
        centres = (x[:n], f"test images 0-{n - 1:,} (the GAN's training images)")
        classifier_train = (x[:n], y[:n], f"test images 0-{n - 1:,}")
        name = (f"development (--train-split test): GAN and classifier trained on the first {n:,} test images; "
                f"the last {len(x_held):,} are held out")
    order = numpy.random.default_rng(SPLIT_SEED).permutation(len(x_held))
    a, b = order[:len(order) // 2], order[len(order) // 2:]
    half_a = (x_held[a], f"half A ({len(a):,}) of a random split (seed {SPLIT_SEED}) of {held}")
    half_b = (x_held[b], f"half B ({len(b):,}) of that split")
    if train_split == "test":
        validation, test = half_a, half_b          # no other unseen images: sigma on A, score on B
    else:
        test = (x_held, held)
    return {"name": name, "classifier_train": classifier_train, "classifier_eval": (x_held, y_held, held),
            "parzen_validation": validation, "parzen_test": test, "parzen_real_centres": centres,
            "frechet_a": half_a, "frechet_b": half_b, "real_labels": y_held}


def load_samples(folder):
    """samples (n, 784) float32 in [0, 1] and labels (n,) int64 or None, from OUT/*.npy."""
    folder = pathlib.Path(folder)
    path = folder / "samples.npy"
    if not path.is_file():
        raise FileNotFoundError(f"--samples: {path} not found; run a generator demo first (e.g. demos/mnist_cgan.py)")
    samples = numpy.load(path, allow_pickle=False).astype(numpy.float32)
    if samples.ndim != 2 or samples.shape[1] != mnist.IMAGE_SIZE:
        raise ValueError(f"{path} must have shape (n, {mnist.IMAGE_SIZE}); got {samples.shape}")
    lo, hi = float(samples.min()), float(samples.max())
    if lo < -1e-6 or hi > 1 + 1e-6:
        raise ValueError(f"{path} must hold pixels in [0, 1]; got values in [{lo:.3g}, {hi:.3g}] "
                         "(a tanh output in [-1, 1] needs mnist.from_tanh_range first)")
    labels_path = folder / "labels.npy"
    labels = numpy.load(labels_path, allow_pickle=False).astype(numpy.int64) if labels_path.is_file() else None
    if labels is not None and labels.shape != (len(samples),):
        raise ValueError(f"{labels_path} must have shape ({len(samples)},) like the samples; got {labels.shape}")
    return samples, labels


# -- the classifier ---------------------------------------------------------------------------
def get_classifier(args, data: dict):
    """Load the cached classifier for this protocol, or train and cache it. Returns (model, info)."""
    path = pathlib.Path(args.classifier or f"outputs/mnist_classifier/classifier-{args.train_split}.npz")
    x_train, y_train, trained_on = data["classifier_train"]
    x_eval, y_eval, evaluated_on = data["classifier_eval"]
    if path.is_file() and not args.retrain_classifier:
        model, meta = classifier.load_classifier(path)
        if meta.get("train_split") != args.train_split:
            raise ValueError(f"--classifier {path} was trained with --train-split {meta.get('train_split')}, "
                             f"not {args.train_split}; pass --retrain-classifier or another --classifier path")
        log(f"loaded classifier {path} (trained on {meta['trained_on']})")
    else:
        log(f"training the classifier on {trained_on} ({args.classifier_epochs} epochs) -> {path}")
        model, history = classifier.train_classifier(x_train, y_train, epochs=args.classifier_epochs,
                                                     seed=args.seed, validation=(x_eval, y_eval), log=log)
        meta = {"train_split": args.train_split, "trained_on": trained_on, "epochs": args.classifier_epochs,
                "loss": history["loss"], "val_accuracy": history["val_accuracy"]}
        classifier.save_classifier(path, model, meta)
    acc = classifier.accuracy(model, x_eval, y_eval)
    return model, {"path": str(path), "architecture": "MLP 784-512-256-10 (ReLU, Dropout)",
                   "trained_on": meta["trained_on"], "accuracy": acc, "accuracy_on": evaluated_on}


# -- the metrics ------------------------------------------------------------------------------
def parzen(samples, validation, test, sigmas, batch_size, what: str) -> dict:
    """Choose sigma on ``validation``, then score ``test``; progress lines for the long part."""
    start = time.perf_counter()

    def progress(stage):
        return lambda done, total: log(f"  parzen {what}, {stage}: {done:,}/{total:,} images "
                                       f"({time.perf_counter() - start:.0f} s)")

    sigma, table = metrics.parzen_select_sigma(samples, validation, sigmas, batch_size, progress("validation"))
    mean, stderr = metrics.parzen_log_likelihood(samples, test, sigma, batch_size, progress(f"test, sigma {sigma:.3f}"))
    on_edge = sigma in (min(sigmas), max(sigmas))
    return {"sigma": sigma, "mean": mean, "stderr": stderr, "centres": len(samples), "validation_n": len(validation),
            "test_n": len(test), "sigma_on_grid_edge": bool(on_edge), "validation_table": table}


def class_statistics(model, samples, labels, real_labels) -> dict:
    predicted = backend.to_numpy(model.predict(samples))
    counts = metrics.class_histogram(predicted)
    return {
        "histogram": counts.tolist(),
        "covered": metrics.class_coverage(predicted),
        "kl_from_uniform": metrics.kl_from_uniform(counts),
        "kl_one_class": float(numpy.log(len(counts))),
        "real_kl_from_uniform": metrics.kl_from_uniform(metrics.class_histogram(real_labels)),
        "label_accuracy": None if labels is None else metrics.label_accuracy(predicted, labels),
        "label_accuracy_per_class": None if labels is None else metrics.label_accuracy_per_class(predicted, labels),
    }


def frechet(model, samples, data: dict, seed: int) -> dict:
    """FD(generated, B) and FD(A, B) at the same sizes; generated = a random subset of |A| samples."""
    (real_a, a_name), (real_b, b_name) = data["frechet_a"], data["frechet_b"]
    n = min(len(samples), len(real_a))
    rng = numpy.random.default_rng(seed)
    pick = rng.permutation(len(samples))[:n]                 # samples may be sorted by label
    train_images, train_name = data["parzen_real_centres"]
    copies = train_images[rng.permutation(len(train_images))[:n]]
    features = {k: backend.to_numpy(model.features(v)) for k, v in
                (("generated", samples[pick]), ("a", real_a[:n]), ("b", real_b), ("copies", copies))}
    fd = metrics.frechet_distance_from_features
    return {
        "generated_vs_real": fd(features["generated"], features["b"]),
        "real_vs_real": fd(features["a"], features["b"]),
        "training_copies_vs_real": fd(features["copies"], features["b"]),
        "n_generated": n, "n_real_a": n, "n_real_b": len(real_b), "feature_dim": features["b"].shape[1],
        "real_a": a_name, "real_b": b_name, "training_copies": f"{n:,} random {train_name}",
    }


# -- output -----------------------------------------------------------------------------------
def parzen_report(result: dict) -> list:
    """The report's lines on the Parzen estimate."""
    p, r = result["parzen"], result["parzen_real_centres"]
    lines = [
        f"  Parzen sigma chosen on {result['protocol']['parzen_validation']}; "
        f"log-likelihood of {result['protocol']['parzen_test']}",
        "",
        "Parzen-window log-likelihood of real test images (nats per image, mean ± s.e.; higher is better)",
        f"  {'this generator':<38} {p['mean']:8.1f} ± {p['stderr']:.1f}   (sigma {p['sigma']:.3f}, "
        f"{p['centres']:,} centres, {p['test_n']:,} test images)",
        f"  {'real training images as centres':<38} {r['mean']:8.1f} ± {r['stderr']:.1f}   (sigma {r['sigma']:.3f}, "
        f"{r['centres']:,} centres: a reference, not a generator)",
        f"  {PAPER_SOURCE}:",
    ]
    lines += [f"    {name:<36} {mean:8} ± {se}" for name, mean, se in PAPER_TABLE1]
    if p["sigma_on_grid_edge"]:
        lines.append("  note: the chosen sigma lies on the edge of the grid; widen --sigmas")
    return lines


def report(result: dict) -> str:
    c, f, k = (result[key] for key in ("classes", "frechet", "classifier"))
    lines = [
        f"MNIST evaluation of {result['samples']['path']} ({result['samples']['n']:,} samples, "
        f"{'conditional' if result['samples']['conditional'] else 'unconditional'})",
        f"protocol: {result['protocol']['name']}",
        *(parzen_report(result) if result["parzen"] is not None else ["  Parzen estimate skipped (--skip-parzen)"]),
    ]
    acc = "n/a (unconditional)" if c["label_accuracy"] is None else f"{c['label_accuracy']:.4f}"
    lines += [
        "",
        f"Classifier: {k['architecture']}, trained on {k['trained_on']}; accuracy {k['accuracy']:.4f} on {k['accuracy_on']}",
        f"  label accuracy (predicted == conditioning label)   {acc}",
    ]
    if c.get("label_accuracy_per_class"):
        per_class = ", ".join(f"{i}: {a:.3f}" for i, a in enumerate(c["label_accuracy_per_class"]) if a is not None)
        lines.append(f"  label accuracy per class                          {per_class}")
    lines += [
        f"  classes covered                                   {c['covered']}/10",
        f"  KL(predicted classes || uniform)                  {c['kl_from_uniform']:.4f} nats "
        f"(real images: {c['real_kl_from_uniform']:.4f}; one class only: {c['kl_one_class']:.4f})",
        f"  predicted-class histogram                         {c['histogram']}",
        "",
        f"Fréchet distance in the classifier's {f['feature_dim']}-D feature space (lower is better)",
        f"  generated ({f['n_generated']:,}) vs real B ({f['n_real_b']:,})   {f['generated_vs_real']:10.3f}",
        f"  real A ({f['n_real_a']:,}) vs real B ({f['n_real_b']:,})        {f['real_vs_real']:10.3f}   (reference: unseen real digits)",
        f"  training images ({f['n_generated']:,}) vs real B       {f['training_copies_vs_real']:10.3f}   "
        "(reference: a generator that copies its training set)",
        f"  A = {f['real_a']}; B = {f['real_b']}",
        "",
        "Caveats:",
    ]
    lines += [f"  - {text}" for text in result["caveats"]]
    return "\n".join(lines)


def main(argv=None) -> dict:
    args = parse_args(argv)
    backend.seed(args.seed)
    if not args.classifier_only:
        samples, labels = load_samples(args.samples)       # fail before any long training
    data = protocol(args.data, args.train_split)
    model, classifier_info = get_classifier(args, data)
    if args.classifier_only:
        log(f"classifier accuracy {classifier_info['accuracy']:.4f} on {classifier_info['accuracy_on']}")
        return {"classifier": classifier_info}
    log("class statistics and Fréchet distances ...")
    classes = class_statistics(model, samples, labels, data["real_labels"])
    fd = frechet(model, samples, data, args.seed)
    (validation, val_name), (test, test_name) = data["parzen_validation"], data["parzen_test"]
    parzen_gan = parzen_real = None
    if not args.skip_parzen:
        log(f"Parzen window on the {len(samples):,} samples ...")
        parzen_gan = parzen(samples, validation, test, args.sigmas, args.batch_size, "generated centres")
        parzen_real = parzen(data["parzen_real_centres"][0], validation, test, args.sigmas, args.batch_size,
                             "real centres")
        parzen_real["centres_from"] = data["parzen_real_centres"][1]
    result = {
        "samples": {"path": str(args.samples), "n": len(samples), "conditional": labels is not None},
        "protocol": {"train_split": args.train_split, "name": data["name"],
                     "classifier_train": data["classifier_train"][2], "classifier_eval": data["classifier_eval"][2],
                     "parzen_validation": val_name, "parzen_test": test_name},
        "classifier": classifier_info,
        "parzen": parzen_gan,
        "parzen_real_centres": parzen_real,
        "paper_table1_mnist": {"source": PAPER_SOURCE,
                               "rows": [{"model": m, "mean": v, "stderr": s} for m, v, s in PAPER_TABLE1]},
        "classes": classes,
        "frechet": fd,
        "caveats": CAVEATS,
    }
    out = pathlib.Path(args.out or args.samples)
    out.mkdir(parents=True, exist_ok=True)
    (out / "evaluation.json").write_text(json.dumps(result, indent=2))
    log(report(result))
    log(f"\nwrote {out / 'evaluation.json'}")
    return result


if __name__ == "__main__":
    run_main(main)
