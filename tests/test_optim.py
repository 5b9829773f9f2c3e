"""dlrepro.optim against references: torch.optim.Adam, hand-written loops, closed forms on
quadratics, and reference draws from seeded generators."""

import io
import math

import pytest
import torch

from dlrepro import optim as O
from dlrepro.errors import ConfigError

pytestmark = [pytest.mark.usefixtures("single_thread"),
              pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")]

DT = torch.float64
_DATA = torch.Generator().manual_seed(123)
X = torch.randn(32, 3, generator=_DATA, dtype=DT)
Y = torch.sin(X.sum(1))
_Q = torch.randn(5, 5, generator=_DATA, dtype=DT)
A = _Q @ _Q.T / 5 + torch.eye(5, dtype=DT)  # symmetric positive definite
B = torch.randn(5, generator=_DATA, dtype=DT)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def make_params(seed: int = 0) -> list[torch.Tensor]:
    """A tiny tanh regression network's weights: (3, 4), (4,), (4,)."""
    g = gen(seed)
    return [(0.5 * torch.randn(shape, generator=g, dtype=DT)).requires_grad_()
            for shape in [(3, 4), (4,), (4,)]]


def net_loss(params):
    w1, b1, w2 = params
    return ((torch.tanh(X @ w1 + b1) @ w2 - Y) ** 2).mean()


def first_order_step(opt, params, create_graph=False):
    def closure():
        opt.zero_grad()
        loss = net_loss(params)
        loss.backward(create_graph=create_graph)
        return loss
    return opt.step(closure)


def flat(params) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in params])


def quad_params(seed: int = 0) -> list[torch.Tensor]:
    """The quadratic's variable x in R^5, split in two tensors of shapes (2,) and (3,)."""
    x = 0.5 * torch.randn(5, generator=gen(seed), dtype=DT)
    return [x[:2].clone().requires_grad_(), x[2:].clone().requires_grad_()]


def quad(params) -> torch.Tensor:
    """f(x) = 0.5 x^T A x - b^T x, gradient A x - b, Hessian A."""
    x = torch.cat([p.reshape(-1) for p in params])
    return 0.5 * x @ A @ x - B @ x


def quad_grad(params) -> torch.Tensor:
    return A @ flat(params) - B


SHAPES = [(2,), (3,)]

# ---- state_dict: interrupted == uninterrupted ---------------------------------------------

RESUMABLE = {
    "adam": (lambda ps, s: O.Adam(ps, lr=0.01, weight_decay=0.01), "first"),
    "adam_no_bias_correction": (lambda ps, s: O.Adam(ps, lr=0.01, bias_correction=False),
                                "first"),
    "lookahead_sgd": (lambda ps, s: O.Lookahead(torch.optim.SGD(ps, lr=0.05, momentum=0.9),
                                                k=3, alpha=0.5), "first"),
    "lookahead_adam": (lambda ps, s: O.Lookahead(O.Adam(ps, lr=0.01), k=4, alpha=0.3),
                       "first"),
    "gradient_noise": (lambda ps, s: O.GradientNoise(torch.optim.SGD(ps, lr=0.05, momentum=0.9),
                                                     eta=0.01, generator=gen(s)), "first"),
    "adahessian": (lambda ps, s: O.AdaHessian(ps, lr=0.05, weight_decay=1e-3,
                                              generator=gen(s)), "second"),
    "zo_random": (lambda ps, s: O.ZerothOrder(ps, lr=0.01, queries=3, seed=s), "zero"),
    "zo_coordinate_sparse": (lambda ps, s: O.ZerothOrder(ps, lr=0.05, queries=4,
                                                         mode="coordinate", seed=s,
                                                         sparsity=0.5, difference="forward"),
                             "zero"),
}


def _train(opt, params, kind, steps):
    for _ in range(steps):
        if kind == "zero":
            opt.step(lambda: net_loss(params))
        else:
            first_order_step(opt, params, create_graph=kind == "second")


@pytest.mark.parametrize("name", list(RESUMABLE))
def test_state_dict_resume_is_identical_to_an_uninterrupted_run(name):
    make, kind = RESUMABLE[name]
    reference = make_params()
    _train(make(reference, 0), reference, kind, 12)

    first = make_params()
    opt = make(first, 0)
    _train(opt, first, kind, 5)
    buffer = io.BytesIO()
    torch.save({"optimizer": opt.state_dict(), "params": [p.detach() for p in first]}, buffer)
    buffer.seek(0)
    saved = torch.load(buffer, weights_only=True)

    resumed = make_params(seed=1)  # other values and another seed: all must come from the file
    with torch.no_grad():
        for p, value in zip(resumed, saved["params"]):
            p.copy_(value)
    opt = make(resumed, 7)
    opt.load_state_dict(saved["optimizer"])
    _train(opt, resumed, kind, 7)
    assert not torch.equal(flat(reference), flat(make_params()))  # training moved
    for a, b in zip(reference, resumed):
        assert torch.equal(a, b), name


