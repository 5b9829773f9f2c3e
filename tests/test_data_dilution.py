"""Label dilution (Rolnick et al., 2017) and MNIST-1D generator overrides in dlrepro.data."""

import numpy as np
import pytest
import torch
from scipy.stats import chisquare

from dlrepro import data
from dlrepro.errors import ConfigError


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DLREPRO_CACHE", str(tmp_path / "cache"))


def _clean(n=50, features=4):
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, features, generator=g), torch.randint(10, (n,), generator=g)


def test_dilution_counts_and_clean_rows_kept():
    x, y = _clean(50)
    noise = torch.randn(400, 4, generator=torch.Generator().manual_seed(1))
    xd, yd, is_clean = data.dilute_labels(x, y, noise, 7, 10, torch.Generator().manual_seed(2))
    assert xd.shape == (50 * 8, 4) and yd.shape == (400,) and is_clean.shape == (400,)
    assert int(is_clean.sum()) == 50
    assert torch.equal(xd[is_clean], x) and torch.equal(yd[is_clean], y)
    # The noisy rows are the first 350 noise inputs, fresh rather than copies of clean ones.
    assert torch.equal(xd[~is_clean], noise[:350])
    assert yd.dtype == y.dtype and xd.dtype == x.dtype


def test_dilution_alpha_zero_and_fractional_alpha():
    x, y = _clean(40)
    noise = torch.randn(100, 4)
    xd, yd, is_clean = data.dilute_labels(x, y, noise, 0, 10, torch.Generator().manual_seed(0))
    assert torch.equal(xd, x) and torch.equal(yd, y) and bool(is_clean.all())
    xd, _, is_clean = data.dilute_labels(x, y, noise, 2.5, 10, torch.Generator().manual_seed(0))
    assert xd.shape[0] == 40 + 100 and int((~is_clean).sum()) == 100


def test_noisy_labels_are_uniform():
    x, y = _clean(100)
    noise = torch.zeros(100 * 200, 4)
    _, yd, is_clean = data.dilute_labels(x, y, noise, 200, 10, torch.Generator().manual_seed(3))
    counts = np.bincount(yd[~is_clean].numpy(), minlength=10)
    assert counts.sum() == 20_000 and counts.min() > 0
    # Uniform over the 10 classes: a chi-square test with a fixed generator does not reject,
    # and every class count is within 5% of 2,000.
    assert chisquare(counts).pvalue > 0.01
    assert np.all(np.abs(counts - 2000) < 100)


def test_noisy_labels_ignore_the_noise_inputs_class():
    # Noise inputs drawn from the data distribution keep no signal: labels agree with the
    # inputs' own class at the chance rate 1/10.
    ds = data.mnist1d(2000, seed=5)
    x, y = ds.x_train[:100], ds.y_train[:100]
    noise, noise_class = ds.x_train[100:], ds.y_train[100:]
    _, yd, is_clean = data.dilute_labels(x, y, noise, 15, 10, torch.Generator().manual_seed(4))
    agree = (yd[~is_clean] == noise_class[:1500]).float().mean().item()
    assert abs(agree - 0.1) < 0.03


def test_dilution_refuses_too_few_noise_inputs_and_negative_alpha():
    x, y = _clean(10)
    with pytest.raises(ConfigError, match="needs 30 noise inputs"):
        data.dilute_labels(x, y, torch.randn(29, 4), 3, 10, torch.Generator())
    with pytest.raises(ConfigError, match="shape"):
        data.dilute_labels(x, y, torch.randn(30, 5), 3, 10, torch.Generator())
    with pytest.raises(ConfigError, match="alpha"):
        data.dilute_labels(x, y, torch.randn(30, 4), -1, 10, torch.Generator())


def test_override_cache_key_same_arguments_same_file():
    a = data.mnist1d_cache_file(200, 0.8, 3, {"shear_scale": 0.2})
    b = data.mnist1d_cache_file(200, 0.8, 3, {"shear_scale": 0.2})
    assert a == b
    first = data.mnist1d(200, 0.8, 3, overrides={"shear_scale": 0.2})
    assert a.exists()
    mtime = a.stat().st_mtime_ns
    second = data.mnist1d(200, 0.8, 3, overrides={"shear_scale": 0.2})
    assert a.stat().st_mtime_ns == mtime  # read from the cache, not generated again
    assert torch.equal(first.x_train, second.x_train) and torch.equal(first.y_test,
                                                                       second.y_test)


def test_no_override_keeps_the_old_key_and_default_values_change_nothing():
    plain = data.mnist1d_cache_file(200, 0.8, 3)
    assert plain == data.mnist1d_cache_file(200, 0.8, 3, {})
    # Overriding an argument with its default value is the same generator, the same file.
    assert plain == data.mnist1d_cache_file(200, 0.8, 3, {"shear_scale": 0.75})


def test_one_changed_argument_changes_the_file_and_only_what_it_implies():
    base = data.mnist1d(300, 0.8, 4)
    shuffled = data.mnist1d(300, 0.8, 4, overrides={"shuffle_seq": True})
    assert data.mnist1d_cache_file(300, 0.8, 4) != data.mnist1d_cache_file(
        300, 0.8, 4, {"shuffle_seq": True})
    # shuffle_seq permutes the 40 positions of every signal with one permutation drawn after
    # everything else: the labels are identical and x is a column permutation of the default.
    assert torch.equal(base.y_train, shuffled.y_train) and torch.equal(base.y_test,
                                                                       shuffled.y_test)
    assert not torch.equal(base.x_train, shuffled.x_train)
    cols_base = base.x_train.T.numpy()
    cols_shuffled = shuffled.x_train.T.numpy()
    match = [int(np.flatnonzero((np.abs(cols_base - c) < 1e-6).all(axis=1))[0])
             for c in cols_shuffled]
    assert sorted(match) == list(range(40))
    assert torch.allclose(shuffled.x_test, base.x_test[:, match])


def test_an_override_changes_the_named_generator_setting():
    # Without correlated noise, shear and translation the signals of one class are much closer
    # to each other: the within-class spread falls.
    def spread(ds):
        x, y = ds.x_train.numpy(), ds.y_train.numpy()
        return np.mean([x[y == k].std(axis=0).mean() for k in range(10)])

    default = data.mnist1d(400, 0.8, 6)
    easy = data.mnist1d(400, 0.8, 6, overrides={"corr_noise_scale": 0.0, "shear_scale": 0.0,
                                                "max_translation": 1})
    assert spread(easy) < 0.8 * spread(default)


def test_unknown_override_is_a_clear_error():
    with pytest.raises(ConfigError, match="unknown generator argument.*shear_scal'.*known"):
        data.mnist1d(200, overrides={"shear_scal": 0.1})
    with pytest.raises(ConfigError, match="seed"):
        data.mnist1d_cache_file(200, overrides={"seed": 1})
