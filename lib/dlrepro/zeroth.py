"""Zeroth-order gradient estimates on flat weight vectors, many weight vectors per forward pass.

A zeroth-order (ZO) estimate reads a gradient off loss values at perturbed weights. When the
network is small, the losses at all the perturbed weight vectors of one step can be computed in
one batched pass: :class:`FlatMLP` evaluates an MLP (the layout of :class:`dlrepro.models.MLP`)
at a whole stack of flat weight vectors at once.

* :func:`forward_differences`: the scalars ``(f(theta + mu u) - f(theta)) / mu`` (or the central
  ``(f(theta + mu u) - f(theta - mu u)) / (2 mu)``) along a stack of directions ``u``.
* :func:`cge`: the deterministic coordinate-wise gradient estimate, forward differences along
  every one of the ``d`` coordinates, ``d + 1`` loss queries (DeepZero, Chen et al., 2024,
  https://arxiv.org/abs/2310.02025).
* :func:`rge`: the randomized gradient estimate ``(1 / q) sum_i s_i u_i`` over ``q`` Gaussian
  directions, ``q + 1`` queries with forward differences (the same paper's control; Nesterov &
  Spokoiny, 2017, https://doi.org/10.1007/s10208-015-9296-2). With ``u ~ N(0, I)`` its mean is
  the gradient of the Gaussian-smoothed loss, the true gradient up to ``O(mu)``.

The exchange of projected-gradient scalars between replicas, one byte each (Zelikman et al.,
2023, https://arxiv.org/abs/2306.10015): :func:`quantize` / :func:`dequantize`, the tensor
versions of :func:`dlrepro.optim.quantize_scalar` / :func:`dlrepro.optim.dequantize_scalar`,
with the perturbations regenerated from a shared seed by :func:`dlrepro.optim.zo_direction`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import nn

from dlrepro.errors import ConfigError

__all__ = ["FlatMLP", "forward_differences", "cge", "rge", "gaussian_directions", "quantize",
           "dequantize"]

Losses = Callable[[torch.Tensor], torch.Tensor]
DIFFERENCES = ("forward", "central")


class FlatMLP:
    """An MLP with ReLU between layers, read from flat weight vectors.

    The layout is that of :class:`dlrepro.models.MLP` with biases: for each layer in turn its
    weight ``(out, in)`` row by row, then its bias, i.e. ``torch.cat([p.reshape(-1) for p in
    model.parameters()])``. :meth:`losses` evaluates ``m`` groups of ``n`` weight vectors, group
    ``g`` on its own inputs ``x[g]``, in one pass: the first layer is one matrix product per
    group (the inputs are shared by the group's ``n`` vectors), the others batched products.
    """

    def __init__(self, widths: Sequence[int]) -> None:
        widths = [int(w) for w in widths]
        if len(widths) < 2 or any(w < 1 for w in widths):
            raise ConfigError(f"FlatMLP: needs at least two positive widths, got {widths}")
        self.widths = widths
        self.layers = list(zip(widths[:-1], widths[1:]))
        self.dim = sum(o * i + o for i, o in self.layers)

    @staticmethod
    def flatten(model: nn.Module) -> torch.Tensor:
        """The flat weight vector of ``model`` (a detached copy)."""
        return torch.cat([p.detach().reshape(-1) for p in model.parameters()]).clone()

    def _split(self, thetas: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        parts, start = [], 0
        for fan_in, fan_out in self.layers:
            w = thetas[..., start:start + fan_out * fan_in]
            start += fan_out * fan_in
            b = thetas[..., start:start + fan_out]
            start += fan_out
            parts.append((w.reshape(*thetas.shape[:-1], fan_out, fan_in), b))
        return parts

    def _forward(self, parts: list[tuple[torch.Tensor, torch.Tensor]], h: torch.Tensor,
                 first: int) -> torch.Tensor:
        """Layers ``first, first + 1, ...`` on activations ``h`` ``(..., width, batch)``
        (features first, examples last), weights ``parts`` broadcast against ``h``."""
        for k in range(first, len(self.layers)):
            w, b = parts[k]
            h = torch.matmul(w, h) + b.unsqueeze(-1)
            if k < len(self.layers) - 1:
                h = torch.relu(h)
        return h

    def _check_data(self, m: int, x: torch.Tensor, y: torch.Tensor | None = None) -> None:
        if x.dim() != 3 or x.shape[0] != m or x.shape[-1] != self.widths[0]:
            raise ConfigError(f"FlatMLP: x must be ({m}, batch, {self.widths[0]}), got "
                              f"{tuple(x.shape)}")
        if y is not None and tuple(y.shape) != tuple(x.shape[:2]):
            raise ConfigError(f"FlatMLP: y must be {tuple(x.shape[:2])}, got {tuple(y.shape)}")

    def logits(self, thetas: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """Logits ``(m, n, out, batch)`` of weight vectors ``thetas`` ``(m, n, d)`` on inputs
        ``x`` ``(m, batch, in)``."""
        if thetas.dim() != 3 or thetas.shape[-1] != self.dim:
            raise ConfigError(f"FlatMLP: thetas must be (m, n, {self.dim}), got "
                              f"{tuple(thetas.shape)}")
        m, n, _ = thetas.shape
        self._check_data(m, x)
        parts = self._split(thetas)
        w, b = parts[0]  # (m, n * out, in) @ (m, in, batch): one product per group
        h = torch.bmm(w.reshape(m, -1, self.widths[0]), x.transpose(1, 2))
        h = h.view(m, n, self.widths[1], -1) + b.unsqueeze(-1)
        if len(self.layers) > 1:
            h = self._forward(parts, torch.relu(h), 1)
        return h

    @staticmethod
    def _cross_entropy(z: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy over the batch of logits ``z`` ``(m, n, out, batch)``."""
        m, n, _, batch = z.shape
        target = y.view(m, 1, 1, batch).expand(m, n, 1, batch)
        return (torch.logsumexp(z, dim=2) - z.gather(2, target).squeeze(2)).mean(-1)

    def losses(self, thetas: torch.Tensor, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean cross-entropy ``(m, n)`` of each weight vector on its group's ``(x[g], y[g])``;
        ``y`` is ``(m, batch)``."""
        self._check_data(thetas.shape[0], x, y)
        return self._cross_entropy(self.logits(thetas, x), y)

    @torch.no_grad()
    def coordinate_losses(self, theta: torch.Tensor, x: torch.Tensor, y: torch.Tensor,
                          mu: float) -> torch.Tensor:
        """``f(theta + mu e_j)`` for every coordinate ``j``: ``(m, d)`` for ``theta`` ``(m, d)``,
        the same numbers as :meth:`losses` on the ``d`` perturbed vectors up to rounding, at a
        fraction of the cost by feature reuse (DeepZero's Sec. 5): moving one weight or bias of
        unit ``u`` in layer ``l`` changes only that unit's pre-activation, so the layers below
        are computed once, and the layers above are recomputed only from the moved unit on (a
        rank-one change of the next layer's pre-activations)."""
        m = theta.shape[0]
        self._check_data(m, x, y)
        parts = self._split(theta.unsqueeze(1))  # (m, 1, out, in), (m, 1, out)
        last = len(self.layers) - 1
        h = x.transpose(1, 2).unsqueeze(1)  # (m, 1, in, batch)
        out = torch.empty(m, self.dim, dtype=theta.dtype, device=theta.device)
        offset = 0
        for k, (w, b) in enumerate(parts):
            fan_out, fan_in = w.shape[-2:]
            a = torch.matmul(w, h) + b.unsqueeze(-1)  # (m, 1, out, batch)
            act = torch.relu(a) if k < last else a
            # the moved pre-activation of one unit, one row per perturbed coordinate: its
            # fan_in weights (input i moves it by mu h_i), then its bias (by mu)
            source = torch.cat([h[:, 0], torch.ones_like(h[:, 0, :1])], dim=1)  # (m, in+1, B)
            above = None if k == last else self._forward(parts, act, k + 1)  # base logits
            for unit in range(fan_out):
                moved = a[:, :, unit] + mu * source  # (m, in + 1, batch)
                if k == last:  # the logits themselves: row `unit` replaced
                    z = act.expand(m, fan_in + 1, fan_out, a.shape[-1]).clone()
                    z[:, :, unit] = moved
                elif k == last - 1:  # rank one into the output layer
                    change = torch.relu(moved) - act[:, :, unit]  # (m, in + 1, batch)
                    z = above + parts[k + 1][0][:, :, :, unit].unsqueeze(-1) * change.unsqueeze(2)
                else:
                    shifted = act.expand(m, fan_in + 1, fan_out, a.shape[-1]).clone()
                    shifted[:, :, unit] = torch.relu(moved)
                    z = self._forward(parts, shifted, k + 1)
                losses = self._cross_entropy(z, y)  # (m, in + 1)
                start = offset + unit * fan_in
                out[:, start:start + fan_in] = losses[:, :fan_in]
                out[:, offset + fan_out * fan_in + unit] = losses[:, fan_in]
            offset += fan_out * fan_in + fan_out
            h = act
        return out

    def loss_fn(self, x: torch.Tensor, y: torch.Tensor) -> Losses:
        """``thetas (m, n, d) -> losses (m, n)`` on fixed data, for the estimators below."""
        return lambda thetas: self.losses(thetas, x, y)

    def coordinate_fn(self, x: torch.Tensor, y: torch.Tensor, mu: float) -> Losses:
        """``theta (m, d) -> f(theta + mu e_j) (m, d)`` on fixed data, for :func:`cge`."""
        return lambda theta: self.coordinate_losses(theta, x, y, mu)


def _check(theta: torch.Tensor, mu: float, chunk: int) -> None:
    if theta.dim() != 2:
        raise ConfigError(f"zeroth order: theta must be (m, d), got {tuple(theta.shape)}")
    if not (isinstance(mu, (int, float)) and math.isfinite(mu) and mu > 0):
        raise ConfigError(f"zeroth order: mu must be a positive number, got {mu!r}")
    if not isinstance(chunk, int) or isinstance(chunk, bool) or chunk < 1:
        raise ConfigError(f"zeroth order: chunk must be a positive integer, got {chunk!r}")


@torch.no_grad()
def forward_differences(losses: Losses, theta: torch.Tensor, directions: torch.Tensor,
                        mu: float, difference: str = "forward", chunk: int = 32,
                        base: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Finite-difference scalars along each direction: ``(scalars (m, q), base (m,))``.

    ``losses`` maps weight vectors ``(m, n, d)`` to losses ``(m, n)`` (group ``g`` on its own
    data); ``theta`` is ``(m, d)``; ``directions`` ``(q, d)`` (shared by the groups) or
    ``(m, q, d)``. ``"forward"``: ``s = (f(theta + mu u) - f(theta)) / mu``, ``q + 1`` queries
    per group (``base = f(theta)`` is evaluated unless given); ``"central"``: ``s = (f(theta +
    mu u) - f(theta - mu u)) / (2 mu)``, ``2 q`` queries, and ``base`` is the mean of the
    ``+-`` losses. Directions are evaluated ``chunk`` at a time."""
    _check(theta, mu, chunk)
    if difference not in DIFFERENCES:
        raise ConfigError(f"forward_differences: difference must be one of {DIFFERENCES}, "
                          f"got {difference!r}")
    m, d = theta.shape
    if directions.dim() == 2:
        directions = directions.unsqueeze(0).expand(m, *directions.shape)
    if directions.dim() != 3 or directions.shape[0] != m or directions.shape[-1] != d:
        raise ConfigError(f"forward_differences: directions must be (q, {d}) or ({m}, q, {d}),"
                          f" got {tuple(directions.shape)}")
    q = directions.shape[1]
    anchor = theta.unsqueeze(1)
    plus = torch.cat([losses(anchor + mu * directions[:, i:i + chunk])
                      for i in range(0, q, chunk)], dim=1)
    if difference == "forward":
        base = losses(anchor)[:, 0] if base is None else base
        return (plus - base.unsqueeze(1)) / mu, base
    minus = torch.cat([losses(anchor - mu * directions[:, i:i + chunk])
                       for i in range(0, q, chunk)], dim=1)
    return (plus - minus) / (2 * mu), ((plus + minus) / 2).mean(1)


@torch.no_grad()
def cge(losses: Losses, theta: torch.Tensor, mu: float, chunk: int = 32,
        coordinate_losses: Losses | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """The coordinate-wise gradient estimate (CGE) at ``theta`` ``(m, d)``:
    ``g_j = (f(theta + mu e_j) - f(theta)) / mu`` for every coordinate ``j``, deterministic,
    ``d + 1`` loss queries per group. Returns ``(estimate (m, d), f(theta) (m,))``. The error
    is ``O(mu)`` (``mu / 2`` times the Hessian's diagonal). ``coordinate_losses``, if given,
    maps ``theta`` ``(m, d)`` to all ``f(theta + mu e_j)`` ``(m, d)`` at once (for instance
    :meth:`FlatMLP.coordinate_losses`, which reuses features); otherwise the ``d`` perturbed
    vectors go through ``losses``, ``chunk`` at a time."""
    _check(theta, mu, chunk)
    d = theta.shape[1]
    base = losses(theta.unsqueeze(1))[:, 0]
    if coordinate_losses is not None:
        return (coordinate_losses(theta) - base.unsqueeze(1)) / mu, base
    parts = []
    for i in range(0, d, chunk):
        eye = torch.zeros(min(chunk, d - i), d, dtype=theta.dtype, device=theta.device)
        eye[:, i:i + eye.shape[0]].fill_diagonal_(1.0)
        parts.append(forward_differences(losses, theta, eye, mu, chunk=chunk, base=base)[0])
    return torch.cat(parts, dim=1), base


def gaussian_directions(groups: int, q: int, d: int, generator: torch.Generator,
                        dtype: torch.dtype = torch.float32, device: str | torch.device = "cpu"
                        ) -> torch.Tensor:
    """``(groups, q, d)`` standard Gaussian directions drawn on the CPU from ``generator``
    (the same numbers on every device), then moved to ``device``."""
    return torch.randn(groups, q, d, generator=generator).to(device=device, dtype=dtype)


@torch.no_grad()
def rge(losses: Losses, theta: torch.Tensor, directions: torch.Tensor, mu: float,
        chunk: int = 32) -> tuple[torch.Tensor, torch.Tensor]:
    """The randomized gradient estimate (RGE) ``(1 / q) sum_i s_i u_i`` with forward
    differences ``s_i = (f(theta + mu u_i) - f(theta)) / mu`` along ``directions`` ``(m, q, d)``
    (or ``(q, d)``), ``q + 1`` queries per group. Returns ``(estimate (m, d), f(theta) (m,))``.
    For ``u ~ N(0, I)`` the estimate's mean is the gradient of the loss smoothed by ``N(0,
    mu^2 I)``, and its variance falls as ``1 / q``."""
    scalars, base = forward_differences(losses, theta, directions, mu, chunk=chunk)
    if directions.dim() == 2:
        directions = directions.unsqueeze(0).expand(theta.shape[0], *directions.shape)
    return torch.einsum("mq,mqd->md", scalars, directions) / directions.shape[1], base


def _levels(bits: int) -> int:
    if not isinstance(bits, int) or isinstance(bits, bool) or not 2 <= bits <= 32:
        raise ConfigError(f"quantize: bits must be an integer in [2, 32], got {bits!r}")
    return 2 ** (bits - 1) - 1


def _scale(scale: torch.Tensor | float, values: torch.Tensor) -> torch.Tensor:
    scale = torch.as_tensor(scale, dtype=torch.float64, device=values.device)
    if not bool(torch.isfinite(scale).all()) or not bool((scale > 0).all()):
        raise ConfigError("quantize: every scale must be positive and finite")
    return scale


def quantize(values: torch.Tensor, scale: torch.Tensor | float, bits: int = 8) -> torch.Tensor:
    """Signed integer codes of ``values``: ``round(value / scale * L)`` clipped to ``[-L, L]``,
    ``L = 2^(bits - 1) - 1`` (127 for one byte), elementwise as
    :func:`dlrepro.optim.quantize_scalar`; ``scale`` broadcasts against ``values``. Returned
    as ``int8`` for ``bits <= 8``, else ``int32``. Inside the range the round trip
    through :func:`dequantize` errs by at most half a step, ``scale / L / 2``."""
    levels = _levels(bits)
    if not bool(torch.isfinite(values).all()):
        raise ConfigError("quantize: values must be finite")
    scale = _scale(scale, values)
    codes = torch.round(values.double() / scale * levels).clamp(-levels, levels)
    return codes.to(torch.int8 if bits <= 8 else torch.int32)


def dequantize(codes: torch.Tensor, scale: torch.Tensor | float, bits: int = 8,
               dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """The values integer ``codes`` from :func:`quantize` stand for: ``code * scale / L``."""
    levels = _levels(bits)
    if codes.dtype.is_floating_point or codes.dtype == torch.bool:
        raise ConfigError(f"dequantize: codes must be integers, got {codes.dtype}")
    if bool((codes.abs() > levels).any()):
        raise ConfigError(f"dequantize: codes must lie in [-{levels}, {levels}]")
    return (codes.double() * _scale(scale, codes) / levels).to(dtype)
