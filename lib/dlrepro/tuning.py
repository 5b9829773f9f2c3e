"""Honest tuning: pick a hyper-parameter on a grid by a validation metric, never by the test set.

Every arm of an experiment is tuned by the same call. The pick is the grid point with the best
seed-mean validation metric; a pick at either end of the grid means the grid did not bracket
the optimum, and any criterion that rests on it is judged UNDECIDED (:mod:`dlrepro.claims`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from dlrepro.errors import ConfigError

__all__ = ["Pick", "tune"]


@dataclass(frozen=True)
class Pick:
    """The grid point chosen by :func:`tune` and whether it lies at the grid's edge."""

    name: str
    grid: tuple[float, ...]
    index: int
    validation_means: tuple[float, ...]

    @property
    def value(self) -> float:
        return self.grid[self.index]

    @property
    def at_edge(self) -> bool:
        """True at the first or last grid point (and always on a grid of fewer than 3)."""
        return self.index in (0, len(self.grid) - 1)

    def at(self, per_point: np.ndarray) -> np.ndarray:
        """The row of ``per_point`` (grid points first, e.g. ``(points, seeds)``) at the pick."""
        per_point = np.asarray(per_point)
        if per_point.shape[0] != len(self.grid):
            raise ConfigError(f"pick {self.name!r}: expected {len(self.grid)} grid points along "
                              f"the first axis, got shape {per_point.shape}")
        return per_point[self.index]

    def describe(self) -> str:
        edge = " (at the grid's edge: undecided)" if self.at_edge else ""
        return f"{self.name} = {self.value:.4g}, point {self.index + 1} of {len(self.grid)}{edge}"

    def as_dict(self) -> dict:
        return {"value": self.value, "index": self.index, "grid": list(self.grid),
                "at_edge": self.at_edge, "validation_means": list(self.validation_means)}


def tune(name: str, grid: Sequence[float] | np.ndarray, validation: np.ndarray,
         higher_is_better: bool = True) -> Pick:
    """Pick ``grid[i]`` with the best seed-mean ``validation[i]``.

    ``validation`` has the grid points along its first axis and seeds along the others
    (``(points,)`` or ``(points, seeds)``). Non-finite values (a diverged run) count as the
    worst possible, so a diverging grid point is never picked.
    """
    grid = tuple(float(g) for g in np.asarray(grid, dtype=float).ravel())
    values = np.asarray(validation, dtype=float)
    if not grid or values.shape[0] != len(grid):
        raise ConfigError(f"tune({name!r}): validation needs one row per grid point "
                          f"({len(grid)}), got shape {values.shape}")
    worst = -np.inf if higher_is_better else np.inf
    values = np.where(np.isfinite(values), values, worst)
    means = values.reshape(len(grid), -1).mean(axis=1)
    index = int(np.argmax(means) if higher_is_better else np.argmin(means))
    return Pick(name, grid, index, tuple(float(m) for m in means))
