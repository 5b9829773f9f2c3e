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
# # Lookahead: k steps forward, one step back
#
# Michael R. Zhang, James Lucas, Geoffrey Hinton and Jimmy Ba (2019). *Lookahead Optimizer: k
# steps forward, 1 step back*. Advances in Neural Information Processing Systems 32 (NeurIPS
# 2019). [arXiv:1907.08610](https://arxiv.org/abs/1907.08610) {footcite:p}`zhang2019lookahead`
#
# Most attempts to improve stochastic gradient descent change how a single step is taken:
# adaptive schemes rescale each coordinate (AdaGrad, Adam), accelerated schemes add momentum.
# Lookahead is orthogonal to both. It keeps two copies of the weights. The *fast* weights are
# trained by any ordinary optimizer for `k` steps; then the *slow* weights move a fraction
# `alpha` of the way towards where the fast weights ended up, and the fast weights restart from
# there. The inner optimizer explores ahead; the slow weights follow a smoothed version of its
# path, which damps the oscillations that a too-large learning rate causes across a valley.
# The wrapper costs one extra copy of the weights and one interpolation every `k` steps, and the
# paper presents it as a way to make an optimizer less fussy about its hyper-parameters: with
# `k = 5` and `alpha = 0.5` it matched or beat tuned SGD and Adam on image classification,
# language modelling and translation.

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
from dlrepro.claims import Claim, Paper, mean_ci, non_inferiority, superiority
from dlrepro.data import mnist1d, split_validation
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.models import BatchedMLP, seeded_mlps
from dlrepro.optim import Lookahead, PerModelRate
from dlrepro.plot import ARM_COLORS, seed_band, use_style
from dlrepro.train import TrainConfig, train_batched
from dlrepro.tuning import tune

# %% [markdown] tags=[]
# ## The claim
#
# In our words: wrapping an optimizer in Lookahead (`k = 5` inner steps, slow-weight step
# `alpha = 0.5`) never costs final accuracy or training loss, and makes the result depend less
# on the inner optimizer's learning rate. The paper's evidence, at its scale:
#
# * CIFAR-10 with a ResNet-18 (200 epochs): test accuracy 95.27% with Lookahead over SGD,
#   against 95.23% for tuned SGD and 94.84% for tuned Adam; on CIFAR-100 and ImageNet
#   (ResNet-50) Lookahead also reaches the baseline's accuracy, and lower training loss sooner.
# * Robustness: in the paper's sensitivity study on CIFAR, over a grid of inner learning rates
#   and momenta, Lookahead's final accuracy varies less across the grid than the inner
#   optimizer's. The explanation offered is that the pull back towards the slow weights damps
#   the oscillation that a too-large step causes, so the wrapper tolerates settings at which
#   the plain optimizer becomes unstable.
#
# Our version is far smaller (see *Setup* and *Notes*): MNIST-1D, a two-hidden-layer MLP, SGD
# with momentum and Adam as inner optimizers, each swept over a geometric grid of learning rates
# that runs from clearly too small to clearly too large.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` chooses the size of the experiment: `smoke` only checks that the chapter runs,
# `quick` (the default, about a minute on a laptop CPU) is the stored run, `full` is meant for
# one GPU. The other knobs override the profile's values when set.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
steps = None  # optimizer steps per run; None keeps the profile's value
width = None  # units in each of the two hidden layers; None keeps the profile's value
k = 5  # Lookahead: inner steps between slow-weight updates (the paper's default)
alpha = 0.5  # Lookahead: slow-weight step size (the paper's default)
sham = False  # True: alpha becomes 1, which is the inner optimizer alone (the control)
momentum = 0.9  # SGD's momentum at which the tuned learning rates are compared
momenta = [0.9, 0.99]  # SGD momenta of the robustness grid (with every learning rate)
sgd_lr_range = (10**-2.5, 1.0)  # SGD learning rates: smallest and largest of the grid
adam_lr_range = (10**-3.5, 0.1)  # Adam learning rates: smallest and largest of the grid

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "num_samples": 1000, "width": 32, "steps": 20, "batch_size": 50,
              "eval_every": 10, "grid_points": 2},
    # 6 learning rates per inner optimizer, half a decade apart, 5 seeds, under a minute of CPU.
    "quick": {"seeds": 5, "num_samples": 5000, "width": 128, "steps": 500, "batch_size": 100,
              "eval_every": 100, "grid_points": 6},
    # One GPU: twice the data and width, six times the steps, a finer grid, eight seeds.
    "full": {"seeds": 8, "num_samples": 10000, "width": 256, "steps": 3000, "batch_size": 100,
             "eval_every": 100, "grid_points": 11},
}
run = dlrepro.run.start("lookahead", profile, seed, device, SETTINGS,
                        overrides={"steps": steps, "width": width}, sham=sham)
