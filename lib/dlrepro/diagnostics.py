"""Per-layer statistics of a network on one batch: how signals and gradients propagate.

What initialization papers plot to show that a scheme keeps (or fails to keep) the scale of the
forward signal and of the backward gradient through depth (e.g. Glorot & Bengio, 2010; Saxe et
al., 2014; Mishkin & Matas, 2016).

:func:`gradient_coherence` measures how well the per-example gradients of a sample agree, the
coherence of Chatterjee & Zielinski (2022, https://arxiv.org/abs/2203.10036).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.init import weight_layers

__all__ = ["LayerStats", "layer_statistics", "weight_distance", "gradient_coherence"]


@dataclass(frozen=True)
class LayerStats:
    """One weight layer's output (pre-activation) mean and variance over the batch and all
    units, and the standard deviation of the loss gradient w.r.t. its weight (``nan`` without a
    loss)."""

    layer: int
    output_mean: float
    output_var: float
    weight_grad_std: float


def layer_statistics(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor | None = None,
    loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None,
) -> list[LayerStats]:
    """Forward ``x`` (and, given ``y`` and ``loss_fn``, backward the loss) once, recording every
    Linear / Conv layer's output and weight gradient. The model's ``.grad`` fields are left as
    they were."""
    layers = weight_layers(model)
    outputs: dict[int, torch.Tensor] = {}
    hooks = [layer.register_forward_hook(
        lambda _m, _i, out, index=index: outputs.__setitem__(index, out.detach()))
        for index, layer in enumerate(layers)]
    try:
        if y is None or loss_fn is None:
            with torch.no_grad():
                model(x)
            grads = [None] * len(layers)
        else:
            weights = [layer.weight for layer in layers]
            grads = torch.autograd.grad(loss_fn(model(x), y), weights, allow_unused=True)
    finally:
        for hook in hooks:
            hook.remove()
    return [LayerStats(index, outputs[index].float().mean().item(),
                       outputs[index].float().var().item(),
                       float("nan") if grad is None else grad.float().std().item())
            for index, grad in enumerate(grads)]


@torch.no_grad()
def weight_distance(current: Sequence[torch.Tensor], initial: Sequence[torch.Tensor],
                    batched: bool = False) -> torch.Tensor:
    """Euclidean distance ``||w - w_0||`` between two lists of parameter tensors, taken over all
    of them as one vector. Hoffer, Hubara & Soudry (2017) track it during training and find
    that it grows like the logarithm of the number of updates.

    ``batched=True`` treats the first dimension of every tensor as the model index of a
    stacked model (:class:`~dlrepro.models.BatchedMLP`, ...) and returns one distance per
    model, shape ``(S,)``; otherwise a scalar tensor.
    """
    current, initial = list(current), list(initial)
    if len(current) != len(initial) or not current:
        raise ConfigError(f"weight_distance: need two equally long, non-empty lists, got "
                          f"{len(current)} and {len(initial)} tensors")
    total = None
    for w, w0 in zip(current, initial):
        if w.shape != w0.shape:
            raise ConfigError(f"weight_distance: shapes differ, {tuple(w.shape)} and "
                              f"{tuple(w0.shape)}")
        diff = (w.detach().double() - w0.detach().double())
        squared = diff.flatten(1).pow(2).sum(1) if batched else diff.pow(2).sum()
        total = squared if total is None else total + squared
    return total.sqrt()


def gradient_coherence(per_example: torch.Tensor | Sequence[torch.Tensor], batch_dims: int = 0,
                       normalized: bool = False) -> torch.Tensor:
    """Coherence of ``m`` per-example gradients, ``alpha = ||E g||^2 / E ||g||^2``.

    Chatterjee & Zielinski (2022, *On the Generalization Mystery in Deep Learning*,
    https://arxiv.org/abs/2203.10036): the expectations run over the ``m`` examples of a
    sample. ``alpha`` is 1 when every example has the same gradient and ``1/m`` (the
    *orthogonal limit* ``alpha_perp``) when the gradients are pairwise orthogonal, whatever
    their norms; ``normalized=True`` returns ``alpha / alpha_perp = m * alpha`` (the
    "m-coherence" of Chatterjee & Zielinski, 2020), so 1 means orthogonal and ``m`` identical.

    ``per_example`` is one tensor ``(m, ...)`` or a list of them (one per parameter, as
    :func:`dlrepro.curvature.per_sample_gradients` returns); every example's gradient is the
    concatenation of all of them. ``batch_dims`` leading dimensions after the first are kept
    apart (``1`` for models stacked in a :class:`~dlrepro.models.BatchedMLP`: gradients
    ``(m, S, ...)`` give ``S`` coherences). Sums run in float64. A sample whose gradients are
    all zero has no coherence (``nan``).
    """
    tensors = [per_example] if isinstance(per_example, torch.Tensor) else list(per_example)
    if not tensors:
        raise ConfigError("gradient_coherence needs at least one tensor of gradients")
    m = tensors[0].shape[0]
    lead = tuple(tensors[0].shape[1:1 + batch_dims])
    if any(t.shape[0] != m or tuple(t.shape[1:1 + batch_dims]) != lead or
           t.dim() < 1 + batch_dims for t in tensors):
        raise ConfigError("gradient_coherence: every tensor needs the same leading "
                          f"(examples, *batch) shape, got {[tuple(t.shape) for t in tensors]}")
    if m < 1:
        raise ConfigError("gradient_coherence needs at least one example")
    flat = torch.cat([t.detach().double().reshape(m, *lead, -1) for t in tensors], dim=-1)
    mean_sq = flat.mean(0).pow(2).sum(-1)  # ||E g||^2
    sq_mean = flat.pow(2).sum(-1).mean(0)  # E ||g||^2
    alpha = mean_sq / sq_mean
    return alpha * m if normalized else alpha