# ---- PerModelRate ------------------------------------------------------------------------

RATES = [0.05, 0.01, 0.2]
INNER_AT_RATE_ONE = {
    "sgd_nesterov": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9, nesterov=True),
    "sgd_l2": lambda ps, lr: torch.optim.SGD(ps, lr=lr, weight_decay=0.1),
    "adagrad": lambda ps, lr: torch.optim.Adagrad(ps, lr=lr),
    "rmsprop": lambda ps, lr: torch.optim.RMSprop(ps, lr=lr),
    "adam": lambda ps, lr: O.Adam(ps, lr=lr),
    "adamw": lambda ps, lr: torch.optim.AdamW(ps, lr=lr, weight_decay=0.1),
}


def stacked_params() -> list[torch.Tensor]:
    """The tiny network of each of three seeds, stacked: (3, 3, 4), (3, 4), (3, 4)."""
    models = [make_params(seed) for seed in range(len(RATES))]
    return [torch.stack([m[i].detach() for m in models]).requires_grad_() for i in range(3)]


def stacked_loss(params) -> torch.Tensor:
    return sum(net_loss([p[s] for p in params]) for s in range(len(RATES)))


@pytest.mark.parametrize("schedule", [None, lambda t: t ** -0.5])
@pytest.mark.parametrize("name", list(INNER_AT_RATE_ONE))
def test_per_model_rate_equals_each_model_trained_at_its_own_rate(name, schedule):
    build = INNER_AT_RATE_ONE[name]
    stacked = stacked_params()
    opt = O.PerModelRate(build(stacked, 1.0), RATES, schedule)
    for _ in range(8):
        opt.zero_grad()
        stacked_loss(stacked).backward()
        opt.step()
    for s, rate in enumerate(RATES):
        alone = make_params(s)
        reference = build(alone, rate)
        for t in range(1, 9):
            for group in reference.param_groups:
                group["lr"] = rate * (schedule(t) if schedule else 1.0)
            first_order_step(reference, alone)
        for p, q in zip(stacked, alone):
            torch.testing.assert_close(p[s], q, rtol=1e-10, atol=1e-12)


def test_per_model_rate_around_adahessian_equals_each_rate_alone():
    """The Hessian of the stacked loss is block-diagonal over models, so with the same probes
    slice ``s`` of a stacked AdaHessian run at rate ``RATES[s]`` is the reference."""
    def run(optimizer, params):
        for _ in range(6):
            optimizer.zero_grad()
            stacked_loss(params).backward(create_graph=True)
            optimizer.step()
        return params

    stacked = stacked_params()
    wrapped = O.PerModelRate(O.AdaHessian(stacked, lr=1.0, weight_decay=0.01,
                                          generator=torch.Generator().manual_seed(3)), RATES)
    assert wrapped.needs_graph and not O.PerModelRate(
        torch.optim.SGD(stacked_params(), lr=1.0), RATES).needs_graph
    run(wrapped, stacked)
    for s, rate in enumerate(RATES):
        alone = stacked_params()
        run(O.AdaHessian(alone, lr=rate, weight_decay=0.01,
                         generator=torch.Generator().manual_seed(3)), alone)
        moved = [(q[s] - p0[s]).abs().max() for q, p0 in zip(alone, stacked_params())]
        assert min(moved) > 1e-4  # the steps are not negligible
        for p, q in zip(stacked, alone):
            torch.testing.assert_close(p[s], q[s], rtol=1e-9, atol=1e-11)


def test_per_model_rate_resumes_from_its_state_dict():
    reference = stacked_params()
    opt = O.PerModelRate(torch.optim.SGD(reference, lr=1.0, momentum=0.9), RATES)
    for _ in range(6):
        opt.zero_grad()
        stacked_loss(reference).backward()
        opt.step()
    first = stacked_params()
    opt = O.PerModelRate(torch.optim.SGD(first, lr=1.0, momentum=0.9), RATES)
    for _ in range(3):
        opt.zero_grad()
        stacked_loss(first).backward()
        opt.step()
    state = opt.state_dict()
    opt = O.PerModelRate(torch.optim.SGD(first, lr=1.0, momentum=0.9), [1.0, 1.0, 1.0])
    opt.load_state_dict(state)
    assert opt.steps == 3 and opt.rates.tolist() == pytest.approx(RATES)
    for _ in range(3):
        opt.zero_grad()
        stacked_loss(first).backward()
        opt.step()
    for a, b in zip(reference, first):
        assert torch.equal(a, b)