cfg = run.settings
lookahead_alpha = 1.0 if sham else alpha  # alpha = 1 copies the fast weights: no Lookahead
if cfg.eval_every % k or cfg.steps % k:
    raise ConfigError(f"eval_every ({cfg.eval_every}) and steps ({cfg.steps}) must be multiples "
                      f"of k={k}, so that Lookahead is always evaluated at its slow weights")
for name, (low, high) in {"sgd_lr_range": sgd_lr_range, "adam_lr_range": adam_lr_range}.items():
    if not 0 < low < high:
        raise ConfigError(f"{name} must be (smallest, largest) with 0 < smallest < largest, "
                          f"got {(low, high)}")
if momentum not in momenta or not all(0 <= m < 1 for m in momenta):
    raise ConfigError(f"momenta must be values in [0, 1) that include momentum ({momentum}), "
                      f"got {momenta}")
GRIDS = {"sgd": np.geomspace(*sgd_lr_range, cfg.grid_points),
         "adam": np.geomspace(*adam_lr_range, cfg.grid_points)}
FAMILIES = list(GRIDS)
# The inner settings besides the learning rate that the robustness grid varies: SGD's momentum;
# Adam keeps its default betas.
INNER = {"sgd": [float(m) for m in momenta], "adam": [None]}
TUNED_AT = {"sgd": INNER["sgd"].index(momentum), "adam": 0}
NAMES = {"sgd": "SGD with momentum", "adam": "Adam"}
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 2 x {cfg.width}, "
      f"{cfg.steps} steps of batch {cfg.batch_size}; Lookahead k={k}, alpha={lookahead_alpha}"
      + (" (SHAM: no Lookahead)" if sham else ""))
for family in FAMILIES:
    print(f"  {NAMES[family]} learning rates: {', '.join(f'{lr:.3g}' for lr in GRIDS[family])}")
print(f"  SGD momenta: {', '.join(f'{m:g}' for m in INNER['sgd'])}")

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. For each inner optimizer (SGD with momentum, Adam) and
# each learning rate of its grid, the inner optimizer alone (the control) and Lookahead around
# it are trained from the same initial weights on the same mini-batches, for every seed.
#
# * *Spread* of an arm in one seed: the standard deviation of its final test accuracy across
#   the robustness grid. For SGD the grid crosses every learning rate with every momentum in
#   `momenta`, as the paper's robustness study varies both; for Adam it is the learning rates.
#   Smaller means less sensitive to the inner optimizer's settings. The **primary** criterion is
#   the spread with SGD: Lookahead's must be smaller than the control's, paired over seeds. The
#   sham (alpha = 1, Lookahead switched off) trains exactly the control, so its paired
#   difference is zero and cannot pass.
# * *Tuned learning rate* of an arm: at SGD's `momentum` (Adam: its default betas), the
#   learning rate with the highest seed-mean accuracy on a validation split held out of the
#   training set (20%), chosen separately for the control and for Lookahead by the same
#   procedure; test accuracy and training loss are read at that point. A pick at the grid's
#   edge leaves the criteria that use it undecided.
# * Secondary: the same spread test with Adam; at the tuned learning rates, test accuracy no
#   worse than the control's by more than one point, and a lower final training loss than the
#   control's (the paper's training curves on CIFAR and ImageNet show Lookahead's loss below
#   its inner optimizer's), for both inner optimizers.
# * *Grid sizing.* The grids (learning-rate ranges and momenta) were sized from a sham run, in
#   which both arms are the control, before any run of the Lookahead arm: the control's tuned
#   learning rate is interior, and each grid reaches from slow progress to failed training.

# %% tags=["hide-input"]
MARGIN = 0.01  # accuracy Lookahead may lose at its tuned learning rate and still count as equal


