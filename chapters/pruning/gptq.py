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
# # GPTQ: post-training quantization with error feedback
#
# Elias Frantar, Saleh Ashkboos, Torsten Hoefler and Dan Alistarh (2023). *GPTQ: Accurate
# Post-Training Quantization for Generative Pre-trained Transformers*. International Conference
# on Learning Representations (ICLR 2023). [arXiv:2210.17323](https://arxiv.org/abs/2210.17323)
# {footcite:p}`frantar2023gptq`
#
# Storing a trained network's weights in 3 or 4 bits instead of 16 or 32 cuts its memory, and the
# memory traffic that dominates inference, by four to ten times. The simplest way to do it, round
# every weight to the nearest point of a coarse grid, ignores that the rounding errors of the
# weights feeding one output add up. GPTQ treats quantization of a layer as a small least-squares
# problem instead: it rounds the weights one input column at a time and, after each column,
# nudges the columns not yet rounded so that the layer's *outputs* on a few calibration inputs
# move as little as possible. The paper made this fast enough for models with 175 billion
# parameters (a few GPU hours, no retraining) and showed 3- and 4-bit language models that
# barely lose accuracy where round-to-nearest falls apart. This chapter runs both methods on a
# small network and asks whether the ordering between them survives at our scale.

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
from dlrepro import data, models, plot, quantize, train
from dlrepro.claims import Check, Claim, Paper, non_inferiority, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.intervals import difference_interval

# %% [markdown] tags=[]
# ## The claim
#
# In our words: when the weights of a trained network are quantized after training, with no
# retraining and only a small calibration set, GPTQ's column-by-column rounding with error
# compensation stays near full precision at 4 bits and keeps the network's accuracy far better
# than rounding every weight to its nearest grid point at 3 bits and below (the headline).
#
# The paper's numbers (OPT and BLOOM language models, WikiText-2 perplexity, per-row grids,
# 128 random 2,048-token segments of C4 for calibration):
#
# * at **4 bits** both methods stay near full precision on the largest models (OPT-175B:
#   8.34 full precision, 8.37 with GPTQ, 10.54 with round-to-nearest), while on smaller models
#   round-to-nearest already degrades more;
# * at **3 bits** round-to-nearest collapses (OPT-175B perplexity in the thousands) while GPTQ
#   stays close (8.68);
# * with grouping, even **2-bit** GPTQ models remain usable on the largest models.
#
# Our version is tiny by comparison: a three-layer MLP trained on MNIST-1D, quantized to 8, 4, 3
# and 2 bits by both methods with the same grid, and judged by test accuracy.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs,
# `quick` is the stored run, `full` is meant for one GPU). The other knobs change the
# experiment for every profile. `sham = True` replaces GPTQ by round-to-nearest (the control),
# and changes nothing else.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
bit_widths = [8, 4, 3, 2]  # bits per weight to try, each with both methods
calibration_size = 512  # training examples GPTQ sees to build each layer's Hessian
damping = 0.01  # GPTQ's dampening, a fraction of the mean Hessian diagonal
sham = False  # True: the GPTQ arm rounds to nearest (the control)

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 64, "steps": 150, "batch": 128,
              "lr": 2e-3, "eval_every": 50},
    # Five networks trained in one batched pass, then 2 methods x 4 bit widths each.
    "quick": {"seeds": 5, "samples": 10000, "width": 256, "steps": 3000, "batch": 128,
              "lr": 1e-3, "eval_every": 250},
    # One GPU: more data, wider layers, longer training, more seeds.
    "full": {"seeds": 8, "samples": 40000, "width": 1024, "steps": 20000, "batch": 256,
             "lr": 5e-4, "eval_every": 1000},
}
if not isinstance(bit_widths, (list, tuple)) or not bit_widths or any(
        not isinstance(b, int) or isinstance(b, bool) or not 1 <= b <= 16 for b in bit_widths):
    raise ConfigError(f"bit_widths must be a list of integers between 1 and 16, got "
                      f"{bit_widths!r}")
if not isinstance(calibration_size, int) or calibration_size < 1:
    raise ConfigError(f"calibration_size must be a positive integer, got {calibration_size!r}")
if not (isinstance(damping, (int, float)) and damping > 0):
    raise ConfigError(f"damping must be a number > 0, got {damping!r}")
BITS = sorted(set(bit_widths), reverse=True)
missing = {2, 3, 4} - set(BITS)
if missing:
    raise ConfigError(f"the rule reads bit widths 2, 3 and 4; add {sorted(missing)} to bit_widths")
