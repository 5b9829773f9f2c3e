"""Training loops over device-resident tensors, in the spirit of nanoGPT and airbench.

There is no DataLoader: a data set is a pair of tensors on the device, an epoch is one
``torch.randperm`` and a mini-batch is an index into it. :func:`train` trains one model;
:func:`train_batched` trains the ``S`` models of a stacked model
(:class:`~dlrepro.models.BatchedMLP`, :class:`~dlrepro.models.BatchedResidualMLP`,
:class:`~dlrepro.models.BatchedCNN1d`) in one pass, each with its own data order (and, if given,
its own labels or inputs), and gives the same result as training each model alone with
:func:`train`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.explore import headless

__all__ = [
    "TrainConfig",
    "History",
    "make_optimizer",
    "epoch_batches",
    "evaluate",
    "evaluate_batched",
    "train",
    "train_batched",
    "at_best",
    "LossFn",
    "FitResult",
    "fit_until",
]

EvalSets = Mapping[str, tuple[torch.Tensor, torch.Tensor]]
#: Builds an optimizer for the model's parameters, e.g. ``lambda p: Lookahead(SGD(p, lr=0.1))``.
OptimizerFactory = Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]
#: A training loss that sees which examples the batch holds: ``loss_fn(logits, targets, index)``
#: returns the scalar to minimize. :func:`train` passes logits ``(B, C)``, targets and indices
#: ``(B,)``; :func:`train_batched` passes ``(S, B, C)`` and ``(S, B)`` and expects the sum over
#: models of each model's mean loss. Losses with per-example state need the indices, e.g. the
#: temporal ensemble of :class:`dlrepro.losses.ELRLoss` (Liu et al., 2020).
LossFn = Callable[[torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (an experiment is data, as in OpenLTH)."""

    steps: int
    batch_size: int = 128
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.9
    weight_decay: float = 0.0
    eval_every: int = 100

    def __post_init__(self) -> None:
        if self.steps < 1 or self.batch_size < 1 or self.eval_every < 1:
            raise ConfigError(f"TrainConfig: steps, batch_size and eval_every must be >= 1: {self}")
        if self.lr <= 0:
            raise ConfigError(f"TrainConfig: lr must be positive, got {self.lr}")
        if self.optimizer not in ("sgd", "adam"):
            raise ConfigError(
                f"TrainConfig: optimizer must be 'sgd' or 'adam', got {self.optimizer!r}")


@dataclass
class History:
    """Metrics recorded at evaluation steps.

    ``metrics[name]`` is a list with one entry per evaluation: a float for one model, a
    length-``S`` array for ``S`` batched models.
    """

    steps: list[int] = field(default_factory=list)
    metrics: dict[str, list] = field(default_factory=dict)

    def record(self, step: int, values: Mapping[str, object]) -> None:
        self.steps.append(step)
        for name, value in values.items():
            self.metrics.setdefault(name, []).append(value)

    def __getitem__(self, name: str) -> np.ndarray:
        """``(evaluations,)`` or ``(evaluations, S)`` array of one metric."""
        return np.asarray(self.metrics[name])

    def final(self, name: str) -> np.ndarray | float:
        return self[name][-1]


def make_optimizer(params, config: TrainConfig) -> torch.optim.Optimizer:
    """SGD (with momentum) or Adam, from a :class:`TrainConfig`; torch's fused kernels on CPU and
    CUDA (one kernel for all parameters instead of a Python loop: about 1.5x faster steps for
    the book's small batched models on CPU)."""
    params = list(params)
    fused = all(p.device.type in ("cpu", "cuda") for p in params)
    if config.optimizer == "sgd":
        return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum,
                               weight_decay=config.weight_decay, fused=fused)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay, fused=fused)


