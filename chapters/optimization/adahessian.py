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
# # AdaHessian: Adam with a curvature estimate in the denominator
#
# Zhewei Yao, Amir Gholami, Sheng Shen, Mustafa Mustafa, Kurt Keutzer and Michael W. Mahoney
# (2021). *ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning*. AAAI Conference
# on Artificial Intelligence (AAAI 2021). [arXiv:2006.00719](https://arxiv.org/abs/2006.00719)
# {footcite:p}`yao2021adahessian`
#
# Adam divides each gradient coordinate by a running average of its squared gradient, a cheap
# stand-in for how curved the loss is along that coordinate. AdaHessian puts the real thing in
# that place: an estimate of the Hessian's diagonal, obtained without ever forming the Hessian by
# Hutchinson's trick (for a random vector `v` of signs, `v * Hv` is an unbiased estimate of the
# diagonal, and `Hv` costs about one extra backward pass). Averaged over steps and, for
# convolutions, over each kernel, this estimate is smooth enough to precondition with. The paper
# reports accuracy on par with or above Adam and SGD across vision, language and recommendation
# tasks, with less need to tune the learning rate, at two to three times the cost of a step.
# This chapter checks the estimator first and then the optimizer, on a laptop-sized problem.

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
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import dlrepro.run
from dlrepro import curvature, data, models, optim, plot, train
from dlrepro.claims import Check, Claim, Paper, mean_ci, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.tuning import tune

# %% [markdown] tags=[]
# ## The claim
#
# In our words:
#
# 1. **Higher accuracy than Adam, and a flatter learning-rate curve.** On CIFAR-10 the paper's
#    abstract reports AdaHessian 1.80 points above Adam with ResNet-20 and 1.45 points above it
#    with ResNet-32 (where AdaHessian reaches 93.1%), and its robustness study finds that
#    AdaHessian keeps its accuracy over a wider range of learning rates than Adam and AdamW.
#    This is the headline we test, against Adam as the control.
# 2. **The estimator behind it converges.** Hutchinson's estimate of the Hessian diagonal
#    approaches the true diagonal as probes are averaged; its error falls like one over the
#    square root of the number of probes. That is a property of the estimator, true whatever
#    the optimizer does with it, so it is a check here, not a criterion.
# 3. **A step costs a small multiple of Adam's**: the paper measures about 2 to 3 times the time
#    per iteration. We report our ratio; it is not part of the verdict, since timings on a shared
#    laptop CPU say little about a GPU implementation.
#
# We test them on MNIST-1D with small MLPs.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs, `quick`
# is the stored run, `full` is meant for one GPU).

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
sham = False  # True: the AdaHessian arm becomes Adam (the control) and nothing else changes
lr_multipliers = [0.3, 1.0, 3.0, 10.0, 30.0]  # learning rates tried, times each default
probe_counts = [1, 4, 16, 64, 256]  # Hutchinson probes averaged in the estimator check

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 32, "steps": 40, "batch": 128,
              "eval_every": 20, "small_width": 8},
    # 3 optimizers, each one batched run of 5 learning rates x 5 seeds.
    "quick": {"seeds": 5, "samples": 10000, "width": 128, "steps": 500, "batch": 128,
              "eval_every": 100, "small_width": 16},
    # One GPU: wider networks, longer training, more seeds.
    "full": {"seeds": 8, "samples": 40000, "width": 512, "steps": 5000, "batch": 256,
             "eval_every": 500, "small_width": 32},
}
DEFAULT_LR = {"adahessian": 0.15, "adam": 1e-3, "adamw": 1e-3}  # the papers' defaults


def sorted_grid(name, values, kind):
    """The distinct values of a list parameter, sorted; a clear error for anything else."""
    try:
        grid = sorted({kind(v) for v in values})
    except (TypeError, ValueError):
        raise ConfigError(f"{name} must be a list of numbers, got {values!r}") from None
    return grid


MULTIPLIERS = sorted_grid("lr_multipliers", lr_multipliers, float)
PROBES = sorted_grid("probe_counts", probe_counts, int)
if len(MULTIPLIERS) < 3 or min(MULTIPLIERS) <= 0:
    raise ConfigError(f"lr_multipliers needs three or more positive values (a tuned pick must "
                      f"be able to fall inside the grid), got {lr_multipliers}")
