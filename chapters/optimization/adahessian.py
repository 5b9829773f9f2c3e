# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
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

# %% tags=[]
# Colab: install the book's library when it is not importable (torch is left as it is).
try:
    import dlrepro  # noqa: F401
except ImportError:
    print("dlrepro not found: installing it from the book's repository")
    # %pip install -q "dlrepro @ git+https://github.com/dlrepro/deep-learning-reproduced"

# %% tags=[]
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import dlrepro.run
from dlrepro import curvature, data, models, optim, plot, train
from dlrepro.claims import Claim, Criterion, Paper
from dlrepro.errors import ConfigError
from dlrepro.explore import explore

# %% [markdown] tags=[]
# ## The claim
#
# In our words, three claims:
#
# 1. **The estimator converges.** Hutchinson's estimate of the Hessian diagonal approaches the
#    true diagonal as probes are averaged; its error falls like one over the square root of the
#    number of probes (the paper's Figure 2 illustrates the estimate on a small problem).
# 2. **Accuracy at least Adam's, with a flatter learning-rate curve.** The paper reports, for
#    example, 93.1% on CIFAR-10 with ResNet-20 (Adam 90.3%, SGD 92.1%), and that AdaHessian
#    keeps its accuracy over a wider range of learning rates than Adam and AdamW.
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
lr_multipliers = [0.1, 0.3, 1.0, 3.0, 10.0]  # learning rates tried, times each default
probe_counts = [1, 4, 16, 64, 256]  # Hutchinson probes averaged in part 1

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 32, "steps": 40, "batch": 128,
              "eval_every": 20, "small_width": 8},
    # Part 2: 3 optimizers x 5 learning rates, 3 seeds stacked per run.
    "quick": {"seeds": 3, "samples": 10000, "width": 128, "steps": 500, "batch": 128,
              "eval_every": 100, "small_width": 16},
    # One GPU: wider networks, longer training, more seeds.
    "full": {"seeds": 5, "samples": 40000, "width": 512, "steps": 5000, "batch": 256,
             "eval_every": 500, "small_width": 32},
}
DEFAULT_LR = {"adahessian": 0.15, "adam": 1e-3, "adamw": 1e-3}  # the papers' defaults
MULTIPLIERS = sorted({float(m) for m in lr_multipliers})
PROBES = sorted({int(p) for p in probe_counts})
if len(MULTIPLIERS) < 2 or min(MULTIPLIERS) <= 0:
    raise ConfigError(f"lr_multipliers needs two or more positive values, got {lr_multipliers}")
if len(PROBES) < 2 or min(PROBES) < 1:
    raise ConfigError(f"probe_counts needs two or more positive integers, got {probe_counts}")
OPTIMIZERS = ("adahessian", "adam", "adamw")

run = dlrepro.run.start("adahessian", profile, seed, device, SETTINGS)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: part 1 MLP 40-"
      f"{cfg.small_width}-10, part 2 MLP 40-{cfg.width}-{cfg.width}-10, {cfg.steps} steps")

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. *Part 1*: for each seed, a small network at initialization,
# its exact Hessian diagonal, and the relative error `||estimate - diagonal|| / ||diagonal||` of
# Hutchinson's estimate for each number of probes; the seed's *slope* is that of a least-squares
# line through log error against log probes (theory: -1/2). *Part 2*: each optimizer runs at its
# default learning rate times each multiplier; the *best* accuracy is the highest mean over
# seeds on the grid (test accuracy at the end of training, in points), and the *spread* of a
# seed is its highest minus its lowest accuracy over the grid. Adam is the control arm; AdamW is
# shown beside it.

