"""The main job, end to end on a few iterations: the files and numbers a user and outside checks rely on."""
import json
import pathlib
import sys

import numpy as np
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "demos"))
import gaussian_1d  # noqa: E402


def test_demo_writes_samples_summary_history_and_figures(tmp_path):
    gaussian_1d.main(["--out", str(tmp_path), "--seed", "3", "--mean", "-1", "--std", "0.5", "--steps", "40", "--quiet"])
    samples = np.load(tmp_path / "samples.npy")
    assert samples.shape == (10000, 1) and samples.dtype == np.float32
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["target"] == {"kind": "gaussian", "mean": -1.0, "std": 0.5}
    assert summary["settings"]["seed"] == 3 and summary["settings"]["steps"] == 40
    assert {"wasserstein1", "wasserstein1_over_std", "js_divergence", "final_d_real"} <= set(summary["metrics"])
    assert isinstance(summary["health"], list)      # minigan.health's episodes (empty when healthy)
    for name in ("figure1.png", "training_curves.png", "optimal_discriminator.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    rows = (tmp_path / "history.csv").read_text().splitlines()
    assert rows[0].startswith("d_step,d_loss") and len(rows) == 1 + 40 * summary["settings"]["k"]


def test_same_seed_gives_the_same_samples(tmp_path):
    for run in ("a", "b"):
        gaussian_1d.main(["--out", str(tmp_path / run), "--seed", "5", "--steps", "15", "--quiet"])
    np.testing.assert_array_equal(np.load(tmp_path / "a" / "samples.npy"), np.load(tmp_path / "b" / "samples.npy"))


def test_mixture_target_and_gif(tmp_path):
    gaussian_1d.main(["--out", str(tmp_path), "--mixture=-2:0.5,2:0.5:3", "--steps", "20", "--k", "1",
                      "--gif", "--quiet"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["target"]["weights"] == [0.25, 0.75]
    assert (tmp_path / "training.gif").read_bytes()[:6] == b"GIF89a"


@pytest.mark.parametrize("argv, message", [
    (["--mixture=1:2:3:4"], "--mixture components are MEAN:STD"),
    (["--std", "-1"], "must be > 0"),
    (["--k", "0"], "must be > 0"),
])
def test_bad_arguments_are_rejected_with_a_reason(argv, message, capsys):
    with pytest.raises(SystemExit):
        gaussian_1d.parse_args(argv)
    assert message in capsys.readouterr().err
