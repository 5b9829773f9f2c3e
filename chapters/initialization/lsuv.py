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
# # LSUV: all you need is a good init
#
# Dmytro Mishkin and Jiří Matas (2016). *All you need is a good init*. International Conference
# on Learning Representations (ICLR 2016). [arXiv:1511.06422](https://arxiv.org/abs/1511.06422)
#
# Before batch normalization became the default, a deep plain network stood or fell with the
# scale of its initial weights. Analytic rules such as Glorot's or He's derive that scale for
# one particular activation function under idealized assumptions, and very deep, thin networks
# (the FitNets of Romero et al., 2015) still needed special training schemes to get going.
# Mishkin and Matas proposed to stop deriving the scale and to *measure* it instead: start from
# random orthonormal matrices, push one mini-batch through the network and, layer after layer
# from the input, rescale each weight matrix until its output has unit variance on that batch.
# The method, layer-sequential unit variance (LSUV), costs a few forward passes, needs no
# knowledge of the activation function, and works like a batch normalization that is applied
# once, at initialization, and then removed. It became a common baseline for initializing
# networks without normalization layers, and its data-driven view of initialization returns in
# later work on signal propagation.

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
from dlrepro.claims import Claim, Criterion, Paper, mean_ci
from dlrepro.data import mnist1d
from dlrepro.diagnostics import layer_statistics
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.init import glorot_, he_, lsuv_, orthogonal_, scaled_gaussian_
from dlrepro.models import ACTIVATIONS, MLP, BatchedMLP
from dlrepro.plot import ARM_COLORS, seed_band, use_style
from dlrepro.train import TrainConfig, evaluate_batched, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: orthonormal initialization followed by a per-layer rescaling to unit output
# variance on one mini-batch lets very deep plain networks train, whatever their activation
# function, and they end at least as accurate, and get there at least as fast, as with the
# standard initializations. A network started from small Gaussian noise of a fixed standard
# deviation, by contrast, does not train at all once it is deep: the signal shrinks by a constant
# factor in every layer and nothing reaches the output (He et al., 2015, report this for
# standard deviation 0.01 beyond about eight convolutional layers, which is why VGG had to be
# trained in stages).
#
# The paper's evidence, measured at this scale:
#
# * *Activations.* Thin, deep FitNets (Romero et al., 2015; 11 to 19 layers) on CIFAR-10 with
#   maxout, ReLU, very leaky ReLU and tanh units, each started from LSUV, from orthonormal
#   matrices with and without He's scale, from Glorot's ("Xavier") and from He's ("MSRA")
#   Gaussian. LSUV gave the best or close to the best test accuracy for every activation; tanh
#   is the one case where it did not lead.
# * *Speed.* Its FitNet4 converged at least as fast as the original FitNet, which needs a
#   teacher network (hint-based training), and as the Highway networks, without either trick.
# * *Headline numbers.* LSUV's FitNet4 reached about 94% test accuracy on CIFAR-10 and 72% on
#   CIFAR-100, and a FitNet about 0.4% error on MNIST, close to the state of the art of the time;
#   LSUV also initialized GoogLeNet, CaffeNet and residual networks on ImageNet.
#
# Training there was SGD with momentum 0.9, and LSUV used a tolerance of 0.1 on the variance and
# at most 10 rescalings per layer. We test the statement on thin, deep multilayer perceptrons on
# MNIST-1D (Greydanus & Kobak, 2024), trained with SGD and momentum, without any normalization
# layer.

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
activations = ["relu", "tanh", "gelu"]  # one batched training run per activation
depth = None  # hidden layers; None keeps the profile's value
width = None  # units per hidden layer; None keeps the profile's value
lr = 0.01  # SGD learning rate
momentum = 0.9  # SGD momentum, as in the paper
gaussian_std = 0.01  # standard deviation of the small-Gaussian arm

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "num_samples": 1000, "depth": 6, "width": 16, "steps": 30,
              "batch_size": 64, "eval_every": 10, "lsuv_batch": 128},
    # Thin and deep (16 hidden layers of 32 units): small Gaussian noise cannot start it, while
    # the standard inits train within the step budget, some slowly.
    "quick": {"seeds": 4, "num_samples": 10000, "depth": 16, "width": 32, "steps": 500,
              "batch_size": 128, "eval_every": 50, "lsuv_batch": 256},
    # One GPU: deeper, twice as wide, twice the data, eight times the steps, eight seeds.
    "full": {"seeds": 8, "num_samples": 20000, "depth": 20, "width": 64, "steps": 4000,
             "batch_size": 128, "eval_every": 100, "lsuv_batch": 512},
}
run = dlrepro.run.start("lsuv", profile, seed, device, SETTINGS,
                        overrides={"depth": depth, "width": width})
