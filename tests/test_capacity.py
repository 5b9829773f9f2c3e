"""dlrepro.capacity.emc_search against synthetic "fits iff n <= n*" oracles."""

from __future__ import annotations

import numpy as np
import pytest

from dlrepro.capacity import candidate_sizes, emc_search
from dlrepro.errors import ConfigError


def threshold_oracle(n_star: np.ndarray):
    calls = []

    def fits(sizes: np.ndarray) -> np.ndarray:
        calls.append(sizes)
        return sizes <= n_star[:, None]

    return fits, calls


@pytest.mark.parametrize("candidates", [1, 3, 5])
def test_exact_n_star_is_found_for_every_group(candidates):
    rng = np.random.default_rng(candidates)
    n_star = rng.integers(40, 3000, size=25)
    fits, _ = threshold_oracle(n_star)
    result = emc_search(fits, groups=25, low=32, high=4096, rounds=40, candidates=candidates)
    np.testing.assert_array_equal(result.emc, n_star)
    np.testing.assert_array_equal(result.upper, n_star + 1)
    assert not result.violations.any() and not result.censored.any()


def test_few_rounds_bracket_n_star_and_shrink_geometrically():
    n_star = np.array([50, 333, 1000, 2999])
    fits, calls = threshold_oracle(n_star)
    result = emc_search(fits, groups=4, low=32, high=4096, rounds=3, candidates=3)
    assert (result.emc <= n_star).all() and (n_star < result.upper).all()
    # 3 sizes per round cut the log-range 4-fold per round after the first (3 points):
    # log2(4096 / 32) = 7 -> 3.5 -> 0.875 -> 0.22, i.e. a bracket ratio below 2 ** 0.22.
    assert (result.resolution <= 2 ** 0.25).all()
    assert len(calls) == 3 and all(c.shape[0] == 4 for c in calls)


def test_range_ends_are_reported():
    n_star = np.array([10, 5000])
    fits, _ = threshold_oracle(n_star)
    result = emc_search(fits, groups=2, low=32, high=4096, rounds=5)
    assert result.emc[0] == 0 and result.below_range[0] and result.upper[0] == 32
    assert result.emc[1] == 4096 and result.censored[1]


def test_non_monotone_answers_are_counted_and_the_first_failure_bounds_the_search():
    # Fits iff n <= 1000, except that 256 fails: the search must not report more than 255.
    def fits(sizes):
        return (sizes <= 1000) & (sizes != 256)

    result = emc_search(fits, groups=1, low=16, high=4096, rounds=1, candidates=5)
    # Round 1 asks 16, 64, 256, 1024, 4096: 256 fails and nothing above it fits.
    assert result.emc[0] == 64 and result.upper[0] == 256 and result.violations[0] == 0

    def noisy(sizes):  # 1024 fits but 256 does not: a monotonicity violation
        return (sizes <= 1024) & (sizes != 256)

    result = emc_search(noisy, groups=1, low=16, high=4096, rounds=12, candidates=5)
    assert result.violations[0] >= 1
    assert result.upper[0] == 256 and result.emc[0] == 255


def test_candidate_sizes_are_interior_distinct_and_geometric():
    np.testing.assert_array_equal(candidate_sizes(100, 1600, 3), [200, 400, 800])
    np.testing.assert_array_equal(candidate_sizes(10, 13, 5), [11, 12])
    assert candidate_sizes(7, 8, 3).size == 0


def test_bad_arguments_are_rejected():
    fits, _ = threshold_oracle(np.array([5]))
    with pytest.raises(ConfigError):
        emc_search(fits, groups=1, low=0, high=10, rounds=1)
    with pytest.raises(ConfigError):
        emc_search(fits, groups=1, low=10, high=5, rounds=1)
    with pytest.raises(ConfigError):
        emc_search(lambda s: np.ones((2, 2), bool), groups=1, low=1, high=10, rounds=1)
