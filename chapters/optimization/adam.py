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
# # Adam: per-coordinate step sizes from running moments
#
# Diederik P. Kingma and Jimmy Ba (2015). *Adam: A Method for Stochastic Optimization*.
# International Conference on Learning Representations (ICLR 2015).
# [arXiv:1412.6980](https://arxiv.org/abs/1412.6980)
#
# Adam keeps two exponential moving averages per parameter, one of the gradient and one of its
# square, and moves each coordinate by the first divided by the square root of the second. The
# step is therefore roughly the learning rate in size whatever the scale of the gradient, and
# coordinates with rare or noisy gradients are not starved. Both averages start at zero, so
# the paper divides them by `1 - beta^t` to remove the resulting bias towards zero in the first
# steps. With its default settings Adam became the optimizer most networks are trained with;
# this chapter redoes the paper's first two comparisons, logistic regression and a multilayer
# perceptron, on data that fit a laptop, and switches the bias correction off to see what it is
# for.

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
from dlrepro import data, models, optim, plot, train
from dlrepro.claims import Claim, Criterion, Paper
from dlrepro.errors import ConfigError
from dlrepro.explore import explore

# %% [markdown] tags=[]
# ## The claim
#
# In our words:
#
# 1. **Adam trains at least as fast as the usual alternatives.** On multi-class logistic
#    regression on MNIST (the paper's Figure 1, mini-batches of 128, step size decayed as
#    `alpha / sqrt(t)`) Adam's training loss falls as fast as that of SGD with Nesterov
#    momentum and faster than AdaGrad's; on a multilayer network with two hidden layers of 1000
#    ReLU units (Figure 2) Adam's training loss falls faster than that of SGD with Nesterov
#    momentum, AdaGrad and RMSProp, each with its learning rate tuned. The paper shows curves,
#    not a single number; the gap on the MLP is a factor of a few in training loss after the
#    first tens of epochs.
# 2. **The bias correction matters when `beta2` is close to 1** (Section 6.4, Figure 4, on a
#    variational auto-encoder): without it the first steps are too large, and training is
#    unstable or ends at a higher loss, the more so the closer `beta2` is to 1 (0.9999 in the
#    paper's worst case).
#
# We test both on scikit-learn's 8x8 digits (logistic regression) and MNIST-1D (the MLP).

# %% [markdown] tags=[]
# ## Parameters
#
# `profile` sets the size of the experiment (`smoke` only checks that the chapter runs, `quick`
# is the stored run, `full` is meant for one GPU). The learning-rate grids are knobs: each
# optimizer is tried at every rate of its grid, on every seed.

# %% tags=["parameters"]
profile = "quick"  # "smoke", "quick" or "full"
seed = 0  # base seed: the run uses seed, seed + 1, ...
device = "auto"  # "auto" (CUDA when present), "cpu" or "cuda"
checkpoints = [0.1, 0.25, 0.5, 1.0]  # fractions of training where the losses are compared
margin = 1.10  # Adam's loss may exceed the best other optimizer's by at most this factor
grids = {  # learning rates tried, per task and optimizer
    "logreg": {"adam": [3e-3, 1e-2, 3e-2, 1e-1, 3e-1], "sgd_nesterov": [3e-2, 0.1, 0.3, 1.0, 3.0],
               "adagrad": [3e-2, 0.1, 0.3, 1.0, 3.0], "rmsprop": [3e-3, 1e-2, 3e-2, 1e-1, 3e-1]},
    "mlp": {"adam": [1e-3, 3e-3, 1e-2, 3e-2], "sgd_nesterov": [1e-2, 3e-2, 0.1, 0.3],
            "adagrad": [1e-2, 3e-2, 0.1, 0.3], "rmsprop": [3e-4, 1e-3, 3e-3, 1e-2]},
}

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "samples": 1000, "width": 16, "logreg_steps": 20, "mlp_steps": 20},
    # Logistic regression for 30 epochs of digits; the MLP for 24 epochs of MNIST-1D.
    "quick": {"seeds": 3, "samples": 4000, "width": 64, "logreg_steps": 300, "mlp_steps": 600},
    # One GPU: the paper's width (2 x 1000), ten times more data, longer training.
    "full": {"seeds": 5, "samples": 40000, "width": 1000, "logreg_steps": 2000,
             "mlp_steps": 8000},
}
TASKS = ("logreg", "mlp")
OPTIMIZERS = ("adam", "sgd_nesterov", "adagrad", "rmsprop")
# Ablation on the MLP (the paper's Section 6.4): Adam with and without bias correction.
ABLATION = {"adam": (0.999, True), "adam_nobc": (0.999, False),
            "adam_b2_9999": (0.9999, True), "adam_b2_9999_nobc": (0.9999, False)}
