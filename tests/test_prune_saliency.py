"""dlrepro.prune.saliency: SNIP and SynFlow scores against hand computations, mask counts."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError
from dlrepro.models import MLP, BatchedMLP, CNN1d
from dlrepro.prune import (
    prunable_layers,
    snip_masks,
    snip_scores,
    synflow_masks,
    synflow_scores,
)

pytestmark = pytest.mark.usefixtures("single_thread")


def reference_top(scores: list[torch.Tensor], n_keep: int) -> list[torch.Tensor]:
    """0/1 masks of the ``n_keep`` largest scores of all layers together, via a sort."""
    flat = torch.cat([s.flatten() for s in scores])
    keep = torch.zeros_like(flat)
    keep[torch.argsort(flat, descending=True)[:n_keep]] = 1.0
    return [k.view_as(s) for k, s in zip(keep.split([s.numel() for s in scores]), scores)]


def count(masks) -> int:
    return int(sum(m.sum() for m in masks))


def size(model) -> int:
    return sum(layer.weight.numel() for layer in prunable_layers(model))


# --------------------------------------------------------------------------- SNIP


def test_snip_scores_equal_hand_computed_gradient():
    torch.manual_seed(0)
    model = MLP(5, [4], 3, activation_name="linear", bias=False)
    w1, w2 = (lin.weight.detach() for lin in model.linears)
    x, y = torch.randn(8, 5), torch.randn(8, 3)
    scores = snip_scores(model, x, y, F.mse_loss)
    # L = mean((x W1^T W2^T - y)^2) over 8 * 3 entries.
    h = x @ w1.T
    d_out = 2 * (h @ w2.T - y) / (8 * 3)
    g2, g1 = d_out.T @ h, (d_out @ w2).T @ x
    torch.testing.assert_close(scores[0], (g1 * w1).abs())
    torch.testing.assert_close(scores[1], (g2 * w2).abs())
    assert all(lin.weight.grad is None for lin in model.linears)  # .grad left untouched


@pytest.mark.parametrize("density", [0.05, 0.3, 1.0])
def test_snip_masks_keep_global_top_k(density):
    torch.manual_seed(1)
    model = MLP(10, [20, 20], 4)
    x, y = torch.randn(32, 10), torch.randint(0, 4, (32,))
    masks = snip_masks(model, x, y, F.cross_entropy, density)
    n_keep = round(density * size(model))
    assert count(masks) == n_keep
    expected = reference_top(snip_scores(model, x, y, F.cross_entropy), n_keep)
    for m, e, lin in zip(masks, expected, model.linears):
        torch.testing.assert_close(m, e)
        assert m.shape == lin.weight.shape and m.dtype == lin.weight.dtype


# --------------------------------------------------------------------------- SynFlow


def test_synflow_scores_closed_form_two_layers():
    torch.manual_seed(2)
    model = MLP(6, [5], 3)  # relu is the identity on the all-positive linearized network
    (w1, w2), (b1, _) = ([lin.weight.detach().double().abs() for lin in model.linears],
                         [lin.bias.detach().double().abs() for lin in model.linears])
    before = [p.detach().clone() for p in model.parameters()]
    s1, s2 = synflow_scores(model, (6,))
    # R = 1^T |W2| (|W1| 1 + |b1|) + 1^T |b2|
    torch.testing.assert_close(s1, w1 * w2.sum(0)[:, None])
    torch.testing.assert_close(s2, w2 * (w1.sum(1) + b1)[None, :])
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before))  # unchanged
    # With masks the flow runs through the surviving weights only.
    m1 = (torch.rand(5, 6) > 0.5).float()
    s1, s2 = synflow_scores(model, (6,), [m1, torch.ones(3, 5)])
    torch.testing.assert_close(s2, w2 * ((w1 * m1).sum(1) + b1)[None, :])
    torch.testing.assert_close(s1, w1 * m1 * w2.sum(0)[:, None])


def test_synflow_conserves_flow_layer_by_layer_without_biases():
    # Tanaka et al., Theorem 2: in a bias-free network every layer's scores sum to R.
    torch.manual_seed(3)
    model = MLP(7, [9, 6], 4, bias=False)
    scores = synflow_scores(model, (7,))
    w = [lin.weight.detach().double().abs() for lin in model.linears]
    flow = (w[2] @ w[1] @ w[0] @ torch.ones(7, dtype=torch.float64)).sum()
    torch.testing.assert_close(torch.stack([s.sum() for s in scores]), flow.repeat(3))


def test_synflow_single_iteration_is_global_top_k_of_the_scores():
    torch.manual_seed(4)
    model = MLP(8, [12], 5)
    masks = synflow_masks(model, 0.2, (8,), iterations=1)
    expected = reference_top(synflow_scores(model, (8,)), round(0.2 * size(model)))
    for m, e in zip(masks, expected):
        torch.testing.assert_close(m, e.float())


def hand_synflow(model: MLP, density: float, iterations: int) -> list[torch.Tensor]:
    """SynFlow on an MLP written out: |W|, |b|, an input of ones, R = sum of the outputs, scores
    |w dR/dw| of the masked network; after round k the density is density ** (k / iterations)."""
    weights = [lin.weight.detach().double().abs() for lin in model.linears]
    biases = [lin.bias.detach().double().abs() for lin in model.linears]
    total = sum(w.numel() for w in weights)
    masks = [torch.ones_like(w) for w in weights]
    for k in range(1, iterations + 1):
        masked = [(w * m).requires_grad_() for w, m in zip(weights, masks)]
        h = torch.ones(weights[0].shape[1], dtype=torch.float64)
        for w, b in zip(masked, biases):
            h = w @ h + b  # every value is >= 0, so the ReLUs pass it unchanged
        grads = torch.autograd.grad(h.sum(), masked)
        scores = torch.cat([(g * w).abs().flatten() for g, w in zip(grads, masked)])
        alive = torch.cat([m.flatten() for m in masks]).bool()
        candidates = alive.nonzero().flatten()
        ranked = candidates[torch.argsort(scores[candidates], descending=True)]
        n_keep = round(density ** (k / iterations) * total)
        # The cut must not fall inside a tie, or the top n_keep would not be unique.
        assert scores[ranked[n_keep - 1]] > scores[ranked[n_keep]]
        keep = torch.zeros(total, dtype=torch.float64)
        keep[ranked[:n_keep]] = 1.0
        parts = keep.split([w.numel() for w in weights])
        masks = [part.view_as(w) for part, w in zip(parts, weights)]
    return masks


def test_synflow_iterations_equal_hand_written_loop():
    torch.manual_seed(6)
    model = MLP(6, [10, 8], 3)
    masks = synflow_masks(model, 0.15, (6,), iterations=4)
    expected = hand_synflow(model, 0.15, 4)
    for m, e in zip(masks, expected):
        torch.testing.assert_close(m, e.float(), rtol=0, atol=0)
    # Rescoring between rounds matters here: one-shot pruning keeps a different set.
    one_shot = hand_synflow(model, 0.15, 1)
    assert any(not torch.equal(e, o) for e, o in zip(expected, one_shot))


@pytest.mark.parametrize("density", [0.1, 0.01])
def test_synflow_iterative_reaches_density_exactly(density):
    torch.manual_seed(5)
    model = MLP(16, [32, 32], 4)
    masks = synflow_masks(model, density, (16,), iterations=10)
    assert count(masks) == round(density * size(model))
    for m, lin in zip(masks, model.linears):
        assert m.shape == lin.weight.shape and m.dtype == lin.weight.dtype
        assert set(m.unique().tolist()) <= {0.0, 1.0}
    cnn = CNN1d(24, 3, channels=(4, 6))
    masks = synflow_masks(cnn, density, (24,), iterations=5)
    assert count(masks) == round(density * size(cnn))


def test_synflow_avoids_layer_collapse_where_snip_empties_a_layer():
    # A narrow input, two wide hidden layers: at 0.1% density SNIP removes every weight of the
    # middle layer (the network is disconnected); iterative SynFlow keeps all layers connected.
    torch.manual_seed(0)
    model = MLP(20, [200, 200], 4, bias=False)
    x, y = torch.randn(64, 20), torch.randint(0, 4, (64,))
    snip = snip_masks(model, x, y, F.cross_entropy, 0.001)
    flow = synflow_masks(model, 0.001, (20,), iterations=100)
    assert min(int(m.sum()) for m in snip) == 0
    assert min(int(m.sum()) for m in flow) > 0


def test_bad_inputs_raise_config_error():
    model = MLP(4, [3], 2)
    x, y = torch.randn(5, 4), torch.randint(0, 2, (5,))
    for density in (0.0, -0.5, 1.5, 0.01):  # 0.01 keeps none of the 18 weights
        with pytest.raises(ConfigError):
            snip_masks(model, x, y, F.cross_entropy, density)
        with pytest.raises(ConfigError):
            synflow_masks(model, density, (4,))
    with pytest.raises(ConfigError):
        synflow_masks(model, 0.5, (4,), iterations=0)
    with pytest.raises(ConfigError):
        synflow_scores(model, (4,), masks=[torch.ones(3, 4)])
    with pytest.raises(ConfigError):
        synflow_scores(model, (4,), masks=[torch.ones(3, 4), torch.ones(3, 2)])
    batched = BatchedMLP.from_models([MLP(4, [3], 2)])
    with pytest.raises(ConfigError):
        synflow_masks(batched, 0.5, (4,))
