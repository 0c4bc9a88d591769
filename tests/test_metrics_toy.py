"""Toy-distribution metrics against distributions whose answer is known."""
import math

import numpy as np
import pytest

from minigan import backend, metrics
from minigan.data import toy


def test_wasserstein_between_shifted_gaussians_is_the_shift():
    target = toy.Gaussian1D(0.0, 1.0)
    shifted = toy.Gaussian1D(0.7, 1.0).quantiles(20_000)
    assert metrics.wasserstein_1d(shifted, target) == pytest.approx(0.7, abs=1e-3)


def test_wasserstein_between_gaussians_of_different_std_is_the_std_gap_times_sqrt_2_over_pi():
    # W1(N(0,1), N(0,s^2)) = |1 - s| E|Z| = |1 - s| sqrt(2/pi)
    target = toy.Gaussian1D(0.0, 1.0)
    wide = toy.Gaussian1D(0.0, 1.5).quantiles(50_000)
    assert metrics.wasserstein_1d(wide, target) == pytest.approx(0.5 * math.sqrt(2 / math.pi), rel=2e-3)


def test_wasserstein_of_true_samples_is_small_and_shrinks_with_n():
    target = toy.Gaussian1D(4.0, 1.25)
    small = metrics.wasserstein_1d(target.sample(1_000), target)
    large = metrics.wasserstein_1d(target.sample(100_000), target)
    assert large < small and large < 0.01 * 1.25


def test_js_divergence_is_zero_for_equal_and_log2_for_disjoint_samples():
    a = np.linspace(0, 1, 1000)
    assert metrics.js_divergence(a, a) == pytest.approx(0.0, abs=1e-12)
    assert metrics.js_divergence(a, a + 10) == pytest.approx(math.log(2), rel=1e-9)


def test_js_divergence_of_half_overlapping_uniforms():
    # P = U[0,2], Q = U[1,3]: half of each mass is shared -> JS = log 2 / 2
    p, q = np.linspace(0, 2, 40_000, endpoint=False), np.linspace(1, 3, 40_000, endpoint=False)
    assert metrics.js_divergence(p, q, bins=300, range=(0, 3)) == pytest.approx(math.log(2) / 2, rel=1e-2)


def test_mode_metrics_of_the_true_ring_capture_all_eight_modes():
    ring = toy.ring()
    m = metrics.mode_metrics(ring.sample(10_000), ring.centers, ring.std)
    assert m["modes_captured"] == 8
    assert m["high_quality"] > 0.98               # 3 std in 2-D keeps ~98.9%
    assert m["reverse_kl"] < 0.01


def test_mode_metrics_of_a_collapsed_generator():
    ring = toy.ring()
    one_mode = backend.asarray(np.tile(ring.centers[2], (500, 1)))
    m = metrics.mode_metrics(one_mode, ring.centers, ring.std)
    assert (m["modes_captured"], m["high_quality"]) == (1, 1.0)
    assert m["reverse_kl"] == pytest.approx(math.log(8))


def test_mode_metrics_counts_off_mode_samples_as_low_quality():
    ring = toy.ring()
    half = np.concatenate([ring.centers[[0, 1]], np.zeros((2, 2))])     # two exact, two at the centre
    m = metrics.mode_metrics(half, ring.centers, ring.std)
    assert (m["modes_captured"], m["high_quality"]) == (2, 0.5)
    assert m["reverse_kl"] == pytest.approx(math.log(4))                  # uniform over 2 of 8 modes


def test_grid_has_25_modes_on_a_2_spaced_lattice():
    g = toy.grid()
    assert g.centers.shape == (25, 2)
    assert set(np.unique(g.centers)) == {-4.0, -2.0, 0.0, 2.0, 4.0}


def test_mixture_sampler_follows_its_weights():
    mix = toy.GaussianMixture1D([-3, 3], [0.3, 0.3], [1, 3])
    x = backend.to_numpy(mix.sample(40_000))
    assert abs((x > 0).mean() - 0.75) < 0.01
    assert metrics.wasserstein_1d(x, mix) < 0.05


def test_metric_inputs_are_validated():
    with pytest.raises(ValueError, match=r"samples must be a non-empty array of shape \(n,\) or \(n, 1\)"):
        metrics.wasserstein_1d(np.zeros((5, 2)), toy.Gaussian1D())
    with pytest.raises(ValueError, match="must agree"):
        metrics.mode_metrics(np.zeros((5, 3)), toy.ring().centers, 0.02)
    with pytest.raises(ValueError, match="std must be a number > 0"):
        toy.Gaussian1D(0, -1)
