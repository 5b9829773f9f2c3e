"""Training losses beyond plain cross-entropy, for :func:`dlrepro.train.train`'s ``loss_fn`` hook.

* :class:`ELRLoss`: early-learning regularization, Liu, Niles-Weed, Razavian & Fernandez-Granda
  (2020), *Early-Learning Regularization Prevents Memorization of Noisy Labels* (NeurIPS 2020,
  arXiv:2007.00151). Cross-entropy plus ``lam`` times the batch mean of
  ``log(1 - <t_i, p_i>)``, where ``p_i`` is the model's softmax output for example ``i`` and
  ``t_i`` a running average of the model's own past (detached) outputs for that example, a
  temporal ensemble updated each time the example is drawn:
  ``t_i <- beta * t_i + (1 - beta) * p_i``. Minimizing the term pulls ``p_i`` towards ``t_i``,
  which during early learning points to the right class more often than the noisy label does.

The loss keeps per-example state, so it needs each batch's example indices: the hook passes
them (:data:`dlrepro.train.LossFn`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError

__all__ = ["ELRLoss", "elr_penalty", "ELR_CLAMP"]

#: Softmax outputs are clipped to ``[ELR_CLAMP, 1 - ELR_CLAMP]`` before they enter the
#: regularizer and the ensemble, as in the authors' code, so ``1 - <t, p>`` never reaches 0.
ELR_CLAMP = 1e-4


def elr_penalty(probs: torch.Tensor, ensemble: torch.Tensor) -> torch.Tensor:
    """Per-example ``log(1 - <t, p>)`` over the last axis: the regularizer of Liu et al. (2020)."""
    return torch.log1p(-(ensemble * probs).sum(-1))


class ELRLoss:
    """Cross-entropy plus the early-learning regularizer of Liu et al. (2020).

    ``num_examples`` training examples of ``num_classes`` classes; ``beta`` is the momentum of
    the temporal ensemble and ``lam`` the weight of the regularizer (the authors' CIFAR-10
    configuration: ``beta = 0.7``, ``lam = 3``). For ``num_models`` stacked models
    (:func:`dlrepro.train.train_batched`) every model keeps its own ensemble and ``lam`` may be
    one value per model (``lam = 0`` for a model makes its loss plain cross-entropy, the
    control arm of the same batched pass). Call it as ``loss(logits, labels, index)``: logits
    ``(B, C)`` with labels and indices ``(B,)`` for one model (returns the mean loss), or
    ``(S, B, C)`` with ``(S, B)`` for ``S`` models (returns the sum of each model's mean loss,
    the convention of ``train_batched``).
    """

    def __init__(self, num_examples: int, num_classes: int, beta: float = 0.7,
                 lam: float | Sequence[float] = 3.0, num_models: int | None = None,
                 device: torch.device | str = "cpu") -> None:
        if not 0.0 <= beta < 1.0:
            raise ConfigError(f"ELRLoss: beta must lie in [0, 1), got {beta}")
        lams = torch.as_tensor(lam, dtype=torch.float32, device=device).reshape(-1)
        if (lams < 0).any() or not torch.isfinite(lams).all():
            raise ConfigError(f"ELRLoss: lam must be finite and >= 0, got {lam}")
        models = 1 if num_models is None else int(num_models)
        if lams.numel() not in (1, models):
            raise ConfigError(f"ELRLoss: lam needs 1 or {models} values, got {lams.numel()}")
        self.batched = num_models is not None
        self.beta = float(beta)
        self.lam = lams.expand(models).clone()
        #: The temporal ensemble ``t``, ``(models, num_examples, num_classes)``, zero at first.
        self.ensemble = torch.zeros(models, num_examples, num_classes, device=device)

    def __call__(self, logits: torch.Tensor, labels: torch.Tensor,
                 index: torch.Tensor) -> torch.Tensor:
        if (logits.dim() == 3) != self.batched:
            raise ConfigError(f"ELRLoss: built for {'stacked' if self.batched else 'one'} "
                              f"model(s), got logits of shape {tuple(logits.shape)}")
        if not self.batched:
            logits, labels, index = logits.unsqueeze(0), labels.unsqueeze(0), index.unsqueeze(0)
        models = torch.arange(logits.shape[0], device=logits.device).unsqueeze(1)
        probs = F.softmax(logits, dim=-1).clamp(ELR_CLAMP, 1.0 - ELR_CLAMP)
        seen = probs.detach()
        self.ensemble[models, index] = (self.beta * self.ensemble[models, index]
                                        + (1.0 - self.beta) * seen / seen.sum(-1, keepdim=True))
        ce = F.cross_entropy(logits.transpose(1, 2), labels, reduction="none").mean(1)
        penalty = elr_penalty(probs, self.ensemble[models, index]).mean(1)
        per_model = ce + self.lam * penalty
        return per_model.sum() if self.batched else per_model[0]
