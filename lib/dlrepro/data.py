"""Offline datasets as tensors that live on the training device.

Quick and smoke profiles use data that is generated or bundled with a package, so nothing is
downloaded at run time:

* MNIST-1D (Greydanus & Kobak, 2024, *Scaling down deep learning with MNIST-1D*), generated
  procedurally by ``mnist1d.data.make_dataset`` and cached on disk by its arguments;
* scikit-learn's 8x8 handwritten digits (UCI optical digits);
* label corruption and random inputs in the sense of Zhang et al. (2017), *Understanding deep
  learning requires rethinking generalization*;
* a long-tailed mixture of small labelled subpopulations with the exact expected mass of those
  seen once (Feldman, 2020, *Does learning require memorization? A short tale about a long
  tail*): :func:`subpopulation_mixture`, :func:`expected_mass_seen`;
* label dilution, clean examples outnumbered by fresh inputs with uniformly random labels
  (Rolnick et al., 2017, *Deep Learning is Robust to Massive Label Noise*): :func:`dilute_labels`.
* modular arithmetic tables, every pair ``(a, b)`` once with the label ``a op b mod p``, split
  exactly by a training fraction (Power et al., 2022, *Grokking*): :func:`modular_arithmetic`.
* Gaussian clones, one Gaussian per class with that class's mean and covariance (Refinetti,
  Ingrosso & Goldt, 2023, *Neural networks trained with SGD learn distributions of increasing
  complexity*): :func:`class_gaussians`, :func:`gaussian_clone`.

Real image sets (MNIST, CIFAR-10) are for the full profile only and need torchvision plus the
files on disk; :func:`torchvision_dataset` says what is missing and how to get it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
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
    "SubpopulationMixture",
    "zipf_frequencies",
    "expected_mass_seen",
    "subpopulation_mixture",
    "mnist1d_cache_file",
    "dilute_labels",
    "ClassGaussians",
    "class_gaussians",
    "gaussian_clone",
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


MNIST1D_FIXED = ("num_samples", "train_split", "seed")  # set by mnist1d's own arguments


def _mnist1d_args(num_samples: int, train_split: float, seed: int,
                  overrides: Mapping[str, object] | None) -> dict:
    """The generator's full argument set: its defaults, the three arguments, the overrides."""
    from mnist1d.data import get_dataset_args

    args = get_dataset_args(as_dict=True)
    args.pop("url", None)
    overrides = dict(overrides or {})
    known = sorted(set(args) - set(MNIST1D_FIXED))
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        raise ConfigError(f"mnist1d: unknown generator argument(s) {unknown}; the overrides "
                          f"known here are {known} (num_samples, train_split and seed are "
                          f"mnist1d's own arguments)")
    args.update(overrides)
    args.update(num_samples=int(num_samples), train_split=float(train_split), seed=int(seed))
    return args


