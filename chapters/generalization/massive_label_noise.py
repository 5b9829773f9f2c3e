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
# # Massive label noise: clean labels outnumbered by random ones
#
# David Rolnick, Andreas Veit, Serge Belongie and Nir Shavit (2017). *Deep Learning is Robust
# to Massive Label Noise*. [arXiv:1705.10694](https://arxiv.org/abs/1705.10694)
#
# {footcite:t}`rolnick2017deep` asked what happens to a network when wrong labels are not a
# corruption of a few training examples but the vast majority of them, each clean example
# outnumbered by dozens of examples whose labels are pure noise. Since networks can memorize
# random labels ({footcite:t}`zhang2017understanding`), one might expect such data to ruin
# them. The answer was that ordinary training still generalizes remarkably well, even when the
# wrong labels lean towards confusable classes: random labels disagree with one another and
# largely cancel in the gradient, while the clean labels all pull the same way. What the noise
# costs is data and gradient quality: more clean examples are needed as the dilution grows,
# and the noise shrinks the useful (clean) part of every mini-batch, which points to larger
# batches as a remedy. The result bears on how to use cheap, weakly labelled data sets:
# quantity can make up for quality, within limits the paper maps out.

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
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

import dlrepro.run
from dlrepro.claims import Check, Claim, Paper, bound, mean_ci, superiority
from dlrepro.data import corrupt_labels, dilute_labels, mnist1d
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.models import BatchedCNN1d, CNN1d
from dlrepro.plot import ARM_COLORS, seed_band, use_style
from dlrepro.train import TrainConfig, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: a network trained on a data set in which every correctly labelled example is
# joined by α examples whose labels are drawn uniformly at random still reaches high accuracy on
# a clean test set, even when α is far larger than 1, so that wrong labels outnumber right ones
# many times over. The paper's headline number is on MNIST: **test accuracy above 90% with
# α = 100**, one hundred randomly labelled examples for every clean one. The same kind of
# robustness is reported on CIFAR-10 and ImageNet, and for noise that is biased towards
# confusable classes, with two qualifications that we also test:
#
# 1. the amount of clean data needed grows with α, so at a given dilution *more clean data*
#    helps;
# 2. the noise lowers the *effective* batch size (a batch of *B* examples holds only about
#    *B* / (1 + α) clean ones), so *larger batches* help.
#
# Our version is much smaller (see *Setup* and *Notes*): MNIST-1D
# ({footcite:t}`greydanus2024scaling`) with 1,000 clean training signals, dilutions up to
# α = 20, and the small MNIST-1D CNN, all on a laptop CPU.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` chooses the size of the experiment: `smoke` only checks that the chapter runs,
# `quick` (the default, under a minute on a laptop CPU) is the stored run, `full` is meant for
# one GPU. The other knobs override the profile's values when set.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
sham = False  # True: the clean examples of every diluted arm get random labels too
n_clean = None  # clean training signals; None keeps the profile's value
alphas = None  # random-label examples per clean one, a list holding 10 and 20; None: profile's
steps = None  # Adam steps of every batch-128 arm; None keeps the profile's value
batch_factor = 4  # the larger-batch arm: this many times the batch, same examples seen
lr = 1e-3  # Adam's learning rate at batch 128, the same for every arm

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "n_clean": 200, "alphas": [10, 20], "samples": 1000, "split": 0.5,
              "steps": 60, "batch": 128, "channels": 16},
    # 1,000 clean signals, alpha 10 and 20, 5 seeds; 6 arms of 5 CNNs, one batched pass each.
    "quick": {"seeds": 5, "n_clean": 1000, "alphas": [10, 20], "samples": 4000, "split": 0.75,
              "steps": 800, "batch": 128, "channels": 32},
    # One GPU: 4,000 clean signals, alpha up to 50, wider CNNs, longer training, 8 seeds.
    "full": {"seeds": 8, "n_clean": 4000, "alphas": [5, 10, 20, 50], "samples": 10000,
             "split": 0.8, "steps": 6000, "batch": 128, "channels": 64},
}
run = dlrepro.run.start("massive_label_noise", profile, seed, device, SETTINGS,
                        overrides={"n_clean": n_clean, "alphas": alphas, "steps": steps},
                        sham=sham)
