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
# # Signed supermasks: keep, hide or invert random weights
#
# Nils Koster, Oliver Grothe and Achim Rettinger (2022). *Signing the Supermask: Keep, Hide,
# Invert*. International Conference on Learning Representations (ICLR 2022).
# [arXiv:2201.13361](https://arxiv.org/abs/2201.13361)
#
# Against the binary supermask of Vivek Ramanujan, Mitchell Wortsman, Aniruddha Kembhavi, Ali
# Farhadi and Mohammad Rastegari (2020). *What's Hidden in a Randomly Weighted Neural Network?*
# CVPR 2020. [arXiv:1911.13299](https://arxiv.org/abs/1911.13299)
#
# A randomly initialized network is useless as it stands, yet Ramanujan and colleagues found
# that a good classifier hides inside it: choose *which* random weights to keep, never changing
# their values, and the resulting subnetwork can rival a trained network of the same size. Their
# edge-popup algorithm learns one score per weight and keeps the top-scoring fraction of each
# layer. Koster and colleagues gave the mask a third option: besides keeping or hiding a
# weight, it may *invert* its sign. That small change lets the search reach far sparser
# subnetworks, since a weight of the wrong sign no longer has to be thrown away, and makes the
# result easier to read: every weight is a fixed random magnitude with a learned sign or zero.

# %% [markdown] tags=[]
# ```{glue:md} verdict_box
# :format: myst
# ```

# %% tags=[]
# Colab: install the book's library when it is not importable (torch is left as it is).
try:
    import dlrepro  # noqa: F401
except ImportError:
    print("dlrepro not found: installing it from the book's repository")
    # %pip install -q "dlrepro @ git+https://github.com/dlrepro/deep-learning-reproduced"

# %% tags=[]
import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch

import dlrepro.run
from dlrepro import data, init, models, plot, prune, train
from dlrepro.claims import Check, Claim, Paper, non_inferiority, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue

# %% [markdown] tags=[]
# ## The claim
#
# In our words: training only a mask over frozen random weights, where the mask may keep, hide
# or flip each weight, does better at equal density than a mask that can only keep or hide
# (the headline), and reaches accuracy within a few points of ordinary training of the same
# network while using only a small fraction of its weights.
#
# The paper's numbers: with fully connected networks on MNIST and convolutional networks and
# ResNets on CIFAR-10, signed supermasks reach pruning rates of **up to 99%** (1% of the weights
# kept) while matching or exceeding the accuracy of the trained dense baselines and of earlier
# supermask methods, which keep far more weights. Part of the gain comes from an initialization
# the authors adapt to signed masks and the ELU activation (ELUS).
#
# We test both parts of the claim with MLPs on MNIST-1D at three densities.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs, `quick`
# is the stored run, `full` is meant for one GPU). `sham = True` replaces the signed mask by the
# binary one (the control), and changes nothing else.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
densities = [0.03, 0.1, 0.3]  # shares of each layer's weights the masks use
lr = 3e-3  # Adam's learning rate, for the scores and for the dense control alike
sham = False  # True: the signed arm trains a binary mask (the control)

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 32, "steps": 30, "batch": 128,
              "eval_every": 15},
    # 5 seeds x (dense + 2 mask kinds x 3 densities), 500 steps each.
    "quick": {"seeds": 5, "samples": 10000, "width": 256, "steps": 500, "batch": 128,
              "eval_every": 125},
    # One GPU: wider networks, more data, longer training and more seeds.
    "full": {"seeds": 8, "samples": 40000, "width": 1024, "steps": 10000, "batch": 256,
             "eval_every": 500},
}
if not isinstance(densities, (list, tuple)) or not all(
        isinstance(d, (int, float)) and 0.0 < d < 1.0 for d in densities):
    raise ConfigError(f"densities must be a list of fractions strictly between 0 and 1, got "
                      f"{densities!r}")
DENSITIES = sorted({float(d) for d in densities})
if not {0.03, 0.1} <= set(DENSITIES):
    raise ConfigError("the rule reads densities 0.03 and 0.1: keep them in densities")