def epoch_batches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Endless mini-batch indices: a fresh permutation per epoch, the partial batch dropped."""
    if batch_size > n:
        raise ConfigError(f"batch_size {batch_size} is larger than the {n} training examples")
    while True:
        order = torch.randperm(n, generator=generator, device=generator.device)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start:start + batch_size]


def _autocast(device: torch.device):
    """bfloat16 autocast on CUDA; a no-op elsewhere (CPU runs stay in float32, deterministic)."""
    return torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.type == "cuda")


def _maybe_compile(model: nn.Module, device: torch.device,
                   compile_model: bool | None) -> nn.Module:
    """``torch.compile(model)`` when asked, by default on CUDA only: on the book's CPU the
    compilation costs more than it saves over a quick-profile run (``make bench --compile``)."""
    if compile_model is None:
        compile_model = device.type == "cuda"
    return torch.compile(model) if compile_model else model


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
             batch_size: int = 8192) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of one model on (x, y)."""
    was_training = model.training
    model.eval()
    loss_sum, correct = 0.0, 0
    with _autocast(x.device):
        for start in range(0, y.shape[0], batch_size):
            logits = model(x[start:start + batch_size]).float()
            target = y[start:start + batch_size]
            loss_sum += F.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(-1) == target).sum().item()
    model.train(was_training)
    return loss_sum / y.shape[0], correct / y.shape[0]


