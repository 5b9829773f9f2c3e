"""Gradient coherence (dlrepro.diagnostics.gradient_coherence) and winsorized gradient descent
(dlrepro.robust) against closed forms, NumPy and torch's own SGD."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlrepro.curvature import per_sample_gradients
from dlrepro.diagnostics import gradient_coherence
from dlrepro.errors import ConfigError
from dlrepro.models import BatchedMLP, seeded_mlps
from dlrepro.robust import WinsorizedSGD, stacked_per_example_gradients, winsorize, winsorized_mean


def test_identical_gradients_have_coherence_one_and_orthogonal_ones_one_over_m():
    g = torch.randn(7)
    same = g.expand(5, 7)
    assert gradient_coherence(same).item() == pytest.approx(1.0, abs=1e-12)
    assert gradient_coherence(same, normalized=True).item() == pytest.approx(5.0, abs=1e-10)
    # m orthogonal gradients of different norms: the orthogonal limit 1/m.
    m = 6
    q, _ = torch.linalg.qr(torch.randn(20, m, dtype=torch.float64))
    ortho = (q * torch.tensor([0.1, 1.0, 3.0, 0.5, 2.0, 7.0], dtype=torch.float64)).T
    assert gradient_coherence(ortho).item() == pytest.approx(1 / m, rel=1e-10)
    assert gradient_coherence(ortho, normalized=True).item() == pytest.approx(1.0, rel=1e-10)
    # Opposite pairs cancel: coherence 0.
    assert gradient_coherence(torch.stack([g, -g])).item() == pytest.approx(0.0, abs=1e-12)


def test_coherence_of_random_gradients_against_a_dense_numpy_computation():
    torch.manual_seed(0)
    parts = [torch.randn(9, 3, 4) + 0.3, torch.randn(9, 5) - 0.2]
    flat = np.concatenate([p.reshape(9, -1).numpy().astype(np.float64) for p in parts], 1)
    pair = flat @ flat.T  # all dot products g_i . g_j
    expected = pair.mean() / np.diag(pair).mean()  # E[g_i . g_j] / E[g_i . g_i]
    assert gradient_coherence(parts).item() == pytest.approx(expected, rel=1e-12)
    # batch_dims=1 keeps stacked models apart.
    stacked = [torch.stack([p, 2 * p.flip(0)], 1) for p in parts]  # (9, 2, ...)
    both = gradient_coherence(stacked, batch_dims=1)
    assert both.shape == (2,)
    assert both[0].item() == pytest.approx(expected, rel=1e-12)
    assert both[1].item() == pytest.approx(expected, rel=1e-12)  # scale and order invariant


def test_coherence_rejects_mismatched_examples():
    with pytest.raises(ConfigError):
        gradient_coherence([torch.randn(4, 3), torch.randn(5, 3)])


@pytest.mark.parametrize("percentile", [50.0, 75.0, 90.0, 97.5, 100.0])
def test_winsorize_matches_a_numpy_percentile_clip(percentile):
    torch.manual_seed(1)
    g = torch.randn(33, 4, 6, dtype=torch.float64) ** 3  # heavy tails
    a = g.numpy()
    expected = np.clip(a, np.percentile(a, 100 - percentile, axis=0),
                       np.percentile(a, percentile, axis=0))
    np.testing.assert_allclose(winsorize(g, percentile).numpy(), expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(winsorized_mean(g, percentile).numpy(), expected.mean(0),
                               rtol=0, atol=1e-12)


def test_winsorize_per_model_percentiles_and_the_100th_is_the_plain_mean_exactly():
    torch.manual_seed(2)
    g = torch.randn(16, 3, 5)
    p = torch.tensor([100.0, 80.0, 60.0])
    out = winsorize(g, p)
    assert torch.equal(out[:, 0], g[:, 0])
    for k in (1, 2):
        a = g[:, k].numpy().astype(np.float64)
        ref = np.clip(a, np.percentile(a, 100 - p[k].item(), axis=0),
                      np.percentile(a, p[k].item(), axis=0))
        np.testing.assert_allclose(out[:, k].numpy(), ref, atol=1e-6)
    assert torch.equal(winsorized_mean(g, 100.0), g.mean(0))
    with pytest.raises(ConfigError):
        winsorize(g, 40.0)


def test_stacked_per_example_gradients_equal_each_model_alone():
    torch.manual_seed(3)
    mlps = seeded_mlps([0, 1], 5, [4], 3)
    model = BatchedMLP.from_models(mlps)
    x = torch.randn(2, 6, 5)
    y = torch.randint(0, 3, (2, 6))
    grads = stacked_per_example_gradients(model, x, y)
    for s, mlp in enumerate(mlps):
        alone = per_sample_gradients(mlp, F.cross_entropy, x[s], y[s])
        # BatchedMLP orders weights first, then biases; MLP interleaves them.
        ordered = [alone[0], alone[2], alone[1], alone[3]]
        for got, want in zip(grads, ordered):
            torch.testing.assert_close(got[:, s], want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_winsorized_sgd_at_the_100th_percentile_is_torch_sgd(momentum):
    torch.manual_seed(4)
    mlps = seeded_mlps([0, 1, 2], 5, [8], 3)
    plain, robust = (BatchedMLP.from_models(mlps) for _ in range(2))
    sgd = torch.optim.SGD(plain.parameters(), lr=0.1, momentum=momentum)
    wsgd = WinsorizedSGD(robust.parameters(), lr=0.1, momentum=momentum, percentile=100.0)
    for _ in range(5):
        x = torch.randn(3, 10, 5)
        y = torch.randint(0, 3, (3, 10))
        sgd.zero_grad()
        F.cross_entropy(plain(x).transpose(1, 2), y, reduction="none").mean(1).sum().backward()
        sgd.step()
        wsgd.step_per_example(stacked_per_example_gradients(robust, x, y))
    for a, b in zip(plain.parameters(), robust.parameters()):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_winsorized_sgd_steps_along_the_clipped_mean():
    torch.manual_seed(5)
    w = torch.nn.Parameter(torch.zeros(2, 3))
    opt = WinsorizedSGD([w], lr=0.5, percentile=torch.tensor([100.0, 75.0]))
    g = torch.randn(9, 2, 3, dtype=torch.float64).float()
    opt.step_per_example([g])
    a = g[:, 1].numpy().astype(np.float64)
    clipped = np.clip(a, np.percentile(a, 25, axis=0), np.percentile(a, 75, axis=0)).mean(0)
    np.testing.assert_allclose(w[1].detach().numpy(), -0.5 * clipped, atol=1e-6)
    np.testing.assert_allclose(w[0].detach().numpy(), -0.5 * g[:, 0].mean(0).numpy(), atol=1e-6)
