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
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from dlrepro.errors import ConfigError

__all__ = ["METHODS", "CONFIDENCE", "Interval", "mean_interval", "difference_interval"]

METHODS = ("t", "bootstrap")
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
        return mean_interval(a - b, method)
    estimate = float(a.mean() - b.mean())
    n = min(a.size, b.size)
    if n < 2:
        return Interval(estimate, -np.inf, np.inf, n, method)
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
