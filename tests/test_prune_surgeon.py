"""dlrepro.prune.surgeon: M-FAC inverse against dense solves, OBS updates against closed forms."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from dlrepro.curvature import empirical_fisher, per_sample_gradients
from dlrepro.errors import ConfigError
from dlrepro.models import MLP
from dlrepro.prune import magnitude_masks
from dlrepro.prune.surgeon import (
    DenseInverse,
    MFACInverse,
    inverse_fisher,
    obs_prune,
    obs_prune_vector,
    obs_saliency,
    obs_update,
    weight_gradients,
)

pytestmark = pytest.mark.usefixtures("single_thread")


def fisher(g: torch.Tensor, damping: float) -> torch.Tensor:
    m, d = g.shape
    return damping * torch.eye(d, dtype=g.dtype) + g.T @ g / m


def random_spd(d: int, seed: int, spread: float = 3.0) -> torch.Tensor:
    """An anisotropic SPD matrix: random rotation, eigenvalues from 10^-spread to 1."""
    gen = torch.Generator().manual_seed(seed)
    q, _ = torch.linalg.qr(torch.randn(d, d, generator=gen, dtype=torch.float64))
    eig = torch.logspace(-spread, 0, d, dtype=torch.float64)
    return q @ torch.diag(eig) @ q.T


# --------------------------------------------------------------------------- inverses


@pytest.mark.parametrize("m,d", [(7, 30), (40, 12), (1, 5)])
def test_mfac_mul_equals_dense_solve(m, d):
    gen = torch.Generator().manual_seed(m * d)
    g = torch.randn(m, d, generator=gen, dtype=torch.float64) * torch.linspace(0.1, 3, d,
                                                                              dtype=torch.float64)
    damping = 1e-2
    inv = MFACInverse(g, damping)
    v = torch.randn(d, generator=gen, dtype=torch.float64)
    expected = torch.linalg.solve(fisher(g, damping), v)
    torch.testing.assert_close(inv.mul(v), expected, rtol=1e-10, atol=1e-10)
    vs = torch.randn(d, 3, generator=gen, dtype=torch.float64)  # several vectors at once
    torch.testing.assert_close(inv.mul(vs), torch.linalg.solve(fisher(g, damping), vs),
                               rtol=1e-10, atol=1e-10)


def test_mfac_and_dense_diagonal_and_block_solve_equal_dense_inverse():
    gen = torch.Generator().manual_seed(3)
    g = torch.randn(16, 25, generator=gen, dtype=torch.float64)
    dense_inverse = torch.linalg.inv(fisher(g, 0.05))
    index = torch.tensor([0, 4, 7, 24])
    rhs = torch.randn(4, generator=gen, dtype=torch.float64)
    expected = torch.linalg.solve(dense_inverse[index][:, index], rhs)
    for inv in (MFACInverse(g, 0.05), DenseInverse.from_gradients(g, 0.05),
                inverse_fisher(g, 0.05, "dense"), inverse_fisher(g, 0.05, "mfac")):
        torch.testing.assert_close(inv.diagonal(), dense_inverse.diagonal(), rtol=1e-10,
                                   atol=1e-10)
        torch.testing.assert_close(inv.solve_block(index, rhs), expected, rtol=1e-9, atol=1e-9)


def test_mfac_float32_close_to_float64():
    gen = torch.Generator().manual_seed(4)
    g = torch.randn(32, 200, generator=gen, dtype=torch.float64)
    v = torch.randn(200, generator=gen, dtype=torch.float64)
    exact = MFACInverse(g, 0.1).mul(v)
    single = MFACInverse(g.float(), 0.1).mul(v.float())
    torch.testing.assert_close(single.double(), exact, rtol=1e-4, atol=1e-4)


def test_weight_gradients_match_empirical_fisher():
    torch.manual_seed(0)
    model = MLP(4, [5], 3, bias=False)
    x, y = torch.randn(9, 4), torch.randint(0, 3, (9,))
    g = weight_gradients(model, F.cross_entropy, x, y)
    assert g.shape == (9, 4 * 5 + 5 * 3)
    torch.testing.assert_close(g.T @ g / 9, empirical_fisher(model, F.cross_entropy, x, y))
    biased = MLP(4, [5], 3)  # with biases: only the weight columns, in layer order
    full = per_sample_gradients(biased, F.cross_entropy, x, y)
    expected = torch.cat([full[0].flatten(1), full[2].flatten(1)], dim=1)
    torch.testing.assert_close(weight_gradients(biased, F.cross_entropy, x, y), expected)


# --------------------------------------------------------------------------- OBS steps


def test_single_weight_obs_update_closed_form_on_quadratic():
    d, q = 8, 3
    h = random_spd(d, seed=5)
    h_inv = torch.linalg.inv(h)
    w0 = torch.randn(d, generator=torch.Generator().manual_seed(6), dtype=torch.float64)
    delta = obs_update(DenseInverse(h), w0, torch.tensor([q]))
    torch.testing.assert_close(delta, -w0[q] / h_inv[q, q] * h_inv[:, q])
    assert abs(float(w0[q] + delta[q])) < 1e-12  # the weight is removed
    # Loss 0.5 (w - w0)^T H (w - w0) rises by exactly the saliency, and no other step removing
    # w_q does better: compare with the brute-force constrained minimum.
    rise = 0.5 * delta @ h @ delta
    saliency = obs_saliency(w0, h_inv.diagonal())[q]
    torch.testing.assert_close(rise, saliency)
    others = [i for i in range(d) if i != q]
    h_rr = h[others][:, others]
    best = torch.zeros(d, dtype=torch.float64)
    best[q] = -w0[q]
    best[others] = torch.linalg.solve(h_rr, -h[others, q] * best[q])
    torch.testing.assert_close(delta, best)


def test_set_update_is_constrained_minimum():
    d = 10
    h = random_spd(d, seed=7)
    w0 = torch.randn(d, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    index = torch.tensor([1, 2, 6])
    delta = obs_update(DenseInverse(h), w0, index)
    torch.testing.assert_close(delta[index], -w0[index])
    rest = torch.tensor([i for i in range(d) if i not in index.tolist()])
    # Optimality: the gradient of 0.5 delta^T H delta vanishes on the free coordinates.
    torch.testing.assert_close((h @ delta)[rest], torch.zeros(len(rest), dtype=torch.float64),
                               atol=1e-10, rtol=0)
    h_inv_qq = torch.linalg.inv(h)[index][:, index]
    torch.testing.assert_close(0.5 * delta @ h @ delta,
                               0.5 * w0[index] @ torch.linalg.solve(h_inv_qq, w0[index]))


@pytest.mark.parametrize("steps", [1, 4])
def test_obs_beats_magnitude_on_anisotropic_quadratic(steps):
    d, sparsity = 60, 0.5
    h = random_spd(d, seed=9, spread=4.0)
    w0 = torch.randn(d, generator=torch.Generator().manual_seed(10), dtype=torch.float64)
    pruned, mask = obs_prune_vector(w0, lambda i: DenseInverse(h[i][:, i]), sparsity, steps)
    assert int((mask == 0).sum()) == 30 and bool((pruned[mask == 0] == 0).all())
    obs_rise = 0.5 * (pruned - w0) @ h @ (pruned - w0)
    magnitude = w0 * magnitude_masks([w0], sparsity)[0]
    magnitude_rise = 0.5 * (magnitude - w0) @ h @ (magnitude - w0)
    assert obs_rise < 0.5 * magnitude_rise
    # Guaranteed part: on the magnitude set itself, the OBS compensation can only help.
    index = (magnitude == 0).nonzero().squeeze(1)
    compensated = w0 + obs_update(DenseInverse(h), w0, index)
    assert 0.5 * (compensated - w0) @ h @ (compensated - w0) <= magnitude_rise


@pytest.mark.parametrize("scope", ["layer", "global"])
@pytest.mark.parametrize("method", ["dense", "mfac"])
def test_obs_prune_model_exact_sparsity_and_lower_loss(scope, method):
    torch.manual_seed(0)
    model = MLP(6, [12], 4).double()
    x = torch.randn(64, 6, dtype=torch.float64)
    y = model(x).argmax(1)  # a task the model already solves: near a minimum
    before = [lin.weight.detach().clone() for lin in model.linears]
    masks = obs_prune(model, F.cross_entropy, x, y, sparsity=0.6, steps=3, scope=scope,
                      method=method, damping=1e-3)
    sizes = [72, 48]
    if scope == "layer":
        assert [int((m == 0).sum()) for m in masks] == [round(0.6 * n) for n in sizes]
    else:
        assert sum(int((m == 0).sum()) for m in masks) == round(0.6 * sum(sizes))
    for lin, mask in zip(model.linears, masks):
        assert bool((lin.weight[mask == 0] == 0).all())
    with torch.no_grad():
        obs_loss = float(F.cross_entropy(model(x), y))
        for lin, w, mask in zip(model.linears, before,
                                magnitude_masks(before, 0.6, scope=scope)):
            lin.weight.copy_(w * mask)
        assert obs_loss < float(F.cross_entropy(model(x), y))


def test_obs_prune_dense_and_mfac_agree():
    torch.manual_seed(1)
    base = MLP(5, [6], 3).double()
    x = torch.randn(20, 5, dtype=torch.float64)
    y = torch.randint(0, 3, (20,))
    weights = []
    for method in ("dense", "mfac"):
        model = copy.deepcopy(base)
        obs_prune(model, F.cross_entropy, x, y, sparsity=0.5, steps=2, scope="global",
                  method=method, damping=1e-2)
        weights.append([lin.weight.detach() for lin in model.linears])
    for dense, mfac in zip(*weights):
        torch.testing.assert_close(mfac, dense, rtol=1e-8, atol=1e-10)


def test_bad_input_raises():
    g = torch.randn(4, 6)
    with pytest.raises(ConfigError, match="damping"):
        MFACInverse(g, -1.0)
    with pytest.raises(ConfigError, match="damping"):
        DenseInverse.from_gradients(g, 0.0)
    with pytest.raises(ConfigError, match="square"):
        DenseInverse(torch.ones(3, 4))
    with pytest.raises(ConfigError, match="positive definite"):
        DenseInverse(-torch.eye(3))
    with pytest.raises(ConfigError, match="method"):
        inverse_fisher(g, 0.1, "kfac")
    with pytest.raises(ConfigError, match="sparsity"):
        obs_prune_vector(torch.ones(4), lambda i: DenseInverse(torch.eye(len(i))), 1.0)
    model = MLP(3, [4], 2)
    x, y = torch.randn(5, 3), torch.randint(0, 2, (5,))
    with pytest.raises(ConfigError, match="sparsity"):
        obs_prune(model, F.cross_entropy, x, y, sparsity=-0.1)
    with pytest.raises(ConfigError, match="scope"):
        obs_prune(model, F.cross_entropy, x, y, sparsity=0.5, scope="row")
    with pytest.raises(ConfigError, match="damping"):
        obs_prune(model, F.cross_entropy, x, y, sparsity=0.5, damping=-1.0)
    with pytest.raises(ConfigError, match="steps"):
        obs_prune(model, F.cross_entropy, x, y, sparsity=0.5, steps=0)
    with pytest.raises(ConfigError, match="rule"):
        obs_prune(model, F.cross_entropy, x, y, sparsity=0.5, rule="obd")


# --------------------------------------------------------------------------- OBS by hand


def hand_obs_round(w: torch.Tensor, fisher_inverse: torch.Tensor, count: int,
                   rule: str = "obs", fisher_matrix: torch.Tensor | None = None) -> torch.Tensor:
    """One OBS round written out: saliency w^2 / (2 [F^-1]_qq), remove the ``count`` lowest,
    move the rest by -F^-1[:, Q] (F^-1[Q, Q])^-1 w_Q. ``rule="obs_no_update"``: no move;
    ``"fisher_diagonal"``: saliency 0.5 F_qq w^2 from the dense ``fisher_matrix``, no move.
    Updates ``w`` in place and returns the removed positions."""
    if rule == "fisher_diagonal":
        saliency = 0.5 * fisher_matrix.diagonal() * w.square()
    else:
        saliency = w.square() / (2 * fisher_inverse.diagonal())
    removed = torch.argsort(saliency)[:count]
    if rule == "obs":
        block = fisher_inverse[removed][:, removed]
        w += -fisher_inverse[:, removed] @ torch.linalg.solve(block, w[removed])
    w[removed] = 0.0
    return removed


def hand_obs_prune(model: MLP, x: torch.Tensor, y: torch.Tensor, sparsity: float, steps: int,
                   damping: float, scope: str, rule: str = "obs") -> list[torch.Tensor]:
    """Reference for :func:`obs_prune` with dense inverses, one example's gradient at a time."""
    layers = model.linears
    sizes = [lin.weight.numel() for lin in layers]
    groups = [[i] for i in range(len(layers))] if scope == "layer" else [list(range(len(layers)))]
    alive = [torch.ones(n, dtype=torch.bool) for n in sizes]
    for k in range(1, steps + 1):
        # Per-example gradients at the weights as they are now, after the earlier rounds.
        rows = []
        for i in range(len(y)):
            loss = F.cross_entropy(model(x[i:i + 1]), y[i:i + 1])
            grads = torch.autograd.grad(loss, [lin.weight for lin in layers])
            rows.append([g.flatten() for g in grads])
        for group in groups:
            g = torch.stack([torch.cat([row[i] for i in group]) for row in rows])
            live = torch.cat([alive[i] for i in group])
            w = torch.cat([layers[i].weight.detach().flatten() for i in group])
            count = round(sparsity * k / steps * live.numel()) - int((~live).sum())
            if count <= 0:
                continue
            index = live.nonzero().squeeze(1)
            g = g[:, index]
            fisher_live = damping * torch.eye(len(index), dtype=g.dtype) + g.T @ g / len(y)
            w_live = w[index]
            removed = hand_obs_round(w_live, torch.linalg.inv(fisher_live), count, rule,
                                     fisher_live)
            w[index] = w_live
            live[index[removed]] = False
            parts = [sizes[i] for i in group]
            for i, wi, ai in zip(group, w.split(parts), live.split(parts)):
                with torch.no_grad():
                    layers[i].weight.copy_(wi.view_as(layers[i].weight))
                alive[i] = ai
    return [a.view_as(lin.weight).double() for a, lin in zip(alive, layers)]


