"""The loss along a straight line in parameter space, and what the line shows.

Goodfellow, Vinyals & Saxe (2015), *Qualitatively characterizing neural network optimization
problems* (https://arxiv.org/abs/1412.6544), evaluate the training objective at
``theta(alpha) = (1 - alpha) theta_0 + alpha theta_1`` between a network's initialization and
its trained weights and find it falling essentially monotonically; Lucas et al. (2021) call
this the monotonic linear interpolation (MLI) property. Between two independently trained
solutions the same line usually crosses a barrier (Frankle et al., 2020, *Linear Mode
Connectivity and the Lottery Ticket Hypothesis*).

* :func:`snapshot` copies a model's parameters, :func:`interpolate` mixes two copies
  (exactly the endpoints at ``alpha = 0`` and ``1``; any ``alpha`` may be given, also outside
  ``[0, 1]``);
* :func:`path_losses` evaluates a loss of the parameters at many ``alpha``; for a stacked
  model (:class:`~dlrepro.models.BatchedMLP`, ...) the interpolation is element-wise, so each
  of its ``S`` models walks its own line and the loss returns one value per model;
* :func:`cross_entropy_of` builds that loss for a classifier through
  :func:`torch.func.functional_call`, leaving the model's own weights untouched;
* :func:`max_rise` (the largest increase of the loss along the path, zero for a path that
  never goes up) and :func:`loss_barrier` (the largest excess of the path's loss over the
  straight line between its two end losses) summarize a path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from dlrepro.errors import ConfigError

__all__ = ["Params", "snapshot", "interpolate", "path_losses", "cross_entropy_of", "max_rise",
           "loss_barrier"]

#: Parameters by name, as ``dict(model.named_parameters())`` holds them.
Params = Mapping[str, torch.Tensor]


def snapshot(model: nn.Module) -> dict[str, torch.Tensor]:
    """A detached copy of the model's parameters by name."""
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def interpolate(start: Params, end: Params, alpha: float) -> dict[str, torch.Tensor]:
    """``(1 - alpha) * start + alpha * end`` for every parameter (``torch.lerp``, which returns
    ``start`` at ``alpha = 0`` and ``end`` at ``alpha = 1`` exactly)."""
    if set(start) != set(end):
        raise ConfigError(f"interpolate: the two parameter sets differ in their names: "
                          f"{sorted(set(start) ^ set(end))}")
    out = {}
    for name, a in start.items():
        b = end[name]
        if a.shape != b.shape:
            raise ConfigError(f"interpolate: {name!r} has shapes {tuple(a.shape)} and "
                              f"{tuple(b.shape)}")
        out[name] = torch.lerp(a, b, float(alpha))
    return out


@torch.no_grad()
def path_losses(loss: Callable[[Params], torch.Tensor | float], start: Params, end: Params,
                alphas: Sequence[float] | np.ndarray) -> np.ndarray:
    """``loss(interpolate(start, end, alpha))`` for each ``alpha``: shape ``(len(alphas),)``
    for a scalar loss, ``(len(alphas), S)`` for a loss with one value per stacked model."""
    values = [torch.as_tensor(loss(interpolate(start, end, a))).detach().double().cpu()
              for a in alphas]
    if not values:
        raise ConfigError("path_losses needs at least one alpha")
    return torch.stack(values).numpy()


def cross_entropy_of(model: nn.Module, x: torch.Tensor,
                     y: torch.Tensor) -> Callable[[Params], torch.Tensor]:
    """The mean cross-entropy on ``(x, y)`` of ``model`` run with given parameters.

    For a plain classifier (logits ``(N, C)``) the loss is a scalar; for a stacked model
    (logits ``(S, N, C)``, labels ``(N,)`` shared or ``(S, N)``) it has one value per model.
    Parameters the mapping does not name keep the model's own values.
    """

    def loss(params: Params) -> torch.Tensor:
        logits = functional_call(model, dict(params), (x,)).float()
        if logits.dim() == 2:
            return F.cross_entropy(logits, y)
        target = y.expand(logits.shape[0], -1) if y.dim() == 1 else y
        return F.cross_entropy(logits.transpose(1, 2), target, reduction="none").mean(1)

    return loss


def _along_path(losses: np.ndarray | Sequence[float], what: str) -> np.ndarray:
    values = np.asarray(losses, dtype=float)
    if values.ndim == 0 or values.shape[0] < 2 or not np.all(np.isfinite(values)):
        raise ConfigError(f"{what} needs two or more finite losses along axis 0 (the path), "
                          f"got shape {values.shape}")
    return values


def max_rise(losses: np.ndarray | Sequence[float]) -> np.ndarray | float:
    """The largest increase along the path, ``max over i < j of losses[j] - losses[i]``, and 0
    when the loss never rises (a monotonically non-increasing path).

    ``losses`` has the path on axis 0 (``(A,)`` or ``(A, S)`` for ``S`` paths). A bump that
    interrupts a falling path counts from the lowest point before it to its top, the measure of
    non-monotonicity in the spirit of Lucas et al. (2021).
    """
    values = _along_path(losses, "max_rise")
    lowest_so_far = np.minimum.accumulate(values, axis=0)
    rise = np.max(values[1:] - lowest_so_far[:-1], axis=0)
    rise = np.maximum(rise, 0.0)
    return float(rise) if np.ndim(rise) == 0 else rise


def loss_barrier(losses: np.ndarray | Sequence[float],
                 alphas: np.ndarray | Sequence[float]) -> np.ndarray | float:
    """The largest excess of the path's loss over the chord between its end losses,
    ``max over alpha of L(alpha) - [(1 - alpha) L(0) + alpha L(1)]``, on the ``alphas`` of
    ``[0, 1]`` (which must include both ends).

    This is the loss barrier as Entezari et al. (2022) define it; Frankle et al. (2020)
    measure the rise of the error over the *mean* of the two end errors instead, which
    differs from this when the ends differ. Zero for a path that stays on or below its chord
    (e.g. any convex path).
    """
    values = _along_path(losses, "loss_barrier")
    a = np.asarray(alphas, dtype=float)
    if a.shape != values.shape[:1]:
        raise ConfigError(f"loss_barrier: {a.size} alphas for {values.shape[0]} losses")
    inside = (a >= 0.0) & (a <= 1.0)
    if not (np.any(a == 0.0) and np.any(a == 1.0)):
        raise ConfigError("loss_barrier: the alphas must include 0 and 1, the path's ends")
    first, last = values[np.argmax(a == 0.0)], values[np.argmax(a == 1.0)]
    shape = (-1,) + (1,) * (values.ndim - 1)
    chord = (1.0 - a.reshape(shape)) * first + a.reshape(shape) * last
    excess = np.max((values - chord)[inside], axis=0)
    excess = np.maximum(excess, 0.0)
    return float(excess) if np.ndim(excess) == 0 else excess
