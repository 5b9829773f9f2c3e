"""dlrepro.prune: masks against sort-based references, IMP, and torch.nn.utils.prune."""

from __future__ import annotations

import itertools

import pytest
import torch
import torch.nn.functional as F
from scipy import stats
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.models import MLP, CNN1d
from dlrepro.prune import (
    apply_masks,
    density,
    imp_step,
    magnitude_masks,
    prunable_layers,
    random_masks,
)

pytestmark = pytest.mark.usefixtures("single_thread")

SHAPES = [(20, 10), (15, 20), (4, 15)]


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def weights(seed: int = 0, shapes=SHAPES, models: int | None = None) -> list[torch.Tensor]:
    g = gen(seed)
    lead = () if models is None else (models,)
    return [torch.randn(*lead, *shape, generator=g) for shape in shapes]


def reference_keep(scores: torch.Tensor, alive: torch.Tensor, fraction: float) -> torch.Tensor:
    """0/1 mask of the ``n_alive - round(fraction * n_alive)`` largest live scores, via a sort."""
    flat, live = scores.flatten(), alive.flatten().bool()
    n_alive = int(live.sum())
    n_keep = n_alive - round(fraction * n_alive)
    candidates = torch.nonzero(live).flatten()
    order = torch.argsort(flat[candidates], descending=True)
    keep = torch.zeros_like(flat)
    keep[candidates[order[:n_keep]]] = 1.0
    return keep.reshape(scores.shape)


# --------------------------------------------------------------------------- magnitude


@pytest.mark.parametrize("fraction", [0.0, 0.2, 0.5, 0.9])
def test_layer_scope_keeps_the_largest_per_layer(fraction):
    ws = weights()
    masks = magnitude_masks(ws, fraction, scope="layer")
    for w, m in zip(ws, masks, strict=True):
        assert m.shape == w.shape and m.dtype == w.dtype
        assert int(m.sum()) == w.numel() - round(fraction * w.numel())
        torch.testing.assert_close(m, reference_keep(w.abs(), torch.ones_like(w), fraction))
        if 0 < fraction:
            assert w.abs()[m == 1].min() > w.abs()[m == 0].max()


@pytest.mark.parametrize("fraction", [0.3, 0.75])
def test_global_scope_equals_reference_on_concatenated_weights(fraction):
    ws = weights(1)
    ws[2] = ws[2] * 3  # a layer of larger weights loses fewer of them under global ranking
    masks = magnitude_masks(ws, fraction, scope="global")
    flat = torch.cat([w.abs().flatten() for w in ws])
    expected = reference_keep(flat, torch.ones_like(flat), fraction)
    torch.testing.assert_close(torch.cat([m.flatten() for m in masks]), expected)
    per_layer = [m.mean().item() for m in masks]
    assert per_layer[2] > per_layer[0]


def test_per_layer_fractions():
    ws = weights(2)
    fractions = [0.5, 0.2, 0.1]
    masks = magnitude_masks(ws, fractions, scope="layer")
    for w, m, f in zip(ws, masks, fractions, strict=True):
        assert int(m.sum()) == w.numel() - round(f * w.numel())
        torch.testing.assert_close(m, reference_keep(w.abs(), torch.ones_like(w), f))


@pytest.mark.parametrize("fraction,kept", [(0.3, 73), (0.5, 53), (0.1, 95), (0.7, 31),
                                            (0.25, 79)])
