"""dlrepro.intervals against closed forms and scipy written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dlrepro.errors import ConfigError
from dlrepro.intervals import difference_interval, mean_interval


@pytest.mark.parametrize("values", [[0.9, 0.85, 0.95, 0.88], [1.0, 3.0], [2.5, 2.5, 2.6, 9.0]])
def test_t_interval_is_mean_plus_minus_t_times_sem(values):
    n = len(values)
    half = stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1) / math.sqrt(n)
    interval = mean_interval(values)
    assert interval.estimate == pytest.approx(np.mean(values))
    assert interval.low == pytest.approx(np.mean(values) - half, rel=1e-10)
    assert interval.high == pytest.approx(np.mean(values) + half, rel=1e-10)
    assert interval.n == n and interval.decidable


def test_two_values_closed_form():
    # n = 2: the t distribution with one degree of freedom is Cauchy, t_0.975 = tan(0.475 pi),
    # and sem = |a - b| / 2.
    interval = mean_interval([1.0, 3.0])
    assert interval.high - 2.0 == pytest.approx(math.tan(0.475 * math.pi), rel=1e-9)


def test_one_value_cannot_decide_and_equal_values_give_the_point():
    assert not mean_interval([0.3]).decidable
    same = mean_interval([0.5, 0.5, 0.5])
    assert (same.low, same.high, same.estimate) == (0.5, 0.5, 0.5) and same.decidable


def test_paired_difference_is_the_interval_of_the_differences():
    a = np.array([0.9, 0.8, 0.85, 0.7, 0.95])
    b = np.array([0.8, 0.82, 0.7, 0.6, 0.9])
    paired = difference_interval(a, b)
    direct = mean_interval(a - b)
    assert (paired.low, paired.high) == (direct.low, direct.high)
    with pytest.raises(ConfigError, match="paired"):
        difference_interval(a, b[:3])


def test_welch_interval_against_the_formula():
    a = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    b = np.array([2.0, 2.5, 2.2, 2.4])
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    dof = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
    half = stats.t.ppf(0.975, dof) * math.sqrt(va + vb)
    interval = difference_interval(a, b, paired=False)
    assert interval.estimate == pytest.approx(a.mean() - b.mean())
    assert interval.low == pytest.approx(a.mean() - b.mean() - half, rel=1e-9)
    assert interval.high == pytest.approx(a.mean() - b.mean() + half, rel=1e-9)


def test_bootstrap_is_deterministic_and_close_to_t_for_normal_data():
    values = np.random.default_rng(1).normal(2.0, 1.0, size=40)
    boot = mean_interval(values, "bootstrap")
    assert boot == mean_interval(values, "bootstrap")
    t = mean_interval(values)
    assert boot.low == pytest.approx(t.low, abs=0.1) and boot.high == pytest.approx(t.high, abs=0.1)
    # The percentile interval never reaches beyond the sample's range.
    skewed = np.array([0.1, 0.1, 0.1, 0.1, 0.9])
    interval = mean_interval(skewed, "bootstrap")
    assert 0.1 <= interval.low < interval.high <= 0.9
    unpaired = difference_interval(values, values - 1.0, paired=False, method="bootstrap")
    assert unpaired.low < 1.0 < unpaired.high


def test_bad_input_is_rejected():
    with pytest.raises(ConfigError, match="interval method"):
        mean_interval([1.0, 2.0], "jackknife")
    with pytest.raises(ConfigError, match="finite"):
        mean_interval([1.0, float("nan")])
