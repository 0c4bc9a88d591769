"""Making the shipped generators: export a training run's generator in float16, record its quality.

    python -m minigan.pretrained export --model cgan --run outputs/pretrained/cgan --train-command "..."
    python -m minigan.pretrained quality --model cgan --shipped DIR16 --original DIR32 --data DIR
    python -m minigan.pretrained list [--markdown]

``export`` reads the run's ``generator.npz`` (and ``summary.json`` for the training time), writes
``minigan/pretrained/<model>.npz`` with the weights rounded to float16 and updates the manifest
(file, SHA-256, size, settings, the commands, seed, epochs, time, date, machine). ``quality`` records
the scores ``demos/evaluate_mnist.py`` gave to ``demos/generate.py``'s samples of the shipped file
(``--shipped``) and of the float32 run it came from (``--original``).
"""
from __future__ import annotations

import datetime
import json
import os
import pathlib
import platform
import shlex

import numpy

from .. import backend
from ..gan.noise import draw_noise
from ..training import image_sampling
from . import FOLDER, MANIFEST, MODELS, model_name, read_manifest, sha256

FORMAT_VERSION = 1
#: z drawn to compare the float16 generator with the float32 one it came from
ROUNDING_CHECK_SAMPLES = 1000


def machine() -> str:
    """This machine in words: the CPU's model name and its number of cores."""
    name = platform.processor() or platform.machine()
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name}, {os.cpu_count()} cores"


def utc(timestamp: float) -> str:
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_manifest(models: dict, folder=None) -> pathlib.Path:
    path = pathlib.Path(folder or FOLDER) / MANIFEST
    text = json.dumps({"format": FORMAT_VERSION, "models": models}, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text)
    return path


def generator_file(run) -> pathlib.Path:
    """A run's folder -> its generator.npz (a file is taken as it is)."""
    run = pathlib.Path(run)
    return run / "generator.npz" if run.is_dir() else run


def rounding_change(original, rounded, config) -> float:
    """The largest pixel difference (in [0, 1]) between the two generators' images of the same
    ``ROUNDING_CHECK_SAMPLES`` z (labels cycling 0-9): what rounding the weights changed."""
    z = draw_noise(backend.Random(0), config["noise"], (ROUNDING_CHECK_SAMPLES, int(config["noise_dim"])))
    labels = backend.xp.arange(ROUNDING_CHECK_SAMPLES, dtype=backend.xp.int64) % image_sampling.NUM_CLASSES
    labels = labels if image_sampling.is_conditional(original) else None
    a, b = (image_sampling.generate_images(g, z, labels, config["output"]) for g in (original, rounded))
    return float(numpy.abs(a - b).max())


def export(name: str, run, train_command: str, *, command: str = "", wall_seconds: float | None = None,
           folder=None) -> dict:
    """Write ``folder/<name>.npz`` (float16, compressed) from the run's generator.npz and record it in
    the manifest. Returns the manifest entry. ValueError when the run is not model ``name``."""
    from ..experiments import experiment_from_config
    if name not in MODELS:
        raise ValueError(f"--model must be one of {', '.join(MODELS)}; got {name!r}")
    source = generator_file(run)
    generator, config = image_sampling.load_generator(source)
    if model_name(config) != name:
        raise ValueError(f"{source} is not the {name} model ({MODELS[name][2]}): its config names the "
                         f"{config['experiment']!r} experiment with settings {config['settings']}")
    folder = pathlib.Path(folder or FOLDER)
    target = folder / f"{name}.npz"
    experiment = experiment_from_config(config, source)
    image_sampling.save_generator(target, experiment, generator, dtype="float16", compress=True,
                                  epochs=config.get("epochs"), model=name)
    rounded, _ = image_sampling.load_generator(target)
    summary_path = source.parent / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    seconds = summary.get("seconds_per_epoch")
    settings = config["settings"]
    record = {
        "file": target.name, "sha256": sha256(target), "size": target.stat().st_size, "dtype": "float16",
        "parameters": int(sum(p.data.size for p in generator.parameters())),
        "what": MODELS[name][2], "experiment": config["experiment"], "settings": settings,
        "seed": settings["seed"], "epochs": config.get("epochs", settings.get("epochs")),
        "training": {
            "command": train_command,
            "seconds": round(sum(seconds), 1) if seconds else None,
            "seconds_note": "sum of the epochs' training time (summary.json seconds_per_epoch; figures and "
                            "checkpoints not counted)",
            "wall_seconds": wall_seconds,
            "finished": utc(source.stat().st_mtime), "machine": machine(),
            "backend": summary.get("backend"), "source": str(source), "source_sha256": sha256(source),
        },
        "export": {
            "command": command, "date": utc(target.stat().st_mtime),
            "max_pixel_change": rounding_change(generator, rounded, config),
            "max_pixel_change_note": f"largest |float16 - float32| pixel over {ROUNDING_CHECK_SAMPLES} images "
                                     "of the same z (pixels in [0, 1])",
        },
        "quality": None,
    }
    models = read_manifest(folder) if (folder / MANIFEST).is_file() else {}
    models[name] = record
    write_manifest({n: models[n] for n in MODELS if n in models}, folder)
    return record


