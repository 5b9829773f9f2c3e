"""Offline datasets as tensors that live on the training device.

Quick and smoke profiles use data that is generated or bundled with a package, so nothing is
downloaded at run time:

* MNIST-1D (Greydanus & Kobak, 2024, *Scaling down deep learning with MNIST-1D*), generated
  procedurally by ``mnist1d.data.make_dataset`` and cached on disk by its arguments;
* scikit-learn's 8x8 handwritten digits (UCI optical digits);
* label corruption and random inputs in the sense of Zhang et al. (2017), *Understanding deep
  learning requires rethinking generalization*.

Real image sets (MNIST, CIFAR-10) are for the full profile only and need torchvision plus the
files on disk; :func:`torchvision_dataset` says what is missing and how to get it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch

from dlrepro.errors import ConfigError, DatasetUnavailableError

__all__ = [
    "Dataset",
    "mnist1d",
    "digits",
    "corrupt_labels",
    "gaussian_inputs",
    "split_validation",
    "torchvision_dataset",
    "cache_dir",
]


@dataclass(frozen=True)
class Dataset:
    """Train and test tensors on one device. Inputs are float32, labels int64."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    num_classes: int

    @property
    def num_features(self) -> int:
        return int(np.prod(self.x_train.shape[1:]))

    def to(self, device: torch.device | str) -> Dataset:
        return replace(
            self,
            x_train=self.x_train.to(device),
            y_train=self.y_train.to(device),
            x_test=self.x_test.to(device),
            y_test=self.y_test.to(device),
        )


def cache_dir() -> Path:
    """Where generated data is cached: ``$DLREPRO_CACHE`` or ``~/.cache/dlrepro``."""
    root = os.environ.get("DLREPRO_CACHE") or Path.home() / ".cache" / "dlrepro"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _tensors(name, x_train, y_train, x_test, y_test, num_classes, device) -> Dataset:
    as_x = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.float32, device=device)  # noqa: E731
    as_y = lambda a: torch.as_tensor(np.asarray(a), dtype=torch.int64, device=device)  # noqa: E731
    return Dataset(name, as_x(x_train), as_y(y_train), as_x(x_test), as_y(y_test), num_classes)


def mnist1d(
    num_samples: int = 4000,
    train_split: float = 0.8,
    seed: int = 42,
    device: torch.device | str = "cpu",
) -> Dataset:
    """MNIST-1D generated offline: 10 classes of 40-sample 1-D signals.

    The generator's defaults are kept except ``num_samples``, ``train_split`` and ``seed``.
    The arrays are cached in :func:`cache_dir` under a hash of the full argument set, so a
    second call with the same arguments costs a file read. The package's downloader is never
    used.
    """
    if num_samples < 10 or num_samples % 10:
        raise ConfigError(
            f"mnist1d: num_samples must be a positive multiple of 10, got {num_samples}")
    if not 0.0 < train_split < 1.0:
        raise ConfigError(f"mnist1d: train_split must lie in (0, 1), got {train_split}")
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args(as_dict=True)
    args.update(num_samples=int(num_samples), train_split=float(train_split), seed=int(seed))
    args.pop("url", None)
    key = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]
    path = cache_dir() / f"mnist1d-{key}.npz"
    if not path.exists():
        from mnist1d.utils import ObjectView

        raw = make_dataset(ObjectView(dict(args)))
        tmp = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez(tmp, x=raw["x"], y=raw["y"], x_test=raw["x_test"], y_test=raw["y_test"])
        os.replace(tmp, path)
    with np.load(path) as arrays:
        return _tensors(
            "mnist1d", arrays["x"], arrays["y"], arrays["x_test"], arrays["y_test"], 10, device
        )


def digits(
    test_fraction: float = 0.25, seed: int = 0, device: torch.device | str = "cpu"
) -> Dataset:
    """scikit-learn's 8x8 digits (1,797 images), flattened, standardized on the train split."""
    if not 0.0 < test_fraction < 1.0:
        raise ConfigError(f"digits: test_fraction must lie in (0, 1), got {test_fraction}")
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(round(len(y) * test_fraction))
    test, train = order[:n_test], order[n_test:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0) + 1e-6
    x = (x - mean) / std
    return _tensors("digits", x[train], y[train], x[test], y[test], 10, device)


