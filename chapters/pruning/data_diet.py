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
# # Data diet: pruning the training set by early error scores
#
# Mansheej Paul, Surya Ganguli and Gintare Karolina Dziugaite (2021). *Deep Learning on a Data
# Diet: Finding Important Examples Early in Training*. Advances in Neural Information Processing
# Systems 34 (NeurIPS 2021). [arXiv:2107.07075](https://arxiv.org/abs/2107.07075)
#
# Pruning usually removes weights; this paper removes *training examples*. Many examples of a
# large dataset are easy: the network gets them right early and learns little more from them.
# If those could be spotted cheaply, one could train on the rest and save compute. Paul and
# colleagues proposed two scores that need only a few epochs of training, or none: **GraNd**, the
# norm of an example's loss gradient, and **EL2N**, the norm of the error between the
# network's predicted probabilities and the one-hot label, each averaged over a few networks.
# Keeping only the highest-scoring examples, they trained ResNets on half of CIFAR-10 with no
# loss of test accuracy. The result fed a line of work on data pruning and on which examples
# matter, including the finding that it depends on how much data there is (Sorscher et al.,
# 2022).

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
from dlrepro import data, models, plot, prune, train
from dlrepro.claims import Check, Claim, Paper, non_inferiority, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue

# %% [markdown] tags=[]
# ## The claim
#
# In our words: scores computed very early in training identify the examples a network needs.
# Training from scratch on only the highest-scoring (hardest) examples loses little or no test
# accuracy even when a sizeable fraction of the data is removed, and it does clearly better than
# training on a random subset of the same size.
#
# The paper's numbers: on CIFAR-10 with ResNet-18, EL2N scores computed a few epochs into
# training (averaged over 10 initializations) let them prune **half** of the training set while
# test accuracy even rises slightly, whereas random subsets lose accuracy as soon as data is
# removed; smaller fractions can be pruned from the harder CIFAR-100. When too much is pruned,
# keeping only the very hardest examples hurts, and skipping the few highest-scoring ones
# (often ambiguous or mislabelled) helps.
#
# We test this on MNIST-1D with an MLP: a much smaller dataset and model (see *Notes*), where
# whether the effect survives is an open question.

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs, `quick`
# is the stored run, `full` is meant for one GPU).

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
kept_fractions = [0.9, 0.7, 0.5, 0.3]  # shares of the training set to keep
score_models = 4  # networks whose scores are averaged
offset = 0.0  # share of the very highest-scoring examples to skip before keeping the next ones
sham = False  # True: every score-based subset becomes a random subset of the same size

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 32, "score_steps": 20, "steps": 60,
              "batch": 128, "lr": 2e-3},
    # Scores after ~5 epochs; every arm then trains 1,200 steps from scratch.
    "quick": {"seeds": 5, "samples": 10000, "width": 128, "score_steps": 300, "steps": 1200,
              "batch": 128, "lr": 2e-3},
    # One GPU: more data, wider networks, longer training, more seeds.
    "full": {"seeds": 8, "samples": 40000, "width": 512, "score_steps": 1500, "steps": 8000,
             "batch": 256, "lr": 1e-3},
}
FRACTIONS = sorted({float(f) for f in kept_fractions}, reverse=True)
if any(not 0.0 < f < 1.0 for f in FRACTIONS):
    raise ConfigError(f"kept_fractions must lie strictly between 0 and 1, got {kept_fractions}")
if score_models < 1 or not 0.0 <= offset < 1.0 - FRACTIONS[0]:
    raise ConfigError(f"need score_models >= 1 and 0 <= offset < 1 - max(kept_fractions), got "
                      f"{score_models} and {offset}")
ARMS = ("el2n", "grand", "random")

