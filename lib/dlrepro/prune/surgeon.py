"""Optimal Brain Surgeon (OBS) pruning with the empirical Fisher, dense or matrix-free (M-FAC).

Near a trained minimum the loss grows, to second order, like ``0.5 * delta^T F delta`` when the
weights move by ``delta``. OBS (Hassibi & Stork, 1993, *Second order derivatives for network
pruning: Optimal Brain Surgeon*,
https://proceedings.neurips.cc/paper/1992/hash/303ed4c69846ab36c2904d3ba8573050-Abstract.html)
removes the weight ``q`` whose loss increase is smallest once all the other weights have moved to
compensate, and moves them:

* saliency ``rho_q = w_q^2 / (2 [F^-1]_qq)``;
* update ``delta = -w_q / [F^-1]_qq * F^-1 e_q`` (which sets ``w_q`` to exactly zero).

For a set ``Q`` removed at once the same constrained minimization gives
``delta = -F^-1[:, Q] (F^-1[Q, Q])^-1 w_Q`` with loss increase
``0.5 * w_Q^T (F^-1[Q, Q])^-1 w_Q``. Like WoodFisher (Singh & Alistarh, 2020,
https://arxiv.org/abs/2004.14340), the Optimal BERT Surgeon (Kurtic et al., 2022,
https://arxiv.org/abs/2203.07259) and M-FAC pruning, :func:`obs_prune` scores each surviving
weight alone, removes the lowest scores together and applies the set update; it does this in a
few rounds of rising sparsity, each with the removed weights pinned at zero (they leave the
problem) and, for a model, with gradients recomputed at the updated weights.

``F`` is the damped empirical Fisher ``lambda I + (1/m) sum_i g_i g_i^T`` over per-example
gradients ``g_i`` (see :func:`dlrepro.curvature.per_sample_gradients`). Its inverse comes in two
forms with the same interface (``mul``, ``diagonal``, ``solve_block``):

* :class:`DenseInverse`: the ``d x d`` inverse by Cholesky, ``O(d^3)`` time and ``O(d^2)``
  memory; also takes any positive-definite matrix (an exact Hessian, say).
* :class:`MFACInverse`: the "static algorithm" of M-FAC (Frantar, Kurtic & Alistarh, 2021,
  *M-FAC: Efficient Matrix-Free Approximations of Second-Order Information*,
  https://arxiv.org/abs/2107.03356). Adding the ``g_i`` one at a time with the Sherman-Morrison
  formula gives ``F^-1 = I / lambda - sum_i u_i u_i^T / D_i`` with ``u_i = F_{i-1}^-1 g_i`` and
  ``D_i = m + g_i^T u_i``; each ``u_i`` is a combination of ``g_1 .. g_i`` whose ``m x m``
  coefficients follow from the gradients' Gram matrix by the same recursion. Setting up costs
  ``O(m^2 d + m^3)``; then ``F^-1 v`` costs ``O(m d)`` and no ``d x d`` matrix ever exists.
  (M-FAC's "dynamic" algorithm is the other one: a sliding window of gradients for
  optimization, not a fixed set.)

To attribute a gain of OBS, :func:`obs_prune` also runs two ablations (``rule``): the OBS
saliency without the compensating update (``"obs_no_update"``), and Optimal Brain Damage's
diagonal saliency ``0.5 F_qq w_q^2`` (LeCun, Denker & Solla, 1989, *Optimal Brain Damage*,
https://proceedings.neurips.cc/paper/1989/hash/6c9882bbac1c7093bd25041881277658-Abstract.html)
on the diagonal of the damped empirical Fisher, also without an update (``"fisher_diagonal"``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import torch
from torch import nn

from dlrepro.curvature import LossFn, per_sample_gradients
from dlrepro.errors import ConfigError
from dlrepro.prune.magnitude import Masks, prunable_layers

__all__ = [
    "InverseCurvature",
    "DenseInverse",
    "MFACInverse",
    "inverse_fisher",
    "weight_gradients",
    "obs_saliency",
    "fisher_diagonal_saliency",
    "obs_update",
    "obs_prune_vector",
    "obs_prune",
    "INVERSES",
    "SCOPES",
    "RULES",
]

INVERSES = ("dense", "mfac")
SCOPES = ("layer", "global")
RULES = ("obs", "obs_no_update", "fisher_diagonal")


class InverseCurvature(Protocol):
    """What OBS needs of ``F^-1`` (``d x d``, symmetric positive definite)."""

    def mul(self, v: torch.Tensor) -> torch.Tensor:
        """``F^-1 v`` for ``v`` of shape ``(d,)`` or ``(d, k)``."""
        ...

    def diagonal(self) -> torch.Tensor:
        """``diag(F^-1)``, shape ``(d,)``."""
        ...

    def solve_block(self, index: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
        """``(F^-1[Q, Q])^-1 rhs`` for the coordinates ``Q = index``; ``rhs`` has shape
        ``(|Q|,)``."""
        ...


def _check_square(matrix: torch.Tensor, name: str) -> None:
    if matrix.dim() != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ConfigError(f"{name}: expected a square d x d matrix, got shape "
                          f"{tuple(matrix.shape)}")


def _check_gradients(gradients: torch.Tensor, damping: float, name: str) -> None:
    if gradients.dim() != 2 or gradients.shape[0] < 1:
        raise ConfigError(f"{name}: gradients must be an (m, d) matrix with m >= 1, got shape "
                          f"{tuple(gradients.shape)}")
    if not damping > 0:
        raise ConfigError(f"{name}: damping lambda must be > 0 (it keeps F = lambda I + G^T G / m "
                          f"invertible when m < d), got {damping}")


class DenseInverse:
    """``F^-1`` of a symmetric positive-definite ``d x d`` matrix, formed once by Cholesky."""

    def __init__(self, matrix: torch.Tensor) -> None:
        _check_square(matrix, "DenseInverse")
        factor, info = torch.linalg.cholesky_ex(matrix)
        if int(info) != 0:
            raise ConfigError("DenseInverse: the matrix is not positive definite; add damping "
                              "(a multiple of the identity)")
        self.inverse = torch.cholesky_inverse(factor)

    @classmethod
    def from_gradients(cls, gradients: torch.Tensor, damping: float) -> DenseInverse:
        """Inverse of the damped empirical Fisher ``lambda I + G^T G / m`` of ``G`` ``(m, d)``."""
        _check_gradients(gradients, damping, "DenseInverse.from_gradients")
        m, d = gradients.shape
        eye = torch.eye(d, dtype=gradients.dtype, device=gradients.device)
        return cls(damping * eye + gradients.T @ gradients / m)

    def mul(self, v: torch.Tensor) -> torch.Tensor:
        return self.inverse @ v

    def diagonal(self) -> torch.Tensor:
        return self.inverse.diagonal().clone()

    def solve_block(self, index: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
        block = self.inverse[index][:, index]
        return torch.cholesky_solve(rhs.unsqueeze(-1), torch.linalg.cholesky(block)).squeeze(-1)


class MFACInverse:
    """Matrix-free ``(lambda I + G^T G / m)^-1`` from ``m`` gradients ``G`` ``(m, d)`` (M-FAC).

    The Sherman-Morrison recursion runs on the ``m x m`` Gram matrix ``G G^T`` (in float64); the
    result is stored as ``V`` ``(m, d)`` with rows ``u_i / sqrt(D_i)``, so that
    ``F^-1 = I / lambda - V^T V``. :meth:`mul` then costs two ``(m, d)`` products: ``O(m d)``.
    """

    def __init__(self, gradients: torch.Tensor, damping: float) -> None:
        _check_gradients(gradients, damping, "MFACInverse")
        m = gradients.shape[0]
        gram = (gradients @ gradients.T).double()
        coef = torch.zeros(m, m, dtype=torch.float64, device=gradients.device)
        denom = torch.empty(m, dtype=torch.float64, device=gradients.device)
        for i in range(m):
            # u_i = g_i / lambda - sum_{k<i} u_k (u_k . g_i) / D_k, with u_k = sum_l coef[k, l] g_l
            inner = coef[:i] @ gram[:, i]
            coef[i] = -(inner / denom[:i]) @ coef[:i]
            coef[i, i] = 1.0 / damping
            denom[i] = m + coef[i] @ gram[:, i]
        self.damping = float(damping)
        self.factor = (coef / denom.sqrt().unsqueeze(1)).to(gradients.dtype) @ gradients

    def mul(self, v: torch.Tensor) -> torch.Tensor:
        return v / self.damping - self.factor.T @ (self.factor @ v)

    def diagonal(self) -> torch.Tensor:
        return 1.0 / self.damping - self.factor.square().sum(0)

    def solve_block(self, index: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
        # F^-1[Q, Q] = a I - W^T W with W = V[:, Q]; Woodbury keeps the solve m x m:
        # (a I - W^T W)^-1 r = (r + W^T (a I - W W^T)^-1 W r) / a.
        w = self.factor[:, index].double()
        a = 1.0 / self.damping
        small = a * torch.eye(w.shape[0], dtype=torch.float64, device=w.device) - w @ w.T
        r = rhs.double()
        out = (r + w.T @ torch.linalg.solve(small, w @ r)) / a
        return out.to(rhs.dtype)


def inverse_fisher(gradients: torch.Tensor, damping: float, method: str = "mfac"
                   ) -> InverseCurvature:
    """``(lambda I + G^T G / m)^-1`` as a :class:`DenseInverse` (``method="dense"``) or an
    :class:`MFACInverse` (``"mfac"``)."""
    if method not in INVERSES:
        raise ConfigError(f"inverse_fisher: unknown method {method!r}; choose one of {INVERSES}")
    if method == "dense":
        return DenseInverse.from_gradients(gradients, damping)
    return MFACInverse(gradients, damping)


def weight_gradients(model: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor,
                     layers: Sequence[nn.Module] | None = None,
                     chunk_size: int | None = None) -> torch.Tensor:
    """Per-example gradients of the ``layers``' weights (default :func:`prunable_layers`), as one
    ``(N, d)`` matrix: each weight flattened, layer after layer."""
    layers = list(prunable_layers(model) if layers is None else layers)
    if not layers:
        raise ConfigError(f"weight_gradients: {type(model).__name__} has no layer to prune")
    params = [p for p in model.parameters() if p.requires_grad]
    position = {id(p): i for i, p in enumerate(params)}
    missing = [i for i, layer in enumerate(layers) if id(layer.weight) not in position]
    if missing:
        raise ConfigError(f"weight_gradients: the weights of layers {missing} are not trainable "
                          f"parameters (frozen, or already masked by torch.nn.utils.prune)")
    grads = per_sample_gradients(model, loss_fn, x, y, chunk_size=chunk_size)
    return torch.cat([grads[position[id(layer.weight)]].flatten(1) for layer in layers], dim=1)


def obs_saliency(weights: torch.Tensor, inverse_diagonal: torch.Tensor) -> torch.Tensor:
    """OBS saliency ``w_q^2 / (2 [F^-1]_qq)``: the loss increase of removing ``q`` alone."""
    return weights.square() / (2 * inverse_diagonal)


def fisher_diagonal_saliency(weights: torch.Tensor, gradients: torch.Tensor, damping: float
                             ) -> torch.Tensor:
    """Optimal Brain Damage's saliency ``0.5 F_qq w_q^2`` on the diagonal of the damped
    empirical Fisher ``F = damping I + (1/m) sum_i g_i g_i^T`` of ``gradients`` (m x d)."""
    return 0.5 * (damping + gradients.square().mean(0)) * weights.square()


def obs_update(inverse: InverseCurvature, weights: torch.Tensor, index: torch.Tensor
               ) -> torch.Tensor:
    """The OBS step ``delta = -F^-1[:, Q] (F^-1[Q, Q])^-1 w_Q`` that removes the weights ``Q``
    (``index``) of the vector ``weights`` at the least second-order loss increase."""
    coefficients = inverse.solve_block(index, weights[index])
    spread = torch.zeros_like(weights)
    spread[index] = coefficients
    return -inverse.mul(spread)


def _check_schedule(sparsity: float, steps: int, name: str) -> None:
    if not 0.0 <= sparsity < 1.0:
        raise ConfigError(f"{name}: sparsity must lie in [0, 1), got {sparsity}")
    if not isinstance(steps, int) or steps < 1:
        raise ConfigError(f"{name}: steps must be a positive integer, got {steps!r}")


def _obs_round(weights: torch.Tensor, inverse: InverseCurvature, count: int,
               update: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """Remove the ``count`` lowest-saliency entries of ``weights`` with one set update (or,
    ``update=False``, none). Returns the new weights (removed ones exactly zero) and the
    removed positions."""
    saliency = obs_saliency(weights, inverse.diagonal())
    index = saliency.topk(count, largest=False).indices
    updated = weights + obs_update(inverse, weights, index) if update else weights.clone()
    updated[index] = 0.0
    return updated, index


def _diagonal_round(weights: torch.Tensor, gradients: torch.Tensor, damping: float,
                    count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Zero the ``count`` entries of lowest Optimal-Brain-Damage saliency; nothing else moves."""
    saliency = fisher_diagonal_saliency(weights, gradients, damping)
    index = saliency.topk(count, largest=False).indices
    updated = weights.clone()
    updated[index] = 0.0
    return updated, index