def corrupt_labels(
    labels: torch.Tensor, fraction: float, num_classes: int, generator: torch.Generator
) -> torch.Tensor:
    """Replace a ``fraction`` of the labels by labels drawn uniformly from all classes.

    Exactly ``round(fraction * n)`` positions are chosen without replacement; as in Zhang et
    al. (2017) a replacement may by chance equal the true label, so at ``fraction=1`` about
    ``1/num_classes`` of the labels are still right. The input is not modified.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ConfigError(f"corrupt_labels: fraction must lie in [0, 1], got {fraction}")
    n = labels.shape[0]
    n_corrupt = int(round(fraction * n))
    gen_device = generator.device
    positions = torch.randperm(n, generator=generator, device=gen_device)[:n_corrupt]
    random = torch.randint(num_classes, (n_corrupt,), generator=generator, device=gen_device)
    out = labels.clone()
    out[positions.to(labels.device)] = random.to(labels.device)
    return out


def gaussian_inputs(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Random inputs with the per-feature mean and standard deviation of ``x``.

    Zhang et al. (2017) replace every image by Gaussian noise of matching statistics; the
    labels are kept, so the network can only memorize.
    """
    mean, std = x.mean(dim=0), x.std(dim=0)
    noise = torch.randn(x.shape, generator=generator, device=generator.device, dtype=x.dtype)
    return noise.to(x.device) * std + mean


def split_validation(
    x: torch.Tensor, y: torch.Tensor, fraction: float, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Hold out a random ``fraction`` of (x, y): returns ``x_fit, y_fit, x_val, y_val``."""
    if not 0.0 < fraction < 1.0:
        raise ConfigError(f"split_validation: fraction must lie in (0, 1), got {fraction}")
    order = torch.randperm(y.shape[0], generator=generator, device=generator.device).to(y.device)
    n_val = int(round(fraction * y.shape[0]))
    val, fit = order[:n_val], order[n_val:]
    return x[fit], y[fit], x[val], y[val]


_TORCHVISION_SETS = {"mnist": "MNIST", "cifar10": "CIFAR10"}


def torchvision_dataset(
    name: str, root: str | os.PathLike, device: torch.device | str = "cpu"
) -> Dataset:
    """MNIST or CIFAR-10 from files already on disk (full profile only).

    Nothing is downloaded. When torchvision or the files are missing, the error says which and
    how to get them.
    """
    key = name.lower()
    if key not in _TORCHVISION_SETS:
        known = ", ".join(sorted(_TORCHVISION_SETS))
        raise ConfigError(f"unknown dataset {name!r}; the torchvision sets known here are: {known}")
    try:
        import torchvision
    except ImportError as error:
        raise DatasetUnavailableError(
            f"{name} needs torchvision, which is not installed. Install a torchvision that "
            f"matches your torch (pip install 'dlrepro[vision]'), or use the quick profile, "
            f"whose data is generated offline."
        ) from error
    cls = getattr(torchvision.datasets, _TORCHVISION_SETS[key])
    try:
        train = cls(root=str(root), train=True, download=False)
        test = cls(root=str(root), train=False, download=False)
    except RuntimeError as error:
        raise DatasetUnavailableError(
            f"{name} was not found under {Path(root).resolve()}. On a machine with internet, "
            f"run: python -c \"import torchvision; torchvision.datasets."
            f"{_TORCHVISION_SETS[key]}(root='{root}', download=True)\" and copy the folder "
            f"here, or pass another root."
        ) from error

    def arrays(split):
        x = np.asarray(split.data, dtype=np.float32) / 255.0
        x = x.reshape(len(x), -1) if x.ndim == 3 else x.transpose(0, 3, 1, 2)
        return x, np.asarray(split.targets)

    (x_train, y_train), (x_test, y_test) = arrays(train), arrays(test)
    mean, std = x_train.mean(), x_train.std()
    x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return _tensors(key, x_train, y_train, x_test, y_test, 10, device)
