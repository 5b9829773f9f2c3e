"""Tests for the grokking chapter's additions: the modular arithmetic table
(dlrepro.data.modular_arithmetic) and per-model decoupled weight decay
(dlrepro.optim.PerModelWeightDecay) against torch.optim.AdamW."""

import pytest
import torch

from dlrepro.data import modular_arithmetic
from dlrepro.errors import ConfigError
from dlrepro.optim import PerModelWeightDecay


def _generators(count, base=0):
    return [torch.Generator().manual_seed(base + i) for i in range(count)]


def test_every_pair_once_with_one_hot_inputs():
    data = modular_arithmetic(7, 0.5, _generators(1))
    pairs = {(int(a), int(b)) for a, b in zip(data.a, data.b)}
    assert len(pairs) == 49 and data.x.shape == (49, 14)
    # the one-hot code decodes to the pair
    assert torch.equal(data.x[:, :7].argmax(1), data.a)
    assert torch.equal(data.x[:, 7:].argmax(1), data.b)
    assert torch.equal(data.x.sum(1), torch.full((49,), 2.0))


@pytest.mark.parametrize("op, reference", [("+", lambda a, b: (a + b) % 11),
                                           ("-", lambda a, b: (a - b) % 11),
                                           ("*", lambda a, b: (a * b) % 11)])
def test_labels_equal_the_operation(op, reference):
    data = modular_arithmetic(11, 0.3, _generators(1), op=op)
    expected = [reference(int(a), int(b)) for a, b in zip(data.a, data.b)]
    assert data.y.tolist() == expected
    assert int(data.y.min()) >= 0 and int(data.y.max()) <= 10


def test_exact_split_by_fraction_and_disjoint():
    fractions = [0.3, 0.5, 0.7]
    data = modular_arithmetic(13, fractions, _generators(3))
    counts = data.train.sum(1).tolist()
    assert counts == [round(f * 169) for f in fractions] == [51, 84, 118]
    assert torch.equal(data.train | data.test, torch.ones_like(data.train))
    assert not bool((data.train & data.test).any())
    # different generators give different splits, the same generator the same one
    again = modular_arithmetic(13, fractions, _generators(3))
    assert torch.equal(again.train, data.train)
    assert not torch.equal(data.train[1], modular_arithmetic(13, 0.5, _generators(1, 9)).train[0])


def test_bad_arguments_are_refused():
    with pytest.raises(ConfigError):
        modular_arithmetic(7, 1.0, _generators(1))
    with pytest.raises(ConfigError):
        modular_arithmetic(7, 0.5, _generators(1), op="/")
    with pytest.raises(ConfigError):
        modular_arithmetic(7, [0.5, 0.6], _generators(1))


def test_per_model_weight_decay_equals_adamw_model_by_model():
    torch.manual_seed(0)
    decays = [0.0, 0.1, 1.0, 3.0]
    shapes = [(4, 5, 3), (4, 5)]
    stacked = [torch.randn(s, requires_grad=True) for s in shapes]
    singles = [[torch.nn.Parameter(p[m].detach().clone()) for p in stacked] for m in range(4)]
    opt = PerModelWeightDecay(torch.optim.Adam(stacked, lr=3e-2, betas=(0.9, 0.98),
                                               foreach=False), decays)
    refs = [torch.optim.AdamW(singles[m], lr=3e-2, betas=(0.9, 0.98), weight_decay=decays[m],
                              foreach=False) for m in range(4)]
    for _ in range(25):
        grads = [torch.randn(s) for s in shapes]
        for p, g in zip(stacked, grads):
            p.grad = g.clone()
        opt.step()
        for m in range(4):
            for p, g in zip(singles[m], grads):
                p.grad = g[m].clone()
            refs[m].step()
    for m in range(4):
        for p, q in zip(stacked, singles[m]):
            assert torch.equal(p[m].detach(), q.detach()), (m, (p[m] - q).abs().max())
    # decay 0 is plain Adam, and the decay moved the weights
    assert not torch.allclose(stacked[0][2], stacked[0][0])


def test_per_model_weight_decay_state_dict_and_errors():
    p = torch.randn(3, 2, requires_grad=True)
    with pytest.raises(ConfigError):
        PerModelWeightDecay(torch.optim.AdamW([p], lr=1e-3, weight_decay=0.01), [1.0] * 3)
    with pytest.raises(ConfigError):
        PerModelWeightDecay(torch.optim.Adam([p], lr=1e-3), [1.0, 1.0])
    with pytest.raises(ConfigError):
        PerModelWeightDecay(torch.optim.Adam([p], lr=1e-3), [1.0, -1.0, 0.0])
    opt = PerModelWeightDecay(torch.optim.Adam([p], lr=1e-3), [0.5, 1.0, 2.0])
    p.grad = torch.ones_like(p)
    opt.step()
    state = opt.state_dict()
    other = PerModelWeightDecay(torch.optim.Adam([p], lr=1e-3), [0.0, 0.0, 0.0])
    other.load_state_dict(state)
    assert other.decays.tolist() == [0.5, 1.0, 2.0]
    assert other.inner.state_dict()["state"][0]["step"] == 1
