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
# # Train longer, generalize better: the large-batch gap is a shortage of updates
#
# Elad Hoffer, Itay Hubara and Daniel Soudry (2017). *Train longer, generalize better: closing
# the generalization gap in large batch training of neural networks*. Advances in Neural
# Information Processing Systems 30 (NIPS 2017).
# [arXiv:1705.08741](https://arxiv.org/abs/1705.08741)
#
# This chapter reproduces {footcite:t}`hoffer2017train`. Networks trained with large
# mini-batches were known to generalize worse than the same networks trained with small ones,
# even when both reach the same training loss {footcite:p}`keskar2017large`, which made large
# batches, and with them data-parallel training on many devices, look like a trade of accuracy
# for speed. Hoffer and colleagues argued that the gap is not caused by the batch size itself:
# in the high-learning-rate phase the weights drift away from their initialization only as the
# *logarithm* of the number of updates, like a random walk on a random landscape, and a
# large-batch run at the same number of epochs simply makes far fewer updates. Adapting the
# training regime (a learning rate scaled by the square root of the batch-size ratio, *Ghost
# Batch Normalization* that normalizes over small slices of the large batch, and as many
# updates as the small-batch run) made the gap disappear in their experiments.

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
from dlrepro.claims import Check, Claim, Paper, bound, mean_ci, non_inferiority, superiority
from dlrepro.data import mnist1d
from dlrepro.diagnostics import weight_distance
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.models import BatchedBNMLP, seeded_mlps
from dlrepro.plot import ARM_COLORS, mean_band, seed_band, use_style
from dlrepro.train import TrainConfig, evaluate_batched, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: a network trained with a large batch $B_L$ for the same number of epochs as
# with a small batch $B_S$ ends with a lower test accuracy (the *generalization gap*). The
# gap comes from the number of updates, not from the batch size. During the constant,
# high-learning-rate phase of training the distance of the weights from their initial values
# grows like $\log t$ in the number of updates $t$, so a run with $B_L/B_S$ times fewer
# updates ends nearer its start. Three changes, together called *regime adaptation*, close the
# gap: multiply the learning rate by $\sqrt{B_L/B_S}$ (so that the covariance of the weight
# update matches the small-batch one), compute the batch-normalization statistics over
# *ghost batches* of $B_S$ examples inside each large batch, and train $B_L/B_S$ times as many
# epochs, i.e. as many updates as the small-batch run (with the learning-rate schedule
# stretched to match).
#
# The paper's scale: MNIST (a fully connected network of five hidden layers of 512 units with
# batch normalization, in the authors' code), CIFAR-10 and CIFAR-100 (ResNet-44 and wide
# ResNets) and ImageNet, with large batches of a few thousand examples (4,096 for
# MNIST in the authors' scripts, ghost batches of 128) against small batches of 128. The
# headline, stated in the abstract, is that the gap "can be completely eliminated" by adapting
# the training regime, and that Ghost Batch Normalization alone, without more updates, already
# shrinks it considerably. Our version is far smaller: MNIST-1D, a two-layer MLP, $B_S = 32$
# and $B_L = 512$ (see *Notes*).

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` chooses the size of the experiment: `smoke` only checks that the chapter runs,
# `quick` (the default, under a minute on a laptop CPU) is the stored run, `full` is meant for
# one GPU. The other knobs override the profile's values or the paper's settings.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
sham = False  # True: the adapted arms are the unadapted large-batch run (the control)
width = None  # units in each of the two hidden layers; None keeps the profile's value
epochs = None  # epochs of the small-batch run; None keeps the profile's value
large_batch = None  # the large batch B_L; None keeps the profile's value
lr = 0.1  # SGD learning rate of the small batch (the authors' MNIST value), momentum 0.9

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 32, "epochs": 2, "small_batch": 32,
              "large_batch": 256, "ghost_batch": 32},
    # 5 seeds per arm, 1,600 MNIST-1D training signals; the small batch makes 1,000 updates
    # in 20 epochs, the large batch 60, the adapted large batch 1,000 (about 333 epochs).
    "quick": {"seeds": 5, "samples": 2000, "width": 128, "epochs": 20, "small_batch": 32,
              "large_batch": 512, "ghost_batch": 32},
    # One GPU: eight seeds, ten times the data, the authors' batch sizes (128 and 4,096).
    "full": {"seeds": 8, "samples": 20000, "width": 512, "epochs": 20, "small_batch": 128,
             "large_batch": 4096, "ghost_batch": 128},
}
run = dlrepro.run.start("large_batch_generalization", profile, seed, device, SETTINGS,
                        overrides={"width": width, "epochs": epochs,
                                   "large_batch": large_batch}, sham=sham)
cfg = run.settings
if not lr > 0:
    raise ConfigError(f"lr must be positive, got {lr}")
if not (cfg.small_batch <= cfg.ghost_batch <= cfg.large_batch and
        cfg.large_batch > cfg.small_batch and cfg.large_batch % cfg.ghost_batch == 0):
    raise ConfigError(f"need small_batch <= ghost_batch < large_batch with large_batch a "
                      f"multiple of ghost_batch, got {cfg.small_batch}, {cfg.ghost_batch}, "
                      f"{cfg.large_batch}")
MOMENTUM = 0.9
DECAY_AT = 0.75  # the learning rate drops tenfold after this share of each arm's updates
RATIO = cfg.large_batch / cfg.small_batch
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 2 x {cfg.width} with "
      f"batch norm; B_S {cfg.small_batch}, B_L {cfg.large_batch} (ratio {RATIO:g}), "
      f"{cfg.epochs} small-batch epochs at lr {lr:g}"
      + (" (SHAM: no adaptation)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. Five arms train the same MLP with batch normalization
# from the same initial weights (one per seed), with SGD and momentum 0.9 and the same
# relative learning-rate schedule (constant, then a tenfold drop after 75% of the arm's
# updates), and are read at the end of training; all comparisons are paired over seeds and
# in percentage points of test accuracy:
#
# | arm | batch | learning rate | batch norm | epochs |
# |---|---|---|---|---|
# | SB (small batch) | $B_S$ | $\eta$ | ordinary | $E$ |
# | **LB (the control)** | $B_L$ | $\eta$ | ordinary | $E$ |
# | LB + LR | $B_L$ | $\eta\sqrt{B_L/B_S}$ | ordinary | $E$ |
# | LB + LR + GBN | $B_L$ | $\eta\sqrt{B_L/B_S}$ | ghost batches of $B_S$ | $E$ |
# | **LB adapted** (+ RA) | $B_L$ | $\eta\sqrt{B_L/B_S}$ | ghost batches of $B_S$ | $E\,B_L/B_S$ |
#
# * **Primary: regime adaptation beats the unadapted large batch.** The adapted large-batch
#   run minus the control (the same large batch at the same epochs, rate and ordinary batch
#   norm): 95% interval above 0 points. *Why this primary.* The issue's headline has two
#   parts, "the adapted run matches the small batch" and "the unadapted one is worse". A
#   non-inferiority primary (adapted vs SB) passes a tie, so a sham would pass it whenever
#   there is no gap to close. Against the unadapted control the sham is exact: with the
#   adaptation turned off the adapted arm *is* the control (same weights, same batches), the
#   difference is zero and a superiority primary cannot pass. The two halves of the headline
#   are judged as further criteria.
# * *The gap exists (precondition)*: SB minus LB: 95% interval above 2 points. Without a gap
#   there is nothing to close; if it fails or is undecided, we report "no clear gap at this
#   scale" and the primary says only that adaptation helps.
# * *Adaptation closes the gap*: adapted LB minus SB: 95% interval above -1 point
#   (non-inferiority, margin 1 point).
# * *Square-root scaling helps*: LB + LR minus LB: 95% interval above 0 points.
# * *Ghost batch norm helps*: LB + LR + GBN minus LB + LR: 95% interval above 0 points.
# * *The distance grows like log t*: in the small-batch run, over the constant-rate phase
#   (update 10 up to the drop), the per-seed $R^2$ of a straight-line fit of
#   $\lVert w_t - w_0\rVert$ against $\log t$: 95% interval above 0.9.
# * *Log beats the random walk's square root*: the same per-seed $R^2$ minus that of a
#   straight-line fit against $\sqrt{t}$ (what a plain random walk would give): 95% interval
#   above 0.
#
# Checks (they must hold and never count):
#
# * *The small batch learns*: SB ends above 90% training accuracy in every seed (the paper's
#   networks fit their training sets; a control that does not learn cannot show a gap).
# * *Arms as specified*: every arm of a seed starts from the same weights (distance 0 between
#   their initial parameters), and the adapted arm makes exactly as many updates as SB (in
#   the sham, as many as the control it then is).

# %% tags=["hide-input"]
GAP_MARGIN = 2.0  # points: SB above LB (the precondition)
CLOSE_MARGIN = 1.0  # points: adapted LB may trail SB by less than this
R2_LIMIT = 0.9
FIT_START = 10  # first update of the log-growth fit
TRAIN_LEARNS = 90.0  # % training accuracy SB must reach in every seed


claim = Claim(
    chapter="large_batch_generalization",
    paper=Paper(
        authors="Hoffer, E., Hubara, I. & Soudry, D.",
        year=2017,
        title=("Train longer, generalize better: closing the generalization gap in large "
               "batch training of neural networks"),
        venue="NIPS 2017",
        url="https://arxiv.org/abs/1705.08741",
    ),
    statement=("The large-batch generalization gap comes from too few updates: the weights' "
               "distance from initialization grows like log(updates), and adapting the "
               "regime (sqrt(B_L/B_S) learning rate, Ghost Batch Normalization, as many "
               "updates as the small batch) closes the gap."),
    paper_value=("the gap 'can be completely eliminated' by regime adaptation on MNIST, "
                 "CIFAR-10/100 and ImageNet (abstract); the distance from initialization "
                 "grows logarithmically with the number of updates"),
    primary=superiority(
        "regime adaptation beats the unadapted large batch",
        "test accuracy of the adapted large-batch run (sqrt LR, ghost BN, as many updates as "
        "SB) minus the unadapted one (same epochs, rate and batch norm as SB), paired over "
        "seeds: 95% interval above 0 points", "test_ra", "test_lb"),
    criteria=(
        superiority("the generalization gap exists",
                    f"test accuracy, small batch minus large batch at the same epochs, paired: "
                    f"95% interval above {GAP_MARGIN:g} points", "test_sb", "test_lb",
                    margin=GAP_MARGIN),
        non_inferiority("adaptation closes the gap",
                        f"test accuracy, adapted large batch minus small batch, paired: 95% "
                        f"interval above -{CLOSE_MARGIN:g} point", "test_ra", "test_sb",
                        CLOSE_MARGIN),
        superiority("square-root scaling helps",
                    "test accuracy, LB + sqrt LR minus LB, paired: 95% interval above 0 points",
                    "test_lr", "test_lb"),
        superiority("ghost batch norm helps",
                    "test accuracy, LB + sqrt LR + ghost BN minus LB + sqrt LR, paired: 95% "
                    "interval above 0 points", "test_gbn", "test_lr"),
        bound("the distance grows like log t",
              f"small batch, updates {FIT_START} to the rate drop: per-seed R^2 of "
              f"||w_t - w_0|| against log t, 95% interval above {R2_LIMIT:g}", "r2_log",
              R2_LIMIT),
        superiority("log beats the random walk's square root",
                    "small batch, same updates: per-seed R^2 against log t minus R^2 against "
                    "sqrt t, paired: 95% interval above 0", "r2_log", "r2_sqrt"),
    ),
    checks=(
        Check("the small batch learns",
              f"SB training accuracy above {TRAIN_LEARNS:g}% in every seed",
              lambda m: min(m["train_sb"].values) > TRAIN_LEARNS),
        Check("arms as specified",
              "every arm of a seed starts from the same weights; the adapted arm makes as "
              "many updates as SB (in the sham: as LB)", lambda m: max(m["init_spread"].values) == 0
              and min(m["same_updates"].values) == 1),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D {footcite:p}`greydanus2024scaling`, generated offline: 2,000 signals of
# length 40 in ten classes, 1,600 for training and 400 for testing (`dlrepro.data.mnist1d`).
# It is hard enough for an MLP that the test accuracy is far from its ceiling, so a gap has
# room to show.
#
# **Model.** An MLP 40-`width`-`width`-10 with batch normalization {footcite:p}`ioffe2015batch`
# after each hidden linear layer, `Linear -> BatchNorm -> ReLU`, as in the authors' MNIST
# network (which has five hidden layers of 512). `dlrepro.models.BatchedBNMLP` stacks the five
# seeds of an arm into one model whose every slice keeps its own batch statistics, and
# `dlrepro.models.GhostBatchNorm1d` normalizes each ghost batch of $B_S$ examples on its own
# (the unit tests check both against `torch.nn.BatchNorm1d` applied to each ghost batch).
#
# **Training.** SGD with momentum 0.9 and the authors' MNIST learning rate $\eta = 0.1$ for the
# small batch, no weight decay; the rate drops tenfold after 75% of each arm's updates. An arm
# at $E$ epochs makes $E \lfloor n / B \rfloor$ updates (the partial batch of an epoch is
# dropped). Every arm of a seed starts from the same weights and draws its batches from a
# generator with the same seed; in the sham the adapted arms get the control's rate, ordinary
# batch norm and epochs, so they *are* the control.
#
# **What we record.** $\lVert w_t - w_0\rVert$ over all parameters of each network
# (`dlrepro.diagnostics.weight_distance`) on a log-spaced grid of updates, and at the end the
# training and test accuracy in eval mode (batch norm with its running statistics).

# %% tags=["hide-input"]
data = mnist1d(cfg.samples, seed=42, device=run.device)
n, S = data.y_train.shape[0], len(run.seeds)
root = math.sqrt(RATIO)
ARMS = {  # name: (batch, learning rate, ghost batch or None, epochs)
    "sb": (cfg.small_batch, lr, None, cfg.epochs),
    "lb": (cfg.large_batch, lr, None, cfg.epochs),
    "lr": (cfg.large_batch, lr * root, None, cfg.epochs),
    "gbn": (cfg.large_batch, lr * root, cfg.ghost_batch, cfg.epochs),
    "ra": (cfg.large_batch, lr * root, cfg.ghost_batch,
           cfg.epochs * (n // cfg.small_batch) / (n // cfg.large_batch)),
}
if sham:  # adaptation turned off: every adapted arm is the unadapted large batch
    for name in ("lr", "gbn", "ra"):
        ARMS[name] = ARMS["lb"]
LABELS = {"sb": f"SB ({cfg.small_batch})", "lb": f"LB ({cfg.large_batch}), the control",
          "lr": "LB + LR", "gbn": "LB + LR + GBN", "ra": "LB adapted (+ RA)"}
COLORS = {"sb": ARM_COLORS["baseline"], "lb": ARM_COLORS["control"],
          "lr": ARM_COLORS["alternative"], "gbn": ARM_COLORS["extra"],
          "ra": ARM_COLORS["method"]}


def updates(arm: str) -> int:
    batch, _, _, arm_epochs = ARMS[arm]
    return int(round(arm_epochs * (n // batch)))


for arm, (batch, rate, ghost, arm_epochs) in ARMS.items():
    print(f"{LABELS[arm]:<22} batch {batch:>5}  lr {rate:<7.3g} ghost {str(ghost):>5}  "
          f"{arm_epochs:>6.0f} epochs  {updates(arm):>6} updates")

# %% [markdown] tags=[]
# ## Experiment

# %% tags=["hide-input"]
results = {}
for arm, (batch, rate, ghost, _) in ARMS.items():
    steps = updates(arm)
    model = BatchedBNMLP(seeded_mlps(run.seeds, data.num_features, [cfg.width] * 2,
                                     data.num_classes), ghost_batch_size=ghost).to(run.device)
    start = [p.detach().clone() for p in model.parameters()]
    grid = set(np.unique(np.geomspace(1, steps, 40).round().astype(int)).tolist())
    holder, trace = {}, {"step": [0], "distance": [np.zeros(S)]}

    def factory(params, rate=rate, holder=holder):
        holder["opt"] = torch.optim.SGD(params, lr=rate, momentum=MOMENTUM)
        return holder["opt"]

    def callback(step, steps=steps, rate=rate, holder=holder, trace=trace, grid=grid,
                 model=model, start=start):
        if step == int(DECAY_AT * steps):
            for group in holder["opt"].param_groups:
                group["lr"] = rate / 10
        if step in grid:
            trace["step"].append(step)
            trace["distance"].append(
                weight_distance(model.parameters(), start, batched=True).cpu().numpy())

    train_batched(model, data.x_train, data.y_train,
                  TrainConfig(steps=steps, batch_size=batch, lr=rate, optimizer="sgd",
                              momentum=MOMENTUM, eval_every=steps + 1),
                  [run.generator(s) for s in run.seeds], optimizer=factory, callback=callback,
                  progress=True, compile_model=False)  # eager: batch norm updates buffers
    model.eval()
    _, train_acc = evaluate_batched(model, data.x_train, data.y_train)
    _, test_acc = evaluate_batched(model, data.x_test, data.y_test)
    results[arm] = {"steps": np.asarray(trace["step"]),
                    "distance": np.stack(trace["distance"]),  # (points, seeds)
                    "train": 100 * train_acc, "test": 100 * test_acc, "start": start,
                    "updates": steps}
    print(f"{LABELS[arm]:<22} {steps:>6} updates: test {mean_ci(100 * test_acc, '.1f')}%, "
          f"train {mean_ci(100 * train_acc, '.1f')}%  ({run.elapsed():.0f} s since start)")

# %% [markdown] tags=[]
# The measurements, one value per seed.

# %% tags=["hide-input"]
def r_squared(x: np.ndarray, y: np.ndarray) -> float:
    """R^2 of the least-squares straight line of y on x."""
    slope, intercept = np.polyfit(x, y, 1)
    residual = y - (slope * x + intercept)
    return 1.0 - residual.var() / y.var()


sb = results["sb"]
phase = (sb["steps"] >= FIT_START) & (sb["steps"] < int(DECAY_AT * sb["updates"]))
t_fit, d_fit = sb["steps"][phase].astype(float), sb["distance"][phase]
measurements = {f"{k}_{arm}": results[arm][k] for arm in ARMS for k in ("test", "train")}
measurements["r2_log"] = np.array([r_squared(np.log(t_fit), d_fit[:, s]) for s in range(S)])
measurements["r2_sqrt"] = np.array([r_squared(np.sqrt(t_fit), d_fit[:, s]) for s in range(S)])
measurements["slope_log"] = np.array([np.polyfit(np.log(t_fit), d_fit[:, s], 1)[0]
                                      for s in range(S)])
measurements["init_spread"] = np.max(
    [weight_distance(results[arm]["start"], sb["start"], batched=True).cpu().numpy()
     for arm in ARMS], axis=0)
reference = results["lb" if sham else "sb"]["updates"]  # the sham's adapted arm is the control
measurements["same_updates"] = np.full(S, float(results["ra"]["updates"] == reference))
measurements["end_distance_sb"] = sb["distance"][-1]
measurements["end_distance_lb"] = results["lb"]["distance"][-1]
measurements["end_distance_ra"] = results["ra"]["distance"][-1]

print(f"mean ± 95% CI over {S} seeds (accuracies in %)")
print(f"{'arm':<24}{'updates':>8}{'test':>14}{'train':>14}{'||w_T - w_0||':>16}")
for arm in ARMS:
    r = results[arm]
    print(f"{LABELS[arm]:<24}{r['updates']:>8}{mean_ci(r['test'], '.1f'):>14}"
          f"{mean_ci(r['train'], '.1f'):>14}{mean_ci(r['distance'][-1], '.1f'):>16}")
print(f"SB, updates {FIT_START}-{int(DECAY_AT * sb['updates'])}: R^2 against log t "
      f"{mean_ci(measurements['r2_log'])}, against sqrt t {mean_ci(measurements['r2_sqrt'])}; "
      f"slope per e-fold of updates {mean_ci(measurements['slope_log'], '.2f')}")

# %% [markdown] tags=[]
# ## Results
#
# Left, the paper's kind of plot re-drawn from our runs: the distance of the weights from
# their initialization against the number of updates (log scale), one curve per arm; on this
# axis a logarithmic growth is a straight line. The dotted line is the straight-line fit in
# $\log t$ to the small-batch run's constant-rate phase. Right, the paper's comparison of the
# adaptation steps as a chart: the final test accuracy of every arm. Lines and bars are seed
# means, bands and whiskers 95% confidence intervals over seeds.

# %% tags=["hide-input"]
use_style()
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.6))
for arm in ARMS:
    r = results[arm]
    seed_band(left, r["steps"][1:], r["distance"][1:].T, LABELS[arm], color=COLORS[arm],
              marker=None)
slope, intercept = np.polyfit(np.log(t_fit), d_fit.mean(axis=1), 1)
left.plot(t_fit, slope * np.log(t_fit) + intercept, ":", color="black",
          label="log fit to SB (constant rate)")
left.set(xscale="log", xlabel="updates t", ylabel=r"$\|w_t - w_0\|$",
         title="distance from initialization")
left.legend(loc="upper left", fontsize=8)
names = list(ARMS)
bands = [mean_band(results[a]["test"]) for a in names]
means = [float(m) for m, _ in bands]
right.bar(range(len(names)), means, yerr=[float(h) for _, h in bands], capsize=4,
          color=[COLORS[a] for a in names])
right.set_xticks(range(len(names)), [LABELS[a].replace(", the control", "\n(control)")
                                     for a in names], fontsize=8)
low = min(means) - 6
right.set(ylim=(max(0, low), max(means) + 4), ylabel="test accuracy (%)",
          title="final test accuracy")
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
for name in ("test_sb", "test_lb", "test_lr", "test_gbn", "test_ra", "train_sb", "train_lb",
             "train_ra", "r2_log", "r2_sqrt", "slope_log", "end_distance_sb",
             "end_distance_lb", "end_distance_ra"):
    glue(name, np.mean(measurements[name]))
for arm in ARMS:
    glue(f"updates_{arm}", results[arm]["updates"])
glue("epochs_ra", ARMS["ra"][3])
KEYS = {"regime adaptation beats the unadapted large batch": "primary",
        "the generalization gap exists": "gap", "adaptation closes the gap": "close",
        "square-root scaling helps": "sqrt", "ghost batch norm helps": "ghost",
        "the distance grows like log t": "logfit",
        "log beats the random walk's square root": "logsqrt"}
for name, o in verdict.outcomes.items():
    glue(f"outcome_{KEYS[name]}", o.outcome)
    glue(f"low_{KEYS[name]}", o.interval.low)
    glue(f"high_{KEYS[name]}", o.interval.high)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *The gap.* The small batch ({glue:text}`updates_sb:.0f` updates) ends at
#   {glue:text}`test_sb:.1f`% test accuracy ({glue:text}`train_sb:.1f`% on the training set),
#   the large batch at the same epochs ({glue:text}`updates_lb:.0f` updates) at
#   {glue:text}`test_lb:.1f`% ({glue:text}`train_lb:.1f`% training): SB minus LB lies in
#   [{glue:text}`low_gap:.1f`, {glue:text}`high_gap:.1f`] points against the margin of 2
#   ({glue:text}`outcome_gap`).
# * *Regime adaptation (primary).* The adapted large batch, {glue:text}`updates_ra:.0f`
#   updates in {glue:text}`epochs_ra:.0f` epochs, reaches {glue:text}`test_ra:.1f`%
#   ({glue:text}`train_ra:.1f`% training); its gain over the control lies in
#   [{glue:text}`low_primary:.1f`, {glue:text}`high_primary:.1f`] points
#   ({glue:text}`outcome_primary`). Against the small batch it lies in
#   [{glue:text}`low_close:.1f`, {glue:text}`high_close:.1f`] points, to be compared with the
#   margin of -1 ({glue:text}`outcome_close`).
# * *The single steps.* Square-root scaling of the rate alone gives {glue:text}`test_lr:.1f`%,
#   a change over LB in [{glue:text}`low_sqrt:.1f`, {glue:text}`high_sqrt:.1f`] points
#   ({glue:text}`outcome_sqrt`); adding ghost batch norm gives {glue:text}`test_gbn:.1f`%, a
#   change over LB + LR in [{glue:text}`low_ghost:.1f`, {glue:text}`high_ghost:.1f`] points
#   ({glue:text}`outcome_ghost`).
# * *Logarithmic growth.* In the small-batch run's constant-rate phase a straight line in
#   $\log t$ explains the distance from initialization with $R^2$ =
#   {glue:text}`r2_log:.3f` on average (interval from {glue:text}`low_logfit:.3f` to
#   {glue:text}`high_logfit:.3f`, {glue:text}`outcome_logfit`), a straight line in $\sqrt{t}$
#   with {glue:text}`r2_sqrt:.3f`; log minus square root lies in
#   [{glue:text}`low_logsqrt:.3f`, {glue:text}`high_logsqrt:.3f`]
#   ({glue:text}`outcome_logsqrt`). The fitted slope is {glue:text}`slope_log:.2f` per e-fold
#   of updates. In the left figure the small-batch curve is not straight on the log axis: it
#   bends upwards over the last few hundred constant-rate updates, while the network fits the
#   last of its training signals, and a square root follows that bend better than a
#   logarithm. At the end the small batch has travelled {glue:text}`end_distance_sb:.1f` from
#   its start, the control only {glue:text}`end_distance_lb:.1f`, the adapted large batch
#   {glue:text}`end_distance_ra:.1f`: the run with a sixteenth of the updates ends far nearer
#   its initialization than both runs with the small batch's number of updates, which is the
#   paper's explanation of the gap.
# * *Our reading.* The paper's main claim holds at this scale: the control shows a gap and
#   the full adaptation lifts the large batch well above the control, to about the small
#   batch's mean. Whether the adapted run *matches* the
#   small batch our five seeds cannot say: the interval of their difference is centred near
#   zero but wider than the 1-point margin. The single steps (square-root scaling, then ghost
#   batch norm) raise the means in the paper's order, but each interval straddles zero. The
#   logarithmic law we do not reproduce: over our short run a square root describes the
#   distance better (see *Notes* for why we think so).
# * *The sham* turns the adaptation off: the adapted arm then has the control's rate, batch
#   norm and epochs, trains from the same weights on the same batches, and the primary's
#   difference is exactly zero, which cannot pass, as the verdict box records.

# %% [markdown] tags=[]
# ## Explore
#
# The paper's argument in one picture: plot the distance from initialization against epochs,
# and the large-batch runs lag far behind; plot it against updates, and they fall in line with
# the small batch. Pick the axis and a seed; this redraws the runs above, nothing is trained
# again. (In a headless run the view is drawn once, against updates, for the first seed.)

# %% tags=["hide-input"]
def show(axis, seed_index):
    fig, ax = plt.subplots(figsize=(8.5, 4.6))
    for arm in ARMS:
        r = results[arm]
        per_epoch = n // ARMS[arm][0]
        x = r["steps"][1:] if axis == "updates" else r["steps"][1:] / per_epoch
        ax.plot(x, r["distance"][1:, seed_index], color=COLORS[arm],
                label=f"{LABELS[arm]}: test {r['test'][seed_index]:.1f}%")
    ax.set(xscale="log", xlabel=axis, ylabel=r"$\|w_t - w_0\|$",
           title=f"seed {run.seeds[seed_index]}")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show,
        axis=widgets.ToggleButtons(options=["updates", "epochs"], value="updates",
                                   description="x axis"),
        seed_index=widgets.IntSlider(value=0, min=0, max=S - 1, description="seed #"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Data and scale.* The paper trains on MNIST, CIFAR-10/100 and ImageNet with batches of up
#   to several thousand; we train on 1,600 MNIST-1D signals with $B_S = 32$ and $B_L = 512$
#   (a ratio of 16, against 32 in the authors' MNIST script, 128 and 4,096), so that the
#   adapted arm's 1,000 large-batch updates fit the quick budget on a laptop CPU. The full
#   profile uses the authors' batch sizes on ten times the data.
# * *Sizing.* The size was set in pilot runs at a few sizes, on the small batch's behaviour
#   (does it fit the training set?) and on whether the control shows a gap. With 3,200
#   training signals and 10 epochs the small batch stayed below 85% training accuracy and the
#   gap was small; with 1,600 signals and 20 epochs it fits the training set and the large
#   batch trails it. Small-batch rates of 0.03 and 0.01, tried at the earlier size, moved the
#   small batch's test accuracy by about two points at most; we kept the authors' 0.1 rather
#   than tune it. One of those pilots ran every arm once at the chosen
#   size (it looked like the stored run); the rule above was written before the stored run
#   and was not changed after it.
# * *Architecture and schedule.* The authors' MNIST network has five hidden layers of 512
#   with batch normalization and weight decay 1e-4, and its learning rate drops tenfold
#   several times; ours has two hidden layers, no weight decay and one drop after 75% of the
#   updates, stretched with the number of updates as regime adaptation asks. The learning
#   rate 0.1 and the momentum 0.9 are the authors' MNIST values, not tuned here; the large
#   batch's rates are derived from them by the rule, never tuned on their own.
# * *The log-growth fit* uses the constant-rate phase only, as the paper's claim does, and
#   compares the logarithm with the square root that a random walk on a flat landscape would
#   give; a high $R^2$ alone would not tell the two apart well, since both curves are concave.
#   Why the square root wins here, as far as we can tell: our fitted range spans under two
#   decades of updates (the paper's plots span several), where the two curves differ little;
#   and without weight decay the read-out layer, which no batch norm follows, keeps growing
#   once the training set is nearly fitted, because cross-entropy rewards ever larger logits.
#   That late growth is the upward bend of the small-batch curve. The authors' runs had weight
#   decay and many more updates; a reader can test the first explanation with the full
#   profile.
# * *Paper numbers.* We quote the abstract's qualitative claims and the batch sizes of the
#   authors' public scripts; we could not check the accuracies of the paper's Table 1 against
#   its text here, so we do not quote them.
# * Related chapter: *batch size and learning rate* in the optimization part studies how the
#   best learning rate moves with the batch size.
#
# **What a reader might try.**
#
# * Set `large_batch` to 1024: with a larger ratio the control makes even fewer updates. Does
#   the gap grow, and does adaptation still close it?
# * Raise `epochs` for everyone: if the gap is a shortage of updates, it should shrink when
#   the large batch also gets enough of them.
# * Compare the slopes in the left figure: the square-root rule is meant to make one
#   large-batch update move the weights as far as $\sqrt{B_L/B_S}$ small ones would move
#   them in the random-walk picture. Is that what the curves show?
#
# ```{footbibliography}
# ```
