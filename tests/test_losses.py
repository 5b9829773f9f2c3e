"""dlrepro.losses: the ELR loss against its formula written out example by example."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError
from dlrepro.losses import ELR_CLAMP, ELRLoss

N, C = 6, 3


def dense_elr(logits, labels, index, ensemble, beta, lam):
    """One ELR step in plain Python floats: returns the loss and the updated ensemble rows.

    p = clip(softmax(z)); t <- beta t + (1 - beta) p / sum(p);
    loss = mean_i [-log softmax(z_i)[y_i]] + lam * mean_i log(1 - sum_c t_ic p_ic).
    """
    rows = [list(r) for r in ensemble]
    ce, reg = 0.0, 0.0
    for z, y, i in zip(logits.tolist(), labels.tolist(), index.tolist(), strict=True):
        top = max(z)
        exps = [math.exp(v - top) for v in z]
        total = sum(exps)
        soft = [e / total for e in exps]
        p = [min(max(s, ELR_CLAMP), 1 - ELR_CLAMP) for s in soft]
        norm = sum(p)
        rows[i] = [beta * t + (1 - beta) * q / norm for t, q in zip(rows[i], p, strict=True)]
        ce += -math.log(soft[y])
        reg += math.log(1 - sum(t * q for t, q in zip(rows[i], p, strict=True)))
    b = len(labels)
    return ce / b + lam * reg / b, rows


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(4, C, generator=g, dtype=torch.float64) * 3
    logits[0, 1] = 12.0  # a confident output, where the clamp bites
    labels = torch.tensor([1, 0, 2, 2])
    index = torch.tensor([3, 0, 5, 1])
    return logits, labels, index


def test_elr_loss_matches_the_formula_over_two_steps(batch):
    logits, labels, index = batch
    beta, lam = 0.7, 3.0
    loss = ELRLoss(N, C, beta=beta, lam=lam)
    loss.ensemble = loss.ensemble.double()
    reference = [[0.0] * C for _ in range(N)]
    for step in range(2):  # the second step reads the ensemble the first one wrote
        z = logits + step * 0.5
        got = loss(z, labels, index)
        want, reference = dense_elr(z, labels, index, reference, beta, lam)
        assert got.item() == pytest.approx(want, rel=1e-10, abs=1e-12)
        torch.testing.assert_close(loss.ensemble[0], torch.tensor(reference, dtype=torch.float64))
    untouched = sorted(set(range(N)) - set(index.tolist()))
    assert loss.ensemble[0, untouched].abs().max() == 0


def test_elr_gradient_matches_finite_differences(batch):
    """The ensemble is built from detached outputs: the gradient is that of the loss with the
    updated ensemble held fixed."""
    logits, labels, index = batch
    logits = logits.clone().requires_grad_(True)
    loss = ELRLoss(N, C, beta=0.7, lam=3.0)
    loss.ensemble = torch.rand(1, N, C, generator=torch.Generator().manual_seed(1),
                               dtype=torch.float64) / C
    start = loss.ensemble[0].tolist()
    loss(logits, labels, index).backward()
    _, updated = dense_elr(logits.detach(), labels, index, start, 0.7, 3.0)

    def fixed(z):  # the loss with the ensemble frozen at its updated value (beta = 1)
        return dense_elr(z, labels, index, updated, 1.0, 3.0)[0]

    eps = 1e-6
    for b in range(1, 4):  # rows away from the clamp
        for c in range(C):
            up, down = logits.detach().clone(), logits.detach().clone()
            up[b, c] += eps
            down[b, c] -= eps
            fd = (fixed(up) - fixed(down)) / (2 * eps)
            assert logits.grad[b, c].item() == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_lam_zero_is_cross_entropy(batch):
    logits, labels, index = batch
    logits = logits.float().requires_grad_(True)
    got = ELRLoss(N, C, lam=0.0)(logits, labels, index)
    got.backward()
    grad = logits.grad.clone()
    logits.grad = None
    F.cross_entropy(logits, labels).backward()
    torch.testing.assert_close(got, F.cross_entropy(logits, labels))
    torch.testing.assert_close(grad, logits.grad)


def test_stacked_models_each_match_their_own_loss(batch):
    logits, labels, index = batch
    logits, lams = logits.float(), [3.0, 0.0, 1.5]
    g = torch.Generator().manual_seed(2)
    z = torch.stack([logits, logits.flip(0), torch.randn(4, C, generator=g)])
    y = torch.stack([labels, labels.flip(0), labels])
    idx = torch.stack([index, index, index.flip(0)])
    stacked = ELRLoss(N, C, lam=lams, num_models=3)
    singles = [ELRLoss(N, C, lam=lam) for lam in lams]
    for _ in range(2):
        total = stacked(z, y, idx)
        want = sum(s(z[k], y[k], idx[k]) for k, s in enumerate(singles))
        torch.testing.assert_close(total, want)
    for k, s in enumerate(singles):
        torch.testing.assert_close(stacked.ensemble[k], s.ensemble[0])


@pytest.mark.parametrize("kwargs", [{"beta": 1.0}, {"beta": -0.1}, {"lam": -1.0},
                                    {"lam": [1.0, 2.0]}])
def test_elr_rejects_bad_settings(kwargs):
    with pytest.raises(ConfigError):
        ELRLoss(N, C, **kwargs)


def test_elr_refuses_logits_of_the_wrong_rank(batch):
    logits, labels, index = batch
    with pytest.raises(ConfigError):
        ELRLoss(N, C, num_models=2)(logits, labels, index)