BATCH = 128
CHECKPOINTS = sorted({float(c) for c in checkpoints})
if not CHECKPOINTS or min(CHECKPOINTS) <= 0 or max(CHECKPOINTS) > 1:
    raise ConfigError(f"checkpoints must be fractions in (0, 1], got {checkpoints}")
for task in TASKS:
    for name in OPTIMIZERS:
        rates = grids.get(task, {}).get(name, [])
        if not rates or min(rates) <= 0:
            raise ConfigError(f"grids[{task!r}][{name!r}] needs one or more positive learning "
                              f"rates, got {rates}")

run = dlrepro.run.start("adam", profile, seed, device, SETTINGS)
cfg = run.settings
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: logistic regression "
      f"{cfg.logreg_steps} steps, MLP 40-{cfg.width}-{cfg.width}-10 {cfg.mlp_steps} steps")

# %% [markdown] tags=[]
# ## The rule
#
# Fixed before the experiment runs.
#
# * **Tuning.** Every optimizer runs at every learning rate of its grid on the same seeds (the
#   same initial weights and the same mini-batch order within a seed). Its *tuned* rate is the
#   one with the lowest final training loss averaged over those seeds; the test set plays no
#   part. (We tune and compare on the same seeds, as the paper does; there is no separate
#   tuning seed.)
# * **Speed.** At each checkpoint (10%, 25%, 50% and 100% of training) the *best other*
#   optimizer is the one among SGD with Nesterov momentum, AdaGrad and RMSProp with the lowest
#   mean training loss there, each at its tuned rate. For each seed, Adam's training loss
#   divided by that optimizer's, geometric mean over the checkpoints, is Adam's *loss ratio*.
#   Adam is "at least as fast" when the mean ratio over seeds is at most 1.10.
# * **Bias correction.** On the MLP with `beta2 = 0.9999`, Adam without bias correction and with
#   it, each at its own tuned rate from Adam's grid: the per-seed ratio (uncorrected over
#   corrected) of training losses, geometric mean over the same checkpoints, must have a 95%
#   interval above 1. The same ratio at the default `beta2 = 0.999` is reported, not judged.