# ---- Adam --------------------------------------------------------------------------------

@pytest.mark.parametrize("weight_decay", [0.0, 0.05])
def test_adam_matches_torch_adam_step_for_step(weight_decay):
    ours_p, ref_p = make_params(), make_params()
    config = {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": weight_decay}
    ours = O.Adam(ours_p, **config)
    ref = torch.optim.Adam(ref_p, foreach=False, **config)
    start = net_loss(ours_p).item()
    for _ in range(150):
        first_order_step(ours, ours_p)
        first_order_step(ref, ref_p)
        for a, b in zip(ours_p, ref_p):
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)
    assert net_loss(ours_p).item() < 0.5 * start


def test_adam_bias_correction_on_and_off_against_the_closed_form():
    """A constant gradient c gives m_t = (1 - beta1^t) c and v_t = (1 - beta2^t) c^2."""
    c = torch.tensor([0.5, -2.0, 1e-3, 3.0], dtype=DT)
    x0 = torch.tensor([1.0, 2.0, -1.0, 0.0], dtype=DT)
    b1, b2, lr, eps = 0.9, 0.999, 0.01, 1e-8
    first_steps = {}
    for corrected in (False, True):
        x = x0.clone().requires_grad_()
        opt = O.Adam([x], lr=lr, betas=(b1, b2), eps=eps, bias_correction=corrected)
        expected = x0.clone()
        for t in (1, 2, 3):
            x.grad = c.clone()
            opt.step()
            m, v = (1 - b1**t) * c, (1 - b2**t) * c**2
            if corrected:
                m, v = m / (1 - b1**t), v / (1 - b2**t)
            expected = expected - lr * m / (v.sqrt() + eps)
            torch.testing.assert_close(x.detach(), expected, rtol=1e-13, atol=1e-15)
            if t == 1:
                first_steps[corrected] = (x0 - x.detach()).abs()
    # corrected: every first step is lr; uncorrected: lr (1 - beta1) / sqrt(1 - beta2) = 3.16 lr
    big = c.abs() > 0.1
    torch.testing.assert_close(first_steps[True][big], torch.full((3,), lr, dtype=DT))
    torch.testing.assert_close(first_steps[False][big] / lr,
                               torch.full((3,), 0.1 / math.sqrt(0.001), dtype=DT), rtol=1e-5,
                               atol=0)


# ---- Lookahead ---------------------------------------------------------------------------

def test_lookahead_matches_a_hand_written_loop():
    k, alpha = 3, 0.4
    ours_p, ref_p, plain_p = make_params(), make_params(), make_params()
    ours = O.Lookahead(torch.optim.SGD(ours_p, lr=0.1, momentum=0.9), k=k, alpha=alpha)
    inner = torch.optim.SGD(ref_p, lr=0.1, momentum=0.9)
    plain = torch.optim.SGD(plain_p, lr=0.1, momentum=0.9)
    slow = [p.detach().clone() for p in ref_p]
    for t in range(1, 14):
        first_order_step(ours, ours_p)
        first_order_step(inner, ref_p)
        first_order_step(plain, plain_p)
        if t % k == 0:
            with torch.no_grad():
                for s, p in zip(slow, ref_p):
                    s += alpha * (p - s)
                    p.copy_(s)
        for a, b in zip(ours_p, ref_p):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-14)
    assert (flat(ours_p) - flat(plain_p)).abs().max() > 1e-3
    state = ours.state_dict()
    assert state["lookahead"]["inner_steps"] == 13
    for saved, s in zip(state["lookahead"]["slow"], slow):
        torch.testing.assert_close(saved, s, rtol=1e-12, atol=1e-14)


def test_lookahead_with_alpha_one_is_the_inner_optimizer_alone():
    ours_p, plain_p = make_params(), make_params()
    ours = O.Lookahead(O.Adam(ours_p, lr=0.01), k=3, alpha=1.0)
    plain = O.Adam(plain_p, lr=0.01)
    for _ in range(10):
        first_order_step(ours, ours_p)
        first_order_step(plain, plain_p)
    for a, b in zip(ours_p, plain_p):
        assert torch.equal(a, b)