cfg = run.settings
ACTS = list(activations)
unknown = [a for a in ACTS if a not in ACTIVATIONS or a == "linear"]
if not ACTS or unknown:
    raise ConfigError(f"activations must be a non-empty list of non-linear activations from "
                      f"{[a for a in ACTIVATIONS if a != 'linear']}, got {activations}")
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP {cfg.depth} x "
      f"{cfg.width} with {', '.join(ACTS)}; {cfg.steps} SGD steps (lr {lr}, momentum "
      f"{momentum}) of batch {cfg.batch_size}")

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. Five initializations are compared for every activation:
# small Gaussian noise (`gaussian`, standard deviation `gaussian_std`), Glorot, He, orthogonal,
# and LSUV. Two numbers are measured per model:
#
# * *accuracy*: test accuracy at the end of training;
# * *speed*: the mean training loss over the evaluations in the first half of training (an
#   area under the early loss curve: lower means faster). A loss that is not finite (a diverged
#   model) counts as 10 nats.
#
# Within a seed every initialization sees the same mini-batches in the same order, so the arms
# are compared as paired differences per seed. LSUV's competitor for an activation is the best
# of the four *other* initializations on that measure (highest mean accuracy, lowest mean early
# loss): a choice that can only make the test harder for LSUV. "At least as good" is a
# non-inferiority test with margins fixed here: the 95% confidence interval of the paired
# difference must stay above -0.03 in accuracy and below +0.10 nats in early loss. The small
# Gaussian "fails" when its accuracy stays near chance (95% CI upper bound <= 0.15, chance is
# 0.10) while LSUV, with the same architecture and data, does at least 0.10 better (lower bound
# of the paired difference).

# %% tags=[]
INITS = ["gaussian", "glorot", "he", "orthogonal", "lsuv"]
OTHERS = INITS[:-1]
CHANCE = 0.10  # accuracy of a guess among 10 classes
ACC_MARGIN = 0.03  # LSUV may trail the best other init by at most this much accuracy (CI)
LOSS_MARGIN = 0.10  # ... and by at most this much early training loss, in nats (CI)
LOSS_CAP = 10.0  # a non-finite (diverged) training loss counts as this many nats


def as_good_and_as_fast(act):
    def check(m):
        return (m[f"acc_gap_{act}"].low >= -ACC_MARGIN
                and m[f"loss_gap_{act}"].high <= LOSS_MARGIN)
    return check


def small_gaussian_fails(m):
    return all(m[f"test_acc_{act}_gaussian"].high <= CHANCE + 0.05
               and m[f"gauss_gap_{act}"].low >= 0.10 for act in ACTS)


