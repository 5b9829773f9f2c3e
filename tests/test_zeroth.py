"""dlrepro.zeroth against references: torch's MLP and cross-entropy, autograd gradients,
closed forms of finite differences on a quadratic, and the scalar quantizer of dlrepro.optim."""

import pytest
import torch
import torch.nn.functional as F

from dlrepro import optim as O
from dlrepro import zeroth as Z
from dlrepro.errors import ConfigError
from dlrepro.models import MLP

pytestmark = pytest.mark.usefixtures("single_thread")

DT = torch.float64


def nets(widths, m, seed=0):
    torch.manual_seed(seed)
    models = [MLP(widths[0], widths[1:-1], widths[-1]).to(DT) for _ in range(m)]
    return models, torch.stack([Z.FlatMLP.flatten(net) for net in models])


def data(m, batch, widths, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(m, batch, widths[0], generator=g, dtype=DT)
    y = torch.randint(0, widths[-1], (m, batch), generator=g)
    return x, y


@pytest.mark.parametrize("widths", [[5, 4, 3], [5, 4, 6, 3], [5, 3]])
def test_flat_mlp_matches_the_library_mlp(widths):
    flat = Z.FlatMLP(widths)
    models, theta = nets(widths, 3)
    assert flat.dim == theta.shape[1] == sum(p.numel() for p in models[0].parameters())
    x, y = data(3, 7, widths)
    losses = flat.losses(theta.unsqueeze(1).repeat(1, 2, 1), x, y)
    reference = torch.stack([F.cross_entropy(net(x[i]), y[i]) for i, net in enumerate(models)])
    assert torch.allclose(losses, reference.detach().unsqueeze(1).expand(3, 2), atol=1e-12)


@pytest.mark.parametrize("widths", [[5, 4, 3], [5, 4, 6, 3], [5, 3]])
def test_coordinate_losses_equal_the_dense_perturbed_losses(widths):
    flat = Z.FlatMLP(widths)
    _, theta = nets(widths, 2)
    x, y = data(2, 6, widths)
    mu = 0.3  # large, so that ReLUs switch and every path is exercised
    dense = flat.losses(theta.unsqueeze(1) + mu * torch.eye(flat.dim, dtype=DT), x, y)
    assert torch.allclose(flat.coordinate_losses(theta, x, y, mu), dense, atol=1e-12)


def quadratic(d=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    q = torch.randn(d, d, generator=g, dtype=DT)
    a = q @ q.T / d + torch.eye(d, dtype=DT)
    b = torch.randn(d, generator=g, dtype=DT)

    def losses(thetas):  # (m, n, d) -> (m, n)
        return 0.5 * torch.einsum("mni,ij,mnj->mn", thetas, a, thetas) + thetas @ b

    return a, b, losses


def test_cge_on_a_quadratic_is_the_gradient_plus_mu_over_two_times_the_diagonal():
    a, b, losses = quadratic()
    theta = torch.randn(2, 6, generator=torch.Generator().manual_seed(3), dtype=DT)
    gradient = theta @ a + b
    for mu in (1e-1, 1e-2, 1e-3):
        estimate, base = Z.cge(losses, theta, mu, chunk=4)
        assert torch.allclose(estimate, gradient + mu / 2 * torch.diagonal(a), atol=1e-8)
        assert torch.allclose(base, losses(theta.unsqueeze(1))[:, 0])
        error = (estimate - gradient).abs().max().item()
        assert error <= mu * torch.diagonal(a).max().item() / 2 + 1e-8  # O(mu)


def test_cge_of_an_mlp_approaches_autograd_as_mu_shrinks():
    widths = [5, 4, 3]
    flat = Z.FlatMLP(widths)
    models, theta = nets(widths, 2)
    x, y = data(2, 9, widths)
    grads = []
    for i, net in enumerate(models):
        net.zero_grad()
        F.cross_entropy(net(x[i]), y[i]).backward()
        grads.append(torch.cat([p.grad.reshape(-1) for p in net.parameters()]))
    grads = torch.stack(grads)
    errors = []
    for mu in (1e-3, 1e-5):
        fast, _ = Z.cge(flat.loss_fn(x, y), theta, mu,
                        coordinate_losses=flat.coordinate_fn(x, y, mu))
        slow, _ = Z.cge(flat.loss_fn(x, y), theta, mu, chunk=5)
        assert torch.allclose(fast, slow, atol=1e-9)
        errors.append((fast - grads).abs().max().item())
    assert errors[1] < 1e-4 and errors[1] < errors[0] / 10


def test_rge_scalars_are_the_closed_form_and_its_mean_is_the_gradient():
    a, b, losses = quadratic()
    theta = torch.randn(1, 6, generator=torch.Generator().manual_seed(4), dtype=DT)
    gradient = theta @ a + b
    u = Z.gaussian_directions(1, 5, 6, torch.Generator().manual_seed(5), dtype=DT)
    mu = 1e-2
    forward, _ = Z.forward_differences(losses, theta, u, mu)
    closed = u[0] @ gradient[0] + mu / 2 * torch.einsum("qi,ij,qj->q", u[0], a, u[0])
    assert torch.allclose(forward[0], closed, atol=1e-9)
    central, _ = Z.forward_differences(losses, theta, u, mu, difference="central")
    assert torch.allclose(central[0], u[0] @ gradient[0], atol=1e-9)  # exact on a quadratic
    # the mean over many directions: within 4 standard errors of the gradient
    q = 40_000
    u = Z.gaussian_directions(1, q, 6, torch.Generator().manual_seed(6), dtype=DT)
    estimate, _ = Z.rge(losses, theta, u, 1e-4, chunk=4096)
    per_direction = (u[0] @ gradient[0]).unsqueeze(1) * u[0]
    stderr = per_direction.std(0) / q ** 0.5
    assert ((estimate[0] - gradient[0]).abs() < 4 * stderr + 1e-4).all()
    # and its variance falls like 1 / q: error of 100 directions about 20 x that of 40,000
    small, _ = Z.rge(losses, theta, u[:, :100], 1e-4)
    assert (small - gradient).norm() > 3 * (estimate - gradient).norm()


def test_quantize_matches_the_scalar_quantizer_and_its_bound():
    g = torch.Generator().manual_seed(7)
    values = 3 * torch.randn(500, generator=g, dtype=DT)
    for bits in (8, 4):
        scale = 4.0
        codes = Z.quantize(values, scale, bits)
        assert codes.dtype == torch.int8
        assert codes.tolist() == [O.quantize_scalar(v, scale, bits) for v in values.tolist()]
        back = Z.dequantize(codes, scale, bits, dtype=DT)
        assert back.tolist() == pytest.approx(
            [O.dequantize_scalar(c, scale, bits) for c in codes.tolist()], abs=1e-15)
        inside = values.abs() <= scale
        step = scale / (2 ** (bits - 1) - 1)
        assert ((back - values).abs()[inside] <= step / 2 + 1e-12).all()
        assert torch.equal(back[~inside], scale * values[~inside].sign())  # clipped
    per_row = Z.quantize(values.view(5, 100), torch.tensor([[1.0], [2.0], [3.0], [4.0], [5.0]]))
    assert per_row[0].abs().max() == 127 and per_row.shape == (5, 100)
    assert Z.quantize(torch.zeros(3), 1.0, bits=16).dtype == torch.int32
    with pytest.raises(ConfigError):
        Z.quantize(values, 0.0)
    with pytest.raises(ConfigError):
        Z.dequantize(torch.tensor([128]), 1.0)
    with pytest.raises(ConfigError):
        Z.dequantize(torch.tensor([0.5]), 1.0)


def test_bad_shapes_and_settings_are_refused():
    flat = Z.FlatMLP([5, 4, 3])
    theta = torch.zeros(2, flat.dim)
    x, y = torch.zeros(2, 3, 5), torch.zeros(2, 3, dtype=torch.long)
    with pytest.raises(ConfigError):
        flat.losses(theta, x, y)  # not (m, n, d)
    with pytest.raises(ConfigError):
        flat.losses(theta.unsqueeze(1), torch.zeros(2, 3, 4), y)
    with pytest.raises(ConfigError):
        Z.cge(flat.loss_fn(x, y), theta, 0.0)
    with pytest.raises(ConfigError):
        Z.forward_differences(flat.loss_fn(x, y), theta, torch.zeros(3, 7), 1e-3)
    with pytest.raises(ConfigError):
        Z.forward_differences(flat.loss_fn(x, y), theta, torch.zeros(3, flat.dim), 1e-3,
                              difference="backward")
    with pytest.raises(ConfigError):
        Z.FlatMLP([5])
