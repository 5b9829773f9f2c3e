"""dlrepro.models.GhostBatchNorm1d and BatchedBNMLP against torch's nn.BatchNorm1d applied to
each ghost batch separately (Hoffer, Hubara & Soudry, 2017)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.models import BatchedBNMLP, GhostBatchNorm1d, seeded_mlps


def reference_bn(x: torch.Tensor, size: int, bn: nn.BatchNorm1d) -> torch.Tensor:
    """nn.BatchNorm1d in training mode on each consecutive chunk of ``size`` rows in turn."""
    return torch.cat([bn(chunk) for chunk in torch.split(x, size)])


@pytest.mark.parametrize("n, size", [(64, 16), (50, 16), (40, None), (12, 32)])
def test_ghost_batches_match_batchnorm_per_chunk(n, size):
    torch.manual_seed(0)
    x = torch.randn(n, 7, dtype=torch.float64) * 3 + 1
    ghost = GhostBatchNorm1d(7, size, momentum=0.2).double()
    bn = nn.BatchNorm1d(7, momentum=0.2).double()
    with torch.no_grad():
        ghost.weight.copy_(torch.linspace(0.5, 2, 7))
        ghost.bias.copy_(torch.linspace(-1, 1, 7))
        bn.weight.copy_(ghost.weight)
        bn.bias.copy_(ghost.bias)
    for _ in range(3):  # three training steps: outputs and running statistics agree
        out = ghost(x)
        expected = reference_bn(x, n if size is None else min(size, n), bn)
        torch.testing.assert_close(out, expected, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(ghost.running_mean, bn.running_mean, rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(ghost.running_var, bn.running_var, rtol=1e-12, atol=1e-12)
        x = x * 0.9 + 0.3
    ghost.eval()
    bn.eval()
    torch.testing.assert_close(ghost(x), bn(x), rtol=1e-12, atol=1e-12)
    manual = ((x - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias)
    torch.testing.assert_close(ghost(x), manual, rtol=1e-12, atol=1e-12)


def test_ghost_gradients_match_batchnorm_per_chunk():
    torch.manual_seed(1)
    x = torch.randn(48, 5, dtype=torch.float64, requires_grad=True)
    ghost = GhostBatchNorm1d(5, 12).double()
    bn = nn.BatchNorm1d(5).double()
    w = torch.randn(48, 5, dtype=torch.float64)
    (g_ghost,) = torch.autograd.grad((ghost(x) * w).sum(), x)
    (g_ref,) = torch.autograd.grad((reference_bn(x, 12, bn) * w).sum(), x)
    torch.testing.assert_close(g_ghost, g_ref, rtol=1e-10, atol=1e-10)


def test_stacked_models_keep_their_own_statistics():
    torch.manual_seed(2)
    scale = torch.tensor([1.0, 2.0, 5.0], dtype=torch.float64)[:, None, None]
    x = torch.randn(3, 32, 4, dtype=torch.float64) * scale
    ghost = GhostBatchNorm1d(4, 8, num_models=3).double()
    out = ghost(x)
    for s in range(3):
        bn = nn.BatchNorm1d(4).double()
        torch.testing.assert_close(out[s], reference_bn(x[s], 8, bn), rtol=1e-12, atol=1e-12)
        torch.testing.assert_close(ghost.running_mean[s, 0], bn.running_mean, rtol=1e-12,
                                   atol=1e-12)
        torch.testing.assert_close(ghost.running_var[s, 0], bn.running_var, rtol=1e-12,
                                   atol=1e-12)


def test_ghost_batch_norm_rejects_bad_shapes():
    with pytest.raises(ConfigError):
        GhostBatchNorm1d(4, 1)
    with pytest.raises(ConfigError):
        GhostBatchNorm1d(4)(torch.randn(2, 3, 4))
    with pytest.raises(ConfigError):
        GhostBatchNorm1d(4, 4)(torch.randn(9, 4))  # a last ghost batch of one example


def test_batched_bn_mlp_equals_plain_networks_with_batchnorm():
    torch.manual_seed(3)
    mlps = seeded_mlps([0, 1], 6, [5, 4], 3)
    batched = BatchedBNMLP(mlps, ghost_batch_size=10).double()
    x = torch.randn(2, 20, 6, dtype=torch.float64)
    out = batched(x)
    for s, mlp in enumerate(mlps):
        lin = [m.double() for m in mlp.linears]
        bns = [nn.BatchNorm1d(5).double(), nn.BatchNorm1d(4).double()]
        h = x[s]
        for i in range(2):
            h = torch.relu(reference_bn(lin[i](h), 10, bns[i]))
        torch.testing.assert_close(out[s], lin[2](h), rtol=1e-10, atol=1e-10)
        for i in range(2):
            torch.testing.assert_close(batched.norms[i].running_var[s, 0], bns[i].running_var,
                                       rtol=1e-10, atol=1e-10)
    assert batched.num_models == 2
