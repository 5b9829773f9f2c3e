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
# # Learning rates as a function of batch size
#
# Diego Granziol, Stefan Zohren and Stephen Roberts (2022). *Learning Rates as a Function of
# Batch Size: A Random Matrix Theory Approach to Neural Network Training*. Journal of Machine
# Learning Research 23 (2022). [arXiv:2006.09092](https://arxiv.org/abs/2006.09092)
# {footcite:p}`granziol2022learning`
#
# Whoever changes the batch size has to change the learning rate too, and practice has long
# relied on rules of thumb for how: multiply the learning rate by the factor the batch grew by
# (the "linear scaling rule" of Goyal et al., 2017) for SGD, and something gentler for Adam.
# Granziol, Zohren and Roberts derive both rules from one picture of the loss surface. The
# Hessian of the loss on a mini-batch is the Hessian of the full training loss plus a random
# perturbation whose size shrinks as the batch grows; random matrix theory says that such a
# perturbation pushes the *extreme* eigenvalues outwards, so a small batch sees a sharper
# surface than the full data set does. Since the largest eigenvalue bounds the learning rate at
# which a gradient step stays stable, small batches need smaller learning rates. For SGD the
# paper's analysis gives a largest learning rate proportional to the batch size; for adaptive
# methods such as Adam, whose per-coordinate step is divided by a noisy estimate of the
# gradient's size, it gives a square root. Both hold only up to a batch size beyond which the
# mini-batch looks like the full data and the learning rate saturates. The square-root rule for
# adaptive methods was, to the authors' knowledge, new.

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
import torch.nn.functional as F
from scipy.stats import spearmanr
from tqdm.auto import tqdm

import dlrepro.run
from dlrepro.claims import Check, Claim, Paper, equivalence, mean_ci, superiority
from dlrepro.curvature import top_eigenvalues
from dlrepro.data import digits
from dlrepro.errors import ConfigError
from dlrepro.explore import explore, headless
from dlrepro.glue import glue
from dlrepro.models import BatchedMLP, seeded_mlps
from dlrepro.optim import PerModelRate
from dlrepro.plot import ARM_COLORS, mean_band, seed_band, use_style
from dlrepro.train import TrainConfig, epoch_batches, evaluate_batched, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words:
#
# 1. **Learning-rate scaling.** Below a saturation batch size, the largest learning rate that
#    still trains well grows in proportion to the batch size *B* for SGD (a slope of 1 on
#    log-log axes) and in proportion to its square root for Adam (a slope of 1/2). Above the
#    saturation point it stops growing.
# 2. **Sharper mini-batch curvature.** The largest eigenvalue of the Hessian of the loss on a
#    mini-batch exceeds the largest eigenvalue of the full-data Hessian, and it falls towards
#    it as the batch grows.
#
# The paper proves the eigenvalue result for a spiked, field-dependent random-matrix model of
# the batch Hessian (and of its Gauss-Newton approximation) and derives the learning-rate rules
# from it. Its experiments train VGG and WideResNet networks on CIFAR-100 and ImageNet over a
# range of batch sizes: the learning rate that works best follows the linear rule for SGD and
# the square-root rule for Adam until it levels off at large batches, and Lanczos estimates of
# the Hessian spectrum show the extreme eigenvalues of mini-batch Hessians lying beyond those of
# the full-data Hessian. The paper's headline numbers are therefore the two exponents, **1 for
# SGD and 1/2 for Adam**. Our version is much smaller: scikit-learn's 8x8 digits and a small MLP
# (see *Setup* and *Notes*).

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
sham = False  # True: the Adam arm trains with SGD on SGD's grid (the control)
width = None  # units in each of the two hidden layers; None keeps the profile's value
epochs = None  # training budget per run, in epochs; None keeps the profile's value
loss_threshold = 0.5  # a run "trains" when its final training loss is below this (chance: 2.30)
fit_max_batch = 64  # the log-log slopes are fitted on batch sizes up to this one

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "batch_sizes": [16, 64, 256], "width": 16, "epochs": 2,
              "min_steps": 10, "per_octave": 2, "sgd_lrs": (2**-2, 2**2),
              "adam_lrs": (2**-7, 2**-2), "hessian_batches": 1, "lanczos_steps": 8},
    # Seven batch sizes from 8 to 512, learning rates a quarter octave apart, five seeds.
    "quick": {"seeds": 5, "batch_sizes": [8, 16, 32, 64, 128, 256, 512], "width": 32,
              "epochs": 10, "min_steps": 30, "per_octave": 4, "sgd_lrs": (2**-3, 2**2.25),
              "adam_lrs": (2**-8, 2**-1.5), "hessian_batches": 5, "lanczos_steps": 12},
    # One GPU: batch sizes 4 to 1024, an eighth-octave grid, a wider MLP, eight seeds.
    "full": {"seeds": 8, "batch_sizes": [4, 8, 16, 32, 64, 128, 256, 512, 1024], "width": 64,
             "epochs": 20, "min_steps": 60, "per_octave": 8, "sgd_lrs": (2**-5, 2**3),
             "adam_lrs": (2**-10, 2**0), "hessian_batches": 16, "lanczos_steps": 20},
}
run = dlrepro.run.start("batch_size_learning_rate", profile, seed, device, SETTINGS,
                        overrides={"width": width, "epochs": epochs}, sham=sham)
