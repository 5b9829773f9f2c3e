# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=[]
# # Adam: per-coordinate step sizes from running moments
#
# Diederik P. Kingma and Jimmy Ba (2015). *Adam: A Method for Stochastic Optimization*.
# International Conference on Learning Representations (ICLR 2015).
# [arXiv:1412.6980](https://arxiv.org/abs/1412.6980) {footcite:p}`kingma2015adam`
#
# Adam keeps two exponential moving averages per parameter, one of the gradient and one of its
# square, and moves each coordinate by the first divided by the square root of the second. The
# step is therefore roughly the learning rate in size whatever the scale of the gradient, and
# coordinates with rare or noisy gradients are not starved. Both averages start at zero, so
# the paper divides them by `1 - beta^t` to remove the resulting bias towards zero in the first
# steps. With its default settings Adam became the optimizer most networks are trained with;
# this chapter redoes the paper's first two comparisons, logistic regression and a multilayer
# perceptron, on data that fit a laptop, and switches the bias correction off to see what it is
# for.

# %% [markdown] tags=[]
# ```{glue:md} verdict_box
# :format: myst
# ```

# %% tags=["hide-input"]
# In Colab: install the book's library (torch is left as it is). Elsewhere a kernel without
# dlrepro stops here and says how to get it.
try:
    import dlrepro  # noqa: F401
except ImportError:
    import sys

    if "google.colab" not in sys.modules:
        raise ImportError(
            "this kernel's Python has no dlrepro. In a checkout of the book run `make lab` and "
            "open the chapter there (or `make setup` and pick the .venv kernel); elsewhere run "
            "pip install \"dlrepro @ git+https://github.com/dlrepro/deep-learning-reproduced\""
        ) from None
    print("dlrepro not found: installing it from the book's repository")
    # %pip install -q "dlrepro @ git+https://github.com/dlrepro/deep-learning-reproduced"

# %% tags=["hide-input"]
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

import dlrepro.run
from dlrepro import data, models, optim, plot, train
from dlrepro.claims import Check, Claim, Paper, bound, non_inferiority, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.tuning import tune

# %% [markdown] tags=[]
# ## The claim
#
# In our words:
#
# 1. **Adam trains faster than the usual alternatives on a multilayer network.** On a network
#    with two hidden layers of 1000 ReLU units trained on MNIST (the paper's Figure 2), Adam's
#    training loss falls faster than that of SGD with Nesterov momentum, AdaGrad and RMSProp,
#    each with its learning rate tuned. The paper shows curves, not a single number; the gap is
#    a factor of a few in training loss after the first tens of epochs.
# 2. **On logistic regression it is at least as fast.** On multi-class logistic regression on
#    MNIST (Figure 1, mini-batches of 128, step size decayed as `alpha / sqrt(t)`) Adam's
#    training loss falls as fast as that of SGD with Nesterov momentum and faster than
#    AdaGrad's.
# 3. **The bias correction matters when `beta2` is close to 1** (Section 6.4, Figure 4, on a
#    variational auto-encoder): without it the first steps are too large, and training is
#    unstable or ends at a higher loss, the more so the closer `beta2` is to 1 (0.9999 in the
#    paper's worst case).
#
# We test all three on scikit-learn's 8x8 digits (logistic regression) and MNIST-1D (the MLP).

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs, `quick`
# is the stored run, `full` is meant for one GPU). The learning-rate grids are knobs: each
# optimizer is tried at every rate of its grid, on every seed.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
sham = False  # True: the Adam arm becomes SGD with Nesterov momentum, still labelled Adam
checkpoints = [0.1, 0.25, 0.5, 1.0]  # fractions of training where the losses are compared
margin = 1.10  # logistic regression: Adam's loss may exceed the best other's by this factor
grids = {  # learning rates tried, per task and optimizer, a factor of about 3 apart
    "logreg": {"adam": [1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0],
               "sgd_nesterov": [0.1, 0.3, 1.0, 3.0, 10.0, 30.0],
               "adagrad": [3e-2, 0.1, 0.3, 1.0, 3.0, 10.0],
               "rmsprop": [1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0]},
    "mlp": {"adam": [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2],
            "sgd_nesterov": [3e-3, 1e-2, 3e-2, 0.1, 0.3],
            "adagrad": [3e-3, 1e-2, 3e-2, 0.1, 0.3],
            "rmsprop": [3e-4, 1e-3, 3e-3, 1e-2, 3e-2]},
}

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 1000, "width": 16, "logreg_steps": 20, "mlp_steps": 20},
    # Logistic regression for 35 epochs of digits; the MLP for 30 epochs of MNIST-1D.
    "quick": {"seeds": 5, "samples": 4000, "width": 64, "logreg_steps": 300, "mlp_steps": 600},
    # One GPU: the paper's width (2 x 1000), ten times more data, longer training.
    "full": {"seeds": 8, "samples": 40000, "width": 1000, "logreg_steps": 2000,
             "mlp_steps": 8000},
}
TASKS = ("logreg", "mlp")
OPTIMIZERS = ("adam", "sgd_nesterov", "adagrad", "rmsprop")
OTHERS = OPTIMIZERS[1:]
# The optimizer behind the arm labelled "adam": the sham swaps in its control, with its grid.
METHOD = "sgd_nesterov" if sham else "adam"
# Ablation on the MLP (the paper's Section 6.4): (beta2, bias correction), always real Adam
# on Adam's grid; the default, corrected at 0.999, is the "adam" arm itself.
ABLATION = {"adam": (0.999, True), "adam_nobc": (0.999, False),
            "adam_b2_9999": (0.9999, True), "adam_b2_9999_nobc": (0.9999, False)}
