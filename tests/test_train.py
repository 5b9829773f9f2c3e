"""dlrepro.train: batched training equals one-by-one training; metrics equal torch's."""

from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError
from dlrepro.models import MLP, BatchedCNN1d, BatchedMLP, CNN1d
from dlrepro.train import (
    History,
    TrainConfig,
    at_best,
    epoch_batches,
    evaluate,
    evaluate_batched,
    make_optimizer,
    train,
    train_batched,
)

N, FEATURES, CLASSES, SEEDS = 200, 12, 4, 3

pytestmark = pytest.mark.usefixtures("single_thread")


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def toy():
    g = gen(0)
    x = torch.randn(N, FEATURES, generator=g)
    y = (x[:, :CLASSES].argmax(1) + (torch.rand(N, generator=g) < 0.2).long()) % CLASSES
    return x, y


def mlps(count: int = SEEDS) -> list[MLP]:
    out = []
    for seed in range(count):
        torch.manual_seed(seed)
        out.append(MLP(FEATURES, [16, 16], CLASSES))
    return out


def assert_same_weights(batched: BatchedMLP | BatchedCNN1d, singles: list[MLP] | list[CNN1d],
                        atol=2e-5):
    for s, (copied, single) in enumerate(zip(batched.unstack(), singles, strict=True)):
        for a, b in zip(copied.parameters(), single.parameters(), strict=True):
            torch.testing.assert_close(a, b, rtol=1e-4, atol=atol, msg=f"model {s}")


# --------------------------------------------------------------------------- batched == one by one


def cnns(count: int = SEEDS) -> list[CNN1d]:
    """CNNs that read the FEATURES columns as signals of length FEATURES."""
    out = []
    for seed in range(count):
        torch.manual_seed(seed)
        out.append(CNN1d(FEATURES, CLASSES, channels=(6, 6)))
    return out


STACKED = {"mlp": (mlps, BatchedMLP.from_models), "cnn": (cnns, BatchedCNN1d)}


@pytest.mark.parametrize("kind", STACKED)
@pytest.mark.parametrize("optimizer,lr,weight_decay", [
    ("sgd", 0.05, 0.0), ("sgd", 0.05, 1e-3), ("adam", 1e-2, 0.0), ("adam", 1e-2, 1e-3)])
def test_train_batched_equals_train_one_by_one(toy, kind, optimizer, lr, weight_decay):
    x, y = toy
    config = TrainConfig(steps=30, batch_size=32, lr=lr, optimizer=optimizer,
                         weight_decay=weight_decay, eval_every=10)
    build, stack = STACKED[kind]
    singles = build()
    batched = stack(singles)
    initial = [p.detach().clone() for p in batched.parameters()]
    history_b = train_batched(batched, x, y, config, [gen(100 + s) for s in range(SEEDS)])
    histories = [train(m, x, y, config, gen(100 + s)) for s, m in enumerate(singles)]
    # Training moved the weights, and it moved them identically.
    moved = max((p - p0).abs().max().item()
                for p, p0 in zip(batched.parameters(), initial, strict=True))
    assert moved > 1e-3
    assert_same_weights(batched, singles)
    assert history_b.steps == histories[0].steps == [10, 20, 30]
    assert history_b["train_loss"].shape == (3, SEEDS)
    for s, history in enumerate(histories):
        np.testing.assert_allclose(history_b["train_loss"][:, s], history["train_loss"],
                                   rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(history_b["train_acc"][:, s], history["train_acc"], atol=1e-6)


def test_optimizer_factory_replaces_the_config_optimizer(toy):
    x, y = toy
    config = TrainConfig(steps=20, batch_size=32, lr=0.05, optimizer="sgd", momentum=0.9,
                         eval_every=10)
    by_config, by_factory = BatchedMLP.from_models(mlps()), BatchedMLP.from_models(mlps())
    train_batched(by_config, x, y, config, [gen(s) for s in range(SEEDS)])
    train_batched(by_factory, x, y, TrainConfig(steps=20, batch_size=32, lr=1.0, eval_every=10),
                  [gen(s) for s in range(SEEDS)],
                  optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, fused=True))
    for a, b in zip(by_config.parameters(), by_factory.parameters(), strict=True):
        assert torch.equal(a, b)


def test_callback_sees_every_step_after_its_update(toy):
    x, y = toy
    model = mlps()[0]
    seen = []
    first = model.linears[0].weight
    train(model, x, y, TrainConfig(steps=5, batch_size=32, eval_every=5), gen(0),
          callback=lambda step: seen.append((step, first.detach().clone())))
    assert [step for step, _ in seen] == [1, 2, 3, 4, 5]
    assert torch.equal(seen[-1][1], first) and not torch.equal(seen[0][1], first)


