"""dlrepro.diagnostics.weight_distance against a dense NumPy computation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlrepro.diagnostics import weight_distance
from dlrepro.errors import ConfigError


def test_weight_distance_equals_the_norm_of_the_concatenated_difference():
    torch.manual_seed(0)
    w0 = [torch.randn(4, 3).double(), torch.randn(3).double(), torch.randn(2, 2, 2).double()]
    w = [t + torch.randn_like(t) for t in w0]
    dense = np.concatenate([(a - b).numpy().ravel() for a, b in zip(w, w0)])
    assert weight_distance(w, w0).item() == pytest.approx(np.linalg.norm(dense), rel=1e-10)
    assert weight_distance(w0, w0).item() == 0.0


def test_batched_weight_distance_is_one_norm_per_model():
    torch.manual_seed(1)
    w0 = [torch.randn(3, 5, 4).double(), torch.randn(3, 5).double()]
    w = [t + 0.1 * torch.randn_like(t) for t in w0]
    got = weight_distance(w, w0, batched=True).numpy()
    for s in range(3):
        dense = np.concatenate([(a[s] - b[s]).numpy().ravel() for a, b in zip(w, w0)])
        assert got[s] == pytest.approx(np.linalg.norm(dense), rel=1e-10)


def test_weight_distance_rejects_mismatched_lists():
    with pytest.raises(ConfigError):
        weight_distance([torch.zeros(2)], [])
    with pytest.raises(ConfigError):
        weight_distance([torch.zeros(2)], [torch.zeros(3)])
