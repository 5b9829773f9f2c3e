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
# # Distributional simplicity bias: means and covariances first, the rest later
#
# Maria Refinetti, Alessandro Ingrosso and Sebastian Goldt (2023). *Neural networks trained
# with SGD learn distributions of increasing complexity*. Proceedings of the 40th International
# Conference on Machine Learning (ICML 2023).
# [arXiv:2211.11567](https://arxiv.org/abs/2211.11567)
#
# This chapter reproduces {footcite:t}`refinetti2023neural`. "Simplicity bias" usually means
# that a network trained by SGD fits simple *functions* first, a linear classifier before a
# non-linear one. Refinetti and colleagues shift the question from the function to the *data*:
# they argue that a network first classifies its inputs by their lowest-order statistics (the
# mean of each class, then its covariance) and only later exploits what lies beyond two
# moments. They show this in a single neuron they can solve exactly and then in deep CNNs and
# vision transformers on CIFAR-10, by comparing networks on the real images with the same
# networks on *clones*: synthetic inputs drawn from one Gaussian per class that matches the
# real class means and covariances and nothing else. If the bias holds, a network early in
# training cannot tell a clone from the real thing; later it can. Follow-up work
# {footcite:p}`belrose2024neural` tested networks trained on real images on such
# maximum-entropy clones, the direction we take here.

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
from dlrepro.claims import Check, Claim, Paper, bound, equivalence, mean_ci, superiority
from dlrepro.data import gaussian_clone, mnist1d
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.models import BatchedCNN1d, CNN1d
from dlrepro.plot import ARM_COLORS, seed_band, use_style
from dlrepro.train import TrainConfig, evaluate_batched, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: during training by SGD, a network's decisions first depend only on the class
# means and covariances of its inputs and come to depend on higher-order statistics later.
# Measured on clones, this means: early in training a network is as accurate on a Gaussian
# clone of the data (same class means, same class covariances) as on real data, and later the
# two accuracies part, because what the network has learned by then is absent from the clone.
# A clone that keeps only the class means (with an isotropic covariance) should stop fooling
# the network even earlier than the clone that also keeps the covariances.
#
# The paper's numbers: the claim is qualitative, shown by curves. The authors' repository
# summarizes its headline figure (a ResNet18 on CIFAR-10): a ResNet18 trained on the Gaussian
# clone of CIFAR-10 has the same test accuracy on real CIFAR-10 as one trained on CIFAR-10
# itself for the first **50** steps of SGD, and one trained on a more faithful clone that also
# carries higher-order statistics (the cifar5m images of {footcite:t}`nakkiran2021deep`)
# for about **2,000** steps; after that the real-data network pulls ahead. We turn the
# experiment around (train on the real data, test on real data and clones, so one network per
# seed gives both curves) and scale it down to MNIST-1D
# {footcite:p}`greydanus2024scaling` and its small CNN.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` chooses the size of the experiment: `smoke` only checks that the chapter runs,
# `quick` (the default, under a minute on a laptop CPU) is the stored run, `full` is meant for
# one GPU. The other knobs override the profile's values or the training settings.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
sham = False  # True: the clones are replaced by a second real test set (the control)
channels = None  # channels of each of the CNN's three convolutions; None keeps the profile's
steps = None  # SGD steps; None keeps the profile's value
lr = 0.05  # SGD learning rate (momentum 0.9), the same in every profile
batch_size = 128  # mini-batch size

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "channels": 8, "steps": 120, "samples": 6000, "evals": 12},
    # 5 CNNs in one batched pass; 1,500 steps of 128 are about 53 epochs of 3,600 signals.
    "quick": {"seeds": 5, "channels": 25, "steps": 1500, "samples": 6000, "evals": 30},
    # One GPU: 8 seeds, wider CNNs, three times the data, longer training, finer resolution.
    "full": {"seeds": 8, "channels": 64, "steps": 6000, "samples": 18000, "evals": 40},
}
run = dlrepro.run.start("distributional_simplicity_bias", profile, seed, device, SETTINGS,
                        overrides={"channels": channels, "steps": steps}, sham=sham)
