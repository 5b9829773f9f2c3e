"""dlrepro.tuning: the pick by validation mean and the grid-edge mark."""

from __future__ import annotations

import numpy as np
import pytest

from dlrepro.errors import ConfigError
from dlrepro.tuning import tune

GRID = [1e-3, 1e-2, 1e-1, 1.0]


def test_pick_is_the_best_seed_mean_and_reads_other_metrics_there():
    validation = np.array([[0.5, 0.6], [0.7, 0.9], [0.85, 0.8], [0.1, 0.2]])
    pick = tune("lr", GRID, validation)
    assert pick.index == 2 and pick.value == 0.1 and not pick.at_edge  # 0.825 beats 0.8
    assert pick.validation_means == pytest.approx((0.55, 0.8, 0.825, 0.15))
    test = np.arange(8.0).reshape(4, 2)
    np.testing.assert_array_equal(pick.at(test), [4.0, 5.0])
    with pytest.raises(ConfigError):
        pick.at(test[:3])


def test_edges_lower_is_better_and_diverged_points():
    assert tune("lr", GRID, np.array([4.0, 3.0, 2.0, 1.0])).index == 0
    low = tune("lr", GRID, np.array([4.0, 3.0, 2.0, 1.0]), higher_is_better=False)
    assert low.index == 3 and low.at_edge and "edge" in low.describe()
    diverged = np.array([[0.2, 0.3], [0.5, np.nan], [0.4, 0.45], [0.1, 0.1]])
    assert tune("lr", GRID, diverged).index == 2  # a NaN seed makes its point the worst
    assert tune("lr", [1.0, 2.0], np.array([0.0, 1.0])).at_edge  # two points never bracket
    assert tune("x", [5.0], np.array([1.0])).at_edge


def test_shape_mismatch_is_an_error():
    with pytest.raises(ConfigError, match="one row per grid point"):
        tune("lr", GRID, np.zeros((3, 2)))
