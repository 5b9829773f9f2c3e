"""dlrepro.plot.density_axis: the pruning chapters' x-axis."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from dlrepro.plot import density_axis  # noqa: E402


def test_density_axis_ticks_inside_the_range_dense_on_the_left():
    fig, ax = plt.subplots()
    ticks = density_axis(ax, [100.0, 80.2, 41.5, 17.4])
    assert ticks == [100.0, 50.0, 20.0]
    assert ax.get_xscale() == "log"
    left, right = ax.get_xlim()
    assert left > 100.0 and right < 17.4  # inverted: dense first
    assert [t.get_text() for t in ax.get_xticklabels()] == ["100", "50", "20"]
    plt.close(fig)


def test_density_axis_reaches_below_one_percent():
    fig, ax = plt.subplots()
    assert density_axis(ax, [100.0, 2.8, 0.6]) == [100.0, 50.0, 20.0, 10.0, 5.0, 2.0, 1.0]
    plt.close(fig)
