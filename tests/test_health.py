"""minigan.health finds each failure sign where it was planted, and nothing in a healthy run."""
import json
import math

import numpy as np
import pytest

from minigan import backend
from minigan.training import health
from minigan.experiments import toy_1d
from minigan.data import toy

K = 2            # D steps per G step in the synthetic histories
N = 800          # iterations
WINDOW = 100


def healthy_history(n=N, k=K, seed=0):
    """What a GAN at equilibrium records: D(x) = D(G(z)) = 1/2 with noise, losses log 2, small norms."""
    rng = np.random.default_rng(seed)
    d = n * k
    return {"d_loss": list(math.log(2) + 0.01 * rng.standard_normal(d)),
            "d_real": list(0.5 + 0.01 * rng.standard_normal(d)),
            "d_fake": list(0.5 + 0.01 * rng.standard_normal(d)),
            "value": list(-math.log(4) + 0.02 * rng.standard_normal(d)),
            "d_grad_norm": list(0.05 + 0.01 * rng.random(d)),
            "g_loss": list(math.log(2) + 0.01 * rng.standard_normal(n)),
            "g_grad_norm": list(0.05 + 0.01 * rng.random(n))}


def plant(history, key, first, last, values, k=K):
    """Overwrite iterations first..last (1-based, inclusive) of ``key`` with ``values(n)``."""
    per = 1 if key in health.G_KEYS else k
    lo, hi = (first - 1) * per, last * per
    history[key][lo:hi] = list(values(hi - lo))
    return history


def signs(episodes):
    return [(e["sign"], e["first"], e["last"]) for e in episodes]


def test_a_healthy_history_has_no_episode_and_no_warning():
    h = healthy_history()
    assert health.diagnose(h, k=K, window=WINDOW) == []
    assert health.current_warnings(h, k=K, window=WINDOW) == []


def test_d_winning_is_found_where_planted():
    h = healthy_history()
    plant(h, "d_real", 301, 500, lambda n: np.full(n, 0.97))
    plant(h, "d_fake", 301, 500, lambda n: np.full(n, 0.03))
    plant(h, "d_loss", 301, 500, lambda n: np.full(n, 0.03))
    assert signs(health.diagnose(h, k=K, window=WINDOW)) == [("d_winning", 301, 500)]


def test_the_minimax_loss_with_rejected_fakes_is_a_vanishing_gradient():
    h = healthy_history()
    h["g_loss"] = [-v for v in h["g_loss"]]            # the minimax loss log(1 - D(G(z))) <= 0
    plant(h, "d_fake", 601, 800, lambda n: np.full(n, 0.01))
    found = health.diagnose(h, k=K, window=WINDOW)
    assert ("vanishing_g_gradient", 601, 800) in signs(found)
    assert health.current_warnings(h, k=K, window=WINDOW) == ["G gradient vanishing"]


def test_rejected_fakes_under_the_non_saturating_loss_are_not_a_vanishing_gradient():
    h = healthy_history()
    plant(h, "d_fake", 601, 800, lambda n: np.full(n, 0.01))
    assert "vanishing_g_gradient" not in [e["sign"] for e in health.diagnose(h, k=K, window=WINDOW)]


def test_a_steadily_rising_generator_loss_is_found():
    h = healthy_history()
    plant(h, "g_loss", 201, 300, lambda n: np.linspace(0.7, 2.0, n))
    assert signs(health.diagnose(h, k=K, window=WINDOW)) == [("g_loss_rising", 201, 300)]


def test_gradient_norms_above_100_are_exploding():
    h = healthy_history()
    plant(h, "d_grad_norm", 401, 600, lambda n: np.full(n, 350.0))
    (episode,) = health.diagnose(h, k=K, window=WINDOW)
    assert (episode["sign"], episode["first"], episode["last"]) == ("exploding_gradients", 401, 600)
    assert episode["numbers"]["d_grad_norm_median"] == pytest.approx(350.0)
    assert episode["numbers"]["windows"] == 2


