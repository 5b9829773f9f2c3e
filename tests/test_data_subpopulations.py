"""dlrepro.data's long-tailed subpopulation mixture (Feldman, 2020) and its exact singleton mass."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from scipy import stats

from dlrepro import data
from dlrepro.errors import ConfigError

pytestmark = pytest.mark.usefixtures("single_thread")


def test_zipf_frequencies_are_proportional_to_one_over_rank():
    p = data.zipf_frequencies(500)
    assert p.shape == (500,) and p.sum() == pytest.approx(1.0, abs=1e-12)
    harmonic = sum(1.0 / k for k in range(1, 501))
    np.testing.assert_allclose(p, 1.0 / (np.arange(1, 501) * harmonic), rtol=1e-12)
    np.testing.assert_allclose(data.zipf_frequencies(4, exponent=0.0), np.full(4, 0.25))


def test_singleton_mass_is_the_closed_form():
    p = data.zipf_frequencies(1000)
    n = 2000
    closed = float(np.sum(p * n * p * (1 - p) ** (n - 1)))
    assert data.expected_mass_seen(p, n, 1) == pytest.approx(closed, rel=1e-10)
    assert closed == pytest.approx(0.1023, abs=5e-4)  # the quick profile's generator


def test_expected_mass_seen_equals_enumeration_of_every_training_set():
    p = np.array([0.5, 0.3, 0.15, 0.05])
    n = 5
    exact = {t: 0.0 for t in range(n + 1)}
    for draw in itertools.product(range(len(p)), repeat=n):  # all 4**5 sequences
        probability = float(np.prod(p[list(draw)]))
        counts = np.bincount(draw, minlength=len(p))
        for t in range(n + 1):
            exact[t] += probability * float(p[counts == t].sum())
    for t in range(n + 1):
        assert data.expected_mass_seen(p, n, t) == pytest.approx(exact[t], abs=1e-12)
    assert sum(exact.values()) == pytest.approx(1.0)


def test_singleton_mass_matches_monte_carlo_over_generated_training_sets():
    k, n, draws = 60, 120, 1500
    realized = np.array([data.subpopulation_mixture(k, n, dim=2, test_per_subpopulation=1,
                                                    seed=s).mass_seen(1) for s in range(draws)])
    expected = data.expected_mass_seen(data.zipf_frequencies(k), n, 1)
    standard_error = realized.std(ddof=1) / np.sqrt(draws)
    assert abs(realized.mean() - expected) < 4 * standard_error
    assert abs(realized.mean() - expected) / expected < 0.02


def test_the_papers_zipf_example():
    # Feldman (2020), Zipf frequencies over N = n = 50,000: about 17% of the examples come from
    # subpopulations seen once, tau_1 is about 0.47 / n, and ignoring them costs about 7 points
    # with ten classes (0.9 x the singleton mass).
    n = 50_000
    p = data.zipf_frequencies(n)
    share = float(np.sum(p * (1 - p) ** (n - 1)))
    mass = data.expected_mass_seen(p, n, 1)
    assert share == pytest.approx(0.17, abs=0.005)
    assert mass / share == pytest.approx(0.47, abs=0.005)  # tau_1 x n
    assert 0.9 * mass == pytest.approx(0.07, abs=0.005)


def test_generated_data_follow_the_stated_frequencies():
    k, n = 20, 200_000
    ds = data.subpopulation_mixture(k, n, dim=2, test_per_subpopulation=1, seed=3)
    np.testing.assert_array_equal(ds.counts, np.bincount(ds.source.numpy(), minlength=k))
    assert ds.counts.sum() == n
    chi2 = stats.chisquare(ds.counts, n * data.zipf_frequencies(k))
    assert chi2.pvalue > 1e-3
    np.testing.assert_allclose(ds.counts / n, data.zipf_frequencies(k), atol=3e-3)
    uniform = data.subpopulation_mixture(k, n, "uniform", dim=2, test_per_subpopulation=1, seed=4)
    assert stats.chisquare(uniform.counts).pvalue > 1e-3


def test_clusters_labels_and_test_layout():
    k, r, spread = 30, 7, 0.1
    ds = data.subpopulation_mixture(k, 500, dim=5, num_classes=4, spread=spread,
                                    test_per_subpopulation=r, seed=1)
    assert ds.x_train.shape == (500, 5) and ds.x_train.dtype == torch.float32
    assert ds.y_train.dtype == torch.int64 and ds.num_subpopulations == k
    np.testing.assert_array_equal(ds.y_train.numpy(), ds.labels[ds.source.numpy()])
    np.testing.assert_array_equal(ds.y_test.numpy(), np.repeat(ds.labels, r))
    assert set(ds.labels) <= set(range(4))
    # Test points come cluster by cluster and lie around the same centres as the training points.
    test_centres = ds.x_test.numpy().reshape(k, r, 5).mean(1)
    src = ds.source.numpy()
    for j in np.unique(src)[:10]:
        train_centre = ds.x_train.numpy()[src == j].mean(0)
        assert np.linalg.norm(train_centre - test_centres[j]) < 5 * spread
    within = ds.x_test.numpy().reshape(k, r, 5) - test_centres[:, None]
    assert within.std() == pytest.approx(spread * np.sqrt((r - 1) / r), rel=0.15)
    assert ds.mass_seen(1) == pytest.approx(float(ds.frequencies[ds.counts == 1].sum()))
    assert ds.expected_mass_seen(1) == pytest.approx(data.expected_mass_seen(ds.frequencies,
                                                                             500, 1))


def test_the_same_seed_gives_the_same_data_and_bad_input_is_refused():
    a = data.subpopulation_mixture(50, 100, seed=9)
    b = data.subpopulation_mixture(50, 100, seed=9)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.x_test, b.x_test)
    with pytest.raises(ConfigError):
        data.subpopulation_mixture(50, 100, frequencies="pareto")
    with pytest.raises(ConfigError):
        data.subpopulation_mixture(3, 100, frequencies=np.array([0.5, 0.6, -0.1]))
    with pytest.raises(ConfigError):
        data.expected_mass_seen(np.array([0.5, 0.4]), 10, 1)
    with pytest.raises(ConfigError):
        data.expected_mass_seen(np.array([0.5, 0.5]), 10, 11)