def picks_of(family):
    return (f"lr_inner_{family}", f"lr_lookahead_{family}")


GRID_WORDS = {"sgd": "grid of learning rates and momenta", "adam": "learning-rate grid"}


def flatter(family):
    return superiority(
        f"flatter across learning rates ({family})",
        f"{family}: the spread (std across the {GRID_WORDS[family]}) of final test accuracy "
        "is smaller with Lookahead than alone; 95% interval of the paired difference below 0",
        f"spread_lookahead_{family}", f"spread_inner_{family}", higher_is_better=False)


claim = Claim(
    chapter="lookahead",
    paper=Paper(
        authors="Zhang, M. R., Lucas, J., Hinton, G. & Ba, J.",
        year=2019,
        title="Lookahead Optimizer: k steps forward, 1 step back",
        venue="NeurIPS 2019",
        url="https://arxiv.org/abs/1907.08610",
    ),
    statement=("Lookahead (k=5, alpha=0.5) around SGD or Adam makes final accuracy less "
               "sensitive to the inner learning rate and momentum, and at tuned learning rates "
               "it reaches equal or better accuracy, and lower training loss, than the inner "
               "optimizer alone."),
    paper_value=("CIFAR-10 ResNet-18 test accuracy: Lookahead 95.27% vs SGD 95.23% and Adam "
                 "94.84%; accuracy varies less over a grid of inner learning rates and momenta"),
    primary=flatter("sgd"),
    criteria=(
        flatter("adam"),
        *(non_inferiority(
            f"accuracy no worse at the tuned learning rate ({f})",
            f"{f}: Lookahead's test accuracy at its tuned learning rate minus the control's at "
            f"its own, paired over seeds, has a 95% interval above -{MARGIN}",
            f"tuned_acc_lookahead_{f}", f"tuned_acc_inner_{f}", MARGIN,
            rests_on=picks_of(f)) for f in ("sgd", "adam")),
        *(superiority(
            f"lower training loss at the tuned learning rate ({f})",
            f"{f}: the final training loss at the same two learning rates, Lookahead minus "
            f"control, paired over seeds, has a 95% interval below 0",
            f"tuned_loss_lookahead_{f}", f"tuned_loss_inner_{f}",
            higher_is_better=False, rests_on=picks_of(f)) for f in ("sgd", "adam")),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024): procedurally generated 40-sample signals of ten
# digit-like templates, shifted, scaled, sheared and made noisy. With `num_samples = 5000` it
# has 4,000 training and 1,000 test examples; 800 of the training examples are held out as
# the validation split that tunes the learning rates, so 3,200 are trained on. An MLP reaches
# roughly 60-70% test accuracy on it, so there is room for optimizers to differ.
#
# **Model and training.** An MLP with two hidden layers of `width` ReLU units, cross-entropy,
# constant learning rate, mini-batches of 100, no weight decay. SGD uses momentum 0.9; Adam its
# usual betas (0.9, 0.999). Lookahead is `dlrepro.optim.Lookahead(inner, k, alpha)`: the inner
# optimizer keeps its momentum or moment estimates across the slow-weight updates, as in the
# paper's main experiments. Training stops after a multiple of `k` steps and evaluates every
# `eval_every` (also a multiple of `k`) steps, so a Lookahead model is always evaluated at its
# slow weights, as the paper does.
#
# **Batching.** SGD, Adam and Lookahead act on each weight entry separately, so the models of
# a `BatchedMLP` trained with one of them are updated exactly as if each were trained alone.
# Every learning rate and seed of one (inner optimizer, momentum, with or without Lookahead)
# combination is stacked in one `BatchedMLP` and trained in one `train_batched` call;
# `dlrepro.optim.PerModelRate` gives each stacked model its learning rate (the inner update
# is the rate times something computed from the gradients alone, so this is exact), and
# Lookahead wraps it. Within a seed, every model starts from the same initial weights and
# draws the same mini-batches.

# %% tags=["hide-input"]
data = mnist1d(num_samples=cfg.num_samples, device=run.device)
x_fit, y_fit, x_val, y_val = split_validation(data.x_train, data.y_train, 0.2,
                                              run.generator(10_000 + seed))
initial = seeded_mlps(run.seeds, data.num_features, [cfg.width, cfg.width], data.num_classes)


def optimizer_for(family, setting, lookahead):
    """A factory for ``train_batched``: the inner optimizer (SGD at momentum ``setting``, or
    Adam) with one learning rate per stacked model (rate-major), wrapped or not."""
    rates = torch.tensor([float(lr) for lr in GRIDS[family] for _ in run.seeds])

    def build(params):
        if family == "sgd":
            inner = torch.optim.SGD(params, lr=1.0, momentum=setting)
        else:
            inner = torch.optim.Adam(params, lr=1.0)
        inner = PerModelRate(inner, rates)
        return Lookahead(inner, k=k, alpha=lookahead_alpha) if lookahead else inner
    return build


print(f"{y_fit.shape[0]} training, {y_val.shape[0]} validation and {data.y_test.shape[0]} "
      f"test examples; "
      f"{sum(p.numel() for p in initial[0].parameters()):,} parameters per model; "
      f"{sum(len(v) for v in INNER.values()) * 2} batched runs of {cfg.grid_points} learning "
      f"rates x {len(run.seeds)} seeds each")

# %% [markdown] tags=[]
# ## Experiment
#
# One batched run per (inner optimizer, momentum, arm), all learning rates and seeds at once.
# The library records the training loss and accuracy and the validation and test accuracy
# every `eval_every` steps.

# %% tags=["hide-input"]
ARMS = ["inner", "lookahead"]
config = TrainConfig(steps=cfg.steps, batch_size=cfg.batch_size, eval_every=cfg.eval_every)
histories = {}
for family in FAMILIES:
    for m, setting in enumerate(INNER[family]):
        for arm in ARMS:
            model = BatchedMLP.from_models(initial * cfg.grid_points).to(run.device)
            histories[family, m, arm] = train_batched(
                model, x_fit, y_fit, config,
                [run.generator(s) for _ in GRIDS[family] for s in run.seeds],
                eval_sets={"val": (x_val, y_val), "test": (data.x_test, data.y_test)},
                optimizer=optimizer_for(family, setting, arm == "lookahead"))
print(f"trained {len(histories)} batched runs in {run.elapsed():.0f} s since start")

steps_axis = np.asarray(next(iter(histories.values())).steps)


def curves(metric):
    """``{family: array (arms, settings, lrs, evaluations, seeds)}`` of one recorded metric
    (settings: SGD's momenta; Adam has one)."""
    def of(h):
        return np.asarray(h[metric]).reshape(len(steps_axis), cfg.grid_points,
                                             len(run.seeds)).transpose(1, 0, 2)
    return {f: np.stack([np.stack([of(histories[f, m, arm]) for m in range(len(INNER[f]))])
                         for arm in ARMS]) for f in FAMILIES}


test_acc, val_acc, train_loss = curves("test_acc"), curves("val_acc"), curves("train_loss")
# Final values (arms, settings, lrs, seeds); a diverged run's loss (nan or inf) is kept out
# of the means.
final_acc = {f: test_acc[f][..., -1, :] for f in FAMILIES}
final_val = {f: val_acc[f][..., -1, :] for f in FAMILIES}
final_loss = {f: train_loss[f][..., -1, :] for f in FAMILIES}

# %% [markdown] tags=[]
# The measurements of the rule, one value per seed.

# %% tags=["hide-input"]
measurements, best, picks = {}, {}, []
for f in FAMILIES:
    at = TUNED_AT[f]
    acc, loss = final_acc[f][:, at], final_loss[f][:, at]  # (arms, lrs, seeds)
    arm_picks = [tune(f"lr_{arm}_{f}", GRIDS[f], final_val[f][a, at])
                 for a, arm in enumerate(ARMS)]
    picks += arm_picks
    best[f] = [p.index for p in arm_picks]
    for a, arm in enumerate(ARMS):
        measurements[f"tuned_acc_{arm}_{f}"] = arm_picks[a].at(acc[a])
        measurements[f"tuned_loss_{arm}_{f}"] = arm_picks[a].at(loss[a])
    spread = final_acc[f].std(axis=(1, 2))  # (arms, seeds): std across the whole grid
    measurements[f"spread_inner_{f}"] = spread[0]
    measurements[f"spread_lookahead_{f}"] = spread[1]

print(f"final test accuracy, mean ± 95% CI over {len(run.seeds)} seeds")
for f in FAMILIES:
    for m, setting in enumerate(INNER[f]):
        name = NAMES[f] + (f" {setting:g}" if setting is not None else "")
        print(f"{name:<26} {'alone':>15} {'Lookahead':>15}")
        for i, lr in enumerate(GRIDS[f]):
            marks = ["*" if best[f][a] == i and m == TUNED_AT[f] else " "
                     for a in range(len(ARMS))]
            print(f"  lr {lr:<21.3g} {mean_ci(final_acc[f][0, m, i]):>14}{marks[0]} "
                  f"{mean_ci(final_acc[f][1, m, i]):>14}{marks[1]}")
print("* learning rate tuned on the validation split")
for p in picks:
    print("tuned:", p.describe())

# %% [markdown] tags=[]
# ## Results
#
# The paper's robustness figure redrawn from our runs: final test accuracy (top) and final
# training loss (bottom) against the inner learning rate, for SGD at each momentum (left, one
# line style per momentum) and Adam (right), alone and inside Lookahead. Lines are seed means,
# bands 95% confidence intervals over seeds; dotted verticals mark the tuned learning rates. A
# flatter accuracy curve is a less sensitive optimizer.

# %% tags=["hide-input"]
use_style()
COLOR = {"inner": ARM_COLORS["control"], "lookahead": ARM_COLORS["method"]}
LABEL = {f: {"inner": f"{NAMES[f]} alone", "lookahead": f"Lookahead + {NAMES[f]}"}
         for f in FAMILIES}

STYLES = ["-", "--", "-.", ":"]
fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex="col")
for col, f in enumerate(FAMILIES):
    for a, arm in enumerate(ARMS):
        for m, setting in enumerate(INNER[f]):
            tag = LABEL[f][arm] + (f", momentum {setting:g}" if setting is not None else "")
            style = STYLES[m % len(STYLES)]
            seed_band(axes[0, col], GRIDS[f], final_acc[f][a, m].T, tag, color=COLOR[arm],
                      linestyle=style)
            loss = np.where(np.isfinite(final_loss[f][a, m]), final_loss[f][a, m], np.nan)
            seed_band(axes[1, col], GRIDS[f], loss.T, tag, color=COLOR[arm], linestyle=style)
        axes[0, col].axvline(GRIDS[f][best[f][a]], color=COLOR[arm], linestyle=":",
                             linewidth=1)
    axes[0, col].set(xscale="log", ylabel="final test accuracy", ylim=(0, None),
                     title=f"{NAMES[f]}: accuracy vs learning rate")
    axes[1, col].set(xscale="log", yscale="log", xlabel="inner learning rate",
                     ylabel="final training loss", title=f"{NAMES[f]}: training loss")
    axes[0, col].legend(loc="lower center")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# Training curves at the control's best learning rate, the setting a practitioner who tuned the
