"""Small plain ``nn.Module`` models used across the book.

* :class:`MLP`: a fully connected network with one activation throughout;
* :class:`CNN1d`: a small 1-D convolutional network for MNIST-1D-like signals;
* :class:`BatchedMLP`: ``S`` independent MLPs of the same shape stored as stacked weights, so
  that several seeds (or several arms of an experiment) train in one pass with batched matrix
  products. Model ``s`` of a ``BatchedMLP`` computes exactly what the ``s``-th source
  :class:`MLP` computes;
* :class:`BatchedCNN1d`: the same for ``S`` :class:`CNN1d` s, the seeds as the groups of one
  grouped convolution per layer.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from dlrepro.errors import ConfigError

__all__ = ["ACTIVATIONS", "MLP", "seeded_mlps", "ResidualBlock", "ResidualMLP", "CNN1d",
           "BatchedMLP", "BatchedResidualMLP", "BatchedCNN1d", "activation", "GhostBatchNorm1d",
           "BatchedBNMLP"]

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "gelu": nn.GELU,
    "sigmoid": nn.Sigmoid,
    "elu": nn.ELU,  # Clevert et al. (2016), alpha = 1
    "swish": nn.SiLU,  # x * sigmoid(x): Ramachandran et al. (2017); SiLU, Elfwing et al. (2018)
    "linear": nn.Identity,
}


def activation(name: str) -> nn.Module:
    """A fresh activation module by name (one of :data:`ACTIVATIONS`)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise ConfigError(f"unknown activation {name!r}; choose one of: {known}") from None


class MLP(nn.Sequential):
    """``in -> hidden[0] -> ... -> hidden[-1] -> out`` with ``activation`` between layers.

    Inputs of any shape ``(batch, ...)`` are flattened.
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        out_features: int,
        activation_name: str = "relu",
        bias: bool = True,
    ) -> None:
        widths = [in_features, *hidden, out_features]
        if any(w < 1 for w in widths):
            raise ConfigError(f"MLP: every width must be positive, got {widths}")
        layers: list[nn.Module] = [nn.Flatten()]
        for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
            layers.append(nn.Linear(fan_in, fan_out, bias=bias))
            if i < len(widths) - 2:
                layers.append(activation(activation_name))
        super().__init__(*layers)
        self.widths = widths
        self.activation_name = activation_name

    @property
    def linears(self) -> list[nn.Linear]:
        return [m for m in self if isinstance(m, nn.Linear)]


def seeded_mlps(seeds: Sequence[int], in_features: int, hidden: Sequence[int],
                out_features: int, activation_name: str = "relu") -> list[MLP]:
    """One :class:`MLP` per seed, each with torch's default initialization drawn right after
    ``torch.manual_seed(seed)``: the same seed gives the same network in every chapter and arm.

    This reseeds torch's global generator (as ``torch.manual_seed`` does).
    """
    nets = []
    for seed in seeds:
        torch.manual_seed(seed)
        nets.append(MLP(in_features, hidden, out_features, activation_name))
    return nets


class ResidualBlock(nn.Module):
    """``h -> act(h + branch(h))`` with ``branch = Linear -> act -> Linear``, all ``width`` wide."""

    def __init__(self, width: int, activation_name: str = "relu") -> None:
        super().__init__()
        self.branch = nn.Sequential(nn.Linear(width, width), activation(activation_name),
                                    nn.Linear(width, width))
        self.act = activation(activation_name)

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        return self.act(h + self.branch(h))


class ResidualMLP(nn.Sequential):
    """``in -> width``, then ``blocks`` :class:`ResidualBlock` s, then ``width -> out``.

    Depth counts weight layers: ``2 * blocks + 2``. Inputs of any shape are flattened.
    """

    def __init__(self, in_features: int, width: int, blocks: int, out_features: int,
                 activation_name: str = "relu") -> None:
        if min(in_features, width, out_features) < 1 or blocks < 0:
            raise ConfigError(f"ResidualMLP: widths must be positive and blocks >= 0, got "
                              f"{in_features}, {width}, {blocks}, {out_features}")
        super().__init__(nn.Flatten(), nn.Linear(in_features, width), activation(activation_name),
                         *(ResidualBlock(width, activation_name) for _ in range(blocks)),
                         nn.Linear(width, out_features))
        self.activation_name = activation_name

    @property
    def linears(self) -> list[nn.Linear]:
        """The weight layers in order: input, then each block's two, then the read-out."""
        return [m for m in self.modules() if isinstance(m, nn.Linear)]