claim = Claim(
    chapter="lsuv",
    paper=Paper(
        authors="Mishkin, D. & Matas, J.",
        year=2016,
        title="All you need is a good init",
        venue="ICLR 2016",
        url="https://arxiv.org/abs/1511.06422",
    ),
    statement=("Layer-sequential unit-variance initialization (orthonormal weights, then each "
               "layer rescaled to unit output variance on one mini-batch) trains thin, deep "
               "networks without normalization at least as well and as fast as the best "
               "standard initialization, for every activation function; small Gaussian noise "
               "of a fixed standard deviation does not train at that depth."),
    paper_value=("FitNets (11-19 layers) on CIFAR-10 with maxout, ReLU, VLReLU and tanh: LSUV "
                 "best or close to best in test accuracy for every activation (tanh the one "
                 "where it did not lead); FitNet4 + LSUV ~94% on CIFAR-10, converging at least "
                 "as fast as hint-trained FitNets and Highway nets; fixed-std 0.01 Gaussian "
                 "nets fail to converge beyond ~8 layers (He et al., 2015)"),
    headline=tuple(f"acc_gap_{act}" for act in ACTS),
    criteria=(
        *(Criterion(f"as good and as fast with {act}", f"{act}: paired LSUV minus best other "
                    f"init, 95% CI lower bound of final test accuracy gap >= -{ACC_MARGIN} "
                    f"and upper bound of early training loss gap <= +{LOSS_MARGIN} nats",
                    as_good_and_as_fast(act)) for act in ACTS),
        Criterion("small Gaussian fails at depth", f"every activation: small-Gaussian test "
                  f"accuracy 95% CI upper bound <= {CHANCE + 0.05:.2f}, and LSUV minus "
                  f"small-Gaussian accuracy 95% CI lower bound >= 0.10", small_gaussian_fails),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus & Kobak, 2024): procedurally generated one-dimensional signals
# of 40 samples in ten digit-like classes, already standardized. The quick profile generates
# 10,000 examples, 8,000 to train on and 2,000 to test.
#
# **Model.** A thin, deep MLP without normalization layers: 40 inputs, `depth` hidden layers of
# `width` units (16 x 32 in the quick profile, 17 weight layers, about 17,000 parameters) and
# 10 outputs, one activation throughout. Biases start at zero in every arm.
#
# **Arms.** Only the initial weights differ:
#
# | arm | weights |
# |---|---|
# | `gaussian` | i.i.d. N(0, 0.01²) in every layer, whatever its size |
# | `glorot` | uniform with variance 2 / (fan_in + fan_out) (Glorot & Bengio, 2010) |
# | `he` | N(0, 2 / fan_in) (He et al., 2015), derived for ReLU |
# | `orthogonal` | random orthonormal rows or columns, gain 1 (Saxe et al., 2014) |
# | `lsuv` | orthogonal, then rescaled layer by layer to unit output variance (below) |
#
# LSUV goes through the layers from the input; for each it divides the weights by the standard
# deviation of the layer's output on a batch of `lsuv_batch` training examples, until that
# variance is within 0.1 of 1 (at most 10 times). Its batch is drawn once per seed from the
# training set. We then measure, on the test inputs (which LSUV never saw), each layer's output
# variance and the spread of the loss gradient with respect to each layer's weights, before any
# training.

# %% tags=[]
data = mnist1d(num_samples=cfg.num_samples, device=run.device)
n_train = data.y_train.shape[0]
if cfg.lsuv_batch > n_train or cfg.batch_size > n_train:
    raise ConfigError(f"lsuv_batch {cfg.lsuv_batch} and batch_size {cfg.batch_size} must not "
                      f"exceed the {n_train} training examples of num_samples={cfg.num_samples}")
HIDDEN = [cfg.width] * cfg.depth


def initialize(name, net, generator, batch):
    """Apply arm ``name``'s initializer to ``net`` in place."""
    if name == "gaussian":
        scaled_gaussian_(net, gaussian_std, generator)
    elif name == "glorot":
        glorot_(net, generator)
    elif name == "he":
        he_(net, generator)
    elif name == "orthogonal":
        orthogonal_(net, generator=generator)
    else:
        lsuv_(net, batch, generator=generator)


def build(act):
    """Every seed x arm MLP for one activation, initialized, plus their statistics at init."""
    nets, orders = [], []
    out_var = np.zeros((len(run.seeds), len(INITS), cfg.depth + 1))
    grad_std = np.zeros_like(out_var)
    for k, s in enumerate(run.seeds):
        pick = torch.randperm(n_train, generator=run.generator(20_000 + s),
                              device=run.device)[:cfg.lsuv_batch]
        for i, name in enumerate(INITS):
            net = MLP(data.num_features, HIDDEN, data.num_classes, act).to(run.device)
            initialize(name, net, run.generator(10_000 + 100 * s + i), data.x_train[pick])
            stats = layer_statistics(net, data.x_test, data.y_test, F.cross_entropy)
            out_var[k, i] = [st.output_var for st in stats]
            grad_std[k, i] = [st.weight_grad_std for st in stats]
            nets.append(net)
            orders.append(run.generator(s))  # one data order per seed, shared by the arms
    return BatchedMLP.from_models(nets), orders, out_var, grad_std


example = MLP(data.num_features, HIDDEN, data.num_classes, ACTS[0])
print(f"{len(run.seeds)} seeds x {len(INITS)} inits = {len(run.seeds) * len(INITS)} models per "
      f"activation, {sum(p.numel() for p in example.parameters()):,} parameters each")

# %% [markdown] tags=[]
# ## Experiment
#
# For each activation, one batched training run of every seed and arm: SGD with momentum,
# cross-entropy, constant learning rate, no weight decay. Every `eval_every` steps (and before
# the first step) we record each model's loss and accuracy on the whole training set and on the
# test set.

# %% tags=[]
config = TrainConfig(steps=cfg.steps, batch_size=cfg.batch_size, lr=lr, optimizer="sgd",
                     momentum=momentum, eval_every=cfg.eval_every)
grid = (len(run.seeds), len(INITS))
LSUV = INITS.index("lsuv")
curves, at_init = {}, {}
for act in ACTS:
    model, orders, out_var, grad_std = build(act)
    start = {name: evaluate_batched(model, xs, ys) for name, (xs, ys) in
             {"train": (data.x_train, data.y_train), "test": (data.x_test, data.y_test)}.items()}
    history = train_batched(model, data.x_train, data.y_train, config, orders,
                            eval_sets={"test": (data.x_test, data.y_test)}, progress=True)
    curves[act] = {f"{split}_{metric}": np.concatenate(
        [start[split][j][None], history[f"{split}_{metric}"]]).reshape(-1, *grid)
        for split in ("train", "test") for j, metric in enumerate(("loss", "acc"))}
    at_init[act] = {"output_var": out_var, "grad_std": grad_std}
    print(f"{act}: LSUV's largest |output variance - 1| on the test inputs "
          f"{np.abs(out_var[:, LSUV] - 1).max():.3f}; trained {model.num_models} models in one "
          f"pass, {run.elapsed():.0f} s since start")
steps = np.array([0, *history.steps])

# %% [markdown] tags=[]
# The measurements, one value per seed, and each activation's strongest competitor to LSUV.

# %% tags=[]
early = (steps > 0) & (steps <= cfg.steps // 2)
measurements, best = {}, {}
for act in ACTS:
    loss = curves[act]["train_loss"]
    loss = np.where(np.isfinite(loss), np.minimum(loss, LOSS_CAP), LOSS_CAP)
    early_loss = loss[early].mean(axis=0)  # seeds x inits
    final_acc = curves[act]["test_acc"][-1]
    curves[act]["early_loss"], curves[act]["final_acc"] = early_loss, final_acc
    best_acc = max(range(len(OTHERS)), key=lambda i: final_acc[:, i].mean())
    best_loss = min(range(len(OTHERS)), key=lambda i: early_loss[:, i].mean())
    best[act] = (OTHERS[best_acc], OTHERS[best_loss])
    for i, name in enumerate(INITS):
        measurements[f"test_acc_{act}_{name}"] = final_acc[:, i]
    measurements[f"acc_gap_{act}"] = final_acc[:, LSUV] - final_acc[:, best_acc]
    measurements[f"loss_gap_{act}"] = early_loss[:, LSUV] - early_loss[:, best_loss]
    measurements[f"gauss_gap_{act}"] = final_acc[:, LSUV] - final_acc[:, INITS.index("gaussian")]



for title, key in (("final test accuracy", "final_acc"),
                   ("early training loss (mean over the first half, nats)", "early_loss")):
    print(f"{title}, mean ± 95% CI over {len(run.seeds)} seeds")
    print(f"{'':<8}" + "".join(f"{name:>16}" for name in INITS))
    for act in ACTS:
        print(f"{act:<8}" + "".join(f"{mean_ci(curves[act][key][:, i]):>16}"
                                   for i in range(len(INITS))))
    print()
print("LSUV minus its strongest competitor (paired over seeds)")
for act in ACTS:
    print(f"{act:<8} accuracy vs {best[act][0]:<10} {mean_ci(measurements[f'acc_gap_{act}'])}"
          f"   early loss vs {best[act][1]:<10} {mean_ci(measurements[f'loss_gap_{act}'])}")

# %% [markdown] tags=[]
# ## Results
#
# **At initialization** (the paper's argument in one picture): each layer's output variance on
# the test inputs (top) and the standard deviation of the loss gradient with respect to each
# layer's weights (bottom), before any training. Values below 10⁻³⁰ (the float32 signal of the
# small-Gaussian arm underflows) are drawn at 10⁻³⁰. Lines are seed means, bands 95% confidence
# intervals over seeds, computed on log₁₀ of the values.

# %% tags=[]
use_style()
COLOR = {"gaussian": ARM_COLORS["control"], "glorot": ARM_COLORS["alternative"],
         "he": ARM_COLORS["extra"], "orthogonal": ARM_COLORS["baseline"],
         "lsuv": ARM_COLORS["method"]}
LABEL = {"gaussian": f"N(0, {gaussian_std}²)", "glorot": "Glorot", "he": "He",
         "orthogonal": "orthogonal", "lsuv": "LSUV"}
FLOOR = 1e-30
layers = np.arange(1, cfg.depth + 2)

fig, axes = plt.subplots(2, len(ACTS), figsize=(4.6 * len(ACTS), 7), squeeze=False)
for col, act in enumerate(ACTS):
    for row, (key, ylabel) in enumerate((("output_var", "log₁₀ output variance"),
                                         ("grad_std", "log₁₀ weight-gradient std"))):
        ax = axes[row, col]
        for i, name in enumerate(INITS):
            values = np.log10(np.maximum(at_init[act][key][:, i], FLOOR))
            seed_band(ax, layers, values, LABEL[name], color=COLOR[name], marker=None)
        ax.set(xlabel="layer", ylabel=ylabel, title=f"{act}" if row == 0 else None)
        if row == 0:
            ax.axhline(0.0, color="black", linewidth=0.8, linestyle=":")
axes[0, 0].legend(loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# **Training**, the counterpart of the paper's convergence plots: training loss (top) and test
# accuracy (bottom) against SGD steps, one panel per activation. Lines are seed means, bands
# 95% confidence intervals over seeds; the dotted line is chance.

# %% tags=[]
def draw_curves(ax, act, key):
    for i, name in enumerate(INITS):
        seed_band(ax, steps, curves[act][key][:, :, i].T, LABEL[name], color=COLOR[name],
                  marker=None)


fig, axes = plt.subplots(2, len(ACTS), figsize=(4.6 * len(ACTS), 7), squeeze=False)
for col, act in enumerate(ACTS):
    draw_curves(axes[0, col], act, "train_loss")
    axes[0, col].axhline(np.log(10), color="black", linewidth=0.8, linestyle=":")
    axes[0, col].set(xlabel="step", ylabel="training loss", title=act, ylim=(0, 3.5))
    draw_curves(axes[1, col], act, "test_acc")
    axes[1, col].axhline(CHANCE, color="black", linewidth=0.8, linestyle=":")
    axes[1, col].set(xlabel="step", ylabel="test accuracy", ylim=(0, None))
axes[0, 0].legend(loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# **The accuracy table** (the form of the paper's activation table): final test accuracy, mean
# ± 95% CI over seeds, the best mean per activation in bold.

# %% tags=[]
fig, ax = plt.subplots(figsize=(1.6 + 1.9 * len(INITS), 0.9 + 0.45 * len(ACTS)))
ax.axis("off")
cells = [[mean_ci(curves[act]["final_acc"][:, i]) for i in range(len(INITS))] for act in ACTS]
table = ax.table(cellText=cells, rowLabels=[f"  {act}  " for act in ACTS],
                 colLabels=[LABEL[n] for n in INITS], loc="center", cellLoc="center")
table.scale(1, 1.5)
for r, act in enumerate(ACTS):
    top = int(np.argmax(curves[act]["final_acc"].mean(axis=0)))
    table[r + 1, top].set_text_props(fontweight="bold")
ax.set_title(f"MNIST-1D test accuracy, MLP {cfg.depth} x {cfg.width}, {cfg.steps} steps")
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=[]
verdict = claim.judge(measurements, run)
verdict.save()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% [markdown] tags=[]
# **Reading the stored quick run** (4 seeds, MLP 16 x 32, 500 SGD steps): PARTLY REPRODUCED.
# Every part of the claim points the paper's way in the seed means; two of the four criteria
# could not certify it with four seeds.
#
# * *Small Gaussian noise fails at depth, as claimed.* With N(0, 0.01²) weights the signal
#   loses two to three orders of magnitude of variance per layer and falls below 10⁻³⁰ after 10
#   to 12 layers; the weight gradients are around 10⁻²² to 10⁻²⁷. Those networks never
#   leave the loss of a uniform guess (ln 10 = 2.303) and end at 0.093 test accuracy (a constant
#   prediction) for every activation and seed, while LSUV, with the same architecture and data,
#   reaches 0.35 to 0.39 higher test accuracy.
# * *LSUV keeps the signal at unit variance for every activation.* On test inputs it never saw,
#   its layers' output variances stay within 0.09 (ReLU), 0.04 (tanh) and 0.29 (GELU) of 1 over
#   all 17 layers. Glorot and orthogonal (gain 1) let the signal decay with ReLU and GELU, by
#   about 10⁻⁵ and 10⁻⁹ at the last layer: with GELU they stay on the chance plateau for all 500
#   steps, with ReLU they leave it only after 200 to 300 steps. He's scale, derived for ReLU,
#   keeps the variance with ReLU and roughly with GELU.
# * *LSUV has the best mean in every cell.* Final test accuracy 0.472 (ReLU), 0.445 (tanh) and
#   0.485 (GELU), against 0.437 (He), 0.436 (orthogonal) and 0.460 (He) for the strongest other
#   initialization; and the lowest early training loss in all three. With ReLU both paired gaps
#   clear the rule: +0.035 ± 0.039 in accuracy, -0.072 ± 0.049 nats in early loss.
# * *Where the rule was not met.* With tanh, LSUV and orthogonal initialization finish level:
#   the accuracy gap is +0.009 ± 0.053, one seed at +0.058 and three within ±0.014, so the lower
#   bound (-0.044) falls below the -0.03 margin; LSUV was clearly faster there (-0.087 ± 0.018
#   nats). tanh is also the activation where the paper's LSUV did not lead. With GELU, LSUV was
#   faster than He in all four seeds, but by 0.35 nats in one and by 0.02 to 0.04 in the others,
#   so the interval of the speed gap (-0.110 ± 0.252) reaches +0.142, above the +0.10 margin.
#   Both failures are failures to *certify* non-inferiority with four seeds (a t-interval
#   multiplies the standard error by 3.18), not cases where another initialization did better
#   on average; see the Notes for a check with more seeds.

# %% [markdown] tags=[]
# ## Explore
#
# Pick an activation and a measure to see every initialization's curves, seed bands included.
# This redraws the runs above; nothing is trained again. (In a headless run the view is drawn
# once, for the second activation in the list.)

# %% tags=[]
def show(activation, measure):
    key = {"training loss": "train_loss", "test accuracy": "test_acc",
           "test loss": "test_loss"}[measure]
    fig, ax = plt.subplots(figsize=(8.5, 3.8))
    draw_curves(ax, activation, key)
    ax.axhline(np.log(10) if key.endswith("loss") else CHANCE, color="black", linewidth=0.8,
               linestyle=":")
    ax.set(xlabel="step", ylabel=measure, title=f"{activation}: MLP {cfg.depth} x {cfg.width}")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    plt.show()


explore(show,
        activation=widgets.ToggleButtons(options=ACTS, value=ACTS[min(1, len(ACTS) - 1)],
                                         description="activation"),
        measure=widgets.ToggleButtons(options=["training loss", "test accuracy", "test loss"],
                                      value="training loss", description="measure"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Networks and data.* The paper's FitNets are thin convolutional networks (11 to 19 layers,
#   with max-pooling) trained on CIFAR-10/100 and MNIST; ours are multilayer perceptrons of 16
#   hidden layers of 32 units (17 weight layers; 20 x 64 in the full profile) on MNIST-1D, so
#   that all seeds and arms of one activation train together as one `BatchedMLP` on a laptop CPU.
#   Absolute accuracies are low (below 0.5) because 500 steps, about eight epochs, is a short
#   budget for such a deep, plain network; the comparison between initializations is the point.
# * *Activations and arms.* The paper used maxout, ReLU, very leaky ReLU and tanh; we use ReLU,
#   tanh and GELU (Hendrycks & Gimpel, 2016), a smooth activation for which none of the analytic
#   rules here was derived. We leave out the paper's orthonormal-with-He-scale arm and add the
#   small-Gaussian arm, the fixed-scale default of AlexNet-era networks.
# * *Training.* SGD with momentum 0.9 and learning rate 0.01 as in the paper, but at a constant
#   learning rate, without weight decay, dropout or augmentation, for 500 steps of 128 examples.
#   LSUV uses one batch of 256 training examples, a tolerance of 0.1 and at most 10 rescalings
#   per layer, the paper's values. As in the paper it also rescales the output layer, so LSUV's
#   logits start with unit variance and its initial loss (2.6 to 2.8) lies above ln 10, as seen
#   at step 0 of the loss curves.
# * *Speed.* The paper compares convergence curves by eye; we summarize speed as the mean
#   training loss over the first half of training and judge it with the same paired
#   non-inferiority test as the accuracy. The paper reports single runs; we use four seeds.
#
# **A check with more seeds** (exploratory, run once while writing this chapter and not part of
# the verdict): the quick profile with seeds 4 to 7 again gave PARTLY REPRODUCED, this time with
# GELU passing and ReLU (accuracy gap +0.024 ± 0.055) and tanh (+0.007 ± 0.039) just missing the
# accuracy margin. Pooling those four seeds with the stored four (the strongest competitor was
# the same arm in both runs), every paired gap clears its margin: accuracy +0.030 ± 0.024
# (ReLU), +0.008 ± 0.023 (tanh), +0.049 ± 0.040 (GELU); early loss -0.096 ± 0.067, -0.099 ±
# 0.021 and -0.179 ± 0.134 nats. So at our scale LSUV is as accurate as the best standard
# initialization and a little faster, with the largest advantage where the analytic rules do
# not fit the activation (GELU), but four seeds are too few to certify it for every activation;
# the full profile uses eight.
#
# **What a reader might try.**
#
# * Add `"sigmoid"` to `activations`: its outputs have mean 1/2, so the next layer's input is
#   far from centred. Does rescaling the variance still suffice?
# * Raise `depth` to 30 or 50: at which depth do Glorot and orthogonal stop training with tanh,
#   whose slope below 1 away from zero shrinks the signal a little in every layer?
# * Change `gaussian_std`: at width 32, 0.25 = sqrt(2/32) is exactly He's scale. How far below
#   that does training still start?
# * Raise `lr`: a well-scaled network often tolerates a larger step size, and LSUV's advantage in
#   speed may grow or vanish.
#
# **References.**
#
# * Mishkin, D. & Matas, J. (2016). All you need is a good init. *ICLR 2016*.
#   [arXiv:1511.06422](https://arxiv.org/abs/1511.06422)
# * Romero, A. et al. (2015). FitNets: hints for thin deep nets. *ICLR 2015*.
#   [arXiv:1412.6550](https://arxiv.org/abs/1412.6550)
# * Glorot, X. & Bengio, Y. (2010). Understanding the difficulty of training deep feedforward
#   neural networks. *AISTATS 2010*.
#   [PMLR 9:249-256](https://proceedings.mlr.press/v9/glorot10a.html)
# * He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers. *ICCV 2015*.
#   [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)
# * Saxe, A. M., McClelland, J. L. & Ganguli, S. (2014). Exact solutions to the nonlinear
#   dynamics of learning in deep linear neural networks. *ICLR 2014*.
#   [arXiv:1312.6120](https://arxiv.org/abs/1312.6120)
# * Simonyan, K. & Zisserman, A. (2015). Very deep convolutional networks for large-scale image
#   recognition. *ICLR 2015*. [arXiv:1409.1556](https://arxiv.org/abs/1409.1556)
# * Ioffe, S. & Szegedy, C. (2015). Batch normalization. *ICML 2015*.
#   [arXiv:1502.03167](https://arxiv.org/abs/1502.03167)
# * Hendrycks, D. & Gimpel, K. (2016). Gaussian error linear units (GELUs).
#   [arXiv:1606.08415](https://arxiv.org/abs/1606.08415)
# * Greydanus, S. & Kobak, D. (2024). Scaling down deep learning with MNIST-1D. *ICML 2024*.
#   [arXiv:2011.14439](https://arxiv.org/abs/2011.14439)