if not (isinstance(lr, (int, float)) and lr > 0):
    raise ConfigError(f"lr must be a positive number, got {lr!r}")
KINDS = ("binary", "signed")
# The mask each arm trains: the sham gives the signed arm the binary rule.
RULE = {"binary": "binary", "signed": "binary" if sham else "signed"}

run = dlrepro.run.start("signed_supermask", profile, seed, device, SETTINGS, sham=sham)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 40-{cfg.width}-"
      f"{cfg.width}-10 without biases; densities {DENSITIES}; {cfg.steps} Adam steps"
      + (" (SHAM: the signed arm trains a binary mask)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. Within a seed, both kinds of mask search the *same* frozen
# random weights from the same initial scores on the same mini-batches, and the dense network
# trains those weights from the same start. Accuracies are final test accuracies in percentage
# points; every criterion is paired over seeds.
#
# * **Primary** (the headline, against the binary mask as its control): at density 10%, signed
#   minus binary accuracy has a 95% interval above 0. The sham trains a binary mask in the
#   signed arm, so the difference is exactly zero and cannot pass.
# * *Beats binary at 3%*: the same test at density 3%.
# * *Near dense with 10% of the weights* (non-inferiority): the signed mask at density 10%
#   minus the trained dense network has a 95% interval above -5 points.
# * Check (must hold, never counts): every mask uses exactly its share of each layer's weights,
#   and a binary mask never inverts one.
#
# Nothing is tuned: every arm uses Adam at the same learning rate `lr`, fixed before the first
# run of this chapter, so no validation split is held out.

# %% tags=[]
NEAR_MARGIN = 5.0  # accuracy points the signed mask may trail dense training and count as near


def beats_binary(percent):
    return superiority(
        f"beats binary at {percent:g}%",
        f"signed minus binary mask test accuracy at density {percent / 100:g}, paired over "
        "seeds: 95% interval above 0 points",
        f"signed_acc_{percent:g}", f"binary_acc_{percent:g}")


claim = Claim(
    chapter="signed_supermask",
    paper=Paper(
        authors="Koster, N., Grothe, O. & Rettinger, A.",
        year=2022,
        title="Signing the Supermask: Keep, Hide, Invert",
        venue="ICLR 2022",
        url="https://arxiv.org/abs/2201.13361",
    ),
    statement=("A mask that keeps, hides or inverts frozen random weights comes within a few "
               "points of training the dense network while using a small fraction of the "
               "weights, and beats a keep-or-hide (binary) mask at equal density."),
    paper_value=("MNIST FCN, CIFAR-10 Conv / ResNet: pruning rates up to 99% while matching "
                 "or exceeding trained dense baselines and earlier (binary) supermasks"),
    primary=beats_binary(10),
    criteria=(
        beats_binary(3),
        non_inferiority(
            "near dense with 10% of the weights",
            f"signed mask at density 0.1 minus the trained dense network, test accuracy paired "
            f"over seeds: 95% interval above -{NEAR_MARGIN:g} points",
            "signed_acc_10", "dense_acc", NEAR_MARGIN),
    ),
    checks=(
        Check("masks use their budget",
              "every mask of every arm uses exactly round(density x n) of the n weights of each "
              "layer, and no binary mask inverts a weight",
              lambda m: max(m["budget_error"].values) == 0),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024), 80% training and 20% test.
#
# **Frozen weights.** One MLP 40-`width`-`width`-10 with ReLU and no biases per seed (edge-popup
# also drops biases), with He-normal weights (`dlrepro.init.he_`). These values never change.
#
# **Masks** (`dlrepro.prune.SupermaskMLP`). Every weight gets a real-valued score, trained by
# Adam; the forward pass uses the weight times its mask, and the gradient reaches the scores
# straight through the non-differentiable selection.
#
# * **binary** (edge-popup): each layer uses the weights with the top `density` share of scores;
# * **signed**: each layer uses the weights with the top `density` share of *absolute* scores,
#   each multiplied by the sign of its score (keep or invert); the rest are hidden. The paper's
#   main variant thresholds the scores, so its density is learned; we fix it, so that the two
#   kinds compare at equal density.
#
# **Control.** The same network, dense, with its weights trained by Adam from the same start.

# %% tags=[]
dataset = data.mnist1d(cfg.samples, seed=42, device=run.device)
eval_sets = {"test": (dataset.x_test, dataset.y_test)}
config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch, lr=lr,
                           eval_every=cfg.eval_every)
frozen = []
for s in run.seeds:
    net = models.MLP(dataset.num_features, [cfg.width, cfg.width], dataset.num_classes,
                     bias=False)
    frozen.append(init.he_(net, generator=torch.Generator().manual_seed(s)))
start = models.BatchedMLP.from_models(frozen).to(run.device)
print(f"{sum(w[0].numel() for w in start.weights):,} weights per network")

# %% [markdown] tags=[]
# ## Experiment

# %% tags=[]
generators = lambda: [run.generator(s) for s in run.seeds]  # noqa: E731
dense = models.BatchedMLP.from_models(frozen).to(run.device)
dense_history = train.train_batched(dense, dataset.x_train, dataset.y_train, config,
                                    generators(), eval_sets, progress=True)
dense_acc = 100 * dense_history["test_acc"][-1]
accuracy, curves, sign_share = {}, {}, {}
budget_error = np.zeros(len(run.seeds))  # per seed: weights off budget, or binary inversions
for kind in KINDS:
    for density in DENSITIES:
        masked = prune.SupermaskMLP.from_batched(
            start, RULE[kind], density, generator=torch.Generator().manual_seed(run.seed + 7))
        history = train.train_batched(masked, dataset.x_train, dataset.y_train, config,
                                      generators(), eval_sets, progress=True)
        accuracy[kind, density] = 100 * history["test_acc"][-1]
        curves[kind, density] = 100 * history["test_acc"]
        masks = masked.masks()
        used = sum((m != 0).sum().item() for m in masks)
        sign_share[kind, density] = sum((m < 0).sum().item() for m in masks) / used
        for m in masks:
            off = ((m != 0).sum(dim=(1, 2)) - round(density * m[0].numel())).abs()
            if RULE[kind] == "binary":
                off = off + (m < 0).sum(dim=(1, 2))
            budget_error = np.maximum(budget_error, off.cpu().numpy())
        print(f"{kind:6s} mask, density {density:4.2f}: {accuracy[kind, density].mean():.1f}% "
              f"(inverted: {100 * sign_share[kind, density]:.0f}% of the used weights)")
print(f"dense, trained: {dense_acc.mean():.1f}%")
steps = np.asarray(dense_history.steps)

# %% [markdown] tags=[]
# ## Results
#
# The paper's comparison, redrawn: test accuracy against the share of weights used, for binary
# and signed masks over the same frozen weights, with 95% bands over seeds, and the trained
# dense network as a dashed line.

# %% tags=[]
plot.use_style()
colors = {"binary": plot.ARM_COLORS["control"], "signed": plot.ARM_COLORS["method"]}
names = {"binary": "binary mask (keep / hide)", "signed": "signed mask (keep / hide / invert)"}
fig, ax = plt.subplots(figsize=(7, 4))
percent = [100 * d for d in DENSITIES]
for kind in KINDS:
    plot.seed_band(ax, percent, np.stack([accuracy[kind, d] for d in DENSITIES], axis=1),
                   names[kind], colors[kind])
ax.axhline(dense_acc.mean(), color=plot.ARM_COLORS["baseline"], linestyle="--", linewidth=1,
           label="dense, weights trained")
ax.set_xscale("log")
ax.set_xticks(percent, [f"{p:g}" for p in percent])
ax.set_xticks([], minor=True)
ax.set(xlabel="share of weights used (%)", ylabel="test accuracy (%)",
       title=f"Masks over frozen random weights, MLP 40-{cfg.width}-{cfg.width}-10 on MNIST-1D")
ax.legend(loc="lower right")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=[]
measurements = {"dense_acc": dense_acc, "budget_error": budget_error}
for density in DENSITIES:
    for kind in KINDS:
        measurements[f"{kind}_acc_{100 * density:g}"] = accuracy[kind, density]
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=[]
# Numbers for the discussion below, glued so that the text reads them from this run.
for key, o in zip(("10", "3", "dense"), verdict.outcomes.values(), strict=True):
    glue(f"outcome_{key}", o.outcome)
    glue(f"low_{key}", o.interval.low)
    glue(f"high_{key}", o.interval.high)
for tag, density in (("3", 0.03), ("10", 0.1), ("top", DENSITIES[-1])):
    for kind in KINDS:
        glue(f"{kind}_acc_{tag}", accuracy[kind, density].mean())
    glue(f"signed_minus_binary_{tag}",
         (accuracy["signed", density] - accuracy["binary", density]).mean())
    glue(f"inverted_{tag}", 100 * sign_share["signed", density])
glue("top_percent", 100 * DENSITIES[-1])
glue("dense_acc", dense_acc.mean())
glue("chance", 100 / dataset.num_classes)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**, and it should be
# read with one fact in mind: at the two low densities of the rule, *neither* kind of mask
# learns much. Chance is {glue:text}`chance:.0f`%.
#
# * *Signed against binary at 10% (primary, {glue:text}`outcome_10`).* The signed mask reaches
#   {glue:text}`signed_acc_10:.1f`% against {glue:text}`binary_acc_10:.1f`% for the binary one;
#   the paired difference lies in [{glue:text}`low_10:.1f`, {glue:text}`high_10:.1f`] points.
#   The mean difference favours the signed mask, as in the paper, but it is small, because
#   both masks sit barely above chance.
# * *At 3% ({glue:text}`outcome_3`).* Both masks end near {glue:text}`binary_acc_3:.0f`%
#   (difference in [{glue:text}`low_3:.1f`, {glue:text}`high_3:.1f`]): with 3% of the first
#   layer, most first-layer units of this MLP see one input signal sample or none, and there
#   is little for the signs to improve. The paper's signed masks work best at such densities;
#   ours barely learn there.
# * *Near dense ({glue:text}`outcome_dense`).* Dense training of the same weights reaches
#   {glue:text}`dense_acc:.1f`%; the signed mask at 10% is far behind (difference in
#   [{glue:text}`low_dense:.1f`, {glue:text}`high_dense:.1f`] points, against a margin of five).
# * *Where masks do learn.* At {glue:text}`top_percent:.0f`% density, outside the rule, the
#   binary mask reaches {glue:text}`binary_acc_top:.1f`% and the signed one
#   {glue:text}`signed_acc_top:.1f`%, the largest gap of the run
#   ({glue:text}`signed_minus_binary_top:.1f` points). About half of the signed mask's weights
#   are inverted ({glue:text}`inverted_10:.0f`% at 10%), as scores that start symmetric around
#   zero would give.
# * *The sham.* With `sham = True` the signed arm trains a binary mask from the same scores on
#   the same batches, the paired difference is exactly zero, and the primary cannot pass (the
#   stored sham run is in the verdict box above).
#
# Our reading: masks over random weights need many random weights to choose from, and a
# 40-256-256-10 MLP does not have them. Ramanujan et al. show the binary supermask improving
# steadily as networks are widened, and the paper's results come from convolutional networks
# and from fully connected networks on MNIST that are far wider in total; the ELUS
# initialization that Koster et al. design for signed masks is also not used here. The
# direction of the signed-versus-binary effect agrees with the paper; its size, and the
# closeness to dense training, do not appear at this scale.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a density to compare the test accuracy of the two kinds of mask during training with
# the dense control. (This redraws the runs above; nothing is trained again.)

# %% tags=[]
def show(density):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    plot.seed_band(ax, steps, 100 * dense_history["test_acc"].T, "dense, weights trained",
                   plot.ARM_COLORS["baseline"], marker=None)
    for kind in KINDS:
        plot.seed_band(ax, steps, curves[kind, density].T, names[kind], colors[kind],
                       marker=None)
    ax.set(xlabel="training step", ylabel="test accuracy (%)",
           title=f"{100 * density:g}% of the weights used")
    ax.legend(loc="lower right")
    fig.tight_layout()
    plt.show()


explore(show, density=widgets.SelectionSlider(options=DENSITIES, value=0.1,
                                              description="density"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Scale and data.* The paper searches masks in convolutional networks and ResNets on
#   CIFAR-10 and in fully connected networks on MNIST; we use MLPs of width 256 (1,024 in the
#   full profile) on MNIST-1D.
# * *Fixed density.* Koster et al.'s main method keeps every weight whose score passes a
#   threshold, so each layer's density is learned (and ends up very low); we keep a fixed top
#   share by absolute score, which makes the comparison with the binary mask one at equal
#   density. Their weights are drawn with a signed-constant or ELU-adapted scheme; we use
#   He-normal weights for both kinds of mask.
# * *Optimizer.* Adam at `lr` for the scores and for the dense control, no weight decay, a
#   constant learning rate; edge-popup used SGD with momentum, weight decay and a cosine
#   schedule. The learning rate is not tuned, for any arm.
# * *The rule.* The rule was rewritten once for the book's interval rules before the stored
#   run: five seeds instead of three, the 10% comparison as the primary (it is the density at
#   which the claim speaks of a small fraction of the weights, and the one our earlier
#   three-seed run had already decided), the 3% comparison as a secondary, and "near dense" as
#   a non-inferiority test with a five-point margin. The setup (width 256, the three
#   densities) is the chapter's first version, sized to the time budget. With five seeds its
#   600 steps took about 70 s on our CPU, over the one-minute budget, so the quick profile now
#   trains for 500 (evaluating every 125). That choice was made for the budget before the
#   500-step run, and it matters: the five-seed run at 600 steps under the same rule passed the
#   primary (signed 29.2% against binary 27.0% at 10%, paired difference in [1.3, 3.1]), while
#   at 500 steps the signed mask's lead is smaller and its interval reaches below zero. The
#   signed mask's small advantage grows with training; at this scale it is too small to be
#   decided with five seeds inside the budget. The low densities do not recover with longer
#   training: an early three-seed run with 1,000 steps gave about 30% for the signed mask at 10%
#   against 74% dense.
#
# **What to try.** Add `0.01` to `densities`; lower the width in the parameters cell to see
# how much the binary mask depends on having many random weights to choose from.
#
# **References.**
#
# * Koster, N., Grothe, O. & Rettinger, A. (2022). Signing the Supermask: Keep, Hide, Invert.
#   *ICLR 2022*. [arXiv:2201.13361](https://arxiv.org/abs/2201.13361)
# * Ramanujan, V., Wortsman, M., Kembhavi, A., Farhadi, A. & Rastegari, M. (2020). What's
#   Hidden in a Randomly Weighted Neural Network? *CVPR 2020*.
#   [arXiv:1911.13299](https://arxiv.org/abs/1911.13299)
# * Gorbett, M. & Whitley, D. (2023). Randomly Initialized Subnetworks with Iterative Weight
#   Recycling. [arXiv:2303.15953](https://arxiv.org/abs/2303.15953)
# * Zhou, H., Lan, J., Liu, R. & Yosinski, J. (2019). Deconstructing Lottery Tickets: Zeros,
#   Signs, and the Supermask. *NeurIPS 2019*. [arXiv:1905.01067](https://arxiv.org/abs/1905.01067)
# * Greydanus, S. & Kobak, D. (2024). Scaling down deep learning with MNIST-1D. *ICML 2024*.
#   [arXiv:2011.14439](https://arxiv.org/abs/2011.14439)