def test_wrappers_share_the_inner_param_groups_with_schedulers():
    params = make_params()
    inner = torch.optim.SGD(params[:2], lr=0.1)
    opt = O.Lookahead(O.GradientNoise(inner, eta=0.0), k=2)
    assert opt.param_groups is inner.param_groups
    opt.add_param_group({"params": [params[2]], "lr": 0.3})
    scheduler = torch.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    first_order_step(opt, params)
    scheduler.step()
    assert [group["lr"] for group in inner.param_groups] == [0.05, 0.15]


def test_lookahead_load_state_dict_rejects_a_mismatched_state():
    opt = O.Lookahead(torch.optim.SGD(make_params(), lr=0.1))
    state = opt.state_dict()
    state["lookahead"]["slow"] = state["lookahead"]["slow"][:1]
    with pytest.raises(ConfigError, match="slow weights"):
        opt.load_state_dict(state)
    with pytest.raises(ConfigError, match="lookahead"):
        opt.load_state_dict({"inner": state["inner"]})


# ---- gradient noise ----------------------------------------------------------------------

def test_gradient_noise_adds_the_reference_draw_before_the_inner_step():
    eta, gamma, seed, lr = 0.3, 0.55, 11, 0.5
    p = torch.zeros(3, 4, dtype=DT, requires_grad=True)
    q = torch.zeros(5, dtype=DT, requires_grad=True)
    c_p, c_q = torch.arange(12.0, dtype=DT).view(3, 4), torch.ones(5, dtype=DT)
    opt = O.GradientNoise(torch.optim.SGD([p, q], lr=lr), eta, gamma, generator=gen(seed))
    reference = gen(seed)
    for t in range(3):
        before = [p.detach().clone(), q.detach().clone()]
        p.grad, q.grad = c_p.clone(), c_q.clone()
        opt.step()
        std = math.sqrt(eta / (1 + t) ** gamma)
        for x, c, x0 in ((p, c_p, before[0]), (q, c_q, before[1])):
            noise = torch.randn(x.shape, generator=reference).to(DT) * std
            torch.testing.assert_close(x.grad - c, noise, rtol=1e-12, atol=1e-14)
            torch.testing.assert_close(x.detach(), x0 - lr * (c + noise), rtol=1e-12, atol=1e-14)


