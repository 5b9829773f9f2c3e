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
# # The long tail: why learning needs memorization
#
# Vitaly Feldman (2020). *Does Learning Require Memorization? A Short Tale about a Long Tail*.
# Proceedings of the 52nd Annual ACM SIGACT Symposium on Theory of Computing (STOC 2020),
# pages 954-959. [arXiv:1906.05271](https://arxiv.org/abs/1906.05271). {footcite:t}`feldman2020does`
#
# Networks that reach state-of-the-art test accuracy also fit their training sets perfectly,
# mislabelled and atypical examples included, and they fit random labels just as well
# {footcite:p}`zhang2017understanding`. Classical theory treats this as overfitting to be
# regularized away. Feldman's paper gives the first explanation of why fitting everything can
# instead be *necessary* for near-optimal accuracy. Model each class as a mixture of
# subpopulations (a bird species photographed from one angle, a rare handwriting style) whose
# frequencies follow a long tail, as those of natural images and text do. A training set of *n*
# examples then holds many subpopulations seen exactly once, and from one example the learner
# cannot tell a rare-but-real subpopulation from an outlier. Its only way to get the rare ones
# right at test time is to memorize the label of every example seen once; a learner that does
# not pays, in test error, roughly the total probability of those subpopulations. The same
# argument explains why differential privacy and model compression, which limit memorization,
# hurt most on rare subgroups, and it motivated the memorization measurements of
# {footcite:t}`feldman2020what`.

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
from dlrepro.claims import Check, Claim, Paper, equivalence, mean_ci, superiority
from dlrepro.data import expected_mass_seen, subpopulation_mixture, zipf_frequencies
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.models import BatchedMLP, seeded_mlps
from dlrepro.plot import ARM_COLORS, mean_band, use_style
from dlrepro.train import TrainConfig, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: when the data are a mixture of many subpopulations whose frequencies have a long
# tail, a learner that does not fit the labels of the training examples from subpopulations
# seen only once is measurably worse than one that does, and the price is about the test
# probability mass of those once-seen subpopulations. Where the frequencies have no tail, not
# fitting them costs nothing, because there are no such subpopulations.
#
# The paper is a theory paper; its experiments are other people's. Its main bound says that the
# expected test error of any learner exceeds the optimum by at least
# $\tau_1 \cdot \mathrm{errn}_S(A, 1)$, where $\mathrm{errn}_S(A, 1)$ counts the training
# examples from once-seen subpopulations that the learner gets wrong and $\tau_1$ depends only
# on the frequency distribution and *n*. With fixed frequencies $p_k$,
# $\tau_1 = \sum_k p_k^2 (1-p_k)^{n-1} / \sum_k p_k (1-p_k)^{n-1}$, so that $\tau_1$ times the
# expected number of once-seen examples is exactly the expected **singleton mass**
#
# $$\tau = \sum_k p_k \cdot n\,p_k (1-p_k)^{n-1},$$
#
# the expected test probability of the subpopulations that appear exactly once. The paper's
# worked example takes Zipf frequencies ($p_k \propto 1/k$) over 50,000 subpopulations and
# *n* = 50,000: then about **17%** of the training examples come from once-seen subpopulations,
# $\tau_1 \approx 0.47/n$, and leaving all of them unfitted with ten classes costs about
# **7 percentage points** of accuracy. (The chapter recomputes these three numbers from the
# formulas above; the discussion of the run below quotes them.)
#
# Our test is the experiment the theory describes: thousands of tight clusters with random
# labels and Zipf frequencies, a network that fits every training example against the *same*
# network trained without the examples of once-seen clusters, and the exact singleton mass of
# the generator to compare the gap with.

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
sham = False  # True: the memorizing network also trains without the once-seen examples
subpopulations = None  # clusters of the long-tailed generator; None keeps the profile's value
train_size = None  # training examples drawn from each generator; None keeps the profile's value
width = None  # units in each of the two hidden layers; None keeps the profile's value
spread = 0.1  # standard deviation of a cluster around its centre, per coordinate
share = 0.5  # the primary asks for a gap of at least this share of the singleton mass

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "subpopulations": 200, "head_subpopulations": 20, "train_size": 400,
              "test_per_subpopulation": 5, "width": 64, "steps": 150, "batch_size": 50},
    # 1,000 Zipf clusters and 2,000 examples: about a tenth of the test mass sits in clusters
    # seen once. Five seeds x five arms in one batched pass.
    "quick": {"seeds": 5, "subpopulations": 1000, "head_subpopulations": 100,
              "train_size": 2000, "test_per_subpopulation": 10, "width": 256, "steps": 600,
              "batch_size": 100},
    # One GPU: ten times the clusters and the data, wider networks, eight seeds.
    "full": {"seeds": 8, "subpopulations": 10000, "head_subpopulations": 1000,
             "train_size": 20000, "test_per_subpopulation": 10, "width": 1024, "steps": 4000,
             "batch_size": 256},
}
run = dlrepro.run.start("long_tail_memorization", profile, seed, device, SETTINGS,
                        overrides={"subpopulations": subpopulations, "train_size": train_size,
                                   "width": width}, sham=sham)