# %% tags=[]
claim = Claim(
    chapter="adam",
    paper=Paper(
        authors="Kingma, D. P. & Ba, J.",
        year=2015,
        title="Adam: A Method for Stochastic Optimization",
        venue="ICLR 2015",
        url="https://arxiv.org/abs/1412.6980",
    ),
    statement=("With tuned learning rates, Adam lowers the training loss at least as fast as SGD "
               "with Nesterov momentum, AdaGrad and RMSProp on logistic regression and on a "
               "multilayer perceptron; without its bias correction, and beta2 close to 1, it "
               "trains worse."),
    paper_value=("MNIST logistic regression: Adam on par with SGD-Nesterov, faster than AdaGrad; "
                 "MNIST MLP 2x1000: Adam fastest of all (Figures 1-2, curves); no bias "
                 "correction with beta2 = 0.9999: unstable, higher loss (Figure 4)"),
    headline=("logreg_adam_loss_ratio", "mlp_adam_loss_ratio", "nobc_loss_ratio_b2_9999"),
    criteria=(
        Criterion("logistic regression: Adam at least as fast",
                  f"Adam's training loss over the best other optimizer's, geometric mean over "
                  f"the checkpoints, paired over seeds: mean <= {margin:g}",
                  lambda m: m["logreg_adam_loss_ratio"].mean <= margin),
        Criterion("MLP: Adam at least as fast",
                  f"Adam's training loss over the best other optimizer's, geometric mean over "
                  f"the checkpoints, paired over seeds: mean <= {margin:g}",
                  lambda m: m["mlp_adam_loss_ratio"].mean <= margin),
        Criterion("bias correction helps at beta2 = 0.9999",
                  "uncorrected Adam's training loss over corrected Adam's (each tuned), "
                  "geometric mean over the checkpoints, paired over seeds: 95% CI above 1",
                  lambda m: m["nobc_loss_ratio_b2_9999"].low > 1),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** Logistic regression: scikit-learn's 8x8 digits (1,348 training images, 64
# standardized pixels, 10 classes), standing in for MNIST. MLP: MNIST-1D (Greydanus & Kobak,
# 2024), 80% training, 40 features. Mini-batches of 128, as in the paper.
#
# **Models.** Logistic regression is a single linear layer 64-10 (an MLP with no hidden layer);
# the MLP is 40-`width`-`width`-10 with ReLU. Within a seed every optimizer and learning rate
# starts from the same weights.
#
# **Optimizers.** Adam is `dlrepro.optim.Adam` (Algorithm 1 of the paper, `betas` (0.9, 0.999),
# `eps` 1e-8); the others are torch's: `SGD(momentum=0.9, nesterov=True)`, `Adagrad` and
# `RMSprop` (decay 0.99), all at their default settings except the learning rate. As in the
# paper's logistic regression, the step size there decays as `lr / sqrt(t)`; the MLP uses a
# constant rate. No weight decay and no dropout (see the Notes).
#
# **One pass per optimizer.** All learning rates and seeds of one optimizer are stacked in one
# `BatchedMLP`. A parameter group cannot hold a different rate for each slice of a stacked
# tensor, but none of these optimizers lets the rate change its state (moments, momentum
# buffer, sum of squares): the update is always `lr_t` times something computed from gradients
# alone. So `dlrepro.optim.PerModelRate` steps the inner optimizer with rate 1 and then keeps
# only the fraction `lr_s(t)` of model `s`'s update, which is exactly the update at rate
# `lr_s(t)` (its unit test checks this against each model trained alone).

# %% tags=[]
def sqrt_decay(t: int) -> float:
    """The logistic-regression step-size decay, ``lr / sqrt(t)``."""
    return t ** -0.5


def inner_optimizer(name: str, params):
    beta2, corrected = ABLATION.get(name, (0.999, True))
    if name.startswith("adam"):
        return optim.Adam(params, lr=1.0, betas=(0.9, beta2), bias_correction=corrected)
    if name == "sgd_nesterov":
        return torch.optim.SGD(params, lr=1.0, momentum=0.9, nesterov=True)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=1.0)
    return torch.optim.RMSprop(params, lr=1.0)


datasets = {"logreg": data.digits(device=run.device),
            "mlp": data.mnist1d(cfg.samples, seed=42, device=run.device)}
hidden = {"logreg": [], "mlp": [cfg.width, cfg.width]}
steps_of = {"logreg": cfg.logreg_steps, "mlp": cfg.mlp_steps}


def train_arm(task: str, name: str, rates: list[float]) -> np.ndarray:
    """Train every (rate, seed) of one optimizer in one pass; training loss, shape
    (rates, seeds, evaluations)."""
    dataset = datasets[task]
    nets = models.seeded_mlps(run.seeds, dataset.num_features, hidden[task],
                              dataset.num_classes)
    net = models.BatchedMLP.from_models(nets * len(rates)).to(run.device)  # rate-major
    per_model = torch.tensor([r for r in rates for _ in run.seeds], device=run.device)
    config = train.TrainConfig(steps=steps_of[task], batch_size=BATCH,
                               eval_every=max(1, steps_of[task] // 20))
    history = train.train_batched(
        net, dataset.x_train, dataset.y_train, config,
        [run.generator(s) for _ in rates for s in run.seeds], progress=True,
        optimizer=lambda p: optim.PerModelRate(inner_optimizer(name, p), per_model,
                                               schedule=sqrt_decay if task == "logreg" else None))
    eval_steps[task] = np.asarray(history.steps)
    loss = history["train_loss"].T.reshape(len(rates), len(run.seeds), -1)
    return np.where(np.isfinite(loss), loss, np.inf)  # a diverged run counts as infinite loss

# %% [markdown] tags=[]
# ## Experiment
#
# Every optimizer over its grid on both tasks, then the bias-correction arms on the MLP (with
# Adam's grid).

# %% tags=[]
eval_steps = {}
losses = {}  # (task, optimizer) -> training loss (rates, seeds, evaluations)
rates_of = {}
arms = [(task, name) for task in TASKS for name in OPTIMIZERS]
arms += [("mlp", name) for name in ABLATION if name != "adam"]
for task, name in arms:
    rates_of[task, name] = [float(r) for r in grids[task][name if name in OPTIMIZERS
                                                          else "adam"]]
    losses[task, name] = train_arm(task, name, rates_of[task, name])
    tuned_loss = losses[task, name][:, :, -1].mean(1)
    print(f"{task:6s} {name:18s} final training loss per rate: " + " | ".join(
        f"{r:g}: {v:.3g}" for r, v in zip(rates_of[task, name], tuned_loss)))

# %% [markdown] tags=[]
# The tuning rule, then the loss ratios at the checkpoints.

# %% tags=[]
tuned = {}  # (task, optimizer) -> index of the tuned rate
for key, loss in losses.items():
    tuned[key] = int(np.argmin(loss[:, :, -1].mean(1)))
    if tuned[key] in (0, len(rates_of[key]) - 1) and len(rates_of[key]) > 1:
        print(f"note: the tuned rate of {key[1]} on {key[0]} ({rates_of[key][tuned[key]]:g}) "
              f"is at the edge of its grid")


def curve(task: str, name: str) -> np.ndarray:
    """Training loss at the tuned rate, (seeds, evaluations)."""
    return losses[task, name][tuned[task, name]]


def at_checkpoints(task: str) -> np.ndarray:
    steps = eval_steps[task]
    wanted = [max(1, round(c * steps_of[task])) for c in CHECKPOINTS]
    return np.minimum(np.searchsorted(steps, wanted), len(steps) - 1)


def geometric_ratio(task: str, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """Per seed, the geometric mean over the checkpoints of num / den."""
    idx = at_checkpoints(task)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.exp(np.mean(np.log(num[:, idx] / den[:, idx]), axis=1))


best_other = {}
ratio = {}
for task in TASKS:
    idx = at_checkpoints(task)
    others = [n for n in OPTIMIZERS if n != "adam"]
    means = np.stack([curve(task, n)[:, idx].mean(0) for n in others])  # (others, checkpoints)
    best_other[task] = [others[k] for k in means.argmin(0)]
    rival = np.stack([curve(task, best_other[task][j])[:, i] for j, i in enumerate(idx)], 1)
    ratio[task] = np.exp(np.mean(np.log(curve(task, "adam")[:, idx] / rival), axis=1))
    print(f"{task}: tuned rates " + ", ".join(
        f"{n} {rates_of[task, n][tuned[task, n]]:g}" for n in OPTIMIZERS)
        + f"; best other at the checkpoints: {best_other[task]}; Adam's loss ratio "
        f"{ratio[task].mean():.2f}")
nobc_ratio = {b2: geometric_ratio("mlp", curve("mlp", f"{stem}_nobc"), curve("mlp", stem))
              for b2, stem in ((0.999, "adam"), (0.9999, "adam_b2_9999"))}
print("uncorrected over corrected Adam on the MLP: " + ", ".join(
    f"beta2 {b2}: {r.mean():.2f}" for b2, r in nobc_ratio.items()))

# %% [markdown] tags=[]
# ## Results
#
# The paper's Figures 1 and 2 redrawn: training loss against iterations for each optimizer at
# its tuned learning rate (log scale, 95% bands over seeds). The dotted lines mark the
# checkpoints of the rule.

# %% tags=[]
plot.use_style()
colors = {"adam": plot.ARM_COLORS["method"], "sgd_nesterov": plot.ARM_COLORS["control"],
          "adagrad": plot.ARM_COLORS["alternative"], "rmsprop": plot.ARM_COLORS["extra"],
          "adam_nobc": plot.ARM_COLORS["baseline"], "adam_b2_9999": plot.ARM_COLORS["method"],
          "adam_b2_9999_nobc": plot.ARM_COLORS["baseline"]}
labels = {"adam": "Adam", "sgd_nesterov": "SGD Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSProp", "adam_nobc": "Adam, no bias correction",
          "adam_b2_9999": "Adam", "adam_b2_9999_nobc": "Adam, no bias correction"}
titles = {"logreg": "logistic regression, digits (lr / sqrt(t))",
          "mlp": f"MLP 2 x {cfg.width} ReLU, MNIST-1D"}
fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, task in zip(axes, TASKS):
    for name in OPTIMIZERS:
        plot.seed_band(ax, eval_steps[task], curve(task, name),
                       f"{labels[name]} (lr {rates_of[task, name][tuned[task, name]]:g})",
                       colors[name], marker=None)
    for c in CHECKPOINTS:
        ax.axvline(c * steps_of[task], color="0.6", linestyle=":", linewidth=1)
    lowest = min(curve(task, name).mean(0).min() for name in OPTIMIZERS)
    ax.set(yscale="log", xlabel="iteration", ylabel="training loss", title=titles[task])
    ax.set_ylim(bottom=lowest / 3)  # a wide band on a log axis would hide the curves
    ax.legend(loc="upper right")
fig.suptitle(f"Training loss at each optimizer's tuned learning rate, {len(run.seeds)} seeds")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# The bias-correction ablation (the paper's Figure 4, on our MLP): left, training loss after 10%
# of training and at the end against the learning rate, for `beta2` 0.999 and 0.9999, with and
# without correction; right, the curves at each variant's tuned rate.

# %% tags=[]
fig, (ax_lr, ax_curve) = plt.subplots(1, 2, figsize=(11, 4))
early, last = at_checkpoints("mlp")[0], -1
for name, (b2, corrected) in ABLATION.items():
    rates = rates_of["mlp", name]
    style = "-" if corrected else "--"
    for where, alpha in ((early, 0.45), (last, 1.0)):
        values = np.minimum(losses["mlp", name][:, :, where].T, 10.0)  # diverged runs at 10
        mean, _ = plot.mean_band(values)
        when = "10%" if where == early else "end"
        ax_lr.plot(rates, mean, style, marker="o", markersize=4, alpha=alpha,
                   color=plot.ARM_COLORS["method"] if b2 == 0.9999 else plot.ARM_COLORS["control"],
                   label=f"beta2 {b2}, {'corrected' if corrected else 'uncorrected'}, {when}")
    plot.seed_band(ax_curve, eval_steps["mlp"], curve("mlp", name),
                   f"beta2 {b2}, {'corrected' if corrected else 'uncorrected'} "
                   f"(lr {rates[tuned['mlp', name]]:g})",
                   plot.ARM_COLORS["method"] if b2 == 0.9999 else plot.ARM_COLORS["control"],
                   marker=None, linestyle=style)
ax_lr.set(xscale="log", yscale="log", xlabel="learning rate", ylabel="training loss",
          title="loss after 10% of training (faint) and at the end")
ax_lr.legend(fontsize=7)
ax_curve.set(yscale="log", xlabel="iteration", ylabel="training loss",
             title="at each variant's tuned rate")
ax_curve.legend(fontsize=8)
fig.suptitle("Adam with and without bias correction, MLP on MNIST-1D")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict

# %% tags=[]
measurements = {
    "logreg_adam_loss_ratio": ratio["logreg"],
    "mlp_adam_loss_ratio": ratio["mlp"],
    "nobc_loss_ratio_b2_9999": nobc_ratio[0.9999],
    "nobc_loss_ratio_b2_999": nobc_ratio[0.999],
    **{f"{task}_final_loss_{name}": curve(task, name)[:, -1]
       for task in TASKS for name in OPTIMIZERS},
    **{f"{task}_tuned_lr_{name}": rates_of[task, name][tuned[task, name]]
       for task in TASKS for name in OPTIMIZERS},
}
verdict = claim.judge(measurements, run)
verdict.save()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% [markdown] tags=[]
# **Reading the stored quick run** (3 seeds): PARTLY REPRODUCED.
#
# * *MLP: reproduced.* At their tuned rates (Adam 0.01, SGD with Nesterov momentum 0.1, AdaGrad
#   0.1, RMSProp 0.01) Adam's training loss is 0.90 ± 0.16 times the best other optimizer's over
#   the checkpoints (AdaGrad at 10%, SGD with Nesterov momentum afterwards), and it ends lowest:
#   0.26 against 0.32 (SGD Nesterov), 0.45 (AdaGrad) and 0.49 (RMSProp). The bands overlap; with
#   3 seeds the gap is a trend, as in the paper's figure, not a separation.
# * *Logistic regression: not reproduced at our margin.* SGD with Nesterov momentum is the
#   fastest at every checkpoint and Adam's loss is 1.21 ± 0.17 times its loss, above the 1.10
#   allowed; the two end close (0.0098 against 0.0087), and both are far ahead of AdaGrad
#   (0.034) and RMSProp (0.018), which matches the paper's picture of Adam beside SGD with
#   momentum and ahead of AdaGrad. A caveat we fixed before the run but did not foresee: the
#   tuned rates of Adam, RMSProp (0.3) and SGD (3.0) sit at the top of their grids, so none of
#   them is bracketed and the comparison is between under-tuned optimizers.
# * *Bias correction: passes, but the effect is mostly instability, not speed.* At each
#   variant's tuned rate, uncorrected Adam's loss is 1.05 ± 0.045 times the corrected one's with
#   `beta2 = 0.9999` (1.09 ± 0.09 at 0.999, reported only). The clearer effect is in the left
#   panel of the ablation figure, the shape of the paper's Figure 4: without correction and
#   `beta2 = 0.9999` the network is stuck at chance loss (about 2.3) from rate 0.01 up, exactly
#   where corrected Adam does best, so the uncorrected variant has to fall back to rate 0.001.
#   At that small rate it is even ahead of corrected Adam, since its early steps are larger.

# %% [markdown] tags=[]
# ## Explore
#
# Pick a task and an optimizer to see its training loss at every learning rate of its grid
# (seed means). This redraws the runs above; nothing is trained again.

# %% tags=[]
def show(task, optimizer):
    fig, ax = plt.subplots(figsize=(7, 3.6))
    rates = rates_of[task, optimizer]
    shades = plt.cm.viridis(np.linspace(0, 0.9, len(rates)))
    for k, r in enumerate(rates):
        values = np.minimum(losses[task, optimizer][k], 10.0)
        mark = " (tuned)" if k == tuned[task, optimizer] else ""
        plot.seed_band(ax, eval_steps[task], values, f"lr {r:g}{mark}", shades[k], marker=None)
    ax.set(yscale="log", xlabel="iteration", ylabel="training loss",
           title=f"{labels[optimizer]}{', beta2 0.9999' if 'b2_9999' in optimizer else ''}, "
           f"{titles[task]}")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    plt.show()


explore(show, task=widgets.Dropdown(options=list(TASKS), value="mlp", description="task"),
        optimizer=widgets.Dropdown(options=list(OPTIMIZERS), value="adam",
                                   description="optimizer"))

# %% [markdown] tags=[]
# ## Notes
#
# **What differs from the paper.**
#
# * *Data and scale.* The paper uses MNIST (60,000 images of 784 pixels) for both comparisons,
#   a 2 x 1000 MLP and up to 200 epochs; we use the 1,797 8x8 digits for logistic regression and
#   MNIST-1D (3,200 training signals of 40 values in the quick profile) with a 2 x `width` MLP
#   for a few dozen epochs. The full profile uses the paper's width.
# * *No dropout, no L2 penalty.* The paper's MLP curves use dropout (Figure 2a) and its logistic
#   regression is L2-regularized; we compare the plain training loss, which is the quantity the
#   optimizers minimize.
# * *Tuning.* The paper searched "a dense grid" of learning rates and reports the best; our grids
#   have four or five rates a factor of about 3 apart, and the tuning and the comparison use the
#   same seeds.
# * *The ablation* uses our MLP instead of the paper's variational auto-encoder, and only
#   `beta1 = 0.9`; our runs are short (600 steps) next to the `1 / (1 - beta2) = 10,000` steps
#   over which the uncorrected second moment stays biased at `beta2 = 0.9999`.
# * *Grids.* The logistic-regression grids turned out too low for three of the four optimizers
#   (the tuned rate is the largest tried); a wider grid is the first thing to change, and the
#   chapter prints a note whenever a tuned rate sits at a grid's edge.
# * *Batching.* All rates and seeds of one optimizer train together in one `BatchedMLP`;
#   `PerModelRate` gives each stacked model its own rate (checked against separate runs: equal
#   to float rounding).
#
# **What to try.** Widen the grids (`grids`), move the `checkpoints` earlier to weigh the first
# epochs more, or add `beta2 = 0.99` to `ABLATION`: the paper finds the bias correction matters
# little there.
#
# **References.**
#
# * Kingma, D. P. & Ba, J. (2015). Adam: A Method for Stochastic Optimization. *ICLR 2015*.
#   [arXiv:1412.6980](https://arxiv.org/abs/1412.6980)
# * Sutskever, I., Martens, J., Dahl, G. & Hinton, G. (2013). On the importance of
#   initialization and momentum in deep learning. *ICML 2013*.
#   [PMLR 28(3)](https://proceedings.mlr.press/v28/sutskever13.html)
# * Duchi, J., Hazan, E. & Singer, Y. (2011). Adaptive Subgradient Methods for Online Learning
#   and Stochastic Optimization. *JMLR* 12, 2121-2159.
#   [jmlr.org](https://jmlr.org/papers/v12/duchi11a.html)
# * Tieleman, T. & Hinton, G. (2012). Lecture 6.5, RMSProp. *COURSERA: Neural Networks for
#   Machine Learning*.
# * Greydanus, S. & Kobak, D. (2024). Scaling down deep learning with MNIST-1D. *ICML 2024*.
#   [arXiv:2011.14439](https://arxiv.org/abs/2011.14439)
