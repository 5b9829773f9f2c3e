"""Supermasks: train which frozen random weights to use, never the weights themselves.

* Edge-popup (Ramanujan, Wortsman, Kembhavi, Farhadi & Rastegari, 2020, *What's Hidden in a
  Randomly Weighted Neural Network?*, https://arxiv.org/abs/1911.13299): every weight has a
  score; the forward pass uses only the weights whose scores are among the top ``k`` of their
  layer (:class:`BinarySupermask`, mask in {0, 1}). The top-``k`` selection has no useful
  derivative, so the backward pass treats the mask as the identity of the scores (a
  straight-through estimator): ``dL/ds = dL/dw_eff * w``.
* Signed supermasks (Koster, Grothe & Rettinger, 2022, *Signing the Supermask: Keep, Hide,
  Invert*, https://arxiv.org/abs/2201.13361): the mask may also flip a weight's sign
  (:class:`SignedSupermask`, mask in {-1, 0, +1}). Here the ``k`` scores of largest magnitude
  keep (+1) or invert (-1) their weight by the sign of the score and the rest are hidden; the
  gradient is straight-through as above. (The paper's main variant uses a fixed threshold on the
  scores instead of a top-``k``, so its density is learned; a fixed ``k`` makes the density a
  knob that binary and signed masks share.)
* Frozen weights for both (:func:`scaled_signed_constant`): every weight of a layer has the same
  magnitude and a random sign, ``sqrt(gain / (density * fan_in))``. Dividing the fan-in by the
  share of weights a mask keeps is the "scaled fan-in" of the edge-popup code (its
  ``scale_fan`` option); ``gain = 2`` is its signed Kaiming constant for ReLU. Koster et al.'s
  ELUS weights are the ELU member of this family: ``gain = 1.5`` (:data:`ELU_GAIN`, the
  variance ``1.5 / fan_in`` their code uses for ELU networks) at ``density = 0.5``, i.e.
  ``+-sqrt(3 / fan_in)``.

:class:`SupermaskMLP` holds ``S`` frozen MLPs with stacked weights ``(S, out, in)`` and computes
what :class:`~dlrepro.models.BatchedMLP` computes with the masked weights; its only parameters
are the scores, so it trains with :func:`dlrepro.train.train_batched` like a ``BatchedMLP``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.models import BatchedMLP, activation

__all__ = ["BinarySupermask", "SignedSupermask", "SupermaskMLP", "SUPERMASKS", "ELU_GAIN",
           "scaled_signed_constant"]

#: Variance gain of an ELU layer (alpha = 1): ``Var(w) = ELU_GAIN / fan_in`` keeps the scale of
#: the pre-activations, as He et al.'s 2 does for ReLU (1 / E[elu(z)^2] = 1.55 for z ~ N(0, 1)).
ELU_GAIN = 1.5


def _kept(n: int, density: float) -> int:
    """``round(density * n)``, the number of weights a layer of ``n`` keeps."""
    if not 0.0 < density <= 1.0:
        raise ConfigError(f"supermask density must lie in (0, 1], got {density}")
    k = round(density * n)
    if k < 1:
        raise ConfigError(f"density {density} keeps no weight of a layer of {n}; raise it")
    return k


class BinarySupermask(torch.autograd.Function):
    """``apply(scores, density)``: 1 on the top ``round(density * n)`` scores of each slice.

    ``scores`` is ``(S, ...)``: the selection runs inside each leading slice (one model). The
    backward pass is straight-through: the gradient of the mask is passed to the scores as is.
    """

    @staticmethod
    def forward(ctx, scores: torch.Tensor, density: float) -> torch.Tensor:
        flat = scores.reshape(scores.shape[0], -1)
        top = flat.topk(_kept(flat.shape[1], density), dim=1, sorted=False).indices
        return torch.zeros_like(flat).scatter_(1, top, 1.0).view_as(scores)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


class SignedSupermask(torch.autograd.Function):
    """``apply(scores, density)``: ``sign(score)`` on the top ``k`` scores by magnitude, else 0.

    As :class:`BinarySupermask`, per leading slice and with a straight-through backward pass.
    A kept score of exactly zero counts as positive, so exactly ``k`` entries are non-zero.
    """

    @staticmethod
    def forward(ctx, scores: torch.Tensor, density: float) -> torch.Tensor:
        flat = scores.reshape(scores.shape[0], -1)
        top = flat.abs().topk(_kept(flat.shape[1], density), dim=1, sorted=False).indices
        signs = torch.where(flat.gather(1, top) >= 0, 1.0, -1.0).to(flat.dtype)
        return torch.zeros_like(flat).scatter_(1, top, signs).view_as(scores)

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad, None


SUPERMASKS = {"binary": BinarySupermask, "signed": SignedSupermask}


def scaled_signed_constant(weight: torch.Tensor, density: float = 0.5,
                           gain: float = ELU_GAIN) -> torch.Tensor:
    """``sign(weight) * sqrt(gain / (density * fan_in))``, ``fan_in = weight.shape[-1]``.

    ``weight`` is ``(out, in)`` or stacked ``(S, out, in)``; only its signs are used (a zero
    counts as positive). A row that keeps ``density * fan_in`` of these weights has squared norm
    ``gain``, so the kept weights give a unit's pre-activation the variance that ``gain / fan_in``
    gives a dense layer. ``density = 0.5`` with the default gain is Koster et al.'s ELUS.
    """
    if weight.dim() < 2:
        raise ConfigError(f"scaled_signed_constant needs (out, in) or (S, out, in) weights, "
                          f"got shape {tuple(weight.shape)}")
    if not 0.0 < density <= 1.0:
        raise ConfigError(f"scaled_signed_constant: density must lie in (0, 1], got {density}")
    if not gain > 0.0:
        raise ConfigError(f"scaled_signed_constant: gain must be positive, got {gain}")
    magnitude = math.sqrt(gain / (density * weight.shape[-1]))
    return torch.where(weight >= 0, magnitude, -magnitude).to(weight.dtype)


class SupermaskMLP(nn.Module):
    """``S`` MLPs of frozen weights ``(S, out, in)`` whose masks are learned through scores.

    ``forward`` takes ``(S, batch, in)`` or ``(batch, in)`` and returns ``(S, batch, out)``,
    exactly :class:`~dlrepro.models.BatchedMLP` with weights ``w * mask(scores)``. ``density``
    (one value, or one per layer) fixes how many weights each layer of each model uses.
    Weights and biases are buffers; scores start uniform in ``+-1/sqrt(fan_in)``, as the
    Kaiming-uniform default of Ramanujan et al.
    """

    def __init__(
        self,
        weights: Sequence[torch.Tensor],
        biases: Sequence[torch.Tensor] | None = None,
        kind: str = "binary",
        density: float | Sequence[float] = 0.5,
        activation_name: str = "relu",
        generator: torch.Generator | None = None,
    ) -> None:
        super().__init__()
        if kind not in SUPERMASKS:
            raise ConfigError(f"unknown supermask kind {kind!r}; choose one of: "
                              f"{', '.join(SUPERMASKS)}")
        shapes = [tuple(w.shape) for w in weights]
        if not shapes or any(len(s) != 3 or s[0] != shapes[0][0] for s in shapes) or any(
                a[1] != b[2] for a, b in zip(shapes, shapes[1:])):
            raise ConfigError(f"SupermaskMLP needs stacked weights (S, out, in) that chain, got "
                              f"{shapes}")
        if biases is not None and [tuple(b.shape) for b in biases] != [s[:2] for s in shapes]:
            raise ConfigError(f"SupermaskMLP: biases {[tuple(b.shape) for b in biases]} do not "
                              f"fit weights {shapes}")
        densities = (list(density) if isinstance(density, Sequence)
                     else [density] * len(shapes))
        if len(densities) != len(shapes):
            raise ConfigError(f"SupermaskMLP: {len(shapes)} layers but {len(densities)} "
                              "densities")
        for s, d in zip(shapes, densities):
            _kept(s[1] * s[2], d)
        self.kind, self.densities = kind, densities
        self.activation_name = activation_name
        self.act = activation(activation_name)
        self.has_bias = biases is not None
        for i, w in enumerate(weights):
            self.register_buffer(f"weight{i}", w.detach().clone())
            if biases is not None:
                self.register_buffer(f"bias{i}", biases[i].detach().clone())
        self.scores = nn.ParameterList(nn.Parameter(self._initial_scores(w, generator))
                                       for w in weights)

    @staticmethod
    def _initial_scores(w: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        bound = 1.0 / math.sqrt(w.shape[2])
        device = generator.device if generator is not None else w.device
        u = torch.rand(w.shape, generator=generator, device=device, dtype=w.dtype)
        return ((2 * u - 1) * bound).to(w.device)

    @classmethod
    def from_batched(cls, model: BatchedMLP, kind: str = "binary",
                     density: float | Sequence[float] = 0.5,
                     generator: torch.Generator | None = None) -> SupermaskMLP:
        """Freeze the (effective) weights and biases of a :class:`BatchedMLP`."""
        biases = list(model.biases) if model.has_bias else None
        return cls(model.effective_weights(), biases, kind, density, model.activation_name,
                   generator)

    @property
    def weights(self) -> list[torch.Tensor]:
        return [getattr(self, f"weight{i}") for i in range(len(self.scores))]

    @property
    def biases(self) -> list[torch.Tensor] | None:
        return [getattr(self, f"bias{i}") for i in range(len(self.scores))] if self.has_bias \
            else None

    @property
    def num_models(self) -> int:
        return self.weight0.shape[0]

    def _masks(self) -> list[torch.Tensor]:
        rule = SUPERMASKS[self.kind]
        return [rule.apply(s, d) for s, d in zip(self.scores, self.densities)]

    def masks(self) -> list[torch.Tensor]:
        """The current masks ``(S, out, in)``, values in {0, 1} or {-1, 0, 1}."""
        with torch.no_grad():
            return self._masks()

    def effective_weights(self) -> list[torch.Tensor]:
        """``w * mask(scores)`` per layer, differentiable in the scores (straight-through)."""
        return [w * m for w, m in zip(self.weights, self._masks())]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.num_models, *x.shape)
        h = x.flatten(2)
        weights, biases = self.effective_weights(), self.biases
        for i, weight in enumerate(weights):
            if biases is not None:
                h = torch.baddbmm(biases[i].unsqueeze(1), h, weight.transpose(1, 2))
            else:
                h = torch.bmm(h, weight.transpose(1, 2))
            if i < len(weights) - 1:
                h = self.act(h)
        return h
