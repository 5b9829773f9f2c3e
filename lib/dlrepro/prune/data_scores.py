"""Data pruning: score training examples early in training, keep the informative ones.

Paul, Ganguli & Dziugaite (2021), *Deep Learning on a Data Diet: Finding Important Examples
Early in Training*, https://arxiv.org/abs/2107.07075, define two scores, each averaged over
several independently initialized (or briefly trained) networks:

* EL2N, the norm of the error vector ``||softmax(f(x)) - onehot(y)||_2`` (:func:`el2n_scores`);
* GraNd, the norm of the gradient of the example's loss with respect to all parameters
  (:func:`grand_scores`), computed for all examples at once with ``torch.func.vmap(grad)``;
  for the stacked MLPs of a :class:`~dlrepro.models.BatchedMLP` with cross-entropy,
  :func:`grand_scores_batched_mlp` gives the same scores in closed form from one backward pass.

Examples with low scores are easy and can be dropped; :func:`keep_hardest` returns the indices
of the examples to train on.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, grad, vmap

from dlrepro.errors import ConfigError
from dlrepro.models import BatchedMLP

__all__ = ["el2n_scores", "grand_scores", "grand_scores_batched_mlp", "keep_hardest"]

LossFn = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def el2n_scores(outputs: torch.Tensor, y: torch.Tensor, from_logits: bool = True) -> torch.Tensor:
    """EL2N score of each example, shape ``(N,)``.

    ``outputs`` are logits (or probabilities with ``from_logits=False``) of shape ``(N, C)``, or
    ``(S, N, C)`` for ``S`` models, whose scores are averaged. ``y`` holds class indices ``(N,)``.
    """
    if outputs.dim() not in (2, 3) or y.shape != outputs.shape[-2:-1]:
        raise ConfigError(f"el2n_scores: outputs must be (N, C) or (S, N, C) with labels (N,), "
                          f"got {tuple(outputs.shape)} and {tuple(y.shape)}")
    if from_logits:
        probs = outputs.softmax(-1)
    else:
        probs = outputs
        if not torch.allclose(probs.sum(-1), torch.ones_like(probs[..., 0]), atol=1e-4):
            raise ConfigError("el2n_scores: probabilities must sum to 1 over classes; pass "
                              "logits with from_logits=True")
    error = probs - F.one_hot(y, outputs.shape[-1]).to(probs.dtype)
    norms = error.norm(dim=-1)
    return norms.mean(0) if norms.dim() == 2 else norms


def grand_scores(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss_fn: LossFn,
                 chunk_size: int | None = None) -> torch.Tensor:
    """GraNd score of each example: ``||d loss(f(x_i), y_i) / d theta||_2``, shape ``(N,)``.

    ``theta`` are the parameters that require gradients; ``loss_fn(outputs, targets)`` is called
    on a batch of one example. For a :class:`~dlrepro.models.BatchedMLP` the norm is taken per
    model and averaged over the ``S`` models. ``chunk_size`` bounds how many examples are
    differentiated at once (memory). Each example passes through the model alone: put a model
    with batch norm or dropout in eval mode first.
    """
    if x.shape[0] != y.shape[0]:
        raise ConfigError(f"grand_scores: {x.shape[0]} inputs but {y.shape[0]} labels")
    params = {k: p.detach() for k, p in model.named_parameters() if p.requires_grad}
    if not params:
        raise ConfigError("grand_scores: the model has no parameter that requires gradients")
    frozen = {k: p.detach() for k, p in model.named_parameters() if not p.requires_grad}
    frozen.update(dict(model.named_buffers()))
    stacked = isinstance(model, BatchedMLP)

    def loss_one(p: dict[str, torch.Tensor], xi: torch.Tensor, yi: torch.Tensor) -> torch.Tensor:
        out = functional_call(model, (p, frozen), (xi.unsqueeze(0),))
        target = yi.unsqueeze(0)
        if stacked:  # (S, 1, C): the models are independent, so sum their losses
            return sum(loss_fn(o, target) for o in out)
        return loss_fn(out, target)

    grads = vmap(grad(loss_one), in_dims=(None, 0, 0), chunk_size=chunk_size)(params, x, y)
    if stacked:  # every gradient is (N, S, ...): one norm per example and model, then the mean
        squares = sum(g.flatten(2).pow(2).sum(2) for g in grads.values())
        return squares.sqrt().mean(1)
    return sum(g.flatten(1).pow(2).sum(1) for g in grads.values()).sqrt()


def grand_scores_batched_mlp(model: BatchedMLP, x: torch.Tensor,
                             y: torch.Tensor) -> torch.Tensor:
    """GraNd with the cross-entropy loss for every model of a :class:`BatchedMLP`, averaged over
    its models, shape ``(N,)``: what :func:`grand_scores` returns, without per-example autograd.

    For a linear layer ``z = W a + b`` the gradient of one example's loss is ``delta a^T`` for
    ``W`` and ``delta`` for ``b``, where ``delta = d loss / d z`` of that example, so its squared
    norm is ``|delta|^2 (|a|^2 + 1)``. One backward pass of the summed loss gives every example's
    ``delta`` (the examples do not interact in an MLP). Masked models are refused: their
    gradients are masked too and the closed form does not apply.
    """
    if any(m is not None for m in model.masks):
        raise ConfigError("grand_scores_batched_mlp: the model has masks; use grand_scores")
    if x.shape[0] != y.shape[0]:
        raise ConfigError(f"grand_scores_batched_mlp: {x.shape[0]} inputs but {y.shape[0]} labels")
    with torch.enable_grad():
        h = x.flatten(1).unsqueeze(0).expand(model.num_models, -1, -1)
        inputs, outputs = [], []
        last = len(model.weights) - 1
        for i, weight in enumerate(model.weights):
            inputs.append(h.detach())
            z = torch.bmm(h, weight.detach().transpose(1, 2))
            if model.has_bias:
                z = z + model.biases[i].detach().unsqueeze(1)
            z.requires_grad_(True)
            outputs.append(z)
            h = model.act(z) if i < last else z
        target = y.expand(model.num_models, -1)
        loss = F.cross_entropy(h.transpose(1, 2), target, reduction="sum")
        deltas = torch.autograd.grad(loss, outputs)
    squares = sum(d.pow(2).sum(-1) * (a.pow(2).sum(-1) + float(model.has_bias))
                  for d, a in zip(deltas, inputs))  # (S, N)
    return squares.sqrt().mean(0)


def keep_hardest(scores: torch.Tensor, fraction: float, offset: float = 0.0) -> torch.Tensor:
    """Indices (ascending) of the ``round(fraction * N)`` highest-scoring examples.

    ``offset`` first skips the ``round(offset * N)`` very highest (Paul et al. find that dropping
    the hardest, often mislabeled, examples helps when little data is kept). Ties keep the lower
    index.
    """
    n = scores.shape[0]
    if scores.dim() != 1:
        raise ConfigError(f"keep_hardest: scores must be (N,), got {tuple(scores.shape)}")
    if not 0.0 < fraction <= 1.0 or not 0.0 <= offset < 1.0:
        raise ConfigError(f"keep_hardest: need 0 < fraction <= 1 and 0 <= offset < 1, got "
                          f"fraction={fraction}, offset={offset}")
    start, count = round(offset * n), round(fraction * n)
    if start + count > n:
        raise ConfigError(f"keep_hardest: offset {offset} + fraction {fraction} exceed the data")
    order = torch.sort(scores, descending=True, stable=True).indices
    return order[start:start + count].sort().values