# -- quality ------------------------------------------------------------------------------------
def scores(folder) -> dict:
    """The headline numbers of ``demos/evaluate_mnist.py``'s evaluation.json in ``folder``, with
    ``demos/generate.py``'s record (generate.json) of what made the samples."""
    folder = pathlib.Path(folder)
    evaluation = json.loads((folder / "evaluation.json").read_text())
    made = json.loads((folder / "generate.json").read_text())
    classes, fd, parzen = evaluation["classes"], evaluation["frechet"], evaluation["parzen"]
    per_class = classes["label_accuracy_per_class"]
    worst = int(numpy.argmin(per_class))
    return {
        "samples": made, "evaluated": utc((folder / "evaluation.json").stat().st_mtime),
        "label_accuracy": classes["label_accuracy"], "worst_class": {"digit": worst, "accuracy": per_class[worst]},
        "label_accuracy_per_class": per_class, "classes_covered": classes["covered"],
        "kl_from_uniform": classes["kl_from_uniform"], "frechet": fd["generated_vs_real"],
        "frechet_real_vs_real": fd["real_vs_real"], "parzen": {"mean": parzen["mean"], "stderr": parzen["stderr"]},
        "classifier": {k: evaluation["classifier"][k] for k in ("trained_on", "accuracy", "accuracy_on")},
        "protocol": evaluation["protocol"]["name"],
    }


def record_quality(name: str, shipped, original, data: str, *, folder=None) -> dict:
    """Record in the manifest the evaluation of the shipped file's samples (``shipped``) and of the
    float32 run's (``original``): folders where demos/generate.py and demos/evaluate_mnist.py wrote.
    Refuses results that are not of those two files (generate.json's SHA-256)."""
    models = read_manifest(folder)
    record = models[name]
    checks = ((shipped, record["sha256"], "the shipped file"), (original, record["training"]["source_sha256"],
                                                                "the run's float32 generator.npz"))
    for path, expected, what in checks:
        made = json.loads((pathlib.Path(path) / "generate.json").read_text())
        if made["sha256"] != expected:
            raise ValueError(f"{path}: its samples come from {made['source']} (SHA-256 {made['sha256'][:16]}...), "
                             f"not {what} of {name} ({expected[:16]}...)")
    results = {"float16": scores(shipped), "float32": scores(original)}
    record["quality"] = {
        "commands": [results[k]["samples"]["command"] + " && " + shlex.join(
            ["python", "demos/evaluate_mnist.py", "--samples", str(p), "--data", data])
            for k, p in (("float16", shipped), ("float32", original))],
        "machine": machine(), **results,
    }
    write_manifest(models, folder)
    return record["quality"]


# -- the table of the results page ------------------------------------------------------------
def table(folder=None) -> str:
    """The manifest as a Markdown table: per model, the float16 file and the float32 run."""
    rows = ["| model | weights | size | label accuracy | worst class | classes | KL(classes ‖ uniform) | "
            "Fréchet | Parzen |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, record in read_manifest(folder).items():
        for dtype in ("float32", "float16"):
            q = (record.get("quality") or {}).get(dtype)
            size = f"{record['size'] / 1e6:.2f} MB" if dtype == "float16" else "(the run's generator.npz)"
            if q is None:
                rows.append(f"| {name} | {dtype} | {size} | not measured | | | | | |")
                continue
            worst = q["worst_class"]
            rows.append(f"| {name} | {dtype} | {size} | {q['label_accuracy']:.4f} | {worst['accuracy']:.3f} "
                        f"(digit {worst['digit']}) | {q['classes_covered']}/10 | {q['kl_from_uniform']:.4f} | "
                        f"{q['frechet']:.2f} | {q['parzen']['mean']:.1f} ± {q['parzen']['stderr']:.1f} |")
    return "\n".join(rows)
