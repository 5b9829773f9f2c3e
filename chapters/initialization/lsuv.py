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
# # LSUV: all you need is a good init
#
# Dmytro Mishkin and Jiří Matas (2016). *All you need is a good init*. International Conference
# on Learning Representations (ICLR 2016). [arXiv:1511.06422](https://arxiv.org/abs/1511.06422)
# {footcite:p}`mishkin2016all`
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
import torch.nn.functional as F

import dlrepro.run
from dlrepro.claims import Check, Claim, Paper, mean_ci, non_inferiority, superiority
from dlrepro.data import mnist1d
from dlrepro.diagnostics import layer_statistics
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.init import glorot_, he_, lsuv_, orthogonal_, scaled_gaussian_, weight_layers
from dlrepro.models import ACTIVATIONS, MLP, BatchedMLP
from dlrepro.plot import ARM_COLORS, seed_band, use_style
from dlrepro.train import TrainConfig, evaluate_batched, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: starting from random orthonormal matrices and rescaling each layer, in order,
# to unit output variance on one mini-batch is what lets a very deep plain network train; the
# rescaling, not the orthonormal start, does the work, whatever the activation function, and
# the result is at least as accurate, and gets there at least as fast, as with the standard
# initializations. A network started from small Gaussian noise of a fixed standard deviation,
# by contrast, does not train at all once it is deep: the signal shrinks by a constant factor
# in every layer and nothing reaches the output (He et al., 2015, report this for standard
# deviation 0.01 beyond about eight convolutional layers, which is why VGG had to be trained in
# stages).
#
# The paper's evidence, measured at this scale:
#
# * *Activations.* Thin, deep FitNets (Romero et al., 2015; 11 to 19 layers) on CIFAR-10 with
#   maxout, ReLU, very leaky ReLU and tanh units, each started from LSUV, from orthonormal
#   matrices with and without He's scale, from Glorot's ("Xavier") and from He's ("MSRA")
#   Gaussian. LSUV gave the best or close to the best test accuracy for every activation; tanh
#   is the one case where it did not lead. The orthonormal start without any rescaling is the
#   arm LSUV is built on, so it is the natural control for what the rescaling adds.
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
sham = False  # True: the LSUV arm is replaced by its orthogonal start (no rescaling)
activations = ["relu", "tanh", "gelu"]  # one batched run each; the rule needs relu and gelu
depth = None  # hidden layers; None keeps the profile's value
width = None  # units per hidden layer; None keeps the profile's value
lr = 0.01  # SGD learning rate
momentum = 0.9  # SGD momentum, as in the paper
gaussian_std = 0.01  # standard deviation of the small-Gaussian arm

# %% tags=["hide-input"]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "num_samples": 1000, "depth": 6, "width": 16, "steps": 30,
              "batch_size": 64, "eval_every": 10, "lsuv_batch": 128},
    # Thin and deep (16 hidden layers of 32 units): the orthogonal start trains slowly with
    # ReLU and small Gaussian noise not at all, within the step budget.
    "quick": {"seeds": 5, "num_samples": 10000, "depth": 16, "width": 32, "steps": 500,
              "batch_size": 128, "eval_every": 50, "lsuv_batch": 256},
    # One GPU: deeper, twice as wide, twice the data, eight times the steps, eight seeds.
    "full": {"seeds": 8, "num_samples": 20000, "depth": 20, "width": 64, "steps": 4000,
             "batch_size": 128, "eval_every": 100, "lsuv_batch": 512},
}
run = dlrepro.run.start("lsuv", profile, seed, device, SETTINGS,
                        overrides={"depth": depth, "width": width}, sham=sham)
cfg = run.settings
ACTS = list(activations)
unknown = [a for a in ACTS if a not in ACTIVATIONS or a == "linear"]
if unknown or len(set(ACTS)) != len(ACTS) or not {"relu", "gelu"} <= set(ACTS):
    raise ConfigError(f"activations must be distinct non-linear activations from "
                      f"{[a for a in ACTIVATIONS if a != 'linear']} that include 'relu' and "
                      f"'gelu' (the rule reads both), got {activations}")