def obs_prune_vector(weights: torch.Tensor,
                     inverse_of: Callable[[torch.Tensor], InverseCurvature],
                     sparsity: float, steps: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """OBS-prune a flat weight vector to ``round(sparsity * d)`` zeros in ``steps`` rounds.

    Round ``k`` prunes up to sparsity ``sparsity * k / steps``. ``inverse_of(alive)`` receives
    the indices of the surviving coordinates and returns the inverse curvature of the problem
    restricted to them (e.g. ``lambda i: DenseInverse(H[i][:, i])`` for a fixed ``H``).
    Returns the pruned weights and the 0/1 mask of survivors.
    """
    _check_schedule(sparsity, steps, "obs_prune_vector")
    if weights.dim() != 1:
        raise ConfigError(f"obs_prune_vector: weights must be a vector, got shape "
                          f"{tuple(weights.shape)}")
    w = weights.detach().clone()
    alive = torch.ones_like(w, dtype=torch.bool)
    for k in range(1, steps + 1):
        count = round(sparsity * k / steps * w.numel()) - int((~alive).sum())
        if count <= 0:
            continue
        index = alive.nonzero().squeeze(1)
        w[index], removed = _obs_round(w[index], inverse_of(index), count)
        alive[index[removed]] = False
    return w, alive.to(w.dtype)


def obs_prune(model: nn.Module, loss_fn: LossFn, x: torch.Tensor, y: torch.Tensor,
              sparsity: float, steps: int = 1, scope: str = "layer", method: str = "mfac",
              damping: float = 1e-4, chunk_size: int | None = None, rule: str = "obs") -> Masks:
    """One-shot OBS pruning of the weights of :func:`prunable_layers` (biases are kept).

    Each of the ``steps`` rounds recomputes the per-example gradients on ``(x, y)`` at the
    current weights, builds the inverse empirical Fisher (``method`` "dense" or "mfac", absolute
    damping ``lambda``; in float64) over the surviving weights, and prunes up to sparsity
    ``sparsity * k / steps`` with the OBS set update: ``scope="layer"`` treats each layer as its
    own Fisher block with its own target, ``"global"`` uses one Fisher over all layers and ranks
    all saliencies together. The model's weights are changed in place (pruned ones exactly zero);
    the returned 0/1 masks (one per layer, as :func:`~dlrepro.prune.magnitude_masks`) can be
    attached with :func:`~dlrepro.prune.apply_masks` to keep them at zero during fine-tuning.
    Put a model with batch norm or dropout in eval mode first. ``rule`` (see :data:`RULES`)
    chooses the ablations: ``"obs_no_update"`` ranks by the OBS saliency but only zeroes the
    removed weights; ``"fisher_diagonal"`` ranks by :func:`fisher_diagonal_saliency` and only
    zeroes them (no inverse is built).
    """
    _check_schedule(sparsity, steps, "obs_prune")
    if rule not in RULES:
        raise ConfigError(f"obs_prune: unknown rule {rule!r}; choose one of {RULES}")
    if scope not in SCOPES:
        raise ConfigError(f"obs_prune: scope must be one of {SCOPES}, got {scope!r}")
    if method not in INVERSES:
        raise ConfigError(f"obs_prune: unknown method {method!r}; choose one of {INVERSES}")
    if not damping > 0:
        raise ConfigError(f"obs_prune: damping must be > 0, got {damping}")
    layers = prunable_layers(model)
    if not layers:
        raise ConfigError(f"obs_prune: {type(model).__name__} has no Linear or Conv layer")
    sizes = [layer.weight.numel() for layer in layers]
    groups = [[i] for i in range(len(layers))] if scope == "layer" else [list(range(len(layers)))]
    alive = [torch.ones(n, dtype=torch.bool, device=layer.weight.device)
             for n, layer in zip(sizes, layers)]
    for k in range(1, steps + 1):
        grads_all = weight_gradients(model, loss_fn, x, y, layers, chunk_size).double()
        columns = grads_all.split(sizes, dim=1)
        for group in groups:
            live = torch.cat([alive[i] for i in group])
            count = round(sparsity * k / steps * live.numel()) - int((~live).sum())
            if count <= 0:
                continue
            index = live.nonzero().squeeze(1)
            flat = torch.cat([layers[i].weight.detach().double().flatten() for i in group])
            grads = torch.cat([columns[i] for i in group], dim=1)[:, index]
            if rule == "fisher_diagonal":
                flat[index], removed = _diagonal_round(flat[index], grads, damping, count)
            else:
                flat[index], removed = _obs_round(flat[index],
                                                  inverse_fisher(grads, damping, method), count,
                                                  update=rule == "obs")
            live[index[removed]] = False
            for i, w, a in zip(group, flat.split([sizes[i] for i in group]),
                               live.split([sizes[i] for i in group])):
                with torch.no_grad():
                    layers[i].weight.copy_(w.view_as(layers[i].weight))
                alive[i] = a
    return [a.view_as(layer.weight).to(layer.weight.dtype) for a, layer in zip(alive, layers)]
