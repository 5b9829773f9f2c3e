"""Optimizers written out from their papers, as ``torch.optim.Optimizer`` subclasses whose
``state_dict`` / ``load_state_dict`` resume a run exactly where it stopped.

* :class:`Adam`: Algorithm 1 of Kingma & Ba (2015), with the bias correction switchable.
* :class:`Lookahead`: slow and fast weights around any inner optimizer (Zhang et al., 2019).
* :class:`PerModelRate`: one learning rate per model for models stacked in one tensor
  (``dlrepro.models.BatchedMLP``), so that a learning-rate grid trains in one pass.
* :class:`PerModelWeightDecay`: one decoupled weight decay per stacked model (AdamW's decay,
  Loshchilov & Hutter, 2019), so that the weight-decay arms of Power et al. (2022), *Grokking*,
  train in one pass.
* :class:`GradientNoise`: annealed Gaussian noise on every gradient before an inner optimizer
  steps (Neelakantan et al., 2015).
* :class:`AdaHessian`: Adam-like steps preconditioned by a Hutchinson estimate of the Hessian's
  diagonal (Yao et al., 2021); :func:`hutchinson_probe` and :func:`spatial_average` are its parts.
* :class:`ZerothOrder`: finite-difference gradient estimates from loss values only (SPSA,
  Spall 1992; coordinate-wise and sparse estimates, Chen et al. 2024). Its perturbations are
  regenerated from ``(seed, step, query)``, never stored, so a replica that receives only the
  projected-gradient scalars, one byte each, can redo the update (Zelikman et al., 2023):
  :func:`zo_direction`, :func:`zo_coordinates`, :func:`zo_support`, :func:`quantize_scalar`,
  :func:`dequantize_scalar`, :func:`apply_zo_update`.

Like torch's own optimizers, ``state_dict()`` holds references to the live state tensors: save it
with ``torch.save`` (or ``copy.deepcopy`` it) before training on. Wrappers (:class:`Lookahead`,
:class:`GradientNoise`) share the inner optimizer's ``param_groups``, so a learning-rate scheduler
attached to the wrapper drives the inner optimizer.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch.optim import Optimizer
from torch.optim.optimizer import ParamsT

from dlrepro import zeroth
from dlrepro.errors import ConfigError

__all__ = ["Adam", "Lookahead", "PerModelRate", "PerModelWeightDecay", "GradientNoise",
           "AdaHessian", "hutchinson_probe", "spatial_average", "ZerothOrder", "zo_direction",
           "zo_coordinates", "zo_support", "quantize_scalar", "dequantize_scalar",
           "apply_zo_update"]

Closure = Callable[[], Any]
MODES = ("random", "coordinate")
DIFFERENCES = ("central", "forward")
SUPPORTS = ("random", "largest", "smallest")


def _number(name: str, what: str, value: Any, low: float = 0.0, high: float = math.inf,
            low_open: bool = False, high_open: bool = False) -> float:
    """``value`` as a float inside the interval, or a ConfigError naming the knob."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high)
    if not ok:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ConfigError(f"{name}: {what} must be a number in {left}{low}, {high}{right}, "
                          f"got {value!r}")
    return float(value)


def _betas(name: str, betas: Any) -> tuple[float, float]:
    if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
        raise ConfigError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
    return (_number(name, "beta1", betas[0], 0.0, 1.0, high_open=True),
            _number(name, "beta2", betas[1], 0.0, 1.0, high_open=True))


