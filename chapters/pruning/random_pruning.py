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
# # Random pruning at initialization: a baseline that gets better with width
#
# Shiwei Liu, Tianlong Chen, Xiaohan Chen, Li Shen, Decebal Constantin Mocanu, Zhangyang Wang and
# Mykola Pechenizkiy (2022). *The Unreasonable Effectiveness of Random Pruning: Return of the
# Most Naive Baseline for Sparse Training*. International Conference on Learning Representations
# (ICLR 2022). [arXiv:2202.02643](https://arxiv.org/abs/2202.02643)
# {footcite:p}`liu2022unreasonable`
#
# With Advait Gadhikar, Sohom Mukherjee and Rebekka Burkholz (2023). *Why Random Pruning Is All
# We Need to Start Sparse*. International Conference on Machine Learning (ICML 2023).
# [arXiv:2210.02412](https://arxiv.org/abs/2210.02412) {footcite:p}`gadhikar2023why`
#
# Methods that prune a network *before* training (SNIP, GraSP, SynFlow, ...) are usually
# compared with one naive baseline: remove weights uniformly at random and train what is left.
# That baseline was long thought to be weak. Liu and colleagues showed that it is weak mainly for
# small networks. A random mask with a sensible *layer-wise* split of the weight budget, trained
# from scratch with the mask fixed, comes closer and closer to the dense network as the network
# gets wider, and with a split that keeps small layers denser (Erdos-Renyi-Kernel, ERK) it can
# match dense training of a wide ResNet on CIFAR-10 at high sparsity. Gadhikar and colleagues
# then proved why: a wide enough randomly masked network contains, with high probability, a
# good approximation of any smaller target network. This chapter tests the two qualitative
# claims that a laptop can reach.

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
from dlrepro import data, intervals, models, plot, prune, train
from dlrepro.claims import Check, Claim, Paper, bound, non_inferiority, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue

# %% [markdown] tags=[]
# ## The claim
#
# In our words, three claims about networks trained from scratch with a random mask that never
# changes:
#
# 1. **Wide enough random networks match dense** (the headline). At a fixed sparsity, a
#    randomly pruned network that is wide enough reaches the test accuracy of its dense
#    counterpart. Liu et al. report this for ResNets and VGGs of growing depth and width on
#    CIFAR-10/100 (trained 160 epochs with SGD): small randomly pruned networks fall clearly
#    behind their dense versions, while large ones match them, even at high sparsity; Gadhikar
#    et al. prove that a wide enough random network contains a good approximation of any
#    smaller target network.
# 2. **Width closes the gap.** The share of accuracy lost to random pruning shrinks as the
#    network gets wider.
# 3. **ERK beats a uniform split.** Giving small layers a higher density (ERK) trains at least
#    as well as pruning every layer by the same fraction, and the advantage grows with
#    sparsity.
#
# The papers also report that a randomly pruned Wide ResNet-50 (ERK ratios) trained on ImageNet
# outperforms its dense version, and that randomly pruned networks do better in
# out-of-distribution detection, uncertainty estimation and adversarial robustness. Those are
# **out of reach here** (they need ImageNet and weeks of GPU time); this chapter tests the three
# claims above on MLPs of four widths on MNIST-1D.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs, `quick`
# is the stored run, `full` is meant for one GPU). `sparsities` and `widths` override the
# profile's values when set. `sham = True` trains the narrowest network in the widest network's
# place (the control of the primary criterion), and changes nothing else.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
sparsities = None  # fractions of weights removed, e.g. [0.8, 0.95]; None keeps the profile's
widths = None  # hidden widths to sweep, e.g. [32, 64, 128, 256]; None keeps the profile's
sham = False  # True: the widest slot trains the narrowest network (the control)

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "widths": [16, 32], "sparsities": [0.5, 0.9],
              "steps": 60, "batch": 128, "lr": 5e-3, "eval_every": 50},
    # Four widths, two sparsities, five seeds: 20 networks per width in one batched pass, trained
    # until the dense networks have stopped improving (see Notes).
    "quick": {"seeds": 5, "samples": 10000, "widths": [32, 64, 128, 256],
              "sparsities": [0.8, 0.95], "steps": 1250, "batch": 128, "lr": 5e-3,
              "eval_every": 250},
    # One GPU: wider networks, more sparsities, more data and seeds.
    "full": {"seeds": 8, "samples": 40000, "widths": [64, 128, 256, 512, 1024],
             "sparsities": [0.8, 0.9, 0.95, 0.98], "steps": 8000, "batch": 256,
             "lr": 1e-3, "eval_every": 1000},
}
run = dlrepro.run.start("random_pruning", profile, seed, device, SETTINGS,
                        overrides={"sparsities": sparsities, "widths": widths}, sham=sham)