if len(PROBES) < 2 or min(PROBES) < 1:
    raise ConfigError(f"probe_counts needs two or more positive integers, got {probe_counts}")
OPTIMIZERS = ("adahessian", "adam", "adamw")

run = dlrepro.run.start("adahessian", profile, seed, device, SETTINGS, sham=sham)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: estimator check MLP 40-"
      f"{cfg.small_width}-10, training MLP 40-{cfg.width}-{cfg.width}-10, {cfg.steps} steps"
      + (" (SHAM: the AdaHessian arm is Adam)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. Each optimizer runs at its default learning rate times each
# multiplier of one shared grid, for every seed, from the same initial weights and on the same
# mini-batches. Its *tuned* learning rate is the grid point with the highest seed-mean final
# accuracy on a validation split held out of the training set (20%), chosen by the same
# procedure for every optimizer; test accuracy is read at that point. A pick at the grid's edge
# leaves the criteria that rest on it undecided. Adam is the control arm; AdamW is shown beside
# it and not judged.
#
# * **Primary**: AdaHessian's test accuracy at its tuned learning rate minus Adam's at its own,
#   paired over seeds, has a 95% interval above 0. With `sham = True` the AdaHessian arm trains
#   exactly Adam, the paired difference is zero and the primary cannot pass.
# * Secondary, robustness: a seed's *good range* is the widest run of neighbouring grid points,
#   around its best one, whose test accuracy is within `ROBUST_MARGIN` (1 point) of that best;
#   its *width* is log10 of the ratio of the run's largest to its smallest learning rate, in
#   decades (0 when only the best point qualifies). AdaHessian's width minus Adam's, paired over
#   seeds, must have a 95% interval above 0. Unlike the range of accuracies over the whole grid,
#   this does not depend on how far beyond the optimum the grid reaches.
# * Check (must hold, never counts): for each seed, a small network at initialization, its
#   exact Hessian diagonal and the relative error `||estimate - diagonal|| / ||diagonal||` of
#   Hutchinson's estimate for each number of probes; the seed's *slope* is that of a
#   least-squares line through log error against log probes. Theory says -1/2; the 95%
#   interval of the slope must lie within [-0.65, -0.35].

# %% tags=["hide-input"]
SLOPE_RANGE = (-0.65, -0.35)
ROBUST_MARGIN = 1.0  # points of test accuracy below a seed's best that still count as good
claim = Claim(
    chapter="adahessian",
    paper=Paper(
        authors="Yao, Z., Gholami, A., Shen, S., Mustafa, M., Keutzer, K. & Mahoney, M. W.",
        year=2021,
        title="ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning",
        venue="AAAI 2021",
        url="https://arxiv.org/abs/2006.00719",
    ),
    statement=("AdaHessian, which preconditions with Hutchinson's estimate of the Hessian "
               "diagonal, reaches a higher accuracy than Adam at tuned learning rates, with "
               "less sensitivity to the learning rate; the estimate itself converges to the "
               "true diagonal."),
    paper_value=("CIFAR-10: AdaHessian +1.80 points over Adam with ResNet-20 and +1.45 with "
                 "ResNet-32 (93.1%); flatter accuracy over learning rates than Adam and AdamW; "
                 "2-3x the time per iteration"),
    primary=superiority(
        "more accurate than Adam at tuned learning rates",
        "AdaHessian's test accuracy at its tuned learning rate minus Adam's at its own, paired "
        "over seeds, in points: 95% interval above 0",
        "tuned_acc_adahessian", "tuned_acc_adam", rests_on=("lr_adahessian", "lr_adam")),
    criteria=(
        superiority(
            "wider good learning-rate range",
            f"width in decades of AdaHessian's good range (neighbouring learning rates within "
            f"{ROBUST_MARGIN:g} point of the seed's best test accuracy) minus Adam's, paired "
            f"over seeds: 95% interval above 0",
            "good_range_adahessian", "good_range_adam"),
    ),
    checks=(
        Check("estimator converges",
              f"slope of log relative error against log probes: 95% interval within "
              f"[{SLOPE_RANGE[0]}, {SLOPE_RANGE[1]}] (theory: -1/2)",
              lambda m: SLOPE_RANGE[0] <= m["hutchinson_slope"].low
              and m["hutchinson_slope"].high <= SLOPE_RANGE[1]),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024), 80% training and 20% test; a fifth of the
# training examples is held out as the validation split that tunes the learning rates.
#
# **Estimator check.** An MLP 40-`small_width`-10 with tanh (a smooth activation, so the
# Hessian is not dominated by ReLU kinks), at its random initialization, on 512 training
# examples. The exact diagonal comes from the dense Hessian (`dlrepro.curvature.dense_hessian`),
# the estimate from `dlrepro.curvature.hutchinson_diagonal` with Rademacher probes.
#
# **Optimizers.** An MLP 40-`width`-`width`-10 with ReLU, the same initial weights for every
# optimizer within a seed; all learning rates and seeds of one optimizer are stacked in a
# `BatchedMLP` and trained together (the Hessian of a sum of independent models is block
# diagonal, so Hutchinson's probes give each model its own estimate), with
# `dlrepro.optim.PerModelRate` giving each stacked model its learning rate (exact for all
# three optimizers: each update is the rate times a quantity that does not depend on it). AdaHessian
# (`dlrepro.optim.AdaHessian`, Hessian power 1, the paper's betas (0.9, 0.999), no weight decay)
# against `torch.optim.Adam` and `torch.optim.AdamW` (weight decay 0.01, torch's default).

# %% tags=["hide-input"]
dataset = data.mnist1d(cfg.samples, seed=42, device=run.device)
x_fit, y_fit, x_val, y_val = data.split_validation(dataset.x_train, dataset.y_train, 0.2,
                                                   run.generator(10_000 + seed))
eval_sets = {"val": (x_val, y_val), "test": (dataset.x_test, dataset.y_test)}
x_small, y_small = dataset.x_train[:512], dataset.y_train[:512]
# The sham trains Adam, at Adam's default learning rate, in the AdaHessian arm.
method = "adam" if sham else "adahessian"
TRAINS = {"adahessian": method, "adam": "adam", "adamw": "adamw"}  # arm -> what it trains


def learning_rate(name: str, multiplier: float) -> float:
    """The learning rate an arm trains with at one multiplier of the shared grid."""
    return DEFAULT_LR[TRAINS[name]] * multiplier


def make_optimizer(name: str, generator_seed: int):
    """One optimizer over all stacked models (multiplier-major), each at its own rate."""
    rates = [learning_rate(name, m) for m in MULTIPLIERS for _ in run.seeds]

    def build(p):
        if TRAINS[name] == "adahessian":
            inner = optim.AdaHessian(p, lr=1.0, generator=run.generator(generator_seed))
        elif name == "adamw":
            inner = torch.optim.AdamW(p, lr=1.0, weight_decay=0.01)
        else:
            inner = torch.optim.Adam(p, lr=1.0)
        return optim.PerModelRate(inner, rates)
    return build


def stacked_networks() -> models.BatchedMLP:
    nets = models.seeded_mlps(run.seeds, dataset.num_features, [cfg.width, cfg.width],
                              dataset.num_classes)
    return models.BatchedMLP.from_models(nets * len(MULTIPLIERS)).to(run.device)


print(f"{y_fit.shape[0]} training, {y_val.shape[0]} validation and {dataset.y_test.shape[0]} "
      f"test examples; {len(OPTIMIZERS)} batched runs of {len(MULTIPLIERS)} learning rates x "
      f"{len(run.seeds)} seeds")

# %% [markdown] tags=[]
# ## Experiment
#
# The estimator against the exact diagonal.

# %% tags=["hide-input"]
errors = np.zeros((len(run.seeds), len(PROBES)))
for k, s in enumerate(run.seeds):
    torch.manual_seed(s)
    small = models.MLP(dataset.num_features, [cfg.small_width], dataset.num_classes,
                       "tanh").double().to(run.device)
    exact = torch.diagonal(curvature.dense_hessian(small, F.cross_entropy, x_small.double(),
                                                   y_small))
    for j, probes in enumerate(PROBES):
        estimate = curvature.flatten(curvature.hutchinson_diagonal(
            small, F.cross_entropy, x_small.double(), y_small, probes, run.generator(s)))
        errors[k, j] = ((estimate - exact).norm() / exact.norm()).item()
slopes = np.array([np.polyfit(np.log(PROBES), np.log(row), 1)[0] for row in errors])
print(f"{exact.numel()} parameters; relative error with {PROBES[0]} probe(s) "
      f"{errors[:, 0].mean():.2f}, with {PROBES[-1]}: {errors[:, -1].mean():.3f}; "
      f"slope {mean_ci(slopes)}")

# %% [markdown] tags=[]
# The three optimizers over the learning-rate grid, and the time per step.

# %% tags=["hide-input"]
config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch, eval_every=cfg.eval_every)
test_acc, val_acc, curves = {}, {}, {}  # name -> (multipliers, seeds), in %; loss curves
seconds_per_step = {}
GRID_SHAPE = (len(MULTIPLIERS), len(run.seeds))
for name in OPTIMIZERS:
    started = time.perf_counter()
    history = train.train_batched(stacked_networks(), x_fit, y_fit, config,
                                  [run.generator(s) for _ in MULTIPLIERS for s in run.seeds],
                                  eval_sets, progress=True,
                                  optimizer=make_optimizer(name, run.seed + 99))
    seconds_per_step[name] = (time.perf_counter() - started) / cfg.steps
    for key, store in (("test_acc", test_acc), ("val_acc", val_acc)):
        final = np.asarray(history[key][-1]).reshape(GRID_SHAPE)
        store[name] = np.nan_to_num(100 * final, nan=10.0)  # diverged: chance level
    loss = np.asarray(history["train_loss"]).reshape(-1, *GRID_SHAPE)  # (evaluations, m, seeds)
    for j, m in enumerate(MULTIPLIERS):
        curves[name, m] = loss[:, j]
    print(f"{name:10s}: " + " | ".join(f"x{m:g} {a:.1f}%" for m, a in
                                       zip(MULTIPLIERS, test_acc[name].mean(axis=1))))
steps = np.asarray(history.steps)
step_ratio = seconds_per_step["adahessian"] / seconds_per_step["adam"]
print("time per step relative to Adam: " + ", ".join(
    f"{name} {seconds_per_step[name] / seconds_per_step['adam']:.1f}x" for name in OPTIMIZERS))

# %% [markdown] tags=[]
# Tune every optimizer on the validation split by the same call, and collect the
# measurements of the rule, one value per seed.

# %% tags=["hide-input"]
def good_range_width(accuracy: np.ndarray, multipliers: list[float]) -> np.ndarray:
    """Per seed (columns of ``accuracy``, rows are grid points): the width in decades of the
    run of neighbouring grid points around the best whose accuracy is within the margin."""
    widths = []
    for column in accuracy.T:
        best = int(np.argmax(column))
        good = column >= column[best] - ROBUST_MARGIN
        low = high = best
        while low > 0 and good[low - 1]:
            low -= 1
        while high < len(column) - 1 and good[high + 1]:
            high += 1
        widths.append(np.log10(multipliers[high] / multipliers[low]))
    return np.array(widths)


picks = [tune(f"lr_{name}", [learning_rate(name, m) for m in MULTIPLIERS], val_acc[name])
         for name in OPTIMIZERS]
pick = dict(zip(OPTIMIZERS, picks))
measurements = {
    "hutchinson_slope": slopes,
    "hutchinson_error_max_probes": errors[:, -1],
    **{f"tuned_acc_{name}": pick[name].at(test_acc[name]) for name in OPTIMIZERS},
    **{f"good_range_{name}": good_range_width(test_acc[name], MULTIPLIERS)
       for name in OPTIMIZERS},
    "step_time_ratio_adahessian_over_adam": step_ratio,
}
for p in picks:
    print("tuned:", p.describe())

# %% [markdown] tags=[]
# ## Results
#
# Left: the estimator's relative error against the number of probes (log-log), one line per
# seed, and the theoretical slope of -1/2. Right: the paper's robustness figure, redrawn: final
# test accuracy against the learning rate relative to each optimizer's default, with 95% bands
# over seeds; dotted lines mark the learning rates tuned on the validation split.

# %% tags=["hide-input"]
plot.use_style()
colors = {"adahessian": plot.ARM_COLORS["method"], "adam": plot.ARM_COLORS["control"],
          "adamw": plot.ARM_COLORS["alternative"]}
names = {"adahessian": ("SHAM: Adam in the AdaHessian arm" if sham
                        else "AdaHessian (default lr 0.15)"),
         "adam": "Adam (default lr 1e-3)", "adamw": "AdamW (default lr 1e-3)"}
fig, (ax_err, ax_lr) = plt.subplots(1, 2, figsize=(11, 4))
for k in range(len(run.seeds)):
    ax_err.plot(PROBES, errors[k], marker="o", color=colors["adahessian"], alpha=0.6,
                label="Hutchinson estimate, per seed" if k == 0 else None)
guide = errors[:, 0].mean() * (np.array(PROBES) / PROBES[0]) ** -0.5
ax_err.plot(PROBES, guide, linestyle="--", color=plot.ARM_COLORS["baseline"],
            label="slope -1/2")
ax_err.set(xscale="log", yscale="log", xlabel="probes averaged",
           ylabel="relative error of the diagonal")
ax_err.legend()
for name in OPTIMIZERS:
    plot.seed_band(ax_lr, MULTIPLIERS, test_acc[name].T, names[name], colors[name])
    ax_lr.axvline(MULTIPLIERS[pick[name].index], color=colors[name], linestyle=":",
                  linewidth=1)
ax_lr.set(xscale="log", xlabel="learning rate / default", ylabel="test accuracy (%)")
ax_lr.legend(loc="lower center")
fig.suptitle(f"Hutchinson's diagonal (left) and AdaHessian vs Adam on MNIST-1D (right), "
             f"{len(run.seeds)} seeds")
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
flat = verdict.outcomes["wider good learning-rate range"]
glue("slope", slopes.mean())
glue("error_one_probe", errors[:, 0].mean())
glue("error_max_probes", errors[:, -1].mean())
glue("max_probes", PROBES[-1])
glue("outcome_primary", verdict.primary.outcome)
glue("outcome_flat", flat.outcome)
glue("flat_low", flat.interval.low)
glue("flat_high", flat.interval.high)
glue("step_ratio", step_ratio)
for name in OPTIMIZERS:
    glue(f"tuned_lr_{name}", pick[name].value)
    glue(f"tuned_mult_{name}", MULTIPLIERS[pick[name].index])
    glue(f"tuned_acc_{name}", measurements[f"tuned_acc_{name}"].mean())
    glue(f"good_range_{name}", measurements[f"good_range_{name}"].mean())
    glue(f"top_acc_{name}", test_acc[name][-1].mean())
glue("top_mult", MULTIPLIERS[-1])
glue("robust_margin", ROBUST_MARGIN)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *Accuracy at tuned learning rates (primary).* Validation picks lr
#   {glue:text}`tuned_lr_adahessian:.3g` for AdaHessian ({glue:text}`tuned_mult_adahessian:g`
#   x its default) and {glue:text}`tuned_lr_adam:.3g` for Adam
#   ({glue:text}`tuned_mult_adam:g` x its default). There, AdaHessian reaches
#   {glue:text}`tuned_acc_adahessian:.1f`% test accuracy and Adam
#   {glue:text}`tuned_acc_adam:.1f`%; the paired difference lies in
#   [{glue:text}`primary_low:.2f`, {glue:text}`primary_high:.2f`] points
#   ({glue:text}`outcome_primary`). AdamW, not judged, reaches
#   {glue:text}`tuned_acc_adamw:.1f`% at its own pick.
# * *Sensitivity to the learning rate.* The learning rates within
#   {glue:text}`robust_margin:g` point of a seed's best span
#   {glue:text}`good_range_adahessian:.2f` decades for AdaHessian and
#   {glue:text}`good_range_adam:.2f` for Adam (seed means); the paired difference lies in
#   [{glue:text}`flat_low:.2f`, {glue:text}`flat_high:.2f`] decades
#   ({glue:text}`outcome_flat`). At the top of the grid, {glue:text}`top_mult:g` x its
#   default, AdaHessian ends at {glue:text}`top_acc_adahessian:.1f`% (a diverged run sits near
#   chance) while Adam ends at {glue:text}`top_acc_adam:.1f`%.
# * *The estimator check holds.* Over {glue:text}`max_probes` probes the relative error of
#   the diagonal falls with slope {glue:text}`slope:.2f` on log-log axes, from
#   {glue:text}`error_one_probe:.1f` with a single probe to
#   {glue:text}`error_max_probes:.2f` with the most. One probe is a very noisy estimate of a
#   single diagonal: AdaHessian relies on averaging over steps (its moving average of the
#   squared estimate) to make it usable.
# * *Cost.* A step took {glue:text}`step_ratio:.1f` x Adam's time here (one timing on a shared
#   CPU, not judged; the paper measures 2-3x).
# * *The sham.* With `sham = True` the AdaHessian arm trains Adam on the same grid, the paired
#   difference is exactly zero and the primary cannot pass: the stored sham run is in the
#   verdict box above.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a learning-rate multiplier to compare the training loss of the three optimizers there.
# (This redraws the runs above; nothing is trained again.)

# %% tags=["hide-input"]
def show(multiplier):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for name in OPTIMIZERS:
        lr = learning_rate(name, multiplier)
        plot.seed_band(ax, steps, curves[name, multiplier].T, f"{names[name]}, lr {lr:.3g}",
                       colors[name], marker=None)
    ax.set(xlabel="training step", ylabel="training loss", yscale="log",
           title=f"learning rate = {multiplier:g} x default")
    ax.legend(loc="upper right")
    fig.tight_layout()
    plt.show()


explore(show, multiplier=widgets.SelectionSlider(options=MULTIPLIERS,
                                                 value=MULTIPLIERS[len(MULTIPLIERS) // 2],
                                                 description="lr x"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Scale.* The paper trains ResNets on CIFAR-10 and ImageNet, transformers for translation and
#   language modelling, and a recommendation model; we train MLPs on MNIST-1D for a few hundred
#   steps (quick profile). Fully connected layers get no spatial averaging, as in the authors'
#   code for linear layers.
# * *Learning rates.* Each optimizer's grid is its default learning rate (0.15 for AdaHessian,
#   as in the paper's image classification runs; 1e-3 for Adam and AdamW) times the same
#   multipliers, 0.3 to 30. The good range counts neighbouring grid points only, so its width
#   does not grow with how far the grid reaches beyond an optimum; its resolution is the grid's
#   spacing, about half a decade. (An earlier version judged the range of accuracies over the
#   whole grid, which a diverging top point decides.) The grid was set from a sizing run of the
#   control (Adam, 5 seeds, 500 steps, multipliers 0.1 to 100): Adam's validation accuracy peaks
#   at 10 x its default and falls on both sides, so the grid reaches 30 x to bracket it. The
#   same sizing run showed AdaHessian's validation accuracy highest at 1 x and diverging at 3 x.
#   An earlier version of this chapter centred the grid on the defaults (0.1 to 10 x), which
#   left Adam's best at the grid's edge; it judged best test accuracies (not tuned on
#   validation) over 3 seeds.
# * *Headline number.* An earlier version of this chapter gave 93.1% as AdaHessian's ResNet-20
#   accuracy; it is the ResNet-32 figure. We quote the gains over Adam from the paper's
#   abstract (1.80 points with ResNet-20, 1.45 with ResNet-32), the quantity the primary
#   criterion compares.
# * *No schedules, no weight decay* for AdaHessian and Adam; AdamW keeps torch's default decay.
# * *Timing.* The step-time ratio is measured in the notebook on whatever machine runs it, and is
#   reported, not judged.
#
# **What to try.** Set the Hessian power below 1 (`optim.AdaHessian(..., hessian_power=0.5)`);
# the paper found it useful for some tasks. Or raise `probe_counts` and watch the error keep
# falling along the -1/2 line.
#
# **References.**
#
# * {footcite:t}`yao2021adahessian`.
# * {footcite:t}`bekas2007estimator`.
# * {footcite:t}`kingma2015adam`.
# * {footcite:t}`loshchilov2019decoupled`.
# * {footcite:t}`greydanus2024scaling`.
#
# ```{footbibliography}
# ```
