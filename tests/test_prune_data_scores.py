"""dlrepro.prune.data_scores: EL2N and GraNd against explicit per-example loops."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError
from dlrepro.models import MLP, BatchedMLP
from dlrepro.prune import el2n_scores, grand_scores, grand_scores_batched_mlp, keep_hardest

pytestmark = pytest.mark.usefixtures("single_thread")


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def loop_el2n(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = []
    for row, label in zip(logits, y):
        e = torch.exp(row - row.max())
        p = e / e.sum()
        target = torch.zeros_like(p)
        target[label] = 1.0
        out.append(torch.sqrt(((p - target) ** 2).sum()))
    return torch.stack(out)


def loop_grand(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    out = []
    for xi, yi in zip(x, y):
        model.zero_grad()
        F.cross_entropy(model(xi[None]), yi[None]).backward()
        grads = [p.grad for p in model.parameters() if p.requires_grad]
        out.append(torch.sqrt(sum((g ** 2).sum() for g in grads)))
    return torch.stack(out)


def test_el2n_equals_loop_for_one_model_and_a_stack():
    logits = torch.randn(3, 20, 5, generator=gen(0)) * 3
    y = torch.randint(0, 5, (20,), generator=gen(1))
    torch.testing.assert_close(el2n_scores(logits[0], y), loop_el2n(logits[0], y))
    mean = torch.stack([loop_el2n(row, y) for row in logits]).mean(0)
    torch.testing.assert_close(el2n_scores(logits, y), mean)
    torch.testing.assert_close(el2n_scores(logits.softmax(-1), y, from_logits=False), mean)
    # A confident correct prediction scores ~0, a confident wrong one ~sqrt(2).
    sure = torch.tensor([[20.0, 0.0], [20.0, 0.0]])
    torch.testing.assert_close(el2n_scores(sure, torch.tensor([0, 1])),
                               torch.tensor([0.0, 2 ** 0.5]), atol=1e-6, rtol=0)


def test_grand_equals_loop_for_an_mlp():
    torch.manual_seed(2)
    model = MLP(6, [7], 4)
    x, y = torch.randn(12, 6, generator=gen(3)), torch.randint(0, 4, (12,), generator=gen(4))
    scores = grand_scores(model, x, y, F.cross_entropy)
    torch.testing.assert_close(scores, loop_grand(model, x, y))
    torch.testing.assert_close(grand_scores(model, x, y, F.cross_entropy, chunk_size=5), scores)
    model.linears[0].weight.requires_grad_(False)  # frozen parameters do not count
    torch.testing.assert_close(grand_scores(model, x, y, F.cross_entropy),
                               loop_grand(model, x, y))


def test_grand_of_a_batched_mlp_is_the_mean_over_its_models():
    torch.manual_seed(5)
    mlps = [MLP(6, [7, 5], 3) for _ in range(3)]
    batched = BatchedMLP.from_models(mlps)
    x, y = torch.randn(9, 6, generator=gen(6)), torch.randint(0, 3, (9,), generator=gen(7))
    expected = torch.stack([loop_grand(m, x, y) for m in mlps]).mean(0)
    torch.testing.assert_close(grand_scores(batched, x, y, F.cross_entropy), expected)


@pytest.mark.parametrize("activation_name, bias", [("relu", True), ("tanh", False)])
def test_closed_form_grand_of_a_batched_mlp_equals_the_loop(activation_name, bias):
    torch.manual_seed(9)
    mlps = [MLP(6, [7, 5], 3, activation_name, bias) for _ in range(3)]
    batched = BatchedMLP.from_models(mlps)
    x, y = torch.randn(11, 6, generator=gen(10)), torch.randint(0, 3, (11,), generator=gen(11))
    expected = torch.stack([loop_grand(m, x, y) for m in mlps]).mean(0)
    scores = grand_scores_batched_mlp(batched, x, y)
    torch.testing.assert_close(scores, expected)
    torch.testing.assert_close(scores, grand_scores(batched, x, y, F.cross_entropy))
    assert all(w.grad is None for w in batched.weights), "the model's own gradients are untouched"
    assert not scores.requires_grad
    with pytest.raises(ConfigError):
        grand_scores_batched_mlp(batched, x, y[:5])
    batched.set_masks([torch.ones_like(w) for w in batched.weights])
    with pytest.raises(ConfigError):  # masked gradients: the closed form does not apply
        grand_scores_batched_mlp(batched, x, y)


def test_keep_hardest_against_sort():
    scores = torch.tensor([0.5, 2.0, 0.1, 2.0, 1.5, 0.7, 3.0, 0.0])
    # descending, ties by index: 6 (3.0), 1 (2.0), 3 (2.0), 4 (1.5), 5, 0, 2, 7
    torch.testing.assert_close(keep_hardest(scores, 0.5), torch.tensor([1, 3, 4, 6]))
    torch.testing.assert_close(keep_hardest(scores, 0.25, offset=0.125), torch.tensor([1, 3]))
    torch.testing.assert_close(keep_hardest(scores, 1.0), torch.arange(8))
    big = torch.rand(1000, generator=gen(8))
    kept = keep_hardest(big, 0.3)
    assert len(kept) == 300 and big[kept].min() > big[~torch.isin(torch.arange(1000), kept)].max()


def test_bad_inputs_raise_config_error():
    logits, y = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])
    with pytest.raises(ConfigError):
        el2n_scores(logits, y[:3])
    with pytest.raises(ConfigError):
        el2n_scores(logits[0], y[:1])
    with pytest.raises(ConfigError):
        el2n_scores(logits, y, from_logits=False)  # not probabilities
    model = MLP(3, [2], 3)
    with pytest.raises(ConfigError):
        grand_scores(model, torch.randn(4, 3), y[:3], F.cross_entropy)
    for p in model.parameters():
        p.requires_grad_(False)
    with pytest.raises(ConfigError):
        grand_scores(model, torch.randn(4, 3), y, F.cross_entropy)
    scores = torch.rand(10)
    for fraction, offset in ((0.0, 0.0), (1.5, 0.0), (0.5, -0.1), (0.5, 1.0), (0.6, 0.5)):
        with pytest.raises(ConfigError):
            keep_hardest(scores, fraction, offset)
    with pytest.raises(ConfigError):
        keep_hardest(torch.rand(2, 5), 0.5)