def _positive_int(name: str, what: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ConfigError(f"{name}: {what} must be a positive integer, got {value!r}")
    return value


def _generator(name: str, generator: torch.Generator | None) -> torch.Generator:
    """The given generator, or a CPU one seeded from torch's global RNG (so ``manual_seed``
    makes it reproducible)."""
    if generator is None:
        return torch.Generator().manual_seed(int(torch.randint(2**62, ())))
    if not isinstance(generator, torch.Generator):
        raise ConfigError(f"{name}: generator must be a torch.Generator, got "
                          f"{type(generator).__name__}")
    return generator


def _section(name: str, state_dict: dict, key: str) -> Any:
    if key not in state_dict:
        raise ConfigError(f"{name}.load_state_dict: the state dict has no {key!r} entry; pass "
                          f"what {name}.state_dict() returned")
    return state_dict[key]


def _grouped(optimizer: Optimizer) -> list[torch.Tensor]:
    return [p for group in optimizer.param_groups for p in group["params"]]


class Adam(Optimizer):
    """Adam, written out from Algorithm 1 of Kingma & Ba, "Adam: A Method for Stochastic
    Optimization", ICLR 2015, https://arxiv.org/abs/1412.6980.

    For each parameter ``theta`` with gradient ``g`` (plus ``weight_decay * theta``, the L2
    penalty of ``torch.optim.Adam``), at step ``t = 1, 2, ...``::

        m = beta1 m + (1 - beta1) g            v = beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t)              v_hat = v / (1 - beta2^t)
        theta = theta - lr m_hat / (sqrt(v_hat) + eps)

    ``bias_correction=False`` uses ``m`` and ``v`` themselves (the paper's Section 3 ablation):
    both start at zero, so the early averages are too small, ``v`` by far the more, and the first
    step is ``lr (1 - beta1) / sqrt(1 - beta2)`` times the sign of the gradient (about
    ``3.16 lr`` at the default betas) instead of ``lr``.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, bias_correction: bool = True) -> None:
        defaults = {"lr": _number("Adam", "lr", lr), "betas": _betas("Adam", betas),
                    "eps": _number("Adam", "eps", eps),
                    "weight_decay": _number("Adam", "weight_decay", weight_decay),
                    "bias_correction": bool(bias_correction)}
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One Adam step on every parameter that has a gradient; returns ``closure()``."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["weight_decay"] != 0:
                    g = g.add(p, alpha=group["weight_decay"])
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                    state["exp_avg_sq"] = torch.zeros_like(p, memory_format=torch.preserve_format)
                state["step"] += 1
                t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
                m.mul_(beta1).add_(g, alpha=1 - beta1)
                v.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                if group["bias_correction"]:
                    m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
                else:
                    m_hat, v_hat = m, v
                p.addcdiv_(m_hat, v_hat.sqrt().add_(eps), value=-lr)
        return loss


class _Wrapper(Optimizer):
    """An optimizer around an inner one: it shares the inner ``param_groups`` (one list, so
    schedulers and ``add_param_group`` reach the inner optimizer) and keeps its own ``state``."""

    def __init__(self, inner: Optimizer, name: str) -> None:
        if not isinstance(inner, Optimizer):
            raise ConfigError(f"{name}: inner must be a torch.optim.Optimizer, got "
                              f"{type(inner).__name__}")
        super().__init__([dict(group) for group in inner.param_groups], {})
        self.param_groups = inner.param_groups
        self.inner = inner

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        inner = self.__dict__.get("inner")
        if inner is None:  # during Optimizer.__init__
            super().add_param_group(param_group)
        else:
            inner.add_param_group(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        self.inner.zero_grad(set_to_none)

    @property
    def needs_graph(self) -> bool:
        """Whether the inner optimizer needs ``loss.backward(create_graph=True)``."""
        return bool(getattr(self.inner, "needs_graph", False))


class Lookahead(_Wrapper):
    """Lookahead (Zhang, Lucas, Hinton & Ba, "Lookahead Optimizer: k steps forward, 1 step
    back", NeurIPS 2019, https://arxiv.org/abs/1907.08610) around any inner optimizer.

    The inner optimizer moves the "fast" weights (the parameters). Slow weights start as a copy
    of the parameters at the first step; after every ``k`` inner steps,
    ``slow += alpha (fast - slow)`` and the fast weights are reset to ``slow``. The inner
    optimizer's state (momentum, Adam moments) is kept across these resets, as in the paper's
    main experiments. ``alpha = 1`` is the inner optimizer alone (bit for bit: the interpolation
    is ``torch.lerp``, exact at weight 1). ``state_dict()`` holds the inner state dict, the slow
    weights and the count of inner steps.
    """

    def __init__(self, inner: Optimizer, k: int = 5, alpha: float = 0.5) -> None:
        self.k = _positive_int("Lookahead", "k", k)
        self.alpha = _number("Lookahead", "alpha", alpha, 0.0, 1.0, low_open=True)
        super().__init__(inner, "Lookahead")
        self.inner_steps = 0

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One inner step (``closure`` goes to the inner optimizer); every ``k``-th one also
        moves the slow weights and resets the fast ones. Returns the inner step's result."""
        params = _grouped(self)
        for p in params:
            if "slow" not in self.state[p]:
                self.state[p]["slow"] = p.detach().clone()
        with torch.enable_grad():
            loss = self.inner.step(closure) if closure is not None else self.inner.step()
        self.inner_steps += 1
        if self.inner_steps % self.k == 0:
            for p in params:
                slow = self.state[p]["slow"]
                slow.lerp_(p.detach(), self.alpha)
                p.copy_(slow)
        return loss

    def state_dict(self) -> dict[str, Any]:
        slow = [self.state[p]["slow"] if "slow" in self.state[p] else None
                for p in _grouped(self)]
        return {"inner": self.inner.state_dict(),
                "lookahead": {"k": self.k, "alpha": self.alpha,
                              "inner_steps": self.inner_steps, "slow": slow}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        own = _section("Lookahead", state_dict, "lookahead")
        params = _grouped(self)
        if len(own["slow"]) != len(params):
            raise ConfigError(f"Lookahead.load_state_dict: the state dict has slow weights for "
                              f"{len(own['slow'])} parameters, this optimizer has {len(params)}")
        self.inner.load_state_dict(_section("Lookahead", state_dict, "inner"))
        self.k, self.alpha, self.inner_steps = own["k"], own["alpha"], own["inner_steps"]
        for p, slow in zip(params, own["slow"]):
            self.state[p].pop("slow", None)
            if slow is not None:
                self.state[p]["slow"] = slow.detach().to(p).clone()


class PerModelRate(_Wrapper):
    """A learning rate per model around an inner optimizer built with ``lr=1``, for models
    stacked along the first dimension of every parameter (``dlrepro.models.BatchedMLP``).

    A parameter group holds one learning rate, a stacked tensor many models. When the inner
    update is ``lr`` times something computed from the gradients (and, for weight decay, the
    weights before the step) alone (SGD with or without momentum, Nesterov, AdaGrad, RMSProp,
    Adam, AdamW, :class:`AdaHessian`; L2 or decoupled ``weight_decay`` included), stepping at
    rate 1 and keeping the fraction ``rates[s] * schedule(t)`` of model ``s``'s move is exactly
    a step at that rate. ``schedule(t)``, ``t = 1, 2, ...``, multiplies
    every rate (``lambda t: t ** -0.5`` is the decay of Kingma & Ba's logistic-regression runs).
    ``state_dict()`` holds the inner state dict, the rates and the step count.
    """

    def __init__(self, inner: Optimizer, rates: torch.Tensor | Sequence[float],
                 schedule: Callable[[int], float] | None = None) -> None:
        super().__init__(inner, "PerModelRate")
        if any(group["lr"] != 1 for group in self.param_groups):
            raise ConfigError("PerModelRate: build the inner optimizer with lr=1 (the rates "
                              "are applied per model), got lr="
                              f"{[group['lr'] for group in self.param_groups]}")
        self.rates = torch.as_tensor(rates, dtype=torch.float64).flatten()
        if self.rates.numel() == 0 or not bool(torch.isfinite(self.rates).all()):
            raise ConfigError(f"PerModelRate: rates must be finite numbers, one per model, got "
                              f"{rates!r}")
        for p in _grouped(self):
            if p.dim() == 0 or p.shape[0] != self.rates.numel():
                raise ConfigError(f"PerModelRate: every parameter must stack "
                                  f"{self.rates.numel()} models along its first dimension, got "
                                  f"shape {tuple(p.shape)}")
        self.schedule = schedule
        self.steps = 0

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """One inner step at rate 1, then each model's move scaled by its own rate."""
        params = _grouped(self)
        before = [p.detach().clone() for p in params]
        with torch.enable_grad():
            loss = self.inner.step(closure) if closure is not None else self.inner.step()
        self.steps += 1
        rates = self.rates * (self.schedule(self.steps) if self.schedule else 1.0)
        for p, p0 in zip(params, before):
            scale = rates.to(p.device, p.dtype).view(-1, *[1] * (p.dim() - 1))
            p.copy_(torch.lerp(p0, p, scale))
        return loss

    def state_dict(self) -> dict[str, Any]:
        return {"inner": self.inner.state_dict(),
                "per_model_rate": {"rates": self.rates.clone(), "steps": self.steps}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        own = _section("PerModelRate", state_dict, "per_model_rate")
        self.inner.load_state_dict(_section("PerModelRate", state_dict, "inner"))
        self.rates, self.steps = own["rates"].clone(), own["steps"]


class PerModelWeightDecay(_Wrapper):
    """Decoupled weight decay with one coefficient per model, for models stacked along the
    first dimension of every parameter, around an inner optimizer built with
    ``weight_decay=0``.

    Each step first shrinks model ``s``'s weights by the factor ``1 - lr * decays[s]`` and then
    takes the inner step, which is what ``torch.optim.AdamW`` does (Loshchilov & Hutter, 2019)
    when the inner optimizer is ``torch.optim.Adam``: with ``Adam`` inside, model ``s`` moves
    exactly as it would under ``AdamW(weight_decay=decays[s])``. Power et al. (2022) found
    this decay the intervention that most speeds up grokking.
    """

    def __init__(self, inner: Optimizer, decays: torch.Tensor | Sequence[float]) -> None:
        super().__init__(inner, "PerModelWeightDecay")
        if any(group.get("weight_decay", 0) != 0 for group in self.param_groups):
            raise ConfigError("PerModelWeightDecay: build the inner optimizer with "
                              "weight_decay=0 (the decays are applied per model)")
        self.decays = torch.as_tensor(decays, dtype=torch.float64).flatten()
        if (self.decays.numel() == 0 or not bool(torch.isfinite(self.decays).all())
                or bool((self.decays < 0).any())):
            raise ConfigError(f"PerModelWeightDecay: decays must be finite numbers >= 0, one "
                              f"per model, got {decays!r}")
        for p in _grouped(self):
            if p.dim() == 0 or p.shape[0] != self.decays.numel():
                raise ConfigError(f"PerModelWeightDecay: every parameter must stack "
                                  f"{self.decays.numel()} models along its first dimension, "
                                  f"got shape {tuple(p.shape)}")

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """Shrink each model's weights by ``1 - lr * decay``, then one inner step."""
        for group in self.param_groups:
            factor = 1.0 - group["lr"] * self.decays
            for p in group["params"]:
                if p.grad is not None:
                    # float32 factors, as torch's AdamW multiplies by a float32 scalar
                    p.mul_(factor.to(p.dtype).to(p.device).view(-1, *[1] * (p.dim() - 1)))
        with torch.enable_grad():
            return self.inner.step(closure) if closure is not None else self.inner.step()

    def state_dict(self) -> dict[str, Any]:
        return {"inner": self.inner.state_dict(),
                "per_model_weight_decay": {"decays": self.decays.clone()}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        own = _section("PerModelWeightDecay", state_dict, "per_model_weight_decay")
        self.inner.load_state_dict(_section("PerModelWeightDecay", state_dict, "inner"))
        self.decays = own["decays"].clone()


class GradientNoise(_Wrapper):
    """Annealed gradient noise (Neelakantan et al., "Adding Gradient Noise Improves Learning
    for Very Deep Networks", 2015, https://arxiv.org/abs/1511.06807) before an inner optimizer.

    At step ``t = 0, 1, ...`` (the number of steps taken before this one) every existing
    gradient gets ``N(0, sigma_t^2)`` noise added in place, with
    ``sigma_t^2 = eta / (1 + t)^gamma`` (the paper uses ``gamma = 0.55`` and
    ``eta`` in {0.01, 0.3, 1}); then the inner optimizer steps. The noise is drawn in float32,
    parameter after parameter in ``param_groups`` order, from ``generator`` (default: a CPU
    generator seeded from torch's global RNG), and cast to each gradient's dtype and device.
    ``eta`` may also be a sequence, one value per model for models stacked along the first
    dimension of every parameter (``dlrepro.models.BatchedMLP``): model ``s`` then gets noise of
    variance ``eta[s] / (1 + t)^gamma`` (``0`` for none) from the same draws as a single ``eta``
    would use. ``state_dict()`` holds the inner state dict, the step count and the generator's
    state.
    """

    def __init__(self, inner: Optimizer, eta: float | Sequence[float] | torch.Tensor,
                 gamma: float = 0.55, generator: torch.Generator | None = None) -> None:
        if isinstance(eta, (torch.Tensor, Sequence)):
            etas = torch.as_tensor(eta, dtype=torch.float64).flatten()
            for value in etas.tolist():
                _number("GradientNoise", "every eta", value)
            if etas.numel() == 0:
                raise ConfigError("GradientNoise: eta needs one value per model, got none")
            self.eta: float | torch.Tensor = etas
        else:
            self.eta = _number("GradientNoise", "eta", eta)
        self.gamma = _number("GradientNoise", "gamma", gamma)
        self.generator = _generator("GradientNoise", generator)
        super().__init__(inner, "GradientNoise")
        if isinstance(self.eta, torch.Tensor):
            for p in _grouped(self):
                if p.dim() == 0 or p.shape[0] != self.eta.numel():
                    raise ConfigError(f"GradientNoise: with one eta per model every parameter "
                                      f"must stack {self.eta.numel()} models along its first "
                                      f"dimension, got shape {tuple(p.shape)}")
        self.steps = 0

    def noise_variance(self, t: int) -> float | torch.Tensor:
        """``sigma_t^2 = eta / (1 + t)^gamma``, the variance of the noise added at step ``t``
        (one per model when ``eta`` is per model)."""
        return self.eta / (1 + t) ** self.gamma

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> Any:
        """Evaluate ``closure`` (which computes the gradients), add the noise, step the inner
        optimizer; returns ``closure()``."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        variance = self.noise_variance(self.steps)
        for p in _grouped(self):
            if p.grad is not None:
                noise = torch.randn(p.shape, generator=self.generator,
                                    device=self.generator.device)
                if isinstance(variance, torch.Tensor):
                    std = variance.sqrt().to(p.grad).view(-1, *[1] * (p.dim() - 1))
                    p.grad.add_(noise.to(p.grad) * std)
                else:
                    p.grad.add_(noise.to(p.grad), alpha=math.sqrt(variance))
        self.inner.step()
        self.steps += 1
        return loss

    def state_dict(self) -> dict[str, Any]:
        return {"inner": self.inner.state_dict(),
                "gradient_noise": {"eta": self.eta, "gamma": self.gamma, "steps": self.steps,
                                   "generator": self.generator.get_state()}}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        own = _section("GradientNoise", state_dict, "gradient_noise")
        self.inner.load_state_dict(_section("GradientNoise", state_dict, "inner"))
        self.eta, self.gamma, self.steps = own["eta"], own["gamma"], own["steps"]
        self.generator.set_state(own["generator"])


def _rademacher(p: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    signs = torch.randint(0, 2, p.shape, generator=generator, device=generator.device)
    return (signs * 2 - 1).to(p)


def hutchinson_probe(params: Sequence[torch.Tensor], grads: Sequence[torch.Tensor],
                     generator: torch.Generator) -> list[torch.Tensor]:
    """One Hutchinson probe of the Hessian's diagonal: ``v * (H v)`` for a Rademacher vector
    ``v`` (one draw per parameter, in order, from ``generator``). ``grads`` must carry a graph
    (``torch.autograd.grad(..., create_graph=True)`` or ``loss.backward(create_graph=True)``).
    Its expectation is ``diag(H)`` (Bekas, Kokiopoulou & Saad, 2007,
    https://doi.org/10.1016/j.apnum.2007.01.003); for a diagonal ``H`` it is exact, since
    ``v^2 = 1``. A gradient without a graph (a parameter the loss is linear in) gives zeros."""
    params, grads = list(params), list(grads)
    if len(params) != len(grads):
        raise ConfigError(f"hutchinson_probe: {len(params)} parameters but {len(grads)} "
                          f"gradients")
    probes = [_rademacher(p, generator) for p in params]
    live = [i for i, g in enumerate(grads) if g.requires_grad]
    if not live:
        raise ConfigError("hutchinson_probe: the gradients carry no graph; compute them with "
                          "loss.backward(create_graph=True) (or autograd.grad(..., "
                          "create_graph=True))")
    with torch.enable_grad():
        products = torch.autograd.grad([grads[i] for i in live], params,
                                       grad_outputs=[probes[i] for i in live],
                                       allow_unused=True)
    return [v * hv.detach() if hv is not None else torch.zeros_like(v)
            for v, hv in zip(probes, products)]


def spatial_average(diagonal: torch.Tensor, block: int = 1) -> torch.Tensor:
    """AdaHessian's spatial averaging of a Hessian-diagonal estimate (absolute values, as the
    authors' code takes them), same shape as the input.

    * Kernels with 3 or more dimensions (``(out, in, *spatial)``, convolutions): the mean of
      ``|d|`` over the spatial dimensions, shared by every position of each ``(out, in)``
      kernel. The paper averages 2-D kernels; 1-D and 3-D kernels are averaged the same way.
    * Tensors with at most 2 dimensions (biases, linear weights): with ``block = 1`` (default,
      what the authors' image-classification code does) no averaging; with ``block = b``, the
      mean of ``|d|`` over consecutive blocks of ``b`` entries along the last dimension (the
      last block of a row may be shorter), the paper's 1-D block average.
    """
    _positive_int("spatial_average", "block", block)
    d = diagonal.abs()
    if d.dim() >= 3:
        return d.mean(dim=tuple(range(2, d.dim())), keepdim=True).expand_as(d)
    if block == 1 or d.dim() == 0 or d.numel() == 0:
        return d
    n = d.shape[-1]
    rows = F.pad(d.reshape(-1, n), (0, (-n) % block)).view(-1, math.ceil(n / block), block)
    sizes = torch.full((rows.shape[1],), float(block), dtype=d.dtype, device=d.device)
    sizes[-1] = n - block * (rows.shape[1] - 1)
    means = rows.sum(-1) / sizes
    return means.repeat_interleave(block, dim=-1)[:, :n].reshape(d.shape)


class AdaHessian(Optimizer):
    """AdaHessian (Yao, Gholami, Shen, Mustafa, Keutzer & Mahoney, "ADAHESSIAN: An Adaptive
    Second Order Optimizer for Machine Learning", AAAI 2021, https://arxiv.org/abs/2006.00719).

    Adam with the squared gradient replaced by a squared Hessian-diagonal estimate. Each step
    draws one Rademacher probe ``v`` per parameter from ``generator`` and forms
    ``D = v * (H v)`` (:func:`hutchinson_probe`, by differentiating the gradients again, so they
    must be created with ``loss.backward(create_graph=True)``: either before ``step()`` or in a
    closure passed to it), then ``D_s = spatial_average(D, spatial_average_block)``::

        m = beta1 m + (1 - beta1) g            v = beta2 v + (1 - beta2) D_s^2
        m_hat = m / (1 - beta1^t)              v_hat = v / (1 - beta2^t)
        theta = theta - lr (m_hat / (sqrt(v_hat)^k + eps) + weight_decay theta)

    with ``k = hessian_power`` in [0, 1] (``k = 0``: momentum SGD with bias correction, step
    ``lr / (1 + eps)``) and decoupled weight decay as in the authors' code. Defaults are the
    paper's image-classification settings except ``weight_decay`` (they use 5e-4). After a step
    the gradients are detached, which frees the graph that ``create_graph=True`` kept.
    ``state_dict()`` adds the generator's state to torch's.
    """

    #: :mod:`dlrepro.train` calls ``loss.backward(create_graph=True)`` for such optimizers.
    needs_graph = True

    def __init__(self, params: ParamsT, lr: float = 0.15,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-4,
                 weight_decay: float = 0.0, hessian_power: float = 1.0,
                 spatial_average_block: int = 1,
                 generator: torch.Generator | None = None) -> None:
        name = "AdaHessian"
        defaults = {"lr": _number(name, "lr", lr), "betas": _betas(name, betas),
                    "eps": _number(name, "eps", eps),
                    "weight_decay": _number(name, "weight_decay", weight_decay),
                    "hessian_power": _number(name, "hessian_power", hessian_power, 0.0, 1.0),
                    "spatial_average_block": _positive_int(name, "spatial_average_block",
                                                           spatial_average_block)}
        self.generator = _generator(name, generator)
        super().__init__(params, defaults)

    def step(self, closure: Closure | None = None) -> Any:
        """One step; ``closure`` (optional) must call ``loss.backward(create_graph=True)`` and
        return the loss. Returns ``closure()``."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        params = [p for p in _grouped(self) if p.grad is not None]
        if not params:
            return loss
        diagonal = dict(zip(params, hutchinson_probe(params, [p.grad for p in params],
                                                     self.generator)))
        with torch.no_grad():
            for group in self.param_groups:
                (beta1, beta2), power = group["betas"], group["hessian_power"]
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    p.grad = p.grad.detach()
                    d = spatial_average(diagonal[p], group["spatial_average_block"])
                    state = self.state[p]
                    if not state:
                        state["step"] = 0
                        state["exp_avg"] = torch.zeros_like(p)
                        state["exp_hessian_diag_sq"] = torch.zeros_like(p)
                    state["step"] += 1
                    t, m, v = state["step"], state["exp_avg"], state["exp_hessian_diag_sq"]
                    m.mul_(beta1).add_(p.grad, alpha=1 - beta1)
                    v.mul_(beta2).addcmul_(d, d, value=1 - beta2)
                    denom = (v / (1 - beta2**t)).sqrt_().pow_(power).add_(group["eps"])
                    p.mul_(1 - group["lr"] * group["weight_decay"])
                    p.addcdiv_(m / (1 - beta1**t), denom, value=-group["lr"])
        return loss

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["generator"] = self.generator.get_state()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        self.generator.set_state(_section("AdaHessian", state_dict, "generator"))
        del state_dict["generator"]
        super().load_state_dict(state_dict)


# ---- zeroth order -------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1
_DIRECTION, _COORDINATES, _SUPPORT = 1, 2, 3


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def _stream(*keys: int) -> torch.Generator:
    """A fresh CPU generator whose seed hashes ``keys`` (SplitMix64 chained), so that nearby
    ``(seed, step, query)`` triples give unrelated streams."""
    h = 0
    for key in keys:
        h = _splitmix64(h ^ (int(key) & _MASK64))
    return torch.Generator().manual_seed(h >> 1)


def _sizes(shapes: Sequence[Sequence[int]]) -> list[int]:
    return [math.prod(shape) for shape in shapes]


def zo_direction(shapes: Sequence[Sequence[int]], seed: int, step: int, query: int,
                 masks: Sequence[torch.Tensor] | None = None, device: Any = "cpu",
                 dtype: torch.dtype = torch.float32) -> list[torch.Tensor]:
    """The Gaussian perturbation ``u ~ N(0, I)`` of query ``query`` at step ``step``, one
    tensor per shape, regenerated from ``(seed, step, query)`` alone: drawn in float32 on the
    CPU from a dedicated generator (the same numbers on every machine), then moved to
    ``device`` / ``dtype`` and multiplied by ``masks`` (the perturbed coordinates) if given."""
    sizes = _sizes(shapes)
    flat = torch.randn(sum(sizes), generator=_stream(seed, step, query, _DIRECTION))
    parts = [chunk.view(tuple(shape)).to(device=device, dtype=dtype)
             for chunk, shape in zip(flat.split(sizes), shapes)]
    if masks is not None:
        parts = [u * m.to(u.device) for u, m in zip(parts, masks)]
    return parts


def zo_coordinates(shapes: Sequence[Sequence[int]], seed: int, step: int, queries: int,
                   masks: Sequence[torch.Tensor] | None = None) -> torch.Tensor:
    """The ``queries`` coordinates perturbed at step ``step`` in coordinate mode: distinct
    indices into the concatenation of the flattened tensors, drawn uniformly without
    replacement (among the coordinates ``masks`` keeps, if given) from ``(seed, step)``."""
    _positive_int("zo_coordinates", "queries", queries)
    total = sum(_sizes(shapes))
    pool = None if masks is None else torch.cat([m.reshape(-1).cpu() for m in masks]).nonzero()
    size = total if pool is None else pool.numel()
    if queries > size:
        raise ConfigError(f"zo_coordinates: {queries} queries but only {size} coordinates can "
                          f"be perturbed; lower queries")
    chosen = torch.randperm(size, generator=_stream(seed, step, _COORDINATES))[:queries]
    return chosen if pool is None else pool.view(-1)[chosen]


def zo_support(params: Iterable[torch.Tensor], sparsity: float, how: str = "random",
               seed: int = 0) -> list[torch.Tensor]:
    """Boolean masks of the coordinates a sparse zeroth-order optimizer perturbs (DeepZero,
    Chen et al., 2024, https://arxiv.org/abs/2310.02025): ``round((1 - sparsity) d)``
    coordinates (at least one) out of all ``d``, chosen globally, either uniformly at random
    from ``seed`` (``how="random"``) or by magnitude (``"largest"`` / ``"smallest"`` ``|w|``
    of the given tensors). DeepZero picks layer-wise ratios by pruning; this is a global,
    simpler choice."""
    params = [p.detach() for p in params]
    sparsity = _number("zo_support", "sparsity", sparsity, 0.0, 1.0, high_open=True)
    if how not in SUPPORTS:
        raise ConfigError(f"zo_support: how must be one of {SUPPORTS}, got {how!r}")
    sizes = _sizes([p.shape for p in params])
    total = sum(sizes)
    keep = max(1, round((1 - sparsity) * total))
    if how == "random":
        chosen = torch.randperm(total, generator=_stream(seed, _SUPPORT))[:keep]
    else:
        magnitude = torch.cat([p.reshape(-1).abs().cpu().double() for p in params])
        chosen = torch.topk(magnitude, keep, largest=how == "largest").indices
    flat = torch.zeros(total, dtype=torch.bool)
    flat[chosen] = True
    return [m.view(p.shape).to(p.device) for m, p in zip(flat.split(sizes), params)]


def quantize_scalar(value: float, scale: float, bits: int = 8) -> int:
    """``value`` as a signed integer with ``bits`` bits: symmetric uniform quantization of
    ``[-scale, scale]`` onto ``[-(2^(bits-1) - 1), 2^(bits-1) - 1]`` (values outside are clipped).
    With ``bits=8`` the integer fits one byte (Zelikman et al., 2023,
    https://arxiv.org/abs/2306.10015); the error inside the range is at most half a step,
    ``scale / (2^(bits-1) - 1) / 2``. The one-value case of :func:`dlrepro.zeroth.quantize`."""
    scale = _number("quantize_scalar", "scale", scale, 0.0, low_open=True)
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"quantize_scalar: value must be finite, got {value!r}")
    return int(zeroth.quantize(torch.tensor(value, dtype=torch.float64), scale, bits))


def dequantize_scalar(code: int, scale: float, bits: int = 8) -> float:
    """The value an integer from :func:`quantize_scalar` stands for: ``code * scale / levels``
    (the one-value case of :func:`dlrepro.zeroth.dequantize`)."""
    scale = _number("dequantize_scalar", "scale", scale, 0.0, low_open=True)
    if not isinstance(code, int) or isinstance(code, bool):
        raise ConfigError(f"dequantize_scalar: code must be an integer, got {code!r}")
    return float(zeroth.dequantize(torch.tensor(code, dtype=torch.int64), scale, bits,
                                   dtype=torch.float64))


def _learning_rates(params: list[torch.Tensor], lr: float | Sequence[float]) -> list[float]:
    if isinstance(lr, (int, float)):
        lr = [lr] * len(params)
    lr = [_number("apply_zo_update", "lr", r) for r in lr]
    if len(lr) != len(params):
        raise ConfigError(f"apply_zo_update: {len(lr)} learning rates for {len(params)} "
                          f"parameters; pass one float or one per parameter")
    return lr


def _locate(offsets: list[int], index: int) -> tuple[int, int]:
    """(tensor number, flat position inside it) of a global coordinate index."""
    i = bisect.bisect_right(offsets, index) - 1
    return i, index - offsets[i]


def _offsets(params: Sequence[torch.Tensor]) -> list[int]:
    offsets = [0]
    for p in params[:-1]:
        offsets.append(offsets[-1] + p.numel())
    return offsets


@torch.no_grad()
def apply_zo_update(params: Iterable[torch.Tensor], seed: int, step: int,
                    scalars: Sequence[float], lr: float | Sequence[float], mode: str = "random",
                    masks: Sequence[torch.Tensor] | None = None) -> None:
    """Apply the zeroth-order update of step ``step`` from its projected-gradient scalars alone
    (one per query), regenerating the perturbations from ``seed``: in ``"random"`` mode
    ``theta -= lr / Q sum_q s_q u_q`` with ``u_q = zo_direction(..., seed, step, q, masks)``;
    in ``"coordinate"`` mode ``theta_j -= lr s_q`` for the ``q``-th index ``j`` of
    ``zo_coordinates(..., seed, step, Q, masks)``. :class:`ZerothOrder` updates its parameters
    with this very function, so a replica that holds the same parameters and receives
    ``(seed, step, scalars)`` ends with the same parameters; with quantized scalars, each
    coordinate differs by at most ``lr / Q sum_q |error_q| |u_q|``. ``lr``: one float, or one
    per parameter."""
    params = list(params)
    if mode not in MODES:
        raise ConfigError(f"apply_zo_update: mode must be one of {MODES}, got {mode!r}")
    if len(scalars) < 1:
        raise ConfigError("apply_zo_update: needs at least one scalar (one per query)")
    lrs = _learning_rates(params, lr)
    shapes = [p.shape for p in params]
    if mode == "coordinate":
        offsets = _offsets(params)
        for index, s in zip(zo_coordinates(shapes, seed, step, len(scalars), masks).tolist(),
                            scalars):
            i, k = _locate(offsets, index)
            params[i].view(-1)[k] -= lrs[i] * float(s)
        return
    total = [torch.zeros_like(p) for p in params]
    for q, s in enumerate(scalars):
        for acc, u in zip(total, zo_direction(shapes, seed, step, q, masks, params[0].device,
                                              params[0].dtype)):
            acc.add_(u.to(acc), alpha=float(s))
    for p, acc, r in zip(params, total, lrs):
        p.add_(acc, alpha=-r / len(scalars))


class ZerothOrder(Optimizer):
    """Zeroth-order optimization: steps from loss values alone, no backward pass.

    Each step estimates projected gradients by finite differences along ``queries``
    perturbations and moves along them (:func:`apply_zo_update`):

    * ``mode="random"``: Gaussian directions ``u_q`` (:func:`zo_direction`) and
      ``s_q = (f(x + mu u_q) - f(x - mu u_q)) / (2 mu)`` (``difference="central"``, the
      simultaneous-perturbation estimate of Spall, "Multivariate stochastic approximation
      using a simultaneous perturbation gradient approximation", IEEE TAC 1992,
      https://doi.org/10.1109/9.119632, with Gaussian rather than Bernoulli directions) or
      ``(f(x + mu u_q) - f(x)) / mu`` (``"forward"``, ``Q + 1`` evaluations). The update
      ``-lr mean_q s_q u_q`` follows an estimate whose mean is the gradient of the
      Gaussian-smoothed loss.
    * ``mode="coordinate"``: the coordinate-wise estimate of DeepZero (Chen et al., "DeepZero:
      Scaling up Zeroth-Order Optimization for Deep Model Training", ICLR 2024,
      https://arxiv.org/abs/2310.02025): ``queries`` distinct coordinates drawn per step
      (:func:`zo_coordinates`), each perturbed by ``+-mu``; each gets ``-lr s_q``, the others
      stay (randomized coordinate descent; ``queries = d`` is DeepZero's full estimate).
    * ``sparsity`` (DeepZero's sparse protocol): only a fixed subset of ``(1 - sparsity) d``
      coordinates is ever perturbed, chosen at construction by :func:`zo_support`
      (``support="random"`` from ``seed``, or ``"largest"`` / ``"smallest"`` magnitude).

    Perturbations are regenerated from ``(seed, step, query)`` with a dedicated generator and
    never stored (the trick of MeZO, Malladi et al., 2023, https://arxiv.org/abs/2305.17333);
    ``last_scalars`` holds the last step's ``s_q``. A replica that receives them, quantized to
    one byte each (:func:`quantize_scalar`), redoes the update with :func:`apply_zo_update`
    (Zelikman et al., "Just One Byte (per gradient)", 2023, https://arxiv.org/abs/2306.10015).
    The parameters are restored exactly after each evaluation (from a copy in random mode,
    which doubles parameter memory). ``lr`` may differ between parameter groups; the other
    settings are shared. ``state_dict()`` holds the step count, settings and support masks.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, mu: float = 1e-3, queries: int = 1,
                 mode: str = "random", seed: int = 0, sparsity: float | None = None,
                 support: str = "random", difference: str = "central") -> None:
        name = "ZerothOrder"
        _number(name, "lr", lr)
        self.mu = _number(name, "mu", mu, 0.0, low_open=True)
        self.queries = _positive_int(name, "queries", queries)
        if mode not in MODES:
            raise ConfigError(f"{name}: mode must be one of {MODES}, got {mode!r}")
        if difference not in DIFFERENCES:
            raise ConfigError(f"{name}: difference must be one of {DIFFERENCES}, "
                              f"got {difference!r}")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise ConfigError(f"{name}: seed must be an integer, got {seed!r}")
        self.mode, self.seed, self.difference = mode, seed, difference
        super().__init__(params, {"lr": lr})
        for group in self.param_groups:
            _number(name, "lr", group["lr"])
        params = _grouped(self)
        if not all(p.is_contiguous() for p in params):
            raise ConfigError(f"{name}: every parameter must be contiguous")
        self.masks = None if sparsity is None else zo_support(params, sparsity, support, seed)
        if mode == "coordinate":
            size = sum(p.numel() for p in params) if self.masks is None else int(
                sum(m.sum() for m in self.masks))
            if self.queries > size:
                raise ConfigError(f"{name}: {self.queries} queries but only {size} coordinates "
                                  f"can be perturbed in coordinate mode; lower queries")
        self.steps = 0
        self.last_scalars: list[float] = []

    def _group_lrs(self) -> list[float]:
        return [group["lr"] for group in self.param_groups for _ in group["params"]]

    @torch.no_grad()
    def step(self, closure: Closure | None = None) -> float:
        """One step; ``closure()`` must return the loss at the current parameters (a tensor or a
        float) WITHOUT calling backward. Returns the loss at the unperturbed parameters for
        forward differences, the mean of ``(f(x + mu u) + f(x - mu u)) / 2`` over queries (the
        same up to ``O(mu^2)``) for central ones."""
        if closure is None:
            raise ConfigError("ZerothOrder.step needs a closure that returns the loss (without "
                              "calling backward)")
        params = _grouped(self)
        central = self.difference == "central"
        base = None if central else float(closure())
        scalars, losses = [], []

        def quotient(evaluate: Callable[[float], float]) -> float:
            plus = evaluate(self.mu)
            if not central:
                return (plus - base) / self.mu
            minus = evaluate(-self.mu)
            losses.append((plus + minus) / 2)
            return (plus - minus) / (2 * self.mu)

        if self.mode == "random":
            originals = [p.detach().clone() for p in params]
            shapes = [p.shape for p in params]
            for q in range(self.queries):
                direction = zo_direction(shapes, self.seed, self.steps, q, self.masks,
                                         params[0].device, params[0].dtype)

                def shifted(h: float, direction: list[torch.Tensor] = direction) -> float:
                    for p, p0, u in zip(params, originals, direction):
                        p.copy_(p0).add_(u.to(p), alpha=h)
                    return float(closure())

                scalars.append(quotient(shifted))
            for p, p0 in zip(params, originals):
                p.copy_(p0)
        else:
            offsets = _offsets(params)
            chosen = zo_coordinates([p.shape for p in params], self.seed, self.steps,
                                    self.queries, self.masks)
            for index in chosen.tolist():
                i, k = _locate(offsets, index)
                flat = params[i].view(-1)
                original = flat[k].clone()

                def nudged(h: float, flat: torch.Tensor = flat, k: int = k,
                           original: torch.Tensor = original) -> float:
                    flat[k] = original + h
                    return float(closure())

                scalars.append(quotient(nudged))
                flat[k] = original
        apply_zo_update(params, self.seed, self.steps, scalars, self._group_lrs(),
                        self.mode, self.masks)
        self.steps += 1
        self.last_scalars = scalars
        return base if base is not None else sum(losses) / len(losses)

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["zeroth_order"] = {"steps": self.steps, "seed": self.seed, "mu": self.mu,
                                 "queries": self.queries, "mode": self.mode,
                                 "difference": self.difference, "masks": self.masks,
                                 "last_scalars": list(self.last_scalars)}
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        own = _section("ZerothOrder", state_dict, "zeroth_order")
        del state_dict["zeroth_order"]
        super().load_state_dict(state_dict)
        params = _grouped(self)
        masks = own["masks"]
        if masks is not None and [tuple(m.shape) for m in masks] != [tuple(p.shape)
                                                                     for p in params]:
            raise ConfigError("ZerothOrder.load_state_dict: the saved support masks do not "
                              "match the parameters' shapes")
        self.masks = None if masks is None else [m.to(device=p.device, dtype=torch.bool).clone()
                                                 for m, p in zip(masks, params)]
        for key in ("steps", "seed", "mu", "queries", "mode", "difference"):
            setattr(self, key, own[key])
        self.last_scalars = list(own["last_scalars"])
