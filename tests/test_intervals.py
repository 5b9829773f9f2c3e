"""dlrepro.intervals against closed forms and scipy written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from dlrepro.errors import ConfigError
from dlrepro.intervals import (
    difference_interval,
    mean_interval,
    newcombe_difference,
    wilson_interval,
)


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


def test_wilson_interval_against_a_published_value():
    # Fagerland, Lydersen & Laake (2017), Chapter 2 (R package contingencytables):
    # 13 successes in 16 trials, Wilson score interval 0.5699 to 0.9341.
    low, high = wilson_interval(13, 16)
    assert (round(low, 4), round(high, 4)) == (0.5699, 0.9341)
    interval = mean_interval([1.0] * 13 + [0.0] * 3, "newcombe")
    assert interval.estimate == pytest.approx(13 / 16)
    assert (interval.low, interval.high) == (low, high)
    # All failures keep a width: the upper end is z^2 / (n + z^2).
    z = stats.norm.ppf(0.975)
    none = mean_interval(np.zeros(24), "newcombe")
    assert none.low == 0.0 and none.high == pytest.approx(z * z / (24 + z * z))


def test_newcombe_differences_against_published_values():
    # Independent arms (Newcombe 1998, method 10): 7/34 against 1/34, 0.1765 [0.0189, 0.3404]
    # (Fagerland et al. 2017, Chapter 4).
    method = np.array([1.0] * 7 + [0.0] * 27)
    control = np.array([1.0] * 1 + [0.0] * 33)
    unpaired = difference_interval(method, control, paired=False, method="newcombe")
    assert round(unpaired.estimate, 4) == 0.1765
    assert (round(unpaired.low, 4), round(unpaired.high, 4)) == (0.0189, 0.3404)
    # Paired arms (Newcombe 1998, method 10): the 2x2 table of pairs [[59, 6], [16, 80]]
    # (rows: the method succeeds or not; columns: the control), -0.0621 [-0.1186, -0.0046]
    # (Fagerland et al. 2017, Chapter 8).
    pairs = [(1, 1)] * 59 + [(1, 0)] * 6 + [(0, 1)] * 16 + [(0, 0)] * 80
    m, c = (np.array(column, dtype=float) for column in zip(*pairs))
    paired = difference_interval(m, c, method="newcombe")
    assert paired == newcombe_difference(m, c)
    assert round(paired.estimate, 4) == -0.0621
    assert (round(paired.low, 4), round(paired.high, 4)) == (-0.1186, -0.0046)


def test_newcombe_identical_arms_straddle_zero_and_bad_values_are_rejected():
    same = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0])
    interval = difference_interval(same, same, method="newcombe")
    assert interval.estimate == 0.0 and interval.low < 0.0 < interval.high
    dead = difference_interval(np.zeros(20), np.zeros(20), method="newcombe")
    assert dead.low < 0.0 < dead.high
    with pytest.raises(ConfigError, match="0/1"):
        mean_interval([0.5, 1.0], "newcombe")
    with pytest.raises(ConfigError, match="paired"):
        newcombe_difference(same, same[:3])
