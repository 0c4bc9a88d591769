"""MNIST-scale metrics against answers known in closed form: Parzen windows, Fréchet distance, class statistics."""
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import logsumexp

from minigan import backend, metrics


def brute_force_parzen(samples, points, sigma):
    """log p(x) straight from the definition, with an explicit (m, n, d) difference array."""
    d = samples.shape[1]
    sq = ((points[:, None, :] - samples[None, :, :]) ** 2).sum(-1)
    return logsumexp(-sq / (2 * sigma**2), axis=1) - np.log(len(samples)) - d / 2 * np.log(2 * np.pi * sigma**2)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 9), m=st.integers(1, 7), d=st.integers(1, 5), batch=st.integers(1, 4),
       sigma=st.sampled_from([0.05, 0.3, 1.0, 4.0]), seed=st.integers(0, 2**16))
def test_parzen_matches_brute_force_for_every_block_size(n, m, d, batch, sigma, seed):
    rng = np.random.default_rng(seed)
    samples, points = rng.random((n, d)), rng.random((m, d))
    got = metrics.parzen_log_densities(samples, points, sigma, batch_size=batch)
    np.testing.assert_allclose(got[0], brute_force_parzen(samples, points, sigma), rtol=1e-9, atol=1e-9)


def test_parzen_with_one_centre_is_the_log_density_of_that_gaussian():
    rng = np.random.default_rng(1)
    mu, x, sigma = rng.random((1, 100)), rng.random((20, 100)), 0.25
    expected = stats.multivariate_normal(mu[0], sigma**2 * np.eye(100)).logpdf(x)
    np.testing.assert_allclose(metrics.parzen_log_densities(mu, x, sigma)[0], expected, rtol=1e-10)


def test_parzen_log_likelihood_is_the_mean_with_its_standard_error():
    rng = np.random.default_rng(2)
    samples, test = rng.random((50, 10)), rng.random((30, 10))
    ll = brute_force_parzen(samples, test, 0.4)
    mean, stderr = metrics.parzen_log_likelihood(samples, test, 0.4, batch_size=7)
    assert mean == pytest.approx(ll.mean(), rel=1e-10)
    assert stderr == pytest.approx(ll.std() / np.sqrt(30), rel=1e-10)


def test_parzen_stays_finite_where_every_kernel_underflows():
    # Distance 10 at sigma 0.01: exp(-5e5) is 0 in floating point; the logsumexp keeps the exponent.
    samples, point = np.array([[0.0, 0.0], [20.0, 0.0]]), np.array([[10.0, 0.0]])
    got = metrics.parzen_log_densities(samples, point, 0.01)[0, 0]
    expected = -100 / (2 * 0.01**2) + np.log(2) - np.log(2) - np.log(2 * np.pi * 0.01**2)
    assert got == pytest.approx(expected, rel=1e-12)


def test_parzen_select_sigma_picks_the_best_row_of_its_table():
    rng = np.random.default_rng(3)
    samples, validation = rng.normal(size=(200, 3)), rng.normal(size=(100, 3))
    best, table = metrics.parzen_select_sigma(samples, validation, [0.05, 0.3, 0.6, 3.0])
    assert [row["sigma"] for row in table] == pytest.approx([0.05, 0.3, 0.6, 3.0])
    assert best == max(table, key=lambda row: row["mean"])["sigma"]
    assert best not in (0.05, 3.0)                    # both extremes are poor fits of N(0, I) data
    for row in table:
        assert row["mean"] == pytest.approx(metrics.parzen_log_likelihood(samples, validation, row["sigma"])[0])


def test_parzen_memory_is_bounded_by_blocks_not_by_the_distance_matrix():
    rng = np.random.default_rng(4)
    samples, points = rng.random((1500, 20)), rng.random((1000, 20))
    full_distance_matrix = 1500 * 1000 * 8                                  # 12 MB
    tracemalloc.start()
    metrics.parzen_log_densities(samples, points, [0.1, 0.5], batch_size=100)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < full_distance_matrix / 8


def test_parzen_accepts_backend_arrays(strict_backend):
    samples, points = backend.rng().random((6, 3)), backend.rng().random((4, 3))
    host = backend.to_numpy(samples).astype(np.float64), backend.to_numpy(points).astype(np.float64)
    np.testing.assert_allclose(metrics.parzen_log_densities(samples, points, 0.5)[0], brute_force_parzen(*host, 0.5))