cfg = run.settings
if not isinstance(cfg.sparsities, (list, tuple)) or not cfg.sparsities or not all(
        isinstance(s, (int, float)) and 0.0 < s < 1.0 for s in cfg.sparsities):
    raise ConfigError(f"sparsities must be a list of fractions strictly between 0 and 1, got "
                      f"{cfg.sparsities!r}")
if not isinstance(cfg.widths, (list, tuple)) or len(set(cfg.widths)) < 2 or not all(
        isinstance(w, int) and not isinstance(w, bool) and w >= 1 for w in cfg.widths):
    raise ConfigError(f"widths must be a list of at least two distinct positive integers, got "
                      f"{cfg.widths!r}")
WIDTHS = sorted(int(w) for w in cfg.widths)
SPARSITIES = sorted(float(s) for s in cfg.sparsities)
# The width actually trained in each slot: the sham puts the narrowest network in the widest slot.
TRAINED = {w: WIDTHS[0] if sham and w == WIDTHS[-1] else w for w in WIDTHS}
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 40-w-w-10 for w in "
      f"{WIDTHS}; sparsities {SPARSITIES}; {cfg.steps} Adam steps"
      + (f" (SHAM: the width-{WIDTHS[-1]} slot trains width {WIDTHS[0]})" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. Every measurement is paired within a seed: the dense
# network and its randomly pruned versions share the seed's initial weights and mini-batch
# order, and every width is trained from the same seeds. The *relative gap* of a pruned network
# is the share of its dense counterpart's final test accuracy that pruning loses,
# `100 (dense - pruned) / dense`, in percent; relative, because wider dense networks are also
# more accurate, and a gap in points would shrink less than the loss it measures.
#
# * **Primary** (the headline, against the dense network of the same width as its control): at
#   the widest width and the lowest sparsity of the run (80% in the quick profile), the ERK
#   network's relative gap to dense has a 95% interval below **2%** of dense accuracy. The margin
#   was fixed before any run of this rule, from what the papers call matching: Liu et al. count a
#   random network as matching when its accuracy is within the seed-to-seed spread of the dense
#   one, a few tenths of a point on CIFAR-10 where dense networks are near 95%, that is well
#   under 1% of dense accuracy. Our test set holds 2,000 examples and our dense MLPs reach about
#   75%, so one seed's accuracy alone carries a binomial standard error of about one point (1.3%
#   of dense accuracy); we allow twice the papers' precision, 2% (about 1.5 points at 75%). The
#   sham trains the narrowest network in the widest slot, where the gap is large, so the sham
#   cannot pass.
# * *Width closes the gap* (superiority): at the highest sparsity (95%), the ERK network's
#   relative gap at the widest width minus at the narrowest width, paired, has a 95% interval
#   below 0.
# * *ERK at least as good as uniform* (non-inferiority): at the highest sparsity, ERK minus
#   uniform accuracy, averaged over widths, has a 95% interval above -1 point.
# * *The regime* (reported, not judged): matching is only a claim about networks wide and
#   trained long enough that the dense network has stopped improving with width. We report the
#   dense network's accuracy at the widest width minus at the second widest, paired over seeds,
#   with its 95% interval; an interval above 0 says the dense network is still gaining from
#   width, and the primary is then read at a width below the papers' regime.
# * Check (must hold, never counts): every pruned network keeps the budgeted fraction of its
#   weights.
#
# No hyper-parameter is tuned: every arm trains with the same Adam learning rate, chosen once
# for the dense network of the sizing run (see *Notes*).

# %% tags=["hide-input"]
MATCH_MARGIN = 2.0  # % of dense accuracy the widest ERK network may lose and still match dense
ERK_MARGIN = 1.0  # accuracy points ERK may lose to uniform and still count as at least as good
claim = Claim(
    chapter="random_pruning",
    paper=Paper(
        authors="Liu, S., Chen, T., Chen, X., Shen, L., Mocanu, D. C., Wang, Z. & "
                "Pechenizkiy, M.",
        year=2022,
        title="The Unreasonable Effectiveness of Random Pruning: Return of the Most Naive "
              "Baseline for Sparse Training",
        venue="ICLR 2022",
        url="https://arxiv.org/abs/2202.02643",
    ),
    statement=("A wide enough network trained from scratch with a fixed random (ERK) mask matches "
               "the accuracy of its dense counterpart; the share of accuracy lost to pruning "
               "shrinks with width, and an ERK layer-wise split of the weights trains at least as "
               "well as a uniform split at high sparsity."),
    paper_value=("CIFAR-10/100 ResNets and VGGs: large randomly pruned networks match their "
                 "dense versions even at high sparsity, small ones fall behind; ERK ratios "
                 "ahead of uniform; ImageNet: randomly pruned Wide ResNet-50 beats dense"),
    primary=bound(
        "matches dense at the widest width",
        f"at {100 * SPARSITIES[0]:g}% sparsity and width {WIDTHS[-1]}, the ERK network's "
        f"relative gap to dense (100 (dense - ERK) / dense, %), per seed: 95% interval below "
        f"{MATCH_MARGIN:g}",
        "rel_gap_widest_low", MATCH_MARGIN, above=False),
    criteria=(
        superiority(
            "width closes the gap",
            f"at {100 * SPARSITIES[-1]:g}% sparsity, the ERK network's relative gap to dense "
            f"(%) at width {WIDTHS[-1]} minus at width {WIDTHS[0]}, paired over seeds: 95% "
            "interval below 0",
            "rel_gap_widest", "rel_gap_narrowest", higher_is_better=False),
        non_inferiority(
            "ERK at least as good as uniform",
            f"at {100 * SPARSITIES[-1]:g}% sparsity, ERK minus uniform test accuracy (points), "
            f"averaged over widths, paired over seeds: 95% interval above -{ERK_MARGIN:g}",
            "erk_acc_mean", "uniform_acc_mean", ERK_MARGIN),
    ),
    checks=(
        Check("masks meet the budget",
              "every pruned network keeps (1 - sparsity) of its weights, to within half a "
              "weight per layer (each layer's count is rounded)",
              lambda m: max(m["budget_error"].values) <= 0.5 * len(shapes[WIDTHS[0]])),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024), 80% training and 20% test.
#
# **Networks.** MLPs 40-`w`-`w`-10 with ReLU, PyTorch's default initialization. For each width
# and seed there is one dense network and pruned copies of it, each with a random mask drawn
# once before training and kept fixed: an ERK copy at every sparsity, and a uniform copy at the
# highest sparsity (where the ERK-uniform comparison is judged):
#
# * **uniform**: every layer keeps the same fraction of its weights;
# * **ERK** (Erdos-Renyi-Kernel; Mocanu et al., 2018; Evci et al., 2020): layer `l` keeps a
#   fraction proportional to `(n_in + n_out) / (n_in * n_out)`, scaled so that the whole
#   network meets the same budget (a layer that would exceed 100% is left dense).
#
# In these MLPs the 40-input first layer and the 10-output last layer are far smaller than the
# `w x w` middle layer, so ERK moves most of the pruning into the middle. Biases are not
# pruned. All arms of all seeds of one width (2 + sparsities, times seeds) are stacked into one
# `BatchedMLP` and trained together with Adam.

# %% tags=["hide-input"]
dataset = data.mnist1d(cfg.samples, seed=42, device=run.device)
config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch, lr=cfg.lr,
                           eval_every=cfg.eval_every)
# Dense, ERK at every sparsity, and uniform at the highest sparsity only (the one criterion that
# reads uniform is there).
ARMS = [("dense", 0.0)] + [("erk", s) for s in SPARSITIES] + [("uniform", SPARSITIES[-1])]
shapes = {w: [(w, dataset.num_features), (w, w), (dataset.num_classes, w)] for w in WIDTHS}
for w in (WIDTHS[0], WIDTHS[-1]):
    erk = prune.erk_densities(shapes[w], 1 - SPARSITIES[-1])
    print(f"width {w}, {100 * SPARSITIES[-1]:g}% sparsity: ERK layer densities "
          + ", ".join(f"{100 * d:.1f}%" for d in erk))

# %% [markdown] tags=[]
# ## Experiment

# %% tags=["hide-input"]
n = len(run.seeds)
final_acc = {}  # (width, arm) -> test accuracy per seed, in %
curves = {}  # width -> (steps, test accuracy (evaluations, models))
budget_error = np.zeros(n)  # per seed: the largest |weights kept - budget| of its pruned nets
for w in WIDTHS:
    t = TRAINED[w]
    seed_models = []
    for s in run.seeds:
        torch.manual_seed(s)
        seed_models.append(models.MLP(dataset.num_features, [t, t], dataset.num_classes))
    nets = [m for _ in ARMS for m in seed_models]  # arm-major: arm a, seed k at a * n + k
    stack = models.BatchedMLP.from_models(nets).to(run.device)
    masks = [torch.ones_like(weight) for weight in stack.weights]
    for a, (rule, sparsity) in enumerate(ARMS):
        if rule == "dense":
            continue
        densities = prune.layer_densities(shapes[t], 1 - sparsity, rule)
        generator = torch.Generator().manual_seed(1_000 * run.seed + 100 * a + w)
        drawn = prune.random_masks_with_densities(shapes[t], densities, generator, num_models=n)
        for layer, mask in enumerate(drawn):
            masks[layer][a * n:(a + 1) * n] = mask.to(run.device)
        kept = sum(m[a * n:(a + 1) * n].sum(dim=(1, 2)) for m in masks).cpu().numpy()
        budget = (1 - sparsity) * sum(m[0].numel() for m in masks)
        budget_error = np.maximum(budget_error, np.abs(kept - budget))
    stack.set_masks(masks)
    history = train.train_batched(stack, dataset.x_train, dataset.y_train, config,
                                  [run.generator(s) for _ in ARMS for s in run.seeds],
                                  {"test": (dataset.x_test, dataset.y_test)}, progress=True)
    accs = 100 * history["test_acc"][-1]
    for a, arm in enumerate(ARMS):
        final_acc[w, arm] = accs[a * n:(a + 1) * n]
    curves[w] = (np.asarray(history.steps), 100 * history["test_acc"])
    print(f"width {w:4d}: dense {final_acc[w, ARMS[0]].mean():.1f}% | " + " | ".join(
        f"{rule} {100 * s:g}% {final_acc[w, (rule, s)].mean():.1f}%" for rule, s in ARMS[1:]))

# %% [markdown] tags=[]
# ## Results
#
# The papers' central figure, redrawn: the relative accuracy gap to the dense network of the
# same width (the share of its accuracy that pruning loses) against width, for each sparsity
# and layer-wise rule (left), and the test accuracies themselves at the highest sparsity
# (right), with 95% bands over seeds. A gap of zero (dotted) means the pruned network is as
# good as the dense one.

# %% tags=["hide-input"]
plot.use_style()
gap = {(w, arm): 100 * (final_acc[w, ARMS[0]] - final_acc[w, arm]) / final_acc[w, ARMS[0]]
       for w in WIDTHS for arm in ARMS[1:]}
styles = {"uniform": ("--", plot.ARM_COLORS["control"]), "erk": ("-", plot.ARM_COLORS["method"])}
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for rule, s in ARMS[1:]:
    linestyle, color = styles[rule]
    alpha = 0.45 + 0.55 * (SPARSITIES.index(s) + 1) / len(SPARSITIES)
    plot.seed_band(axes[0], WIDTHS, np.stack([gap[w, (rule, s)] for w in WIDTHS], axis=1),
                   f"{rule.upper() if rule == 'erk' else rule}, {100 * s:g}% sparse", color,
                   linestyle=linestyle, alpha=alpha)
for rule in ("uniform", "erk"):
    linestyle, color = styles[rule]
    plot.seed_band(axes[1], WIDTHS, np.stack([final_acc[w, (rule, SPARSITIES[-1])]
                                              for w in WIDTHS], axis=1),
                   f"{rule.upper() if rule == 'erk' else rule}, {100 * SPARSITIES[-1]:g}% sparse",
                   color, linestyle=linestyle)
plot.seed_band(axes[1], WIDTHS, np.stack([final_acc[w, ARMS[0]] for w in WIDTHS], axis=1),
               "dense", plot.ARM_COLORS["baseline"])
axes[0].axhline(0, color=plot.ARM_COLORS["baseline"], linestyle=":", linewidth=1)
axes[0].axhline(MATCH_MARGIN, color=plot.ARM_COLORS["baseline"], linestyle="-.", linewidth=1,
                label=f"match margin ({MATCH_MARGIN:g}%)")
axes[0].set_ylabel("relative gap to dense (% of dense accuracy)")
axes[1].set_ylabel("test accuracy (%)")
for ax in axes:
    ax.set_xscale("log", base=2)
    ax.set_xticks(WIDTHS, [str(w) for w in WIDTHS])
    ax.set_xticks([], minor=True)
    ax.set_xlabel("hidden width w")
    ax.legend(fontsize=8)
fig.suptitle(f"Random masks fixed at initialization, MLP 40-w-w-10 on MNIST-1D "
             f"({len(run.seeds)} seeds)")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=["hide-input"]
top, low = SPARSITIES[-1], SPARSITIES[0]
measurements = {
    "rel_gap_widest_low": gap[WIDTHS[-1], ("erk", low)],
    "rel_gap_narrowest": gap[WIDTHS[0], ("erk", top)],
    "rel_gap_widest": gap[WIDTHS[-1], ("erk", top)],
    "erk_acc_mean": np.mean([final_acc[w, ("erk", top)] for w in WIDTHS], axis=0),
    "uniform_acc_mean": np.mean([final_acc[w, ("uniform", top)] for w in WIDTHS], axis=0),
    "budget_error": budget_error,
}
# The regime (reported, not judged): is the dense network still gaining from width at the top?
dense_gain = intervals.difference_interval(final_acc[WIDTHS[-1], ARMS[0]],
                                           final_acc[WIDTHS[-2], ARMS[0]], paired=True)
print(f"regime: dense accuracy at width {WIDTHS[-1]} minus width {WIDTHS[-2]}: "
      f"{dense_gain.estimate:.2f} points, 95% interval [{dense_gain.low:.2f}, "
      f"{dense_gain.high:.2f}]")
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=["hide-input"]
# Numbers for the discussion below, glued so that the text reads them from this run.
for name, o in zip(("match", "gap", "erk"), verdict.outcomes.values(), strict=True):
    glue(f"outcome_{name}", o.outcome)
    glue(f"low_{name}", o.interval.low)
    glue(f"high_{name}", o.interval.high)
glue("match_margin", MATCH_MARGIN)
glue("dense_gain", dense_gain.estimate)
glue("dense_gain_low", dense_gain.low)
glue("dense_gain_high", dense_gain.high)
glue("width_second", WIDTHS[-2])
glue("dense_acc_second", final_acc[WIDTHS[-2], ARMS[0]].mean())
glue("erk_acc_wide_low", final_acc[WIDTHS[-1], ("erk", low)].mean())
for size, w in (("narrow", WIDTHS[0]), ("wide", WIDTHS[-1])):
    glue(f"width_{size}", w)
    glue(f"dense_acc_{size}", final_acc[w, ARMS[0]].mean())
    for level, s in (("top", top), ("low", low)):
        glue(f"rel_gap_{size}_{level}", gap[w, ("erk", s)].mean())
        glue(f"points_gap_{size}_{level}",
             (final_acc[w, ARMS[0]] - final_acc[w, ("erk", s)]).mean())
glue("erk_minus_uniform", (measurements["erk_acc_mean"] - measurements["uniform_acc_mean"]).mean())
glue("erk_out_density", 100 * prune.erk_densities(shapes[WIDTHS[-1]], 1 - top)[-1])
glue("erk_mid_density", 100 * prune.erk_densities(shapes[WIDTHS[-1]], 1 - top)[1])

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**: width closes most
# of the gap, but at the widest width we can afford the ERK network is not shown to match dense,
# and our dense network is still gaining from width there, so the test is read below the
# papers' regime.
#
# * *Matching dense (primary, {glue:text}`outcome_match`).* At the lowest sparsity and width
#   {glue:text}`width_wide`, the ERK network reaches {glue:text}`erk_acc_wide_low:.1f`%
#   against the dense network's {glue:text}`dense_acc_wide:.1f`%: a relative gap of
#   {glue:text}`rel_gap_wide_low:.2f`% of dense accuracy, 95% interval
#   [{glue:text}`low_match:.2f`, {glue:text}`high_match:.2f`], against the margin of
#   {glue:text}`match_margin:g`%. The interval lies wholly above zero (the pruned network is
#   worse) and reaches both sides of the margin, so five seeds cannot tell whether it matches
#   in the papers' sense.
# * *The regime.* The dense network at width {glue:text}`width_wide` is
#   {glue:text}`dense_gain:.2f` points ahead of width {glue:text}`width_second`
#   ({glue:text}`dense_acc_second:.1f`%), interval [{glue:text}`dense_gain_low:.2f`,
#   {glue:text}`dense_gain_high:.2f`]: it has not stopped gaining from width, although it has
#   stopped gaining from further training (see *Notes*). The papers' networks that match dense
#   sit where more width no longer helps the dense network; ours do not yet, and the next width
#   (512) costs more than three times as much per step as width 256. Whether an MLP on
#   MNIST-1D catches up there is for the full profile (widths to 1024).
# * *Width closes the gap ({glue:text}`outcome_gap`).* At the highest sparsity the ERK network
#   loses {glue:text}`rel_gap_narrow_top:.1f`% of the dense network's accuracy at width
#   {glue:text}`width_narrow` and {glue:text}`rel_gap_wide_top:.1f`% at width
#   {glue:text}`width_wide`; the paired difference lies in [{glue:text}`low_gap:.1f`,
#   {glue:text}`high_gap:.1f`] percentage points. In accuracy points the gap shrinks less, from
#   {glue:text}`points_gap_narrow_top:.1f` to {glue:text}`points_gap_wide_top:.1f`, because the
#   dense network itself improves with width (from {glue:text}`dense_acc_narrow:.1f`% to
#   {glue:text}`dense_acc_wide:.1f`%).
# * *ERK against uniform ({glue:text}`outcome_erk`).* Averaged over widths, ERK is ahead by
#   {glue:text}`erk_minus_uniform:.1f` points at the highest sparsity (interval
#   [{glue:text}`low_erk:.1f`, {glue:text}`high_erk:.1f`]). ERK keeps
#   {glue:text}`erk_out_density:.0f`% of the widest network's small output layer and
#   {glue:text}`erk_mid_density:.1f`% of its large middle layer; the uniform split starves the
#   read-out instead.
# * *The sham.* With `sham = True` the widest slot trains the narrowest network, dense and
#   pruned alike, so the primary reads the narrow network's large gap and cannot pass (the
#   stored sham run is in the verdict box above).

# %% [markdown] tags=[]
# ## Explore
#
# Pick a width to see the test accuracy of every arm during training, one band per arm. (This
# redraws the runs above; nothing is trained again.)

# %% tags=["hide-input"]
def show(width):
    steps, accs = curves[width]
    fig, ax = plt.subplots(figsize=(8, 3.8))
    plot.seed_band(ax, steps, accs[:, :n].T, "dense", plot.ARM_COLORS["baseline"], marker=None)
    for a, (rule, s) in enumerate(ARMS[1:], start=1):
        linestyle, color = styles[rule]
        plot.seed_band(ax, steps, accs[:, a * n:(a + 1) * n].T, f"{rule}, {100 * s:g}% sparse",
                       color, marker=None, linestyle=linestyle,
                       alpha=0.45 + 0.55 * (SPARSITIES.index(s) + 1) / len(SPARSITIES))
    ax.set(xlabel="training step", ylabel="test accuracy (%)", title=f"width {width}")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show, width=widgets.SelectionSlider(options=WIDTHS, value=WIDTHS[-1],
                                            description="width"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the papers.**
#
# * *Scale.* Liu et al. train ResNets and Wide ResNets on CIFAR-10/100 and ImageNet for hundreds
#   of epochs; we train MLPs of width 32 to 256 on MNIST-1D for 1,250 Adam steps (quick
#   profile, 20 epochs). Width is the only size we sweep; the papers also vary depth.
# * *Relative gaps.* Every criterion on the gap to dense uses the share of dense accuracy
#   lost, not the gap in points, because our dense networks gain many points from width 32 to
#   256; Liu et al. plot accuracies, where their dense networks are close to saturation.
# * *Sizing and the rule.* The chapter's first version tested only the trend (the gap shrinks
#   with width) and matching dense as a criterion in points; issue 13 asked for matching as the
#   primary, in a regime where the dense network has stopped improving. The margin (2% of
#   dense accuracy) was fixed from the papers' notion of matching before the rule's first run.
#   The training length and learning rate were then re-sized on the dense arm, in throwaway
#   runs of two seeds (seeds 100 and 101, not the stored ones) at width 256: with the old
#   setting (Adam at 0.002, 1,000 steps) the dense network was still improving in time; at 0.002
#   it stopped improving after about 2,000 steps, at 0.005 after about 1,000, so the quick
#   profile trains 1,250 steps at 0.005. Those runs also showed the ERK arms (at width 256 and
#   80% sparsity about 1 to 3 points behind dense, depending on the setting), so the choice is
#   not blind to the method; it was made on the dense plateau, and the rule was not changed
#   after the stored run. One further throwaway run (one seed, width 512, 0.002, 1,500 steps)
#   put the dense network at width 512 within a point of width 256. To pay for the longer
#   training inside the old time, the uniform split now runs at the highest sparsity only (the
#   one criterion that reads it). No learning rate is tuned per arm, so no validation split is
#   held out: every arm trains with the same settings.
# * *Layer-wise rules.* We compare uniform and ERK. Liu et al. also study ER without the kernel
#   term (identical to ERK for fully connected layers), and uniform variants that keep the first
#   layer dense; Gadhikar et al. propose balanced and pyramidal ratios, not run here.
# * *Masks.* Weights outside the mask stay exactly zero for all of training (`BatchedMLP` masks
#   them in the forward pass, so they also get no gradient). Biases are not pruned.
# * *Out of reach.* ImageNet results, out-of-distribution detection, adversarial robustness and
#   uncertainty, and comparisons with SNIP, GraSP and SynFlow at ImageNet scale. (SNIP and
#   SynFlow masks are in `dlrepro.prune` if you want to add them as arms.)
#
# **What to try.**
#
# * Add `0.98` to `sparsities`: at which width does ERK's advantage over uniform appear or vanish?
# * Widen further with `widths = [32, 64, 128, 256, 512]` (slower): does the gap reach zero, and
#   does the dense network still gain from width?
#
# **References.**
#
# * {footcite:t}`liu2022unreasonable`.
# * {footcite:t}`gadhikar2023why`.
# * {footcite:t}`mocanu2018scalable`.
# * {footcite:t}`evci2020rigging`.
# * {footcite:t}`greydanus2024scaling`.
#
# ```{footbibliography}
# ```