def mnist1d_cache_file(num_samples: int = 4000, train_split: float = 0.8, seed: int = 42,
                       overrides: Mapping[str, object] | None = None) -> Path:
    """Where :func:`mnist1d` caches the arrays of these arguments: a file named by a hash of the
    generator's full argument set, so every override gives its own file."""
    args = _mnist1d_args(num_samples, train_split, seed, overrides)
    key = hashlib.sha256(json.dumps(args, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir() / f"mnist1d-{key}.npz"


def mnist1d(
    num_samples: int = 4000,
    train_split: float = 0.8,
    seed: int = 42,
    device: torch.device | str = "cpu",
    overrides: Mapping[str, object] | None = None,
) -> Dataset:
    """MNIST-1D generated offline: 10 classes of 40-sample 1-D signals.

    The generator's defaults are kept except ``num_samples``, ``train_split``, ``seed`` and the
    generator arguments named in ``overrides`` (``{"shear_scale": 0.2}``, ...: any key of
    ``mnist1d.data.get_dataset_args``; an unknown name is a :class:`ConfigError`). The arrays
    are cached in :func:`cache_dir` under a hash of the full argument set
    (:func:`mnist1d_cache_file`), so a second call with the same arguments costs a file read.
    The package's downloader is never used.
    """
    if num_samples < 10 or num_samples % 10:
        raise ConfigError(
            f"mnist1d: num_samples must be a positive multiple of 10, got {num_samples}")
    if not 0.0 < train_split < 1.0:
        raise ConfigError(f"mnist1d: train_split must lie in (0, 1), got {train_split}")
    from mnist1d.data import make_dataset

    args = _mnist1d_args(num_samples, train_split, seed, overrides)
    path = mnist1d_cache_file(num_samples, train_split, seed, overrides)
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


def dilute_labels(
    x: torch.Tensor, y: torch.Tensor, noise_inputs: torch.Tensor, alpha: float,
    num_classes: int, generator: torch.Generator,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Dilute a clean training set with ``alpha`` noisy examples per clean one.

    Rolnick et al. (2017), *Deep Learning is Robust to Massive Label Noise*: the clean examples
    keep their labels and ``round(alpha * n)`` further inputs, the first rows of
    ``noise_inputs`` (fresh inputs, not copies of clean ones), get labels drawn uniformly from
    all ``num_classes`` classes. Returns ``x, y, is_clean``: the clean rows first, then the
    noisy ones (training shuffles them), and a boolean mask of the clean rows.
    """
    if not alpha >= 0:
        raise ConfigError(f"dilute_labels: alpha must be >= 0, got {alpha}")
    n = y.shape[0]
    n_noisy = int(round(alpha * n))
    if noise_inputs.shape[0] < n_noisy or noise_inputs.shape[1:] != x.shape[1:]:
        raise ConfigError(f"dilute_labels: alpha {alpha:g} x {n} clean examples needs {n_noisy} "
                          f"noise inputs of shape {tuple(x.shape[1:])}, got "
                          f"{tuple(noise_inputs.shape)}")
    labels = torch.randint(num_classes, (n_noisy,), generator=generator, device=generator.device)
    x_out = torch.cat([x, noise_inputs[:n_noisy].to(x.device, x.dtype)])
    y_out = torch.cat([y, labels.to(y.device, y.dtype)])
    is_clean = torch.zeros(n + n_noisy, dtype=torch.bool, device=y.device)
    is_clean[:n] = True
    return x_out, y_out, is_clean


@dataclass(frozen=True)
class ClassGaussians:
    """One Gaussian per class, fitted by :func:`class_gaussians`: ``means`` ``(C, d)`` and
    ``covariances`` ``(C, d, d)``, float64 on the source's device; ``covariance`` says which
    kind (``"full"``: the class's own covariance; ``"isotropic"``: ``(tr(Sigma_c) / d) I``)."""

    means: torch.Tensor
    covariances: torch.Tensor
    covariance: str

    @property
    def num_classes(self) -> int:
        return self.means.shape[0]

    def sample(self, labels: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """One draw per entry of ``labels`` from its class's Gaussian, shaped like the source's
        rows and float32 on the labels' device. The square root of each covariance comes from
        its eigendecomposition (eigenvalues clipped at 0), which is exact for a singular one."""
        values, vectors = torch.linalg.eigh(self.covariances)
        roots = vectors * values.clamp_min(0).sqrt().unsqueeze(1)  # (C, d, d): R R^T = Sigma
        noise = torch.randn((labels.shape[0], self.means.shape[1]), generator=generator,
                            device=generator.device, dtype=torch.float64).to(self.means.device)
        lab = labels.to(self.means.device)
        x = self.means[lab] + torch.einsum("nij,nj->ni", roots[lab], noise)
        return x.to(device=labels.device, dtype=torch.float32)

    def log_density(self, x: torch.Tensor) -> torch.Tensor:
        """``(N, C)`` log-density of each row of ``x`` under each class's Gaussian (the
        quadratic discriminant of the fitted mixture: its argmax is the Bayes classifier of the
        clone under equal class priors)."""
        x = x.reshape(x.shape[0], -1).to(self.means.device, torch.float64)
        chol = torch.linalg.cholesky(self.covariances)  # (C, d, d)
        diff = (x.unsqueeze(0) - self.means.unsqueeze(1)).transpose(1, 2)  # (C, d, N)
        z = torch.linalg.solve_triangular(chol, diff, upper=False)
        logdet = 2 * torch.log(torch.diagonal(chol, dim1=1, dim2=2)).sum(1)  # (C,)
        d = self.means.shape[1]
        out = -0.5 * (z.pow(2).sum(1) + logdet.unsqueeze(1) + d * np.log(2 * np.pi))
        return out.T


def class_gaussians(x: torch.Tensor, y: torch.Tensor, num_classes: int,
                    covariance: str = "full") -> ClassGaussians:
    """Fit one Gaussian per class to ``(x, y)``: the class mean and, for ``covariance="full"``,
    the unbiased class covariance (divisor ``n_c - 1``, as :func:`numpy.cov`); for
    ``"isotropic"`` the same mean with ``(tr(Sigma_c) / d) I``, the class's average variance
    per feature, so a clone keeps each class's mean and total variance but no correlations.

    The Gaussian clones of Refinetti, Ingrosso & Goldt (2023), *Neural networks trained with
    SGD learn distributions of increasing complexity*: a data set that matches the real one in
    its class means and covariances and in nothing of higher order.
    """
    if covariance not in ("full", "isotropic"):
        raise ConfigError(f"class_gaussians: covariance must be 'full' or 'isotropic', got "
                          f"{covariance!r}")
    flat = x.reshape(x.shape[0], -1).to(torch.float64)
    d = flat.shape[1]
    means, covs = [], []
    for c in range(num_classes):
        rows = flat[y == c]
        if rows.shape[0] < 2:
            raise ConfigError(f"class_gaussians: class {c} has {rows.shape[0]} example(s); a "
                              f"covariance needs at least 2")
        mean = rows.mean(0)
        centred = rows - mean
        cov = centred.T @ centred / (rows.shape[0] - 1)
        if covariance == "isotropic":
            cov = torch.eye(d, dtype=torch.float64, device=flat.device) * (cov.trace() / d)
        means.append(mean)
        covs.append(cov)
    return ClassGaussians(torch.stack(means), torch.stack(covs), covariance)


def gaussian_clone(x: torch.Tensor, y: torch.Tensor, num_classes: int, labels: torch.Tensor,
                   generator: torch.Generator,
                   covariance: str = "full") -> tuple[torch.Tensor, ClassGaussians]:
    """A Gaussian clone of the data ``(x, y)``: for each entry of ``labels`` one input drawn
    from that class's Gaussian fitted to ``(x, y)`` (:func:`class_gaussians`), shaped like a
    row of ``x``. Returns the clone's inputs and the fitted parameters (Refinetti, Ingrosso &
    Goldt, 2023)."""
    fitted = class_gaussians(x, y, num_classes, covariance)
    return fitted.sample(labels, generator).reshape(labels.shape[0], *x.shape[1:]), fitted


def zipf_frequencies(count: int, exponent: float = 1.0) -> np.ndarray:
    """Zipf frequencies ``p_k`` proportional to ``k ** -exponent`` for ``k = 1..count``, summing
    to 1: the long-tailed subpopulation frequencies of Feldman (2020)."""
    if count < 1 or not exponent >= 0:
        raise ConfigError(f"zipf_frequencies: need count >= 1 and exponent >= 0, got {count}, "
                          f"{exponent}")
    weights = np.arange(1, count + 1, dtype=np.float64) ** -float(exponent)
    return weights / weights.sum()


def expected_mass_seen(frequencies: np.ndarray, n: int, times: int = 1) -> float:
    """Expected total frequency of the subpopulations that appear exactly ``times`` times among
    ``n`` independent draws: ``sum_k p_k * C(n, times) p_k**times (1 - p_k)**(n - times)``.

    With ``times=1`` this is Feldman's (2020) singleton mass ``sum_k p_k * n p_k (1-p_k)**(n-1)``,
    the test mass a learner that does not fit the examples seen once stands to lose.
    """
    from scipy.stats import binom

    p = np.asarray(frequencies, dtype=np.float64)
    if p.ndim != 1 or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
        raise ConfigError("expected_mass_seen: frequencies must be a 1-D distribution")
    if n < 1 or not 0 <= times <= n:
        raise ConfigError(f"expected_mass_seen: need n >= 1 and 0 <= times <= n, got {n}, {times}")
    return float(np.sum(p * binom.pmf(times, n, p)))


@dataclass(frozen=True)
class SubpopulationMixture:
    """A draw of :func:`subpopulation_mixture`: tensors on one device plus the generator's truth.

    ``x_test`` holds ``test_per_subpopulation`` fresh points of every subpopulation in order
    (subpopulation ``k`` at rows ``k * r ... (k + 1) * r - 1``), so the population accuracy is
    the frequency-weighted mean of per-subpopulation accuracies. ``counts[k]`` is how often
    subpopulation ``k`` occurs in the training set, ``source[i]`` the subpopulation of training
    example ``i``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    source: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    frequencies: np.ndarray
    labels: np.ndarray
    counts: np.ndarray
    num_classes: int
    test_per_subpopulation: int

    @property
    def num_subpopulations(self) -> int:
        return len(self.frequencies)

    def mass_seen(self, times: int) -> float:
        """Total frequency of the subpopulations that this training set holds ``times`` times."""
        return float(self.frequencies[self.counts == times].sum())

    def expected_mass_seen(self, times: int = 1) -> float:
        """Its expectation over training sets of this size (:func:`expected_mass_seen`)."""
        return expected_mass_seen(self.frequencies, int(self.counts.sum()), times)


def subpopulation_mixture(
    num_subpopulations: int,
    train_size: int,
    frequencies: str | np.ndarray = "zipf",
    dim: int = 20,
    num_classes: int = 10,
    spread: float = 0.1,
    test_per_subpopulation: int = 10,
    seed: int = 0,
    device: torch.device | str = "cpu",
) -> SubpopulationMixture:
    """Feldman's (2020) long-tail model as data: many small subpopulations, each a tight Gaussian
    cluster in ``dim`` dimensions around a centre drawn from N(0, I), each with one label drawn
    uniformly from ``num_classes`` classes independently of everything else (so neighbouring
    clusters say nothing about a cluster's label). ``frequencies`` is ``"zipf"`` (``p_k ~ 1/k``),
    ``"uniform"`` or an explicit distribution. The ``train_size`` training points draw their
    subpopulation i.i.d. from the frequencies; points are ``centre + spread * N(0, I)``.
    """
    if num_subpopulations < 1 or train_size < 1 or dim < 1 or num_classes < 2:
        raise ConfigError("subpopulation_mixture: need num_subpopulations, train_size, dim >= 1 "
                          "and num_classes >= 2")
    if not spread >= 0 or test_per_subpopulation < 1:
        raise ConfigError("subpopulation_mixture: need spread >= 0 and test_per_subpopulation >= 1")
    if isinstance(frequencies, str):
        if frequencies == "zipf":
            p = zipf_frequencies(num_subpopulations)
        elif frequencies == "uniform":
            p = np.full(num_subpopulations, 1.0 / num_subpopulations)
        else:
            raise ConfigError(f"subpopulation_mixture: frequencies must be 'zipf', 'uniform' or "
                              f"an array, got {frequencies!r}")
    else:
        p = np.asarray(frequencies, dtype=np.float64)
        if p.shape != (num_subpopulations,) or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
            raise ConfigError("subpopulation_mixture: frequencies must be a distribution over "
                              "the num_subpopulations subpopulations")
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((num_subpopulations, dim))
    labels = rng.integers(num_classes, size=num_subpopulations)
    source = rng.choice(num_subpopulations, size=train_size, p=p)
    x_train = centres[source] + spread * rng.standard_normal((train_size, dim))
    test_source = np.repeat(np.arange(num_subpopulations), test_per_subpopulation)
    x_test = centres[test_source] + spread * rng.standard_normal((len(test_source), dim))
    counts = np.bincount(source, minlength=num_subpopulations)
    as_x = lambda a: torch.as_tensor(a, dtype=torch.float32, device=device)  # noqa: E731
    as_y = lambda a: torch.as_tensor(a, dtype=torch.int64, device=device)  # noqa: E731
    return SubpopulationMixture(as_x(x_train), as_y(labels[source]), as_y(source), as_x(x_test),
                                as_y(labels[test_source]), p, labels, counts, num_classes,
                                test_per_subpopulation)


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


MODULAR_OPS = {
    "+": lambda a, b, p: (a + b) % p,
    "-": lambda a, b, p: (a - b) % p,
    "*": lambda a, b, p: (a * b) % p,
}


@dataclass(frozen=True)
class ModularArithmetic:
    """Every pair of residues once: ``a``, ``b`` and ``y = a op b mod p`` (each ``(p * p,)``),
    ``x`` the concatenated one-hot codes of ``a`` and ``b`` (``(p * p, 2p)``), and one exact
    train/test split by fraction per row of ``train`` (``(splits, p * p)`` booleans)."""

    p: int
    op: str
    a: torch.Tensor
    b: torch.Tensor
    x: torch.Tensor
    y: torch.Tensor
    train: torch.Tensor

    @property
    def test(self) -> torch.Tensor:
        """The complement of ``train``: the held-out pairs of each split."""
        return ~self.train


def modular_arithmetic(
    p: int, fractions: float | list[float] | tuple[float, ...], generators: list[torch.Generator],
    op: str = "+", device: torch.device | str = "cpu",
) -> ModularArithmetic:
    """The table of ``a op b mod p`` for all ``p * p`` pairs, as in Power et al. (2022),
    *Grokking: Generalization Beyond Overfitting on Small Algorithmic Datasets*.

    One split per generator: ``round(fraction * p * p)`` pairs drawn without replacement for
    training, the rest for testing. ``fractions`` is one fraction for all splits or one per
    generator. The inputs are shared by all splits, so stacked models train on one tensor with
    a mask each (``op`` is ``"+"``, ``"-"`` or ``"*"``).
    """
    if not isinstance(p, int) or isinstance(p, bool) or p < 2:
        raise ConfigError(f"modular_arithmetic: p must be an integer >= 2, got {p!r}")
    if op not in MODULAR_OPS:
        raise ConfigError(f"modular_arithmetic: op must be one of {sorted(MODULAR_OPS)}, "
                          f"got {op!r}")
    if not generators:
        raise ConfigError("modular_arithmetic: give at least one generator (one split each)")
    if isinstance(fractions, (int, float)):
        fractions = [float(fractions)] * len(generators)
    if len(fractions) != len(generators):
        raise ConfigError(f"modular_arithmetic: {len(fractions)} fractions for "
                          f"{len(generators)} generators")
    n = p * p
    train = torch.zeros(len(generators), n, dtype=torch.bool)
    for row, (fraction, generator) in enumerate(zip(fractions, generators)):
        count = int(round(fraction * n))
        if not 0 < count < n:
            raise ConfigError(f"modular_arithmetic: fraction {fraction!r} leaves no training or "
                              f"no test pair of the {n}")
        order = torch.randperm(n, generator=generator, device=generator.device).cpu()
        train[row, order[:count]] = True
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    x = torch.cat([torch.nn.functional.one_hot(a, p), torch.nn.functional.one_hot(b, p)], 1)
    y = MODULAR_OPS[op](a, b, p)
    return ModularArithmetic(p, op, a.to(device), b.to(device), x.float().to(device),
                             y.to(device), train.to(device))
