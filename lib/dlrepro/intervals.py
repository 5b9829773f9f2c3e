"""95% confidence intervals of a mean or of a difference of means over seeds (``scipy.stats``).

The book reports intervals, not point estimates, and lets an interval that straddles a margin
say "this run cannot decide" (Agarwal et al. 2021, *Deep Reinforcement Learning at the Edge of
the Statistical Precipice*, https://arxiv.org/abs/2108.13264; Bouthillier et al. 2021,
*Accounting for Variance in Machine Learning Benchmarks*, https://arxiv.org/abs/2103.03098).

* ``"t"``: Student's t interval of the mean (paired differences are one sample); for two
  independent samples, Welch's interval of the difference.
* ``"bootstrap"``: the percentile bootstrap of the mean (or of the difference of means), with
  a fixed resampling seed so that the same values always give the same interval. Use it where
  per-seed values are far from normal (a few seeds at chance among many that learn).
* ``"newcombe"``: for 0/1 values (a restart succeeds or not), score intervals built from
  Wilson's interval of a proportion (Wilson 1927): Wilson's own for one proportion, Newcombe's
  square-and-add interval for the difference of two independent proportions (Newcombe 1998,
  *Statistics in Medicine* 17:873, method 10) and for the difference of two paired proportions
  (Newcombe 1998, *Statistics in Medicine* 17:2635, method 10, with the corrected correlation
  used by Fagerland, Lydersen & Laake 2017, *Statistical Analysis of Contingency Tables*,
  Chapter 8). Unlike the bootstrap, these intervals keep a width when every value is equal:
  0 successes in 24 restarts still leaves a success rate of up to 14% plausible.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from dlrepro.errors import ConfigError

__all__ = ["METHODS", "CONFIDENCE", "Interval", "mean_interval", "difference_interval",
           "wilson_interval", "newcombe_difference"]

METHODS = ("t", "bootstrap", "newcombe")
CONFIDENCE = 0.95
_RESAMPLES = 9999
_BOOTSTRAP_SEED = 0


@dataclass(frozen=True)
class Interval:
    """A point estimate with the ends of its 95% interval; ``n`` values (or pairs) behind it."""

    estimate: float
    low: float
    high: float
    n: int
    method: str

    @property
    def decidable(self) -> bool:
        """False for one value: no interval can be formed."""
        return self.n >= 2 and np.isfinite(self.low) and np.isfinite(self.high)

    def __str__(self) -> str:
        return f"{self.estimate:.4g} [{self.low:.4g}, {self.high:.4g}]"

    def as_dict(self) -> dict:
        return {"estimate": self.estimate, "low": self.low, "high": self.high, "n": self.n,
                "method": self.method}


def _as_array(values: Sequence[float] | np.ndarray, what: str) -> np.ndarray:
    array = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise ConfigError(f"{what} needs one or more finite values, got {array}")
    return array


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ConfigError(f"unknown interval method {method!r}; choose one of: "
                          f"{', '.join(METHODS)}")


def mean_interval(values: Sequence[float] | np.ndarray, method: str = "t") -> Interval:
    """The 95% interval of the mean of ``values``; a single value gives an empty-width,
    undecidable interval, and values that are all equal give the point itself."""
    _check_method(method)
    x = _as_array(values, "mean_interval")
    mean = float(x.mean())
    if x.size < 2:
        return Interval(mean, -np.inf, np.inf, 1, method)
    if method == "newcombe":
        low, high = wilson_interval(int(_binary(x, "mean_interval").sum()), x.size)
        return Interval(mean, low, high, x.size, method)
    if np.ptp(x) == 0:
        return Interval(mean, mean, mean, x.size, method)
    if method == "t":
        with warnings.catch_warnings():  # nearly equal values: the interval is simply narrow
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = stats.ttest_1samp(x, 0.0).confidence_interval(CONFIDENCE)
    else:
        result = stats.bootstrap((x,), np.mean, confidence_level=CONFIDENCE,
                                 n_resamples=_RESAMPLES, method="percentile",
                                 random_state=np.random.default_rng(_BOOTSTRAP_SEED))
        low, high = result.confidence_interval
    return Interval(mean, float(low), float(high), x.size, method)


def difference_interval(method_values: Sequence[float] | np.ndarray,
                        control_values: Sequence[float] | np.ndarray,
                        paired: bool = True, method: str = "t") -> Interval:
    """The 95% interval of mean(method) - mean(control).

    ``paired`` (arms trained from the same seeds) takes the per-seed differences as one sample
    and needs equal lengths; unpaired arms use Welch's interval (``"t"``) or a two-sample
    bootstrap.
    """
    _check_method(method)
    a = _as_array(method_values, "difference_interval (method)")
    b = _as_array(control_values, "difference_interval (control)")
    if paired:
        if a.shape != b.shape:
            raise ConfigError(f"a paired comparison needs one value per seed in both arms, got "
                              f"{a.size} and {b.size}; pass paired=False for independent arms")
        if method != "newcombe":
            return mean_interval(a - b, method)
    estimate = float(a.mean() - b.mean())
    n = min(a.size, b.size)
    if n < 2:
        return Interval(estimate, -np.inf, np.inf, n, method)
    if method == "newcombe":
        return newcombe_difference(a, b, paired)
    if np.ptp(a) == 0 and np.ptp(b) == 0:
        return Interval(estimate, estimate, estimate, n, method)
    if method == "t":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = stats.ttest_ind(a, b, equal_var=False).confidence_interval(CONFIDENCE)
    else:
        result = stats.bootstrap((a, b), lambda u, v, axis=-1: u.mean(axis) - v.mean(axis),
                                 confidence_level=CONFIDENCE, n_resamples=_RESAMPLES,
                                 method="percentile", vectorized=True,
                                 random_state=np.random.default_rng(_BOOTSTRAP_SEED))
        low, high = result.confidence_interval
    return Interval(estimate, float(low), float(high), n, method)


def _binary(x: np.ndarray, what: str) -> np.ndarray:
    if not np.all((x == 0) | (x == 1)):
        raise ConfigError(f"{what}: the 'newcombe' method needs 0/1 values (failure/success), "
                          f"got {np.unique(x)}")
    return x


def wilson_interval(successes: int, n: int) -> tuple[float, float]:
    """Wilson's 95% score interval of a proportion from ``successes`` out of ``n`` trials."""
    if n < 1 or not 0 <= successes <= n:
        raise ConfigError(f"wilson_interval: need 0 <= successes <= n and n >= 1, got "
                          f"{successes} of {n}")
    z = float(stats.norm.ppf(0.5 + CONFIDENCE / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends, no rounding error
    high = 1.0 if successes == n else min(1.0, centre + half)
    return float(low), float(high)


def newcombe_difference(method_values: Sequence[float] | np.ndarray,
                        control_values: Sequence[float] | np.ndarray,
                        paired: bool = True) -> Interval:
    """Newcombe's 95% square-and-add interval of p(method) - p(control) from 0/1 values.

    The Wilson intervals ``(l1, u1)`` and ``(l2, u2)`` of the two proportions combine as
    ``d - sqrt((p1 - l1)^2 - 2 r (p1 - l1)(u2 - p2) + (u2 - p2)^2)`` for the lower end and
    ``d + sqrt((u1 - p1)^2 - 2 r (u1 - p1)(p2 - l2) + (p2 - l2)^2)`` for the upper one. For
    independent arms ``r = 0``. For paired arms (value ``i`` of both arms from the same seed),
    ``r`` is the correlation of the 2x2 table of pairs with counts ``a`` (both succeed), ``b``
    (only the method), ``c`` (only the control), ``d`` (neither): with ``A = ad - bc``,
    ``r = (A - n/2) / sqrt((a+b)(c+d)(a+c)(b+d))`` when ``A > n/2``, ``0`` when
    ``0 <= A <= n/2`` and ``A / sqrt(...)`` when ``A < 0`` (``0`` when a margin is empty).
    """
    a_values = _binary(_as_array(method_values, "newcombe_difference (method)"),
                       "newcombe_difference")
    b_values = _binary(_as_array(control_values, "newcombe_difference (control)"),
                       "newcombe_difference")
    if paired and a_values.shape != b_values.shape:
        raise ConfigError(f"newcombe_difference: a paired comparison needs one value per seed "
                          f"in both arms, got {a_values.size} and {b_values.size}")
    n1, n2 = a_values.size, b_values.size
    s1, s2 = int(a_values.sum()), int(b_values.sum())
    p1, p2 = s1 / n1, s2 / n2
    l1, u1 = wilson_interval(s1, n1)
    l2, u2 = wilson_interval(s2, n2)
    r = 0.0
    if paired:
        n = n1
        both = int(np.sum((a_values == 1) & (b_values == 1)))
        only_method = s1 - both
        only_control = s2 - both
        neither = n - both - only_method - only_control
        margins = float(s1) * (n - s1) * s2 * (n - s2)
        if margins > 0:
            cross = both * neither - only_method * only_control
            if cross > n / 2:
                r = (cross - n / 2) / np.sqrt(margins)
            elif cross < 0:
                r = cross / np.sqrt(margins)
    d = p1 - p2
    low = d - np.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * r * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    high = d + np.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * r * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    return Interval(float(d), float(max(-1.0, low)), float(min(1.0, high)), min(n1, n2),
                    "newcombe")