def test_pruned_count_is_round_of_fraction_times_size(fraction, kept):
    # 105 weights: fraction * 105 is never whole here. The pruned count is Python's round of it
    # (half to even: 31.5 -> 32, 52.5 -> 52), not a floor, and not round((1 - fraction) * 105),
    # which would keep 74 instead of 73 at 0.3.
    w = torch.randn(15, 7, generator=gen(10))
    (mask,) = magnitude_masks([w], fraction)
    assert int(mask.sum()) == kept == 105 - round(fraction * 105)
    assert w.abs()[mask == 1].min() > w.abs()[mask == 0].max()
    # Global scope counts the same way over all layers: 105 + 24 = 129 weights.
    masks = magnitude_masks([w, torch.randn(4, 6, generator=gen(11))], fraction, scope="global")
    assert sum(int(m.sum()) for m in masks) == 129 - round(fraction * 129)


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_existing_masks_only_survivors_are_candidates(scope):
    first = magnitude_masks(weights(3), 0.5, scope=scope)
    later = weights(4)  # "trained further": new magnitudes, pruned positions included
    second = magnitude_masks(later, 0.2, scope=scope, masks=first)
    for m1, m2 in zip(first, second, strict=True):
        assert torch.all(m2 <= m1), "a pruned weight came back"
    if scope == "layer":
        for w, m1, m2 in zip(later, first, second, strict=True):
            alive = int(m1.sum())
            assert int(m2.sum()) == alive - round(0.2 * alive)
            torch.testing.assert_close(m2, reference_keep(w.abs(), m1, 0.2))
    else:
        flat = torch.cat([w.abs().flatten() for w in later])
        alive = torch.cat([m.flatten() for m in first])
        torch.testing.assert_close(torch.cat([m.flatten() for m in second]),
                                   reference_keep(flat, alive, 0.2))


@pytest.mark.parametrize("scope", ["layer", "global"])
def test_stacked_equals_per_model(scope):
    stacked = weights(5, models=3)
    old = magnitude_masks(stacked, 0.3, scope=scope, stacked=True)
    masks = magnitude_masks(stacked, 0.4, scope=scope, masks=old, stacked=True)
    for s in range(3):
        own_old = magnitude_masks([w[s] for w in stacked], 0.3, scope=scope)
        own = magnitude_masks([w[s] for w in stacked], 0.4, scope=scope, masks=own_old)
        for m, m_own in zip(masks, own, strict=True):
            torch.testing.assert_close(m[s], m_own)
    torch.testing.assert_close(density(masks, stacked=True),
                               torch.stack([density([m[s] for m in masks]) for s in range(3)]))


# --------------------------------------------------------------------------- random, density


@pytest.mark.parametrize("stacked", [False, True])
def test_random_masks_keep_per_layer_counts(stacked):
    ws = weights(6, models=2 if stacked else None)
    masks = magnitude_masks(ws, 0.6, stacked=stacked)
    shuffled = random_masks(masks, gen(7), stacked=stacked)
    for m, r in zip(masks, shuffled, strict=True):
        assert r.shape == m.shape
        assert set(r.unique().tolist()) <= {0.0, 1.0}
        if stacked:
            torch.testing.assert_close(r.sum(dim=(1, 2)), m.sum(dim=(1, 2)))
        else:
            assert r.sum().item() == m.sum().item()
        assert not torch.equal(r, m)
    again = random_masks(masks, gen(7), stacked=stacked)
    assert all(torch.equal(a, b) for a, b in zip(shuffled, again, strict=True))


def test_random_masks_are_uniform_over_kept_sets():
    # Keeping 2 of 6 positions: each of the 15 pairs should come up equally often. 3000 models
    # drawn at once (stacked, one after another from the generator): a chi-square test on the
    # pair counts, exact for i.i.d. draws, which also tests the positions' marginals.
    draws = 3000
    template = torch.zeros(draws, 2, 3)
    template[:, 0, :2] = 1.0
    masks = random_masks([template], gen(12), stacked=True)[0].flatten(1)
    assert torch.all(masks.sum(1) == 2)
    pairs = list(itertools.combinations(range(6), 2))
    kept = [tuple(row.nonzero().flatten().tolist()) for row in masks]
    counts = [kept.count(pair) for pair in pairs]
    assert sum(counts) == draws
    assert stats.chisquare(counts).pvalue > 1e-3


def test_density_closed_form():
    a = torch.zeros(10, 20)
    a.view(-1)[:30] = 1
    b = torch.zeros(5, 20)
    b.view(-1)[:10] = 1
    assert density([a, b]).item() == pytest.approx(40 / 300)
    stacked = [torch.stack([a, torch.ones_like(a)]), torch.stack([b, torch.zeros_like(b)])]
    torch.testing.assert_close(density(stacked, stacked=True),
                               torch.tensor([40 / 300, 200 / 300]))


# --------------------------------------------------------------------------- IMP


