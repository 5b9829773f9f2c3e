"""The book's figure style and the plots every chapter uses."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np

__all__ = ["use_style", "ARM_COLORS", "mean_band", "seed_band", "density_axis"]

# One colour per role, so an arm has the same colour in every chapter.
ARM_COLORS = {
    "method": "#1b6ca8",
    "control": "#d1495b",
    "baseline": "#5c5c5c",
    "alternative": "#edae49",
    "extra": "#66a182",
    "ablation": "#8e6c8a",
}


def use_style() -> None:
    """Apply the book's style: light grid, no top/right spines, readable sizes."""
    mpl.rcParams.update({
        "figure.figsize": (6.4, 3.8),
        "figure.dpi": 110,
        "savefig.dpi": 150,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "lines.linewidth": 1.8,
    })


def mean_band(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean over seeds (axis 0) and the half-width of a 95% t-interval of that mean."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    mean = values.mean(axis=0)
    if n < 2:
        return mean, np.zeros_like(mean)
    from scipy.stats import t

    half = t.ppf(0.975, n - 1) * values.std(axis=0, ddof=1) / np.sqrt(n)
    return mean, half


def seed_band(ax: plt.Axes, x: Sequence[float], values: np.ndarray, label: str,
              color: str | None = None, marker: str | None = "o", **kwargs) -> None:
    """Plot the seed mean of ``values`` (seeds x points) against ``x`` with a 95% band."""
    mean, half = mean_band(values)
    line, = ax.plot(x, mean, label=label, color=color, marker=marker, markersize=4, **kwargs)
    ax.fill_between(x, mean - half, mean + half, color=line.get_color(), alpha=0.2, linewidth=0)


def density_axis(ax: plt.Axes, percents: Sequence[float]) -> list[float]:
    """Log-scaled "% of weights remaining" x-axis, dense on the left, plain-number ticks.

    Ticks are the values of 100, 50, 20, 10, 5, 2, 1, ... that fall inside ``percents``;
    returns them.
    """
    low, high = min(percents), max(percents)
    candidates = [m * 10.0**e for e in range(2, -3, -1) for m in (5, 2, 1)] + [100.0]
    ticks = sorted({t for t in candidates if low * 0.999 <= t <= high * 1.001}, reverse=True)
    ax.set_xscale("log")
    ax.set_xlim(high * 1.15, low / 1.15)
    ax.set_xticks(ticks)
    ax.set_xticks([], minor=True)
    ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.set_xlabel("weights remaining (%)")
    return ticks
