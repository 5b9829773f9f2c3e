"""dlrepro.train.fit_until: the first evaluation at 100% training accuracy, checked against a
hand-run loop (train_batched one evaluation at a time) and a dense full-batch reference."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from dlrepro.errors import ConfigError
from dlrepro.models import MLP, BatchedMLP
from dlrepro.train import TrainConfig, fit_until, train_batched

N, FEATURES, CLASSES = 96, 10, 3

pytestmark = pytest.mark.usefixtures("single_thread")


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.fixture(scope="module")
def toy():
    g = gen(0)
    x = torch.randn(N, FEATURES, generator=g)
    y = torch.randint(0, CLASSES, (N,), generator=g)  # random labels: fitting takes a while
    return x, y


def stacked(count: int, width: int = 32) -> BatchedMLP:
    nets = []
    for seed in range(count):
        torch.manual_seed(seed)
        nets.append(MLP(FEATURES, [width, width], CLASSES))
    return BatchedMLP.from_models(nets)


def hand_run_fit_steps(model, x, y, config, seeds, budget):
    """The reference: train_batched one evaluation period at a time (one continuous run: the
    optimizer and the data streams persist), accuracy on all examples after each period."""
    first = np.full(model.num_models, -1)
    history = train_batched(model, x, y, TrainConfig(steps=budget, batch_size=config.batch_size,
                                                     lr=config.lr, optimizer=config.optimizer,
                                                     momentum=config.momentum,
                                                     eval_every=config.eval_every),
                            [gen(s) for s in seeds])
    for step, acc in zip(history.steps, history["train_acc"]):
        fresh = (first < 0) & (acc == 1.0)
        first[fresh] = step
    return first


def test_fit_until_reports_the_first_evaluation_at_full_accuracy(toy):
    x, y = toy
    config = TrainConfig(steps=600, batch_size=16, lr=0.05, optimizer="sgd", eval_every=20)
    seeds = [0, 1, 2]
    model = stacked(3)
    reference = hand_run_fit_steps(copy.deepcopy(model), x, y, config, seeds, config.steps)
    assert (reference > 0).all() and len(set(reference.tolist())) > 1  # fitted, at varied steps
    result = fit_until(model, x, y, config, [gen(s) for s in seeds])
    np.testing.assert_array_equal(result.fit_step, reference)
    assert result.fitted.all() and result.steps_run == reference.max()  # stops once all fit
    np.testing.assert_array_equal(result.accuracy, 1.0)


def test_fit_until_reports_a_model_that_does_not_fit(toy):
    x, y = toy
    config = TrainConfig(steps=60, batch_size=16, lr=0.05, optimizer="sgd", eval_every=20)
    model = stacked(2, width=2)  # two hidden units cannot fit 96 random labels
    result = fit_until(model, x, y, config, [gen(0), gen(1)])
    np.testing.assert_array_equal(result.fit_step, [-1, -1])
    assert result.steps_run == 60 and (result.accuracy < 1).all()
    # The accuracy is that of the final weights on all examples.
    with torch.no_grad():
        expected = (model(x).argmax(-1) == y).float().mean(1).numpy()
    np.testing.assert_allclose(result.accuracy, expected)


def test_subsets_train_each_model_on_its_own_examples_only(toy):
    x, y = toy
    config = TrainConfig(steps=400, batch_size=8, lr=0.05, optimizer="sgd", eval_every=10)
    subsets = [torch.arange(16), torch.arange(40, 88)]
    model = stacked(2)
    result = fit_until(copy.deepcopy(model), x, y, config, [gen(0), gen(1)], subsets=subsets)
    # Reference: each model alone on its subset through train_batched.
    for row, subset in enumerate(subsets):
        single = BatchedMLP([w[row:row + 1] for w in model.weights],
                            [b[row:row + 1] for b in model.biases])
        first = hand_run_fit_steps(single, x[subset], y[subset], config, [row], config.steps)
        assert result.fit_step[row] == first[0] > 0


def test_full_batch_is_gradient_descent_on_the_subset(toy):
    x, y = toy
    config = TrainConfig(steps=5, lr=0.1, optimizer="sgd", momentum=0.0, eval_every=100)
    subsets = [torch.arange(10), torch.arange(20, 50)]
    model = stacked(2)
    reference = copy.deepcopy(model)
    fit_until(model, x, y, config, [gen(0), gen(1)], subsets=subsets, full_batch=True)
    for row, subset in enumerate(subsets):  # dense reference: plain GD on one model
        params = [p[row].detach().clone().requires_grad_() for p in
                  (*reference.weights, *reference.biases)]
        layers = len(reference.weights)
        for _ in range(config.steps):
            h = x[subset]
            for i in range(layers):
                h = h @ params[i].T + params[layers + i]
                if i < layers - 1:
                    h = torch.relu(h)
            loss = F.cross_entropy(h, y[subset])
            grads = torch.autograd.grad(loss, params)
            with torch.no_grad():
                for p, g in zip(params, grads):
                    p -= config.lr * g
        for got, want in zip((*model.weights, *model.biases), params):
            torch.testing.assert_close(got[row], want, rtol=1e-5, atol=1e-6)


def test_fit_until_rejects_mismatches(toy):
    x, y = toy
    config = TrainConfig(steps=5)
    with pytest.raises(ConfigError):
        fit_until(stacked(2), x, y, config, [gen(0)])
    with pytest.raises(ConfigError):
        fit_until(stacked(2), x, y, config, [gen(0), gen(1)], subsets=[torch.arange(5)])
    with pytest.raises(ConfigError):
        fit_until(stacked(1), x, y, config, [gen(0)], subsets=[torch.tensor([0, N])])


def test_lr_scale_equals_training_at_each_learning_rate(toy):
    x, y = toy
    base = TrainConfig(steps=40, batch_size=16, lr=0.02, optimizer="sgd", momentum=0.9,
                       eval_every=100)
    scales = [0.5, 1.0, 4.0]
    model = stacked(3)
    reference = copy.deepcopy(model)
    fit_until(model, x, y, base, [gen(s) for s in range(3)], lr_scale=scales)
    for row, scale in enumerate(scales):
        single = BatchedMLP([w[row:row + 1] for w in reference.weights],
                            [b[row:row + 1] for b in reference.biases])
        config = TrainConfig(steps=40, batch_size=16, lr=0.02 * scale, optimizer="sgd",
                             momentum=0.9, eval_every=100)
        fit_until(single, x, y, config, [gen(row)])
        for got, want in zip((*model.weights, *model.biases), (*single.weights, *single.biases)):
            torch.testing.assert_close(got[row], want[0], rtol=1e-4, atol=1e-6)
    with pytest.raises(ConfigError):
        fit_until(stacked(2), x, y, TrainConfig(steps=2), [gen(0), gen(1)], lr_scale=[1, 2])