class CNN1d(nn.Module):
    """Conv1d stack (kernel 5, stride 2, padding 2) then a linear read-out.

    Follows the small CNN that Greydanus & Kobak (2024) train on MNIST-1D. Inputs are
    ``(batch, L)`` or ``(batch, 1, L)``; ``length``, ``num_classes``, ``channels`` and
    ``activation_name`` record the constructor's arguments.
    """

    def __init__(
        self,
        length: int,
        num_classes: int,
        channels: Sequence[int] = (25, 25, 25),
        activation_name: str = "relu",
    ) -> None:
        super().__init__()
        self.length, self.num_classes = length, num_classes
        self.channels, self.activation_name = tuple(channels), activation_name
        layers: list[nn.Module] = []
        in_channels = 1
        for out_channels in channels:
            layers += [nn.Conv1d(in_channels, out_channels, 5, stride=2, padding=2),
                       activation(activation_name)]
            in_channels = out_channels
            length = (length + 2 * 2 - 5) // 2 + 1
        self.features = nn.Sequential(*layers)
        self.readout = nn.Linear(in_channels * length, num_classes)

    @property
    def convs(self) -> list[nn.Conv1d]:
        """The convolutions in order (the read-out is ``self.readout``)."""
        return [m for m in self.features if isinstance(m, nn.Conv1d)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.unsqueeze(1)
        return self.readout(self.features(x).flatten(1))


class BatchedMLP(nn.Module):
    """``S`` MLPs of one architecture with stacked weights ``(S, out, in)``.

    ``forward`` takes ``(S, batch, in)`` (each model its own batch) or ``(batch, in)`` (one
    batch shared by all) and returns ``(S, batch, out)``. The loss of the batched model is the
    sum of the models' losses, so the gradient of each slice is that model's own gradient and
    element-wise optimizers (SGD, Adam, ...) update every model exactly as if it were trained
    alone. Optional ``masks`` (same shapes as the weights) multiply the weights in the forward
    pass, as ``torch.nn.utils.prune`` does for a single model.
    """

    def __init__(self, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor | None],
                 activation_name: str = "relu") -> None:
        super().__init__()
        self.weights = nn.ParameterList(nn.Parameter(w.detach().clone()) for w in weights)
        self.has_bias = biases[0] is not None
        if self.has_bias:
            self.biases = nn.ParameterList(nn.Parameter(b.detach().clone()) for b in biases)
        self.activation_name = activation_name
        self.act = activation(activation_name)
        self.masks: list[torch.Tensor | None] = [None] * len(self.weights)

    @classmethod
    def from_models(cls, models: Sequence[MLP]) -> BatchedMLP:
        """Stack the weights of MLPs that share one architecture."""
        if not models:
            raise ConfigError("BatchedMLP.from_models needs at least one MLP")
        shapes = {tuple(m.widths) for m in models}
        if len(shapes) != 1:
            raise ConfigError(f"BatchedMLP: all MLPs must share one architecture, got {shapes}")
        per_layer = list(zip(*(m.linears for m in models)))
        weights = [torch.stack([lin.weight for lin in layer]) for layer in per_layer]
        has_bias = per_layer[0][0].bias is not None
        biases = [torch.stack([lin.bias for lin in layer]) if has_bias else None
                  for layer in per_layer]
        return cls(weights, biases, models[0].activation_name)

    @property
    def num_models(self) -> int:
        return self.weights[0].shape[0]

    def set_masks(self, masks: Sequence[torch.Tensor | None]) -> None:
        """Fix per-layer 0/1 masks of shape ``(S, out, in)``; pruned weights are zeroed."""
        if len(masks) != len(self.weights):
            raise ConfigError(f"set_masks: expected {len(self.weights)} masks, got {len(masks)}")
        self.masks = []
        for weight, mask in zip(self.weights, masks):
            if mask is not None:
                if mask.shape != weight.shape:
                    raise ConfigError(
                        f"mask shape {tuple(mask.shape)} != weight {tuple(weight.shape)}")
                mask = mask.to(device=weight.device, dtype=weight.dtype)
                with torch.no_grad():
                    weight.mul_(mask)
            self.masks.append(mask)

    def effective_weights(self) -> list[torch.Tensor]:
        """The weights as used in the forward pass (masked where a mask is set)."""
        return [w if m is None else w * m for w, m in zip(self.weights, self.masks)]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.num_models, *x.shape)
        h = x.flatten(2)
        last = len(self.weights) - 1
        for i, weight in enumerate(self.effective_weights()):
            if self.has_bias:
                h = torch.baddbmm(self.biases[i].unsqueeze(1), h, weight.transpose(1, 2))
            else:
                h = torch.bmm(h, weight.transpose(1, 2))
            if i < last:
                h = self.act(h)
        return h

    def unstack(self) -> list[MLP]:
        """Copy model ``s`` out as a plain :class:`MLP` (with masks applied to the weights)."""
        widths = [self.weights[0].shape[2]] + [w.shape[1] for w in self.weights]
        models = []
        for s in range(self.num_models):
            mlp = MLP(widths[0], widths[1:-1], widths[-1], self.activation_name, self.has_bias)
            mlp = mlp.to(self.weights[0].device)
            with torch.no_grad():
                for i, (lin, weight) in enumerate(zip(mlp.linears, self.effective_weights())):
                    lin.weight.copy_(weight[s])
                    if self.has_bias:
                        lin.bias.copy_(self.biases[i][s])
            models.append(mlp)
        return models