def test_imp_rounds_reach_density_and_rewind_to_init():
    p, rounds = 0.2, 4
    initial = weights(8)
    total = sum(w.numel() for w in initial)
    masks = None
    for k in range(1, rounds + 1):
        trained = [w + 0.5 * t for w, t in zip(initial, weights(100 + k), strict=True)]
        previous = masks
        masks, rewound = imp_step(trained, initial, masks, p)
        # Each round removes round(p * alive) per layer: within one weight per layer and round.
        assert abs(density(masks).item() - (1 - p) ** k) <= k * len(initial) / total
        for w0, m, r in zip(initial, masks, rewound, strict=True):
            torch.testing.assert_close(r, w0 * m, rtol=0, atol=0)
        for m, e in zip(masks, magnitude_masks(trained, p, masks=previous), strict=True):
            torch.testing.assert_close(m, e)
    counts = []
    for w in initial:
        alive = w.numel()
        for _ in range(rounds):
            alive -= round(p * alive)
        counts.append(alive)
    assert [int(m.sum()) for m in masks] == counts


# --------------------------------------------------------------------------- torch.nn.utils.prune


def test_prunable_layers_in_order():
    mlp = MLP(8, [6, 6], 3)
    assert prunable_layers(mlp) == mlp.linears
    cnn = CNN1d(20, 4, channels=(3, 5))
    layers = prunable_layers(cnn)
    assert [type(m) for m in layers] == [nn.Conv1d, nn.Conv1d, nn.Linear]
    assert layers[-1] is cnn.readout


def test_apply_masks_keeps_pruned_weights_zero_through_adam_with_weight_decay():
    torch.manual_seed(0)
    model = MLP(10, [12], 3)
    layers = prunable_layers(model)
    masks = magnitude_masks([lin.weight for lin in layers], 0.5)
    apply_masks(layers, masks)
    for lin, m in zip(layers, masks, strict=True):
        assert hasattr(lin, "weight_orig") and torch.equal(lin.weight_mask, m)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05, weight_decay=0.1)
    x, y = torch.randn(64, 10), torch.randint(0, 3, (64,))
    start = [lin.weight.detach().clone() for lin in layers]
    for _ in range(5):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for lin, m, w0 in zip(layers, masks, start, strict=True):
        assert torch.all(lin.weight[m == 0] == 0)
        assert (lin.weight - w0)[m == 1].abs().min() > 0
    # The forward pass is the dense computation with masked weights.
    (w1, w2), (b1, b2) = ([lin.weight_orig * m for lin, m in zip(layers, masks, strict=True)],
                          [lin.bias for lin in layers])
    torch.testing.assert_close(model(x), torch.relu(x @ w1.T + b1) @ w2.T + b2)


def test_apply_masks_twice_multiplies_masks():
    model = MLP(6, [5], 2)
    layers = prunable_layers(model)
    first = magnitude_masks([lin.weight for lin in layers], 0.5)
    apply_masks(layers, first)
    second = magnitude_masks([lin.weight for lin in layers], 0.5, masks=first)
    apply_masks(layers, second)
    for lin, m1, m2 in zip(layers, first, second, strict=True):
        torch.testing.assert_close(lin.weight_mask, m1 * m2)
        assert int((lin.weight != 0).sum()) == int(m2.sum())


# --------------------------------------------------------------------------- bad input


def test_bad_inputs_raise_config_error():
    ws = weights(9)
    for fraction in (1.0, 1.5, -0.1):
        with pytest.raises(ConfigError):
            magnitude_masks(ws, fraction)
    with pytest.raises(ConfigError):
        magnitude_masks(ws, 0.2, masks=[torch.ones_like(ws[0])])
    with pytest.raises(ConfigError):
        magnitude_masks(ws, 0.2, scope="neuron")
    with pytest.raises(ConfigError):
        magnitude_masks(ws, [0.2, 0.1], scope="layer")
    with pytest.raises(ConfigError):
        magnitude_masks(ws, [0.2, 0.1, 0.1], scope="global")
    with pytest.raises(ConfigError):
        imp_step(ws, ws, None, 1.0)
    model = MLP(10, [20], 15)
    layers = prunable_layers(model)
    with pytest.raises(ConfigError):
        apply_masks(layers, [torch.ones(20, 10)])
    with pytest.raises(ConfigError):
        apply_masks(layers, [torch.ones(20, 10), torch.ones(20, 15)])
