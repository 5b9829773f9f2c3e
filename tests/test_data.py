"""dlrepro.data: generated and bundled datasets, label corruption, random inputs, splits."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from scipy import stats
from sklearn.datasets import load_digits

from dlrepro import data
from dlrepro.errors import ConfigError, DatasetUnavailableError

pytestmark = pytest.mark.usefixtures("single_thread")


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


# --------------------------------------------------------------------------- MNIST-1D


def test_mnist1d_shapes_dtypes_and_labels(isolated_env):
    ds = data.mnist1d(200, train_split=0.8, seed=3)
    assert ds.name == "mnist1d"
    assert ds.x_train.shape == (160, 40) and ds.x_test.shape == (40, 40)
    assert ds.y_train.shape == (160,) and ds.y_test.shape == (40,)
    assert ds.x_train.dtype == torch.float32 and ds.y_train.dtype == torch.int64
    assert ds.num_classes == 10 and ds.num_features == 40
    labels = torch.cat([ds.y_train, ds.y_test])
    assert labels.min().item() >= 0 and labels.max().item() <= 9
    assert len(labels.unique()) == 10
    assert torch.isfinite(ds.x_train).all()


def test_mnist1d_equals_the_package_generator(isolated_env):
    from mnist1d.data import get_dataset_args, make_dataset

    # Non-default size, split and seed; everything else the package's defaults.
    args = get_dataset_args()
    args.num_samples, args.train_split, args.seed = 60, 0.75, 11
    raw = make_dataset(args)
    ds = data.mnist1d(60, train_split=0.75, seed=11)
    assert raw["x"].shape == (45, 40)
    for ours, theirs in [(ds.x_train, raw["x"]), (ds.x_test, raw["x_test"])]:
        np.testing.assert_array_equal(ours.numpy(), theirs.astype(np.float32))
    for ours, theirs in [(ds.y_train, raw["y"]), (ds.y_test, raw["y_test"])]:
        np.testing.assert_array_equal(ours.numpy(), theirs)


def test_mnist1d_cache_is_read_back(tmp_path, monkeypatch):
    import mnist1d.data

    monkeypatch.setenv("DLREPRO_CACHE", str(tmp_path))
    first = data.mnist1d(100, seed=7)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 1 and files[0].startswith("mnist1d-") and files[0].endswith(".npz")
    with np.load(tmp_path / files[0]) as arrays:
        np.testing.assert_array_equal(arrays["x"].astype(np.float32), first.x_train.numpy())
        np.testing.assert_array_equal(arrays["y_test"], first.y_test.numpy())

    def no_generation(*args, **kwargs):
        raise AssertionError("the second call must read the cache, not regenerate")

    monkeypatch.setattr(mnist1d.data, "make_dataset", no_generation)
    second = data.mnist1d(100, seed=7)
    for a, b in [(first.x_train, second.x_train), (first.y_train, second.y_train),
                 (first.x_test, second.x_test), (first.y_test, second.y_test)]:
        torch.testing.assert_close(a, b, rtol=0, atol=0)


def test_mnist1d_different_seed_gives_different_data(isolated_env):
    a = data.mnist1d(100, seed=0)
    b = data.mnist1d(100, seed=1)
    assert a.x_train.shape == b.x_train.shape
    assert (a.x_train - b.x_train).abs().max().item() > 0.1
    cached = sorted(p.name for p in data.cache_dir().glob("mnist1d-*"))
    assert not any(name.endswith(".tmp.npz") for name in cached)


@pytest.mark.parametrize("kwargs", [
    {"num_samples": 0}, {"num_samples": 15}, {"num_samples": -10},
    {"num_samples": 100, "train_split": 0.0}, {"num_samples": 100, "train_split": 1.0},
])
def test_mnist1d_rejects_bad_arguments(isolated_env, kwargs):
    with pytest.raises(ConfigError):
        data.mnist1d(**kwargs)


def test_cache_dir_honours_environment(tmp_path, monkeypatch):
    target = tmp_path / "nested" / "cache"
    monkeypatch.setenv("DLREPRO_CACHE", str(target))
    assert data.cache_dir() == target and target.is_dir()


def test_dataset_to_keeps_values(isolated_env):
    ds = data.mnist1d(100, seed=0)
    moved = ds.to("cpu")
    torch.testing.assert_close(moved.x_test, ds.x_test, rtol=0, atol=0)
    assert moved.num_classes == 10 and moved.name == ds.name


# --------------------------------------------------------------------------- digits


def test_digits_sizes_and_standardization():
    ds = data.digits(test_fraction=0.25, seed=0)
    n_test = round(1797 * 0.25)
    assert ds.x_train.shape == (1797 - n_test, 64) and ds.x_test.shape == (n_test, 64)
    assert ds.num_classes == 10 and ds.num_features == 64
    raw_x, raw_y = load_digits(return_X_y=True)
    # Every image appears once: the class counts of both splits add up to the full set's.
    counts = np.bincount(torch.cat([ds.y_train, ds.y_test]).numpy(), minlength=10)
    np.testing.assert_array_equal(counts, np.bincount(raw_y, minlength=10))
    mean, std = ds.x_train.double().mean(0), ds.x_train.double().std(0, unbiased=False)
    varying = raw_x.std(axis=0) > 0
    assert mean.abs().max().item() < 1e-5
    live = torch.as_tensor(std.numpy() > 1e-3)
    torch.testing.assert_close(std[live], torch.ones_like(std[live]), rtol=0, atol=1e-4)
    # Features that are constant on the train split are mapped to 0, not blown up.
    assert torch.all(ds.x_train[:, ~live] == 0)
    assert live.sum().item() <= varying.sum()


def test_digits_matches_a_reference_standardization():
    ds = data.digits(test_fraction=0.3, seed=5)
    raw_x, raw_y = load_digits(return_X_y=True)
    order = np.random.default_rng(5).permutation(len(raw_y))
    n_test = int(round(len(raw_y) * 0.3))
    train, test = order[n_test:], order[:n_test]
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(raw_x[train])
    live = raw_x[train].std(axis=0) > 0
    np.testing.assert_allclose(ds.x_train.numpy()[:, live],
                               scaler.transform(raw_x[train])[:, live], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(ds.x_test.numpy()[:, live],
                               scaler.transform(raw_x[test])[:, live], rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(ds.y_test.numpy(), raw_y[test])


def test_digits_seed_and_bad_fraction():
    a, b, c = data.digits(seed=0), data.digits(seed=0), data.digits(seed=1)
    torch.testing.assert_close(a.x_train, b.x_train, rtol=0, atol=0)
    assert not torch.equal(a.y_train, c.y_train)
    for bad in (0.0, 1.0, -0.2):
        with pytest.raises(ConfigError):
            data.digits(test_fraction=bad)


# --------------------------------------------------------------------------- corruption


@pytest.mark.parametrize("fraction", [0.0, 0.25, 1 / 3, 0.5, 1.0])
def test_corrupt_labels_changes_exactly_round_f_n_positions(fraction):
    n, num_classes = 999, 10
    # Label 10 is outside the classes 0..9 that replacements are drawn from, so every selected
    # position changes and the number of changed positions is the number selected.
    labels = torch.full((n,), num_classes, dtype=torch.int64)
    before = labels.clone()
    out = data.corrupt_labels(labels, fraction, num_classes, gen(0))
    assert torch.equal(labels, before), "the input must not be modified"
    changed = out != labels
    assert changed.sum().item() == round(fraction * n)
    assert torch.all((out[changed] >= 0) & (out[changed] < num_classes))


def test_corrupt_labels_full_keeps_about_one_in_num_classes():
    n, num_classes = 20_000, 10
    labels = torch.arange(n) % num_classes
    out = data.corrupt_labels(labels, 1.0, num_classes, gen(1))
    still_right = (out == labels).float().mean().item()
    # Binomial(20000, 0.1): standard deviation 0.0021.
    assert abs(still_right - 1 / num_classes) < 0.01
    # Replacements are uniform over classes.
    counts = torch.bincount(out, minlength=num_classes).double() / n
    assert (counts - 1 / num_classes).abs().max().item() < 0.01


def test_corrupt_labels_zero_is_identity_and_seeded():
    labels = torch.randint(0, 5, (300,), generator=gen(2))
    torch.testing.assert_close(data.corrupt_labels(labels, 0.0, 5, gen(3)), labels)
    a = data.corrupt_labels(labels, 0.4, 5, gen(4))
    b = data.corrupt_labels(labels, 0.4, 5, gen(4))
    assert torch.equal(a, b)


@pytest.mark.parametrize("fraction", [-0.1, 1.01, 2.0])
def test_corrupt_labels_rejects_fraction_outside_unit_interval(fraction):
    with pytest.raises(ConfigError):
        data.corrupt_labels(torch.zeros(10, dtype=torch.int64), fraction, 10, gen(0))


def test_gaussian_inputs_match_per_feature_statistics():
    n = 40_000
    means = torch.tensor([0.0, 5.0, -3.0, 0.5])
    stds = torch.tensor([1.0, 0.1, 4.0, 2.0])
    x = torch.rand(n, 4, generator=gen(5)) * stds * 12**0.5 + means  # uniform, not Gaussian
    noise = data.gaussian_inputs(x, gen(6))
    assert noise.shape == x.shape and noise.dtype == x.dtype
    # Mean within 5 standard errors, std within 2%.
    standard_error = float(stds.max() / n**0.5)
    torch.testing.assert_close(noise.mean(0), x.mean(0), rtol=0, atol=5 * standard_error)
    torch.testing.assert_close(noise.std(0), x.std(0), rtol=0.02, atol=0)
    # Independent of the inputs: correlation with x is ~0.
    corr = ((noise - noise.mean(0)) * (x - x.mean(0))).mean(0) / (noise.std(0) * x.std(0))
    assert corr.abs().max().item() < 0.03


def test_gaussian_inputs_are_normal_not_just_moment_matched():
    # Uniform inputs with very different scales; standardized by the inputs' own mean and std,
    # every noise feature should be N(0, 1) (Kolmogorov-Smirnov), and a uniform with the same
    # moments should be rejected by the same test.
    n = 20_000
    x = torch.rand(n, 3, generator=gen(8), dtype=torch.float64) * torch.tensor([1.0, 10.0, 0.1])
    x = x + torch.tensor([0.0, -4.0, 7.0])
    noise = data.gaussian_inputs(x, gen(9))
    z = ((noise - x.mean(0)) / x.std(0)).numpy()
    for feature in range(3):
        assert stats.kstest(z[:, feature], "norm").pvalue > 1e-3
    uniform = ((x - x.mean(0)) / x.std(0)).numpy()
    assert stats.kstest(uniform[:, 0], "norm").pvalue < 1e-6


def test_split_validation_sizes_and_disjointness():
    n = 101
    y = torch.arange(n)
    x = torch.stack([y.float(), -y.float()], dim=1)
    x_fit, y_fit, x_val, y_val = data.split_validation(x, y, 0.2, gen(7))
    assert len(y_val) == round(0.2 * n) and len(y_fit) == n - round(0.2 * n)
    assert set(y_fit.tolist()).isdisjoint(y_val.tolist())
    assert sorted(y_fit.tolist() + y_val.tolist()) == list(range(n))
    torch.testing.assert_close(x_fit[:, 0], y_fit.float())
    torch.testing.assert_close(x_val[:, 1], -y_val.float())
    for bad in (0.0, 1.0, 1.5):
        with pytest.raises(ConfigError):
            data.split_validation(x, y, bad, gen(0))


# --------------------------------------------------------------------------- torchvision


def test_torchvision_dataset_without_torchvision(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "torchvision", None)  # import fails as if not installed
    with pytest.raises(DatasetUnavailableError) as info:
        data.torchvision_dataset("MNIST", tmp_path)
    message = str(info.value)
    assert "torchvision" in message and "pip install" in message and "quick profile" in message
    assert isinstance(info.value, FileNotFoundError)


def test_torchvision_dataset_unknown_name(tmp_path):
    with pytest.raises(ConfigError) as info:
        data.torchvision_dataset("imagenet", tmp_path)
    assert "cifar10, mnist" in str(info.value)