cfg = run.settings
ALPHA = 20  # the dilution the primary reads (and the larger-batch arm uses)
ALPHA_MORE_DATA = 10  # the dilution at which the clean set is doubled
ALPHAS = sorted({int(a) for a in cfg.alphas})
if not {ALPHA, ALPHA_MORE_DATA} <= set(ALPHAS) or min(ALPHAS) < 1:
    raise ConfigError(f"alphas must be positive and hold {ALPHA_MORE_DATA} and {ALPHA} (the "
                      f"rule reads them), got {cfg.alphas}")
if not (isinstance(batch_factor, int) and batch_factor >= 2 and cfg.steps % batch_factor == 0):
    raise ConfigError(f"batch_factor must be an integer >= 2 that divides steps "
                      f"({cfg.steps}), got {batch_factor}")
if not lr > 0:
    raise ConfigError(f"lr must be positive, got {lr}")
if 2 * cfg.n_clean > int(cfg.samples * cfg.split):
    raise ConfigError(f"n_clean {cfg.n_clean} needs {2 * cfg.n_clean} training signals (the "
                      f"doubled arm); the profile generates {int(cfg.samples * cfg.split)}")
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: {cfg.n_clean} clean signals, "
      f"alpha in {ALPHAS}, CNN {cfg.channels} channels, {cfg.steps} Adam steps of batch "
      f"{cfg.batch} at lr {lr:g}"
      + (" (SHAM: the clean examples of every diluted arm get random labels)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. Every arm trains the same CNN, from the same initial
# weights within a seed, for the same number of training examples seen (so arms with more noise
# see their clean examples less often, as in a fixed compute budget), and is scored by its
# accuracy on the untouched clean test set at the end of training. The arms:
#
# * **clean**: the *n* clean signals alone (α = 0), the reference for how much there is to keep;
# * **α = 10, α = 20**: the clean signals diluted by α*n* fresh signals with uniform random
#   labels (the method);
# * **all random** (the control): the α = 20 data set with the clean signals' labels replaced
#   by random ones too, so no label carries information; it sits at chance (0.1);
# * **more data**: α = 10 with 2*n* clean signals (and 20*n* noisy ones);
# * **larger batch**: α = 20 with `batch_factor` times the batch, the learning rate times the
#   square root of `batch_factor` (the square-root scaling rule for Adam,
#   {footcite:t}`malladi2022sdes`), and `batch_factor` times fewer steps, so it sees the same
#   examples as the α = 20 arm.
#
# Criteria (paired over seeds, 95% intervals):
#
# * **Primary: most of the clean accuracy survives a 20-fold dilution.** Per seed, the share of
#   the clean arm's accuracy above the all-random control that the α = 20 arm keeps,
#   (acc(α = 20) − acc(all random)) / (acc(clean) − acc(all random)), has a mean whose interval
#   lies above 0.7. With our 20-fold dilution, 5 times smaller than the paper's 100-fold one,
#   we ask for 70% of the above-chance accuracy; the paper's figure at α = 100 (above 90%
#   accuracy, chance 10%) keeps at least 89% of it, even against a perfect clean score. The
#   sham gives the α = 20 arm's clean signals random labels as well, which makes it a copy of
#   the control: its share is then near 0 and the primary fails.
# * *More clean data helps:* at α = 10, the arm with 2*n* clean signals beats the arm with *n*
#   (difference above 0).
# * *A larger batch helps:* at α = 20, the larger-batch arm beats batch 128 (difference above 0).
#
# Checks (they must hold, they never count): the clean arm learns the task, as MNIST does in
# the paper (mean test accuracy at least 0.9); the all-random control is at chance (mean within
# 0.05 of 0.1); every diluted data set holds (1 + α)*n* examples; the noisy labels agree with
# the true class of their signals at the chance rate (within 0.02 of 0.1), so they carry no
# signal; the clean signals keep their labels (all of them, in every arm but the all-random
# control and the sham's diluted arms, where about 10% still agree by chance).

# %% tags=["hide-input"]
SHARE = 0.7  # share of the above-chance accuracy the alpha = 20 arm must keep
CHANCE = 0.1  # accuracy of a guess among 10 classes
CLEAN_ACC = 0.9  # the clean arm learns the task: test accuracy at least this
N_MORE = 2 * cfg.n_clean
ARMS = {  # name: (clean signals, alpha, batch multiple, clean labels random)
    "clean": (cfg.n_clean, 0, 1, False),
    **{f"alpha_{a}": (cfg.n_clean, a, 1, sham) for a in ALPHAS},
    "all_random": (cfg.n_clean, ALPHA, 1, True),
    "more_data": (N_MORE, ALPHA_MORE_DATA, 1, sham),
    "larger_batch": (cfg.n_clean, ALPHA, batch_factor, sham),
}
RANDOMIZED = [name for name, arm in ARMS.items() if arm[3]]


def dilution_as_specified(m):
    sizes = m["size_error"].high == 0
    noise = all(abs(m[f"noise_agree_{a}"].mean - CHANCE) <= 0.02
                for a, arm in ARMS.items() if arm[1] > 0)
    kept = all((abs(m[f"clean_agree_{a}"].mean - CHANCE) <= 0.05) if a in RANDOMIZED
               else m[f"clean_agree_{a}"].low == 1.0 for a in ARMS)
    return sizes and noise and kept


claim = Claim(
    chapter="massive_label_noise",
    paper=Paper(
        authors="Rolnick, D., Veit, A., Belongie, S. & Shavit, N.",
        year=2017,
        title="Deep Learning is Robust to Massive Label Noise",
        venue="arXiv:1705.10694",
        url="https://arxiv.org/abs/1705.10694",
    ),
    statement=("A network trained on clean examples diluted by many times as many examples with "
               "uniformly random labels keeps most of its clean test accuracy; more clean data "
               "and larger batches reduce what the noise costs."),
    paper_value="MNIST: test accuracy above 90% with 100 random-label examples per clean one",
    primary=bound(
        "most clean accuracy survives 20x dilution",
        f"per seed, (acc(alpha {ALPHA}) - acc(all random)) / (acc(clean) - acc(all random)), "
        f"the share of the above-chance test accuracy kept against the all-random control: "
        f"95% interval of the mean above {SHARE}", f"share_kept_{ALPHA}", SHARE),
    criteria=(
        superiority("more clean data helps",
                    f"alpha {ALPHA_MORE_DATA}: test accuracy with {N_MORE} clean signals minus "
                    f"with {cfg.n_clean}, paired over seeds: 95% interval above 0",
                    "acc_more_data", f"acc_alpha_{ALPHA_MORE_DATA}"),
        superiority("a larger batch helps",
                    f"alpha {ALPHA}: test accuracy with batch {batch_factor * cfg.batch} (lr x "
                    f"sqrt({batch_factor}), {batch_factor}x fewer steps) minus with batch "
                    f"{cfg.batch}, paired over seeds: 95% interval above 0",
                    "acc_larger_batch", f"acc_alpha_{ALPHA}"),
    ),
    checks=(
        Check("the clean arm learns", f"mean test accuracy of the clean arm at least {CLEAN_ACC}",
              lambda m: m["acc_clean"].mean >= CLEAN_ACC),
        Check("the all-random control is at chance",
              f"mean test accuracy of the all-random control within 0.05 of {CHANCE}",
              lambda m: abs(m["acc_all_random"].mean - CHANCE) <= 0.05),
        Check("dilution as specified",
              "every data set holds (1 + alpha) n examples; noisy labels agree with their "
              "signal's class within 0.02 of 0.1; clean labels all kept (within 0.05 of 0.1 "
              "where randomized)", dilution_as_specified),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D ({footcite:t}`greydanus2024scaling`): 40-sample 1-D signals of ten
# classes, generated offline by `dlrepro.data.mnist1d`. The generator's defaults make a task
# much harder than MNIST (the CNN below reaches only about 55% test accuracy on 1,000 default
# signals), so we turn four of its knobs down with `overrides` (correlated noise 0.05 instead
# of 0.25, shear 0.2 instead of 0.75, translation up to 12 instead of 48 positions, scale 0.1
# instead of 0.4), which gives a clean task on which the CNN reaches about 96%, as an MNIST CNN
# does; see *Notes*. The clean signals are the first *n* (or 2*n*) training signals of one
# draw; the test set is that draw's held-out part and is never diluted.
#
# **Noise.** The noisy examples are *fresh* signals from a second draw of the same generator
# (another seed), not copies of the clean ones, each with a label drawn uniformly from the ten
# classes (`dlrepro.data.dilute_labels`); the noisy inputs are the same for every seed, their
# labels are drawn anew per seed. Since we know each noisy signal's true class, we can check that
# its random label agrees with it only by chance.
#
# **Model and training.** The MNIST-1D CNN of Greydanus and Kobak (three convolutions of kernel
# 5 and stride 2, ReLU, a linear read-out), trained with Adam at a constant learning rate and
# batch 128, without weight decay, augmentation or early stopping. The seeds of each arm train
# together as one `BatchedCNN1d` (the seeds are the groups of grouped convolutions); arms whose
# data sets differ in size run one after another.

# %% tags=["hide-input"]
EASY = {"corr_noise_scale": 0.05, "shear_scale": 0.2, "max_translation": 12, "scale_coeff": 0.1}
NOISE_SEED = 1042  # the draw the noisy signals come from (the clean draw uses seed 42)
ds = mnist1d(cfg.samples, cfg.split, seed=42, device=run.device, overrides=EASY)
needed = max(arm[0] * arm[1] for arm in ARMS.values())
pool = mnist1d(10 * math.ceil(needed / 10) + 10, 0.5, seed=NOISE_SEED, device=run.device,
               overrides=EASY)
noise_x = torch.cat([pool.x_train, pool.x_test])
noise_class = torch.cat([pool.y_train, pool.y_test])  # the signals' own classes (for checks)


def arm_data(name: str, s: int):
    """Inputs, labels and clean mask of one arm in seed ``s`` (labels drawn with the seed)."""
    n, alpha, _, randomized = ARMS[name]
    x, y = ds.x_train[:n], ds.y_train[:n]
    g = run.generator(100_000 + 1_000 * s + list(ARMS).index(name))
    if randomized:
        y = corrupt_labels(y, 1.0, ds.num_classes, g)
    return dilute_labels(x, y, noise_x, alpha, ds.num_classes, g)


for name, (n, alpha, factor, randomized) in ARMS.items():
    print(f"{name:<13} {n:>5} clean + {alpha * n:>6} noisy signals, batch {factor * cfg.batch}"
          + (", clean labels random" if randomized else ""))

# %% [markdown] tags=[]
# ## Experiment
#
# One batched run per arm; each records the final training accuracy (on the arm's own labels)
# and the clean test accuracy.

# %% tags=["hide-input"]
k = len(run.seeds)
test_acc, train_acc = {}, {}  # arm -> per-seed accuracy
noise_agree, clean_agree = {}, {}  # arm -> per-seed label agreement with the signals' classes
size_error = np.zeros(k)
for name, (n, alpha, factor, _) in ARMS.items():
    xs, ys = [], []
    for j, s in enumerate(run.seeds):
        x, y, is_clean = arm_data(name, s)
        size_error[j] = max(size_error[j], abs(len(y) - (1 + alpha) * n))
        clean_agree.setdefault(name, []).append(
            (y[is_clean] == ds.y_train[:n]).float().mean().item())
        if alpha > 0:
            noise_agree.setdefault(name, []).append(
                (y[~is_clean] == noise_class[:alpha * n]).float().mean().item())
        xs.append(x)
        ys.append(y)
    x = xs[0]  # the inputs are the same in every seed, only the labels differ
    y = torch.stack(ys)
    nets = []
    for s in run.seeds:
        torch.manual_seed(s)  # the same initial weights for every arm of a seed
        nets.append(CNN1d(ds.num_features, ds.num_classes, [cfg.channels] * 3))
    model = BatchedCNN1d(nets).to(run.device)
    arm_steps = cfg.steps // factor
    config = TrainConfig(steps=arm_steps, batch_size=factor * cfg.batch,
                         lr=lr * math.sqrt(factor), eval_every=arm_steps)
    history = train_batched(model, x, y, config, [run.generator(s) for s in run.seeds],
                            eval_sets={"test": (ds.x_test, ds.y_test)}, progress=True)
    test_acc[name] = history["test_acc"][-1]
    train_acc[name] = history["train_acc"][-1]
print(f"trained {len(ARMS)} arms x {k} seeds in {run.elapsed():.0f} s since start")

measurements = {f"acc_{name}": test_acc[name] for name in ARMS}
above = test_acc["clean"] - test_acc["all_random"]
for a in ALPHAS:
    measurements[f"share_kept_{a}"] = (test_acc[f"alpha_{a}"] - test_acc["all_random"]) / above
for name in ARMS:
    measurements[f"clean_agree_{name}"] = clean_agree[name]
for name in noise_agree:
    measurements[f"noise_agree_{name}"] = noise_agree[name]
measurements["size_error"] = size_error

print(f"mean ± 95% CI over {k} seeds")
print(f"{'arm':<13} {'train acc (own labels)':>23} {'test acc':>15}")
for name in ARMS:
    print(f"{name:<13} {mean_ci(train_acc[name]):>23} {mean_ci(test_acc[name]):>15}")

# %% [markdown] tags=[]
# ## Results
#
# The paper's Figure 1 (test accuracy against the number of random-label examples per clean one)
# re-drawn from our runs, left; the all-random control is dotted, and the dashed line is the
# primary's threshold, 70% of the clean arm's accuracy above the control. Right: the two
# remedies, each seed's accuracy (dots, joined per seed) beside its comparison arm. Lines and
# bands are seed means and 95% intervals.

# %% tags=["hide-input"]
use_style()
label = {"clean": "clean (α = 0)", "all_random": "all random (control)",
         "more_data": f"α = {ALPHA_MORE_DATA}, {N_MORE} clean",
         "larger_batch": f"α = {ALPHA}, batch {batch_factor * cfg.batch}",
         **{f"alpha_{a}": f"α = {a}" for a in ALPHAS}}
sweep = np.stack([test_acc["clean"], *[test_acc[f"alpha_{a}"] for a in ALPHAS]], axis=1)
floor = test_acc["all_random"].mean() + SHARE * above.mean()

fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(12, 4.2), width_ratios=(3, 2))
seed_band(ax_a, [0, *ALPHAS], sweep, f"{cfg.n_clean} clean signals", color=ARM_COLORS["method"])
ax_a.axhline(test_acc["all_random"].mean(), color=ARM_COLORS["control"], linestyle=":",
             label="all random (control)")
ax_a.axhline(floor, color=ARM_COLORS["baseline"], linestyle="--",
             label=f"{SHARE:.0%} of the clean accuracy above the control")
ax_a.set_xticks([0, *ALPHAS])
ax_a.set(xlabel="random-label examples per clean one (α)", ylabel="clean test accuracy",
         title="(a) accuracy under dilution", ylim=(0, 1))
ax_a.legend(loc="lower left")

pairs = [(f"alpha_{ALPHA_MORE_DATA}", "more_data"), (f"alpha_{ALPHA}", "larger_batch")]
for i, (base, remedy) in enumerate(pairs):
    xs = np.array([2 * i, 2 * i + 1])
    for j in range(k):
        ax_b.plot(xs, [test_acc[base][j], test_acc[remedy][j]], color=ARM_COLORS["baseline"],
                  alpha=0.4, marker="o", markersize=3)
    ax_b.plot(xs, [test_acc[base].mean(), test_acc[remedy].mean()], color=ARM_COLORS["method"],
              marker="s", linewidth=2.5)
ax_b.set_xticks([0, 1, 2, 3], [label[pairs[0][0]], "2x clean", label[pairs[1][0]],
                               f"batch x{batch_factor}"])
ax_b.set(ylabel="clean test accuracy", title="(b) more clean data, larger batch")
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
for name in ARMS:
    glue(f"acc_{name}", test_acc[name].mean())
    glue(f"train_{name}", train_acc[name].mean())
for a in ALPHAS:
    glue(f"share_{a}", measurements[f"share_kept_{a}"].mean())
glue("n_clean", cfg.n_clean)
glue("n_more", N_MORE)
glue("alpha", ALPHA)
glue("alpha_more", ALPHA_MORE_DATA)
glue("big_batch", batch_factor * cfg.batch)
glue("epochs_clean", cfg.steps * cfg.batch / cfg.n_clean)
glue("clean_epochs_alpha", cfg.steps * cfg.batch / ((1 + ALPHA) * cfg.n_clean))
glue("clean_per_batch", cfg.batch / (1 + ALPHA))
glue("train_ignoring_noise", (1 + ALPHA * CHANCE) / (1 + ALPHA))
glue("gain_more", (test_acc["more_data"] - test_acc[f"alpha_{ALPHA_MORE_DATA}"]).mean())
KEYS = {"most clean accuracy survives 20x dilution": "share", "more clean data helps": "more",
        "a larger batch helps": "batch"}
for name, o in verdict.outcomes.items():
    glue(f"outcome_{KEYS[name]}", o.outcome)
    glue(f"low_{KEYS[name]}", o.interval.low)
    glue(f"high_{KEYS[name]}", o.interval.high)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *Dilution (primary).* On its {glue:text}`n_clean` clean signals alone the CNN reaches
#   {glue:text}`acc_clean:.3f` test accuracy; with every label random it reaches
#   {glue:text}`acc_all_random:.3f`, chance. Diluted by {glue:text}`alpha` random-label signals
#   per clean one it reaches {glue:text}`acc_alpha_20:.3f`, keeping a share
#   {glue:text}`share_20:.3f` of the clean accuracy above chance, interval
#   [{glue:text}`low_share:.3f`, {glue:text}`high_share:.3f`] against the threshold 0.7
#   ({glue:text}`outcome_share`). At α = 10 it reaches {glue:text}`acc_alpha_10:.3f`
#   (share {glue:text}`share_10:.3f`).
# * *What the noisy arms fit.* Training accuracy on the arm's own labels is
#   {glue:text}`train_clean:.3f` for the clean arm and {glue:text}`train_alpha_20:.3f` at
#   α = 20. A network that fitted every clean signal and ignored the random labels (right on
#   one noisy label in ten, by chance) would score {glue:text}`train_ignoring_noise:.3f`: the
#   diluted CNN does not memorize the random labels within this budget, and does not even fit
#   all of its clean signals.
# * *More clean data* ({glue:text}`outcome_more`): at α = {glue:text}`alpha_more`,
#   {glue:text}`n_more` clean signals give {glue:text}`acc_more_data:.3f` against
#   {glue:text}`acc_alpha_10:.3f` with {glue:text}`n_clean`; the paired difference lies in
#   [{glue:text}`low_more:.3f`, {glue:text}`high_more:.3f`].
# * *A larger batch* ({glue:text}`outcome_batch`): batch {glue:text}`big_batch` gives
#   {glue:text}`acc_larger_batch:.3f` against {glue:text}`acc_alpha_20:.3f` at batch 128, for
#   the same examples seen; the paired difference lies in [{glue:text}`low_batch:.3f`,
#   {glue:text}`high_batch:.3f`].
# * *Budget.* Every arm sees the same number of examples. The clean arm passes over its
#   signals about {glue:text}`epochs_clean:.0f` times; at α = 20 each clean signal is seen
#   about {glue:text}`clean_epochs_alpha:.1f` times, and a batch of 128 holds about
#   {glue:text}`clean_per_batch:.1f` clean signals on average. What the dilution costs here is
#   therefore partly clean data seen, not only the noise (see *Notes*).
# * *The sham* gives the clean signals of every diluted arm random labels too; the α = 20 arm
#   is then a copy of the all-random control, its share is near zero and the primary fails, as
#   the verdict box above records.

# %% [markdown] tags=[]
# ## Explore
#
# Pick an arm to see each seed's test accuracy (filled) and training accuracy on its own labels
# (open), beside the clean arm and the all-random control. This redraws the runs above; nothing
# is trained again. (In a headless run the view is drawn once, for α = 20.)

# %% tags=["hide-input"]
def show(arm):
    names = ["clean", arm, "all_random"] if arm not in ("clean", "all_random") else [
        "clean", "all_random"]
    fig, ax = plt.subplots(figsize=(8.5, 3.6))
    colors = {"clean": ARM_COLORS["baseline"], "all_random": ARM_COLORS["control"]}
    for i, name in enumerate(names):
        c = colors.get(name, ARM_COLORS["method"])
        offsets = i + np.linspace(-0.15, 0.15, k)
        ax.scatter(offsets, test_acc[name], color=c, label="test" if i == 0 else None)
        ax.scatter(offsets, train_acc[name], facecolors="none", edgecolors=c,
                   label="train (own labels)" if i == 0 else None)
    ax.axhline(CHANCE, color=ARM_COLORS["baseline"], linestyle=":", linewidth=1)
    ax.set_xticks(range(len(names)), [label[n] for n in names])
    ax.set(ylabel="accuracy", ylim=(0, 1.02), title=f"{label[arm]}: one dot per seed")
    ax.legend(loc="upper right")
    fig.tight_layout()
    plt.show()


explore(show, arm=widgets.Dropdown(options=list(ARMS), value=f"alpha_{ALPHA}",
                                   description="arm"))

# %% [markdown] tags=[]
# ## Notes
#
# **Why the primary fails here, as we read it.** The dilution costs far more accuracy in our
# run than in the paper: α = 20 keeps a share {glue:text}`share_20:.3f` of the above-chance
# accuracy where the rule asked for 0.7. Three differences from the paper's setting push the
# same way, and we cannot tell their shares apart from this run alone:
#
# * *Few clean examples.* We dilute {glue:text}`n_clean` clean signals, where MNIST has 60,000
#   training images. The paper itself finds that the clean data needed grows with the
#   dilution, and our run agrees: doubling the clean set at α = 10 adds
#   {glue:text}`gain_more:.3f` to the test accuracy. The full profile dilutes 4,000.
# * *A fixed budget of examples seen.* Every arm trains for the same number of steps, so at
#   α = 20 each clean signal is seen only about {glue:text}`clean_epochs_alpha:.1f` times
#   against about {glue:text}`epochs_clean:.0f` times for the clean arm, with about
#   {glue:text}`clean_per_batch:.1f` clean signals in a batch. Our rule therefore tests
#   robustness at equal compute, a stricter question than robustness after training to
#   convergence.
# * *A harder task.* Even with the easier generator settings MNIST-1D is not MNIST, and its
#   noisy signals resemble the clean ones closely.
#
# The larger batch, at the same examples seen, neither helped nor hurt (undecided): with four
# times fewer steps it gets no more clean signals per update relative to the noise, only a
# less noisy average of them, and at this budget that was not enough to show.
#
# **What differs from the paper.**
#
# * *Scale.* The paper's headline dilutes MNIST by α = 100; we stop at α = 20 (50 in the full
#   profile) with 1,000 clean signals, because every arm has to train in seconds on a laptop
#   CPU. The primary's threshold (70% of the above-chance accuracy at α = 20) is our reading
#   of "robust" at this smaller dilution, fixed before the run; the paper keeps about 90% at a
#   five times larger one.
# * *Data.* MNIST-1D instead of MNIST. With the generator's default settings the CNN reaches
#   only about 55% test accuracy on 1,000 clean signals (a pilot of the clean arm alone, 3
#   seeds, 800 steps), far from the near-perfect clean accuracy of a CNN on MNIST, a regime
#   unlike the paper's. We chose easier generator settings on the
#   clean arm's behaviour alone (the same pilot gave 96% with them) and kept them fixed; the
#   default generator is one `overrides` away for a reader who wants the harder task.
# * *Budget.* All arms see the same number of training examples (800 steps of 128), so noisier
#   arms see each clean signal less often. The step budget was set where the clean arm's test
#   accuracy levels off in that pilot (about 0.96 from 750 steps on); a longer budget for the
#   diluted arms would be closer to training them to convergence.
# * *Noise.* Our noisy examples are fresh signals from the same generator, with uniformly
#   random labels; the clean test set is never diluted. We did not run the paper's other noise
#   patterns, such as labels biased towards confusable classes.
# * *Optimizer and model.* Adam at a constant learning rate, not tuned, the same for every arm
#   but the larger-batch one, whose rate follows the square-root rule. The model is the small
#   MNIST-1D CNN, not the paper's networks.
#
# **What a reader might try.**
#
# * Raise `steps` (or lower `alphas`) to see how much of the gap at α = 20 is the clean data
#   the arm did not see rather than the noise.
# * Pass `overrides={}` to `mnist1d` in the setup to dilute the harder default task.
# * Try `batch_factor = 8`, or a lower `lr`: if the noise mainly shrinks the effective batch,
#   a smaller learning rate should also help.
#
# ```{footbibliography}
# ```
