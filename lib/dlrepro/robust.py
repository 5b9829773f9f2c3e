"""Robust averaging of per-example gradients: winsorized gradient descent.

Chatterjee (2020, *Coherent Gradients*, ICLR, https://arxiv.org/abs/2002.10657) and Chatterjee &
Zielinski (2022, *On the Generalization Mystery in Deep Learning*,
https://arxiv.org/abs/2203.10036) argue that a direction supported by few examples (a
memorized, possibly wrong label) moves the weights only because the plain mean lets a few large
per-example gradients through. A robust mean suppresses such weak directions: *winsorization*
clips, coordinate by coordinate, every example's gradient to a central range of the batch's
values before averaging.

* :func:`winsorize`: clip each coordinate of ``(B, ...)`` per-example gradients to the
  ``[100 - p, p]`` percentiles of its ``B`` values (linear interpolation between order
  statistics, NumPy's default ``percentile`` method);
* :func:`winsorized_mean`: the mean of the clipped gradients; at ``p = 100`` the range is
  ``[min, max]``, nothing is clipped, and the result is the plain mean bit for bit;
* :class:`WinsorizedSGD`: :class:`torch.optim.SGD` (momentum, weight decay as there) stepping
  along the winsorized mean of per-example gradients (e.g. from
  :func:`dlrepro.curvature.per_sample_gradients`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.optimizer import ParamsT

from dlrepro.curvature import per_sample_gradients
from dlrepro.errors import ConfigError

__all__ = ["winsorize", "winsorized_mean", "WinsorizedSGD", "stacked_per_example_gradients"]


def _percentiles(percentile: float | torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """The upper percentile(s) as a tensor broadcastable against ``like[0]``."""
    p = torch.as_tensor(percentile, dtype=torch.float64, device=like.device)
    if p.dim() > 1:
        raise ConfigError(f"winsorize: percentile must be a number or a 1-D tensor, got shape "
                          f"{tuple(p.shape)}")
    if not bool(((p >= 50) & (p <= 100)).all()):
        raise ConfigError(f"winsorize: percentiles must lie in [50, 100], got {p.tolist()}")
    if p.dim() == 1:
        if like.dim() < 2 or like.shape[1] != p.shape[0]:
            raise ConfigError(f"winsorize: {p.shape[0]} percentiles need gradients shaped "
                              f"(B, {p.shape[0]}, ...), got {tuple(like.shape)}")
        p = p.reshape(p.shape[0], *([1] * (like.dim() - 2)))
    return p


def _sorted_last(values: torch.Tensor) -> torch.Tensor:
    """``values`` sorted along its last dimension. On the CPU through NumPy, whose SIMD sort
    is about 15x faster than ``torch.sort`` on many short rows (a batch of 64 examples per
    coordinate); elsewhere ``torch.sort``. Both return the same sorted values."""
    if values.device.type == "cpu":
        return torch.from_numpy(np.sort(values.detach().contiguous().numpy(), axis=-1))
    return values.sort(dim=-1).values


def _order_statistic(ordered: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """The ``q``-quantile of each row of ``ordered`` (sorted along its last dimension),
    interpolated linearly between the two nearest order statistics."""
    n = ordered.shape[-1]
    position = (n - 1) * q
    low = position.floor()
    frac = (position - low).to(ordered.dtype).unsqueeze(-1)
    low = low.long().clamp(0, n - 1).unsqueeze(-1)
    high = (low + 1).clamp(max=n - 1)
    below = ordered.gather(-1, low)
    above = ordered.gather(-1, high)
    return (below + frac * (above - below)).squeeze(-1)


def winsorize(per_example: torch.Tensor, percentile: float | torch.Tensor) -> torch.Tensor:
    """Clip each coordinate of per-example gradients ``(B, ...)`` to the range between its
    ``100 - percentile`` and ``percentile`` percentiles over the ``B`` examples.

    ``percentile`` lies in [50, 100]: 100 keeps every value (the range is ``[min, max]``), 50
    sets every value to the median. A 1-D tensor of ``K`` percentiles gives one per index of
    dimension 1 (one per model of ``K`` stacked models, gradients ``(B, K, ...)``). Winsorized
    gradient descent of Chatterjee (2020, https://arxiv.org/abs/2002.10657).
    """
    if per_example.dim() < 1 or per_example.shape[0] < 1:
        raise ConfigError("winsorize needs per-example gradients of shape (B, ...), B >= 1")
    p = _percentiles(percentile, per_example)
    if p.dim() > 0 and p.numel() > 1 and bool((p == 100).any()):
        # Models at the 100th percentile keep their values as they are: skip their sort.
        clipped = (p.flatten() < 100).nonzero().flatten()
        out = per_example.clone()
        if clipped.numel():
            sub = per_example.index_select(1, clipped)
            out[:, clipped] = winsorize(sub, p.flatten()[clipped].to(torch.float64))
        return out
    if bool((p == 100).all()):
        return per_example
    p = p.expand(per_example.shape[1:]) / 100
    ordered = _sorted_last(per_example.movedim(0, -1)).to(per_example.device)
    upper = _order_statistic(ordered, p)
    lower = _order_statistic(ordered, 1 - p)
    return torch.minimum(torch.maximum(per_example, lower), upper)


def winsorized_mean(per_example: torch.Tensor, percentile: float | torch.Tensor) -> torch.Tensor:
    """Mean over dim 0 of :func:`winsorize` d per-example gradients; at ``percentile = 100``
    exactly ``per_example.mean(0)``."""
    return winsorize(per_example, percentile).mean(0)


class WinsorizedSGD(torch.optim.SGD):
    """SGD along the winsorized mean of per-example gradients (Chatterjee, 2020).

    Call :meth:`step_per_example` with one ``(B, *param.shape)`` tensor per parameter (in the
    order the parameters were given) instead of ``backward()`` + ``step()``: each parameter's
    ``.grad`` becomes the coordinate-wise winsorized mean of its per-example gradients, then
    :class:`torch.optim.SGD` steps (momentum, dampening, weight decay, Nesterov as there).
    ``percentile = 100`` is plain mini-batch SGD on the mean loss. ``percentile`` may be a 1-D
    tensor of one percentile per stacked model (dimension 1 of the gradients).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2,
                 percentile: float | Sequence[float] | torch.Tensor = 100.0,
                 momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr=lr, momentum=momentum, weight_decay=weight_decay)
        if isinstance(percentile, int | float):
            self.percentile: float | torch.Tensor = float(percentile)
            _percentiles(self.percentile, torch.zeros(1))
        else:
            self.percentile = torch.as_tensor(percentile, dtype=torch.float64).flatten()
            _percentiles(self.percentile, torch.zeros(1, self.percentile.numel()))

    def params(self) -> list[torch.Tensor]:
        return [p for group in self.param_groups for p in group["params"]]

    @torch.no_grad()
    def step_per_example(self, per_example: Sequence[torch.Tensor]) -> None:
        """One step from per-example gradients, one tensor ``(B, *p.shape)`` per parameter."""
        params = self.params()
        if len(per_example) != len(params):
            raise ConfigError(f"WinsorizedSGD: {len(params)} parameters but {len(per_example)} "
                              f"per-example gradient tensors")
        for p, g in zip(params, per_example):
            if tuple(g.shape[1:]) != tuple(p.shape):
                raise ConfigError(f"WinsorizedSGD: per-example gradients {tuple(g.shape)} do "
                                  f"not match a parameter of shape {tuple(p.shape)}")
            p.grad = winsorized_mean(g.to(p.dtype), self.percentile)
        self.step()