# %% tags=[]
claim = Claim(
    chapter="adahessian",
    paper=Paper(
        authors="Yao, Z., Gholami, A., Shen, S., Mustafa, M., Keutzer, K. & Mahoney, M. W.",
        year=2021,
        title="ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning",
        venue="AAAI 2021",
        url="https://arxiv.org/abs/2006.00719",
    ),
    statement=("Hutchinson's estimate of the Hessian diagonal converges to the true diagonal, "
               "and AdaHessian, which preconditions with it, reaches at least Adam's accuracy "
               "with less sensitivity to the learning rate."),
    paper_value=("CIFAR-10 ResNet-20: AdaHessian 93.1% vs Adam 90.3%; flatter accuracy over "
                 "learning rates than Adam/AdamW; 2-3x the time per iteration"),
    headline=("hutchinson_slope", "best_minus_adam", "spread_adahessian_minus_adam"),
    criteria=(
        Criterion("estimator converges",
                  "slope of log relative error against log probes: mean within [-0.65, -0.35]",
                  lambda m: -0.65 <= m["hutchinson_slope"].mean <= -0.35),
        Criterion("accuracy at least Adam's",
                  "best AdaHessian accuracy minus best Adam accuracy (paired over seeds): mean "
                  ">= -1 point",
                  lambda m: m["best_minus_adam"].mean >= -1.0),
        Criterion("flatter over learning rates",
                  "AdaHessian's spread of accuracy over the grid minus Adam's (paired over "
                  "seeds): 95% CI below 0",
                  lambda m: m["spread_adahessian_minus_adam"].high < 0),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024), 80% training and 20% test.
#
# **Part 1.** An MLP 40-`small_width`-10 with tanh (a smooth activation, so the Hessian is not
# dominated by ReLU kinks), at its random initialization, on 512 training examples. The exact
# diagonal comes from the dense Hessian (`dlrepro.curvature.dense_hessian`), the estimate from
# `dlrepro.curvature.hutchinson_diagonal` with Rademacher probes.
#
# **Part 2.** An MLP 40-`width`-`width`-10 with ReLU, the same initial weights for every
# optimizer within a seed; the seeds of one optimizer and learning rate are stacked in a
# `BatchedMLP` and trained together (the Hessian of a sum of independent models is block
# diagonal, so Hutchinson's probes give each model its own estimate). AdaHessian
# (`dlrepro.optim.AdaHessian`, Hessian power 1, the paper's betas (0.9, 0.999), no weight decay)
# against `torch.optim.Adam` and `torch.optim.AdamW` (weight decay 0.01, torch's default).

# %% tags=[]
dataset = data.mnist1d(cfg.samples, seed=42, device=run.device)
eval_sets = {"test": (dataset.x_test, dataset.y_test)}
x_small, y_small = dataset.x_train[:512], dataset.y_train[:512]


def make_optimizer(name: str, lr: float, generator_seed: int):
    if name == "adahessian":
        return lambda p: optim.AdaHessian(p, lr=lr, generator=run.generator(generator_seed))
    if name == "adam":
        return lambda p: torch.optim.Adam(p, lr=lr)
    return lambda p: torch.optim.AdamW(p, lr=lr, weight_decay=0.01)


def stacked_networks() -> models.BatchedMLP:
    nets = models.seeded_mlps(run.seeds, dataset.num_features, [cfg.width, cfg.width],
                              dataset.num_classes)
    return models.BatchedMLP.from_models(nets).to(run.device)

# %% [markdown] tags=[]
# ## Experiment
#
# Part 1: the estimator against the exact diagonal.

# %% tags=[]
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
      f"slope {slopes.mean():.2f}")

# %% [markdown] tags=[]
# Part 2: the three optimizers over the learning-rate grid, and the time per step.

# %% tags=[]
config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch, eval_every=cfg.eval_every)
accuracy = {}  # (optimizer, multiplier) -> final test accuracy per seed, in %
curves = {}  # (optimizer, multiplier) -> training loss (evaluations, seeds)
seconds_per_step = {}
for name in OPTIMIZERS:
    elapsed = 0.0
    for m in MULTIPLIERS:
        started = time.perf_counter()
        history = train.train_batched(stacked_networks(), dataset.x_train, dataset.y_train,
                                      config, [run.generator(s) for s in run.seeds], eval_sets,
                                      progress=True,
                                      optimizer=make_optimizer(name, DEFAULT_LR[name] * m,
                                                               run.seed + 99))
        elapsed += time.perf_counter() - started
        final = 100 * history["test_acc"][-1]
        accuracy[name, m] = np.nan_to_num(final, nan=10.0)
        curves[name, m] = history["train_loss"]
    seconds_per_step[name] = elapsed / (len(MULTIPLIERS) * cfg.steps)
    print(f"{name:10s}: " + " | ".join(f"x{m:g} {accuracy[name, m].mean():.1f}%"
                                       for m in MULTIPLIERS))
steps = np.asarray(history.steps)
print("time per step relative to Adam: " + ", ".join(
    f"{name} {seconds_per_step[name] / seconds_per_step['adam']:.1f}x" for name in OPTIMIZERS))

# %% [markdown] tags=[]
# ## Results
#
# Left: the estimator's relative error against the number of probes (log-log), one line per
# seed, and the theoretical slope of -1/2. Right: the paper's robustness figure, redrawn: final
# test accuracy against the learning rate relative to each optimizer's default, with 95% bands
# over seeds.

# %% tags=[]
plot.use_style()
colors = {"adahessian": plot.ARM_COLORS["method"], "adam": plot.ARM_COLORS["control"],
          "adamw": plot.ARM_COLORS["alternative"]}
names = {"adahessian": "AdaHessian (default lr 0.15)", "adam": "Adam (default lr 1e-3)",
         "adamw": "AdamW (default lr 1e-3)"}
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
    plot.seed_band(ax_lr, MULTIPLIERS, np.stack([accuracy[name, m] for m in MULTIPLIERS],
                                                axis=1), names[name], colors[name])