METHODS = ("rtn", "gptq")
# The quantizer each arm runs: the sham gives the GPTQ arm round-to-nearest.
QUANTIZER = {"rtn": "rtn", "gptq": "rtn" if sham else "gptq"}

run = dlrepro.run.start("gptq", profile, seed, device, SETTINGS, sham=sham)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 40-{cfg.width}-"
      f"{cfg.width}-10, {cfg.steps} Adam steps; bits {BITS}"
      + (" (SHAM: the GPTQ arm rounds to nearest)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. Each seed trains one network; both methods quantize that
# same network, so every comparison is paired within a seed. Accuracy is test accuracy in
# percentage points. The control arm is round-to-nearest (RTN) on the same grid.
#
# * **Primary** (the headline, against RTN): at 3 bits, GPTQ minus RTN accuracy has a 95%
#   interval above 1 point. The sham rounds to nearest in the GPTQ arm, so the difference is
#   exactly zero and fails.
# * *GPTQ ahead at 2 bits*: the same test at 2 bits.
# * *GPTQ ahead at 4 bits*: GPTQ minus RTN at 4 bits, 95% interval above 0 (no margin: the
#   paper's 4-bit gains over RTN are real but smaller, 8.37 against 10.54 perplexity on
#   OPT-175B, larger on the smaller models).
# * *GPTQ near full precision at 4 bits* (non-inferiority): GPTQ's 4-bit accuracy minus the
#   full-precision network's has a 95% interval above -1 point. (The paper does not claim this
#   for round-to-nearest: its 4-bit RTN degrades on all but the largest models, so RTN at 4 bits
#   is reported, not judged.) At 8 bits GPTQ minus RTN is reported with its interval and not
#   judged: the paper makes no 8-bit claim.
# * Check (must hold, never counts): every quantized row takes at most `2^bits` distinct values,
#   for both methods at every bit width.
#
# Nothing is tuned: `damping` (the paper's 1%) and the calibration set are fixed in the
# parameters, the same for every seed.

# %% tags=["hide-input"]
MARGIN = 1.0  # accuracy points GPTQ must gain over RTN at 3 and 2 bits
FULL_MARGIN = 1.0  # accuracy points GPTQ may lose to full precision at 4 bits and count as near


def ahead(bits):
    return superiority(
        f"GPTQ ahead at {bits} bits",
        f"GPTQ minus round-to-nearest test accuracy at {bits} bits, paired over seeds: 95% "
        f"interval above {MARGIN:g} point",
        f"gptq_acc_{bits}", f"rtn_acc_{bits}", MARGIN)


claim = Claim(
    chapter="gptq",
    paper=Paper(
        authors="Frantar, E., Ashkboos, S., Hoefler, T. & Alistarh, D.",
        year=2023,
        title="GPTQ: Accurate Post-Training Quantization for Generative Pre-trained "
              "Transformers",
        venue="ICLR 2023",
        url="https://arxiv.org/abs/2210.17323",
    ),
    statement=("Post-training quantization by GPTQ (column-wise rounding with second-order "
               "error compensation on calibration data) keeps a network near full precision at "
               "4 bits, as round-to-nearest does, and is far ahead of round-to-nearest at 3 bits "
               "and below."),
    paper_value=("OPT-175B WikiText-2 perplexity: 8.34 full precision; 4 bits RTN 10.54, GPTQ "
                 "8.37; 3 bits RTN ~7,300, GPTQ 8.68"),
    primary=ahead(3),
    criteria=(
        ahead(2),
        superiority(
            "GPTQ ahead at 4 bits",
            "GPTQ minus round-to-nearest test accuracy at 4 bits, paired over seeds: 95% "
            "interval above 0",
            "gptq_acc_4", "rtn_acc_4"),
        non_inferiority(
            "GPTQ near full precision at 4 bits",
            f"GPTQ's test accuracy at 4 bits minus the full-precision network's, paired over "
            f"seeds: 95% interval above -{FULL_MARGIN:g} point",
            "gptq_acc_4", "full_acc", FULL_MARGIN),
    ),
    checks=(
        Check("weights on the grid",
              "every quantized row takes at most 2^bits distinct values, for both methods at "
              "every bit width",
              lambda m: max(m["grid_excess"].values) <= 0),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024): procedurally generated 40-sample signals of ten
# classes, 80% for training and 20% for testing. The calibration set is the first
# `calibration_size` training examples, the analogue of the paper's random C4 segments.
#
# **Networks.** One MLP 40-`width`-`width`-10 with ReLU per seed, trained with Adam. The seeds'
# networks are stacked and trained in one batched pass, then taken apart for quantization.
#
# **Quantization.** Every weight matrix is quantized row by row (one grid per output unit):
# `2^bits` evenly spaced levels spanning the row's range, with zero on the grid. Biases stay in
# full precision, as in the paper. Round-to-nearest rounds every weight independently. GPTQ
# processes the layers in order; for each it collects the layer's inputs `X` on the calibration
# set, *as computed by the already quantized layers below it*, forms the Hessian of the layer's
# squared output error, `H = 2 X X^T`, dampens it by `damping` times its mean diagonal, and then
# rounds the columns one at a time, spreading each column's rounding error over the columns still
# to come through the rows of a Cholesky factor of `H^-1` (`dlrepro.quantize`).

# %% tags=["hide-input"]
dataset = data.mnist1d(cfg.samples, seed=42, device=run.device)
x_calibration = dataset.x_train[:calibration_size]
config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch, lr=cfg.lr,
                           eval_every=cfg.eval_every)
networks = models.seeded_mlps(run.seeds, dataset.num_features, [cfg.width, cfg.width],
                              dataset.num_classes)
stack = models.BatchedMLP.from_models(networks).to(run.device)
print(f"{sum(p.numel() for p in networks[0].parameters()):,} parameters per network; "
      f"{len(dataset.y_train)} training, {len(dataset.y_test)} test, "
      f"{len(x_calibration)} calibration examples")

# %% [markdown] tags=[]
# ## Experiment
#
# Train the networks, then quantize each one with both methods at every bit width and measure
# its test accuracy and, per layer, the relative output error `||W X - Q X||^2 / ||W X||^2` on
# the test inputs (`X` the layer's inputs in the full-precision network).

# %% tags=["hide-input"]
history = train.train_batched(stack, dataset.x_train, dataset.y_train, config,
                              [run.generator(s) for s in run.seeds],
                              {"test": (dataset.x_test, dataset.y_test)}, progress=True)
trained = stack.unstack()


def layer_inputs(network: models.MLP, x: torch.Tensor) -> list[torch.Tensor]:
    """What each linear layer of the full-precision network receives on ``x``."""
    inputs, h = [], x
    for module in network:
        if isinstance(module, torch.nn.Linear):
            inputs.append(h)
        h = module(h)
    return inputs


full_acc = np.zeros(len(run.seeds))
accuracy = {(m, b): np.zeros(len(run.seeds)) for m in METHODS for b in BITS}
layer_error = {(m, b): np.zeros((len(run.seeds), 3)) for m in METHODS for b in BITS}
grid_excess = np.full(len(run.seeds), -np.inf)  # per seed: most distinct row values minus 2^bits
with torch.no_grad():
    for k, network in enumerate(trained):
        network.eval()
        full_acc[k] = 100 * train.evaluate(network, dataset.x_test, dataset.y_test)[1]
        inputs = layer_inputs(network, dataset.x_test)
        for method in METHODS:
            for bits in BITS:
                q = quantize.quantize_model(network, x_calibration, bits, QUANTIZER[method],
                                            damping=damping)
                for lin in q.linears:
                    levels = (lin.weight.sort(dim=1).values.diff(dim=1) != 0).sum(dim=1) + 1
                    grid_excess[k] = max(grid_excess[k], levels.max().item() - 2**bits)
                accuracy[method, bits][k] = 100 * train.evaluate(q, dataset.x_test,
                                                                 dataset.y_test)[1]
                for j, (full, small, x_in) in enumerate(zip(network.linears, q.linears, inputs)):
                    exact = x_in @ full.weight.T
                    layer_error[method, bits][k, j] = (
                        (x_in @ (full.weight - small.weight).T).pow(2).sum()
                        / exact.pow(2).sum()).item()
for bits in BITS:
    print(f"{bits} bits: RTN {accuracy['rtn', bits].mean():5.1f}%   "
          f"GPTQ {accuracy['gptq', bits].mean():5.1f}%   "
          f"(full precision {full_acc.mean():.1f}%)")

# %% [markdown] tags=[]
# ## Results
#
# The paper's comparison at 4 and 3 bits (its tables of perplexity per model), redrawn for one
# model as a curve over bit widths: test accuracy against bits per weight for both methods,
# with 95% bands over seeds, and the full-precision accuracy as a dashed line. (The paper's
# Figure 1 draws perplexity against model size instead; we have one model size.) On the right,
# the relative output error of each layer (log scale) at every bit width.

# %% tags=["hide-input"]
plot.use_style()
colors = {"rtn": plot.ARM_COLORS["control"], "gptq": plot.ARM_COLORS["method"]}
names = {"rtn": "round-to-nearest", "gptq": "GPTQ"}
fig, (ax_acc, ax_err) = plt.subplots(1, 2, figsize=(11, 4))
for method in METHODS:
    plot.seed_band(ax_acc, BITS, np.stack([accuracy[method, b] for b in BITS], axis=1),
                   names[method], colors[method])
    for j, marker in enumerate("os^"):
        errors = np.stack([layer_error[method, b][:, j] for b in BITS], axis=1)
        ax_err.plot(BITS, errors.mean(0), color=colors[method], marker=marker,
                    label=f"{names[method]}, layer {j + 1}")
ax_acc.axhline(full_acc.mean(), color=plot.ARM_COLORS["baseline"], linestyle="--",
               linewidth=1, label="full precision")
ax_acc.axhline(10, color="0.6", linestyle=":", linewidth=1, label="chance")
for ax in (ax_acc, ax_err):
    ax.set_xticks(BITS)
    ax.set_xlabel("bits per weight")
    ax.invert_xaxis()
ax_acc.set_ylabel("test accuracy (%)")
ax_acc.legend(loc="lower left")
ax_err.set_yscale("log")
ax_err.set_ylabel("relative output error of the layer")
ax_err.legend(loc="upper left", ncol=2, fontsize=8)
fig.suptitle(f"Post-training quantization of a 40-{cfg.width}-{cfg.width}-10 MLP on MNIST-1D "
             f"({len(run.seeds)} seeds)")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=["hide-input"]
measurements = {"full_acc": full_acc, "grid_excess": grid_excess}
for bits in BITS:
    for method in METHODS:
        measurements[f"{method}_acc_{bits}"] = accuracy[method, bits]
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=["hide-input"]
# Numbers for the discussion below, glued so that the text reads them from this run.
for key, o in zip(("3", "2", "ahead_4", "4"), verdict.outcomes.values(), strict=True):
    glue(f"outcome_{key}", o.outcome)
    glue(f"low_{key}", o.interval.low)
    glue(f"high_{key}", o.interval.high)
if 8 in BITS:  # reported only
    gap_8 = difference_interval(accuracy["gptq", 8], accuracy["rtn", 8], paired=True)
    glue("low_gap_8", gap_8.low)
    glue("high_gap_8", gap_8.high)
for bits in BITS:
    for method in METHODS:
        glue(f"{method}_acc_{bits}", accuracy[method, bits].mean())
glue("full_acc", full_acc.mean())
ratio = layer_error["rtn", 3].mean(0) / layer_error["gptq", 3].mean(0)
glue("error_ratio_first", ratio[0])
glue("error_ratio_last", ratio[-1])

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**. The trained
# networks reach {glue:text}`full_acc:.1f`% test accuracy at full precision.
#
# * *At 3 bits (primary, {glue:text}`outcome_3`)* the methods part ways, as the paper reports:
#   GPTQ keeps {glue:text}`gptq_acc_3:.1f`% and round-to-nearest {glue:text}`rtn_acc_3:.1f`%,
#   a paired difference in [{glue:text}`low_3:.1f`, {glue:text}`high_3:.1f`] points against a
#   margin of one.
# * *At 2 bits ({glue:text}`outcome_2`)* round-to-nearest falls to {glue:text}`rtn_acc_2:.1f`%
#   while GPTQ keeps {glue:text}`gptq_acc_2:.1f`% (difference in [{glue:text}`low_2:.1f`,
#   {glue:text}`high_2:.1f`]).
# * *At 4 bits ({glue:text}`outcome_4`)* GPTQ is at {glue:text}`gptq_acc_4:.1f`%, and its
#   difference from full precision lies in [{glue:text}`low_4:.1f`, {glue:text}`high_4:.1f`]
#   points against a margin of one. Round-to-nearest is at {glue:text}`rtn_acc_4:.1f`%;
#   GPTQ minus RTN lies in [{glue:text}`low_ahead_4:.1f`, {glue:text}`high_ahead_4:.1f`]
#   points ({glue:text}`outcome_ahead_4`). The test set has 2,000 examples, so one point is 20
#   of them. At 8 bits (reported, not judged) GPTQ is at {glue:text}`gptq_acc_8:.1f`% and
#   round-to-nearest at {glue:text}`rtn_acc_8:.1f`%, a paired difference in
#   [{glue:text}`low_gap_8:.2f`, {glue:text}`high_gap_8:.2f`] points.
# * *Why.* The right panel shows that at every bit width and in every layer GPTQ's output
#   error is smaller than that of round-to-nearest on the same grid: at 3 bits by a factor of
#   {glue:text}`error_ratio_first:.1f` in the first layer and {glue:text}`error_ratio_last:.0f`
#   in the last. Our gap is a matter of degree, not the collapse of round-to-nearest on
#   OPT-175B, plausibly because a three-layer network gives the errors few layers in which to
#   compound.
# * *The sham.* With `sham = True` the GPTQ arm rounds to nearest, the paired difference is
#   exactly zero, and the primary fails against its one-point margin (the stored sham run is in
#   the verdict box above).

# %% [markdown] tags=[]
# ## Explore
#
# Pick a bit width to compare, seed by seed, the accuracy of the two methods and the layer
# errors behind it. (This redraws the runs above; nothing is quantized again.)

# %% tags=["hide-input"]
def show(bits):
    fig, (ax_seed, ax_layer) = plt.subplots(1, 2, figsize=(10, 3.6))
    positions = np.arange(len(run.seeds))
    for offset, method in ((-0.2, "rtn"), (0.2, "gptq")):
        ax_seed.bar(positions + offset, accuracy[method, bits], width=0.4,
                    color=colors[method], label=names[method])
        ax_layer.bar(np.arange(3) + offset, layer_error[method, bits].mean(0), width=0.4,
                     color=colors[method], label=names[method])
    ax_seed.plot(positions, full_acc, "k_", markersize=18, label="full precision")
    ax_seed.set(xticks=positions, xticklabels=[str(s) for s in run.seeds], xlabel="seed",
                ylabel="test accuracy (%)", title=f"{bits} bits per weight")
    ax_layer.set(xticks=range(3), xticklabels=["layer 1", "layer 2", "layer 3"], yscale="log",
                 ylabel="relative output error", title="mean over seeds")
    ax_seed.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show, bits=widgets.SelectionSlider(options=BITS, value=3, description="bits"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Scale.* The paper quantizes transformer language models of 125 million to 176 billion
#   parameters and reports perplexity; we quantize a 78,000-parameter MLP and report test
#   accuracy on MNIST-1D. The method is the same; the size of the effect is not expected to be.
# * *Grid.* As in the paper's main results, one asymmetric min-max grid per output row, set
#   from the full-precision row before rounding. We do not use grouping (separate grids for
#   groups of 128 columns), which the paper adds for its 2- and 3-bit results.
# * *Calibration.* 512 training signals instead of 128 segments of 2,048 tokens; each layer's
#   Hessian is `2 X X^T` over those inputs, computed through the already quantized layers.
# * *Order and blocking.* Columns are processed left to right in blocks of 128 with lazy
#   updates; the paper's "act-order" variant (largest Hessian diagonal first) is not used.
# * *The rule.* The first version of this chapter also required round-to-nearest to stay
#   within one point of full precision at 4 bits; that is not the paper's claim (its 4-bit RTN
#   degrades on all but the largest models), and its stored pass rested on float rounding
#   (a mean drop of 0.9999999999999971 points against a limit of 1). The rule was rewritten
#   once for the book's interval rules before the stored run: GPTQ against round-to-nearest at
#   3 bits as the primary, with the old one-point minimum gain as a margin the whole interval
#   must clear; 2 bits the same; GPTQ near full precision at 4 bits as a non-inferiority test.
#   A later revision, before its run, added GPTQ against round-to-nearest at 4 bits (no margin)
#   and the reported 8-bit difference, so that the two methods are compared with an interval
#   at every bit width. The setup (network, data, steps, calibration, damping) is the
#   chapter's first version.
#
# **What to try.**
#
# * Lower `calibration_size` to a handful of examples: when is the Hessian too poorly estimated
#   for GPTQ to help? Raise `damping` to see how much of the benefit the error feedback carries.
# * Try `bit_widths = [8, 4, 3, 2, 1]`: at one bit both methods are reduced to two levels per row.
#
# **References.**
#
# * {footcite:t}`frantar2023gptq`.
# * {footcite:t}`frantar2022optimal`: the OBQ recursion GPTQ speeds up.
# * {footcite:t}`hassibi1993second`: the error-compensating update both build on.
# * {footcite:t}`greydanus2024scaling`.
#
# ```{footbibliography}
# ```