# plain optimizer would use: training loss (left) and test accuracy (right) over training.

# %% tags=["hide-input"]
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
for f, style in zip(FAMILIES, ["-", "--"], strict=True):
    i, at = best[f][0], TUNED_AT[f]
    for a, arm in enumerate(ARMS):
        tag = f"{LABEL[f][arm]}, lr {GRIDS[f][i]:.3g}"
        seed_band(axes[0], steps_axis, train_loss[f][a, at, i].T, tag, color=COLOR[arm],
                  marker=None, linestyle=style)
        seed_band(axes[1], steps_axis, test_acc[f][a, at, i].T, tag, color=COLOR[arm],
                  marker=None, linestyle=style)
axes[0].set(xlabel="step", ylabel="training loss", yscale="log", title="training loss")
axes[1].set(xlabel="step", ylabel="test accuracy", title="test accuracy")
axes[1].legend(loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=["hide-input"]
verdict = claim.judge(measurements, run, picks)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=["hide-input"]
# Numbers for the discussion below, glued so that the text reads them from this run.
for f in FAMILIES:
    for a, arm in enumerate(ARMS):
        glue(f"spread_{arm}_{f}", measurements[f"spread_{arm}_{f}"].mean())
        glue(f"tuned_lr_{arm}_{f}", picks[FAMILIES.index(f) * 2 + a].value)
        glue(f"tuned_acc_{arm}_{f}", measurements[f"tuned_acc_{arm}_{f}"].mean())
# The grid point (momentum, learning rate) of SGD where Lookahead gains most and loses most.
gain = final_acc["sgd"][1].mean(-1) - final_acc["sgd"][0].mean(-1)  # (momenta, lrs)
for key, flat in (("gain", int(gain.argmax())), ("cost", int(gain.argmin()))):
    m, i = np.unravel_index(flat, gain.shape)
    glue(f"{key}_lr", GRIDS["sgd"][i])
    glue(f"{key}_momentum", INNER["sgd"][m])
    glue(f"{key}_inner", final_acc["sgd"][0, m, i].mean())
    glue(f"{key}_lookahead", final_acc["sgd"][1, m, i].mean())
SHORT = {"flatter across learning rates": "spread", "accuracy no worse at the tuned learning "
         "rate": "acc", "lower training loss at the tuned learning rate": "loss"}
for name, o in verdict.outcomes.items():
    kind, family = name[:-1].split(" (")
    key = f"{SHORT[kind]}_{family}"
    glue(f"outcome_{key}", o.outcome)
    glue(f"low_{key}", o.interval.low)
    glue(f"high_{key}", o.interval.high)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *SGD with momentum (primary).* Over the grid of learning rates and momenta, Lookahead's
#   final test accuracy has a spread of {glue:text}`spread_lookahead_sgd:.3f` against
#   {glue:text}`spread_inner_sgd:.3f` for SGD alone; the paired difference lies in
#   [{glue:text}`low_spread_sgd:.3f`, {glue:text}`high_spread_sgd:.3f`]
#   ({glue:text}`outcome_spread_sgd`).
# * *Where Lookahead helps and where it costs.* Its largest gain over plain SGD is at lr
#   {glue:text}`gain_lr:.3g` and momentum {glue:text}`gain_momentum:g`
#   ({glue:text}`gain_inner:.3f` alone, {glue:text}`gain_lookahead:.3f` with Lookahead); its
#   largest loss is at lr {glue:text}`cost_lr:.3g` and momentum {glue:text}`cost_momentum:g`
#   ({glue:text}`cost_inner:.3f` alone, {glue:text}`cost_lookahead:.3f` with Lookahead). Every
#   `k` steps Lookahead keeps only a fraction `alpha` of its inner optimizer's progress, which
#   damps a step that is too large and slows one that is already too small, so with a fixed
#   budget it can both rescue and cost.
# * *Adam.* The spread difference lies in
#   [{glue:text}`low_spread_adam:.3f`, {glue:text}`high_spread_adam:.3f`]
#   ({glue:text}`outcome_spread_adam`).
# * *Tuned learning rates.* Validation picks lr {glue:text}`tuned_lr_inner_sgd:.3g` for SGD
#   alone and {glue:text}`tuned_lr_lookahead_sgd:.3g` inside Lookahead
#   ({glue:text}`tuned_lr_inner_adam:.3g` and {glue:text}`tuned_lr_lookahead_adam:.3g` for
#   Adam). At the picks, test accuracy is {glue:text}`tuned_acc_inner_sgd:.3f` alone and
#   {glue:text}`tuned_acc_lookahead_sgd:.3f` with Lookahead for SGD
#   ({glue:text}`outcome_acc_sgd`), {glue:text}`tuned_acc_inner_adam:.3f` and
#   {glue:text}`tuned_acc_lookahead_adam:.3f` for Adam ({glue:text}`outcome_acc_adam`).
# * *Training loss.* At the same picks, Lookahead's final training loss minus the control's
#   lies in [{glue:text}`low_loss_sgd:.3f`, {glue:text}`high_loss_sgd:.3f`] nats for SGD
#   ({glue:text}`outcome_loss_sgd`) and in [{glue:text}`low_loss_adam:.3f`,
#   {glue:text}`high_loss_adam:.3f`] for Adam ({glue:text}`outcome_loss_adam`).
# * *The sham.* With `sham = True` (alpha = 1) both arms are the same optimizer, the paired
#   spread difference is exactly zero, and the primary cannot pass: the stored sham run is in
#   the verdict box above.

# %% [markdown] tags=[]
# ## Explore
#
# Pick an inner optimizer and a point of its learning-rate grid to see every seed's training
# loss and test accuracy with and without Lookahead. This redraws the runs above; nothing is
# trained again. (In a headless run the view is drawn once, for SGD at its largest learning
# rate.)

# %% tags=["hide-input"]
def show(family, grid_point):
    i = min(grid_point, cfg.grid_points - 1)
    fig, (ax_l, ax_a) = plt.subplots(1, 2, figsize=(11, 3.6))
    for a, arm in enumerate(ARMS):
        for s in range(len(run.seeds)):
            tag = LABEL[family][arm] if s == 0 else None
            at = TUNED_AT[family]
            ax_l.plot(steps_axis, train_loss[family][a, at, i, :, s], color=COLOR[arm],
                      alpha=0.7, label=tag)
            ax_a.plot(steps_axis, test_acc[family][a, at, i, :, s], color=COLOR[arm],
                      alpha=0.7, label=tag)
    ax_l.set(xlabel="step", ylabel="training loss", yscale="log",
             title=f"{NAMES[family]}, lr {GRIDS[family][i]:.3g}: one line per seed")
    ax_a.set(xlabel="step", ylabel="test accuracy", ylim=(0, 1))
    ax_a.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    plt.show()


explore(show,
        family=widgets.ToggleButtons(options=[(NAMES[f], f) for f in FAMILIES], value="sgd",
                                     description="inner"),
        grid_point=widgets.IntSlider(value=cfg.grid_points - 1, min=0,
                                     max=cfg.grid_points - 1, description="lr index"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Scale.* The paper trains ResNets on CIFAR and ImageNet, LSTMs on Penn Treebank and
#   Transformers for translation, for many epochs with learning-rate schedules. We train a
#   two-hidden-layer MLP on 4,000 MNIST-1D signals for 500 steps (12.5 epochs) at a constant
#   learning rate in the quick profile, 3,000 steps on 8,000 signals in the full one; a fifth
#   of the training signals is held out to tune the learning rates.
# * *Robustness grid.* The paper varies the inner learning rate and momentum of SGD on CIFAR;
#   we cross a geometric grid of learning rates (2.5 decades, half a decade apart in the quick
#   profile) with momenta 0.9 and 0.99 for SGD, and vary Adam's learning rate only. The grids
#   were sized from a sham run, where both arms are the control, before the Lookahead arm was
#   run on them: at both momenta they reach from slow progress to failed training, and the
#   control's tuned rate is interior. An earlier version varied SGD's learning rate only.
# * *Spread.* We summarize sensitivity by the standard deviation of final test accuracy over
#   the grid. It depends on the grid's ends: a grid that reaches further into tiny learning
#   rates, where Lookahead lags, counts against it; one that reaches further into large ones,
#   where it rescues diverging runs, counts for it. The paper's grids sit around learning rates
#   tuned for the plain optimizer and long schedules, where the slow side matters less.
# * *Fixed budget.* Every run gets the same 500 steps at a constant learning rate. The
#   paper's runs last for many epochs with decaying learning rates, long enough for a slowed
#   start not to show in the final numbers; ours are short enough that it does.
# * *Sizing.* The width and the step count come from an early sizing run (1,000 steps, seven
#   learning rates per optimizer, same seeds), which also trained the Lookahead arm; the
#   momentum axis was added later and sized on the control alone. The rule was then rewritten
#   for the book's interval rules (primary: SGD's spread over learning rates and momenta;
#   tuning on a validation split; lower training loss, as the paper's curves show) before the
#   stored run, and not changed after it.
#
# **What a reader might try.**
#
# * Change `alpha`: `alpha = 1` is the inner optimizer alone (that is the sham); smaller values
#   pull harder towards the slow weights and slow progress further at small learning rates.
# * Raise `steps`: at small learning rates Lookahead moves only about `alpha` as far per
#   `k` steps as its inner optimizer, so a longer run lets it catch up where it lags.
# * Change `k` (e.g. 10, the paper's other common setting) or `momentum`.
#
# **References.**
#
# * {footcite:t}`zhang2019lookahead`.
# * {footcite:t}`kingma2015adam`.
# * {footcite:t}`greydanus2024scaling`.
#
# ```{footbibliography}
# ```