def test_parzen_rejects_mismatched_features_and_bad_sigma():
    with pytest.raises(ValueError, match=r"points must have 3 features .* got shape \(4, 2\)"):
        metrics.parzen_log_densities(np.zeros((5, 3)), np.zeros((4, 2)), 0.5)
    with pytest.raises(ValueError, match="sigma must be positive"):
        metrics.parzen_log_densities(np.zeros((5, 3)), np.zeros((4, 3)), [0.5, 0.0])


# -- Fréchet distance -------------------------------------------------------------------------

def random_covariance(rng, d, rank=None):
    a = rng.normal(size=(d, rank or d))
    return a @ a.T / d


def test_frechet_distance_of_identical_gaussians_is_zero():
    rng = np.random.default_rng(5)
    mu, sigma = rng.normal(size=8), random_covariance(rng, 8)
    assert metrics.frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0, abs=1e-9)


def test_frechet_distance_of_diagonal_gaussians_has_the_closed_form():
    # Diagonal covariances commute: Tr(S1 + S2 - 2 sqrt(S1 S2)) = sum (sqrt(s1) - sqrt(s2))^2.
    mu1, mu2 = np.array([0.0, 1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    s1, s2 = np.array([1.0, 4.0, 0.25]), np.array([4.0, 1.0, 0.25])
    expected = 1 + 0 + 4 + (1 - 2) ** 2 + (2 - 1) ** 2 + 0
    assert metrics.frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_does_not_depend_on_a_common_rotation():
    rng = np.random.default_rng(6)
    q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    s1, s2 = np.diag([1.0, 2.0, 3.0, 4.0]), np.diag([4.0, 1.0, 1.0, 9.0])
    mu1, mu2 = rng.normal(size=4), rng.normal(size=4)
    plain = metrics.frechet_distance(mu1, s1, mu2, s2)
    rotated = metrics.frechet_distance(q @ mu1, q @ s1 @ q.T, q @ mu2, q @ s2 @ q.T)
    assert rotated == pytest.approx(plain, rel=1e-8)


@pytest.mark.filterwarnings("error")           # the eps fallback, not a "matrix is singular" warning
def test_frechet_distance_of_singular_covariances_is_finite():
    rng = np.random.default_rng(7)
    s1, s2 = random_covariance(rng, 10, rank=3), random_covariance(rng, 10, rank=3)
    value = metrics.frechet_distance(np.zeros(10), s1, np.zeros(10), s2)
    assert np.isfinite(value) and value > 0
    assert metrics.frechet_distance(np.zeros(10), s1, np.zeros(10), s1) == pytest.approx(0, abs=1e-4)


def test_frechet_distance_from_features_sees_a_shift_as_its_squared_length():
    rng = np.random.default_rng(8)
    features = rng.normal(size=(500, 6))
    shift = np.array([3.0, 0, 0, 4.0, 0, 0])
    assert metrics.frechet_distance_from_features(features, features + shift) == pytest.approx(25, rel=1e-8)


def test_frechet_distance_names_a_mismatched_shape():
    with pytest.raises(ValueError, match=r"sigma2 must have shape \(3, 3\)"):
        metrics.frechet_distance(np.zeros(3), np.eye(3), np.zeros(3), np.eye(2))


# -- class statistics -------------------------------------------------------------------------

def test_kl_from_uniform_is_zero_for_equal_classes_and_log_k_for_one():
    assert metrics.kl_from_uniform(np.full(10, 37)) == pytest.approx(0, abs=1e-15)
    assert metrics.kl_from_uniform(np.eye(10)[3] * 100) == pytest.approx(np.log(10))
    assert metrics.kl_from_uniform([5, 5, 0, 0, 0, 0, 0, 0, 0, 0]) == pytest.approx(np.log(5))


def test_class_histogram_and_coverage_count_predicted_classes():
    predicted = np.array([1, 1, 1, 4, 4, 9])
    assert metrics.class_histogram(predicted).tolist() == [0, 3, 0, 0, 2, 0, 0, 0, 0, 1]
    assert metrics.class_coverage(predicted) == 3
    assert metrics.class_coverage(predicted, min_count=2) == 2


def test_label_accuracy_is_the_fraction_of_matches():
    assert metrics.label_accuracy(np.array([0, 1, 2, 3]), np.array([0, 1, 2, 0])) == 0.75


def test_class_statistics_reject_a_class_out_of_range():
    with pytest.raises(ValueError, match=r"predicted must lie in \[0, 9\]; got values in \[0, 10\]"):
        metrics.class_histogram(np.array([0, 10]))


def test_label_accuracy_per_class_counts_each_asked_for_digit_on_its_own():
    from minigan import metrics
    labels = np.array([0, 0, 1, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 0, 2])
    assert metrics.label_accuracy_per_class(predicted, labels, num_classes=4) == [0.5, 2 / 3, 1.0, None]
