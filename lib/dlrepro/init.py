"""Weight initializers, applied in place to every weight layer of a model.

Each ``*_`` function walks the model's ``nn.Linear`` / ``nn.Conv1d`` / ``nn.Conv2d`` layers in
forward order (:func:`weight_layers`), overwrites their weights, zeroes their biases (unless
stated otherwise) and returns the model.

* :func:`scaled_gaussian_`: i.i.d. ``N(0, std^2)``, the "small random" baseline of many papers.
* :func:`glorot_`: Glorot & Bengio (2010), uniform with variance ``2 / (fan_in + fan_out)``.
* :func:`he_`: He et al. (2015), ``N(0, 2 / fan_in)`` for ReLU networks.
* :func:`orthogonal_`: random orthogonal matrices (Saxe, McClelland & Ganguli, 2014).
* :func:`lsuv_`: layer-sequential unit variance (Mishkin & Matas, 2016, *All you need is a good
  init*): orthogonal, then each layer rescaled on a batch until its output variance is 1.
* :func:`zero_`: ZerO (Zhao et al., 2022): identity, partial identity or a scaled Hadamard
  matrix, and zeros at the end of every residual branch; no randomness at all.
* :func:`edge_of_chaos_`: ``N(0, sigma_w^2 / fan_in)`` weights and ``N(0, sigma_b^2)`` biases,
  with ``(sigma_w, sigma_b)`` read from the mean-field maps below (Poole et al., 2016;
  Schoenholz et al., 2017; Hayou, Doucet & Rousseau, 2019).

The mean-field functions take an activation name from :data:`dlrepro.models.ACTIVATIONS` and
compute the Gaussian expectations by Gauss-Hermite quadrature in float64.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.models import ResidualBlock, activation

__all__ = [
    "weight_layers",
    "fans",
    "scaled_gaussian_",
    "glorot_",
    "he_",
    "orthogonal_",
    "lsuv_",
    "hadamard",
    "zero_matrix",
    "zero_",
    "edge_of_chaos_",
    "variance_map",
    "variance_fixed_point",
    "correlation_map",
    "correlation_fixed_point",
    "chi",
    "edge_of_chaos",
    "correlation_depth_scale",
]

WEIGHT_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d)
_QUADRATURE_POINTS = 100  # even: no node at 0, where ReLU has a kink


def weight_layers(model: nn.Module) -> list[nn.Module]:
    """The model's linear and convolutional layers, in the order they were registered."""
    found = [m for m in model.modules() if isinstance(m, WEIGHT_LAYERS)]
    if not found:
        raise ConfigError(f"{type(model).__name__} has no Linear or Conv layer to initialize")
    return found