cfg = run.settings
if cfg.subpopulations % cfg.head_subpopulations:
    raise ConfigError(f"subpopulations ({cfg.subpopulations}) must be a multiple of the head-only "
                      f"generator's {cfg.head_subpopulations} clusters")
if cfg.batch_size > cfg.train_size // 2:
    raise ConfigError(f"train_size must be at least twice batch_size ({cfg.batch_size}), got "
                      f"{cfg.train_size}")
if not spread > 0 or not 0 < share < 1:
    raise ConfigError(f"need spread > 0 and 0 < share < 1, got {spread} and {share}")
DIM, CLASSES, LR = 20, 10, 2e-3
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: {cfg.subpopulations} Zipf "
      f"clusters (head-only control: {cfg.head_subpopulations} equal ones), {cfg.train_size} "
      f"training examples each, MLP 2 x {cfg.width}, {cfg.steps} Adam steps of batch "
      f"{cfg.batch_size}" + (" (SHAM: the memorizing arm drops the once-seen examples too)"
                             if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. Every seed draws a fresh long-tailed data set (cluster
# centres, random labels, examples) and a fresh head-only one. On each, the arms share the
# initial weights, the optimizer and the order of mini-batches, so every comparison is paired
# over seeds. Accuracies are **population** accuracies: each cluster's accuracy on fresh test
# points, weighted by the cluster's frequency, which is the expected accuracy on a new draw from
# the generator. $\tau$ is the *exact expected* singleton mass of the long-tailed generator,
# computed from its frequencies before any data is drawn; a learner that ignores the once-seen
# clusters and guesses their labels gets one in ten right, so the theory predicts a gap of about
# $0.9\,\tau$.
#
# * **Primary: memorizing pays.** Long-tailed data: the population accuracy of the memorizing
#   network (all training examples, fitted to 100%) minus that of the control arm (the same
#   network trained without the examples of clusters seen once), paired over seeds: the 95%
#   interval lies above `share` x $\tau$ (half the singleton mass by default). The sham gives
#   the memorizing arm the control's training set, so the two arms are the same model and the
#   difference is zero.
# * **The cost is the singleton mass.** The gap divided by the seed's realized singleton mass
#   (the total frequency of the clusters its training set holds exactly once): 95% interval
#   within 0.9 +- 0.15.
# * **Memorized singletons carry over to their cluster.** Mass-weighted accuracy on the clusters
#   seen once, memorizing arm minus control: 95% interval above 0.5.
# * **Without memorization they are at chance.** The control's accuracy on the clusters seen
#   once: 95% interval within 0.1 +- 0.05.
# * **The gap sits in the singletons.** The part of the gap from clusters seen twice or more
#   (the sum of frequency x accuracy difference over them): 95% interval within 0 +- 0.01.
# * **Which examples, not how many.** A third arm drops as many training examples as the control
#   does, but chosen at random. Its population accuracy minus the control's: 95% interval above
#   `share` x $\tau$. Dropping a random tenth of the data loses few clusters entirely, so the
#   cost of the control is about *which* examples it ignores.
#
# Checks (they must hold, they never count): the memorizing network fits its training set (mean
# training accuracy at least 0.99 on both generators); the control's training set holds no
# example of a once-seen cluster and the random arm drops exactly as many rows; the exact
# singleton mass agrees with a Monte-Carlo average over 2,000 training sets drawn from the same
# frequencies (within 2%); the head-only control has no tail (expected singleton mass below
# 0.001) and no gap (within 0.01 in every seed).

# %% tags=["hide-input"]
RATIO_TARGET, RATIO_TOL = 1 - 1 / CLASSES, 0.15
CHANCE, CHANCE_TOL = 1 / CLASSES, 0.05
frequencies = zipf_frequencies(cfg.subpopulations)
head_frequencies = np.full(cfg.head_subpopulations, 1 / cfg.head_subpopulations)
TAU = expected_mass_seen(frequencies, cfg.train_size, 1)  # exact, from the generator
HEAD_TAU = expected_mass_seen(head_frequencies, cfg.train_size, 1)
MARGIN = share * TAU

claim = Claim(
    chapter="long_tail_memorization",
    paper=Paper(
        authors="Feldman, V.",
        year=2020,
        title="Does Learning Require Memorization? A Short Tale about a Long Tail",
        venue="STOC 2020",
        url="https://arxiv.org/abs/1906.05271",
    ),
    statement=("When data are a long-tailed mixture of subpopulations, fitting the labels of the "
               "examples from subpopulations seen once is needed for near-optimal error; not "
               "fitting them costs about the test mass of those subpopulations, and nothing "
               "when the frequencies have no tail."),
    paper_value=("Theory: excess error at least tau_1 x (once-seen examples not fitted); Zipf "
                 "frequencies, 50,000 subpopulations and examples: about 17% of examples seen "
                 "once, about 7 points of accuracy lost by not fitting them"),
    primary=superiority(
        "memorizing pays",
        f"long-tailed data: population accuracy of the network fitted to all examples minus "
        f"the same network trained without the once-seen clusters, paired over seeds: 95% "
        f"interval above {share:g} x the exact singleton mass ({MARGIN:.3f})",
        "acc_memorizer", "acc_control", MARGIN),
    criteria=(
        equivalence("the cost is the singleton mass",
                    f"gap over the seed's realized singleton mass: 95% interval within "
                    f"{RATIO_TARGET:g} +- {RATIO_TOL:g}", "cost_ratio", RATIO_TARGET, RATIO_TOL),
        superiority("memorized singletons carry over",
                    "accuracy on the clusters seen once, memorizing arm minus control, paired: "
                    "95% interval above 0.5", "singleton_acc_memorizer", "singleton_acc_control",
                    0.5),
        equivalence("without memorization at chance",
                    f"the control's accuracy on the clusters seen once: 95% interval within "
                    f"{CHANCE:g} +- {CHANCE_TOL:g}", "singleton_acc_control", CHANCE, CHANCE_TOL),
        equivalence("the gap sits in the singletons",
                    "part of the gap from clusters seen twice or more: 95% interval within "
                    "0 +- 0.01", "gap_seen_twice_or_more", 0.0, 0.01),
        superiority("which examples, not how many",
                    f"population accuracy, as many random examples dropped minus the "
                    f"once-seen ones dropped, paired: 95% interval above {MARGIN:.3f}",
                    "acc_random_drop", "acc_control", MARGIN),
    ),
    checks=(
        Check("the memorizing network fits its data",
              "mean training accuracy of the memorizing arm at least 0.99 on both generators",
              lambda m: min(m["train_acc_memorizer"].mean, m["head_train_acc_memorizer"].mean)
              >= 0.99),
        Check("the arms drop what they say",
              "no once-seen example in the control's training set; the random arm drops as many",
              lambda m: m["singletons_kept_by_control"].high == 0
              and m["drop_difference"].high == 0 and m["drop_difference"].low == 0),
        Check("exact singleton mass",
              "the closed form agrees with a Monte-Carlo mean over 2,000 training sets within 2%",
              lambda m: m["monte_carlo_relative_error"].mean < 0.02),
        Check("the head-only control has no tail and no gap",
              "expected singleton mass below 0.001 and |gap| at most 0.01 in every seed",
              lambda m: m["head_tau"].mean < 1e-3 and max(abs(v) for v in m["head_gap"].values)
              <= 0.01),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data** (`dlrepro.data.subpopulation_mixture`). A cluster is a point drawn from N(0, I) in
# 20 dimensions, and its examples are that centre plus Gaussian noise of standard deviation
# `spread` per coordinate (0.1: a cluster is far smaller than the distance between clusters).
# Each cluster gets one of ten labels uniformly at random, independently of where it lies, so
# the neighbours of a cluster say nothing about its label: the only way to know it is to have
# seen it. Training examples draw their cluster from the frequencies, and the test set holds
# `test_per_subpopulation` fresh points of *every* cluster.
#
# | generator | clusters | frequencies | role |
# |---|---|---|---|
# | long-tailed | `subpopulations` | Zipf, $p_k \propto 1/k$ | the paper's setting |
# | head-only | `head_subpopulations` | equal | no tail: every cluster seen about 20 times |
#
# **Arms**, on every data set of every seed: the **memorizing** network trains on all examples;
# the **control** on the examples whose cluster appears at least twice; the **random-drop** arm
# (long-tailed data only) on the data less as many examples as the control drops, chosen at
# random. To train every arm and seed together in one `BatchedMLP` pass, each training set is
# padded back to `train_size` rows with copies of its own examples drawn at random, so every arm
# takes the same number of steps over the same number of rows.
#
# **Model.** An MLP with two hidden layers of `width` ReLU units, Adam at a learning rate of
# 0.002, no regularization, run long enough to fit every training example.
#
# Below, the singleton mass of the quick profile's generator, its realized value in each seed,
# and, for comparison, the paper's worked example recomputed from the same formula.

# %% tags=["hide-input"]
rng_mc = np.random.default_rng(12345)
draws = rng_mc.multinomial(cfg.train_size, frequencies, size=2000)
monte_carlo = float(((draws == 1) * frequencies).sum(1).mean())
mc_error = abs(monte_carlo - TAU) / TAU
paper_p = zipf_frequencies(50_000)
paper_share = float(np.sum(paper_p * (1 - paper_p) ** (50_000 - 1)))
paper_tau = expected_mass_seen(paper_p, 50_000, 1)
paper_tau1_n = paper_tau / paper_share  # tau_1 x n = singleton mass / share of once-seen examples

ARMS = ["memorizer", "control", "random_drop", "head_memorizer", "head_control"]
S = len(run.seeds)
long_sets, head_sets, rows, singletons_kept, drop_diff = [], [], {a: [] for a in ARMS}, [], []


def padded(keep: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """The rows ``keep``, topped up to ``n`` rows with random copies of themselves."""
    return np.concatenate([keep, rng.choice(keep, size=n - len(keep), replace=True)])


for s in run.seeds:
    rng = np.random.default_rng(50_000 + s)
    for sets, freq, key in [(long_sets, frequencies, ""), (head_sets, head_frequencies, "head_")]:
        ds = subpopulation_mixture(len(freq), cfg.train_size, freq, DIM, CLASSES, spread,
                                   cfg.test_per_subpopulation * cfg.subpopulations // len(freq),
                                   seed=(0 if key == "" else 1_000_000) + s, device=run.device)
        sets.append(ds)
        n = cfg.train_size
        seen_once = ds.counts[ds.source.cpu().numpy()] == 1
        keep = np.flatnonzero(~seen_once)
        control = padded(keep, n, rng)
        rows[f"{key}control"].append(control)
        rows[f"{key}memorizer"].append(control if sham else np.arange(n))
        if key == "":
            dropped = n - len(keep)
            random_keep = np.sort(rng.choice(n, size=n - dropped, replace=False))
            rows["random_drop"].append(padded(random_keep, n, rng))
            singletons_kept.append(int(seen_once[np.unique(control)].sum()))
            drop_diff.append((n - len(np.unique(rows["random_drop"][-1])))
                             - (n - len(np.unique(control))))

print(f"long-tailed generator: exact singleton mass tau = {TAU:.4f} (Monte-Carlo over 2,000 "
      f"training sets: {monte_carlo:.4f}); realized per seed: "
      + ", ".join(f"{ds.mass_seen(1):.4f}" for ds in long_sets))
print(f"  clusters seen once, and so examples the control drops, per seed: "
      f"{[int((ds.counts == 1).sum()) for ds in long_sets]} of {cfg.train_size}")
print(f"head-only generator: exact singleton mass {HEAD_TAU:.2e}")
print(f"the paper's example (Zipf, 50,000 clusters and examples): {paper_share:.1%} of the "
      f"examples seen once, tau_1 = {paper_tau1_n:.2f}/n, 0.9 x tau = {0.9 * paper_tau:.3f}")

# %% [markdown] tags=[]
# ## Experiment
#
# One batched training run of every arm and seed; then each network is evaluated on the fresh
# test points of its own data set.

# %% tags=["hide-input"]
order = [(arm, j) for arm in ARMS for j in range(S)]  # model index -> (arm, seed index)
source_set = lambda arm, j: (head_sets if arm.startswith("head") else long_sets)[j]  # noqa: E731
X = torch.stack([source_set(a, j).x_train[torch.as_tensor(rows[a][j], device=run.device)]
                 for a, j in order])
Y = torch.stack([source_set(a, j).y_train[torch.as_tensor(rows[a][j], device=run.device)]
                 for a, j in order])
model = BatchedMLP.from_models(
    seeded_mlps([run.seeds[j] for _, j in order], DIM, [cfg.width, cfg.width], CLASSES)
).to(run.device)
config = TrainConfig(steps=cfg.steps, batch_size=cfg.batch_size, lr=LR, eval_every=cfg.steps)
history = train_batched(model, X, Y, config, [run.generator(run.seeds[j]) for _, j in order],
                        progress=True)
train_acc = history["train_acc"][-1]

X_test = torch.stack([source_set(a, j).x_test for a, j in order])
Y_test = torch.stack([source_set(a, j).y_test for a, j in order])
correct = []
with torch.no_grad():
    for start in range(0, X_test.shape[1], 10_000):  # chunks keep the full profile in memory
        logits = model(X_test[:, start:start + 10_000]).float()
        correct.append((logits.argmax(-1) == Y_test[:, start:start + 10_000]).float())
correct = torch.cat(correct, dim=1).cpu().numpy()
print(f"trained {model.num_models} models in {run.elapsed():.0f} s since start")

# %% [markdown] tags=[]
# The measurements, one value per seed. A cluster's accuracy is the share of its test points
# classified right; population and bucket accuracies weight clusters by their frequency.

# %% tags=["hide-input"]
BUCKETS = {"0": (0, 0), "1": (1, 1), "2-3": (2, 3), "4+": (4, 10**9)}


def cluster_acc(arm: str, j: int) -> np.ndarray:
    ds = source_set(arm, j)
    return correct[order.index((arm, j))].reshape(ds.num_subpopulations, -1).mean(1)


def bucket_acc(arm: str, j: int, low: int, high: int) -> float:
    ds = source_set(arm, j)
    inside = (ds.counts >= low) & (ds.counts <= high)
    weight = ds.frequencies[inside]
    return float((weight * cluster_acc(arm, j)[inside]).sum() / weight.sum()) if inside.any() \
        else float("nan")


acc = {a: np.array([float((source_set(a, j).frequencies * cluster_acc(a, j)).sum())
                    for j in range(S)]) for a in ARMS}
buckets = {a: np.array([[bucket_acc(a, j, *BUCKETS[b]) for b in BUCKETS] for j in range(S)])
           for a in ("memorizer", "control", "random_drop")}
realized = np.array([ds.mass_seen(1) for ds in long_sets])
gap = acc["memorizer"] - acc["control"]
twice = np.array([float((ds.frequencies * (cluster_acc("memorizer", j) - cluster_acc("control", j))
                         )[ds.counts >= 2].sum()) for j, ds in enumerate(long_sets)])
fit = train_acc.reshape(len(ARMS), S)
measurements = {
    "acc_memorizer": acc["memorizer"], "acc_control": acc["control"],
    "acc_random_drop": acc["random_drop"],
    "cost_ratio": gap / realized,
    "singleton_acc_memorizer": buckets["memorizer"][:, 1],
    "singleton_acc_control": buckets["control"][:, 1],
    "gap_seen_twice_or_more": twice,
    "train_acc_memorizer": fit[0], "head_train_acc_memorizer": fit[3],
    "singletons_kept_by_control": singletons_kept, "drop_difference": drop_diff,
    "monte_carlo_relative_error": mc_error, "head_tau": HEAD_TAU,
    "head_gap": acc["head_memorizer"] - acc["head_control"],
}
print(f"mean ± 95% CI over {S} seeds (population accuracy; buckets by times seen in training)")
print(f"{'arm':<16} {'train acc':>15} {'population':>15} " + " ".join(
    f"{'seen ' + b:>15}" for b in BUCKETS))
for i, a in enumerate(ARMS):
    cells = [("n/a" if np.isnan(buckets[a][:, k]).any() else mean_ci(buckets[a][:, k]))
             if a in buckets else "" for k in range(len(BUCKETS))]
    print(f"{a:<16} {mean_ci(fit[i]):>15} {mean_ci(acc[a]):>15} "
          + " ".join(f"{c:>15}" for c in cells))
print(f"gap (memorizer - control): {mean_ci(gap, '.4f')}; realized singleton mass "
      f"{mean_ci(realized, '.4f')}; exact expectation {TAU:.4f}")

# %% [markdown] tags=[]
# ## Results
#
# Left: accuracy by how often a cluster was seen in training (mass-weighted within a bucket;
# bars are seed means, whiskers 95% intervals), the picture the theory draws: the clusters seen
# once are where the arms part. Right: each seed's gap against its realized singleton mass,
# with the line $0.9\,\tau$ that a learner guessing the once-seen clusters would lose, and the
# same gap for the random-drop arm and for the head-only control.

# %% tags=["hide-input"]
use_style()
colors = {"memorizer": ARM_COLORS["method"], "control": ARM_COLORS["control"],
          "random_drop": ARM_COLORS["alternative"], "head": ARM_COLORS["extra"]}
names = {"memorizer": "memorizing (all examples)", "control": "control (once-seen dropped)",
         "random_drop": "as many random examples dropped"}
mass = np.array([[sum(ds.mass_seen(t) for t in range(lo, min(hi, int(ds.counts.max())) + 1))
                  for lo, hi in BUCKETS.values()] for ds in long_sets]).mean(0)
fig, (ax_b, ax_g) = plt.subplots(1, 2, figsize=(13, 4.2), gridspec_kw={"width_ratios": [3, 2]})
positions = np.arange(len(BUCKETS))
for i, a in enumerate(buckets):
    mean, half = mean_band(buckets[a])
    ax_b.bar(positions + (i - 1) * 0.27, mean, 0.27, yerr=half, capsize=3, color=colors[a],
             label=names[a])
ax_b.axhline(CHANCE, color=ARM_COLORS["baseline"], linestyle=":", linewidth=1, label="chance")
ax_b.set_xticks(positions, [f"seen {b}\n({100 * m:.0f}% of test mass)"
                            for b, m in zip(BUCKETS, mass, strict=True)])
ax_b.set(ylabel="accuracy (mass-weighted)", ylim=(0, 1.32), yticks=np.linspace(0, 1, 6),
         title=f"long-tailed data: accuracy by times seen ({S} seeds)")
ax_b.legend(loc="upper center", ncol=2, fontsize=8)

top = 1.15 * max(realized.max(), gap.max())
ax_g.plot([0, top], [0, RATIO_TARGET * top], color=ARM_COLORS["baseline"], linestyle="--",
          linewidth=1, label="0.9 x singleton mass")
ax_g.plot([0, top], [MARGIN, MARGIN], color=ARM_COLORS["baseline"], linestyle=":", linewidth=1,
          label=f"primary's margin ({share:g} x exact mass)")
ax_g.scatter(realized, gap, color=colors["memorizer"], label="memorizing - control", zorder=3)
ax_g.scatter(realized, acc["memorizer"] - acc["random_drop"], color=colors["random_drop"],
             marker="s", label="memorizing - random drop", zorder=3)
ax_g.scatter(np.zeros(S), measurements["head_gap"], color=colors["head"], marker="^",
             label="head-only control: memorizing - control", zorder=3)
ax_g.set(xlabel="realized singleton mass of the seed", ylabel="gap in population accuracy",
         title="the cost of not memorizing", xlim=(-0.005, top))
ax_g.legend(loc="upper left", fontsize=8)
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
for a in ARMS:
    glue(f"acc_{a}", acc[a].mean())
for a in buckets:
    for k, b in enumerate(("unseen", "once", "few", "often")):
        glue(f"{a}_{b}", buckets[a][:, k].mean())
glue("tau", TAU)
glue("margin", MARGIN)
glue("realized", realized.mean())
glue("gap", gap.mean())
glue("ratio", measurements["cost_ratio"].mean())
glue("random_cost", (acc["memorizer"] - acc["random_drop"]).mean())
glue("dropped", float(np.mean([(ds.counts == 1).sum() for ds in long_sets])))
glue("dropped_share", float(np.mean([(ds.counts == 1).sum() for ds in long_sets])) / cfg.train_size)
glue("train_memorizer", fit[0].mean())
glue("train_control", fit[1].mean())
glue("head_gap_max", float(np.max(np.abs(measurements["head_gap"]))))
glue("monte_carlo", monte_carlo)
glue("paper_share", 100 * paper_share)
glue("paper_tau1_n", paper_tau1_n)
glue("paper_cost", 100 * 0.9 * paper_tau)
KEYS = {"memorizing pays": "primary", "the cost is the singleton mass": "ratio",
        "memorized singletons carry over": "carry", "without memorization at chance": "chance",
        "the gap sits in the singletons": "twice", "which examples, not how many": "random"}
for name, o in verdict.outcomes.items():
    glue(f"outcome_{KEYS[name]}", o.outcome)
    glue(f"low_{KEYS[name]}", o.interval.low)
    glue(f"high_{KEYS[name]}", o.interval.high)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *Memorizing pays (primary).* The exact singleton mass of the long-tailed generator is
#   {glue:text}`tau:.4f` (a Monte-Carlo mean over 2,000 training sets gives
#   {glue:text}`monte_carlo:.4f`), so the margin is {glue:text}`margin:.4f`. The memorizing
#   network fits {glue:text}`train_memorizer:.3f` of its training examples and reaches a
#   population accuracy of {glue:text}`acc_memorizer:.4f`; the control, which never sees the
#   {glue:text}`dropped:.0f` examples of once-seen clusters (a share of
#   {glue:text}`dropped_share:.3f` of the data), reaches {glue:text}`acc_control:.4f`. The paired
#   gap lies in [{glue:text}`low_primary:.4f`, {glue:text}`high_primary:.4f`]
#   ({glue:text}`outcome_primary`).
# * *The cost is the singleton mass.* The gap ({glue:text}`gap:.4f` on average) over the seeds'
#   realized singleton mass ({glue:text}`realized:.4f`) is {glue:text}`ratio:.3f`, with an
#   interval of [{glue:text}`low_ratio:.3f`, {glue:text}`high_ratio:.3f`] against the predicted
#   0.9 ({glue:text}`outcome_ratio`): the control loses almost exactly the test mass of the
#   clusters it did not see, less the tenth it guesses right.
# * *Where the gap comes from.* On clusters seen once the memorizing network is right on
#   {glue:text}`memorizer_once:.3f` of the test mass, the control on
#   {glue:text}`control_once:.3f` (difference in [{glue:text}`low_carry:.3f`,
#   {glue:text}`high_carry:.3f`], {glue:text}`outcome_carry`; the control against chance:
#   [{glue:text}`low_chance:.3f`, {glue:text}`high_chance:.3f`], {glue:text}`outcome_chance`).
#   A single example of a tight cluster is enough for the network to label its whole cluster.
#   Clusters seen twice or more are fitted by both arms ({glue:text}`memorizer_few:.3f` and
#   {glue:text}`control_few:.3f` on those seen two or three times), and their part of the gap
#   lies in [{glue:text}`low_twice:.4f`, {glue:text}`high_twice:.4f`]
#   ({glue:text}`outcome_twice`). Clusters never seen are at chance for every arm
#   ({glue:text}`memorizer_unseen:.3f`, {glue:text}`control_unseen:.3f`): no learner can know
#   their labels, which is what makes the once-seen ones worth memorizing.
# * *Which examples, not how many.* Dropping as many examples at random costs
#   {glue:text}`random_cost:.4f` against the memorizing network, far less than the control's
#   gap: random − control lies in [{glue:text}`low_random:.4f`, {glue:text}`high_random:.4f`]
#   ({glue:text}`outcome_random`). A random drop removes the only example of a cluster only now
#   and then; the control removes exactly those.
# * *No tail, no cost.* On the head-only generator, where every cluster is seen about twenty
#   times, the two arms differ by at most {glue:text}`head_gap_max:.4f` (a check): with no
#   once-seen clusters there is nothing to memorize.
# * *The paper's example*, recomputed with the same formula: Zipf frequencies over 50,000
#   clusters and 50,000 examples put {glue:text}`paper_share:.1f`% of the examples in once-seen
#   clusters, $\tau_1$ = {glue:text}`paper_tau1_n:.2f`/*n*, and not fitting them costs
#   {glue:text}`paper_cost:.1f` points: the three figures of the paper quoted in *The claim*.
# * *The sham* trains the memorizing arm on the control's own rows; the two arms are then one
#   model, the gap is zero and the primary fails, as the verdict box above records.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a seed to see every cluster of its long-tailed data set: the accuracy on its test points
# against its rank in the Zipf order (most frequent on the left), for the memorizing network and
# the control, with the clusters seen exactly once marked. This redraws the runs above; nothing
# is trained again. (In a headless run the view is drawn once, for the first seed.)

# %% tags=["hide-input"]
def show(seed_index):
    ds = long_sets[seed_index]
    ranks = np.arange(1, ds.num_subpopulations + 1)
    once = ds.counts == 1
    fig, ax = plt.subplots(figsize=(9, 3.8))
    jitter = np.random.default_rng(0).uniform(-0.02, 0.02, ds.num_subpopulations)
    for a, offset in (("memorizer", 0.03), ("control", -0.03)):
        values = cluster_acc(a, seed_index) + offset + jitter
        ax.scatter(ranks[~once], values[~once], s=4, color=colors[a], alpha=0.3)
        ax.scatter(ranks[once], values[once], s=14, color=colors[a], label=f"{names[a]}: seen once")
    ax.set_xscale("log")
    ax.set(xlabel="cluster rank in the Zipf order (log)", ylabel="accuracy on its test points",
           ylim=(-0.1, 1.1), title=f"seed {run.seeds[seed_index]}: {int(once.sum())} clusters "
           f"seen once (large dots), {int((ds.counts == 0).sum())} never seen")
    ax.legend(loc="center left", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show, seed_index=widgets.IntSlider(value=0, min=0, max=S - 1, description="seed"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *A theory paper, tested on its own model.* Feldman proves a lower bound for every learner
#   in a model where the frequencies are drawn from a prior and the labels are random; there
#   are no experiments of his own to match. We build that model as data (random cluster labels,
#   Zipf frequencies, tight clusters) and measure the bound's two learners: one that fits every
#   example and one that ignores the examples of once-seen subpopulations. Our frequencies are
#   one fixed Zipf list rather than a draw from a prior; which clusters get the large
#   frequencies is random and unknown to the learner, as in the paper's model.
# * *Tight clusters make the coupling easy.* The paper's extension from single points to
#   subpopulations needs a learner whose prediction on one example of a subpopulation carries to
#   the others ("subpopulation coupling"). Our clusters have a radius (about 0.45 at `spread`
#   0.1 in 20 dimensions) more than ten times smaller than the typical distance between two
#   centres (about 6.3), and an MLP then has that property almost perfectly; raise `spread` to
#   weaken it and watch the memorizing network's accuracy on once-seen clusters fall.
# * *Random labels, so no cluster teaches another.* In real data a rare subpopulation often
#   shares its label with its neighbours, so a learner that ignores it still gets it right more
#   often than chance, and the cost of not memorizing is smaller than the singleton mass.
#   Feldman and Zhang {footcite:p}`feldman2020what` measure this on CIFAR-100 and ImageNet by
#   influence estimation.
# * *Scale.* The quick profile draws 2,000 examples from 1,000 clusters, the full profile 20,000
#   from 10,000. The singleton mass of a Zipf list depends on the ratio of examples to clusters
#   more than on their number, so both sit near a tenth of the test mass.
# * *Padding.* Every training set is topped up to the same number of rows with random copies
#   of its own examples, so that all arms and seeds train in one batched pass. The control
#   therefore sees some examples twice in an epoch; its accuracy on the clusters it kept
#   (every one of them fitted) shows that this does not matter here.
# * *Fixed before the run.* The shares and tolerances of the rule (0.5 of the singleton mass,
#   0.9 +- 0.15 for the ratio, chance +- 0.05, 0 +- 0.01) come from the theory's predictions.
#   A sizing run of two seeds, which trained the two main arms for 1,000 steps at a learning
#   rate of 0.001, set the data size and showed that the memorizing network fits every example;
#   a CPU trial of the full profile's data (10,000 clusters, 20,000 examples) with one network
#   of width 512 and the full profile's steps fitted every example too. The full profile has not
#   been run on a GPU.
#
# **What a reader might try.** Raise `spread` until clusters overlap; set `train_size` far
# above `subpopulations` (a short tail: every cluster seen often) or far below (most clusters
# never seen) and watch the singleton mass and the gap move together. Prune the memorizing
# network (`dlrepro.prune`) and read its accuracy by bucket: the theory predicts that the
# once-seen clusters pay first, the disparate effect of compression on rare subgroups that the
# paper discusses {footcite:p}`feldman2020does`.
#
# ```{footbibliography}
# ```
