"""dlrepro.prune.supermask: masks against sort references, straight-through gradients, frozen
weights, and the dense computation."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from scipy import stats

from dlrepro.errors import ConfigError
from dlrepro.models import MLP, BatchedMLP
from dlrepro.prune import (
    ELU_GAIN,
    BinarySupermask,
    SignedSupermask,
    SupermaskMLP,
    scaled_signed_constant,
)
from dlrepro.train import TrainConfig, evaluate_batched, train_batched

pytestmark = pytest.mark.usefixtures("single_thread")

S = 3
WIDTHS = [5, 8, 6, 3]


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def stacked(seed: int, widths=WIDTHS, models: int = S):
    g = gen(seed)
    weights = [torch.randn(models, o, i, generator=g) for i, o in zip(widths[:-1], widths[1:])]
    biases = [torch.randn(models, o, generator=g) for o in widths[1:]]
    return weights, biases


def reference_mask(scores: torch.Tensor, density: float, kind: str) -> torch.Tensor:
    """Per model: the ``round(density * n)`` top scores (by magnitude for signed), via a sort."""
    out = torch.zeros_like(scores)
    for s in range(scores.shape[0]):
        flat = scores[s].flatten()
        key = flat if kind == "binary" else flat.abs()
        top = torch.argsort(key, descending=True)[: round(density * flat.numel())]
        values = torch.ones(len(top)) if kind == "binary" else torch.sign(flat[top])
        out[s].view(-1)[top] = values
    return out


@pytest.mark.parametrize("kind", ["binary", "signed"])
def test_forward_equals_dense_computation_with_explicit_masks(kind):
    weights, biases = stacked(0)
    densities = [0.5, 0.25, 0.8]
    model = SupermaskMLP(weights, biases, kind=kind, density=densities, generator=gen(1))
    masks = [reference_mask(s.detach(), d, kind) for s, d in zip(model.scores, densities)]
    for m, r in zip(model.masks(), masks):
        torch.testing.assert_close(m, r, rtol=0, atol=0)
    x = torch.randn(7, WIDTHS[0], generator=gen(2))
    per_model = torch.randn(S, 7, WIDTHS[0], generator=gen(3))
    for inputs in (x, per_model):
        out = model(inputs)
        assert out.shape == (S, 7, WIDTHS[-1])
        for s in range(S):
            h = inputs if inputs.dim() == 2 else inputs[s]
            for i, (w, b, m) in enumerate(zip(weights, biases, masks)):
                h = h @ (w[s] * m[s]).T + b[s]
                h = torch.relu(h) if i < len(weights) - 1 else h
            torch.testing.assert_close(out[s], h)


@pytest.mark.parametrize("kind", ["binary", "signed"])
@pytest.mark.parametrize("density", [0.1, 0.5, 1.0])
def test_exactly_k_weights_active_per_layer_and_model(kind, density):
    weights, _ = stacked(4)
    model = SupermaskMLP(weights, kind=kind, density=density, generator=gen(5))
    for m, w, scores in zip(model.masks(), weights, model.scores):
        k = round(density * w[0].numel())
        assert torch.all((m != 0).flatten(1).sum(1) == k)
        allowed = {0.0, 1.0} if kind == "binary" else {-1.0, 0.0, 1.0}
        assert set(m.unique().tolist()) <= allowed
        if kind == "signed":
            kept = m != 0
            torch.testing.assert_close(m[kept], torch.sign(scores.detach()[kept]))
            # the hidden weights have smaller |score| than every kept one, model by model
            for s in range(S):
                a, keep = scores[s].detach().abs(), kept[s]
                if not keep.all():
                    assert a[keep].min() >= a[~keep].max()


def test_initial_scores_are_kaiming_uniform_in_each_layer():
    # Scores ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = the layer's input width: scaled by
    # sqrt(fan_in) they must be U(-1, 1) (Kolmogorov-Smirnov) and never leave the bound.
    weights, _ = stacked(18, widths=[40, 90, 10], models=2)
    model = SupermaskMLP(weights, generator=gen(19))
    for scores, fan_in in zip(model.scores, (40, 90)):
        u = scores.detach().flatten().double() * fan_in**0.5
        assert u.abs().max().item() <= 1.0
        assert stats.kstest(u.numpy(), stats.uniform(loc=-1, scale=2).cdf).pvalue > 1e-3
    # Each model draws its own scores.
    assert not torch.equal(model.scores[0][0], model.scores[0][1])


def test_straight_through_gradient_hand_computed():
    # One model, 2 -> 2 -> 1, linear activation, no bias, loss = sum of outputs.
    w1 = torch.tensor([[[1.0, -2.0], [3.0, 0.5]]])
    w2 = torch.tensor([[[2.0, -1.0]]])
    x = torch.tensor([[1.0, 2.0]])
    for kind in ("binary", "signed"):
        model = SupermaskMLP([w1, w2], kind=kind, density=0.5, activation_name="linear")
        with torch.no_grad():
            model.scores[0].copy_(torch.tensor([[[0.9, -0.1], [0.2, -0.7]]]))
            model.scores[1].copy_(torch.tensor([[[0.3, -0.4]]]))
        if kind == "binary":  # top-2 of layer 1 by score: 0.9, 0.2; top-1 of layer 2: 0.3
            m1, m2 = torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[1.0, 0.0]])
        else:  # top-2 by |score|: 0.9, -0.7; top-1: -0.4, with their signs
            m1, m2 = torch.tensor([[1.0, 0.0], [0.0, -1.0]]), torch.tensor([[0.0, -1.0]])
        model(x).sum().backward()
        e1, e2 = w1[0] * m1, w2[0] * m2
        # out = e2 e1 x: dL/de2 = (e1 x)^T, dL/de1 = e2^T x^T; straight-through: dL/ds = dL/de * w
        g2 = (e1 @ x[0]).unsqueeze(0) * w2[0]
        g1 = (e2.T @ x) * w1[0]
        torch.testing.assert_close(model.scores[0].grad[0], g1)
        torch.testing.assert_close(model.scores[1].grad[0], g2)


def test_straight_through_gradient_matches_autograd_on_effective_weights():
    weights, biases = stacked(6)
    x, y = torch.randn(10, WIDTHS[0], generator=gen(7)), torch.randint(0, 3, (10,))
    model = SupermaskMLP(weights, biases, kind="signed", density=0.3, generator=gen(8))
    loss = F.cross_entropy(model(x).transpose(1, 2), y.expand(S, -1))
    loss.backward()
    dense = BatchedMLP([w * m for w, m in zip(weights, model.masks())], biases)
    F.cross_entropy(dense(x).transpose(1, 2), y.expand(S, -1)).backward()
    for scores, w, d in zip(model.scores, weights, dense.weights):
        torch.testing.assert_close(scores.grad, d.grad * w)


def test_functions_select_per_leading_slice():
    scores = torch.tensor([[3.0, -5.0, 1.0, 0.0], [-1.0, 2.0, -4.0, 0.5]])
    torch.testing.assert_close(BinarySupermask.apply(scores, 0.5),
                               torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]]))
    torch.testing.assert_close(SignedSupermask.apply(scores, 0.5),
                               torch.tensor([[1.0, -1.0, 0.0, 0.0], [0.0, 1.0, -1.0, 0.0]]))


def test_frozen_weights_never_change_and_training_lowers_the_loss():
    torch.manual_seed(9)
    mlps = [MLP(10, [64], 3) for _ in range(2)]
    batched = BatchedMLP.from_models(mlps)
    teacher = torch.randn(10, 3, generator=gen(10))
    x = torch.randn(256, 10, generator=gen(11))
    y = (x @ teacher).argmax(1)
    model = SupermaskMLP.from_batched(batched, kind="binary", density=0.5, generator=gen(12))
    for w, b, bw, bb in zip(model.weights, model.biases, batched.weights, batched.biases):
        torch.testing.assert_close(w, bw.detach(), rtol=0, atol=0)
        torch.testing.assert_close(b, bb.detach(), rtol=0, atol=0)
    params = list(model.parameters())
    assert len(params) == 2 and all(p is s for p, s in zip(params, model.scores))
    frozen = [t.clone() for t in [*model.weights, *model.biases]]
    scores0 = [s.detach().clone() for s in model.scores]
    masks0 = model.masks()
    loss0, _ = evaluate_batched(model, x, y)
    config = TrainConfig(steps=60, batch_size=64, lr=0.02, weight_decay=1e-3, eval_every=60)
    train_batched(model, x, y, config, [gen(13), gen(14)])
    loss1, _ = evaluate_batched(model, x, y)
    for before, after in zip(frozen, [*model.weights, *model.biases]):
        torch.testing.assert_close(after, before, rtol=0, atol=0)
    assert all(not torch.equal(s0, s) for s0, s in zip(scores0, model.scores))
    assert any(not torch.equal(m0, m) for m0, m in zip(masks0, model.masks()))
    assert (loss1 < loss0 - 0.1).all(), (loss0, loss1)


def test_full_density_binary_mask_is_the_dense_batched_model():
    weights, biases = stacked(15)
    dense = BatchedMLP(weights, biases)
    model = SupermaskMLP.from_batched(dense, kind="binary", density=1.0)
    x = torch.randn(4, WIDTHS[0], generator=gen(16))
    torch.testing.assert_close(model(x), dense(x))


def test_bad_inputs_raise_config_error():
    weights, biases = stacked(17)
    with pytest.raises(ConfigError):
        SupermaskMLP(weights, kind="ternary")
    for density in (0.0, 1.5, -0.2, 0.001):  # 0.001 keeps no weight of a 5 x 8 layer
        with pytest.raises(ConfigError):
            SupermaskMLP(weights, density=density)
    with pytest.raises(ConfigError):
        SupermaskMLP(weights, density=[0.5, 0.5])
    with pytest.raises(ConfigError):
        SupermaskMLP([weights[0], weights[2]])  # 8 outputs do not feed 6 inputs
    with pytest.raises(ConfigError):
        SupermaskMLP([w[0] for w in weights])  # not stacked
    with pytest.raises(ConfigError):
        SupermaskMLP(weights, biases[:2])


def test_scaled_signed_constant_closed_form_and_elus():
    z = torch.randn(3, 20, 50, generator=gen(30))
    z[0, 0, 0] = 0.0  # a zero counts as positive
    for density, gain in ((0.5, ELU_GAIN), (0.1, ELU_GAIN), (0.02, 2.0), (1.0, 1.0)):
        w = scaled_signed_constant(z, density, gain)
        c = (gain / (density * 50)) ** 0.5
        torch.testing.assert_close(w.abs(), torch.full_like(z, c), rtol=1e-6, atol=0)
        assert torch.equal(w > 0, z >= 0)
    # Koster et al.'s ELUS: +-sqrt(3 / fan_in), the ELU gain at half density
    torch.testing.assert_close(scaled_signed_constant(z).abs(),
                               torch.full_like(z, (3 / 50) ** 0.5), rtol=1e-6, atol=0)
    # a (out, in) matrix works as well, and bad arguments raise
    assert scaled_signed_constant(z[0], 0.2).shape == (20, 50)
    for bad in (dict(density=0.0), dict(density=1.5), dict(gain=0.0)):
        with pytest.raises(ConfigError):
            scaled_signed_constant(z, **bad)
    with pytest.raises(ConfigError):
        scaled_signed_constant(torch.ones(5))


def test_scaled_weights_keep_the_pre_activation_variance_under_a_mask():
    # A mask keeping density * fan_in weights of every row leaves each row with squared norm
    # exactly gain, so with independent unit-variance inputs Var(pre-activation) = gain whatever
    # the density (the point of scaling the fan-in); checked exactly and by simulation.
    fan_in, out = 200, 64
    x = torch.randn(20000, fan_in, generator=gen(31))
    for density in (0.05, 0.25, 1.0):
        w = scaled_signed_constant(torch.randn(out, fan_in, generator=gen(32)), density, 2.0)
        keep = round(density * fan_in)
        order = torch.rand(out, fan_in, generator=gen(33)).argsort(dim=1)
        mask = torch.zeros(out, fan_in).scatter_(1, order[:, :keep], 1.0)
        torch.testing.assert_close((w * mask).pow(2).sum(1), torch.full((out,), 2.0))
        var = (x @ (w * mask).T).var(dim=0).mean().item()
        assert abs(var - 2.0) < 0.05, var


def test_elu_gain_is_the_inverse_second_moment_of_elu():
    # 1 / E[elu(z)^2], z ~ N(0, 1), by quadrature: 1.5505; the authors' ELU variance rounds it
    from scipy import integrate

    def second_moment(z):
        return (z if z > 0 else math.expm1(z)) ** 2 * stats.norm.pdf(z)

    moment = sum(integrate.quad(second_moment, a, b)[0]
                 for a, b in ((-math.inf, 0.0), (0.0, math.inf)))
    assert abs(1 / moment - 1.5505) < 1e-3
    assert abs(ELU_GAIN - 1 / moment) / (1 / moment) < 0.04