def fans(weight: torch.Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a ``(out, in, *kernel)`` weight."""
    receptive = math.prod(weight.shape[2:])
    return weight.shape[1] * receptive, weight.shape[0] * receptive


def _zero_bias(layer: nn.Module) -> None:
    if layer.bias is not None:
        layer.bias.zero_()


@torch.no_grad()
def scaled_gaussian_(model: nn.Module, std: float,
                     generator: torch.Generator | None = None) -> nn.Module:
    """Every weight i.i.d. ``N(0, std^2)`` whatever the layer's size; biases zero."""
    if std < 0:
        raise ConfigError(f"scaled_gaussian_: std must be >= 0, got {std}")
    for layer in weight_layers(model):
        layer.weight.normal_(0.0, std, generator=generator)
        _zero_bias(layer)
    return model


@torch.no_grad()
def glorot_(model: nn.Module, generator: torch.Generator | None = None) -> nn.Module:
    """Glorot & Bengio (2010): ``U(-a, a)`` with ``a = sqrt(6 / (fan_in + fan_out))``."""
    for layer in weight_layers(model):
        fan_in, fan_out = fans(layer.weight)
        bound = math.sqrt(6.0 / (fan_in + fan_out))
        layer.weight.uniform_(-bound, bound, generator=generator)
        _zero_bias(layer)
    return model


@torch.no_grad()
def he_(model: nn.Module, generator: torch.Generator | None = None) -> nn.Module:
    """He et al. (2015): ``N(0, 2 / fan_in)``, which keeps ReLU pre-activations' variance."""
    for layer in weight_layers(model):
        fan_in, _ = fans(layer.weight)
        layer.weight.normal_(0.0, math.sqrt(2.0 / fan_in), generator=generator)
        _zero_bias(layer)
    return model


@torch.no_grad()
def orthogonal_(model: nn.Module, gain: float = 1.0,
                generator: torch.Generator | None = None) -> nn.Module:
    """Saxe et al. (2014): each ``(out, fan_in)`` weight matrix has orthonormal rows or columns
    (whichever are fewer), times ``gain``; drawn uniformly (Haar) by torch's QR recipe."""
    for layer in weight_layers(model):
        nn.init.orthogonal_(layer.weight, gain=gain, generator=generator)
        _zero_bias(layer)
    return model


def _output_variance(model: nn.Module, layer: nn.Module, x: torch.Tensor) -> float:
    """Variance of ``layer``'s output when ``model`` runs on ``x``."""
    captured: list[torch.Tensor] = []
    hook = layer.register_forward_hook(lambda _m, _i, out: captured.append(out))
    try:
        model(x)
    finally:
        hook.remove()
    return captured[0].float().var().item()


@torch.no_grad()
def lsuv_(model: nn.Module, x: torch.Tensor, tol: float = 0.1, max_iter: int = 10,
          generator: torch.Generator | None = None) -> list[float]:
    """Mishkin & Matas (2016): orthogonal init, then, layer by layer from the input, divide
    the weights by the standard deviation of the layer's output on the batch ``x`` until that
    variance is within ``tol`` of 1, or ``max_iter`` tries. Returns each layer's final output
    variance (biases are zero, so one rescaling is exact for a single layer)."""
    if tol <= 0 or max_iter < 1:
        raise ConfigError(f"lsuv_: need tol > 0 and max_iter >= 1, got {tol}, {max_iter}")
    orthogonal_(model, generator=generator)
    variances = []
    for index, layer in enumerate(weight_layers(model)):
        variance = _output_variance(model, layer, x)
        for _ in range(max_iter):
            if abs(variance - 1.0) < tol:
                break
            if not variance > 0 or not math.isfinite(variance):
                raise ConfigError(f"lsuv_: layer {index} outputs variance {variance} on this "
                                  f"batch and cannot be rescaled; check the inputs")
            layer.weight.div_(math.sqrt(variance))
            variance = _output_variance(model, layer, x)
        variances.append(variance)
    return variances


def hadamard(size: int) -> torch.Tensor:
    """Sylvester's ``size x size`` Hadamard matrix of +-1 (``size`` a power of two)."""
    if size < 1 or size & (size - 1):
        raise ConfigError(f"hadamard: size must be a power of two, got {size}")
    matrix = torch.ones(1, 1)
    while matrix.shape[0] < size:
        matrix = torch.cat([torch.cat([matrix, matrix], 1), torch.cat([matrix, -matrix], 1)], 0)
    return matrix


def zero_matrix(out_features: int, in_features: int) -> torch.Tensor:
    """ZerO's deterministic ``(out, in)`` matrix (Zhao et al., 2022, Algorithm 1).

    Equal or shrinking width: the (partial) identity, which passes the first ``out`` inputs on.
    Growing width: ``c * H[:out, :in]`` with ``H`` the Hadamard matrix of size ``2^m``,
    ``m = ceil(log2 out)`` and ``c = 2^(-(m - 1) / 2)``, so that distinct outputs differ.
    """
    if out_features <= in_features:
        return torch.eye(out_features, in_features)
    m = math.ceil(math.log2(out_features))
    return 2.0 ** (-(m - 1) / 2) * hadamard(2**m)[:out_features, :in_features]


@torch.no_grad()
def zero_(model: nn.Module) -> nn.Module:
    """ZerO: every weight layer gets :func:`zero_matrix` (convolutions at the kernel's centre
    tap), except the last layer of each :class:`~dlrepro.models.ResidualBlock`'s branch, which
    is all zeros so that every block starts as the identity. Biases zero."""
    branch_ends = {id(block.branch[-1]) for block in model.modules()
                   if isinstance(block, ResidualBlock)}
    for layer in weight_layers(model):
        weight = layer.weight
        weight.zero_()
        _zero_bias(layer)
        if id(layer) in branch_ends:
            continue
        centre = tuple(k // 2 for k in weight.shape[2:])
        weight[(slice(None), slice(None), *centre)] = zero_matrix(*weight.shape[:2]).to(weight)
    return model


@torch.no_grad()
def edge_of_chaos_(model: nn.Module, sigma_w: float, sigma_b: float,
                   generator: torch.Generator | None = None) -> nn.Module:
    """Weights ``N(0, sigma_w^2 / fan_in)`` and biases ``N(0, sigma_b^2)``: the parametrization of
    the mean-field maps; on the edge of chaos when ``chi(sigma_w, sigma_b) == 1``."""
    if sigma_w < 0 or sigma_b < 0:
        raise ConfigError(f"edge_of_chaos_: sigmas must be >= 0, got {sigma_w}, {sigma_b}")
    for layer in weight_layers(model):
        fan_in, _ = fans(layer.weight)
        layer.weight.normal_(0.0, sigma_w / math.sqrt(fan_in), generator=generator)
        if layer.bias is not None:
            layer.bias.normal_(0.0, sigma_b, generator=generator)
    return model


# --- mean-field signal propagation --------------------------------------------------------

@functools.cache
def _nodes() -> tuple[torch.Tensor, torch.Tensor]:
    """Gauss-Hermite nodes and weights for expectations over a standard normal."""
    z, w = np.polynomial.hermite_e.hermegauss(_QUADRATURE_POINTS)
    return torch.from_numpy(z), torch.from_numpy(w / w.sum())


@functools.cache
def _phi(activation_name: str) -> Callable[[torch.Tensor], torch.Tensor]:
    return activation(activation_name).double()


def _phi_prime(activation_name: str, u: torch.Tensor) -> torch.Tensor:
    u = u.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(_phi(activation_name)(u).sum(), u)
    return grad


def variance_map(q: float, sigma_w: float, sigma_b: float, activation_name: str) -> float:
    """Next layer's pre-activation variance: ``sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2``."""
    z, w = _nodes()
    phi = _phi(activation_name)
    return float(sigma_w**2 * (w * phi(math.sqrt(q) * z) ** 2).sum() + sigma_b**2)


def variance_fixed_point(sigma_w: float, sigma_b: float, activation_name: str,
                         q0: float = 1.0, iterations: int = 500) -> float:
    """``q*`` by iterating :func:`variance_map` from ``q0``. Where there is none the variance
    grows without bound (a ReLU net with ``sigma_w^2 > 2``, or ``sigma_w^2 = 2`` and
    ``sigma_b > 0``, where it grows by ``sigma_b^2`` a layer), and this raises."""
    q = q0
    diverges = ConfigError(f"no finite variance fixed point for sigma_w={sigma_w}, "
                           f"sigma_b={sigma_b} with {activation_name}: the variance grows "
                           f"without bound")
    for _ in range(iterations):
        previous, q = q, variance_map(q, sigma_w, sigma_b, activation_name)
        if not math.isfinite(q) or q > 1e12:
            raise diverges
        if abs(q - previous) <= 1e-13 * max(q, 1e-300):
            return q
    if q - previous > 1e-8 * q:  # still growing after every iteration: no fixed point
        raise diverges
    return q  # converging slowly (towards q* = 0, e.g. tanh with sigma_b = 0)


def _pair(q: float, c: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    z, w = _nodes()
    z1, z2 = torch.meshgrid(z, z, indexing="ij")
    u1 = math.sqrt(q) * z1
    u2 = math.sqrt(q) * (c * z1 + math.sqrt(max(1.0 - c * c, 0.0)) * z2)
    return u1, u2, torch.outer(w, w)


def correlation_map(c: float, q: float, sigma_w: float, sigma_b: float,
                    activation_name: str) -> float:
    """Correlation of two inputs' pre-activations one layer on, both at variance ``q``.

    The covariance one layer on is divided by the incoming ``q``, not by the outgoing variance
    ``variance_map(q)``: the two agree at the fixed point ``q = q*``, where the correlation map of
    Poole et al. (2016) is defined, which is how :func:`correlation_fixed_point` uses it."""
    u1, u2, w = _pair(q, c)
    phi = _phi(activation_name)
    return float((sigma_w**2 * (w * phi(u1) * phi(u2)).sum() + sigma_b**2) / q)


def correlation_fixed_point(sigma_w: float, sigma_b: float, activation_name: str,
                            c0: float = 0.5, iterations: int = 500) -> float:
    """``c*`` by iterating :func:`correlation_map` at ``q*`` from ``c0``."""
    q = variance_fixed_point(sigma_w, sigma_b, activation_name)
    c = c0
    for _ in range(iterations):
        previous, c = c, min(correlation_map(c, q, sigma_w, sigma_b, activation_name), 1.0)
        if abs(c - previous) <= 1e-13:
            break
    return c


def chi(sigma_w: float, sigma_b: float, activation_name: str, c: float = 1.0) -> float:
    """Slope of the correlation map at ``c``: ``sigma_w^2 E[phi'(u1) phi'(u2)]`` at ``q*``.
    At ``c = 1`` it is the order parameter: < 1 ordered, > 1 chaotic, = 1 edge of chaos."""
    q = variance_fixed_point(sigma_w, sigma_b, activation_name)
    u1, u2, w = _pair(q, c)
    return float(sigma_w**2 * (w * _phi_prime(activation_name, u1)
                               * _phi_prime(activation_name, u2)).sum())


def edge_of_chaos(activation_name: str, sigma_b: float, low: float = 0.1, high: float = 4.0,
                  tol: float = 1e-8) -> float:
    """The ``sigma_w`` on the edge of chaos for a given ``sigma_b`` (``chi == 1``), by bisection.

    ReLU: ``sqrt(2)`` (only ``sigma_b = 0`` keeps a finite ``q*`` there); tanh at ``sigma_b = 0``:
    1 (Hayou, Doucet & Rousseau, 2019)."""
    def excess(sigma_w: float) -> float:
        try:
            return chi(sigma_w, sigma_b, activation_name) - 1.0
        except ConfigError:  # variance diverges: deep in the chaotic side
            return 1.0

    if excess(low) > 0 or excess(high) < 0:
        raise ConfigError(f"no edge of chaos for {activation_name} with sigma_b={sigma_b} "
                          f"between sigma_w={low} and {high}")
    while high - low > tol:
        middle = 0.5 * (low + high)
        low, high = (middle, high) if excess(middle) < 0 else (low, middle)
    return 0.5 * (low + high)


def correlation_depth_scale(sigma_w: float, sigma_b: float, activation_name: str) -> float:
    """Depth over which input correlations are forgotten, ``-1 / log chi(c*)`` (Schoenholz et
    al., 2017); infinite on the edge of chaos. Deep nets train when depth is a few multiples of
    it at most."""
    c_star = correlation_fixed_point(sigma_w, sigma_b, activation_name)
    slope = chi(sigma_w, sigma_b, activation_name, c=c_star)
    if abs(slope - 1.0) < 1e-9:
        return math.inf
    return -1.0 / math.log(slope)