@pytest.mark.parametrize("rule", ["obs", "obs_no_update", "fisher_diagonal"])
@pytest.mark.parametrize("scope", ["layer", "global"])
@pytest.mark.parametrize("method", ["dense", "mfac"])
def test_obs_prune_equals_hand_written_rounds(scope, method, rule):
    torch.manual_seed(2)
    model = MLP(5, [7], 3).double()
    reference = copy.deepcopy(model)
    x = torch.randn(16, 5, dtype=torch.float64)
    y = torch.randint(0, 3, (16,))
    before = [lin.weight.detach().clone() for lin in model.linears]
    masks = obs_prune(model, F.cross_entropy, x, y, sparsity=0.7, steps=3, scope=scope,
                      method=method, damping=1e-2, rule=rule)
    expected = hand_obs_prune(reference, x, y, 0.7, 3, 1e-2, scope, rule)
    if rule != "obs":  # the ablations only zero weights: every survivor keeps its value
        for lin, w, mask in zip(model.linears, before, masks):
            assert torch.equal(lin.weight, w * mask)
    for mask, want, lin, ref in zip(masks, expected, model.linears, reference.linears):
        torch.testing.assert_close(mask, want, rtol=0, atol=0)
        torch.testing.assert_close(lin.weight, ref.weight, rtol=1e-9, atol=1e-12)


def test_obs_prune_vector_equals_hand_written_rounds():
    # A fixed empirical Fisher (m = 10 gradients of d = 24 weights), restricted to the survivors.
    gen = torch.Generator().manual_seed(11)
    g = torch.randn(10, 24, generator=gen, dtype=torch.float64)
    w0 = torch.randn(24, generator=gen, dtype=torch.float64)
    damping, sparsity, steps = 1e-2, 0.6, 3
    pruned, mask = obs_prune_vector(w0, lambda i: MFACInverse(g[:, i], damping), sparsity, steps)
    w, alive = w0.clone(), torch.ones(24, dtype=torch.bool)
    for k in range(1, steps + 1):
        count = round(sparsity * k / steps * 24) - int((~alive).sum())
        index = alive.nonzero().squeeze(1)
        w_live = w[index]
        removed = hand_obs_round(w_live, torch.linalg.inv(fisher(g[:, index], damping)), count)
        w[index] = w_live
        alive[index[removed]] = False
    assert int((mask == 0).sum()) == round(sparsity * 24)
    torch.testing.assert_close(mask, alive.double(), rtol=0, atol=0)
    torch.testing.assert_close(pruned, w, rtol=1e-9, atol=1e-12)
