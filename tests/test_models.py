"""dlrepro.models: MLP, CNN1d and the batched models against closed forms and plain PyTorch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from dlrepro.errors import ConfigError
from dlrepro.models import (
    ACTIVATIONS,
    MLP,
    BatchedCNN1d,
    BatchedMLP,
    BatchedResidualMLP,
    CNN1d,
    ResidualMLP,
    activation,
    seeded_mlps,
)

pytestmark = pytest.mark.usefixtures("single_thread")


def mlps(count: int, widths=(12, [16, 8], 5), activation_name="relu", bias=True) -> list[MLP]:
    models = []
    for seed in range(count):
        torch.manual_seed(seed)
        models.append(MLP(widths[0], widths[1], widths[2], activation_name, bias))
    return models


def n_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------- MLP


@pytest.mark.parametrize("bias", [True, False])
def test_mlp_widths_and_parameter_count(bias):
    model = MLP(40, [100, 50], 10, bias=bias)
    assert model.widths == [40, 100, 50, 10]
    assert [(lin.in_features, lin.out_features) for lin in model.linears] == [
        (40, 100), (100, 50), (50, 10)]
    expected = 40 * 100 + 100 * 50 + 50 * 10 + (100 + 50 + 10 if bias else 0)
    assert n_params(model) == expected
    assert sum(isinstance(m, nn.ReLU) for m in model) == 2  # none after the output layer


def test_mlp_forward_equals_dense_computation():
    torch.manual_seed(0)
    model = MLP(12, [7, 6], 3, activation_name="tanh")
    x = torch.randn(9, 3, 4)  # flattened to 12 features
    w1, w2, w3 = (lin.weight for lin in model.linears)
    b1, b2, b3 = (lin.bias for lin in model.linears)
    h = torch.tanh(x.reshape(9, 12) @ w1.T + b1)
    h = torch.tanh(h @ w2.T + b2)
    torch.testing.assert_close(model(x), h @ w3.T + b3)


def test_seeded_mlps_are_torchs_default_layers_drawn_after_each_seed():
    nets = seeded_mlps([3, 7, 3], 12, [16, 8], 5, "tanh")
    assert [net.activation_name for net in nets] == ["tanh"] * 3
    for seed, net in zip([3, 7, 3], nets):
        torch.manual_seed(seed)  # reference: torch's own layers, built in the same order
        reference = [nn.Linear(12, 16), nn.Linear(16, 8), nn.Linear(8, 5)]
        for lin, ref in zip(net.linears, reference, strict=True):
            torch.testing.assert_close(lin.weight, ref.weight, rtol=0, atol=0)
            torch.testing.assert_close(lin.bias, ref.bias, rtol=0, atol=0)
    assert not torch.equal(nets[0].linears[0].weight, nets[1].linears[0].weight)
    assert nets[0] is not nets[2]  # same values, separate networks


def test_mlp_and_activation_reject_bad_input():
    with pytest.raises(ConfigError):
        MLP(10, [0], 2)
    with pytest.raises(ConfigError) as info:
        MLP(10, [5], 2, activation_name="mish")
    assert "relu" in str(info.value)
    with pytest.raises(ConfigError):
        activation("softplus")


def test_activations_compute_their_functions():
    x = torch.linspace(-3, 3, 13)
    reference = {"relu": torch.relu, "tanh": torch.tanh, "gelu": F.gelu,
                 "sigmoid": torch.sigmoid, "elu": lambda t: torch.where(t > 0, t, t.exp() - 1),
                 "swish": lambda t: t / (1 + (-t).exp()), "linear": lambda t: t}
    assert set(reference) == set(ACTIVATIONS)
    for name, fn in reference.items():
        torch.testing.assert_close(activation(name)(x), fn(x))


# --------------------------------------------------------------------------- CNN1d


@pytest.mark.parametrize("length", [40, 37])
def test_cnn1d_shapes_and_parameter_count(length):
    model = CNN1d(length, 10, channels=(25, 25, 25))
    out_length = length
    for _ in range(3):
        out_length = (out_length + 4 - 5) // 2 + 1
    assert model.readout.in_features == 25 * out_length
    convs = (1 * 25 * 5 + 25) + 2 * (25 * 25 * 5 + 25)
    assert n_params(model) == convs + 25 * out_length * 10 + 10
    x = torch.randn(7, length)
    assert model(x).shape == (7, 10)
    torch.testing.assert_close(model(x), model(x.unsqueeze(1)))


def test_cnn1d_forward_equals_functional_reference():
    torch.manual_seed(1)
    model = CNN1d(20, 4, channels=(3, 5))
    x = torch.randn(6, 20)
    h = x.unsqueeze(1)
    for conv in (m for m in model.features if isinstance(m, nn.Conv1d)):
        h = torch.relu(F.conv1d(h, conv.weight, conv.bias, stride=2, padding=2))
    expected = h.flatten(1) @ model.readout.weight.T + model.readout.bias
    torch.testing.assert_close(model(x), expected)


# --------------------------------------------------------------------------- BatchedMLP


@pytest.mark.parametrize("activation_name,bias", [("relu", True), ("tanh", False)])
def test_batched_forward_equals_each_source_mlp(activation_name, bias):
    models = mlps(3, activation_name=activation_name, bias=bias)
    batched = BatchedMLP.from_models(models)
    assert batched.num_models == 3
    torch.manual_seed(10)
    shared = torch.randn(11, 12)
    out = batched(shared)
    assert out.shape == (3, 11, 5)
    per_model = torch.randn(3, 11, 12)
    out_each = batched(per_model)
    for s, model in enumerate(models):
        torch.testing.assert_close(out[s], model(shared))
        torch.testing.assert_close(out_each[s], model(per_model[s]))


def test_batched_input_of_image_shape_is_flattened():
    models = mlps(2)
    batched = BatchedMLP.from_models(models)
    x = torch.randn(2, 4, 3, 4)
    for s, model in enumerate(models):
        torch.testing.assert_close(batched(x)[s], model(x[s]))


def test_unstack_round_trip():
    models = mlps(3)
    back = BatchedMLP.from_models(models).unstack()
    x = torch.randn(5, 12)
    for original, copy in zip(models, back, strict=True):
        assert copy.widths == original.widths
        for a, b in zip(original.parameters(), copy.parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=0, atol=0)
        torch.testing.assert_close(copy(x), original(x))


def test_from_models_copies_weights():
    models = mlps(2)
    batched = BatchedMLP.from_models(models)
    with torch.no_grad():
        batched.weights[0].zero_()
    assert models[0].linears[0].weight.abs().sum().item() > 0


def test_from_models_rejects_empty_and_mixed_architectures():
    with pytest.raises(ConfigError):
        BatchedMLP.from_models([])
    with pytest.raises(ConfigError):
        BatchedMLP.from_models([MLP(4, [3], 2), MLP(4, [5], 2)])


def test_set_masks_zeroes_weights_and_equals_masked_mlps():
    models = mlps(3)
    batched = BatchedMLP.from_models(models)
    gen = torch.Generator().manual_seed(0)
    masks = [(torch.rand(w.shape, generator=gen) < 0.6).float() for w in batched.weights]
    masks[1] = None  # an unmasked layer
    batched.set_masks(masks)
    for weight, mask in zip(batched.weights, masks, strict=True):
        if mask is not None:
            assert torch.all(weight[mask == 0] == 0)
            assert torch.count_nonzero(weight).item() == int(mask.sum().item())
    x = torch.randn(8, 12)
    out = batched(x)
    for s, model in enumerate(models):
        with torch.no_grad():
            for lin, mask in zip(model.linears, masks, strict=True):
                if mask is not None:
                    lin.weight.mul_(mask[s])
        torch.testing.assert_close(out[s], model(x))
    for s, copy in enumerate(batched.unstack()):
        torch.testing.assert_close(copy(x), out[s])
    effective = batched.effective_weights()
    torch.testing.assert_close(effective[0], batched.weights[0] * masks[0])


def test_set_masks_rejects_wrong_count_and_shape():
    batched = BatchedMLP.from_models(mlps(2))
    with pytest.raises(ConfigError):
        batched.set_masks([None])
    bad = [torch.ones(2, 16, 12), torch.ones(2, 8, 8), torch.ones(2, 5, 8)]
    with pytest.raises(ConfigError):
        batched.set_masks(bad)


def test_residual_mlp_is_the_residual_formula():
    torch.manual_seed(0)
    model = ResidualMLP(5, 6, 1, 3, "tanh")
    x = torch.randn(4, 5)
    inp, block, out = model[1], model[3], model[4]
    h = torch.tanh(inp(x))
    inner = block.branch[2](torch.tanh(block.branch[0](h)))
    assert torch.allclose(model(x), out(torch.tanh(h + inner)), atol=1e-6)
    assert sum(isinstance(m, torch.nn.Linear) for m in model.modules()) == 2 * 1 + 2
    with pytest.raises(ConfigError):
        ResidualMLP(5, 0, 1, 3)


# --------------------------------------------------------------------------- BatchedResidualMLP


@pytest.mark.parametrize("activation_name", ["relu", "tanh"])
def test_batched_residual_forward_and_gradients_equal_each_source_net(activation_name):
    torch.manual_seed(3)
    nets = [ResidualMLP(7, 6, 2, 4, activation_name) for _ in range(3)]
    batched = BatchedResidualMLP(nets)
    assert batched.num_models == 3 and len(batched.weights) == len(nets[0].linears) == 6
    x = torch.randn(3, 5, 7)
    out = batched(x)
    shared = batched(x[0])
    for s, net in enumerate(nets):
        torch.testing.assert_close(out[s], net(x[s]))
        torch.testing.assert_close(shared[s], net(x[0]))
    # The summed loss gives slice s exactly net s's own gradient.
    out.square().sum().backward()
    for s, net in enumerate(nets):
        net(x[s]).square().sum().backward()
        for i, lin in enumerate(net.linears):
            torch.testing.assert_close(batched.weights[i].grad[s], lin.weight.grad)
            torch.testing.assert_close(batched.biases[i].grad[s], lin.bias.grad)


def test_batched_residual_copies_weights_and_rejects_mixed_shapes():
    nets = [ResidualMLP(4, 3, 1, 2) for _ in range(2)]
    batched = BatchedResidualMLP(nets)
    with torch.no_grad():
        batched.weights[0].zero_()
    assert nets[0].linears[0].weight.abs().sum().item() > 0
    with pytest.raises(ConfigError, match="at least one"):
        BatchedResidualMLP([])
    with pytest.raises(ConfigError, match="share one shape"):
        BatchedResidualMLP([ResidualMLP(4, 3, 1, 2), ResidualMLP(4, 3, 2, 2)])
    with pytest.raises(ConfigError, match="share one shape"):
        BatchedResidualMLP([ResidualMLP(4, 3, 1, 2), ResidualMLP(4, 3, 1, 2, "tanh")])


# --------------------------------------------------------------------------- BatchedCNN1d


def cnns(count: int, length: int = 20, channels=(3, 5, 4), activation_name="relu",
         classes: int = 4) -> list[CNN1d]:
    nets = []
    for seed in range(count):
        torch.manual_seed(seed)
        nets.append(CNN1d(length, classes, channels, activation_name))
    return nets


@pytest.mark.parametrize("activation_name,length", [("relu", 20), ("tanh", 37)])
def test_batched_cnn_forward_equals_each_source_cnn(activation_name, length):
    nets = cnns(3, length, activation_name=activation_name)
    batched = BatchedCNN1d(nets)
    assert batched.num_models == 3
    assert [tuple(w.shape) for w in batched.conv_weights] == [
        (3, 3, 1, 5), (3, 5, 3, 5), (3, 4, 5, 5)]
    assert [tuple(b.shape) for b in batched.conv_biases] == [(3, 3), (3, 5), (3, 4)]
    assert batched.readout_weight.shape == (3, 4, nets[0].readout.in_features)
    assert batched.readout_bias.shape == (3, 4)
    torch.manual_seed(10)
    shared = torch.randn(6, length)
    per_model = torch.randn(3, 6, length)
    out, out_each = batched(shared), batched(per_model)
    assert out.shape == out_each.shape == (3, 6, 4)
    for s, net in enumerate(nets):
        torch.testing.assert_close(out[s], net(shared))
        torch.testing.assert_close(out_each[s], net(per_model[s]))
    # With a channel axis, as CNN1d accepts (batch, 1, L).
    torch.testing.assert_close(batched(per_model.unsqueeze(2)), out_each)
    with pytest.raises(ConfigError, match="per-model"):
        batched(torch.randn(2, 6, length))  # neither shared nor one batch per model


@pytest.mark.parametrize("shared", [True, False])
def test_batched_cnn_summed_loss_gives_each_slice_its_own_gradient(shared):
    nets = cnns(3, 23, activation_name="tanh")
    batched = BatchedCNN1d(nets)
    gen = torch.Generator().manual_seed(4)
    x = torch.randn(5, 23, generator=gen) if shared else torch.randn(3, 5, 23, generator=gen)
    y = torch.randint(0, 4, (3, 5), generator=gen)
    loss = F.cross_entropy(batched(x).transpose(1, 2), y, reduction="none").mean(1).sum()
    loss.backward()
    for s, net in enumerate(nets):
        F.cross_entropy(net(x if shared else x[s]), y[s]).backward()
        for i, conv in enumerate(net.convs):
            torch.testing.assert_close(batched.conv_weights[i].grad[s], conv.weight.grad)
            torch.testing.assert_close(batched.conv_biases[i].grad[s], conv.bias.grad)
        torch.testing.assert_close(batched.readout_weight.grad[s], net.readout.weight.grad)
        torch.testing.assert_close(batched.readout_bias.grad[s], net.readout.bias.grad)


def test_batched_cnn_unstack_round_trip_and_copies_weights():
    nets = cnns(3, 37, channels=(3, 5), activation_name="tanh")
    batched = BatchedCNN1d(nets)
    x = torch.randn(5, 37)
    for original, copy in zip(nets, batched.unstack(), strict=True):
        assert (copy.length, copy.num_classes, copy.channels, copy.activation_name) == (
            37, 4, (3, 5), "tanh")
        for (name, a), (name_copy, b) in zip(original.named_parameters(),
                                             copy.named_parameters(), strict=True):
            assert name == name_copy
            torch.testing.assert_close(a, b, rtol=0, atol=0)
        torch.testing.assert_close(copy(x), original(x))
    with torch.no_grad():  # the batched weights are copies, and unstack reads them back
        batched.conv_weights[1][2].zero_()
        batched.readout_bias[2].fill_(7.0)
    assert nets[2].convs[1].weight.abs().sum().item() > 0
    changed = batched.unstack()[2]
    assert torch.all(changed.convs[1].weight == 0) and torch.all(changed.readout.bias == 7.0)
    torch.testing.assert_close(changed(x), batched(x)[2])


def test_batched_cnn_rejects_empty_and_mixed_shapes():
    with pytest.raises(ConfigError, match="at least one"):
        BatchedCNN1d([])
    reference = CNN1d(20, 4, (3, 5))
    for other in (CNN1d(20, 4, (3, 6)), CNN1d(20, 4, (3, 5, 5)), CNN1d(24, 4, (3, 5)),
                  CNN1d(20, 3, (3, 5)), CNN1d(20, 4, (3, 5), "tanh")):
        with pytest.raises(ConfigError, match="share one shape"):
            BatchedCNN1d([reference, other])