class BatchedResidualMLP(nn.Module):
    """``S`` :class:`ResidualMLP` s of one shape with stacked weights ``(S, out, in)``.

    Like :class:`BatchedMLP`: ``forward`` takes ``(S, batch, in)`` or a shared ``(batch, in)``
    and returns ``(S, batch, out)``; model ``s`` computes what ``nets[s]`` computes, and the
    loss summed over models gives every slice its own model's gradient.
    """

    def __init__(self, nets: Sequence[ResidualMLP]) -> None:
        super().__init__()
        if not nets:
            raise ConfigError("BatchedResidualMLP needs at least one ResidualMLP")
        shapes = {(net.activation_name, *(lin.weight.shape for lin in net.linears))
                  for net in nets}
        if len(shapes) != 1:
            raise ConfigError(f"BatchedResidualMLP: the networks must share one shape and "
                              f"activation, got {len(shapes)} different ones")
        layers = list(zip(*(net.linears for net in nets)))
        self.weights = nn.ParameterList(
            nn.Parameter(torch.stack([lin.weight.detach() for lin in layer])) for layer in layers)
        self.biases = nn.ParameterList(
            nn.Parameter(torch.stack([lin.bias.detach() for lin in layer])) for layer in layers)
        self.blocks = (len(layers) - 2) // 2
        self.act = activation(nets[0].activation_name)

    @property
    def num_models(self) -> int:
        return self.weights[0].shape[0]

    def _linear(self, h: torch.Tensor, i: int) -> torch.Tensor:
        return torch.baddbmm(self.biases[i].unsqueeze(1), h, self.weights[i].transpose(1, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.num_models, *x.shape)
        h = self.act(self._linear(x.flatten(2), 0))
        for b in range(self.blocks):
            h = self.act(h + self._linear(self.act(self._linear(h, 2 * b + 1)), 2 * b + 2))
        return self._linear(h, len(self.weights) - 1)


class BatchedCNN1d(nn.Module):
    """``S`` :class:`CNN1d` s of one shape (the MNIST-1D CNN of Greydanus & Kobak, 2024) with
    stacked weights: convolutions ``(S, C_out, C_in, 5)`` and ``(S, C_out)``, read-out
    ``(S, classes, features)`` and ``(S, classes)``.

    ``forward`` takes ``(S, batch, L)`` or ``(S, batch, 1, L)`` (each model its own batch) or a
    shared ``(batch, L)``, and returns ``(S, batch, classes)``; model ``s`` computes what
    ``nets[s]`` computes (up to float rounding). A 3-D input is always read as one batch per
    model (as by :class:`BatchedMLP`), so a shared batch goes in without its channel axis.

    Each layer is one grouped convolution with the models as its ``S`` groups, the read-out one
    batched matrix product over the features flattened channel-major, as ``CNN1d`` flattens
    them. As for :class:`BatchedMLP`, the loss summed over models gives every slice its own
    model's gradient, so element-wise optimizers update each model as if it were alone.
    """

    def __init__(self, nets: Sequence[CNN1d]) -> None:
        super().__init__()
        if not nets:
            raise ConfigError("BatchedCNN1d needs at least one CNN1d")
        shapes = {(net.activation_name, *((c.stride, c.padding) for c in net.convs),
                   *(p.shape for p in net.parameters())) for net in nets}
        if len(shapes) != 1:
            raise ConfigError(f"BatchedCNN1d: the networks must share one shape and activation, "
                              f"got {len(shapes)} different ones")
        first = nets[0]
        layers = list(zip(*(net.convs for net in nets)))
        self.conv_weights = nn.ParameterList(
            nn.Parameter(torch.stack([c.weight.detach() for c in layer])) for layer in layers)
        self.conv_biases = nn.ParameterList(
            nn.Parameter(torch.stack([c.bias.detach() for c in layer])) for layer in layers)
        self.readout_weight = nn.Parameter(
            torch.stack([net.readout.weight.detach() for net in nets]))
        self.readout_bias = nn.Parameter(torch.stack([net.readout.bias.detach() for net in nets]))
        self.strides = [c.stride[0] for c in first.convs]
        self.paddings = [c.padding[0] for c in first.convs]
        self.length, self.activation_name = first.length, first.activation_name
        self.act = activation(first.activation_name)

    @property
    def num_models(self) -> int:
        return self.readout_weight.shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        num_models = self.num_models
        if x.dim() == 4 and x.shape[2] == 1:
            x = x.squeeze(2)
        if x.dim() == 2:  # shared: the first layer is a plain convolution with S * C_out outputs
            h, groups = x.unsqueeze(1), 1
        elif x.dim() == 3 and x.shape[0] == num_models:
            h, groups = x.transpose(0, 1), num_models  # (batch, S, L): model s is group s
        else:
            raise ConfigError(f"BatchedCNN1d: expected a shared (batch, L) or per-model "
                              f"({num_models}, batch, L) or ({num_models}, batch, 1, L) input, "
                              f"got {tuple(x.shape)}")
        for weight, bias, stride, padding in zip(self.conv_weights, self.conv_biases,
                                                 self.strides, self.paddings):
            h = F.conv1d(h, weight.flatten(0, 1), bias.flatten(), stride, padding, groups=groups)
            h = self.act(h)
            groups = num_models
        # (batch, S * C, L') -> (S, batch, C * L'): channel-major, as CNN1d's flatten(1).
        h = h.reshape(h.shape[0], num_models, -1).transpose(0, 1)
        return torch.baddbmm(self.readout_bias.unsqueeze(1), h, self.readout_weight.transpose(1, 2))

    def unstack(self) -> list[CNN1d]:
        """Copy model ``s`` out as a plain :class:`CNN1d`."""
        channels = [w.shape[1] for w in self.conv_weights]
        models = []
        for s in range(self.num_models):
            net = CNN1d(self.length, self.readout_weight.shape[1], channels, self.activation_name)
            net = net.to(self.readout_weight.device)
            with torch.no_grad():
                for conv, weight, bias in zip(net.convs, self.conv_weights, self.conv_biases):
                    conv.weight.copy_(weight[s])
                    conv.bias.copy_(bias[s])
                net.readout.weight.copy_(self.readout_weight[s])
                net.readout.bias.copy_(self.readout_bias[s])
            models.append(net)
        return models


class GhostBatchNorm1d(nn.Module):
    """Batch normalization over *ghost batches* (Hoffer, Hubara & Soudry, 2017).

    In training mode the batch is cut into consecutive chunks of ``ghost_batch_size`` examples
    (the last may be smaller) and each chunk is normalized with its own mean and (biased)
    variance, exactly as ``nn.BatchNorm1d`` would normalize that chunk alone; the running
    statistics are updated once per chunk, in order, as ``nn.BatchNorm1d`` applied to each
    chunk in turn would update them (unbiased chunk variance, ``momentum`` per chunk). With
    ``ghost_batch_size=None`` the whole batch is one ghost batch: ordinary batch
    normalization. In eval mode the running statistics are used.

    ``num_models=S`` keeps ``S`` independent sets of statistics and affine parameters for a
    stacked model: inputs ``(S, batch, features)``, each model normalized over its own batch.
    Without it inputs are ``(batch, features)``.
    """

    def __init__(self, num_features: int, ghost_batch_size: int | None = None,
                 num_models: int | None = None, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True) -> None:
        super().__init__()
        if num_features < 1 or (ghost_batch_size is not None and ghost_batch_size < 2):
            raise ConfigError(f"GhostBatchNorm1d: need num_features >= 1 and a ghost batch "
                              f"of >= 2 examples, got {num_features} and {ghost_batch_size}")
        if num_models is not None and num_models < 1:
            raise ConfigError(f"GhostBatchNorm1d: num_models must be >= 1, got {num_models}")
        self.num_features, self.ghost_batch_size = num_features, ghost_batch_size
        self.num_models, self.eps, self.momentum = num_models, eps, momentum
        shape = (num_features,) if num_models is None else (num_models, 1, num_features)
        self.weight = nn.Parameter(torch.ones(shape)) if affine else None
        self.bias = nn.Parameter(torch.zeros(shape)) if affine else None
        self.register_buffer("running_mean", torch.zeros(shape))
        self.register_buffer("running_var", torch.ones(shape))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        expected = 2 if self.num_models is None else 3
        if x.dim() != expected or x.shape[-1] != self.num_features:
            raise ConfigError(f"GhostBatchNorm1d expects {expected}-d input with "
                              f"{self.num_features} features last, got {tuple(x.shape)}")
        if not self.training:
            out = (x - self.running_mean) / torch.sqrt(self.running_var + self.eps)
        else:
            n = x.shape[-2]
            size = n if self.ghost_batch_size is None else min(self.ghost_batch_size, n)
            if size < 2:
                raise ConfigError("GhostBatchNorm1d: a ghost batch needs >= 2 examples")
            if n % size == 0:  # equal chunks: one reshaped computation
                k = n // size
                g = x.unflatten(-2, (k, size))
                mean = g.mean(-2, keepdim=True)
                var = g.var(-2, unbiased=False, keepdim=True)
                out = ((g - mean) / torch.sqrt(var + self.eps)).flatten(-3, -2)
                with torch.no_grad():  # k sequential momentum updates in closed form
                    m = self.momentum
                    decay = (1 - m) ** torch.arange(k - 1, -1, -1, dtype=x.dtype,
                                                    device=x.device)
                    w = (m * decay).unsqueeze(-1)
                    view = self.running_mean.shape
                    self.running_mean.mul_((1 - m) ** k).add_(
                        (w * mean.detach().squeeze(-2)).sum(-2).reshape(view))
                    self.running_var.mul_((1 - m) ** k).add_(
                        (w * var.detach().squeeze(-2)).sum(-2).reshape(view) * size / (size - 1))
            else:
                parts, means, variances, sizes = [], [], [], []
                for chunk in torch.split(x, size, dim=-2):
                    mean = chunk.mean(-2, keepdim=True)
                    var = chunk.var(-2, unbiased=False, keepdim=True)
                    parts.append((chunk - mean) / torch.sqrt(var + self.eps))
                    means.append(mean.squeeze(-2))
                    variances.append(var.squeeze(-2))
                    sizes.append(chunk.shape[-2])
                out = torch.cat(parts, dim=-2)
                if any(s < 2 for s in sizes):
                    raise ConfigError("GhostBatchNorm1d: a ghost batch needs >= 2 examples")
                with torch.no_grad():  # one momentum update per ghost batch, in order
                    m = self.momentum
                    view = self.running_mean.shape
                    for mean, var, s in zip(means, variances, sizes):
                        self.running_mean.mul_(1 - m).add_(m * mean.detach().reshape(view))
                        self.running_var.mul_(1 - m).add_(
                            m * var.detach().reshape(view) * s / (s - 1))
        if self.weight is not None:
            out = out * self.weight + self.bias
        return out


class BatchedBNMLP(nn.Module):
    """``S`` MLPs with (ghost) batch normalization after every hidden linear layer,
    ``Linear -> GhostBatchNorm1d -> activation``, stacked like :class:`BatchedMLP`.

    Each model normalizes over its own batch (its own statistics and affine parameters), so
    seeds and arms of a batch-normalized network still train in one pass. The linear weights
    start as those of ``models`` (e.g. :func:`seeded_mlps`); ``ghost_batch_size=None`` is
    ordinary batch normalization. ``forward`` takes ``(S, batch, in)`` or a shared
    ``(batch, in)`` and returns ``(S, batch, out)``. Hoffer, Hubara & Soudry (2017) train
    such a network (their MNIST model) with and without ghost batches.
    """

    def __init__(self, models: Sequence[MLP], ghost_batch_size: int | None = None) -> None:
        super().__init__()
        stacked = BatchedMLP.from_models(models)
        if not stacked.has_bias:
            raise ConfigError("BatchedBNMLP: the source MLPs need biases")
        self.weights, self.biases = stacked.weights, stacked.biases
        self.act = activation(stacked.activation_name)
        self.norms = nn.ModuleList(
            GhostBatchNorm1d(w.shape[1], ghost_batch_size, num_models=len(models))
            for w in self.weights[:-1])

    @property
    def num_models(self) -> int:
        return self.weights[0].shape[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.num_models, *x.shape)
        h = x.flatten(2)
        for i, (weight, bias) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(bias.unsqueeze(1), h, weight.transpose(1, 2))
            if i < len(self.norms):
                h = self.act(self.norms[i](h))
        return h
