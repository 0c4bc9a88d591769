"""metrics' Parzen window against goodfeli/adversarial parzen_ll.py, rewritten in NumPy line for line (tiny data)."""
import numpy as np
import pytest

from minigan import metrics


def original_log_mean_exp(a):
    """parzen_ll.log_mean_exp: max_ + log(mean(exp(a - max_), axis=1))."""
    max_ = a.max(1)
    return max_ + np.log(np.exp(a - max_[:, None]).mean(1))


def original_parzen(mu, sigma):
    """parzen_ll.theano_parzen: x -> E - Z, with the (x - mu) / sigma difference array."""
    def parzen(x):
        a = (x[:, None, :] - mu[None, :, :]) / sigma
        E = original_log_mean_exp(-0.5 * (a ** 2).sum(2))
        Z = mu.shape[1] * np.log(sigma * np.sqrt(np.pi * 2))
        return E - Z
    return parzen


def original_get_nll(x, parzen, batch_size):
    """parzen_ll.get_nll: interleaved batches x[i::n_batches]."""
    n_batches = int(np.ceil(float(len(x)) / batch_size))
    nlls = []
    for i in range(n_batches):
        nlls.extend(parzen(x[i::n_batches]))
    return np.array(nlls)


def original_protocol(samples, valid, test, sigmas, batch_size):
    """parzen_ll.main: sigma = argmax of the mean validation log-likelihood; then mean and std/sqrt(n) on test."""
    lls = [original_get_nll(valid, original_parzen(samples, s), batch_size).mean() for s in sigmas]
    sigma = sigmas[int(np.argmax(lls))]
    ll = original_get_nll(test, original_parzen(samples, sigma), batch_size)
    return sigma, ll.mean(), ll.std() / np.sqrt(test.shape[0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_select_sigma_and_log_likelihood_match_parzen_ll_py(seed):
    rng = np.random.default_rng(seed)
    samples = rng.random((40, 6))
    valid, test = rng.random((15, 6)), rng.random((23, 6))
    sigma, mean, se = original_protocol(samples, valid, test, np.logspace(-1, 0, 10), batch_size=7)
    got_sigma, table = metrics.parzen_select_sigma(samples, valid, metrics.PARZEN_SIGMAS, batch_size=4)
    got_mean, got_se = metrics.parzen_log_likelihood(samples, test, got_sigma, batch_size=5)
    assert got_sigma == pytest.approx(sigma, rel=1e-15)
    assert got_mean == pytest.approx(mean, rel=1e-10)
    assert got_se == pytest.approx(se, rel=1e-8)
    lls = [original_get_nll(valid, original_parzen(samples, s), 3).mean() for s in np.logspace(-1, 0, 10)]
    np.testing.assert_allclose([row["mean"] for row in table], lls, rtol=1e-10)


def test_the_sigma_grid_is_the_original_logspace():
    np.testing.assert_array_equal(metrics.PARZEN_SIGMAS, np.logspace(-1, 0, 10))