def test_oscillation_without_progress_is_found():
    h = healthy_history()
    plant(h, "d_fake", 101, 200, lambda n: 0.5 + 0.3 * np.sin(np.linspace(0, 10 * np.pi, n)))
    assert signs(health.diagnose(h, k=K, window=WINDOW)) == [("oscillation", 101, 200)]


def test_a_steady_drift_is_not_oscillation():
    h = healthy_history()
    plant(h, "d_fake", 101, 200, lambda n: np.linspace(0.1, 0.5, n))
    assert "oscillation" not in [e["sign"] for e in health.diagnose(h, k=K, window=WINDOW)]


def test_non_finite_values_are_named():
    h = healthy_history()
    h["g_loss"][450] = float("nan")
    (episode,) = health.diagnose(h, k=K, window=WINDOW)
    assert (episode["sign"], episode["first"], episode["last"]) == ("non_finite", 401, 500)
    assert episode["numbers"]["quantities"] == ["g_loss"]


def test_mode_collapse_from_mode_metrics_and_from_a_class_histogram():
    h = healthy_history()
    collapsed = {"counts": [9000, 10, 0, 0, 0, 0, 0, 0], "modes_captured": 2, "high_quality": 0.9}
    even = {"counts": [1000] * 8, "modes_captured": 8, "high_quality": 0.9}
    assert signs(health.diagnose(h, k=K, window=WINDOW, modes=collapsed)) == [("mode_collapse", N, N)]
    assert health.diagnose(h, k=K, window=WINDOW, modes=even) == []
    assert signs(health.diagnose(h, k=K, window=WINDOW, class_histogram=[5000, 4000] + [5] * 8)) == \
        [("mode_collapse", N, N)]
    assert health.diagnose(h, k=K, window=WINDOW, class_histogram=[1000] * 10) == []


def test_episodes_are_json_and_say_what_to_do():
    h = healthy_history()
    h["d_loss"][10] = float("inf")
    plant(h, "d_grad_norm", 1, 100, lambda n: np.full(n, 1e3))
    episodes = health.diagnose(h, k=K, window=WINDOW)
    assert json.loads(json.dumps(episodes, allow_nan=False)) == episodes
    assert all(e["message"] for e in episodes)


def test_a_history_without_gradient_norms_an_older_state_is_still_read():
    h = healthy_history()
    h["d_grad_norm"], h["g_grad_norm"] = [], h["g_grad_norm"][-50:]
    assert health.diagnose(h, k=K, window=WINDOW) == []


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="window must be a positive integer"):
        health.diagnose(healthy_history(), window=0)
    with pytest.raises(ValueError, match="modes counts"):
        health.diagnose(healthy_history(), modes={"counts": [-1, 2], "modes_captured": 1, "high_quality": 1.0})


# -- real runs of the 1-D GAN ---------------------------------------------------------------
def train(recipe, mean=4.0):
    return toy_1d.train_1d(toy.Gaussian1D(mean, 1.25), recipe, num_snapshots=1, progress=False)["gan"]


def test_the_default_1d_recipe_trains_without_warning():
    gan = train(toy_1d.Recipe(steps=300))
    assert health.diagnose(gan.history, k=gan.k, window=WINDOW, generator_loss=gan.generator_loss) == []


def test_the_minimax_loss_against_a_head_start_discriminator_is_flagged():
    # docs/03_algorithm1.md section 4: data far from G's start and k = 10; the minimax G barely moves
    backend.seed(0)
    recipe = toy_1d.Recipe(generator_loss="minimax", k=10, lr_g=2e-4, steps=200, final_lr_factor=1.0,
                            standardize=False)
    gan = train(recipe, mean=8.0)
    found = {e["sign"] for e in health.diagnose(gan.history, k=gan.k, window=WINDOW)}
    assert "vanishing_g_gradient" in found
    assert "G gradient vanishing" in health.current_warnings(gan.history, k=gan.k, window=WINDOW)