class _ExampleMajor(nn.Module):
    """A stacked model seen one example at a time: ``(1, S, F) -> (S, 1, C)``."""

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.transpose(0, 1))


def _summed_cross_entropy(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(outputs[:, 0], targets[0], reduction="sum")


def stacked_per_example_gradients(model: nn.Module, x: torch.Tensor,
                                  y: torch.Tensor) -> list[torch.Tensor]:
    """Per-example cross-entropy gradients of every model of a stacked model
    (:class:`~dlrepro.models.BatchedMLP`, ...), one tensor ``(B, S, *p.shape[1:])`` per
    parameter (``model.parameters()`` order): entry ``[i, s]`` is the gradient of model
    ``s``'s loss on its ``i``-th example. ``x`` is ``(S, B, F)`` (each model its own batch) or
    ``(B, F)`` (one batch for all); ``y`` is ``(S, B)``. One ``vmap`` over the examples
    (:func:`dlrepro.curvature.per_sample_gradients`); the models do not interact, so the
    slice of model ``s`` is its own gradient."""
    num_models = y.shape[0]
    xs = x.transpose(0, 1) if x.dim() == 3 else x.unsqueeze(1).expand(-1, num_models, -1)
    return per_sample_gradients(_ExampleMajor(model), _summed_cross_entropy, xs, y.T)
