"""Weight masks: magnitude pruning, random masks, and iterative magnitude pruning (IMP).

Masks are lists of 0/1 tensors, one per weight tensor, in layer order. With ``stacked=True``
the first dimension indexes independent models (the layout of
:class:`~dlrepro.models.BatchedMLP`), and every selection happens inside each model.

* Magnitude pruning removes the smallest-magnitude surviving weights, per layer or globally
  (Han et al., 2015, *Learning both Weights and Connections*).
* IMP with rewinding prunes a trained network and resets the survivors to their initial values
  (Frankle & Carbin, 2019, *The Lottery Ticket Hypothesis*).
* Random masks keep the same number of weights in every layer at random positions: the control
  arm for any claim that a particular mask matters.

:func:`apply_masks` attaches masks to ordinary modules through ``torch.nn.utils.prune``, so a
pruned weight is exactly zero in every forward pass whatever the optimizer does.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn.utils import prune as torch_prune

from dlrepro.errors import ConfigError

__all__ = [
    "magnitude_masks",
    "random_masks",
    "density",
    "imp_step",
    "apply_masks",
    "prunable_layers",
]

Masks = list[torch.Tensor]


def _rows(tensors: Sequence[torch.Tensor], stacked: bool) -> list[torch.Tensor]:
    """Each tensor flattened to ``(models, -1)``."""
    return [t.reshape(t.shape[0], -1) if stacked else t.reshape(1, -1) for t in tensors]


def _check_fraction(fraction: float) -> None:
    if not 0.0 <= fraction < 1.0:
        raise ConfigError(f"pruning fraction must lie in [0, 1), got {fraction}")


def _keep_top(scores: torch.Tensor, alive: torch.Tensor, fraction: float) -> torch.Tensor:
    """0/1 row mask keeping the highest-scoring ``alive - round(fraction * alive)`` live entries."""
    n_alive = int(alive.sum().item())
    n_keep = n_alive - int(round(fraction * n_alive))
    masked = torch.where(alive.bool(), scores, torch.full_like(scores, -float("inf")))
    keep = torch.zeros_like(scores)
    if n_keep > 0:
        keep[masked.topk(n_keep).indices] = 1.0
    return keep


def magnitude_masks(
    weights: Sequence[torch.Tensor],
    fraction: float | Sequence[float],
    scope: str = "layer",
    masks: Sequence[torch.Tensor] | None = None,
    stacked: bool = False,
) -> Masks:
    """Prune ``fraction`` of the surviving weights with the smallest magnitude.

    ``scope="layer"`` prunes that fraction of every layer (``fraction`` may then be a list, one
    per layer, e.g. a lower rate for the output layer as Frankle & Carbin do); ``"global"``
    ranks all layers together. ``masks`` are the current masks (all ones when omitted).
    """
    if scope not in ("layer", "global"):
        raise ConfigError(f"magnitude_masks: scope must be 'layer' or 'global', got {scope!r}")
    if masks is None:
        masks = [torch.ones_like(w) for w in weights]
    if len(masks) != len(weights):
        raise ConfigError(f"magnitude_masks: {len(weights)} weights but {len(masks)} masks")
    fractions = list(fraction) if isinstance(fraction, Sequence) else [fraction] * len(weights)
    if len(fractions) != len(weights):
        raise ConfigError(f"magnitude_masks: {len(weights)} layers but {len(fractions)} fractions")
    if scope == "global" and len(set(fractions)) > 1:
        raise ConfigError("magnitude_masks: per-layer fractions need scope='layer'")
    for f in fractions:
        _check_fraction(f)
    score_rows = [r.abs() for r in _rows([w.detach() for w in weights], stacked)]
    alive_rows = _rows(masks, stacked)
    if scope == "layer":
        kept = [
            torch.stack([_keep_top(s, a, f) for s, a in zip(scores, alive)])
            for scores, alive, f in zip(score_rows, alive_rows, fractions)
        ]
    else:
        scores, alive = torch.cat(score_rows, 1), torch.cat(alive_rows, 1)
        joined = torch.stack([_keep_top(s, a, fractions[0]) for s, a in zip(scores, alive)])
        kept = list(joined.split([r.shape[1] for r in score_rows], dim=1))
    return [k.reshape(w.shape).to(w.dtype) for k, w in zip(kept, weights)]


def random_masks(masks: Sequence[torch.Tensor], generator: torch.Generator,
                 stacked: bool = False) -> Masks:
    """Masks that keep as many weights as ``masks`` in every layer (of every model), at random."""
    out = []
    for mask, rows in zip(masks, _rows(masks, stacked)):
        new = torch.zeros_like(rows)
        for i, row in enumerate(rows):
            n_keep = int(row.sum().item())
            order = torch.randperm(row.numel(), generator=generator, device=generator.device)
            new[i, order[:n_keep].to(row.device)] = 1.0
        out.append(new.reshape(mask.shape))
    return out


def density(masks: Sequence[torch.Tensor], stacked: bool = False) -> torch.Tensor:
    """Fraction of weights kept: a scalar, or one value per model when ``stacked``."""
    rows = _rows(masks, stacked)
    kept = sum(r.sum(1) for r in rows)
    total = sum(r.shape[1] for r in rows)
    return kept / total if stacked else (kept / total)[0]


def imp_step(
    trained: Sequence[torch.Tensor],
    initial: Sequence[torch.Tensor],
    masks: Sequence[torch.Tensor] | None,
    fraction: float | Sequence[float],
    scope: str = "layer",
    stacked: bool = False,
) -> tuple[Masks, list[torch.Tensor]]:
    """One round of IMP: prune the trained weights, rewind survivors to their initial values.

    Returns the new masks and the rewound weights ``initial * mask`` (Frankle & Carbin, 2019,
    Algorithm 1, steps 3-4).
    """
    new_masks = magnitude_masks(trained, fraction, scope, masks, stacked)
    rewound = [w0.detach() * m for w0, m in zip(initial, new_masks)]
    return new_masks, rewound


def prunable_layers(model: nn.Module) -> list[nn.Module]:
    """The Linear and Conv layers of ``model`` in order: the layers whose weights get masked."""
    return [m for m in model.modules() if isinstance(m, nn.Linear | nn.Conv1d | nn.Conv2d)]


def apply_masks(layers: Sequence[nn.Module], masks: Sequence[torch.Tensor]) -> None:
    """Attach ``masks`` to the layers' weights with ``torch.nn.utils.prune``.

    Afterwards ``layer.weight == layer.weight_orig * layer.weight_mask`` in every forward pass,
    so pruned weights stay exactly zero through any number of optimizer steps. A layer that is
    already masked gets the product of its old and new mask.
    """
    if len(layers) != len(masks):
        raise ConfigError(f"apply_masks: {len(layers)} layers but {len(masks)} masks")
    for layer, mask in zip(layers, masks):
        if mask.shape != layer.weight.shape:
            raise ConfigError(f"apply_masks: mask {tuple(mask.shape)} does not fit weight "
                              f"{tuple(layer.weight.shape)}")
        torch_prune.custom_from_mask(layer, "weight", mask.to(layer.weight.device))