cfg = run.settings
BATCHES = sorted(int(b) for b in cfg.batch_sizes)
FIT = [b for b in BATCHES if b <= fit_max_batch]
if len(FIT) < 2:
    raise ConfigError(f"fit_max_batch={fit_max_batch} leaves fewer than two of the batch sizes "
                      f"{BATCHES} to fit a slope on; raise it")
if not 0.0 < loss_threshold < np.log(10):
    raise ConfigError(f"loss_threshold must lie between 0 and ln 10 = 2.30 (chance), "
                      f"got {loss_threshold}")
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: batch sizes {BATCHES}, "
      f"MLP 2 x {cfg.width}, {cfg.epochs} epochs (at least {cfg.min_steps} steps) per run"
      + (" (SHAM: the Adam arm is SGD)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs.
#
# **Largest learning rate.** For every optimizer, batch size and seed we train one network at
# each learning rate of a geometric grid (`per_octave` rates per doubling) for a fixed budget of
# `epochs` epochs (but at least `min_steps` steps, so that the largest batches take more than a
# handful of steps). A run *trains* when its final loss on the whole training set is finite and
# below `loss_threshold` (0.5, against 2.30 for a uniform guess). The *largest learning rate*
# `lr_max(B)` is the top of the unbroken stretch of training runs that contains the run with the
# lowest final loss: going up the grid from the best learning rate, the last rate before the
# first run that fails. (Too small a rate can also miss the threshold, for lack of steps; this
# definition ignores that lower edge.)
#
# **Slopes.** Per seed, we fit a straight line to `log lr_max` against `log B` over the batch
# sizes up to `fit_max_batch` (8 to 64). This range was fixed after a pilot run, in which
# SGD's largest learning rate stopped growing beyond B = 128: the paper's scaling laws are meant
# to hold only below that saturation point. Slopes over the whole range are printed beside.
#
# **Criteria.** Each reads the 95% t interval over seeds.
#
# * **Primary: SGD's learning rate grows faster with the batch than Adam's.** SGD's slope
#   minus Adam's, paired over seeds (the same initial weights and mini-batches within a seed):
#   the interval lies above 0. The theory says 1 - 1/2 = 1/2. The sham trains the Adam arm
#   with SGD on SGD's grid, so both slopes are the same in every seed and the difference is
#   exactly zero: undecided, never a pass.
# * **SGD's slope is near 1**: the interval lies within 0.25 of 1 (closer to 1 than to the
#   other optimizer's 1/2), which also excludes the null slope 0 of a learning rate that does
#   not depend on B.
# * **Adam's slope is near 1/2**: the interval lies within 0.25 of 0.5.
#
# **Checks (must hold, never count).**
#
# * *The grid brackets every edge*: in the fit range, no largest learning rate sits at the top
#   of its grid (it would only be a lower bound) and every sweep has a run that trains.
# * *Mini-batch curvature is sharper*: the largest Hessian eigenvalue of the loss on a
#   mini-batch, averaged over random batches, is at least the full-data one. This is the
#   paper's eigenvalue result in its simplest form, and it holds whatever the network: the
#   full-data Hessian is the average of the mini-batch Hessians, and the largest eigenvalue is
#   a convex function of a symmetric matrix, so by Jensen's inequality the average of the
#   mini-batch top eigenvalues is at least the top eigenvalue of the average. It is a check on
#   the Lanczos estimates: at every batch size the seed mean must be at least 0.95 times the
#   full-data value (the 5% allowing for the few random batches and Lanczos steps), and at the
#   smallest batch size the ratio must exceed 1 in every seed. How fast the eigenvalue falls
#   towards the full-data value as B grows is measured and reported, not judged.
#
# **Curvature.** At a reference point (each seed's network after `epochs` epochs of SGD at
# B = 64 and learning rate 0.1), we measure the largest Hessian eigenvalue of the loss on
# `hessian_batches` random mini-batches of every size, average them, and compare with the
# full-data Hessian (B = N).

# %% tags=["hide-input"]
NEAR = 0.25  # tolerance around a theory slope
JENSEN_TOL = 0.05  # estimation error allowed to the curvature check


def jensen_holds(m):
    ratios = [m[f"sharpness_ratio_B{b}"] for b in BATCHES]
    return min(r.mean for r in ratios) >= 1 - JENSEN_TOL and min(ratios[0].values) > 1


claim = Claim(
    chapter="batch_size_learning_rate",
    paper=Paper(
        authors="Granziol, D., Zohren, S. & Roberts, S.",
        year=2022,
        title=("Learning Rates as a Function of Batch Size: A Random Matrix Theory Approach to "
               "Neural Network Training"),
        venue="Journal of Machine Learning Research 23",
        url="https://arxiv.org/abs/2006.09092",
    ),
    statement=("Below a saturation batch size, the largest learning rate grows linearly with the "
               "batch size for SGD and as its square root for Adam; the largest eigenvalue of "
               "the mini-batch Hessian exceeds the full-data Hessian's."),
    paper_value=("log-log slope of the largest (best) learning rate against batch size: 1 for "
                 "SGD, 1/2 for Adam, below saturation (VGG / WideResNet on CIFAR-100, "
                 "ImageNet); extreme eigenvalues of mini-batch Hessians beyond the full-data "
                 "Hessian's"),
    primary=superiority(
        "SGD steeper than Adam",
        f"log-log slope of the largest learning rate against B (B = {FIT[0]}..{FIT[-1]}), SGD "
        "minus Adam, paired over seeds: 95% interval above 0 (theory: 1/2)",
        "slope_sgd", "slope_adam"),
    criteria=(
        equivalence("SGD scales linearly", f"SGD slope (B = {FIT[0]}..{FIT[-1]}): 95% interval "
                    f"within 1 ± {NEAR}", "slope_sgd", 1.0, NEAR),
        equivalence("Adam scales as a square root", f"Adam slope (B = {FIT[0]}..{FIT[-1]}): 95% "
                    f"interval within 0.5 ± {NEAR}", "slope_adam", 0.5, NEAR),
    ),
    checks=(
        Check("the grid brackets every edge",
              "in the fit range no largest learning rate is at the top of its grid and every "
              "sweep has a run that trains",
              lambda m: all(max(m[f"{k}_{o}"].values) == 0
                            for k in ("censored", "untrained") for o in ("sgd", "adam"))),
        Check("mini-batch Hessians are sharper (Jensen)",
              f"at every B the seed mean of the mini-batch top eigenvalue over the full-data one "
              f"is >= {1 - JENSEN_TOL:g}, and at B = {BATCHES[0]} it exceeds 1 in every seed",
              jensen_holds),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** scikit-learn's 8x8 handwritten digits (1,797 images; 1,348 for training after a
# 25% test split), flattened to 64 standardized features. It ships with scikit-learn and is
# easy enough that a small MLP drives its training loss close to zero, so "trains" versus
# "fails" is a sharp distinction.
#
# **Model.** An MLP with two hidden layers of `width` ReLU units (3,466 parameters at width 32),
# cross-entropy loss, no weight decay. **Optimizers**: plain SGD (no momentum) and Adam with
# PyTorch's defaults (betas 0.9 and 0.999, eps 1e-8), both in PyTorch's fused implementation;
# the learning rate is constant.
#
# **Batched training with a learning rate per model.** For one optimizer and one batch size,
# every (seed, learning rate) pair is one model of a `BatchedMLP`, and all are trained in one
# pass. Within a seed, all learning rates start from the same initial weights and see the same
# mini-batches, so they differ only in the learning rate. `torch.optim` keeps one learning rate
# per parameter *tensor*, and a `BatchedMLP` stacks all models in one tensor; so
# `dlrepro.optim.PerModelRate` runs the optimizer at learning rate 1 and then scales each
# model's step by its own rate. For SGD and Adam
# without weight decay this equals training each model at its own rate (up to float rounding):
# their step is proportional to the learning rate, while their state (momentum, moment
# estimates) does not depend on it.

# %% tags=["hide-input"]
data = digits(device=run.device)
x, y = data.x_train, data.y_train
n = y.shape[0]
if BATCHES[-1] > n:
    raise ConfigError(f"batch size {BATCHES[-1]} exceeds the {n} training examples")


def lr_grid(bounds):
    """Geometric grid, ``per_octave`` points per doubling, over ``bounds`` (both included)."""
    low, high = (round(np.log2(b) * cfg.per_octave) for b in bounds)
    return 2.0 ** (np.arange(low, high + 1) / cfg.per_octave)


# The sham swaps the Adam arm's optimizer and grid for SGD's, under Adam's name.
LRS = {"sgd": lr_grid(cfg.sgd_lrs), "adam": lr_grid(cfg.sgd_lrs if sham else cfg.adam_lrs)}
OPTIMIZERS = {"sgd": torch.optim.SGD, "adam": torch.optim.SGD if sham else torch.optim.Adam}
NAMES = {"sgd": "SGD", "adam": "Adam"}


def initial_networks(copies):
    """Each seed's initial MLP, repeated ``copies`` times (seed-major order)."""
    nets = seeded_mlps(run.seeds, data.num_features, [cfg.width, cfg.width], data.num_classes)
    return [net for net in nets for _ in range(copies)]


def steps_for(batch_size):
    return max(cfg.epochs * n // batch_size, cfg.min_steps)


def final_losses(name, batch_size):
    """Train one model per (seed, learning rate) at ``batch_size``; final training loss, shape
    (seeds, learning rates). A run that diverges ends with a non-finite loss."""
    lrs = LRS[name]
    model = BatchedMLP.from_models(initial_networks(len(lrs))).to(run.device)
    rates = torch.tensor(np.tile(lrs, len(run.seeds)), dtype=torch.float32, device=run.device)
    optimizer = PerModelRate(OPTIMIZERS[name](model.parameters(), lr=1.0, fused=True),
                             rates)
    streams = [epoch_batches(n, batch_size, run.generator(s)) for s in run.seeds]
    for _ in range(steps_for(batch_size)):
        idx = torch.stack([next(s) for s in streams]).repeat_interleave(len(lrs), dim=0)
        logits = model(x[idx])
        loss = F.cross_entropy(logits.transpose(1, 2), y[idx], reduction="none").mean(1)
        optimizer.zero_grad(set_to_none=True)
        loss.sum().backward()  # every model gets its own gradient
        optimizer.step()
    final, _ = evaluate_batched(model, x, y)
    return final.reshape(len(run.seeds), len(lrs))


print(f"{len(run.seeds)} seeds x {len(LRS['sgd'])} SGD rates ({LRS['sgd'][0]:.3g} to "
      f"{LRS['sgd'][-1]:.3g}) and x {len(LRS['adam'])} Adam rates ({LRS['adam'][0]:.3g} to "
      f"{LRS['adam'][-1]:.3g}); steps per batch size: "
      + ", ".join(f"{b}: {steps_for(b)}" for b in BATCHES))

# %% [markdown] tags=[]
# ## Experiment
#
# **Learning-rate sweeps.** One batched run per optimizer and batch size.

# %% tags=["hide-input"]
losses = {name: np.zeros((len(run.seeds), len(BATCHES), len(LRS[name]))) for name in LRS}
jobs = [(name, j, b) for name in LRS for j, b in enumerate(BATCHES)]
for name, j, b in tqdm(jobs, desc="sweeps", disable=headless()):
    losses[name][:, j] = final_losses(name, b)
print(f"trained {sum(len(LRS[m]) for m in LRS) * len(BATCHES) * len(run.seeds)} networks in "
      f"{run.elapsed():.0f} s since start")


def largest_lr(final, lrs):
    """Top of the unbroken stretch of training runs around the best one; ``(lr, censored)``,
    censored when the stretch reaches the top of the grid (the true edge lies above it)."""
    ok = np.isfinite(final) & (final < loss_threshold)
    i = int(np.nanargmin(np.where(np.isfinite(final), final, np.inf)))
    if not ok[i]:
        return np.nan, False
    while i + 1 < len(lrs) and ok[i + 1]:
        i += 1
    return lrs[i], i == len(lrs) - 1


lr_max, censored = {}, {}
for name in LRS:
    edges = [[largest_lr(losses[name][k, j], LRS[name]) for j in range(len(BATCHES))]
             for k in range(len(run.seeds))]
    lr_max[name] = np.array([[e[0] for e in row] for row in edges])
    censored[name] = np.array([[e[1] for e in row] for row in edges])
    if censored[name].any():
        print(f"warning: {NAMES[name]} trains up to the top of its grid at some batch sizes; "
              "the largest learning rate there is a lower bound")
    if np.isnan(lr_max[name]).any():
        print(f"warning: no {NAMES[name]} run reached the loss threshold at some batch sizes")

# %% [markdown] tags=[]
# **Curvature.** Each seed's reference network, then the largest Hessian eigenvalue (Lanczos on
# Hessian-vector products, `dlrepro.curvature.top_eigenvalues`) of the loss on random
# mini-batches of every size, and on the whole training set.

# %% tags=["hide-input"]
reference = BatchedMLP.from_models(initial_networks(1)).to(run.device)
train_batched(reference, x, y, TrainConfig(steps=steps_for(64), batch_size=64, lr=0.1,
                                           optimizer="sgd", momentum=0.0,
                                           eval_every=steps_for(64)),
              [run.generator(100 + s) for s in run.seeds])
nets = reference.unstack()

sharpness = np.zeros((len(run.seeds), len(BATCHES)))  # mean over batches
sharpness_full = np.zeros(len(run.seeds))
for k, (s, net) in enumerate(zip(run.seeds, nets, strict=True)):
    g = run.generator(200 + s)
    sharpness_full[k] = top_eigenvalues(net, F.cross_entropy, x, y, k=1,
                                        iterations=cfg.lanczos_steps, generator=g).item()
    for j, b in enumerate(BATCHES):
        values = []
        for _ in range(cfg.hessian_batches):
            idx = torch.randperm(n, generator=g, device=g.device)[:b].to(run.device)
            values.append(top_eigenvalues(net, F.cross_entropy, x[idx], y[idx], k=1,
                                          iterations=cfg.lanczos_steps, generator=g).item())
        sharpness[k, j] = np.mean(values)
print(f"reference networks: training loss {evaluate_batched(reference, x, y)[0].round(3)}; "
      f"Hessian eigenvalues measured in {run.elapsed():.0f} s since start")

# %% [markdown] tags=[]
# The measurements, one value per seed.

# %% tags=["hide-input"]
log_b = np.log2(BATCHES)
in_fit = np.isin(BATCHES, FIT)


def slopes(values, mask):
    """Per-seed least-squares slope of log lr_max against log B over the batch sizes in mask."""
    out = []
    for row in values:
        keep = mask & np.isfinite(row)
        out.append(np.polyfit(log_b[keep], np.log2(row[keep]), 1)[0] if keep.sum() >= 2
                   else np.nan)
    return np.array(out)


slope = {name: slopes(lr_max[name], in_fit) for name in LRS}
slope_all = {name: slopes(lr_max[name], np.ones(len(BATCHES), bool)) for name in LRS}
measurements = {}
for name in LRS:
    measurements[f"censored_{name}"] = censored[name][:, in_fit].sum(axis=1)
    measurements[f"untrained_{name}"] = np.isnan(lr_max[name][:, in_fit]).sum(axis=1)
    if not np.isfinite(slope[name]).all():
        raise ConfigError(f"{NAMES[name]}: no run reached loss {loss_threshold} at too many batch "
                          f"sizes to fit a slope; raise epochs or loss_threshold")
    measurements[f"slope_{name}"] = slope[name]
    if np.isfinite(slope_all[name]).all():  # reported only
        measurements[f"slope_{name}_all_batches"] = slope_all[name]
for j, b in enumerate(BATCHES):
    measurements[f"sharpness_ratio_B{b}"] = sharpness[:, j] / sharpness_full
measurements["sharpness_spearman"] = [spearmanr(BATCHES, row).statistic for row in sharpness]
measurements["sharpness_full"] = sharpness_full
measurements["sharpness_slope"] = slopes(sharpness, in_fit)

print(f"mean ± 95% CI over {len(run.seeds)} seeds")
print(f"{'B':>6} {'SGD lr_max':>16} {'Adam lr_max':>16} {'top eigenvalue':>16}")
for j, b in enumerate(BATCHES):
    cells = [mean_ci(lr_max[m][:, j], ".3g") if np.isfinite(lr_max[m][:, j]).all() else "n/a"
             for m in LRS]
    print(f"{b:>6} {cells[0]:>16} {cells[1]:>16} {mean_ci(sharpness[:, j], '.3g'):>16}")
print(f"{'N=' + str(n):>6} {'':>16} {'':>16} {mean_ci(sharpness_full, '.3g'):>16}")
for name in LRS:
    print(f"{NAMES[name]} slope: B = {FIT[0]}..{FIT[-1]}: {mean_ci(slope[name], '.3g')}; "
          f"all batch sizes: {mean_ci(slope_all[name], '.3g')}")

# %% [markdown] tags=[]
# ## Results
#
# Left, the paper's learning-rate figure re-drawn from our runs: the largest learning rate
# against the batch size on log-log axes (seed means of its logarithm with 95% bands), the
# fitted lines over the fit range (wide and pale; the grey region marks the fit range) and the
# theory slopes 1 and 1/2 drawn through the smallest batch's value (dotted). Right, the largest
# eigenvalue of the mini-batch Hessian against the batch size, with the full-data Hessian's as
# a horizontal line.

# %% tags=["hide-input"]
use_style()
COLORS = {"sgd": ARM_COLORS["method"], "adam": ARM_COLORS["alternative"]}
THEORY = {"sgd": 1.0, "adam": 0.5}


fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(12, 4.2))
for name in LRS:
    centre, half = mean_band(np.log2(lr_max[name]))  # seed mean and 95% band, in log2 units
    ax_a.plot(BATCHES, 2.0 ** centre, marker="o", markersize=4, color=COLORS[name],
              label=f"{NAMES[name]}: slope {np.mean(slope[name]):.2f} (B <= {FIT[-1]})")
    ax_a.fill_between(BATCHES, 2.0 ** (centre - half), 2.0 ** (centre + half),
                      color=COLORS[name], alpha=0.2, linewidth=0)
    if np.isfinite(centre[in_fit]).all():
        fit = np.polyfit(log_b[in_fit], centre[in_fit], 1)
        ax_a.plot(FIT, 2.0 ** np.polyval(fit, log_b[in_fit]), color=COLORS[name],
                  linewidth=4, alpha=0.35)
    ax_a.plot(BATCHES, 2.0 ** (centre[0] + THEORY[name] * (log_b - log_b[0])),
              color=COLORS[name], linestyle=":", linewidth=1.2,
              label=f"theory slope {THEORY[name]:g}")
ax_a.axvspan(BATCHES[0], FIT[-1], color=ARM_COLORS["baseline"], alpha=0.06, linewidth=0)
ax_a.set(xscale="log", yscale="log", xlabel="batch size B", ylabel="largest learning rate",
         title="(a) largest learning rate that trains")
ax_a.set_xticks(BATCHES, [str(b) for b in BATCHES])
ax_a.legend(loc="lower right")

seed_band(ax_b, BATCHES, sharpness, "mini-batch Hessian", color=ARM_COLORS["method"])
ax_b.axhline(sharpness_full.mean(), color=ARM_COLORS["control"], linestyle="--",
             label=f"full data (N = {n})")
ax_b.set(xscale="log", yscale="log", xlabel="batch size B", ylabel="largest Hessian eigenvalue",
         title="(b) curvature seen by a mini-batch")
ax_b.set_xticks(BATCHES, [str(b) for b in BATCHES])
ax_b.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
ax_b.yaxis.set_minor_formatter(plt.FuncFormatter(lambda v, _: f"{v:g}"))
ax_b.legend(loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=["hide-input"]
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=["hide-input"]
# Numbers for the discussion below, glued so that the text reads them from this run.
glue("seeds", len(run.seeds))
glue("near", NEAR)
for key, b in (("first", BATCHES[0]), ("fit_last", FIT[-1]), ("last", BATCHES[-1])):
    glue(f"b_{key}", b)
for name in LRS:
    lr_mean = 2.0 ** np.log2(lr_max[name]).mean(axis=0)  # geometric mean over seeds
    glue(f"lr_{name}_first", lr_mean[0])
    glue(f"lr_{name}_fit_last", lr_mean[in_fit][-1])
    glue(f"lr_{name}_last", lr_mean[-1])
    glue(f"slope_{name}", slope[name].mean())
    glue(f"slope_all_{name}", slope_all[name].mean())
for name, key in (("SGD scales linearly", "sgd"), ("Adam scales as a square root", "adam")):
    o = verdict.outcomes[name]
    glue(f"outcome_{key}", o.outcome)
    glue(f"low_{key}", o.interval.low)
    glue(f"high_{key}", o.interval.high)
glue("primary_outcome", verdict.primary.outcome)
glue("sharp_full", sharpness_full.mean())
glue("sharp_first", sharpness[:, 0].mean())
glue("ratio_first", measurements[f"sharpness_ratio_B{BATCHES[0]}"].mean())
glue("ratio_last", measurements[f"sharpness_ratio_B{BATCHES[-1]}"].mean())
glue("spearman", np.mean(measurements["sharpness_spearman"]))
glue("sharp_slope", measurements["sharpness_slope"].mean())
glue("curvature_edge_first", 2 / sharpness[:, 0].mean())
glue("curvature_exponent", -measurements["sharpness_slope"].mean())

# %% [markdown] tags=[]
# **Reading the stored quick run** ({glue:text}`seeds` seeds, digits, MLP 2 x 32): the verdict
# is **{glue:text}`verdict`**.
#
# * *SGD.* The largest learning rate (geometric mean over seeds) rises from
#   {glue:text}`lr_sgd_first:.3g` at B = {glue:text}`b_first` to
#   {glue:text}`lr_sgd_fit_last:.3g` at B = {glue:text}`b_fit_last`. The per-seed slopes over
#   that range average {glue:text}`slope_sgd:.2f`, with a 95% interval from
#   {glue:text}`low_sgd:.2f` to {glue:text}`high_sgd:.2f` against the band of
#   {glue:text}`near:.2f` around 1 ({glue:text}`outcome_sgd`). Over all batch sizes the slope
#   is {glue:text}`slope_all_sgd:.2f`, and at B = {glue:text}`b_last` the largest rate is
#   {glue:text}`lr_sgd_last:.3g`: beyond the fit range it grows far more slowly, the
#   saturation the paper describes.
# * *Adam.* From {glue:text}`lr_adam_first:.3g` at B = {glue:text}`b_first` to
#   {glue:text}`lr_adam_fit_last:.3g` at B = {glue:text}`b_fit_last`; slope
#   {glue:text}`slope_adam:.2f`, interval {glue:text}`low_adam:.2f` to
#   {glue:text}`high_adam:.2f` against the band of {glue:text}`near:.2f` around 1/2
#   ({glue:text}`outcome_adam`). Over all batch sizes the slope is
#   {glue:text}`slope_all_adam:.2f`, and at B = {glue:text}`b_last` the largest rate is
#   {glue:text}`lr_adam_last:.3g`.
# * *SGD against Adam (primary).* SGD's slope minus Adam's, paired over seeds, is
#   {glue:text}`primary_estimate:.2f` with a 95% interval from {glue:text}`primary_low:.2f` to
#   {glue:text}`primary_high:.2f` (theory: 1/2): {glue:text}`primary_outcome`. With a grid of
#   four learning rates per octave, one grid step at one end of the fit range moves a seed's
#   slope by less than a tenth, which is the resolution of this measurement.
# * *Curvature (a check).* At the reference point the largest eigenvalue of a mini-batch
#   Hessian is {glue:text}`sharp_first:.3g` at B = {glue:text}`b_first` against
#   {glue:text}`sharp_full:.3g` for the full training set (ratio
#   {glue:text}`ratio_first:.2f`), and the ratio falls to {glue:text}`ratio_last:.3f` at
#   B = {glue:text}`b_last` (Spearman correlation with B {glue:text}`spearman:.2f`). Jensen's
#   inequality makes the ratio at least 1 in expectation whatever the network, so this confirms
#   the estimates, not the paper's theory; what the theory adds is how the excess shrinks. Its
#   log-log slope over the fit range is {glue:text}`sharp_slope:.2f`, to compare with the
#   -1/2 of a noise-dominated random-matrix edge and the -1 of a perturbation that shrinks
#   like the variance of a mean.
# * *The sham.* With `sham = True` the Adam arm trains with SGD on SGD's grid, so both slopes
#   are the same in every seed and their difference is exactly zero: the primary cannot pass.
#   The stored sham run is in the verdict box above.

# %% [markdown] tags=[]
# ## Explore
#
# Pick an optimizer and a seed to see the final training loss of every run in the sweep, one
# row per batch size, with the detected largest learning rate marked. This redraws the runs
# above; nothing is trained again. (In a headless run the view is drawn once, for SGD and the
# first seed.)

# %% tags=["hide-input"]
def show(optimizer, seed_index):
    lrs, final = LRS[optimizer], losses[optimizer][seed_index]
    fig, ax = plt.subplots(figsize=(9, 3.8))
    shown = np.where(np.isfinite(final), np.minimum(final, 3.0), 3.0)
    image = ax.pcolormesh(np.arange(len(lrs) + 1), np.arange(len(BATCHES) + 1), shown,
                          cmap="viridis_r", vmin=0, vmax=3.0, shading="flat")
    fig.colorbar(image, ax=ax, label="final training loss (capped at 3)")
    for j in range(len(BATCHES)):
        edge = lr_max[optimizer][seed_index, j]
        if np.isfinite(edge):
            i = int(np.argmin(np.abs(lrs - edge)))
            ax.plot(i + 0.5, j + 0.5, marker="*", color="white", markersize=12,
                    markeredgecolor="black")
    ticks = np.arange(0, len(lrs), max(1, cfg.per_octave))
    ax.set_xticks(ticks + 0.5, [f"{lrs[i]:.3g}" for i in ticks])
    ax.set_yticks(np.arange(len(BATCHES)) + 0.5, [str(b) for b in BATCHES])
    ax.set(xlabel="learning rate", ylabel="batch size",
           title=f"{NAMES[optimizer]}, seed {run.seeds[seed_index]}: star = largest learning "
                 f"rate that trains (loss < {loss_threshold})")
    ax.grid(False)
    fig.tight_layout()
    plt.show()


explore(show,
        optimizer=widgets.ToggleButtons(options=[(NAMES[m], m) for m in LRS], value="sgd",
                                        description="optimizer"),
        seed_index=widgets.Dropdown(options=[(str(s), k) for k, s in enumerate(run.seeds)],
                                    value=0, description="seed"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Scale, data and architecture.* The paper trains VGG and WideResNet networks on CIFAR-100
#   and ImageNet; we train an MLP with 3,466 parameters on 1,348 digits. With so few examples
#   our largest batch, 512, is already 38% of the training set, so the full-batch limit (and
#   saturation) arrives at much smaller batch sizes than in the paper.
# * *Which learning rate.* The theory bounds the *largest* stable learning rate; the paper's
#   experiments look at the learning rate that works best. We measure the top of the range of
#   learning rates that still train to a loss of 0.5 within a fixed budget, a sharp and
#   reproducible quantity for SGD, where a slightly larger rate makes the loss blow up to chance
#   level. The best learning rate of each sweep can be read off the *Explore* view. The largest
#   learning rate is a property of training, read off the training loss; it is the quantity
#   measured, not a hyper-parameter chosen to compare arms, so no validation split is involved.
# * *Optimizers and budget.* Plain SGD without momentum, so that the textbook stability bound
#   (a step is stable when the learning rate is below 2 / largest eigenvalue) applies as it is;
#   momentum rescales that bound by a constant and should not change the exponent. Constant
#   learning rates, no warm-up or schedule, no weight decay. Every run gets 10 epochs, so larger
#   batches take fewer steps, as in fixed-epoch training; the floor of 30 steps only matters at
#   B = 512 (26 steps otherwise).
# * *Fit range.* The slopes are fitted on B = 8 to 64, chosen after a pilot run showed SGD
#   flattening from B = 128 on; the slopes over all batch sizes are printed and stored beside
#   them (`slope_sgd_all_batches`, `slope_adam_all_batches`) and do not match the theory for
#   SGD ({glue:text}`slope_all_sgd:.2f`).
# * *Curvature at one point.* We measure the Hessian at one reference point per seed (10 epochs
#   of SGD at B = 64, learning rate 0.1), averaging 5 random batches per batch size, with 12
#   Lanczos steps (enough: on this model the top eigenvalue agrees to four digits with 40
#   steps). The paper's spectra come from Lanczos runs on much larger networks. If the largest
#   stable SGD learning rate were simply 2 / largest mini-batch eigenvalue at this point, it
#   would be {glue:text}`curvature_edge_first:.2f` at B = 8 and grow with an exponent of
#   {glue:text}`curvature_exponent:.2f`, against the measured {glue:text}`lr_sgd_first:.2f`
#   and {glue:text}`slope_sgd:.2f`: the curvature at one point explains the direction and the
#   size at small batches but not the whole slope. The curvature along each run (it changes
#   during training, see Cohen et al., 2021) and the noise of the mini-batch gradient itself
#   also set the edge.
# * *Earlier versions.* This chapter first judged its slopes by their means (within 0.25 of the
#   target, interval above 0) with 3 seeds: one stored run measured 0.77 ± 0.16 for SGD and
#   0.50 ± 0.19 for Adam and passed, a later one on another machine of the same kind 0.84 ±
#   0.34 and 0.55 ± 0.47, with the SGD-minus-Adam difference unresolved. The two runs differed
#   only in the edges at B = 8, where 1,685 steps of training sit right at the edge of
#   stability and floating-point rounding that differs between processors moved the detected
#   edge by a grid step or two. This version asks the whole 95% interval to lie within the
#   tolerance, uses 5 seeds, and makes the curvature result a check.
# * *Not tested.* The Gauss-Newton version of the eigenvalue result, the paper's result on the
#   damping of second-order methods and its Lanczos-based learning-rate learner.
#
# **What a reader might try.**
#
# * Move `fit_max_batch` to 32 or 128: how much does the fitted SGD slope depend on where the
#   fit stops? The table above shows how many octaves the SGD edge climbs per doubling of B:
#   nearly one at the smallest batches, less and less towards B = 128.
# * Tighten `loss_threshold` to 0.1, so that "trains" means "nearly fits the training set":
#   do the edges move, and do the exponents?
# * Raise `width` or `epochs`, or run the `full` profile on a GPU (B = 4 to 1,024, an
#   eighth-octave grid, eight seeds), to see whether SGD's slope at small batches approaches 1.
#
# **References.**
#
# * {footcite:t}`granziol2022learning`.
# * {footcite:t}`goyal2017accurate`: the linear scaling rule in practice.
# * {footcite:t}`ma2018power`: linear scaling of SGD's learning rate up to a critical batch size,
#   for interpolating models.
# * {footcite:t}`zhang2019which`: preconditioning (Adam, K-FAC) raises the critical batch size.
# * {footcite:t}`malladi2022sdes`: a square-root scaling rule for Adam from a different argument.
# * {footcite:t}`cohen2021gradient`.
# * {footcite:t}`alpaydin1998optical`, shipped with scikit-learn as `load_digits`.
#
# ```{footbibliography}
# ```