ax_lr.set(xscale="log", xlabel="learning rate / default", ylabel="test accuracy (%)")
ax_lr.legend(loc="lower center")
fig.suptitle(f"Hutchinson's diagonal (left) and AdaHessian vs Adam on MNIST-1D (right), "
             f"{len(run.seeds)} seeds")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict

# %% tags=[]
best = {name: max(MULTIPLIERS, key=lambda m, n=name: accuracy[n, m].mean())
        for name in OPTIMIZERS}
spread = {name: np.ptp(np.stack([accuracy[name, m] for m in MULTIPLIERS]), axis=0)
          for name in OPTIMIZERS}
measurements = {
    "hutchinson_slope": slopes,
    "hutchinson_error_max_probes": errors[:, -1],
    "best_minus_adam": accuracy["adahessian", best["adahessian"]] - accuracy["adam", best["adam"]],
    "spread_adahessian_minus_adam": spread["adahessian"] - spread["adam"],
    **{f"best_acc_{name}": accuracy[name, best[name]] for name in OPTIMIZERS},
    **{f"spread_{name}": spread[name] for name in OPTIMIZERS},
    "step_time_ratio_adahessian_over_adam": seconds_per_step["adahessian"]
    / seconds_per_step["adam"],
}
verdict = claim.judge(measurements, run)
verdict.save()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% [markdown] tags=[]
# **Reading the stored quick run** (3 seeds, 500 steps): PARTLY REPRODUCED. The estimator
# behaves exactly as theory says; the optimizer claims do not hold on our grid.
#
# * *The estimator converges at the predicted rate.* Over 1 to 256 probes the relative error of
#   the diagonal falls with slope -0.50 ± 0.01 on log-log axes, from about 6 with a single
#   probe to 0.37 with 256. One probe is a very noisy estimate of a single diagonal: AdaHessian
#   relies on averaging over steps (its momentum on the squared estimate) to make it usable.
# * *Accuracy: behind Adam.* AdaHessian's best, 64.8% at its default learning rate 0.15, is
#   3.6 ± 4.2 points below Adam's best (68.3%, at 10x its default), and the criterion fails.
# * *Sensitivity: the opposite of the claim on this grid.* AdaHessian diverges at 3x and 10x
#   its default (counted at chance, 10%), so its accuracy spans 55 points of the grid against 40
#   for Adam. Adam, for its part, is still improving at the top of its grid (1e-2), so its best
#   is not bracketed: with only 500 steps, large learning rates win.
# * *Cost.* A step took 2.5x Adam's time here, inside the paper's 2-3x (one timing on a CPU,
#   not judged).
#
# Our reading: centring both grids on each method's published default was a choice fixed
# before the run, and it matters. The paper's robustness comparison covers the region around
# well-tuned rates for long training; at our short budget the useful range of Adam lies above
# its default, while AdaHessian's upper limit is set by stability (a preconditioner that is
# small along flat directions allows large steps there). A longer run or a grid centred on each
# optimizer's own best rate would be the fairer test; the full profile trains ten times longer.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a learning-rate multiplier to compare the training loss of the three optimizers there.
# (This redraws the runs above; nothing is trained again.)

# %% tags=[]
def show(multiplier):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    for name in OPTIMIZERS:
        plot.seed_band(ax, steps, curves[name, multiplier].T, f"{name}, lr "
                       f"{DEFAULT_LR[name] * multiplier:.3g}", colors[name], marker=None)
    ax.set(xlabel="training step", ylabel="training loss", yscale="log",
           title=f"learning rate = {multiplier:g} x default")
    ax.legend(loc="upper right")
    fig.tight_layout()
    plt.show()


explore(show, multiplier=widgets.SelectionSlider(options=MULTIPLIERS, value=1.0,
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
#   multipliers. The grid choice fixes what "flatter" is measured against.
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
# * Yao, Z. et al. (2021). ADAHESSIAN: An Adaptive Second Order Optimizer for Machine Learning.
#   *AAAI 2021*. [arXiv:2006.00719](https://arxiv.org/abs/2006.00719)
# * Bekas, C., Kokiopoulou, E. & Saad, Y. (2007). An estimator for the diagonal of a matrix.
#   *Applied Numerical Mathematics* 57, 1214-1229.
#   [doi:10.1016/j.apnum.2007.01.003](https://doi.org/10.1016/j.apnum.2007.01.003)
# * Kingma, D. P. & Ba, J. (2015). Adam: A Method for Stochastic Optimization. *ICLR 2015*.
#   [arXiv:1412.6980](https://arxiv.org/abs/1412.6980)
# * Greydanus, S. & Kobak, D. (2024). Scaling down deep learning with MNIST-1D. *ICML 2024*.
#   [arXiv:2011.14439](https://arxiv.org/abs/2011.14439)
