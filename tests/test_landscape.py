"""dlrepro.landscape: straight lines in parameter space, against closed forms and dense loops."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError
from dlrepro.landscape import (
    cross_entropy_of,
    interpolate,
    loss_barrier,
    max_rise,
    path_losses,
    snapshot,
)
from dlrepro.models import MLP, BatchedMLP


def _pair(seed: int = 0):
    torch.manual_seed(seed)
    a, b = MLP(5, [7], 3), MLP(5, [7], 3)
    return a, b


def test_interpolation_returns_the_endpoints_exactly_and_the_midpoint_as_the_mean():
    a, b = _pair()
    sa, sb = snapshot(a), snapshot(b)
    for name in sa:
        assert torch.equal(interpolate(sa, sb, 0.0)[name], sa[name])
        assert torch.equal(interpolate(sa, sb, 1.0)[name], sb[name])
        mid = interpolate(sa, sb, 0.5)[name].double()
        assert torch.allclose(mid, (sa[name].double() + sb[name].double()) / 2, atol=1e-7)
        beyond = interpolate(sa, sb, 1.5)[name].double()
        assert torch.allclose(beyond, -0.5 * sa[name].double() + 1.5 * sb[name].double(),
                              atol=1e-6)


def test_path_losses_at_the_ends_are_the_networks_own_losses():
    a, b = _pair(1)
    x, y = torch.randn(20, 5), torch.randint(3, (20,))
    losses = path_losses(cross_entropy_of(a, x, y), snapshot(a), snapshot(b), [0.0, 0.3, 1.0])
    with torch.no_grad():
        assert losses[0] == pytest.approx(F.cross_entropy(a(x), y).item(), abs=1e-6)
        assert losses[2] == pytest.approx(F.cross_entropy(b(x), y).item(), abs=1e-6)
        dense = MLP(5, [7], 3)  # the 0.3 point built by hand, weight by weight
        for (_, p), pa, pb in zip(dense.named_parameters(), a.parameters(), b.parameters()):
            p.copy_(0.7 * pa + 0.3 * pb)
        assert losses[1] == pytest.approx(F.cross_entropy(dense(x), y).item(), abs=1e-6)


def test_the_barrier_is_zero_for_identical_endpoints():
    a, _ = _pair(2)
    x, y = torch.randn(30, 5), torch.randint(3, (30,))
    alphas = np.linspace(0, 1, 11)
    losses = path_losses(cross_entropy_of(a, x, y), snapshot(a), snapshot(a), alphas)
    assert np.ptp(losses) == 0.0
    assert loss_barrier(losses, alphas) == 0.0 and max_rise(losses) == 0.0


def test_the_barrier_of_a_tilted_double_well_is_its_closed_form():
    """L(w) = (w^2 - 1)^2 + c w between w = -1 and w = 1: the chord is c w, so the excess is
    (w^2 - 1)^2, largest (1) at w = 0, i.e. alpha = 1/2, whatever the tilt c."""
    c = 0.3

    def well(params):
        w = params["w"]
        return ((w ** 2 - 1) ** 2 + c * w).sum()

    start, end = {"w": torch.tensor([-1.0], dtype=torch.float64)}, {
        "w": torch.tensor([1.0], dtype=torch.float64)}
    alphas = np.linspace(0, 1, 101)
    losses = path_losses(well, start, end, alphas)
    assert loss_barrier(losses, alphas) == pytest.approx(1.0, abs=1e-12)
    # The largest rise: from the path's lowest point before the hump to its top, by brute force
    # over the same grid, and positive.
    brute = max(max(losses[j] - losses[i] for j in range(i + 1, len(losses)))
                for i in range(len(losses) - 1))
    assert max_rise(losses) == pytest.approx(brute, abs=1e-12) and brute > 0.5


def test_max_rise_reads_bumps_and_ignores_falls():
    assert max_rise([3.0, 2.0, 1.0, 1.0, 0.5]) == 0.0
    assert max_rise([3.0, 1.0, 1.4, 0.2, 0.6]) == pytest.approx(0.4)
    assert max_rise([3.0, 1.0, 1.4, 0.9, 1.7, 0.0]) == pytest.approx(0.8)  # 0.9 -> 1.7
    two = max_rise(np.array([[1.0, 1.0], [0.5, 2.0], [0.7, 0.0]]))
    np.testing.assert_allclose(two, [0.2, 1.0])
    # A convex path lies under its chord: no barrier, though it need not be monotone.
    alphas = np.linspace(0, 1, 5)
    convex = (alphas - 0.8) ** 2
    assert loss_barrier(convex, alphas) == 0.0 and max_rise(convex) > 0


def test_the_stacked_path_equals_the_paths_one_by_one():
    torch.manual_seed(3)
    starts, ends = [MLP(6, [8, 8], 4) for _ in range(3)], [MLP(6, [8, 8], 4) for _ in range(3)]
    stacked_start, stacked_end = BatchedMLP.from_models(starts), BatchedMLP.from_models(ends)
    x, y = torch.randn(25, 6), torch.randint(4, (25,))
    alphas = np.linspace(-0.5, 1.5, 9)
    together = path_losses(cross_entropy_of(stacked_start, x, y), snapshot(stacked_start),
                           snapshot(stacked_end), alphas)
    assert together.shape == (9, 3)
    for s in range(3):
        alone = path_losses(cross_entropy_of(starts[s], x, y), snapshot(starts[s]),
                            snapshot(ends[s]), alphas)
        np.testing.assert_allclose(together[:, s], alone, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(max_rise(together[2:7]), [max_rise(together[2:7, s])
                                                         for s in range(3)])


def test_bad_inputs_are_refused():
    a, b = _pair()
    with pytest.raises(ConfigError):
        interpolate(snapshot(a), {"x": torch.zeros(1)}, 0.5)
    with pytest.raises(ConfigError):
        max_rise([1.0])
    with pytest.raises(ConfigError):
        loss_barrier([1.0, 2.0, 3.0], [0.1, 0.5, 1.0])