def test_gradient_noise_per_model_eta_scales_the_single_eta_draws_per_slice():
    # Three models stacked along the first dimension: model s gets the draws a single eta
    # would give, scaled by sqrt(eta[s] / (1 + t)^gamma); eta 0 leaves its gradient untouched.
    etas, gamma, seed = [0.0, 0.3, 1.0], 0.55, 5
    p = torch.zeros(3, 4, 2, dtype=DT, requires_grad=True)
    b = torch.zeros(3, 4, dtype=DT, requires_grad=True)
    opt = O.GradientNoise(torch.optim.SGD([p, b], lr=0.1), etas, gamma, generator=gen(seed))
    reference = gen(seed)
    for t in range(3):
        p.grad, b.grad = torch.ones_like(p), torch.ones_like(b)
        opt.step()
        for x in (p, b):
            draw = torch.randn(x.shape, generator=reference).to(DT)
            for s, eta in enumerate(etas):
                expected = draw[s] * math.sqrt(eta / (1 + t) ** gamma)
                torch.testing.assert_close(x.grad[s] - 1.0, expected, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(opt.noise_variance(2), torch.tensor(etas, dtype=torch.float64)
                               / 3 ** gamma)
    with pytest.raises(ConfigError, match="first dimension"):
        O.GradientNoise(torch.optim.SGD([torch.zeros(2, 3, requires_grad=True)], lr=0.1), etas)
    with pytest.raises(ConfigError, match="eta"):
        O.GradientNoise(torch.optim.SGD([p], lr=0.1), [0.1, -1.0, 0.2])


def test_gradient_noise_variance_follows_the_annealing_schedule():
    eta, gamma, n = 0.5, 0.55, 100_000
    w = torch.zeros(n, requires_grad=True)
    opt = O.GradientNoise(torch.optim.SGD([w], lr=0.0), eta, gamma, generator=gen(3))
    for t in range(10):
        w.grad = torch.zeros_like(w)
        opt.step()
        expected = eta / (1 + t) ** gamma
        assert opt.noise_variance(t) == pytest.approx(expected, rel=1e-12)
        noise = w.grad.double()
        assert noise.var().item() == pytest.approx(expected, rel=0.03)  # ~7 standard errors
        assert abs(noise.mean().item()) < 5 * math.sqrt(expected / n)


# ---- AdaHessian --------------------------------------------------------------------------

def test_hutchinson_probe_is_exact_for_a_diagonal_hessian():
    h1 = torch.tensor([0.5, -1.0, 2.0, 3.0], dtype=DT)
    h2 = torch.linspace(-2.0, 2.0, 6, dtype=DT).view(2, 3)
    x1 = torch.randn(4, generator=gen(0), dtype=DT).requires_grad_()
    x2 = torch.randn(2, 3, generator=gen(1), dtype=DT).requires_grad_()
    for seed in range(3):
        loss = 0.5 * (h1 * x1**2).sum() + 0.5 * (h2 * x2**2).sum()
        grads = torch.autograd.grad(loss, [x1, x2], create_graph=True)
        d1, d2 = O.hutchinson_probe([x1, x2], grads, gen(seed))
        assert torch.equal(d1, h1) and torch.equal(d2, h2)


def test_hutchinson_probe_is_unbiased_for_a_dense_hessian():
    x = torch.randn(5, generator=gen(0), dtype=DT).requires_grad_()
    generator, n = gen(1), 400
    total = torch.zeros(5, dtype=DT)
    for _ in range(n):
        (grad,) = torch.autograd.grad(quad([x]), [x], create_graph=True)
        total += O.hutchinson_probe([x], [grad], generator)[0]
    off_diagonal = (A**2).sum(1) - A.diagonal() ** 2  # variance of one probe, entry by entry
    assert ((total / n - A.diagonal()).abs() <= 5 * (off_diagonal / n).sqrt()).all()


def test_hutchinson_probe_needs_a_graph():
    x = torch.ones(3, requires_grad=True)
    (x**2).sum().backward()
    with pytest.raises(ConfigError, match="create_graph=True"):
        O.hutchinson_probe([x], [x.grad], gen(0))
    opt = O.AdaHessian([x], generator=gen(0))
    with pytest.raises(ConfigError, match="create_graph=True"):
        opt.step()


def test_spatial_average_by_hand():
    d1 = torch.tensor([1.0, -2.0, 3.0, -4.0, 5.0])
    assert torch.equal(O.spatial_average(d1), d1.abs())
    assert torch.equal(O.spatial_average(d1, 2), torch.tensor([1.5, 1.5, 3.5, 3.5, 5.0]))
    assert torch.equal(O.spatial_average(d1, 3), torch.tensor([2.0, 2.0, 2.0, 4.5, 4.5]))
    d2 = torch.stack([d1, -2 * d1])
    expected = torch.tensor([[1.5, 1.5, 3.5, 3.5, 5.0], [3.0, 3.0, 7.0, 7.0, 10.0]])
    torch.testing.assert_close(O.spatial_average(d2, 2), expected)
    conv2d = torch.randn(2, 3, 2, 2, generator=gen(0))
    out = O.spatial_average(conv2d, block=4)  # the block only applies to 1-D / 2-D tensors
    for o in range(2):
        for i in range(3):
            torch.testing.assert_close(out[o, i], conv2d[o, i].abs().mean().expand(2, 2))
    conv1d = torch.randn(2, 3, 5, generator=gen(1))
    torch.testing.assert_close(O.spatial_average(conv1d),
                               conv1d.abs().mean(2, keepdim=True).expand(2, 3, 5))


@pytest.mark.parametrize("power", [1.0, 0.5])
def test_adahessian_two_steps_match_a_hand_computation(power):
    """On 0.5 sum h x^2 the probe is h, so v_hat = h^2 (spatially averaged for the kernel)."""
    h = torch.tensor([0.5, -1.0, 2.0, 4.0], dtype=DT)
    h_kernel = torch.tensor([[[1.0, -3.0, 2.0]], [[0.5, 0.5, 2.0]]], dtype=DT)  # (2, 1, 3)
    x0 = torch.tensor([1.0, 2.0, -3.0, 0.5], dtype=DT)
    w0 = torch.tensor([[[0.3, -0.2, 1.0]], [[2.0, -1.0, 0.1]]], dtype=DT)
    lr, b1, b2, eps, wd = 0.1, 0.9, 0.999, 1e-4, 0.01
    x, w = x0.clone().requires_grad_(), w0.clone().requires_grad_()
    opt = O.AdaHessian([x, w], lr, (b1, b2), eps, wd, hessian_power=power, generator=gen(0))
    curvature = [h.abs(), h_kernel.abs().mean(2, keepdim=True).expand(2, 1, 3)]
    expected, momentum = [x0, w0], [0.0, 0.0]
    for t in (1, 2):
        opt.zero_grad()
        loss = 0.5 * (h * x**2).sum() + 0.5 * (h_kernel * w**2).sum()
        loss.backward(create_graph=True)
        grads = [h * expected[0], h_kernel * expected[1]]
        momentum = [b1 * m + (1 - b1) * g for m, g in zip(momentum, grads)]
        expected = [e * (1 - lr * wd) - lr * m / (1 - b1**t) / (c**power + eps)
                    for e, m, c in zip(expected, momentum, curvature)]
        opt.step()
        torch.testing.assert_close(x.detach(), expected[0], rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(w.detach(), expected[1], rtol=1e-12, atol=1e-14)
    assert x.grad.grad_fn is None  # the graph of create_graph=True is released


def test_adahessian_with_power_zero_is_bias_corrected_momentum_sgd():
    lr, b1, eps = 0.05, 0.9, 1e-4
    ours_p, ref_p = make_params(), make_params()
    opt = O.AdaHessian(ours_p, lr=lr, betas=(b1, 0.999), eps=eps, hessian_power=0.0,
                       generator=gen(0))
    momentum = [torch.zeros_like(p) for p in ref_p]
    for t in range(1, 16):
        first_order_step(opt, ours_p, create_graph=True)
        grads = torch.autograd.grad(net_loss(ref_p), ref_p)
        with torch.no_grad():
            for p, m, g in zip(ref_p, momentum, grads):
                m.copy_(b1 * m + (1 - b1) * g)
                p -= lr / (1 + eps) * m / (1 - b1**t)
        for a, b in zip(ours_p, ref_p):
            torch.testing.assert_close(a, b, rtol=1e-10, atol=1e-12)


# ---- zeroth order ------------------------------------------------------------------------

def test_zo_direction_is_regenerated_from_seed_step_and_query():
    u = O.zo_direction(SHAPES, 4, 2, 1)
    assert [tuple(t.shape) for t in u] == SHAPES and u[0].dtype == torch.float32
    assert all(torch.equal(a, b) for a, b in zip(u, O.zo_direction(SHAPES, 4, 2, 1)))
    for other in [(5, 2, 1), (4, 3, 1), (4, 2, 0)]:
        assert not torch.equal(torch.cat(u), torch.cat(O.zo_direction(SHAPES, *other)))
    masks = [torch.tensor([True, False]), torch.tensor([False, True, True])]
    masked = O.zo_direction(SHAPES, 4, 2, 1, masks, dtype=DT)
    assert masked[0].dtype == DT
    assert torch.equal(torch.cat(masked), torch.cat(u).to(DT) * torch.cat(masks))
    big = O.zo_direction([(200_000,)], 0, 0, 0)[0].double()
    assert abs(big.mean().item()) < 0.01 and big.var().item() == pytest.approx(1.0, rel=0.02)


def test_zo_random_step_moves_along_the_regenerated_direction():
    params = quad_params()
    x0, g = flat(params), quad_grad(params)
    opt = O.ZerothOrder(params, lr=0.1, mu=1e-3, queries=1, seed=5)
    loss = opt.step(lambda: quad(params))
    u = torch.cat(O.zo_direction(SHAPES, 5, 0, 0)).to(DT)
    assert opt.last_scalars[0] == pytest.approx((u @ g).item(), rel=1e-8)  # central: exact
    torch.testing.assert_close(flat(params), x0 - 0.1 * (u @ g) * u, rtol=1e-9, atol=1e-10)
    f0 = quad([x0]).item()  # mean of f(x +- mu u) = f(x) + mu^2 / 2 u^T A u
    assert loss == pytest.approx(f0 + 0.5e-6 * (u @ A @ u).item(), rel=1e-9)
    assert opt.steps == 1


def test_zo_forward_difference_against_its_closed_form():
    """(f(x + mu u) - f(x)) / mu = u^T g + mu / 2 u^T A u on a quadratic."""
    params, mu = quad_params(), 0.1
    g = quad_grad(params)
    opt = O.ZerothOrder(params, lr=0.0, mu=mu, queries=2, seed=1, difference="forward")
    loss = opt.step(lambda: quad(params))
    assert loss == pytest.approx(quad(params).item(), rel=1e-12)
    for q, s in enumerate(opt.last_scalars):
        u = torch.cat(O.zo_direction(SHAPES, 1, 0, q)).to(DT)
        assert s == pytest.approx((u @ g + mu / 2 * u @ A @ u).item(), rel=1e-9)


def test_zo_random_estimate_averages_to_the_true_gradient():
    """mean_q (u_q^T g) u_q has mean g and per-entry variance (|g|^2 + g_j^2) / Q."""
    errors = {}
    for queries in (10, 1000):
        params = quad_params()
        x0, g = flat(params), quad_grad(params)
        opt = O.ZerothOrder(params, lr=1.0, mu=1e-3, queries=queries, seed=2)
        opt.step(lambda params=params: quad(params))
        error = (x0 - flat(params)) - g
        errors[queries] = error.norm().item()
    sigma = ((g @ g + g**2) / 1000).sqrt()
    assert (error.abs() <= 5 * sigma).all()
    assert errors[1000] < 0.3 * errors[10]


def test_zo_coordinate_central_difference_is_exact_on_a_quadratic():
    params = quad_params()
    x0, g = flat(params), quad_grad(params)
    opt = O.ZerothOrder(params, lr=0.5, mu=1e-2, queries=3, mode="coordinate", seed=2)
    chosen = O.zo_coordinates(SHAPES, 2, 0, 3)
    assert len(set(chosen.tolist())) == 3
    opt.step(lambda: quad(params))
    expected = x0.clone()
    expected[chosen] -= 0.5 * g[chosen]
    torch.testing.assert_close(flat(params), expected, rtol=0, atol=1e-10)
    untouched = torch.ones(5, dtype=torch.bool)
    untouched[chosen] = False
    assert torch.equal(flat(params)[untouched], x0[untouched])
    # all d coordinates: one exact gradient-descent step
    params = quad_params()
    opt = O.ZerothOrder(params, lr=0.5, mu=1e-2, queries=5, mode="coordinate", seed=9)
    opt.step(lambda: quad(params))
    torch.testing.assert_close(flat(params), x0 - 0.5 * g, rtol=0, atol=1e-10)


def test_zo_support_by_magnitude_and_at_random():
    w = [torch.tensor([0.1, -3.0]), torch.tensor([2.0, 0.5, -0.2, 1.0])]
    largest = O.zo_support(w, sparsity=0.5, how="largest")
    assert torch.equal(torch.cat(largest), torch.tensor([0, 1, 1, 0, 0, 1]).bool())
    smallest = O.zo_support(w, sparsity=0.5, how="smallest")
    assert torch.equal(torch.cat(smallest), torch.tensor([1, 0, 0, 1, 1, 0]).bool())
    random = O.zo_support([torch.zeros(1000)], sparsity=0.9, seed=3)[0]
    assert random.sum().item() == 100
    assert torch.equal(random, O.zo_support([torch.zeros(1000)], sparsity=0.9, seed=3)[0])
    assert not torch.equal(random, O.zo_support([torch.zeros(1000)], sparsity=0.9, seed=4)[0])


@pytest.mark.parametrize("mode", ["random", "coordinate"])
def test_sparse_zeroth_order_never_moves_frozen_coordinates(mode):
    params = quad_params()
    x0 = flat(params)
    opt = O.ZerothOrder(params, lr=0.1, queries=2, mode=mode, seed=0, sparsity=0.6)
    support = torch.cat(opt.masks)
    assert support.sum().item() == 2  # round(0.4 * 5)
    for _ in range(4):
        opt.step(lambda: quad(params))
    assert torch.equal(flat(params)[~support], x0[~support])
    assert (flat(params)[support] != x0[support]).all()


def test_quantize_scalar_round_trip_error_and_clipping():
    scale = 2.0
    half_step = scale / 127 / 2
    for value in torch.linspace(-scale, scale, 1001, dtype=DT).tolist():
        code = O.quantize_scalar(value, scale)
        assert isinstance(code, int) and -127 <= code <= 127
        code.to_bytes(1, "little", signed=True)  # one byte
        assert abs(O.dequantize_scalar(code, scale) - value) <= half_step + 1e-15
    assert O.quantize_scalar(5.0, scale) == 127 and O.quantize_scalar(-5.0, scale) == -127
    assert O.dequantize_scalar(127, scale) == scale
    assert O.quantize_scalar(0.3, 1.0, bits=4) == 2  # 0.3 * 7 = 2.1
    assert O.dequantize_scalar(2, 1.0, bits=4) == pytest.approx(2 / 7)


@pytest.mark.parametrize("mode", ["random", "coordinate"])
def test_one_byte_replica_reproduces_the_update(mode):
    """A replica holding only (seed, step, scalars) redoes the optimizer's update: exactly with
    the full-precision scalars, within lr / Q sum_q |error_q| |u_q| with one-byte scalars."""
    lr, scale, queries, seed = 0.05, 8.0, 4, 3
    params = quad_params()
    exact = [p.detach().clone() for p in params]
    replica = [p.detach().clone() for p in params]
    opt = O.ZerothOrder(params, lr=lr, mu=1e-3, queries=queries, mode=mode, seed=seed)
    bound = torch.zeros(5, dtype=DT)
    for t in range(5):
        opt.step(lambda: quad(params))
        scalars = opt.last_scalars
        assert max(abs(s) for s in scalars) < scale
        codes = [O.quantize_scalar(s, scale) for s in scalars]
        received = [O.dequantize_scalar(c, scale) for c in codes]
        O.apply_zo_update(exact, seed, t, scalars, lr, mode)
        O.apply_zo_update(replica, seed, t, received, lr, mode)
        errors = [abs(r - s) for r, s in zip(received, scalars)]
        assert max(errors) <= scale / 127 / 2
        if mode == "random":
            for q, e in enumerate(errors):
                bound += lr / queries * e * torch.cat(O.zo_direction(SHAPES, seed, t, q)).abs()
        else:
            for j, e in zip(O.zo_coordinates(SHAPES, seed, t, queries).tolist(), errors):
                bound[j] += lr * e
    assert torch.equal(flat(exact), flat(params))
    gap = (flat(replica) - flat(params)).abs()
    assert gap.max() > 0
    assert (gap <= bound + 1e-12).all()


def test_zeroth_order_step_needs_a_closure():
    with pytest.raises(ConfigError, match="closure"):
        O.ZerothOrder(quad_params()).step()


@pytest.mark.parametrize("build, message", [
    (lambda ps: O.Adam(ps, lr=-1.0), "lr"),
    (lambda ps: O.Adam(ps, betas=(1.0, 0.9)), "beta1"),
    (lambda ps: O.Lookahead(torch.optim.SGD(ps, lr=0.1), k=0), "k"),
    (lambda ps: O.Lookahead(torch.optim.SGD(ps, lr=0.1), alpha=0.0), "alpha"),
    (lambda ps: O.Lookahead(torch.optim.SGD(ps, lr=0.1), alpha=1.5), "alpha"),
    (lambda ps: O.Lookahead(ps), "inner"),
    (lambda ps: O.GradientNoise(torch.optim.SGD(ps, lr=0.1), eta=-0.1), "eta"),
    (lambda ps: O.PerModelRate(torch.optim.SGD(ps, lr=0.1), [0.1, 0.2]), "lr=1"),
    (lambda ps: O.PerModelRate(torch.optim.SGD(ps, lr=1.0), [0.1, 0.2]), "first dimension"),
    (lambda ps: O.PerModelRate(torch.optim.SGD(ps[:1], lr=1.0), [0.1, float("nan")]), "finite"),
    (lambda ps: O.AdaHessian(ps, lr=-0.1), "lr"),
    (lambda ps: O.AdaHessian(ps, hessian_power=1.5), "hessian_power"),
    (lambda ps: O.AdaHessian(ps, spatial_average_block=0), "spatial_average_block"),
    (lambda ps: O.ZerothOrder(ps, lr=-1.0), "lr"),
    (lambda ps: O.ZerothOrder(ps, mode="spsa"), "mode"),
    (lambda ps: O.ZerothOrder(ps, queries=0), "queries"),
    (lambda ps: O.ZerothOrder(ps, mu=0.0), "mu"),
    (lambda ps: O.ZerothOrder(ps, sparsity=1.0), "sparsity"),
    (lambda ps: O.ZerothOrder(ps, sparsity=0.5, support="median"), "how"),
    (lambda ps: O.ZerothOrder(ps, mode="coordinate", queries=6), "queries"),
    (lambda ps: O.ZerothOrder(ps, difference="backward"), "difference"),
    (lambda ps: O.quantize_scalar(1.0, 0.0), "scale"),
    (lambda ps: O.quantize_scalar(1.0, 1.0, bits=1), "bits"),
    (lambda ps: O.dequantize_scalar(200, 1.0), "code"),
    (lambda ps: O.apply_zo_update(ps, 0, 0, [], 0.1), "scalar"),
    (lambda ps: O.apply_zo_update(ps, 0, 0, [1.0], 0.1, mode="spsa"), "mode"),
])
def test_bad_input_raises_config_error(build, message):
    with pytest.raises(ConfigError, match=message):
        build(quad_params())
