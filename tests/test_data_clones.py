"""Gaussian clones (Refinetti, Ingrosso & Goldt, 2023): the fitted parameters against a dense
NumPy computation, a large draw's statistics against those parameters, the QDA log-density
against SciPy."""

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal

from dlrepro.data import class_gaussians, gaussian_clone
from dlrepro.errors import ConfigError


def _source(n=300, d=5, classes=3, seed=0):
    """Skewed, correlated, non-Gaussian classes: a clone can only match two moments."""
    rng = np.random.default_rng(seed)
    y = rng.integers(classes, size=n)
    mix = rng.normal(size=(classes, d, d))
    z = rng.exponential(size=(n, d)) - 1.0
    x = np.einsum("nij,nj->ni", mix[y], z) + 3.0 * y[:, None]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


def test_fitted_parameters_equal_dense_class_mean_and_covariance():
    x, y = _source()
    fitted = class_gaussians(x, y, 3)
    xs, ys = x.double().numpy(), y.numpy()
    for c in range(3):
        np.testing.assert_allclose(fitted.means[c].numpy(), xs[ys == c].mean(0), atol=1e-12)
        np.testing.assert_allclose(fitted.covariances[c].numpy(), np.cov(xs[ys == c].T),
                                   atol=1e-12)


def test_isotropic_keeps_mean_and_average_variance():
    x, y = _source()
    fitted = class_gaussians(x, y, 3, covariance="isotropic")
    xs, ys = x.double().numpy(), y.numpy()
    for c in range(3):
        cov = np.cov(xs[ys == c].T)
        np.testing.assert_allclose(fitted.means[c].numpy(), xs[ys == c].mean(0), atol=1e-12)
        np.testing.assert_allclose(fitted.covariances[c].numpy(),
                                   np.eye(5) * np.trace(cov) / 5, atol=1e-12)


@pytest.mark.parametrize("covariance", ["full", "isotropic"])
def test_large_draw_matches_the_source_statistics(covariance):
    x, y = _source()
    per_class = 100_000
    labels = torch.arange(3).repeat_interleave(per_class)
    clone, fitted = gaussian_clone(x, y, 3, labels, torch.Generator().manual_seed(1),
                                   covariance=covariance)
    assert clone.shape == (3 * per_class, 5) and clone.dtype == torch.float32
    for c in range(3):
        rows = clone[labels == c].double().numpy()
        scale = np.sqrt(np.diag(fitted.covariances[c].numpy())).max()
        # Standard error of a mean is sigma / sqrt(1e5) ~ 0.003 sigma: 0.02 sigma is > 6 SE.
        np.testing.assert_allclose(rows.mean(0), fitted.means[c].numpy(), atol=0.02 * scale)
        # Of a covariance entry about sigma^2 * sqrt(2 / 1e5) ~ 0.0045 sigma^2.
        np.testing.assert_allclose(np.cov(rows.T), fitted.covariances[c].numpy(),
                                   atol=0.03 * scale ** 2)


def test_singular_covariance_is_sampled_exactly():
    x, y = _source(d=4)
    x = torch.cat([x, x[:, :1] * 2.0], dim=1)  # a fifth feature that is twice the first
    labels = torch.zeros(1000, dtype=torch.int64)
    clone, _ = gaussian_clone(x, y, 3, labels, torch.Generator().manual_seed(2))
    assert torch.isfinite(clone).all()
    np.testing.assert_allclose(clone[:, 4].numpy(), 2 * clone[:, 0].numpy(), atol=1e-3)


def test_log_density_matches_scipy():
    x, y = _source()
    fitted = class_gaussians(x, y, 3)
    got = fitted.log_density(x[:20]).numpy()
    for c in range(3):
        want = multivariate_normal(fitted.means[c].numpy(),
                                   fitted.covariances[c].numpy()).logpdf(x[:20].double().numpy())
        np.testing.assert_allclose(got[:, c], want, rtol=1e-9, atol=1e-9)


def test_clone_is_seeded_and_keeps_the_input_shape():
    x, y = _source()
    x3 = x.reshape(-1, 1, 5)
    labels = torch.tensor([0, 1, 2, 2])
    a, _ = gaussian_clone(x3, y, 3, labels, torch.Generator().manual_seed(3))
    b, _ = gaussian_clone(x3, y, 3, labels, torch.Generator().manual_seed(3))
    assert a.shape == (4, 1, 5) and torch.equal(a, b)


def test_bad_arguments():
    x, y = _source()
    with pytest.raises(ConfigError):
        class_gaussians(x, y, 3, covariance="diagonal")
    with pytest.raises(ConfigError):
        class_gaussians(x, y, 4)  # class 3 is empty