run = dlrepro.run.start("data_diet", profile, seed, device, SETTINGS, sham=sham)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 40-{cfg.width}-"
      f"{cfg.width}-10; keep {FRACTIONS} of the training set; {cfg.steps} steps per arm"
      + (" (SHAM: the EL2N and GraNd subsets are random subsets)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. Every arm, including the full-data control, trains for the
# same number of steps from the same initialization within a seed, so differences come from the
# data alone. Accuracies are test accuracies in percentage points at the end of training, and
# every comparison is paired over seeds and read through its 95% interval. The rule reads two
# kept fractions: 70% (a sizeable prune, 30% of the data removed) and 50% (the paper's CIFAR-10
# headline).
#
# * **Primary:** at 50% kept, the EL2N subset beats a random subset of the same size (the
#   control arm): the interval of EL2N minus random lies above 0. The sham replaces the EL2N
#   subset by another random subset of the same size, which cannot beat the control but by
#   chance.
# * At 70% kept, the EL2N subset beats the random one, and it is no worse than the full data
#   by more than 1 point.
# * Check (it must hold, it never counts): every arm at a kept fraction trains on the same
#   number of distinct examples.

# %% tags=[]
LOSS_MARGIN = 1.0  # points of test accuracy a 70% EL2N subset may lose against the full data


def beats_random(tag):
    return superiority(f"beats random at {tag}% kept",
                       f"EL2N subset minus random subset, {tag}% kept, paired over seeds: 95% "
                       f"interval above 0 points", f"el2n_acc_{tag}", f"random_acc_{tag}")


claim = Claim(
    chapter="data_diet",
    paper=Paper(
        authors="Paul, M., Ganguli, S. & Dziugaite, G. K.",
        year=2021,
        title="Deep Learning on a Data Diet: Finding Important Examples Early in Training",
        venue="NeurIPS 2021",
        url="https://arxiv.org/abs/2107.07075",
    ),
    statement=("Training only on the examples with the highest EL2N scores, computed early in "
               "training, loses little or no test accuracy when a sizeable fraction of the data "
               "is pruned, and beats a random subset of the same size."),
    paper_value=("CIFAR-10, ResNet-18: 50% of the data pruned by EL2N (computed a few epochs "
                 "in) with test accuracy slightly up; random pruning loses accuracy"),
    primary=beats_random("50"),
    criteria=(
        beats_random("70"),
        non_inferiority("little loss at 70% kept",
                        f"EL2N subset of 70% minus the full data, paired over seeds: 95% "
                        f"interval above -{LOSS_MARGIN:g} point", "el2n_acc_70", "full_acc",
                        LOSS_MARGIN),
    ),
    checks=(
        Check("equal subset sizes",
              "at every kept fraction, every arm and seed trains on round(fraction x N) "
              "distinct examples", lambda m: m["subset_size_error"].high == 0),
    ),
)
if not {0.7, 0.5} <= set(FRACTIONS):
    raise ConfigError("the rule reads the kept fractions 0.7 and 0.5: keep them in kept_fractions")
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data and model.** MNIST-1D (Greydanus & Kobak, 2024), 80% training and 20% test, and an MLP
# 40-`width`-`width`-10 with ReLU trained by Adam.
#
# **Scores.** `score_models` networks (seeds separate from the experiment's) are scored on the
# whole training set:
#
# * **GraNd** at initialization: for each example, the norm of the gradient of its loss with
#   respect to all parameters, averaged over the networks
#   (`dlrepro.prune.grand_scores_batched_mlp`, in closed form for an MLP);
# * **EL2N** after `score_steps` steps of training (about 5 epochs in the quick profile):
#   `||softmax(f(x)) - onehot(y)||_2`, averaged over the networks
#   (`dlrepro.prune.el2n_scores`).
#
# **Arms.** For each kept fraction: the highest-scoring examples by EL2N, by GraNd, and a
# uniformly random subset of the same size (a fresh draw per seed; the control arm). Plus the
# full training set. For each fraction, the three arms of all seeds train together in one
# `BatchedMLP` pass, each model on its own subset. In the sham run the EL2N and GraNd arms get
# random subsets too, drawn independently of the control's.

# %% tags=[]
dataset = data.mnist1d(cfg.samples, seed=42, device=run.device)
x, y = dataset.x_train, dataset.y_train
eval_sets = {"test": (dataset.x_test, dataset.y_test)}
n_train = len(y)


def networks(seeds: list[int]) -> models.BatchedMLP:
    """One freshly initialized MLP per seed, stacked."""
    nets = models.seeded_mlps(seeds, dataset.num_features, [cfg.width, cfg.width],
                              dataset.num_classes)
    return models.BatchedMLP.from_models(nets).to(run.device)


score_seeds = [10_000 + run.seed + i for i in range(score_models)]
scorers = networks(score_seeds)
grand = prune.grand_scores_batched_mlp(scorers, x, y)
train.train_batched(scorers, x, y, train.TrainConfig(steps=cfg.score_steps,
                                                     batch_size=cfg.batch, lr=cfg.lr,
                                                     eval_every=cfg.score_steps),
                    [run.generator(s) for s in score_seeds])
with torch.no_grad():
    el2n = prune.el2n_scores(scorers(x), y)
scores = {"el2n": el2n, "grand": grand}
rank_corr = np.corrcoef(el2n.argsort().argsort().cpu(), grand.argsort().argsort().cpu())[0, 1]
print(f"scored {n_train} training examples with {score_models} networks; Spearman correlation "
      f"of EL2N and GraNd ranks: {rank_corr:.2f}")

# %% [markdown] tags=[]
# ## Experiment

# %% tags=[]
config = train.TrainConfig(steps=cfg.steps, batch_size=cfg.batch, lr=cfg.lr,
                           eval_every=cfg.steps)  # only the final accuracy is read
k = len(run.seeds)


def random_subset(arm, fraction, s, size):
    """A uniformly random subset (ascending indices) of ``size`` training examples; its own
    draw for every arm, fraction and seed."""
    g = torch.Generator().manual_seed(100_000 * run.seed + 1_000 * s + round(1_000 * fraction)
                                      + 10_000_000 * ARMS.index(arm))
    return torch.randperm(n_train, generator=g)[:size].sort().values.to(run.device)


full_history = train.train_batched(networks(run.seeds), x, y, config,
                                   [run.generator(s) for s in run.seeds], eval_sets,
                                   progress=True)
full_acc = 100 * full_history["test_acc"][-1]
accuracy = {}  # (arm, fraction) -> test accuracy per seed, in %
subsets = {}  # (arm, fraction) -> the kept indices of the first seed (for the explorer)
size_error = np.zeros(k)  # per seed: largest gap between a subset's distinct count and its size
for fraction in FRACTIONS:
    kept = {arm: prune.keep_hardest(scores[arm], fraction, offset) for arm in ("el2n", "grand")}
    size = round(fraction * n_train)
    rows = []
    for arm in ARMS:
        for j, s in enumerate(run.seeds):
            scored = arm != "random" and not sham
            rows.append(kept[arm] if scored else random_subset(arm, fraction, s, size))
            size_error[j] = max(size_error[j], abs(len(rows[-1].unique()) - size))
        subsets[arm, fraction] = rows[-k].cpu()
    index = torch.stack(rows)  # (arms x seeds, kept)
    history = train.train_batched(networks(run.seeds * len(ARMS)), x[index], y[index], config,
                                  [run.generator(s) for s in run.seeds * len(ARMS)], eval_sets,
                                  progress=True)
    final = 100 * history["test_acc"][-1]
    for a, arm in enumerate(ARMS):
        accuracy[arm, fraction] = final[a * k:(a + 1) * k]
    print(f"keep {100 * fraction:3.0f}%: " + " | ".join(
        f"{arm} {accuracy[arm, fraction].mean():.1f}%" for arm in ARMS)
        + f" | full data {full_acc.mean():.1f}%")

# %% [markdown] tags=[]
# ## Results
#
# The paper's Figure 1, redrawn: final test accuracy against the share of the training set kept,
# for subsets chosen by EL2N, by GraNd and at random, with 95% bands over seeds; the dashed line
# is training on all the data. On the right, what the scores pick: the share of each class
# among the 30% highest-scoring examples by EL2N.

# %% tags=[]
plot.use_style()
colors = {"el2n": plot.ARM_COLORS["method"], "grand": plot.ARM_COLORS["alternative"],
          "random": plot.ARM_COLORS["control"]}
names = {"el2n": "EL2N (hardest kept)", "grand": "GraNd at init (hardest kept)",
         "random": "random subset"}
fig, (ax, ax_cls) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
percent = [100 * f for f in FRACTIONS]
for arm in ARMS:
    plot.seed_band(ax, percent, np.stack([accuracy[arm, f] for f in FRACTIONS], axis=1),
                   names[arm], colors[arm])
ax.axhline(full_acc.mean(), color=plot.ARM_COLORS["baseline"], linestyle="--", linewidth=1,
           label="all training data")
ax.invert_xaxis()
ax.set(xlabel="share of the training set kept (%)", ylabel="test accuracy (%)")
ax.legend(loc="lower left")
hardest = prune.keep_hardest(el2n, 0.3).cpu()
counts = np.bincount(y.cpu()[hardest], minlength=dataset.num_classes) / len(hardest)
ax_cls.bar(range(dataset.num_classes), 100 * counts, color=colors["el2n"])
ax_cls.axhline(10, color=plot.ARM_COLORS["baseline"], linestyle=":", linewidth=1)
ax_cls.set(xlabel="class", ylabel="share of the 30% hardest (%)", xticks=range(10))
fig.suptitle(f"Data pruning on MNIST-1D, MLP 40-{cfg.width}-{cfg.width}-10 "
             f"({len(run.seeds)} seeds)")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=[]
measurements = {"full_acc": full_acc, "subset_size_error": size_error}
for fraction in FRACTIONS:
    tag = f"{100 * fraction:.0f}"
    for arm in ARMS:
        measurements[f"{arm}_acc_{tag}"] = accuracy[arm, fraction]
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=[]
# Numbers for the discussion below, glued so that the text reads them from this run.
glue("full_acc", full_acc.mean())
for fraction in FRACTIONS:
    for arm in ARMS:
        glue(f"{arm}_{100 * fraction:.0f}", accuracy[arm, fraction].mean())
for arm in ARMS:
    glue(f"{arm}_smallest", accuracy[arm, FRACTIONS[-1]].mean())
glue("rank_corr", rank_corr)
glue("smallest_fraction", 100 * FRACTIONS[-1])
KEYS = {"beats random at 50% kept": "random_50", "beats random at 70% kept": "random_70",
        "little loss at 70% kept": "full_70"}
for name, o in verdict.outcomes.items():
    glue(f"outcome_{KEYS[name]}", o.outcome)
    glue(f"low_{KEYS[name]}", o.interval.low)
    glue(f"high_{KEYS[name]}", o.interval.high)
hardest_30 = prune.keep_hardest(el2n, 0.3).cpu()
shares = 100 * np.bincount(y.cpu()[hardest_30], minlength=dataset.num_classes) / len(hardest_30)
rare = [c for c in range(dataset.num_classes) if shares[c] < 5]
glue("rare_classes", ", ".join(str(c) for c in rare) if rare else "none")
glue("rare_max_share", max((shares[c] for c in rare), default=0.0))
glue("top_class", int(shares.argmax()))
glue("top_share", shares.max())

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**: at our scale a
# subset of the highest-EL2N examples trains a worse network than a random subset of the same
# size.
#
# * *Half the data kept (primary).* The EL2N half reaches {glue:text}`el2n_50:.1f`% test
#   accuracy, a random half {glue:text}`random_50:.1f`% (the full data:
#   {glue:text}`full_acc:.1f`%); the paired difference lies in
#   [{glue:text}`low_random_50:.1f`, {glue:text}`high_random_50:.1f`] points
#   ({glue:text}`outcome_random_50`).
# * *70% kept.* EL2N {glue:text}`el2n_70:.1f`% against {glue:text}`random_70:.1f`% for random
#   subsets: the difference lies in [{glue:text}`low_random_70:.1f`,
#   {glue:text}`high_random_70:.1f`] points ({glue:text}`outcome_random_70`). Against the full
#   data the EL2N subset loses between {glue:text}`high_full_70:.1f` and
#   {glue:text}`low_full_70:.1f` points, beyond the 1-point margin
#   ({glue:text}`outcome_full_70`).
# * *The loss grows with the prune.* At 90% kept, EL2N ({glue:text}`el2n_90:.1f`%) and random
#   ({glue:text}`random_90:.1f`%) are within noise of each other; at
#   {glue:text}`smallest_fraction:.0f`% kept, EL2N trains to {glue:text}`el2n_smallest:.1f`%
#   and a random subset to {glue:text}`random_smallest:.1f`%.
# * *GraNd at initialization* (no criterion) does better than EL2N under heavy pruning
#   ({glue:text}`grand_50:.1f`% at half the data, {glue:text}`grand_smallest:.1f`% at
#   {glue:text}`smallest_fraction:.0f`%) but its seed means stay below the random subsets' at
#   every size, and its ranking is negatively correlated with EL2N's (Spearman
#   {glue:text}`rank_corr:.2f`): at initialization the gradient norm mostly reflects the size
#   of the input, not how hard the example is.
# * *The hardest examples are not a fair sample of the classes.* The right panel shows that
#   the 30% highest-EL2N examples hold under {glue:text}`rare_max_share:.0f`% each of the
#   classes {glue:text}`rare_classes` and {glue:text}`top_share:.0f`% of class
#   {glue:text}`top_class`, so a model trained on them barely sees some classes.
# * *The sham* replaces the EL2N and GraNd subsets by random subsets of the same size; its
#   primary must not pass, and the verdict box above shows what the stored sham run found.
#
# Our reading: the data regime is the opposite of the paper's. The MLP reaches only
# {glue:text}`full_acc:.0f`% test accuracy on 8,000 MNIST-1D signals, so much of the training
# set is still hard at the end of training, and the highest-EL2N examples are dominated by
# signals that the heavy noise and deformation of MNIST-1D make ambiguous. Sorscher et al.
# (2022) predict exactly this: when data is scarce relative to what the model can learn,
# keeping the *easy* examples is the better strategy, and keeping the hard ones only pays off
# with abundant data, as in CIFAR-10 for a ResNet-18 that fits it to 95%. The `offset` knob,
# the paper's own remedy, skips the very hardest examples; trying it is the first thing we
# would do next.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a kept fraction and a score to see which examples were kept: the scores of the whole
# training set, sorted, with the kept ones highlighted, and a few kept and dropped signals.

# %% tags=[]
def show(fraction, score):
    values = scores[score].cpu().numpy()
    kept_idx = subsets[score, fraction].numpy()
    order = np.argsort(values)[::-1]
    kept_mask = np.zeros(n_train, bool)
    kept_mask[kept_idx] = True
    fig, (ax_s, ax_x) = plt.subplots(1, 2, figsize=(11, 3.6))
    ranks = np.arange(n_train)
    ax_s.scatter(ranks[kept_mask[order]], values[order][kept_mask[order]], s=2,
                 color=colors[score], label="kept")
    ax_s.scatter(ranks[~kept_mask[order]], values[order][~kept_mask[order]], s=2,
                 color="0.7", label="dropped")
    ax_s.set(xlabel="examples, hardest first", ylabel=f"{score.upper()} score")
    ax_s.legend(loc="upper right", markerscale=4)
    signals = dataset.x_train.cpu().numpy()
    for j, example in enumerate(order[:3]):
        ax_x.plot(signals[example] + 3 * j, color=colors[score])
    for j, example in enumerate(order[-3:]):
        ax_x.plot(signals[example] + 3 * (j + 3), color="0.6")
    ax_x.set(title="3 hardest (colour) and 3 easiest (grey) signals", xlabel="position",
             yticks=[])
    fig.tight_layout()
    plt.show()


explore(show,
        fraction=widgets.SelectionSlider(options=FRACTIONS, value=0.5, description="kept"),
        score=widgets.ToggleButtons(options=["el2n", "grand"], value="el2n",
                                    description="score"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Scale.* Paul et al. prune CIFAR-10 (50,000 images) and CIFAR-100 and CINIC-10 with
#   ResNet-18 and ResNet-50 trained for 200 epochs; we prune 8,000 MNIST-1D signals for an MLP
#   trained 1,200 Adam steps (about 19 epochs of the full set) in the quick profile.
# * *Training budget.* Every arm trains for the same number of *steps*, so a smaller subset is
#   seen for more epochs.
# * *Scores.* EL2N after about 5 epochs, averaged over 4 networks (the paper: a few epochs,
#   averaged over 10 networks); GraNd at initialization, averaged over the same 4 networks.
# * *Offset.* The paper's remedy for heavy pruning, skipping the very hardest examples, is the
#   `offset` knob (0 in the stored run).
# * *Port to the interval rules.* The experiment is the earlier version's (which found the same
#   ordering with 3 seeds), now with 5 seeds; the old thresholds are kept but read as 95%
#   intervals of paired differences, and the 50% comparison, the paper's headline, is the
#   primary criterion. GraNd is now computed in closed form for the MLP (the same scores, a
#   hundred times faster) and only the final test accuracy is evaluated, which keeps the five
#   seeds within the quick budget.
#
# **What to try.** Set `offset = 0.05` and compare the 30% subset; raise `score_models`; or
# replace MNIST-1D by scikit-learn's digits (`dlrepro.data.digits`), a smaller and cleaner set.
#
# **References.**
#
# * Paul, M., Ganguli, S. & Dziugaite, G. K. (2021). Deep Learning on a Data Diet: Finding
#   Important Examples Early in Training. *NeurIPS 2021*.
#   [arXiv:2107.07075](https://arxiv.org/abs/2107.07075)
# * Kirsch, A. (2023). Does "Deep Learning on a Data Diet" reproduce? Overall yes, but GraNd at
#   Initialization does not. [arXiv:2303.14753](https://arxiv.org/abs/2303.14753)
# * Sorscher, B., Geirhos, R., Shekhar, S., Ganguli, S. & Morcos, A. S. (2022). Beyond neural
#   scaling laws: beating power law scaling via data pruning. *NeurIPS 2022*.
#   [arXiv:2206.14486](https://arxiv.org/abs/2206.14486): with little data, keeping the *easy*
#   examples is better; with much data, keeping the hard ones.
# * Greydanus, S. & Kobak, D. (2024). Scaling down deep learning with MNIST-1D. *ICML 2024*.
#   [arXiv:2011.14439](https://arxiv.org/abs/2011.14439)