BATCH = 128
VALIDATION = 0.2  # share of each training set held out to tune the learning rates
CHECKPOINTS = sorted({float(c) for c in checkpoints})
if not CHECKPOINTS or min(CHECKPOINTS) <= 0 or max(CHECKPOINTS) > 1:
    raise ConfigError(f"checkpoints must be fractions in (0, 1], got {checkpoints}")
if not margin > 1:
    raise ConfigError(f"margin must be a factor above 1, got {margin}")
for task in TASKS:
    for name in OPTIMIZERS:
        rates = grids.get(task, {}).get(name, [])
        if not rates or min(rates) <= 0:
            raise ConfigError(f"grids[{task!r}][{name!r}] needs one or more positive learning "
                              f"rates, got {rates}")

run = dlrepro.run.start("adam", profile, seed, device, SETTINGS, sham=sham)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: logistic regression "
      f"{cfg.logreg_steps} steps, MLP 40-{cfg.width}-{cfg.width}-10 {cfg.mlp_steps} steps"
      + (" (SHAM: the Adam arm is SGD with Nesterov momentum)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs.
#
# * **Speed.** An optimizer's *speed score* in one seed is the mean, over the checkpoints (10%,
#   25%, 50% and 100% of training), of the logarithm of its loss: the log of the geometric mean
#   loss, so a difference of scores is the log of a loss ratio.
# * **Tuning.** Each task's training set loses a random 20% as a validation split. Every
#   optimizer runs at every learning rate of its grid on the same seeds (the same initial
#   weights and the same mini-batch order within a seed), and its *tuned* rate is the grid
#   point with the lowest seed-mean speed score on the validation split (`dlrepro.tuning.tune`,
#   the same call for every optimizer). The *best alternative* of a task is the one among SGD
#   with Nesterov momentum, AdaGrad and RMSProp with the lowest validation score at its tuned
#   rate. Training losses are then read at the tuned rates. A tuned rate at the edge of its
#   grid leaves every criterion that rests on it undecided.
# * **Primary: Adam is the fastest on the MLP.** Adam's training speed score minus the best
#   alternative's, paired over seeds: the 95% interval lies below 0 (Adam's loss, geometric
#   mean over the checkpoints, below the best alternative's). It rests on the tuned rates of all
#   four optimizers. The sham (the Adam arm replaced by SGD with Nesterov momentum on its own
#   grid) either is the best alternative, and then the difference is exactly zero, or is
#   slower than it: it cannot pass.
# * **Logistic regression: Adam at least as fast.** The same difference on the digits: 95%
#   interval below log(1.10), i.e. Adam's loss at most 10% above the best alternative's.
# * **Bias correction helps at `beta2` = 0.9999** (MLP), judged as the paper's Figure 4 shows
#   it: at matched learning rates. In each seed, the share of Adam's grid where the uncorrected
#   variant ends training with a higher training loss than the corrected one at the same rate
#   (a diverged run counts as the higher loss; two diverged runs as a tie): 95% interval above
#   one half, i.e. the uncorrected variant ends worse on most of the grid. No tuning enters
#   this criterion. The same share at the default `beta2` = 0.999 is reported, not judged.
# * **Check (must hold, never counts): the alternatives learn.** On both tasks the best
#   alternative's final training loss is below chance (ln 10 = 2.30) in every seed: otherwise
#   "Adam is faster" would be a statement about a broken control.

# %% tags=["hide-input"]
LOG_MARGIN = float(np.log(margin))
CHANCE = float(np.log(10))


def rests_on(task):
    return tuple(f"lr_{task}_{name}" for name in OPTIMIZERS)


claim = Claim(
    chapter="adam",
    paper=Paper(
        authors="Kingma, D. P. & Ba, J.",
        year=2015,
        title="Adam: A Method for Stochastic Optimization",
        venue="ICLR 2015",
        url="https://arxiv.org/abs/1412.6980",
    ),
    statement=("With tuned learning rates, Adam lowers the training loss of a multilayer "
               "perceptron faster than SGD with Nesterov momentum, AdaGrad and RMSProp, and on "
               "logistic regression at least as fast; without its bias correction, and beta2 "
               "close to 1, it trains worse."),
    paper_value=("MNIST MLP 2x1000: Adam fastest of all (Figure 2, curves); MNIST logistic "
                 "regression: Adam on par with SGD-Nesterov, faster than AdaGrad (Figure 1); no "
                 "bias correction with beta2 = 0.9999: unstable, higher loss (Figure 4)"),
    primary=superiority(
        "MLP: Adam fastest",
        "MLP on MNIST-1D: Adam's training loss minus the best tuned alternative's, each as the "
        "mean log loss over the checkpoints, paired over seeds: 95% interval below 0",
        "mlp_speed_adam", "mlp_speed_best_other", higher_is_better=False,
        rests_on=rests_on("mlp")),
    criteria=(
        non_inferiority(
            "logistic regression: Adam at least as fast",
            f"digits: the same difference of mean log training losses, Adam minus the best "
            f"tuned alternative, paired over seeds: 95% interval below log({margin:g})",
            "logreg_speed_adam", "logreg_speed_best_other", LOG_MARGIN,
            higher_is_better=False, rests_on=rests_on("logreg")),
        bound(
            "bias correction helps at beta2 = 0.9999",
            "MLP, beta2 = 0.9999: per seed, the share of Adam's learning-rate grid where the "
            "uncorrected variant ends with a higher training loss than the corrected one at "
            "the same rate (diverged counts as higher): 95% interval above 0.5",
            "mlp_nobc_worse_share_9999", 0.5),
    ),
    checks=(
        Check("the alternatives learn",
              "on both tasks the best tuned alternative's final training loss is below chance "
              "(ln 10) in every seed",
              lambda m: all(max(m[f"{t}_final_loss_best_other"].values) < CHANCE
                            for t in TASKS)),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** Logistic regression: scikit-learn's 8x8 digits (1,348 training images, 64
# standardized pixels, 10 classes), standing in for MNIST. MLP: MNIST-1D (Greydanus & Kobak,
# 2024), 80% training, 40 features. A fifth of each training set is held out as the validation
# split that tunes the learning rates, so 1,078 digits and 2,560 MNIST-1D signals are trained
# on. Mini-batches of 128, as in the paper.
#
# **Models.** Logistic regression is a single linear layer 64-10 (an MLP with no hidden layer);
# the MLP is 40-`width`-`width`-10 with ReLU. Within a seed every optimizer and learning rate
# starts from the same weights.
#
# **Optimizers.** Adam is `dlrepro.optim.Adam` (Algorithm 1 of the paper, `betas` (0.9, 0.999),
# `eps` 1e-8); the others are torch's: `SGD(momentum=0.9, nesterov=True)`, `Adagrad` and
# `RMSprop` (decay 0.99), all at their default settings except the learning rate. As in the
# paper's logistic regression, the step size there decays as `lr / sqrt(t)`; the MLP uses a
# constant rate. No weight decay and no dropout (see the Notes).
#
# **One pass per optimizer.** All learning rates and seeds of one optimizer are stacked in one
# `BatchedMLP`. A parameter group cannot hold a different rate for each slice of a stacked
# tensor, but none of these optimizers lets the rate change its state (moments, momentum
# buffer, sum of squares): the update is always `lr_t` times something computed from gradients
# alone. So `dlrepro.optim.PerModelRate` steps the inner optimizer with rate 1 and then keeps
# only the fraction `lr_s(t)` of model `s`'s update, which is exactly the update at rate
# `lr_s(t)` (its unit test checks this against each model trained alone).

# %% tags=["hide-input"]
def sqrt_decay(t: int) -> float:
    """The logistic-regression step-size decay, ``lr / sqrt(t)``."""
    return t ** -0.5


def inner_optimizer(name: str, params):
    if name == "adam":
        name = METHOD
    beta2, corrected = ABLATION.get(name, (0.999, True))
    if name.startswith("adam"):
        return optim.Adam(params, lr=1.0, betas=(0.9, beta2), bias_correction=corrected)
    if name == "sgd_nesterov":
        return torch.optim.SGD(params, lr=1.0, momentum=0.9, nesterov=True)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=1.0)
    return torch.optim.RMSprop(params, lr=1.0)


datasets = {"logreg": data.digits(device=run.device),
            "mlp": data.mnist1d(cfg.samples, seed=42, device=run.device)}
splits = {task: data.split_validation(d.x_train, d.y_train, VALIDATION,
                                      run.generator(10_000 + seed + k))
          for k, (task, d) in enumerate(datasets.items())}
hidden = {"logreg": [], "mlp": [cfg.width, cfg.width]}
steps_of = {"logreg": cfg.logreg_steps, "mlp": cfg.mlp_steps}


def train_arm(task: str, name: str, rates: list[float]) -> dict[str, np.ndarray]:
    """Train every (rate, seed) of one optimizer in one pass; training and validation loss,
    each of shape (rates, seeds, evaluations)."""
    dataset = datasets[task]
    x_fit, y_fit, x_val, y_val = splits[task]
    nets = models.seeded_mlps(run.seeds, dataset.num_features, hidden[task],
                              dataset.num_classes)
    net = models.BatchedMLP.from_models(nets * len(rates)).to(run.device)  # rate-major
    per_model = torch.tensor([r for r in rates for _ in run.seeds], device=run.device)
    config = train.TrainConfig(steps=steps_of[task], batch_size=BATCH,
                               eval_every=max(1, steps_of[task] // 20))
    history = train.train_batched(
        net, x_fit, y_fit, config, [run.generator(s) for _ in rates for s in run.seeds],
        eval_sets={"val": (x_val, y_val)}, progress=True,
        optimizer=lambda p: optim.PerModelRate(inner_optimizer(name, p), per_model,
                                               schedule=sqrt_decay if task == "logreg" else None))
    eval_steps[task] = np.asarray(history.steps)
    out = {}
    for split in ("train", "val"):
        loss = history[f"{split}_loss"].T.reshape(len(rates), len(run.seeds), -1)
        out[split] = np.where(np.isfinite(loss), loss, np.inf)  # a diverged run: infinite loss
    return out

# %% [markdown] tags=[]
# ## Experiment
#
# Every optimizer over its grid on both tasks, then the bias-correction arms on the MLP (with
# Adam's grid).

# %% tags=["hide-input"]
eval_steps = {}
losses = {}  # (task, optimizer) -> {"train", "val"}: loss (rates, seeds, evaluations)
rates_of = {}
arms = [(task, name) for task in TASKS for name in OPTIMIZERS]
arms += [("mlp", name) for name in ABLATION if name != "adam"]
for task, name in arms:
    grid = METHOD if name == "adam" else name if name in OPTIMIZERS else "adam"
    rates_of[task, name] = [float(r) for r in grids[task][grid]]
    losses[task, name] = train_arm(task, name, rates_of[task, name])
    final = losses[task, name]["val"][:, :, -1].mean(1)
    print(f"{task:6s} {name:18s} final validation loss per rate: " + " | ".join(
        f"{r:g}: {v:.3g}" for r, v in zip(rates_of[task, name], final)))

# %% [markdown] tags=[]
# The tuning rule, then the speed scores at the tuned rates.

# %% tags=["hide-input"]
def at_checkpoints(task: str) -> np.ndarray:
    steps = eval_steps[task]
    wanted = [max(1, round(c * steps_of[task])) for c in CHECKPOINTS]
    return np.minimum(np.searchsorted(steps, wanted), len(steps) - 1)


def speed(task: str, loss: np.ndarray) -> np.ndarray:
    """Mean log loss over the checkpoints (the last axis holds the evaluations)."""
    return np.log(loss[..., at_checkpoints(task)]).mean(-1)


picks = {key: tune(f"lr_{key[0]}_{key[1]}", rates_of[key], speed(key[0], loss["val"]),
                   higher_is_better=False) for key, loss in losses.items()}


def curve(task: str, name: str) -> np.ndarray:
    """Training loss at the tuned rate, (seeds, evaluations)."""
    return picks[task, name].at(losses[task, name]["train"])


best_other = {task: min(OTHERS, key=lambda n, t=task: picks[t, n].validation_means[
    picks[t, n].index]) for task in TASKS}
measurements = {}
for task in TASKS:
    for name, key in ((best_other[task], "best_other"), ("adam", "adam")):
        measurements[f"{task}_speed_{key}"] = speed(task, curve(task, name))
        measurements[f"{task}_final_loss_{key}"] = curve(task, name)[:, -1]


def nobc_worse_share(beta2_name: str) -> np.ndarray:
    """Per seed, the share of Adam's grid where the uncorrected variant ends above the
    corrected one at the same learning rate (infinite: diverged; inf > inf is False)."""
    corrected = losses["mlp", beta2_name]["train"][:, :, -1]
    uncorrected = losses["mlp", f"{beta2_name}_nobc"]["train"][:, :, -1]
    return (uncorrected > corrected).mean(0)


measurements["mlp_nobc_worse_share_9999"] = nobc_worse_share("adam_b2_9999")
for p in picks.values():
    print("tuned:", p.describe())
for task in TASKS:
    gap = measurements[f"{task}_speed_adam"] - measurements[f"{task}_speed_best_other"]
    print(f"{task}: best alternative {best_other[task]}; Adam's training loss over its, "
          f"geometric mean over the checkpoints: {np.exp(gap.mean()):.3g}")

# %% [markdown] tags=[]
# ## Results
#
# The paper's Figures 1 and 2 redrawn: training loss against iterations for each optimizer at
# its tuned learning rate (log scale, 95% bands over seeds). The dotted lines mark the
# checkpoints of the rule.

# %% tags=["hide-input"]
plot.use_style()
colors = {"adam": plot.ARM_COLORS["method"], "sgd_nesterov": plot.ARM_COLORS["control"],
          "adagrad": plot.ARM_COLORS["alternative"], "rmsprop": plot.ARM_COLORS["extra"]}
labels = {"adam": "Adam", "sgd_nesterov": "SGD Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSProp", "adam_nobc": "Adam, no bias correction",
          "adam_b2_9999": "Adam", "adam_b2_9999_nobc": "Adam, no bias correction"}
titles = {"logreg": "logistic regression, digits (lr / sqrt(t))",
          "mlp": f"MLP 2 x {cfg.width} ReLU, MNIST-1D"}
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, task in zip(axes, TASKS):
    for name in OPTIMIZERS:
        plot.seed_band(ax, eval_steps[task], curve(task, name),
                       f"{labels[name]} (lr {picks[task, name].value:g})", colors[name],
                       marker=None)
    for c in CHECKPOINTS:
        ax.axvline(c * steps_of[task], color="0.6", linestyle=":", linewidth=1)
    lowest = min(curve(task, name).mean(0).min() for name in OPTIMIZERS)
    ax.set(yscale="log", xlabel="iteration", ylabel="training loss", title=titles[task])
    ax.set_ylim(bottom=lowest / 3)  # a wide band on a log axis would hide the curves
    ax.legend(loc="upper right")
fig.suptitle(f"Training loss at each optimizer's tuned learning rate, {len(run.seeds)} seeds")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# The bias-correction ablation (the paper's Figure 4, on our MLP): left, training loss after 10%
# of training and at the end against the learning rate, for `beta2` 0.999 and 0.9999, with and
# without correction; right, the curves at each variant's tuned rate.

# %% tags=["hide-input"]
fig, (ax_lr, ax_curve) = plt.subplots(1, 2, figsize=(11, 4))
early, last = at_checkpoints("mlp")[0], -1
for name, (b2, corrected) in ABLATION.items():
    rates = rates_of["mlp", name]
    style = "-" if corrected else "--"
    shade = plot.ARM_COLORS["method"] if b2 == 0.9999 else plot.ARM_COLORS["control"]
    variant = f"beta2 {b2}, {'corrected' if corrected else 'uncorrected'}"
    for where, alpha in ((early, 0.45), (last, 1.0)):
        values = np.minimum(losses["mlp", name]["train"][:, :, where].T, 10.0)  # diverged: 10
        mean, _ = plot.mean_band(values)
        when = "10%" if where == early else "end"
        ax_lr.plot(rates, mean, style, marker="o", markersize=4, alpha=alpha, color=shade,
                   label=f"{variant}, {when}")
    plot.seed_band(ax_curve, eval_steps["mlp"], curve("mlp", name),
                   f"{variant} (lr {picks['mlp', name].value:g})", shade, marker=None,
                   linestyle=style)
ax_lr.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="training loss",
          title="loss after 10% of training (faint) and at the end")
ax_lr.legend(fontsize=7)
ax_curve.set(yscale="log", xlabel="iteration", ylabel="training loss",
             title="at each variant's tuned rate")
ax_curve.legend(fontsize=8)
fig.suptitle("Adam with and without bias correction, MLP on MNIST-1D")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=["hide-input"]
verdict = claim.judge(measurements, run, list(picks.values()))
verdict.save()
verdict.glue()
print(verdict)

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=["hide-input"]
# Numbers for the discussion below, glued so that the text reads them from this run; the
# intervals of the criteria are differences of mean log losses, glued as loss ratios.
for key, name in (("mlp", "MLP: Adam fastest"),
                  ("logreg", "logistic regression: Adam at least as fast")):
    o = verdict.outcomes[name]
    glue(f"outcome_{key}", o.outcome)
    for end in ("estimate", "low", "high"):
        glue(f"ratio_{key}_{end}", float(np.exp(getattr(o.interval, end))))
bias_correction = verdict.outcomes["bias correction helps at beta2 = 0.9999"]
glue("outcome_bc", bias_correction.outcome)
for end in ("estimate", "low", "high"):
    glue(f"share_bc_{end}", float(getattr(bias_correction.interval, end)))
# Reported only, and only when the "adam" arm is Adam (the sham trains SGD on another grid).
glue("share_bc_999", float("nan") if sham else float(nobc_worse_share("adam").mean()))
glue("grid_size_adam", len(rates_of["mlp", "adam"]))
for (task, name), p in picks.items():
    glue(f"lr_{task}_{name}", p.value)
    glue(f"edge_{task}_{name}", "at the grid's edge" if p.at_edge else "inside the grid")
    glue(f"final_{task}_{name}", curve(task, name)[:, -1].mean())
for task in TASKS:
    glue(f"best_other_{task}", labels[best_other[task]])
glue("beta2_high", ABLATION["adam_b2_9999"][0])
glue("beta2_default", ABLATION["adam"][0])
glue("margin", margin)
for task in TASKS:
    glue(f"final_{task}_best_other", curve(task, best_other[task])[:, -1].mean())
    for name, key in (("adam", "adam"), (best_other[task], "best_other")):
        glue(f"val_final_{task}_{key}",
             picks[task, name].at(losses[task, name]["val"])[:, -1].mean())

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *MLP (primary).* The validation split picks lr {glue:text}`lr_mlp_adam:.3g` for Adam,
#   {glue:text}`lr_mlp_sgd_nesterov:.3g` for SGD with Nesterov momentum,
#   {glue:text}`lr_mlp_adagrad:.3g` for AdaGrad and {glue:text}`lr_mlp_rmsprop:.3g` for
#   RMSProp; the best alternative on validation is {glue:text}`best_other_mlp`. Adam's
#   training loss, geometric mean over the checkpoints, is
#   {glue:text}`ratio_mlp_estimate:.3f` times that alternative's, with a 95% interval from
#   {glue:text}`ratio_mlp_low:.3f` to {glue:text}`ratio_mlp_high:.3f`: the primary is
#   {glue:text}`outcome_mlp`. At the end of training Adam's loss is
#   {glue:text}`final_mlp_adam:.3f` against {glue:text}`final_mlp_best_other:.3f` for
#   {glue:text}`best_other_mlp` (SGD Nesterov {glue:text}`final_mlp_sgd_nesterov:.3f`, AdaGrad
#   {glue:text}`final_mlp_adagrad:.3f`, RMSProp {glue:text}`final_mlp_rmsprop:.3f`); where
#   Adam ends lower yet loses on the geometric mean, it is behind earlier in training, at the
#   checkpoints that the mean weighs as much as the last one.
# * *Why tuning on validation matters here.* The MLP overfits MNIST-1D within the budget: at the
#   tuned rates the final validation loss is {glue:text}`val_final_mlp_adam:.3f` for Adam and
#   {glue:text}`val_final_mlp_best_other:.3f` for {glue:text}`best_other_mlp`, far above the
#   training losses. A rate chosen on held-out data is then smaller than the rate that lowers
#   the training loss fastest, and the optimizers are compared where each generalizes best,
#   not where each trains fastest (see the Notes).
# * *Logistic regression.* The best alternative is {glue:text}`best_other_logreg`; Adam's loss
#   is {glue:text}`ratio_logreg_estimate:.3f` times its loss (interval
#   {glue:text}`ratio_logreg_low:.3f` to {glue:text}`ratio_logreg_high:.3f`, against the
#   allowed factor of {glue:text}`margin:g`: {glue:text}`outcome_logreg`). Final losses: Adam
#   {glue:text}`final_logreg_adam:.4f`, SGD Nesterov {glue:text}`final_logreg_sgd_nesterov:.4f`,
#   AdaGrad {glue:text}`final_logreg_adagrad:.4f`, RMSProp {glue:text}`final_logreg_rmsprop:.4f`.
#   The tuned rates are {glue:text}`lr_logreg_adam:.3g` (Adam,
#   {glue:text}`edge_logreg_adam`), {glue:text}`lr_logreg_sgd_nesterov:.3g` (SGD,
#   {glue:text}`edge_logreg_sgd_nesterov`), {glue:text}`lr_logreg_adagrad:.3g` (AdaGrad,
#   {glue:text}`edge_logreg_adagrad`) and {glue:text}`lr_logreg_rmsprop:.3g` (RMSProp,
#   {glue:text}`edge_logreg_rmsprop`).
# * *Bias correction.* At `beta2` = {glue:text}`beta2_high`, compared at the same learning
#   rate over Adam's {glue:text}`grid_size_adam` rates, the uncorrected variant ends with the
#   higher training loss on a share {glue:text}`share_bc_estimate:.2f` of the grid (95%
#   interval {glue:text}`share_bc_low:.2f` to {glue:text}`share_bc_high:.2f`, against one
#   half: {glue:text}`outcome_bc`); the left panel of the ablation figure shows where on the
#   grid. At the default `beta2` = {glue:text}`beta2_default`, reported only, the share is
#   {glue:text}`share_bc_999:.2f`. Uncorrected, the second moment after `t` steps is only
#   about `t (1 - beta2)` times the squared gradient, so early steps are about
#   `1 / sqrt(t (1 - beta2))` times too large, the more so the closer `beta2` is to 1: at small
#   rates that can even speed the start, at large ones it overshoots.
# * *The sham.* With `sham = True` the arm labelled Adam is SGD with Nesterov momentum on its
#   own grid, so it is at best the best alternative itself (a paired difference of exactly
#   zero) and the primary cannot pass; the stored sham run is in the verdict box above.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a task and an optimizer to see its training loss at every learning rate of its grid
# (seed means). This redraws the runs above; nothing is trained again.

# %% tags=["hide-input"]
def show(task, optimizer):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    rates = rates_of[task, optimizer]
    shades = plt.cm.viridis(np.linspace(0, 0.9, len(rates)))
    for k, r in enumerate(rates):
        values = np.minimum(losses[task, optimizer]["train"][k], 10.0)
        mark = " (tuned)" if k == picks[task, optimizer].index else ""
        plot.seed_band(ax, eval_steps[task], values, f"lr {r:g}{mark}", shades[k], marker=None)
    ax.set(yscale="log", xlabel="iteration", ylabel="training loss",
           title=f"{labels[optimizer]}, {titles[task]}")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show, task=widgets.Dropdown(options=list(TASKS), value="mlp", description="task"),
        optimizer=widgets.Dropdown(options=list(OPTIMIZERS), value="adam",
                                   description="optimizer"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Data and scale.* The paper uses MNIST (60,000 images of 784 pixels) for both comparisons,
#   a 2 x 1000 MLP and up to 200 epochs; we use the 1,797 8x8 digits for logistic regression and
#   MNIST-1D (2,560 training signals of 40 values in the quick profile, after the validation
#   split) with a 2 x `width` MLP for a few dozen epochs. The full profile uses the paper's
#   width.
# * *No dropout, no L2 penalty.* The paper's MLP curves use dropout (Figure 2a) and its logistic
#   regression is L2-regularized; we compare the plain training loss, which is the quantity the
#   optimizers minimize.
# * *Tuning.* The paper searched "a dense grid" of learning rates and reports the best; our grids
#   have five or six rates a factor of about 3 apart, and the rate is chosen on a held-out
#   validation split (by the validation loss, geometric mean over the same checkpoints), not on
#   the training loss that the criteria compare. An earlier version of this chapter tuned on
#   the training loss itself, on the same seeds it then compared, over grids of four or five
#   rates (five of its tuned rates sat at a grid's edge), and with 3 seeds it found Adam's MLP
#   loss at 0.90 ± 0.16 times the best other optimizer's (PARTLY REPRODUCED). The grids were
#   widened for this version from that run's picks; after the first run of this version's rule
#   the MLP grids lost the points farthest from every pick (1.0 for SGD and AdaGrad, 0.1 for
#   Adam, 1e-4 for RMSProp) to save time, which moved no pick and no verdict.
# * *Why the MLP claim does not reproduce here, we think.* The validation loss of our MLP stops
#   falling about halfway through training and then creeps up (it overfits 2,560 signals), so the
#   rate that is best on held-out data is smaller than the rate that trains fastest: Adam's
#   pick is {glue:text}`lr_mlp_adam:.3g` where the earlier version's training-loss tuning
#   chose 0.01, AdaGrad's {glue:text}`lr_mlp_adagrad:.3g` where it chose 0.1.
#   At these rates Adam ends with the lower training loss but is behind
#   {glue:text}`best_other_mlp` early in training, which the geometric mean over the checkpoints
#   weighs as much as the end. The claim is about training speed; a regime where validation
#   and training loss agree (more data, as in the paper's 60,000 MNIST images, or dropout, as
#   in its Figure 2) would compare the optimizers nearer to where each trains fastest. That is
#   a redesign, left for a later version.
# * *Best alternative.* We compare Adam with the one alternative that is fastest on the
#   validation split, over the whole run; the paper's figures compare whole curves by eye.
# * *The ablation* uses our MLP instead of the paper's variational auto-encoder, and only
#   `beta1 = 0.9`; our runs are short (600 steps) next to the `1 / (1 - beta2) = 10,000` steps
#   over which the uncorrected second moment stays biased at `beta2 = 0.9999`.
#   An earlier version judged the correction by comparing each variant at its own tuned rate;
#   the paper's Figure 4 compares them at the same rate across the whole grid, which is what the
#   rule now does, and which needs no tuning (so no edge pick can leave it undecided).
# * *The sham* replaces only the arm that the comparisons read (Adam at its default betas) by
#   SGD with Nesterov momentum on SGD's grid; the bias-correction arms stay real Adam, so in the
#   sham run the reported `beta2 = 0.999` ratio compares uncorrected Adam with SGD.
# * *Batching.* All rates and seeds of one optimizer train together in one `BatchedMLP`;
#   `PerModelRate` gives each stacked model its own rate (checked against separate runs: equal
#   to float rounding).
#
# **What to try.** Widen or refine the grids (`grids`), move the `checkpoints` earlier to weigh
# the first epochs more, or add `beta2 = 0.99` to `ABLATION`: the paper finds the bias
# correction matters little there.
#
# **References.**
#
# * {footcite:t}`kingma2015adam`.
# * {footcite:t}`sutskever2013importance`.
# * {footcite:t}`duchi2011adaptive`.
# * {footcite:t}`tieleman2012lecture`.
# * {footcite:t}`greydanus2024scaling`.
#
# ```{footbibliography}
# ```