def test_train_batched_callback_sees_every_step_after_its_update(toy):
    x, y = toy
    model = BatchedMLP.from_models(mlps())
    first = model.weights[0]
    initial = first.detach().clone()
    seen = []
    train_batched(model, x, y, TrainConfig(steps=5, batch_size=32, eval_every=5),
                  [gen(s) for s in range(SEEDS)],
                  callback=lambda step: seen.append((step, first.detach().clone())))
    assert [step for step, _ in seen] == [1, 2, 3, 4, 5]
    # After the update: the last snapshot is the final state, the first already moved.
    assert torch.equal(seen[-1][1], first)
    assert not torch.equal(seen[0][1], initial)


def test_second_order_optimizer_gets_a_differentiable_gradient(toy):
    from dlrepro.optim import AdaHessian

    x, y = toy
    model = mlps()[0]
    before = [p.detach().clone() for p in model.parameters()]
    config = TrainConfig(steps=3, batch_size=32, eval_every=3)
    train(model, x, y, config, gen(0),
          optimizer=lambda p: AdaHessian(p, lr=0.05, generator=gen(1)))
    assert all(p.grad is None or not p.grad.requires_grad for p in model.parameters())
    assert any((p - b).abs().max() > 0 for p, b in zip(model.parameters(), before))


def test_train_batched_per_model_labels_and_inputs(toy):
    x, y = toy
    config = TrainConfig(steps=25, batch_size=20, lr=1e-2, eval_every=25)
    labels = torch.stack([y, (y + 1) % CLASSES, torch.randint(0, CLASSES, (N,), generator=gen(9))])
    inputs = torch.stack([x, -x, x * 2])
    singles_y, singles_xy = mlps(), mlps()
    by_labels = BatchedMLP.from_models(singles_y)
    by_both = BatchedMLP.from_models(singles_xy)
    train_batched(by_labels, x, labels, config, [gen(s) for s in range(SEEDS)])
    history = train_batched(by_both, inputs, labels, config, [gen(s) for s in range(SEEDS)])
    for s in range(SEEDS):
        train(singles_y[s], x, labels[s], config, gen(s))
        single = train(singles_xy[s], inputs[s], labels[s], config, gen(s))
        np.testing.assert_allclose(history["train_loss"][-1, s], single["train_loss"][-1],
                                   rtol=1e-4)
    assert_same_weights(by_labels, singles_y)
    assert_same_weights(by_both, singles_xy)


def test_train_batched_rejects_mismatched_generators_and_labels(toy):
    x, y = toy
    config = TrainConfig(steps=1, batch_size=8)
    batched = BatchedMLP.from_models(mlps())
    with pytest.raises(ConfigError):
        train_batched(batched, x, y, config, [gen(0)])
    with pytest.raises(ConfigError):
        train_batched(batched, x, torch.stack([y, y]), config, [gen(s) for s in range(SEEDS)])


def test_masks_survive_adam_with_weight_decay(toy):
    x, y = toy
    batched = BatchedMLP.from_models(mlps())
    masks = [(torch.rand(w.shape, generator=gen(i)) < 0.5).float()
             for i, w in enumerate(batched.weights)]
    batched.set_masks(masks)
    before = [w.detach().clone() for w in batched.weights]
    config = TrainConfig(steps=20, batch_size=32, lr=1e-2, optimizer="adam", weight_decay=0.1,
                         eval_every=20)
    train_batched(batched, x, y, config, [gen(s) for s in range(SEEDS)])
    for weight, mask, w0 in zip(batched.weights, masks, before, strict=True):
        assert torch.all(weight[mask == 0] == 0), "a pruned weight moved"
        assert (weight - w0)[mask == 1].abs().max().item() > 1e-3, "survivors must train"


# --------------------------------------------------------------------------- batches