@torch.no_grad()
def evaluate_batched(model: nn.Module, x: torch.Tensor,
                     y: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Per-model loss and accuracy, shape ``(S,)``, of a stacked model (``S = num_models``).

    ``x`` is ``(N, F)`` or ``(S, N, F)``; ``y`` is ``(N,)`` or ``(S, N)``.
    """
    with _autocast(x.device):
        logits = model(x).float()
    target = y.expand(logits.shape[0], -1) if y.dim() == 1 else y
    loss = F.cross_entropy(logits.transpose(1, 2), target, reduction="none").mean(1)
    acc = (logits.argmax(-1) == target).float().mean(1)
    return loss.cpu().numpy(), acc.cpu().numpy()


def _progress(steps: int, enabled: bool, desc: str):
    """A tqdm range; off when headless, where every refresh would become a stored output."""
    from tqdm.auto import tqdm

    return tqdm(range(1, steps + 1), disable=not enabled or headless(), desc=desc, leave=False)


def _build_optimizer(params, config: TrainConfig,
                     optimizer: OptimizerFactory | None) -> torch.optim.Optimizer:
    return make_optimizer(params, config) if optimizer is None else optimizer(params)


def _update(optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
    """One step; an optimizer with ``needs_graph = True`` (a second-order method such as
    :class:`~dlrepro.optim.AdaHessian`) gets gradients that can be differentiated again."""
    optimizer.zero_grad(set_to_none=True)
    if getattr(optimizer, "needs_graph", False):
        with warnings.catch_warnings():  # the optimizer detaches the gradients after its step,
            warnings.filterwarnings("ignore", message=".*create_graph=True.*")  # no cycle stays
            loss.backward(create_graph=True)
    else:
        loss.backward()
    optimizer.step()


def _record(history: History, step: int, sets: EvalSets, measure) -> None:
    """Loss and accuracy on every evaluation set, as ``<set>_loss`` and ``<set>_acc``."""
    values = {}
    for name, (xs, ys) in sets.items():
        values[f"{name}_loss"], values[f"{name}_acc"] = measure(xs, ys)
    history.record(step, values)


def train(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: TrainConfig,
    generator: torch.Generator,
    eval_sets: EvalSets | None = None,
    progress: bool = False,
    optimizer: OptimizerFactory | None = None,
    callback: Callable[[int], None] | None = None,
    compile_model: bool | None = None,
    loss_fn: LossFn | None = None,
) -> History:
    """Train one classifier with cross-entropy on device tensors; returns its :class:`History`.

    ``eval_sets`` maps a name (``"test"``, ``"val"``, ...) to tensors; the training set is always
    evaluated as ``"train"``. Evaluation happens every ``config.eval_every`` steps and at the end.
    ``optimizer``, when given, builds the optimizer instead of ``config.optimizer`` / ``config.lr``
    (any :mod:`torch.optim` or :mod:`dlrepro.optim` optimizer). ``callback(step)``, when given,
    runs after every update (e.g. to record something about the weights). ``compile_model``
    runs the forward pass under ``torch.compile`` (default: on CUDA only). ``loss_fn``, when
    given, replaces the cross-entropy with ``loss_fn(logits, y[idx], idx)`` (:data:`LossFn`).
    """
    device = x.device
    sets = {"train": (x, y), **(eval_sets or {})}
    optimizer = _build_optimizer(model.parameters(), config, optimizer)
    forward = _maybe_compile(model, device, compile_model)
    batches = epoch_batches(y.shape[0], config.batch_size, generator)
    history = History()
    model.train()
    for step in _progress(config.steps, progress, "train"):
        idx = next(batches).to(device)
        with _autocast(device):
            logits = forward(x[idx]).float()
        loss = (F.cross_entropy(logits, y[idx]) if loss_fn is None
                else loss_fn(logits, y[idx], idx))
        _update(optimizer, loss)
        if callback is not None:
            callback(step)
        if step % config.eval_every == 0 or step == config.steps:
            _record(history, step, sets, lambda xs, ys: evaluate(model, xs, ys))
    return history


def train_batched(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: TrainConfig,
    generators: Sequence[torch.Generator],
    eval_sets: EvalSets | None = None,
    progress: bool = False,
    optimizer: OptimizerFactory | None = None,
    callback: Callable[[int], None] | None = None,
    compile_model: bool | None = None,
    loss_fn: LossFn | None = None,
) -> History:
    """Train the ``S`` models of ``model`` together; model ``s`` draws from ``generators[s]``.

    ``x`` is ``(N, F)`` shared by all models or ``(S, N, F)`` per model; ``y`` is ``(N,)`` or
    ``(S, N)`` (per-model labels, e.g. different corruption levels). The summed loss gives each
    model its own gradient, so the result equals :func:`train` on each model alone (up to float
    rounding of batched matrix products). History entries are ``(S,)`` arrays. ``optimizer``
    is as in :func:`train`; an element-wise optimizer (SGD, Adam, AdaGrad, Lookahead over
    them, ...) updates every model as if alone. ``callback`` and ``compile_model`` are as in
    :func:`train`; ``loss_fn``, when given, replaces the cross-entropy with
    ``loss_fn(logits, yb, idx)`` on ``(S, B, C)`` logits and ``(S, B)`` labels and indices
    (:data:`LossFn`).
    """
    num_models = model.num_models
    if len(generators) != num_models:
        raise ConfigError(f"train_batched: {num_models} models need {num_models} generators, "
                          f"got {len(generators)}")
    per_model = y.dim() == 2
    if per_model and y.shape[0] != num_models:
        raise ConfigError(
            f"train_batched: per-model labels must have {num_models} rows, got {y.shape[0]}")
    device = x.device
    n = y.shape[-1]
    sets = {"train": (x, y), **(eval_sets or {})}
    optimizer = _build_optimizer(model.parameters(), config, optimizer)
    forward = _maybe_compile(model, device, compile_model)
    streams = [epoch_batches(n, config.batch_size, g) for g in generators]
    rows = torch.arange(num_models, device=device).unsqueeze(1)
    history = History()
    for step in _progress(config.steps, progress, f"train x{num_models}"):
        idx = torch.stack([next(s).to(device) for s in streams])
        xb = x[rows, idx] if x.dim() == 3 else x[idx]
        yb = y[rows, idx] if per_model else y[idx]
        with _autocast(device):
            logits = forward(xb).float()
        # Sum over models of each model's mean loss: every slice gets its own gradient.
        if loss_fn is None:
            loss = F.cross_entropy(logits.transpose(1, 2), yb, reduction="none").mean(1).sum()
        else:
            loss = loss_fn(logits, yb, idx)
        _update(optimizer, loss)
        if callback is not None:
            callback(step)
        if step % config.eval_every == 0 or step == config.steps:
            _record(history, step, sets, lambda xs, ys: evaluate_batched(model, xs, ys))
    return history


def at_best(history: History, monitor: str, report: str,
            mode: str = "min") -> tuple[np.ndarray, np.ndarray]:
    """Early stopping read off a history: the step where ``monitor`` is best, and ``report`` there.

    For batched histories both results have shape ``(S,)``. Frankle & Carbin (2019) use the
    minimum validation loss to define the early-stopping iteration and report test accuracy there.
    """
    if mode not in ("min", "max"):
        raise ConfigError(f"at_best: mode must be 'min' or 'max', got {mode!r}")
    values = history[monitor]
    best = values.argmin(axis=0) if mode == "min" else values.argmax(axis=0)
    steps = np.asarray(history.steps)[best]
    reported = history[report]
    picked = reported[best] if reported.ndim == 1 else reported[best, np.arange(reported.shape[1])]
    return steps, picked


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit_until` found, one entry per stacked model.

    ``fit_step[s]`` is the step of the first evaluation at which model ``s`` classified every
    example of its training subset correctly, ``-1`` when it never did within the budget;
    ``accuracy[s]`` is its training accuracy at its last evaluation (1 once fitted);
    ``steps_run`` is how many updates the loop made (it stops once every model has fitted).
    """

    fit_step: np.ndarray
    accuracy: np.ndarray
    steps_run: int

    @property
    def fitted(self) -> np.ndarray:
        """``(S,)`` booleans: the model reached 100% training accuracy within the budget."""
        return self.fit_step >= 0


def _padded_subsets(subsets: Sequence[torch.Tensor] | None, n: int, num_models: int,
                    device: torch.device) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """``(S, n_max)`` indices (padded with each row's first index), ``(S, n_max)`` 0/1 mask and
    the sizes; no subsets means every model trains on all ``n`` examples."""
    if subsets is None:
        subsets = [torch.arange(n, device=device)] * num_models
    if len(subsets) != num_models:
        raise ConfigError(f"fit_until: {num_models} models need {num_models} subsets, "
                          f"got {len(subsets)}")
    sizes = [int(s.numel()) for s in subsets]
    if min(sizes) < 1:
        raise ConfigError("fit_until: every subset needs at least one example")
    width = max(sizes)
    index = torch.zeros(num_models, width, dtype=torch.long, device=device)
    mask = torch.zeros(num_models, width, device=device)
    for row, subset in enumerate(subsets):
        subset = subset.to(device=device, dtype=torch.long)
        if int(subset.min()) < 0 or int(subset.max()) >= n:
            raise ConfigError(f"fit_until: subset {row} indexes outside the {n} examples")
        index[row, :subset.numel()] = subset
        index[row, subset.numel():] = subset[0]
        mask[row, :subset.numel()] = 1.0
    return index, mask, sizes


def fit_until(
    model: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    config: TrainConfig,
    generators: Sequence[torch.Generator],
    subsets: Sequence[torch.Tensor] | None = None,
    full_batch: bool = False,
    progress: bool = False,
    optimizer: OptimizerFactory | None = None,
    lr_scale: Sequence[float] | None = None,
) -> FitResult:
    """Train the ``S`` models of a stacked model until each fits its training set, i.e. reaches
    100% training accuracy, or ``config.steps`` updates have been made.

    The fitting test of effective model complexity (Nakkiran et al., 2020; Shwartz-Ziv et al.,
    2024, *Just How Flexible are Neural Networks in Practice?*): model ``s`` trains with
    cross-entropy on the examples ``subsets[s]`` of ``(x, y)`` (all of them when ``subsets`` is
    None; subsets may differ in size), in mini-batches of ``config.batch_size`` drawn from its
    subset by ``generators[s]`` as :func:`train_batched` draws them, or with the exact gradient
    of its whole subset when ``full_batch`` is True (gradient descent; ``config.batch_size`` is
    then unused). Every ``config.eval_every`` steps (and at the last) the training accuracy of
    each model on its whole subset is measured; the step of a model's first evaluation at 100%
    is its ``fit_step``. The loop ends early once every model has fitted. ``x`` is ``(N, F)``;
    ``y`` is ``(N,)`` or ``(S, N)`` (per-model labels, e.g. random labels for some models).
    With ``subsets=None`` and ``full_batch=False`` the updates are those of
    :func:`train_batched` with the same arguments, step for step.

    ``lr_scale``, when given, multiplies model ``s``'s gradients by ``lr_scale[s]``, which for
    SGD (with momentum, without weight decay: its update is linear in the gradient) is the
    same as training model ``s`` at learning rate ``lr_scale[s] * config.lr``: several learning
    rates in one stacked pass.
    """
    num_models = model.num_models
    if len(generators) != num_models:
        raise ConfigError(f"fit_until: {num_models} models need {num_models} generators, "
                          f"got {len(generators)}")
    per_model = y.dim() == 2
    if per_model and y.shape[0] != num_models:
        raise ConfigError(
            f"fit_until: per-model labels must have {num_models} rows, got {y.shape[0]}")
    device = x.device
    n = y.shape[-1]
    index, mask, sizes = _padded_subsets(subsets, n, num_models, device)
    rows = torch.arange(num_models, device=device).unsqueeze(1)
    targets = y[rows, index] if per_model else y[index]  # (S, n_max)
    inputs = x[index]  # (S, n_max, F)
    counts = mask.sum(1)
    opt = _build_optimizer(model.parameters(), config, optimizer)
    hooks = []
    if lr_scale is not None:
        if len(lr_scale) != num_models or config.optimizer != "sgd" or optimizer is not None:
            raise ConfigError(f"fit_until: lr_scale needs one factor per model ({num_models}) "
                              f"and the config's SGD, got {len(lr_scale)} and "
                              f"{config.optimizer!r}")
        if config.weight_decay:
            raise ConfigError("fit_until: lr_scale is exact only without weight decay")
        factors = torch.as_tensor(list(lr_scale), dtype=torch.float32, device=device)
        for param in model.parameters():
            scale = factors.view((num_models,) + (1,) * (param.dim() - 1))
            hooks.append(param.register_hook(lambda g, f=scale: g * f))
    streams = None if full_batch else [
        epoch_batches(size, config.batch_size, g) for size, g in zip(sizes, generators)]
    fit_step = np.full(num_models, -1, dtype=np.int64)
    accuracy = np.zeros(num_models)
    steps_run = 0
    for step in _progress(config.steps, progress, f"fit x{num_models}"):
        if full_batch:
            logits = model(inputs).float()
            per_example = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")
            loss = ((per_example * mask).sum(1) / counts).sum()
        else:
            local = torch.stack([next(s).to(device) for s in streams])
            idx = index.gather(1, local)
            xb = x[idx]
            yb = y[rows, idx] if per_model else y[idx]
            logits = model(xb).float()
            loss = F.cross_entropy(logits.transpose(1, 2), yb, reduction="none").mean(1).sum()
        _update(opt, loss)
        steps_run = step
        if step % config.eval_every == 0 or step == config.steps:
            with torch.no_grad():
                wrong = ((model(inputs).argmax(-1) != targets).float() * mask).sum(1)
            acc = (1.0 - wrong / counts).cpu().numpy()
            fresh = (fit_step < 0) & (wrong.cpu().numpy() == 0)
            fit_step[fresh] = step
            accuracy = np.where(fit_step >= 0, 1.0, acc)
            if (fit_step >= 0).all():
                break
    for hook in hooks:
        hook.remove()
    return FitResult(fit_step, accuracy, steps_run)