cfg = run.settings
if not (lr > 0 and batch_size >= 1):
    raise ConfigError(f"need lr > 0 and batch_size >= 1, got {lr} and {batch_size}")
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: CNN 3 x {cfg.channels} "
      f"channels, {cfg.steps} SGD steps (momentum 0.9) of batch {batch_size} at lr {lr:g}"
      + (" (SHAM: the clones are a second real test set)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. Each seed trains one CNN on the real MNIST-1D training
# set. At log-spaced steps we measure its accuracy on four test sets of equal size and the
# same labels: the **real test set** (the control), a **Gaussian clone** (per class, a normal
# distribution with the class's mean and covariance, fitted on the training set), a
# **mean-only clone** (the class's mean with an isotropic covariance of the same average
# variance), and, for reference, a **second real test set**. The *separation* at a step is real
# test accuracy minus Gaussian-clone accuracy, in percentage points. The *early* checkpoint of a
# seed is the first evaluation at which its real test accuracy reaches twice chance (20%): the
# network has learned something, and a network that relied on non-Gaussian features there could
# score 10 points more on real data than on the clone. The *late* checkpoint is the end of
# training.
#
# * **Primary: the separation appears during training.** "Early agreement, later separation"
#   folded into one paired number per seed: the late separation minus the early separation.
#   Its 95% interval must lie above **20 points**. In the sham the clones are replaced by the
#   second real test set; real and real then agree early and late, the difference stays near
#   zero and the primary fails.
# * *Early agreement*: the early separation lies within 3 points of zero (95% interval inside
#   $(-3, 3)$).
# * *Late separation*: the late separation is above 30 points (95% interval).
# * *The means go first*: the mean-only clone's accuracy peaks before the Gaussian clone's: the
#   base-10 log of the step at which the Gaussian clone's accuracy peaks minus that of the
#   mean-only clone, paired over seeds, 95% interval above 0.
#
# Checks (they must hold and never count):
#
# * *The clones are what they claim*: the parameters the clones were drawn from equal the
#   training set's class means and covariances recomputed densely in NumPy (largest absolute
#   difference under 1e-6).
# * *The network learns the task*: the final real test accuracy is at least 60% in every seed
#   (chance is 10%; the CNN of {footcite:t}`greydanus2024scaling` reaches over 90% on
#   MNIST-1D). Without it there is no "later" to speak of.

# %% tags=["hide-input"]
EARLY_LEVEL = 20.0  # points: the early checkpoint is where real accuracy first reaches this
PRIMARY_MARGIN = 20.0  # points: late separation minus early separation, at least
EARLY_TOL = 3.0  # points: early separation within this of zero
LATE_LIMIT = 30.0  # points: late separation above this
LEARNS = 60.0  # points: final real test accuracy in every seed, at least


def clones_exact(m):
    return max(m["clone_param_error"].values) < 1e-6


def network_learns(m):
    return min(m["real_final"].values) >= LEARNS


claim = Claim(
    chapter="distributional_simplicity_bias",
    paper=Paper(
        authors="Refinetti, M., Ingrosso, A. & Goldt, S.",
        year=2023,
        title="Neural networks trained with SGD learn distributions of increasing complexity",
        venue="ICML 2023",
        url="https://arxiv.org/abs/2211.11567",
    ),
    statement=("Networks trained by SGD first classify their inputs by low-order statistics "
               "(class means, then covariances) and use higher-order statistics only later: "
               "early in training they are as accurate on a Gaussian clone of the data as on "
               "the data, later they are far more accurate on the data."),
    paper_value=("qualitative (curves); ResNet18 on CIFAR-10: trained on the Gaussian clone it "
                 "matches the real-data network's CIFAR-10 test accuracy for the first ~50 SGD "
                 "steps, trained on cifar5m for ~2,000 steps (authors' repository)"),
    primary=superiority(
        "the separation appears during training",
        f"real minus Gaussian-clone test accuracy at the end of training minus the same at "
        f"the first evaluation with real accuracy >= {EARLY_LEVEL:g}%, paired over seeds: 95% "
        f"interval above {PRIMARY_MARGIN:g} points",
        "sep_late", "sep_early", PRIMARY_MARGIN),
    criteria=(
        equivalence("early agreement",
                    f"real minus Gaussian-clone test accuracy at the first evaluation with real "
                    f"accuracy >= {EARLY_LEVEL:g}%: 95% interval within {EARLY_TOL:g} points of "
                    f"0", "sep_early", 0.0, EARLY_TOL),
        bound("late separation",
              f"real minus Gaussian-clone test accuracy at the end of training: 95% interval "
              f"above {LATE_LIMIT:g} points", "sep_late", LATE_LIMIT),
        superiority("the means go first",
                    "log10 of the step of peak Gaussian-clone accuracy minus log10 of the step "
                    "of peak mean-only-clone accuracy, paired over seeds: 95% interval above 0",
                    "log_peak_gauss", "log_peak_mean"),
    ),
    checks=(
        Check("the clones are what they claim",
              "the clones' parameters equal the training set's class means and covariances "
              "recomputed in NumPy (largest absolute difference under 1e-6)", clones_exact),
        Check("the network learns the task",
              f"final real test accuracy at least {LEARNS:g}% in every seed", network_learns),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D {footcite:p}`greydanus2024scaling`: 40-sample 1-D signals of ten
# classes, generated offline by `dlrepro.data.mnist1d` with the generator's defaults (6,000
# signals in the quick profile, 60% for training: 3,600 training and 2,400 test signals). The
# test signals are split in two halves of 1,200: the first is *the* real test set, the second
# the reference (and, in the sham, the stand-in for the clones).
#
# **Clones.** `dlrepro.data.gaussian_clone` fits one Gaussian per class to the training
# signals (the class mean and the unbiased class covariance, 40 x 40) and draws one signal per
# label of the second test half, so every test set has the same labels and class counts. The
# mean-only clone (`covariance="isotropic"`) keeps the class means and replaces each class's
# covariance by $(\mathrm{tr}\,\Sigma_c / 40)\, I$: the same average variance, no correlations
# between samples of the signal. Each seed draws its own clones. As a reference we also report
# the accuracy of the Gaussian mixture's own Bayes classifier (quadratic discriminant analysis
# with the fitted parameters) on the real test set: what the first two moments alone can
# achieve.
#
# **Model and training.** The MNIST-1D CNN of `dlrepro.models.CNN1d` (three convolutions of
# kernel 5 and stride 2, ReLU, a linear read-out), trained with cross-entropy by SGD with
# momentum 0.9 at a constant learning rate, as the paper trains its networks with SGD. The five
# seeds' CNNs are stacked in one `BatchedCNN1d` and trained in one pass; every seed has its own
# initialization and mini-batch order.

# %% tags=["hide-input"]
data = mnist1d(num_samples=cfg.samples, train_split=0.6, seed=42, device=run.device)
classes, S = data.num_classes, len(run.seeds)
half = data.y_test.shape[0] // 2
x_real, y_real = data.x_test[:half], data.y_test[:half]
x_real2, y_ref = data.x_test[half:2 * half], data.y_test[half:2 * half]
gauss, mean_only, fits = [], [], []
for s in run.seeds:
    g = run.generator(104729 + s)
    xg, fit = gaussian_clone(data.x_train, data.y_train, classes, y_ref, g)
    xm, _ = gaussian_clone(data.x_train, data.y_train, classes, y_ref, g, covariance="isotropic")
    gauss.append(xg)
    mean_only.append(xm)
    fits.append(fit)
# (S, N, L): one clone per seed. The sham evaluates the second real test set in their place.
x_gauss = torch.stack([x_real2] * S) if sham else torch.stack(gauss)
x_mean = torch.stack([x_real2] * S) if sham else torch.stack(mean_only)
SETS = {"real": (x_real, y_real), "real2": (x_real2, y_ref), "gauss": (x_gauss, y_ref),
        "mean": (x_mean, y_ref)}

# Dense NumPy recomputation of the fitted parameters (a check), and the QDA reference.
xs, ys = data.x_train.double().cpu().numpy(), data.y_train.cpu().numpy()
clone_param_error = max(
    max(np.abs(f.means[c].cpu().numpy() - xs[ys == c].mean(0)).max(),
        np.abs(f.covariances[c].cpu().numpy() - np.cov(xs[ys == c].T)).max())
    for f in fits for c in range(classes))
qda_real = 100 * (fits[0].log_density(x_real).argmax(1).cpu() == y_real.cpu()).float().mean()
qda_gauss = 100 * (fits[0].log_density(gauss[0]).argmax(1).cpu() == y_ref.cpu()).float().mean()
print(f"{data.x_train.shape[0]} training signals; test sets of {half}; QDA with the fitted "
      f"Gaussians: {qda_real:.1f}% on real test signals, {qda_gauss:.1f}% on the clone")

# %% [markdown] tags=[]
# ## Experiment
#
# One batched pass over all seeds; the four test sets are evaluated before training and at
# log-spaced steps.

# %% tags=["hide-input"]
nets = []
for s in run.seeds:
    torch.manual_seed(s)
    nets.append(CNN1d(data.x_train.shape[1], classes, [cfg.channels] * 3))
model = BatchedCNN1d(nets).to(run.device)
eval_steps = sorted(set(np.unique(np.round(np.logspace(0, np.log10(cfg.steps), cfg.evals))
                                  .astype(int)).tolist()) | {0, cfg.steps})
record = {name: [] for name in SETS}


def measure(step):
    if step in eval_steps:
        for name, (x, y) in SETS.items():
            record[name].append(100 * evaluate_batched(model, x, y)[1])


measure(0)
train_batched(model, data.x_train, data.y_train,
              TrainConfig(steps=cfg.steps, batch_size=batch_size, lr=lr, optimizer="sgd",
                          momentum=0.9, eval_every=cfg.steps),
              [run.generator(7919 + s) for s in run.seeds], callback=measure, progress=True)
steps_axis = np.asarray(eval_steps)
curves = {name: np.stack(values) for name, values in record.items()}  # (evaluations, S)
print(f"trained {cfg.steps} steps in {run.elapsed():.0f} s since start")

# %% [markdown] tags=[]
# The measurements, one value per seed.

# %% tags=["hide-input"]
real, gauss_acc, mean_acc = curves["real"], curves["gauss"], curves["mean"]
separation = real - gauss_acc  # (evaluations, S), points
reached = real >= EARLY_LEVEL
early_at = np.where(reached.any(0), reached.argmax(0), len(steps_axis) - 1)  # per seed
seeds_ix = np.arange(S)
peak_gauss, peak_mean = gauss_acc.argmax(0), mean_acc.argmax(0)
measurements = {
    "sep_early": separation[early_at, seeds_ix],
    "sep_late": separation[-1],
    "early_step": steps_axis[early_at],
    "real_early": real[early_at, seeds_ix],
    "gauss_early": gauss_acc[early_at, seeds_ix],
    "real_final": real[-1],
    "real2_final": curves["real2"][-1],
    "gauss_final": gauss_acc[-1],
    "mean_final": mean_acc[-1],
    "gauss_peak": gauss_acc.max(0),
    "mean_peak": mean_acc.max(0),
    "log_peak_gauss": np.log10(np.maximum(steps_axis[peak_gauss], 1)),
    "log_peak_mean": np.log10(np.maximum(steps_axis[peak_mean], 1)),
    "clone_param_error": [clone_param_error] * S,
}
print(f"mean ± 95% CI over {S} seeds (accuracies and separations in points)")
for name in ("early_step", "real_early", "gauss_early", "sep_early", "real_final",
             "real2_final", "gauss_final", "mean_final", "sep_late", "gauss_peak", "mean_peak",
             "log_peak_gauss", "log_peak_mean"):
    print(f"  {name:<16}{mean_ci(measurements[name], '.2f'):>22}")

# %% [markdown] tags=[]
# ## Results
#
# Left: test accuracy over training (log steps) on the real test set, the second real test
# set, the Gaussian clone and the mean-only clone; the dotted line is the accuracy of the
# Gaussian mixture's own Bayes classifier (QDA) on the real test set. Right: the separation,
# real minus Gaussian-clone accuracy, with each seed's early checkpoint marked. Lines are seed
# means, bands 95% intervals over seeds.

# %% tags=["hide-input"]
use_style()
colors = {"real": ARM_COLORS["control"], "real2": ARM_COLORS["baseline"],
          "gauss": ARM_COLORS["method"], "mean": ARM_COLORS["alternative"]}
names = {"real": "real test set", "real2": "second real test set",
         "gauss": "Gaussian clone" + (" (SHAM: real)" if sham else ""),
         "mean": "mean-only clone" + (" (SHAM: real)" if sham else "")}
x_axis = np.maximum(steps_axis, 0.5)  # step 0 drawn at 0.5 on the log axis
fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 4.4))
for name in SETS:
    seed_band(ax, x_axis, curves[name].T, names[name], color=colors[name], marker=None)
ax.axhline(float(qda_real), color=ARM_COLORS["extra"], linestyle=":",
           label="QDA on real (two moments only)")
ax.axhline(100 / classes, color="black", linewidth=0.8, linestyle="--", label="chance")
ax.set(xscale="log", xlabel="SGD step", ylabel="test accuracy (%)", ylim=(0, 100),
       title="accuracy on real data and on clones")
ax.legend(loc="upper left", fontsize=8)
seed_band(bx, x_axis, separation.T, "real minus Gaussian clone", color=colors["gauss"],
          marker=None)
bx.scatter(steps_axis[early_at], separation[early_at, seeds_ix], color="black", zorder=3,
           s=18, label=f"early checkpoint (real >= {EARLY_LEVEL:g}%)")
bx.axhline(0, color="black", linewidth=0.8)
bx.set(xscale="log", xlabel="SGD step", ylabel="separation (points)",
       title="separation of real and clone accuracy")
bx.legend(loc="upper left", fontsize=8)
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
for name in ("sep_early", "sep_late", "early_step", "real_early", "gauss_early", "real_final",
             "real2_final", "gauss_final", "mean_final", "gauss_peak", "mean_peak"):
    glue(name, np.mean(measurements[name]))
glue("peak_step_gauss", np.median(steps_axis[peak_gauss]))
glue("peak_step_mean", np.median(steps_axis[peak_mean]))
glue("qda_real", float(qda_real))
glue("qda_gauss", float(qda_gauss))
glue("epochs", cfg.steps * batch_size / data.y_train.shape[0])
KEYS = {"the separation appears during training": "primary", "early agreement": "early",
        "late separation": "late", "the means go first": "means"}
for name, o in verdict.outcomes.items():
    glue(f"outcome_{KEYS[name]}", o.outcome)
    glue(f"low_{KEYS[name]}", o.interval.low)
    glue(f"high_{KEYS[name]}", o.interval.high)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *Early.* The CNNs first reach twice chance on the real test set around step
#   {glue:text}`early_step:.0f` (seed mean), with {glue:text}`real_early:.1f`% on real
#   signals and {glue:text}`gauss_early:.1f`% on the Gaussian clone: an early separation of
#   {glue:text}`sep_early:.1f` points, interval [{glue:text}`low_early:.1f`,
#   {glue:text}`high_early:.1f`] against the tolerance of 3 ({glue:text}`outcome_early`).
# * *Late.* After {glue:text}`epochs:.0f` epochs the CNNs score {glue:text}`real_final:.1f`%
#   on the real test set and {glue:text}`real2_final:.1f`% on the second real set, but only
#   {glue:text}`gauss_final:.1f`% on the Gaussian clone and {glue:text}`mean_final:.1f`% on
#   the mean-only clone: a late separation of {glue:text}`sep_late:.1f` points, interval
#   [{glue:text}`low_late:.1f`, {glue:text}`high_late:.1f`] against the limit of 30
#   ({glue:text}`outcome_late`).
# * *Primary.* The separation grows by [{glue:text}`low_primary:.1f`,
#   {glue:text}`high_primary:.1f`] points from the early checkpoint to the end, against the
#   margin of 20 ({glue:text}`outcome_primary`).
# * *Order of the moments.* The mean-only clone keeps up with the real test set until its
#   accuracy peaks at {glue:text}`mean_peak:.1f`% around step {glue:text}`peak_step_mean:.0f`
#   (median over seeds), then falls back to {glue:text}`mean_final:.1f`% at the end. The
#   Gaussian clone keeps up a little longer and then levels off: its best evaluation is
#   {glue:text}`gauss_peak:.1f`% around step {glue:text}`peak_step_gauss:.0f`. The difference
#   of the log steps of the two peaks lies in [{glue:text}`low_means:.2f`,
#   {glue:text}`high_means:.2f`] ({glue:text}`outcome_means`): the class means alone stop
#   fooling the network first, the covariances later, the order the paper describes.
# * *What two moments can give.* The Bayes classifier of the fitted Gaussian mixture reaches
#   {glue:text}`qda_gauss:.1f`% on the clone, where it is optimal, and
#   {glue:text}`qda_real:.1f`% on real signals. The trained CNNs end far above that on real
#   signals and far below it on the clone: they use structure that the Gaussian mixture does
#   not carry, and the decision rule they end with is not the Gaussian one.
# * *The sham* evaluates the second real test set in place of both clones. Two real test sets
#   agree early and late (up to sampling noise), the separation never grows, and the primary
#   cannot pass, as the verdict box records.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a seed to see one CNN's accuracy on the four test sets over training, and its
# separation on a second axis. This redraws the runs above; nothing is trained again. (In a
# headless run the view is drawn once, for the first seed.)

# %% tags=["hide-input"]
def show(seed_index):
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    for name in SETS:
        ax.plot(x_axis, curves[name][:, seed_index], color=colors[name], label=names[name])
    ax.axvline(steps_axis[early_at[seed_index]], color="black", linewidth=0.8, linestyle=":",
               label="early checkpoint")
    ax.set(xscale="log", xlabel="SGD step", ylabel="test accuracy (%)", ylim=(0, 100),
           title=f"seed {run.seeds[seed_index]}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show, seed_index=widgets.IntSlider(value=0, min=0, max=S - 1, description="seed #"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Direction of the test.* The paper's headline figure trains networks on clones and tests
#   them on real CIFAR-10; we train on real MNIST-1D and test on real data and clones, so one
#   network per seed gives both curves and the comparison is paired. The two directions ask the
#   same question (does the network's decision rule, at a given time, depend only on two
#   moments?), and testing trained networks on clones is how
#   {footcite:t}`belrose2024neural` probe the bias.
# * *Data and scale.* CIFAR-10 images (3,072 dimensions, ResNets and vision transformers,
#   tens of thousands of steps) against MNIST-1D signals (40 dimensions, a three-layer CNN with
#   about 7,700 parameters at 25 channels, 1,500 steps), so the chapter runs in under a minute
#   on a laptop CPU. In 40 dimensions the class covariances are well estimated from 360
#   training signals per class; in CIFAR-10 the paper fits 3,072 x 3,072 covariances.
# * *Sizing.* A pilot (5 seeds, 1,000 steps, the same CNN and SGD settings) set the step
#   budget: real test accuracy passed 20% after a few dozen steps and was near 90% at the end,
#   so the run covers both the early phase and a network that has learned the task. The
#   pilot also evaluated the clones, so the rule was not written blind: twice chance, the
#   3-point tolerance and the 30-point limit come from the planning notes written before any
#   run, while the primary's 20-point margin is ours, set after the pilot and kept since.
# * *The mean-only clone* is our choice of a "first-moment" clone: the class mean with an
#   isotropic covariance of the class's average variance (so its signals are as large as real
#   ones); a shared covariance across classes would be another choice.
# * *Paper numbers.* The ~50 and ~2,000 steps are the figures given in the authors'
#   repository for their ResNet18 on CIFAR-10; we did not find a single headline number in the
#   paper's text to set beside ours, which is why the verdict box quotes the claim as
#   qualitative.
#
# **What a reader might try.**
#
# * Raise `lr` (0.2) or lower it (0.01): does the early agreement survive a faster or a slower
#   start, and does the separation appear at the same accuracy level or at the same step?
# * Make the CNN narrower (`channels` 4) or wider (64): does a bigger network exploit the
#   higher-order statistics earlier?
# * Shorten `steps` to 100: the rule should then find early agreement but no late separation.
#
# ```{footbibliography}
# ```