def test_epoch_batches_cover_each_index_once_per_epoch_and_drop_remainder():
    n, batch = 103, 10
    batches = epoch_batches(n, batch, gen(4))
    reference = gen(4)
    for _ in range(3):
        epoch = [next(batches) for _ in range(n // batch)]
        assert all(b.shape == (batch,) for b in epoch)
        seen = torch.cat(epoch)
        assert len(seen.unique()) == (n // batch) * batch  # no index twice within an epoch
        assert seen.min().item() >= 0 and seen.max().item() < n
        # The epoch is one torch.randperm; its last n % batch entries are dropped.
        torch.testing.assert_close(seen, torch.randperm(n, generator=reference)[:100])
    with pytest.raises(ConfigError):
        next(epoch_batches(5, 6, gen(0)))


# --------------------------------------------------------------------------- evaluation


def test_evaluate_equals_cross_entropy_and_direct_count(toy):
    x, y = toy
    model = mlps(1)[0]
    model.train()
    loss, acc = evaluate(model, x, y, batch_size=64)  # 200 = 3 full chunks + one of 8
    logits = model(x)
    assert loss == pytest.approx(F.cross_entropy(logits, y).item(), rel=1e-6)
    correct = sum(int(logits[i].argmax() == y[i]) for i in range(N))
    assert acc == correct / N
    assert model.training, "evaluate must restore the training mode"


def test_evaluate_batched_equals_per_model_reference(toy):
    x, y = toy
    models = mlps()
    batched = BatchedMLP.from_models(models)
    labels = torch.stack([y, (y + 1) % CLASSES, y.flip(0)])
    for targets in (y, labels):
        loss, acc = evaluate_batched(batched, x, targets)
        assert loss.shape == acc.shape == (SEEDS,)
        for s, model in enumerate(models):
            t = targets if targets.dim() == 1 else targets[s]
            logits = model(x)
            assert loss[s] == pytest.approx(F.cross_entropy(logits, t).item(), rel=1e-5)
            assert acc[s] == pytest.approx((logits.argmax(1) == t).sum().item() / N, abs=1e-7)


def test_train_records_eval_sets_at_eval_steps(toy):
    x, y = toy
    x_test, y_test = x[:50] + 0.1, y[:50]
    model = mlps(1)[0]
    history = train(model, x, y, TrainConfig(steps=25, batch_size=16, eval_every=10),
                    gen(0), eval_sets={"test": (x_test, y_test)})
    assert history.steps == [10, 20, 25]
    assert set(history.metrics) == {"train_loss", "train_acc", "test_loss", "test_acc"}
    final_loss, final_acc = evaluate(model, x_test, y_test)
    assert history.final("test_loss") == pytest.approx(final_loss, rel=1e-6)
    assert history.final("test_acc") == final_acc


# --------------------------------------------------------------------------- early stopping


def test_at_best_one_model():
    history = History()
    for step, val, test in [(10, 0.9, 0.50), (20, 0.4, 0.80), (30, 0.6, 0.90), (40, 0.5, 0.85)]:
        history.record(step, {"val_loss": val, "test_acc": test})
    step, acc = at_best(history, "val_loss", "test_acc")
    assert step == 20 and acc == pytest.approx(0.80)
    step, acc = at_best(history, "test_acc", "val_loss", mode="max")
    assert step == 30 and acc == pytest.approx(0.6)
    with pytest.raises(ConfigError):
        at_best(history, "val_loss", "test_acc", mode="median")


def test_at_best_batched_history():
    rng = np.random.default_rng(0)
    val = rng.random((6, 4))
    test = rng.random((6, 4))
    history = History()
    for t in range(6):
        history.record(100 * (t + 1), {"val_loss": val[t], "test_acc": test[t]})
    steps, picked = at_best(history, "val_loss", "test_acc")
    best = [int(np.argmin(val[:, s])) for s in range(4)]
    np.testing.assert_array_equal(steps, [100 * (b + 1) for b in best])
    np.testing.assert_array_equal(picked, [test[b, s] for s, b in enumerate(best)])
    assert history["val_loss"].shape == (6, 4)
    np.testing.assert_array_equal(history.final("test_acc"), test[-1])


# --------------------------------------------------------------------------- configuration


@pytest.mark.parametrize("kwargs", [
    {"steps": 0}, {"steps": 10, "batch_size": 0}, {"steps": 10, "eval_every": 0},
    {"steps": 10, "lr": 0.0}, {"steps": 10, "lr": -1e-3}, {"steps": 10, "optimizer": "rmsprop"},
])
def test_train_config_rejects_bad_values(kwargs):
    with pytest.raises(ConfigError):
        TrainConfig(**kwargs)


def test_make_optimizer_uses_the_config():
    params = list(mlps(1)[0].parameters())
    sgd = make_optimizer(params, TrainConfig(steps=1, lr=0.3, optimizer="sgd", momentum=0.8,
                                             weight_decay=0.01))
    assert isinstance(sgd, torch.optim.SGD)
    group = sgd.param_groups[0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.3, 0.8, 0.01)
    adam = make_optimizer(params, TrainConfig(steps=1, lr=2e-3, weight_decay=0.5))
    assert isinstance(adam, torch.optim.Adam)
    assert (adam.param_groups[0]["lr"], adam.param_groups[0]["weight_decay"]) == (2e-3, 0.5)
    assert sgd.defaults["fused"] and adam.defaults["fused"]  # torch's fused kernels on CPU


def test_fused_make_optimizer_follows_the_loop_implementation():
    config = TrainConfig(steps=1, lr=0.05, optimizer="sgd", momentum=0.9, weight_decay=0.01)
    for optimizer, reference in (("sgd", lambda p: torch.optim.SGD(
            p, lr=0.05, momentum=0.9, weight_decay=0.01, foreach=False)),
            ("adam", lambda p: torch.optim.Adam(p, lr=0.05, weight_decay=0.01, foreach=False))):
        fused_params = [p.detach().clone().requires_grad_() for p in mlps(1)[0].parameters()]
        loop_params = [p.detach().clone().requires_grad_() for p in fused_params]
        fused = make_optimizer(fused_params, replace(config, optimizer=optimizer))
        loop = reference(loop_params)
        g = torch.Generator().manual_seed(0)
        for _ in range(10):
            for a, b in zip(fused_params, loop_params):
                a.grad = torch.randn(a.shape, generator=g)
                b.grad = a.grad.clone()
            fused.step()
            loop.step()
        for a, b in zip(fused_params, loop_params):
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)


def test_train_is_deterministic_given_generator(toy):
    x, y = toy
    a, b = mlps(1)[0], copy.deepcopy(mlps(1)[0])
    config = TrainConfig(steps=15, batch_size=16, eval_every=15)
    train(a, x, y, config, gen(3))
    train(b, x, y, config, gen(3))
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=0, atol=0)


@pytest.mark.parametrize("compile_model, compiled", [(None, False), (False, False), (True, True)])
def test_compile_model_is_off_on_the_cpu_unless_asked(toy, monkeypatch, compile_model, compiled):
    """``torch.compile`` wraps the forward pass only when asked (or on CUDA by default); the
    stand-in records the call and returns the model, so training is the eager one."""
    calls = []
    monkeypatch.setattr(torch, "compile", lambda model: calls.append(model) or model)
    x, y = toy
    config = TrainConfig(steps=2, batch_size=32)
    net = mlps(1)[0]
    train(net, x, y, config, gen(0), compile_model=compile_model)
    batched = BatchedMLP.from_models(mlps(2))
    train_batched(batched, x, y, config, [gen(0), gen(1)], compile_model=compile_model)
    assert calls == ([net, batched] if compiled else [])


# --------------------------------------------------------------------------- the loss hook


def test_loss_hook_equal_to_cross_entropy_reproduces_train_exactly(toy):
    """A ``loss_fn`` that is plain cross-entropy gives bit-for-bit the default training, and it
    sees the batch's example indices (the labels it gets are ``y[index]``)."""
    x, y = toy
    config = TrainConfig(steps=25, batch_size=32, lr=1e-2, eval_every=5)
    default, hooked = mlps(1)[0], mlps(1)[0]
    seen = []

    def cross_entropy(logits, targets, index):
        assert torch.equal(targets, y[index])
        seen.append(index.clone())
        return F.cross_entropy(logits, targets)

    h_default = train(default, x, y, config, gen(7))
    h_hooked = train(hooked, x, y, config, gen(7), loss_fn=cross_entropy)
    for a, b in zip(default.parameters(), hooked.parameters(), strict=True):
        assert torch.equal(a, b)
    assert h_default.metrics == h_hooked.metrics
    batches = epoch_batches(N, 32, gen(7))
    assert len(seen) == 25 and all(torch.equal(i, next(batches)) for i in seen)


def test_loss_hook_equal_to_cross_entropy_reproduces_train_batched_exactly(toy):
    x, y = toy
    config = TrainConfig(steps=25, batch_size=32, lr=1e-2, eval_every=5)
    labels = torch.stack([y, y.roll(1), y.flip(0)])  # per-model labels
    default, hooked = BatchedMLP.from_models(mlps()), BatchedMLP.from_models(mlps())
    shapes = []

    def cross_entropy(logits, targets, index):
        shapes.append((tuple(logits.shape), tuple(index.shape)))
        rows = torch.arange(SEEDS).unsqueeze(1)
        assert torch.equal(targets, labels[rows, index])
        return F.cross_entropy(logits.transpose(1, 2), targets, reduction="none").mean(1).sum()

    h_default = train_batched(default, x, labels, config, [gen(s) for s in range(SEEDS)])
    h_hooked = train_batched(hooked, x, labels, config, [gen(s) for s in range(SEEDS)],
                             loss_fn=cross_entropy)
    for a, b in zip(default.parameters(), hooked.parameters(), strict=True):
        assert torch.equal(a, b)
    for name in h_default.metrics:
        np.testing.assert_array_equal(h_default[name], h_hooked[name])
    assert shapes[0] == ((SEEDS, 32, CLASSES), (SEEDS, 32))


def test_loss_hook_changes_training(toy):
    """The hook is used: a different loss moves the weights elsewhere."""
    x, y = toy
    config = TrainConfig(steps=10, batch_size=32, lr=1e-2, eval_every=10)
    default, hooked = mlps(1)[0], mlps(1)[0]
    train(default, x, y, config, gen(7))
    train(hooked, x, y, config, gen(7),
          loss_fn=lambda logits, targets, index: F.cross_entropy(logits, (targets + 1) % CLASSES))
    assert not torch.equal(default.linears[0].weight, hooked.linears[0].weight)