if not (lr > 0 and 0 <= momentum < 1 and gaussian_std > 0):
    raise ConfigError(f"need lr > 0, 0 <= momentum < 1 and gaussian_std > 0, got lr={lr}, "
                      f"momentum={momentum}, gaussian_std={gaussian_std}")
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP {cfg.depth} x "
      f"{cfg.width} with {', '.join(ACTS)}; {cfg.steps} SGD steps (lr {lr}, momentum "
      f"{momentum}) of batch {cfg.batch_size}"
      + ("; SHAM: the LSUV arm is its orthogonal start" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs. Five initializations are compared for every activation:
# small Gaussian noise (`gaussian`, standard deviation `gaussian_std`), Glorot, He, orthogonal,
# and LSUV. LSUV starts from exactly the orthogonal arm's matrices (the same draw in each seed)
# and only rescales them, so the paired difference LSUV minus orthogonal is what the rescaling
# adds. Within a seed every arm sees the same mini-batches in the same order. Two numbers are
# measured per model:
#
# * *accuracy*: test accuracy after the fixed budget of `steps` SGD steps;
# * *speed*: the mean training loss over the evaluations in the first half of training (an
#   area under the early loss curve: lower means faster). A loss that is not finite (a diverged
#   model) counts as 10 nats.
#
# The criteria, each a 95% interval over seeds of a paired difference:
#
# * **Primary: LSUV beats its orthogonal start with ReLU**: accuracy LSUV minus orthogonal above
#   0.05. ReLU is one of the paper's four activations and the usual one in deep plain networks,
#   and it is the one where the orthogonal control still learns within the budget (slowly: see
#   the sizing run in the Notes), so the comparison is not against a dead network.
# * *The same with GELU*, a smooth activation none of the analytic rules was derived for, with
#   the same margin. It is required for REPRODUCED. It is not the primary because at this
#   depth the orthogonal start never leaves chance with GELU: beating it is the paper's failure
#   case in its starkest form, and a weaker test of what the rescaling adds.
# * *As accurate and as fast as the best other initialization*, for every activation: the
#   competitor is the one of the four other arms with the best seed-mean on that measure (a
#   choice that can only make the test harder for LSUV); the interval of LSUV minus competitor
#   must lie above -0.03 in accuracy and below +0.10 nats in early loss.
#
# Two **checks** must hold and never count: the network the LSUV procedure returns has unit
# output variance (within its tolerance, 0.1) in every layer on the batch it was fitted on,
# which it achieves by construction; and every weight matrix of the LSUV arm is the orthogonal
# arm's matrix of the same seed times one positive number. **The sham** (`sham = True`) trains
# the orthogonal start in the LSUV slot: both arms are then the same network, the paired
# difference is zero and the primary fails. A He initialization put in LSUV's place would beat
# the orthogonal start too (He's scale is right for ReLU), so it is the checks that reject it:
# a Gaussian matrix is not a rescaled copy of the orthogonal draw, and He's layers, put in the
# procedure's place, do not have unit variance on its batch. The small-Gaussian arm is drawn
# in the figures and kept out of the verdict.

# %% tags=["hide-input"]
INITS = ["gaussian", "glorot", "he", "orthogonal", "lsuv"]
OTHERS = INITS[:-1]
LSUV = INITS.index("lsuv")
CHANCE = 0.10  # accuracy of a guess among 10 classes
GAIN_MARGIN = 0.05  # LSUV must beat its orthogonal start by more than this much accuracy
ACC_MARGIN = 0.03  # LSUV may trail the best other init by less than this much accuracy
LOSS_MARGIN = 0.10  # ... and by less than this much early training loss, in nats
LOSS_CAP = 10.0  # a non-finite (diverged) training loss counts as this many nats
LSUV_TOL = 0.1  # LSUV's variance tolerance (the paper's)
SCALE_TOL = 1e-5  # relative residual of "a rescaled copy of the orthogonal start"


def beats_start(act):
    return superiority(
        f"LSUV beats its orthogonal start ({act})",
        f"{act}: test accuracy after the budget, LSUV minus the orthogonal start it rescales, "
        f"paired over seeds, has a 95% interval above {GAIN_MARGIN}",
        f"test_acc_{act}_lsuv", f"test_acc_{act}_orthogonal", GAIN_MARGIN)


def as_accurate(act):
    return non_inferiority(
        f"as accurate as the best other init ({act})",
        f"{act}: test accuracy, LSUV minus the other init with the best seed-mean, paired over "
        f"seeds, has a 95% interval above -{ACC_MARGIN}",
        f"test_acc_{act}_lsuv", f"best_acc_{act}", ACC_MARGIN)


def as_fast(act):
    return non_inferiority(
        f"as fast as the best other init ({act})",
        f"{act}: mean training loss over the first half of training, LSUV minus the other init "
        f"with the lowest seed-mean, paired over seeds, has a 95% interval below +{LOSS_MARGIN} "
        "nats", f"early_loss_{act}_lsuv", f"best_loss_{act}", LOSS_MARGIN,
        higher_is_better=False)


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
               "layer rescaled to unit output variance on one mini-batch) makes thin, deep "
               "networks without normalization train far better than the orthonormal start it "
               "rescales, with ReLU and with an activation no analytic rule was derived for "
               "(GELU), and at least as well and as fast as the best standard initialization "
               "for every activation."),
    paper_value=("FitNets (11-19 layers) on CIFAR-10 with maxout, ReLU, VLReLU and tanh: LSUV "
                 "best or close to best in test accuracy for every activation (tanh the one "
                 "where it did not lead), ahead of the orthonormal start; FitNet4 + LSUV ~94% "
                 "on CIFAR-10, converging at least as fast as hint-trained FitNets and Highway "
                 "nets"),
    primary=beats_start("relu"),
    criteria=(beats_start("gelu"), *(as_accurate(act) for act in ACTS),
              *(as_fast(act) for act in ACTS)),
    checks=(
        Check("LSUV reaches unit variance on its batch",
              f"every layer of every network the LSUV procedure returns has output variance "
              f"within {LSUV_TOL} of 1 on the batch it was fitted on",
              lambda m: max(m["lsuv_batch_var_error"].values) < LSUV_TOL),
        Check("the LSUV arm is its orthogonal start, rescaled",
              f"each weight matrix of the LSUV arm is the orthogonal arm's matrix of the same "
              f"seed times one positive number (relative residual below {SCALE_TOL:g})",
              lambda m: (max(m["lsuv_start_residual"].values) < SCALE_TOL
                         and min(m["lsuv_start_scale"].values) > 0)),
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
# | `lsuv` | the orthogonal arm's matrices, rescaled layer by layer to unit output variance |
#
# LSUV goes through the layers from the input; for each it divides the weights by the standard
# deviation of the layer's output on a batch of `lsuv_batch` training examples, until that
# variance is within 0.1 of 1 (at most 10 times). Its batch is drawn once per seed from the
# training set, and its orthogonal start is drawn from the same generator as the orthogonal
# arm, so the two arms share their matrices up to one factor per layer. We then measure, on the
# test inputs (which LSUV never saw), each layer's output variance and the spread of the loss
# gradient with respect to each layer's weights, before any training.

# %% tags=["hide-input"]
data = mnist1d(num_samples=cfg.num_samples, device=run.device)
n_train = data.y_train.shape[0]
if cfg.lsuv_batch > n_train or cfg.batch_size > n_train:
    raise ConfigError(f"lsuv_batch {cfg.lsuv_batch} and batch_size {cfg.batch_size} must not "
                      f"exceed the {n_train} training examples of num_samples={cfg.num_samples}")
HIDDEN = [cfg.width] * cfg.depth
CHECKED = ("lsuv_batch_var_error", "lsuv_start_residual", "lsuv_start_scale")


def draw_seed(s, name):
    """Generator seed of arm ``name`` in seed ``s``: LSUV draws the orthogonal arm's start."""
    return 10_000 + 100 * s + INITS.index("orthogonal" if name == "lsuv" else name)


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
        lsuv_(net, batch, tol=LSUV_TOL, generator=generator)


@torch.no_grad()
def rescaled_copy(net, start):
    """The largest relative residual of fitting each weight matrix of ``net`` as ``c`` times
    ``start``'s, and the smallest fitted ``c``."""
    residual, scale = 0.0, np.inf
    for a, b in zip(weight_layers(net), weight_layers(start), strict=True):
        c = float((a.weight * b.weight).sum() / (b.weight * b.weight).sum())
        residual = max(residual, float((a.weight - c * b.weight).norm() / a.weight.norm()))
        scale = min(scale, c)
    return residual, scale


def build(act):
    """Every seed x arm MLP for one activation, initialized, plus their statistics at init and
    the numbers the checks read."""
    nets, orders, checks = [], [], {name: [] for name in CHECKED}
    out_var = np.zeros((len(run.seeds), len(INITS), cfg.depth + 1))
    grad_std = np.zeros_like(out_var)
    for k, s in enumerate(run.seeds):
        pick = torch.randperm(n_train, generator=run.generator(20_000 + s),
                              device=run.device)[:cfg.lsuv_batch]
        batch = data.x_train[pick]
        arms = {}
        for name in INITS:
            net = MLP(data.num_features, HIDDEN, data.num_classes, act).to(run.device)
            initialize(name, net, run.generator(draw_seed(s, name)), batch)
            arms[name] = net
        # The procedure's own result is checked on its batch; the sham trains its start instead.
        on_batch = layer_statistics(arms["lsuv"], batch)
        checks["lsuv_batch_var_error"].append(max(abs(st.output_var - 1) for st in on_batch))
        if sham:
            start = MLP(data.num_features, HIDDEN, data.num_classes, act).to(run.device)
            arms["lsuv"] = orthogonal_(start, generator=run.generator(draw_seed(s, "lsuv")))
        residual, scale = rescaled_copy(arms["lsuv"], arms["orthogonal"])
        checks["lsuv_start_residual"].append(residual)
        checks["lsuv_start_scale"].append(scale)
        for i, name in enumerate(INITS):
            stats = layer_statistics(arms[name], data.x_test, data.y_test, F.cross_entropy)
            out_var[k, i] = [st.output_var for st in stats]
            grad_std[k, i] = [st.weight_grad_std for st in stats]
            nets.append(arms[name])
            orders.append(run.generator(s))  # one data order per seed, shared by the arms
    return BatchedMLP.from_models(nets), orders, out_var, grad_std, checks


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

# %% tags=["hide-input"]
config = TrainConfig(steps=cfg.steps, batch_size=cfg.batch_size, lr=lr, optimizer="sgd",
                     momentum=momentum, eval_every=cfg.eval_every)
grid = (len(run.seeds), len(INITS))
curves, at_init, check_values = {}, {}, {}
for act in ACTS:
    model, orders, out_var, grad_std, check_values[act] = build(act)
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

# %% tags=["hide-input"]
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
        measurements[f"early_loss_{act}_{name}"] = early_loss[:, i]
    measurements[f"best_acc_{act}"] = final_acc[:, best_acc]
    measurements[f"best_loss_{act}"] = early_loss[:, best_loss]
for name in CHECKED:  # what the checks read: per seed, the worst case over activations
    worst = np.min if name == "lsuv_start_scale" else np.max
    measurements[name] = worst([check_values[act][name] for act in ACTS], axis=0)

for title, key in (("final test accuracy", "final_acc"),
                   ("early training loss (mean over the first half, nats)", "early_loss")):
    print(f"{title}, mean ± 95% CI over {len(run.seeds)} seeds")
    print(f"{'':<8}" + "".join(f"{name:>16}" for name in INITS))
    for act in ACTS:
        print(f"{act:<8}" + "".join(f"{mean_ci(curves[act][key][:, i]):>16}"
                                   for i in range(len(INITS))))
    print()
print("LSUV minus its orthogonal start, and minus its strongest competitor (paired over seeds)")
for act in ACTS:
    gain = measurements[f"test_acc_{act}_lsuv"] - measurements[f"test_acc_{act}_orthogonal"]
    print(f"{act:<8} accuracy vs orthogonal {mean_ci(gain)}"
          f"   vs {best[act][0]:<10} "
          f"{mean_ci(measurements[f'test_acc_{act}_lsuv'] - measurements[f'best_acc_{act}'])}"
          f"   early loss vs {best[act][1]:<10} "
          f"{mean_ci(measurements[f'early_loss_{act}_lsuv'] - measurements[f'best_loss_{act}'])}")
# %% [markdown] tags=[]
# ## Results
#
# **At initialization** (the paper's argument in one picture): each layer's output variance on
# the test inputs (top) and the standard deviation of the loss gradient with respect to each
# layer's weights (bottom), before any training. Values below 10⁻³⁰ (the float32 signal of the
# small-Gaussian arm underflows) are drawn at 10⁻³⁰. Lines are seed means, bands 95% confidence
# intervals over seeds, computed on log₁₀ of the values.

# %% tags=["hide-input"]
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

# %% tags=["hide-input"]
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

# %% tags=["hide-input"]
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
for act in ACTS:
    for i, name in enumerate(INITS):
        glue(f"acc_{act}_{name}", curves[act]["final_acc"][:, i].mean())
        glue(f"last_var_{act}_{name}",
             np.log10(np.maximum(at_init[act]["output_var"][:, i, -1], FLOOR)).mean())
    glue(f"best_acc_name_{act}", LABEL[best[act][0]])
    glue(f"best_loss_name_{act}", LABEL[best[act][1]])
    glue(f"lsuv_var_dev_{act}", np.abs(at_init[act]["output_var"][:, LSUV] - 1).max())
SHORT = {"LSUV beats its orthogonal start": "gain", "as accurate as the best other init": "acc",
         "as fast as the best other init": "loss"}
for name, o in verdict.outcomes.items():
    kind, act = name[:-1].split(" (")
    glue(f"outcome_{SHORT[kind]}_{act}", o.outcome)
    glue(f"low_{SHORT[kind]}_{act}", o.interval.low)
    glue(f"high_{SHORT[kind]}_{act}", o.interval.high)
glue("var_error", measurements["lsuv_batch_var_error"].max())
glue("gaussian_acc", max(measurements[f"test_acc_{act}_gaussian"].max() for act in ACTS))
for key, values in (("acc_relu_orthogonal", measurements["test_acc_relu_orthogonal"]),
                    ("loss_gelu_he", measurements["early_loss_gelu_he"])):
    glue(f"{key}_min", values.min())
    glue(f"{key}_max", values.max())
for key, value in (("gain_margin", GAIN_MARGIN), ("acc_margin", ACC_MARGIN),
                   ("loss_margin", LOSS_MARGIN)):
    glue(key, value)

# %% [markdown] tags=[]
# **Reading the stored quick run.** The verdict is **{glue:text}`verdict`**.
#
# * *The rescaling is what trains the network (primary, ReLU).* LSUV ends at
#   {glue:text}`acc_relu_lsuv:.3f` test accuracy, its own orthogonal start at
#   {glue:text}`acc_relu_orthogonal:.3f`; the paired gain lies in
#   [{glue:text}`low_gain_relu:.3f`, {glue:text}`high_gain_relu:.3f`]
#   ({glue:text}`outcome_gain_relu`, margin {glue:text}`gain_margin:.2f`). With gain 1 and
#   ReLU each orthogonal layer halves the signal's variance, which reaches the last layer with
#   a log₁₀ variance of {glue:text}`last_var_relu_orthogonal:.1f`; the orthogonal network sits
#   on the loss of a uniform guess for the first few hundred steps and leaves it at a
#   different time in every seed (final accuracy {glue:text}`acc_relu_orthogonal_min:.3f` to
#   {glue:text}`acc_relu_orthogonal_max:.3f`). LSUV's rescaling of the same matrices keeps
#   every layer's output variance within {glue:text}`lsuv_var_dev_relu:.2f` of 1 on test
#   inputs it never saw.
# * *GELU.* Here the orthogonal start's signal falls to a log₁₀ variance of
#   {glue:text}`last_var_gelu_orthogonal:.1f` at the last layer and it never leaves chance
#   ({glue:text}`acc_gelu_orthogonal:.3f`), while LSUV reaches {glue:text}`acc_gelu_lsuv:.3f`;
#   the gain lies in [{glue:text}`low_gain_gelu:.3f`, {glue:text}`high_gain_gelu:.3f`]
#   ({glue:text}`outcome_gain_gelu`).
# * *Against the best other initialization* (margin -{glue:text}`acc_margin:.2f`). The
#   strongest competitor in accuracy is {glue:text}`best_acc_name_relu` with ReLU,
#   {glue:text}`best_acc_name_tanh` with tanh and {glue:text}`best_acc_name_gelu` with GELU.
#   LSUV minus competitor lies in [{glue:text}`low_acc_relu:.3f`,
#   {glue:text}`high_acc_relu:.3f`] (ReLU, {glue:text}`outcome_acc_relu`),
#   [{glue:text}`low_acc_tanh:.3f`, {glue:text}`high_acc_tanh:.3f`] (tanh,
#   {glue:text}`outcome_acc_tanh`) and [{glue:text}`low_acc_gelu:.3f`,
#   {glue:text}`high_acc_gelu:.3f`] (GELU, {glue:text}`outcome_acc_gelu`). With tanh, LSUV and
#   the orthogonal start finish nearly level ({glue:text}`acc_tanh_lsuv:.3f` and
#   {glue:text}`acc_tanh_orthogonal:.3f`): with tanh, gain 1 loses much less of the signal (a
#   log₁₀ variance of {glue:text}`last_var_tanh_orthogonal:.1f` at the last layer, against
#   {glue:text}`last_var_relu_orthogonal:.1f` with ReLU), so there is less for the rescaling to
#   add, and tanh is also the activation where the paper's LSUV did not lead.
# * *Speed* (margin +{glue:text}`loss_margin:.2f` nats). LSUV's early training loss minus the
#   lowest competitor's lies in [{glue:text}`low_loss_relu:.3f`,
#   {glue:text}`high_loss_relu:.3f`] nats (ReLU, {glue:text}`outcome_loss_relu`),
#   [{glue:text}`low_loss_tanh:.3f`, {glue:text}`high_loss_tanh:.3f`] (tanh,
#   {glue:text}`outcome_loss_tanh`) and [{glue:text}`low_loss_gelu:.3f`,
#   {glue:text}`high_loss_gelu:.3f`] (GELU, {glue:text}`outcome_loss_gelu`). With GELU the
#   competitor is {glue:text}`best_loss_name_gelu`, whose early loss ranges from
#   {glue:text}`loss_gelu_he_min:.2f` to {glue:text}`loss_gelu_he_max:.2f` nats across seeds:
#   He's scale, derived for ReLU, lets the GELU signal shrink with depth (to a log₁₀ variance
#   of {glue:text}`last_var_gelu_he:.1f` at the last layer), how long that delays training
#   differs from seed to seed, and the interval of the paired difference is correspondingly
#   wide.
# * *He in LSUV's place.* He's initialization beats the orthogonal start too, with ReLU
#   ({glue:text}`acc_relu_he:.3f`) and with GELU ({glue:text}`acc_gelu_he:.3f`): at this depth
#   its scale is close enough to LSUV's that accuracy alone would not tell a He network
#   labelled LSUV from LSUV. The checks do: the network the LSUV procedure returned had unit
#   variance on its batch to within {glue:text}`var_error:.3f` in every layer, and each LSUV
#   matrix is its orthogonal start times one number, neither of which holds for a He draw
#   (see the Notes).
# * *Small Gaussian noise*, outside the rule, never trains at this depth: at most
#   {glue:text}`gaussian_acc:.3f` test accuracy, a constant prediction, for every activation
#   and seed. *The sham* (the LSUV slot trained from its orthogonal start) makes the two arms
#   of the primary the same network: the stored sham run is in the verdict box above.

# %% [markdown] tags=[]
# ## Explore
#
# Pick an activation and a measure to see every initialization's curves, seed bands included.
# This redraws the runs above; nothing is trained again. (In a headless run the view is drawn
# once, for the second activation in the list.)

# %% tags=["hide-input"]
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
#   small-Gaussian arm, the fixed-scale default of AlexNet-era networks, which is drawn but not
#   judged.
# * *Training.* SGD with momentum 0.9 and learning rate 0.01 as in the paper, the same for every
#   arm and not tuned, at a constant learning rate, without weight decay, dropout or
#   augmentation, for 500 steps of 128 examples. LSUV uses one batch of 256 training examples, a
#   tolerance of 0.1 and at most 10 rescalings per layer, the paper's values. As in the paper it
#   also rescales the output layer, so LSUV's logits start with unit variance and its initial
#   loss lies above ln 10, as seen at step 0 of the loss curves.
# * *Speed.* The paper compares convergence curves by eye; we summarize speed as the mean
#   training loss over the first half of training and judge it with a paired non-inferiority
#   test. The paper reports single runs; we use five seeds (eight in the full profile).
# * *The competitor* for the non-inferiority criteria is picked by its seed-mean on the test
#   measure itself. This is not tuning LSUV: it picks the arm LSUV must keep up with, and
#   picking the best of four can only make those criteria harder to pass.
#
# **How the rule came about.** An earlier version of this chapter judged LSUV only against the
# best other initialization (non-inferiority, four seeds) and was stored as PARTLY REPRODUCED,
# so the accuracies of these arms at this size were known when the present rule was written.
# The review asked for what that rule could not show: that the rescaling beats its own
# orthogonal start. The setup was kept as it was. Before the rule was fixed, a sizing run
# trained the orthogonal arm alone (five seeds, this quick setup) to see whether the primary's
# control learns: with ReLU it climbs from chance to about 0.27 test accuracy over the 500
# steps, rising at a different step in every seed; with GELU it stays at chance; with tanh it
# reaches about 0.44. That is why ReLU carries the primary and GELU a secondary criterion.
#
# **He relabelled as LSUV.** A reviewer's worry is that a well-scaled analytic init, labelled
# LSUV, would pass the same rule. It would pass the primary: He beats the orthogonal start with
# ReLU by nearly as much as LSUV (see the accuracy table). We therefore ran the quick profile
# once with `he_` in place of `lsuv_` in `initialize` (not stored): the run stopped with
# `CheckFailed` on both checks, since a He network neither has unit variance in every layer on
# LSUV's batch nor consists of rescaled copies of the orthogonal draw. At this depth, He's
# scale is near LSUV's for ReLU and GELU, so what LSUV adds over He is small here; it should
# grow with depth for GELU (He's GELU signal keeps shrinking) and with activations such as
# `swish`, whose variance He's rule shrinks faster.
#
# **What a reader might try.**
#
# * Add `"swish"` or `"sigmoid"` to `activations`: He's rule lets a swish signal shrink by
#   about four orders of magnitude over 17 layers; sigmoid's outputs have mean 1/2, so the
#   next layer's input is far from centred. Does rescaling the variance still suffice?
# * Raise `depth` to 30 or 50: at which depth does He stop keeping up with LSUV with GELU, and
#   at which do Glorot and orthogonal stop training with tanh?
# * Change `gaussian_std`: at width 32, 0.25 = sqrt(2/32) is exactly He's scale. How far below
#   that does training still start?
# * Raise `lr`: a well-scaled network often tolerates a larger step size, and LSUV's advantage in
#   speed may grow or vanish.
#
# **References.**
#
# * {footcite:t}`mishkin2016all`.
# * {footcite:t}`romero2015fitnets`.
# * {footcite:t}`glorot2010understanding`.
# * {footcite:t}`he2015delving`.
# * {footcite:t}`saxe2014exact`.
# * {footcite:t}`simonyan2015very`.
# * {footcite:t}`ioffe2015batch`.
# * {footcite:t}`hendrycks2016gaussian`.
# * {footcite:t}`greydanus2024scaling`.
#
# ```{footbibliography}
# ```
