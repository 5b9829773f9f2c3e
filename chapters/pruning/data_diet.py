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
import torch.nn.functional as F

import dlrepro.run
from dlrepro import data, models, plot, prune, train
from dlrepro.claims import Claim, Criterion, Paper
from dlrepro.errors import ConfigError
from dlrepro.explore import explore

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

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 2000, "width": 32, "score_steps": 20, "steps": 60,
              "batch": 128, "lr": 2e-3, "eval_every": 30},
    # Scores after ~5 epochs; every arm then trains 1,200 steps from scratch.
    "quick": {"seeds": 3, "samples": 10000, "width": 128, "score_steps": 300, "steps": 1200,
              "batch": 128, "lr": 2e-3, "eval_every": 200},
    # One GPU: more data, wider networks, longer training, more seeds.
    "full": {"seeds": 5, "samples": 40000, "width": 512, "score_steps": 1500, "steps": 8000,
             "batch": 256, "lr": 1e-3, "eval_every": 1000},
}
FRACTIONS = sorted({float(f) for f in kept_fractions}, reverse=True)
if any(not 0.0 < f < 1.0 for f in FRACTIONS):
    raise ConfigError(f"kept_fractions must lie strictly between 0 and 1, got {kept_fractions}")
if score_models < 1 or not 0.0 <= offset < 1.0 - FRACTIONS[0]:
    raise ConfigError(f"need score_models >= 1 and 0 <= offset < 1 - max(kept_fractions), got "
                      f"{score_models} and {offset}")
ARMS = ("el2n", "grand", "random")

run = dlrepro.run.start("data_diet", profile, seed, device, SETTINGS)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP 40-{cfg.width}-"
      f"{cfg.width}-10; keep {FRACTIONS} of the training set; {cfg.steps} steps per arm")

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs. Every arm, including the full-data control, trains for the
# same number of steps from the same initialization within a seed, so differences come from the
# data alone. Accuracies are test accuracies in percentage points at the end of training. The
# rule reads two kept fractions: 70% (a sizeable prune, 30% of the data removed) and 50%
# (the paper's CIFAR-10 headline).

# %% tags=[]
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
    headline=("el2n_minus_full_70", "el2n_minus_random_50"),
    criteria=(
        Criterion("little loss at 70% kept",
                  "EL2N subset of 70% minus full data: mean >= -1 point",
                  lambda m: m["el2n_minus_full_70"].mean >= -1.0),
        Criterion("beats random at 70% kept",
                  "EL2N minus random subset, 70% kept: 95% CI above 0",
                  lambda m: m["el2n_minus_random_70"].low > 0),
        Criterion("beats random at 50% kept",
                  "EL2N minus random subset, 50% kept: 95% CI above 0",
                  lambda m: m["el2n_minus_random_50"].low > 0),
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
#   respect to all parameters, averaged over the networks (`dlrepro.prune.grand_scores`);
# * **EL2N** after `score_steps` steps of training (about 5 epochs in the quick profile):
#   `||softmax(f(x)) - onehot(y)||_2`, averaged over the networks
#   (`dlrepro.prune.el2n_scores`).
#
# **Arms.** For each kept fraction: the highest-scoring examples by EL2N, by GraNd, and a
# uniformly random subset of the same size (a fresh draw per seed; the control arm). Plus the
# full training set. For each fraction, the three arms of all seeds train together in one
# `BatchedMLP` pass, each model on its own subset.

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
grand = prune.grand_scores(scorers, x, y, F.cross_entropy, chunk_size=1024)
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
                           eval_every=cfg.eval_every)
k = len(run.seeds)
full_history = train.train_batched(networks(run.seeds), x, y, config,
                                   [run.generator(s) for s in run.seeds], eval_sets,
                                   progress=True)
full_acc = 100 * full_history["test_acc"][-1]
accuracy = {}  # (arm, fraction) -> test accuracy per seed, in %
subsets = {}  # (arm, fraction) -> the kept indices of the first seed (for the explorer)
for fraction in FRACTIONS:
    kept = {arm: prune.keep_hardest(scores[arm], fraction, offset) for arm in ("el2n", "grand")}
    rows = []
    for arm in ARMS:
        for s in run.seeds:
            if arm == "random":
                g = torch.Generator().manual_seed(100_000 * run.seed + 1_000 * s
                                                  + round(1_000 * fraction))
                idx = torch.randperm(n_train, generator=g)[:len(kept["el2n"])].sort().values
                rows.append(idx.to(run.device))
            else:
                rows.append(kept[arm])
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

# %% tags=[]
measurements = {"full_acc": full_acc}
for fraction in FRACTIONS:
    tag = f"{100 * fraction:.0f}"
    for arm in ARMS:
        measurements[f"{arm}_acc_{tag}"] = accuracy[arm, fraction]
    measurements[f"el2n_minus_full_{tag}"] = accuracy["el2n", fraction] - full_acc
    measurements[f"el2n_minus_random_{tag}"] = (accuracy["el2n", fraction]
                                                - accuracy["random", fraction])
verdict = claim.judge(measurements, run)
verdict.save()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% [markdown] tags=[]
# **Reading the stored quick run** (3 seeds, full-data control 68.8%): NOT REPRODUCED at our
# scale, and clearly so.
#
# * *Keeping the hardest examples hurts, and more the more is pruned.* Keeping 90% by EL2N
#   costs 0.7 points, within noise of a random 90%; at 70% kept EL2N is 5.6 ± 3.0 points below
#   the full data and 1.9 below random; at 50% it is 16.0 ± 2.1 points *behind* random; at 30%
#   it trains to 30.1%, against 56.5% for a random subset of the same size.
# * *GraNd at initialization* does better than EL2N at heavy pruning but still trails random
#   subsets at every size, and its ranking is negatively correlated with EL2N's (Spearman
#   -0.52): at initialization the gradient norm mostly reflects the size of the input, not
#   how hard the example is.
#
# * *The hardest examples are not a fair sample of the classes.* The right panel shows that
#   the 30% highest-EL2N examples contain almost no 0s, 3s, 6s or 8s (under 4% each) and about
#   19% each of 1s and 4s, so a model trained on them barely sees four classes.
#
# Our reading: the data regime is the opposite of the paper's. The MLP reaches only 69% test
# accuracy on 8,000 MNIST-1D signals, so much of the training set is still hard at the end of
# training, and the highest-EL2N examples are dominated by signals that the heavy noise and
# deformation of MNIST-1D make ambiguous. Sorscher et al. (2022) predict exactly this: when
# data is scarce relative to what the model can learn, keeping the *easy* examples is the
# better strategy, and keeping the hard ones only pays off with abundant data, as in CIFAR-10
# for a ResNet-18 that fits it to 95%. The `offset` knob, the paper's own remedy, skips the very
# hardest examples; trying it is the first thing we would do next.

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
