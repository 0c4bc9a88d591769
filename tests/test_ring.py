"""The 2-D toy GANs (minigan.toy_2d) and the ring demo, on tiny budgets."""
import json
import pathlib
import sys
from dataclasses import replace

import numpy as np

from minigan import backend, nn
from minigan.data import toy
from minigan.experiments.toy_2d import Recipe2D, build_2d, evaluate_2d, train_2d

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "demos"))
import ring_2d  # noqa: E402

TINY = Recipe2D(hidden=(32, 32), batch_size=64, steps=20)


def distance_to_ring(samples, radius=2.0):
    return np.abs(np.linalg.norm(samples, axis=1) - radius).mean()


def test_a_short_training_moves_samples_onto_the_ring():
    target = toy.ring()
    run = train_2d(target, replace(Recipe2D(), batch_size=128, steps=800), num_snapshots=2, progress=False)
    (first_iteration, before), (last_iteration, after) = ((s["iteration"], s["samples"]) for s in run["snapshots"])
    assert (first_iteration, last_iteration) == (0, 800)
    assert distance_to_ring(before) > 1.5                  # an untrained G puts its samples near 0
    assert distance_to_ring(after) < 0.3                   # mean |radius - 2| (0.11-0.15 over seeds 0-3)


def test_train_2d_reports_the_mode_metrics_of_its_own_samples():
    target = toy.ring()
    run = train_2d(target, TINY, num_snapshots=3, progress=False)
    assert run["samples"].shape == (10_000, 2)
    m = run["metrics"]
    assert {k: m[k] for k in ("modes_captured", "high_quality", "counts")} == \
        {k: v for k, v in evaluate_2d(run["samples"], target).items() if k in ("modes_captured", "high_quality", "counts")}
    assert sum(m["counts"]) == round(m["high_quality"] * 10_000)
    assert m["modes_captured"] == sum(c > 0 for c in m["counts"])


def test_samples_on_the_modes_score_every_mode_and_full_quality():
    target = toy.ring()
    m = evaluate_2d(backend.to_numpy(target.sample(8000)), target)
    assert m["modes_captured"] == m["modes_above_1pct"] == 8
    assert m["high_quality"] > 0.97 and m["reverse_kl"] < 0.01


def test_a_nearly_abandoned_mode_is_captured_but_not_above_one_percent():
    target = toy.ring()
    samples = backend.to_numpy(target.sample(8000))
    nearest = np.linalg.norm(samples[:, None] - target.centers[None], axis=2).argmin(axis=1)
    keep = (nearest != 0) | (np.cumsum(nearest == 0) <= 5)        # leave 5 samples on mode 0
    m = evaluate_2d(samples[keep], target)
    assert m["counts"][0] <= 5 and m["modes_captured"] == 8 and m["modes_above_1pct"] == 7


def test_the_discriminator_gets_minibatch_discrimination_only_when_asked():
    plain = build_2d(TINY).discriminator
    with_mbd = build_2d(replace(TINY, minibatch_kernels=5, kernel_dim=3)).discriminator
    assert not any(isinstance(layer, nn.MinibatchDiscrimination) for layer in plain.layers)
    mbd = [layer for layer in with_mbd.layers if isinstance(layer, nn.MinibatchDiscrimination)]
    assert len(mbd) == 1 and mbd[0].weight.shape == (32, 15)
    x = backend.rng().normal((6, 2))
    assert plain(x).shape == with_mbd(x).shape == (6, 1)


def test_ring_demo_writes_samples_and_summary(tmp_path):
    ring_2d.main(["--out", str(tmp_path), "--seed", "3", "--steps", "30", "--quiet"])
    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (10_000, 2) and samples.dtype == np.float32 and np.isfinite(samples).all()
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["target"]["name"] == "ring" and len(summary["target"]["centers"]) == 8
    assert summary["settings"]["seed"] == 3 and summary["settings"]["steps"] == 30
    assert set(summary["metrics"]) >= {"modes_captured", "high_quality", "reverse_kl", "counts"}
    assert (tmp_path / "ring_2d.png").stat().st_size > 0


def test_ring_demo_compare_writes_one_row_per_variant(tmp_path):
    summary = ring_2d.main(["--compare", "--out", str(tmp_path), "--steps", "10", "--quiet"])
    assert list(summary["metrics"]) == list(ring_2d.toy_2d.VARIANTS)
    saved = json.loads((tmp_path / "compare.json").read_text())
    assert saved["metrics"].keys() == summary["metrics"].keys()
    assert (tmp_path / "compare.png").stat().st_size > 0


def test_ring_training_with_minibatch_discrimination_runs_on_the_strict_backend(strict_backend):
    run = train_2d(toy.ring(), replace(TINY, steps=3, minibatch_kernels=3), num_snapshots=2, progress=False)
    assert type(run["gan"].discriminator.parameters()[0].data) is strict_backend.StrictArray
    assert run["samples"].shape == (10_000, 2) and np.isfinite(run["samples"]).all()
