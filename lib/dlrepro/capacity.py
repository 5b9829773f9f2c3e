"""Effective model complexity: the largest training set a training procedure fits to 100%.

Nakkiran et al. (2020, *Deep Double Descent*) define the effective model complexity (EMC) of a
training procedure as the largest number of samples on which it reaches (near) zero training
error; Shwartz-Ziv et al. (2024, *Just How Flexible are Neural Networks in Practice?*) measure
it with 100% training accuracy as the test and compare it with the parameter count, between
optimizers, activations and true or random labels.

:func:`emc_search` finds it for many independent *groups* (seeds x arms) at once by a k-ary
search over the training-set size on a geometric scale: every round asks a fitting oracle about
``candidates`` sizes per group in one call (one stacked model of ``groups x candidates`` MLPs,
each on its own subset, trained by :func:`dlrepro.train.fit_until`) and shrinks each group's
bracket to the part between the largest size known to fit and the smallest known to fail.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from dlrepro.errors import ConfigError

__all__ = ["EMCSearch", "candidate_sizes", "emc_search"]

#: ``fits(sizes)``: ``sizes`` is an ``(groups, k)`` integer array of training-set sizes, the
#: answer an ``(groups, k)`` boolean array, True where that group's procedure fitted that many
#: samples to 100% training accuracy.
FitOracle = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class EMCSearch:
    """The outcome of :func:`emc_search`, one entry per group.

    ``emc[g]`` is the largest size known to fit (0 when even ``low`` failed), ``upper[g]`` the
    smallest size known to fail (``high + 1`` when ``high`` fitted: the EMC is then censored at
    the range's top). ``violations[g]`` counts answers that contradict monotonicity (a size
    that fitted above one that failed); the search then keeps the smaller, failing size as its
    upper end, so ``emc`` is the largest size below which every size asked about fitted.
    ``history`` lists, per round, the sizes asked and the answers.
    """

    emc: np.ndarray
    upper: np.ndarray
    violations: np.ndarray
    low: int
    high: int
    history: tuple[tuple[np.ndarray, np.ndarray], ...]

    @property
    def censored(self) -> np.ndarray:
        """True where ``high`` itself fitted: the EMC is at least ``high``."""
        return self.upper > self.high

    @property
    def below_range(self) -> np.ndarray:
        """True where even ``low`` failed: the EMC is below ``low``."""
        return self.emc < self.low

    @property
    def resolution(self) -> np.ndarray:
        """``upper / emc``: how far apart the bracket's ends still are (1 + relative error)."""
        return self.upper / np.maximum(self.emc, 1)


def candidate_sizes(lo: int, hi: int, k: int) -> np.ndarray:
    """Up to ``k`` distinct integers strictly between ``lo`` and ``hi``, spaced geometrically
    (evenly in log size): the interior points that split ``[lo, hi]`` into ``k + 1`` parts."""
    if hi - lo < 2:
        return np.zeros(0, dtype=np.int64)
    points = np.geomspace(max(lo, 1), hi, k + 2)[1:-1]
    sizes = np.unique(np.clip(np.rint(points).astype(np.int64), lo + 1, hi - 1))
    return sizes


def emc_search(fits: FitOracle, groups: int, low: int, high: int, rounds: int,
               candidates: int = 3) -> EMCSearch:
    """k-ary search for the largest training-set size in ``[low, high]`` that fits, for
    ``groups`` independent procedures at once.

    Round 1 asks about ``candidates`` sizes spaced geometrically from ``low`` to ``high``
    (both ends included, so the range itself is checked); each later round asks about
    ``candidates`` sizes inside every group's remaining bracket (:func:`candidate_sizes`).
    A group whose bracket has closed (``upper = emc + 1``) repeats its last answer (its oracle
    rows are padded with the bracket's known-fitting end). With ``candidates`` sizes per round
    the bracket shrinks about ``candidates + 1``-fold in log size per round; a monotone oracle
    ("fits iff n <= n*") gives ``emc = n*`` exactly once the bracket has closed.
    """
    if not 1 <= low <= high:
        raise ConfigError(f"emc_search: need 1 <= low <= high, got {low} and {high}")
    if rounds < 1 or candidates < 1 or groups < 1:
        raise ConfigError(f"emc_search: rounds, candidates and groups must be >= 1, got "
                          f"{rounds}, {candidates} and {groups}")
    k = max(candidates, 2)
    first = np.unique(np.rint(np.geomspace(low, high, k)).astype(np.int64))
    lo = np.zeros(groups, dtype=np.int64)  # largest size known to fit
    hi = np.full(groups, high + 1, dtype=np.int64)  # smallest size known to fail
    violations = np.zeros(groups, dtype=np.int64)
    history = []
    for r in range(rounds):
        if r == 0:
            sizes = np.tile(first, (groups, 1))
        else:
            rows = []
            for g in range(groups):
                inner = candidate_sizes(int(max(lo[g], low - 1)), int(min(hi[g], high + 1)),
                                        candidates)
                rows.append(inner)
            width = max(len(row) for row in rows)
            if width == 0:
                break
            sizes = np.stack([np.concatenate([row, np.full(width - len(row),
                                                           max(lo[g], low), dtype=np.int64)])
                              if len(row) < width else row for g, row in enumerate(rows)])
        answers = np.asarray(fits(sizes.copy()), dtype=bool)
        if answers.shape != sizes.shape:
            raise ConfigError(f"emc_search: the oracle answered shape {answers.shape} for "
                              f"sizes of shape {sizes.shape}")
        history.append((sizes, answers))
        for g in range(groups):
            order = np.argsort(sizes[g], kind="stable")
            s, a = sizes[g][order], answers[g][order]
            failed = s[~a]
            first_fail = int(failed.min()) if failed.size else None
            if first_fail is not None:
                violations[g] += int(np.sum(a & (s > first_fail)))
                hi[g] = min(hi[g], first_fail)
            fitted_below = s[a & (s < hi[g])]
            if fitted_below.size:
                lo[g] = max(lo[g], int(fitted_below.max()))
            if lo[g] >= hi[g]:  # an earlier fit above a new failure: keep the failure
                violations[g] += 1
                lo[g] = int(max([v for v in s[a] if v < hi[g]], default=0))
    return EMCSearch(lo, hi, violations, low, high, tuple(history))
