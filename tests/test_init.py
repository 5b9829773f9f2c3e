"""dlrepro.init: each initializer against its definition; mean-field maps against closed forms."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from dlrepro import init
from dlrepro.diagnostics import layer_statistics
from dlrepro.errors import ConfigError
from dlrepro.models import MLP, ResidualMLP


def wide_mlp(act="relu"):
    return MLP(200, [300, 300], 100, act)


@pytest.mark.parametrize("initializer, variance", [
    (lambda m, g: init.scaled_gaussian_(m, 0.01, g), lambda fi, fo: 1e-4),
    (init.glorot_, lambda fi, fo: 2.0 / (fi + fo)),
    (init.he_, lambda fi, fo: 2.0 / fi),
    (lambda m, g: init.edge_of_chaos_(m, 1.5, 0.0, g), lambda fi, fo: 1.5**2 / fi),
])
def test_weight_variance_matches_definition(initializer, variance):
    model = initializer(wide_mlp(), torch.Generator().manual_seed(0))
    for layer in init.weight_layers(model):
        fan_in, fan_out = init.fans(layer.weight)
        expected = variance(fan_in, fan_out)
        assert layer.weight.var().item() == pytest.approx(expected, rel=0.05)
        assert layer.weight.mean().item() == pytest.approx(0.0, abs=0.1 * math.sqrt(expected))
        assert torch.all(layer.bias == 0)


def test_glorot_is_uniform_within_its_bound():
    layer = init.glorot_(nn.Linear(30, 50))
    bound = math.sqrt(6.0 / 80)
    assert layer.weight.abs().max() <= bound and layer.weight.abs().max() > 0.9 * bound


def test_edge_of_chaos_biases_have_sigma_b():
    model = init.edge_of_chaos_(MLP(10, [4000], 4000), 1.0, 0.3, torch.Generator().manual_seed(1))
    assert model.linears[0].bias.std().item() == pytest.approx(0.3, rel=0.05)


@pytest.mark.parametrize("shape", [(20, 20), (10, 30), (30, 10)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    layer = init.orthogonal_(nn.Linear(shape[1], shape[0]), gain=2.0)
    w = layer.weight.double() / 2.0
    gram = w @ w.T if shape[0] <= shape[1] else w.T @ w
    assert torch.allclose(gram, torch.eye(min(shape), dtype=torch.float64), atol=1e-5)


def test_orthogonal_conv_kernels_flatten_to_orthonormal_rows():
    conv = init.orthogonal_(nn.Conv1d(4, 6, 5))
    w = conv.weight.reshape(6, -1).double()
    assert torch.allclose(w @ w.T, torch.eye(6, dtype=torch.float64), atol=1e-5)


def test_lsuv_gives_unit_output_variance_in_every_layer():
    torch.manual_seed(0)
    model = MLP(40, [64] * 6, 10, "tanh")
    x = torch.randn(512, 40) * 3
    variances = init.lsuv_(model, x, tol=0.01, generator=torch.Generator().manual_seed(0))
    assert len(variances) == 7
    for stats in layer_statistics(model, x):
        assert stats.output_var == pytest.approx(1.0, abs=0.01)


def test_lsuv_respects_its_iteration_cap():
    model = MLP(8, [8], 2, "tanh")
    x = torch.randn(64, 8)
    before = init.orthogonal_(MLP(8, [8], 2, "tanh"), generator=torch.Generator().manual_seed(3))
    variances = init.lsuv_(model, x, tol=1e-12, max_iter=1,
                           generator=torch.Generator().manual_seed(3))
    # one rescaling of the first layer: its weights are the orthogonal draw over its output std
    first = before.linears[0]
    expected_std = (x @ first.weight.T).var().sqrt()
    assert torch.allclose(model.linears[0].weight, first.weight / expected_std, atol=1e-6)
    assert len(variances) == 2


def test_lsuv_rejects_a_dead_batch():
    with pytest.raises(ConfigError, match="variance"):
        init.lsuv_(MLP(5, [5], 2), torch.zeros(16, 5))
    with pytest.raises(ConfigError):
        init.lsuv_(MLP(5, [5], 2), torch.randn(16, 5), tol=0)


def test_hadamard_is_orthogonal_and_rejects_other_sizes():
    h = init.hadamard(16)
    assert torch.equal(h @ h.T, 16 * torch.eye(16))
    assert set(h.unique().tolist()) == {-1.0, 1.0}
    with pytest.raises(ConfigError):
        init.hadamard(12)


def test_zero_matrix_exact_values():
    assert torch.equal(init.zero_matrix(3, 3), torch.eye(3))
    assert torch.equal(init.zero_matrix(2, 4), torch.tensor([[1., 0, 0, 0], [0, 1., 0, 0]]))
    # growing 3 -> 5: m = 3, c = 2^-1, rows of the 8 x 8 Sylvester Hadamard matrix
    expected = 0.5 * torch.tensor([[1., 1, 1], [1, -1, 1], [1, 1, -1], [1, -1, -1], [1, 1, 1]])
    assert torch.equal(init.zero_matrix(5, 3), expected)


def test_zero_init_is_identical_for_every_seed_and_zeroes_residual_branches():
    x = torch.randn(32, 40)
    outputs = []
    for seed in range(3):
        torch.manual_seed(seed)
        model = init.zero_(ResidualMLP(40, 64, 2, 10))
        outputs.append(model(x))
        for block in list(model)[3:5]:
            assert torch.all(block.branch[-1].weight == 0)
            assert torch.equal(block.branch[0].weight, torch.eye(64))
    assert all(torch.equal(outputs[0], out) for out in outputs[1:])
    # every residual block starts as the identity: the net is relu(H x) read out by I*
    first = init.zero_matrix(64, 40)
    assert torch.allclose(outputs[0], torch.relu(x @ first.T)[:, :10])


def test_zero_init_conv_uses_the_centre_tap():
    conv = init.zero_(nn.Conv1d(3, 3, 5))
    assert torch.equal(conv.weight[:, :, 2], torch.eye(3))
    assert conv.weight[:, :, [0, 1, 3, 4]].abs().sum() == 0


def test_variance_map_relu_closed_form_and_fixed_point():
    # E[relu(sqrt(q) z)^2] = q / 2
    assert init.variance_map(2.0, 1.3, 0.2, "relu") == pytest.approx(1.3**2 + 0.04, rel=1e-10)
    q_star = init.variance_fixed_point(1.2, 0.5, "relu")
    assert q_star == pytest.approx(0.25 / (1 - 1.2**2 / 2), rel=1e-8)
    with pytest.raises(ConfigError, match="without bound"):
        init.variance_fixed_point(1.6, 0.1, "relu")
    # At sigma_w^2 = 2 a ReLU layer adds sigma_b^2 to the variance: linear growth, no fixed point.
    assert init.variance_map(3.0, math.sqrt(2), 0.1, "relu") == pytest.approx(3.01)
    with pytest.raises(ConfigError, match="without bound"):
        init.variance_fixed_point(math.sqrt(2), 0.1, "relu")


def test_variance_fixed_point_slow_decay_to_zero_is_not_divergence():
    # tanh at sigma_w = 1, sigma_b = 0: q_{l+1} ~ q_l - 2 q_l^2, so q_l ~ 1 / (2 l) -> q* = 0.
    q = init.variance_fixed_point(1.0, 0.0, "tanh")
    assert 0 < q < 2 / 500


def test_variance_map_tanh_matches_monte_carlo():
    z = torch.randn(2_000_000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    expected = 1.7**2 * torch.tanh(math.sqrt(0.8) * z).pow(2).mean().item() + 0.1**2
    assert init.variance_map(0.8, 1.7, 0.1, "tanh") == pytest.approx(expected, rel=2e-3)


def test_correlation_map_fixes_one_and_matches_monte_carlo():
    q = init.variance_fixed_point(1.5, 0.3, "tanh")
    assert init.correlation_map(1.0, q, 1.5, 0.3, "tanh") == pytest.approx(1.0, abs=1e-8)
    g = torch.Generator().manual_seed(1)
    z1, z2 = torch.randn(2, 2_000_000, generator=g, dtype=torch.float64)
    c = 0.4
    u1, u2 = math.sqrt(q) * z1, math.sqrt(q) * (c * z1 + math.sqrt(1 - c * c) * z2)
    expected = (1.5**2 * (torch.tanh(u1) * torch.tanh(u2)).mean().item() + 0.09) / q
    assert init.correlation_map(c, q, 1.5, 0.3, "tanh") == pytest.approx(expected, rel=5e-3)


def test_edge_of_chaos_relu_is_sqrt_two():
    assert init.edge_of_chaos("relu", 0.0) == pytest.approx(math.sqrt(2), abs=1e-6)
    assert init.chi(math.sqrt(2), 0.0, "relu") == pytest.approx(1.0, abs=1e-12)


def test_edge_of_chaos_tanh_sits_where_chi_is_one():
    # sigma_b = 0: q* -> 0 and chi -> sigma_w^2, so the edge is sigma_w = 1 (q* converges
    # only like 1/depth there, hence the loose tolerance)
    assert init.edge_of_chaos("tanh", 0.0) == pytest.approx(1.0, abs=0.01)
    sigma_w = init.edge_of_chaos("tanh", 0.3)
    assert sigma_w > 1.0
    assert init.chi(sigma_w, 0.3, "tanh") == pytest.approx(1.0, abs=1e-6)
    q_star = init.variance_fixed_point(sigma_w, 0.3, "tanh")
    assert init.variance_map(q_star, sigma_w, 0.3, "tanh") == pytest.approx(q_star, rel=1e-6)


def test_elu_maps_match_closed_forms():
    # ELU (alpha = 1): phi' = 1 above 0 and e^u below, so E[phi'(u)^2] for u ~ N(0, q) is
    # 1/2 + e^(2q) Phi(-2 sqrt q); and E[phi(u)^2] = q/2 + E[(e^u - 1)^2; u < 0] with
    # E[e^(k u); u < 0] = e^(k^2 q / 2) Phi(-k sqrt q). ELU's second derivative jumps at 0, so
    # 100 Gauss-Hermite nodes give E[phi^2] to about 1e-5 and E[phi'^2], whose integrand has a
    # kink there, to about 1% only.
    def phi_c(x):
        return 0.5 * math.erfc(x / math.sqrt(2))

    q = 0.7
    below = (math.exp(2 * q) * phi_c(2 * math.sqrt(q)) - 2 * math.exp(q / 2) * phi_c(math.sqrt(q))
             + 0.5)
    assert init.variance_map(q, 1.2, 0.3, "elu") == pytest.approx(1.44 * (q / 2 + below) + 0.09,
                                                                  rel=1e-4)
    sigma_w = init.edge_of_chaos("elu", 0.3)
    q_star = init.variance_fixed_point(sigma_w, 0.3, "elu")
    slope = 0.5 + math.exp(2 * q_star) * phi_c(2 * math.sqrt(q_star))
    assert init.chi(sigma_w, 0.3, "elu") == pytest.approx(1.0, abs=1e-6)
    assert sigma_w**2 * slope == pytest.approx(1.0, abs=0.015)


def test_depth_scale_is_longest_on_the_edge():
    edge = init.edge_of_chaos("tanh", 0.3)
    scales = [init.correlation_depth_scale(w, 0.3, "tanh") for w in (0.8 * edge, 0.95 * edge,
                                                                      1.05 * edge, 1.5 * edge)]
    assert scales[1] > scales[0] and scales[2] > scales[3]
    # ordered phase (c* = 1): the slope is chi at c = 1, so xi = -1 / log chi
    chi_ordered = init.chi(0.8 * edge, 0.3, "tanh")
    assert scales[0] == pytest.approx(-1 / np.log(chi_ordered), rel=1e-3)


def test_chaotic_phase_fixed_point_slope_and_depth_scale_against_finite_differences():
    sigma_w, sigma_b = 2.5, 0.3
    assert init.chi(sigma_w, sigma_b, "tanh") > 1.2  # chaotic: c = 1 repels
    q_star = init.variance_fixed_point(sigma_w, sigma_b, "tanh")
    c_star = init.correlation_fixed_point(sigma_w, sigma_b, "tanh")

    def c_map(c):
        return init.correlation_map(c, q_star, sigma_w, sigma_b, "tanh")

    assert 0.05 < c_star < 0.95
    assert c_map(c_star) == pytest.approx(c_star, abs=1e-10)
    # The same attracting fixed point from either side.
    for c0 in (0.01, 0.99):
        start = init.correlation_fixed_point(sigma_w, sigma_b, "tanh", c0=c0)
        assert start == pytest.approx(c_star, abs=1e-10)
    # chi(c*) is the slope of the map there (Price's theorem); the quadrature of the map and of
    # its derivative differ by about 3e-5 at q* ~ 4.
    h = 1e-4
    slope = (c_map(c_star + h) - c_map(c_star - h)) / (2 * h)
    assert 0 < slope < 1
    assert init.chi(sigma_w, sigma_b, "tanh", c=c_star) == pytest.approx(slope, rel=1e-4)
    xi = init.correlation_depth_scale(sigma_w, sigma_b, "tanh")
    assert xi == pytest.approx(-1 / math.log(slope), rel=1e-3)


def test_initializers_reject_models_without_weight_layers_and_bad_sigmas():
    with pytest.raises(ConfigError, match="no Linear"):
        init.he_(nn.ReLU())
    with pytest.raises(ConfigError):
        init.edge_of_chaos_(MLP(3, [3], 2), -1.0, 0.0)
    with pytest.raises(ConfigError):
        init.scaled_gaussian_(MLP(3, [3], 2), -0.1)
