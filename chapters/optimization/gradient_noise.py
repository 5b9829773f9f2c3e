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
# # Gradient noise for very deep networks
#
# Arvind Neelakantan, Luke Vilnis, Quoc V. Le, Ilya Sutskever, Lukasz Kaiser, Karol Kurach and
# James Martens (2015). *Adding Gradient Noise Improves Learning for Very Deep Networks*.
# [arXiv:1511.06807](https://arxiv.org/abs/1511.06807)
#
# A deep plain network is hard to train when its initial weights are badly scaled: signals and
# gradients shrink (or grow) geometrically with depth, and gradient descent sits on a plateau
# where the gradient carries almost no information. Neelakantan and colleagues proposed a remedy
# that costs one line of code: add fresh Gaussian noise to every gradient before the update,
# with a variance that starts large and decays over training. They found it helped a wide range
# of hard-to-optimize models (Neural Programmer, Neural GPU, end-to-end memory networks) and, in
# the simplest setting, let a 20-layer fully connected ReLU network learn MNIST from an
# initialization under which plain gradient descent mostly fails. The trick sits in the family
# of methods that inject noise into optimization (Langevin dynamics, simulated annealing) and
# is a cheap baseline to try before redesigning an architecture or its initialization.

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
from dlrepro.claims import Check, Claim, Paper, non_inferiority, superiority
from dlrepro.data import mnist1d
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.init import he_, scaled_gaussian_
from dlrepro.models import MLP, BatchedMLP
from dlrepro.optim import GradientNoise
from dlrepro.plot import ARM_COLORS, mean_band, seed_band, use_style
from dlrepro.train import TrainConfig, train_batched

# %% [markdown] tags=[]
# ## The claim
#
# In our words: adding annealed Gaussian noise to the gradient,
# `g_t + N(0, sigma_t^2)` with `sigma_t^2 = eta / (1 + t)^gamma` and `gamma = 0.55`, lets a
# very deep, narrow fully connected network train from a poor initialization at which plain
# gradient descent usually fails, and does no harm when the initialization is already good.
#
# The paper's Section 4.1 trains a 20-layer ReLU network with 50 units per layer on MNIST with
# SGD, over many random restarts, from a "simple" initialization (every weight drawn from a
# Gaussian with standard deviation 0.1) and from a "good" one (the scaled initialization of
# Sussillo & Abbott, 2014), each with and without noise (`eta` from {0.01, 0.3, 1.0}). Its
# Table 1 reports, for the simple initialization, a best test accuracy of 89.9% without noise
# against 96.7% with it (the average over restarts also rose, from 43.1% to 52.7%); with the good
# initialization both arms train, to a best test accuracy of about 97%. Our version
# is smaller: MNIST-1D instead of MNIST, He initialization as the good one, and a short budget
# (see *Setup* and *Notes*).

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
sham = False  # True: the noise arms train without noise (the control), nothing else changes
depth = 20  # weight layers of the MLP (the paper: 20)
width = 50  # units per hidden layer (the paper: 50)
poor_std = 0.1  # std of every weight at the poor initialization (the paper's simple init: 0.1)
eta = 0.01  # noise scale eta, from the paper's grid {0.01, 0.3, 1.0}
gamma = 0.55  # noise decay exponent (the paper: 0.55)
lr = 0.1  # SGD learning rate (no momentum)
success_acc = 0.3  # a run succeeds when its final training accuracy reaches this (chance: 0.1)
steps = None  # SGD steps; None keeps the profile's value

# %% tags=[]
SETTINGS = {
    # The pipeline end to end in a few seconds; its numbers mean nothing.
    "smoke": {"seeds": 2, "steps": 40, "batch_size": 64, "samples": 1000, "eval_every": 20},
    # Eight restarts per arm, 600 SGD steps (12 epochs of 3,200 signals).
    "quick": {"seeds": 8, "steps": 600, "batch_size": 64, "samples": 4000, "eval_every": 50},
    # One GPU: sixteen restarts per arm, more data, 5,000 steps.
    "full": {"seeds": 16, "steps": 5000, "batch_size": 64, "samples": 10000, "eval_every": 250},
}
run = dlrepro.run.start("gradient_noise", profile, seed, device, SETTINGS,
                        overrides={"steps": steps}, sham=sham)
cfg = run.settings
if depth < 2 or width < 1:
    raise ConfigError(f"depth must be >= 2 and width >= 1, got depth={depth}, width={width}")
if poor_std <= 0 or eta < 0 or gamma < 0 or lr <= 0:
    raise ConfigError("poor_std and lr must be positive, eta and gamma non-negative; got "
                      f"poor_std={poor_std}, eta={eta}, gamma={gamma}, lr={lr}")
if not 0.1 < success_acc < 1.0:
    raise ConfigError(f"success_acc must lie between chance (0.1) and 1, got {success_acc}")
print(f"profile {run.profile} on {run.device}, seeds {run.seeds}: MLP of {depth} layers x "
      f"{width} units, {cfg.steps} SGD steps (lr {lr}, batch {cfg.batch_size}), "
      f"noise eta {eta}, gamma {gamma}" + (" (SHAM: no noise in any arm)" if sham else ""))

# %% [markdown] tags=[]
# ## The rule
#
# Written before the experiment runs.
#
# Four arms, each trained from the same `seeds` restarts: {poor, good initialization} x
# {no noise, noise}. A restart **succeeds** when its final training accuracy reaches
# `success_acc` = 0.3 (chance is 0.1). We chose the threshold, the poor initialization's
# standard deviation (0.1, the paper's own value) and the training budget in a pilot of the
# *no-noise* arms only: there the poor initialization stayed at exactly chance in every
# restart (its output is a constant), while He initialization passed 0.3 within 600 steps. The
# noise scale was fixed at the grid's smallest value, `eta = 0.01`, before any run with noise,
# by a back-of-the-envelope argument: with SGD at learning rate 0.1 the accumulated noise moves
# each weight by about 0.06 over 600 steps, comparable to the poor initialization's 0.1 (so it
# can change the network's scale) yet small beside He's 0.2 (so it should not undo a good
# initialization); the larger values 0.3 and 1.0 would move every weight by 0.3 to 0.6, which
# would make a 20-layer ReLU network explode from either initialization.
#
# Restarts are paired: restart *s* has the same initial weights and the same mini-batches with
# and without noise, so we compare per-restart differences (noise minus no noise), and read
# their 95% intervals.
#
# * **Primary: noise improves training from the poor initialization.** Final training
#   accuracy with noise minus without, at the poor initialization, paired over restarts: the
#   95% interval lies above +0.02 (a gain of more than two points of accuracy; the paper's
#   average gain over restarts was almost ten). Per-restart values are far from normal (a
#   rescued restart jumps by tens of points, a dead one moves by a fraction of a point), so the
#   interval is the percentile bootstrap. The sham (the noise arm trained without noise) gives
#   a difference of exactly zero, which lies below the margin: it fails.
# * **Noise turns restarts into successes** (poor initialization): success (1 or 0) with
#   noise minus without, paired, bootstrap interval above 0.
# * **Noise does not hurt the good initialization**: final training accuracy with noise minus
#   without at He initialization, paired, t interval above -0.03 (at most three points worse).
# * **Check (must hold, never counts): the setup trains.** Without noise, every He-initialized
#   restart reaches `success_acc`: the network, data and budget can be learned, so a poor
#   initialization that stays at chance is the initialization's fault.

# %% tags=[]
GAIN = 0.02  # least training-accuracy gain noise must bring at the poor initialization
MARGIN = 0.03  # largest accuracy loss allowed to noise at the good initialization

claim = Claim(
    chapter="gradient_noise",
    paper=Paper(
        authors=("Neelakantan, A., Vilnis, L., Le, Q. V., Sutskever, I., Kaiser, L., "
                 "Kurach, K. & Martens, J."),
        year=2015,
        title="Adding Gradient Noise Improves Learning for Very Deep Networks",
        venue="arXiv:1511.06807",
        url="https://arxiv.org/abs/1511.06807",
    ),
    statement=("Annealed Gaussian gradient noise lets a 20-layer, 50-unit ReLU network train "
               "from a poor initialization where plain SGD usually fails, without hurting a "
               "good initialization."),
    paper_value=("MNIST, 20 x 50 ReLU, SGD (Table 1): simple init (std 0.1) best test accuracy "
                 "89.9% without noise, 96.7% with (mean over restarts 43.1% -> 52.7%); good "
                 "init about 97% in both arms"),
    primary=superiority(
        "noise improves the poor init",
        f"poor init (std {poor_std}): final training accuracy with noise minus without, paired "
        f"over restarts: 95% bootstrap interval above +{GAIN}",
        "poor_train_acc_noise", "poor_train_acc_no_noise", GAIN, interval="bootstrap"),
    criteria=(
        superiority(
            "noise rescues restarts",
            f"poor init: success (final training accuracy >= {success_acc}) with noise minus "
            "without, paired over restarts: 95% bootstrap interval above 0",
            "poor_success_noise", "poor_success_no_noise", interval="bootstrap"),
        non_inferiority(
            "noise does not hurt the good init",
            f"He init: final training accuracy with noise minus without, paired over "
            f"restarts: 95% interval above -{MARGIN}",
            "good_train_acc_noise", "good_train_acc_no_noise", MARGIN),
    ),
    checks=(
        Check("the setup trains",
              f"without noise, every He-initialized restart reaches training accuracy "
              f"{success_acc}",
              lambda m: min(m["good_train_acc_no_noise"].values) >= success_acc),
    ),
)
print(claim.rule())

# %% [markdown] tags=[]
# ## Setup
#
# **Data.** MNIST-1D (Greydanus, 2020): 10 classes of 1-D signals of length 40, generated
# offline; 4,000 examples, 3,200 for training, in the quick profile. It is harder than MNIST
# for a fully connected network, which is what makes a short budget informative.
#
# **Model.** A plain MLP with `depth` = 20 weight layers (19 hidden layers of `width` = 50 ReLU
# units, then 10 outputs), biases initialized at zero. **Poor initialization**: every weight
# from `N(0, 0.1^2)`, whatever the layer size. For a 50-unit ReLU layer that scales the signal's
# standard deviation by `sqrt(50 x 0.01 / 2) = 0.5` per layer, so after 19 hidden layers the
# input's trace is a factor of about `0.5^19 = 2e-6` too small and the gradients of the early
# layers vanish alike. **Good initialization**: He et al. (2015), `N(0, 2 / fan_in)`, which keeps
# the signal's scale through ReLU layers (the paper used Sussillo & Abbott's, which serves the
# same purpose).
#
# **Training.** Plain SGD (no momentum), learning rate 0.1, mini-batches of 64, cross-entropy.
# The noise arm wraps the same SGD in `dlrepro.optim.GradientNoise`, which adds
# `N(0, eta / (1 + t)^gamma)` to every gradient element before each step. All restarts of the
# two initializations are stacked in one `BatchedMLP` per noise setting and trained in one pass
# with `train_batched`; the noise is drawn element by element of the stacked parameters, so it
# is independent between restarts, and each restart's gradient is its own (the batched loss is
# the sum of the restarts' losses).

# %% tags=[]
use_style()
data = mnist1d(num_samples=cfg.samples, device=run.device)
S = len(run.seeds)
INITS = ("poor", "good")
ARMS = [(init, noisy) for init in INITS for noisy in (False, True)]
LABELS = {("poor", False): f"poor init (std {poor_std}), no noise",
          ("poor", True): f"poor init (std {poor_std}), noise",
          ("good", False): "He init, no noise", ("good", True): "He init, noise"}


def initial_networks():
    """``S`` poor-init MLPs then ``S`` He-init MLPs; restart ``s`` is seeded by ``seed + s``."""
    nets = []
    for init in INITS:
        for s in run.seeds:
            generator = torch.Generator().manual_seed(s)
            net = MLP(data.num_features, [width] * (depth - 1), data.num_classes, "relu")
            if init == "poor":
                scaled_gaussian_(net, poor_std, generator)
            else:
                he_(net, generator)
            nets.append(net)
    return nets


config = TrainConfig(steps=cfg.steps, batch_size=cfg.batch_size, lr=lr, optimizer="sgd",
                     momentum=0.0, eval_every=cfg.eval_every)
print(f"{data.y_train.shape[0]} training and {data.y_test.shape[0]} test signals; "
      f"{2 * S} networks per noise setting")

# %% [markdown] tags=[]
# ## Experiment
#
# Two batched passes, one without and one with gradient noise, over the same initial weights and
# the same data order (each restart's mini-batches come from a generator seeded with its seed).

# %% tags=[]
histories = {}
for noisy in (False, True):
    model = BatchedMLP.from_models(initial_networks()).to(run.device)
    data_order = [run.generator(s) for _ in INITS for s in run.seeds]
    noise_draws = run.generator(10_000 + run.seed)

    def sgd(params, noisy=noisy, noise_draws=noise_draws):
        inner = torch.optim.SGD(params, lr=lr, momentum=0.0)
        if noisy and not sham:  # the sham trains its "noise" arm without noise
            return GradientNoise(inner, eta, gamma, generator=noise_draws)
        return inner

    histories[noisy] = train_batched(model, data.x_train, data.y_train, config, data_order,
                                     eval_sets={"test": (data.x_test, data.y_test)},
                                     progress=True, optimizer=sgd)
    print(f"{'noise' if noisy else 'no noise'}: done at {run.elapsed():.0f} s")

STEPS = np.asarray(histories[False].steps)
curves, final_train, final_test = {}, {}, {}
for k, init in enumerate(INITS):
    for noisy in (False, True):
        cols = slice(k * S, (k + 1) * S)
        train_acc = np.nan_to_num(histories[noisy]["train_acc"][:, cols], nan=0.0)
        curves[init, noisy] = train_acc.T  # (restarts, evaluations)
        final_train[init, noisy] = train_acc[-1]
        final_test[init, noisy] = np.nan_to_num(histories[noisy]["test_acc"][-1, cols], nan=0.0)
success = {arm: (final_train[arm] >= success_acc).astype(float) for arm in ARMS}

for arm in ARMS:
    print(f"{LABELS[arm]:<32} success {int(success[arm].sum())}/{S}  final train acc "
          f"{final_train[arm].mean():.3f} (min {final_train[arm].min():.3f}, max "
          f"{final_train[arm].max():.3f})  test acc {final_test[arm].mean():.3f} (best "
          f"{final_test[arm].max():.3f})")

# %% [markdown] tags=[]
# ## Results
#
# Left: training accuracy during training for each arm (seed mean with its 95% band). Right: the
# share of restarts that reach the success threshold, as the paper's "many restarts" view of
# Table 1.

# %% tags=[]
COLORS = {("poor", False): ARM_COLORS["control"], ("poor", True): ARM_COLORS["method"],
          ("good", False): ARM_COLORS["baseline"], ("good", True): ARM_COLORS["extra"]}
fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 2]})
for arm in ARMS:
    seed_band(ax_a, STEPS, curves[arm], LABELS[arm], color=COLORS[arm], marker=None,
              linestyle="-" if arm[1] else "--")
ax_a.axhline(success_acc, color="black", linewidth=0.8, linestyle=":")
ax_a.axhline(0.1, color="grey", linewidth=0.8, linestyle=":")
ax_a.set(xlabel="SGD step", ylabel="training accuracy", ylim=(0, None),
         title=f"(a) {depth}-layer x {width} ReLU MLP on MNIST-1D, {S} restarts per arm")
ax_a.legend(loc="upper left")
positions = np.arange(len(ARMS))
for i, arm in enumerate(ARMS):
    rate, half = mean_band(success[arm][:, None])
    ax_b.bar(i, rate[0], yerr=half[0], color=COLORS[arm], capsize=4)
ax_b.set_xticks(positions, ["poor\nno noise", "poor\nnoise", "He\nno noise", "He\nnoise"])
ax_b.set(ylabel=f"share of restarts with train acc >= {success_acc}", ylim=(0, 1.05),
         title="(b) success rate (95% interval)")
fig.tight_layout()
plt.show()

# %% [markdown] tags=[]
# ## Verdict
#
# The rule from above, applied to the measurements.

# %% tags=[]
measurements = {}
for init, noisy in ARMS:
    tag = f"{init}_{{}}_{'noise' if noisy else 'no_noise'}"
    measurements[tag.format("train_acc")] = final_train[init, noisy]
    measurements[tag.format("success")] = success[init, noisy]
    measurements[tag.format("test_acc")] = final_test[init, noisy]
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)

# %% tags=[]
# NBVAL_CHECK_OUTPUT
print(verdict.summary())

# %% tags=[]
# Numbers for the discussion below, glued so that the text reads them from this run.
for init, noisy in ARMS:
    tag = f"{init}_{'noise' if noisy else 'no_noise'}"
    glue(f"successes_{tag}", int(success[init, noisy].sum()))
    glue(f"train_{tag}", final_train[init, noisy].mean())
    glue(f"train_min_{tag}", final_train[init, noisy].min())
    glue(f"train_max_{tag}", final_train[init, noisy].max())
    glue(f"test_{tag}", final_test[init, noisy].mean())
glue("restarts", S)
for key, name in (("rescue", "noise rescues restarts"),
                  ("good", "noise does not hurt the good init")):
    o = verdict.outcomes[name]
    glue(f"outcome_{key}", o.outcome)
    glue(f"low_{key}", o.interval.low)
    glue(f"high_{key}", o.interval.high)
glue("primary_outcome", verdict.primary.outcome)
glue("gain", GAIN)
glue("margin", MARGIN)

# %% [markdown] tags=[]
# **Reading the stored quick run** ({glue:text}`restarts` restarts per arm): the verdict is
# **{glue:text}`verdict`**.
#
# * *Poor initialization (primary).* Without noise, {glue:text}`successes_poor_no_noise` of
#   {glue:text}`restarts` restarts pass the success threshold; their final training accuracy
#   lies between {glue:text}`train_min_poor_no_noise:.3f` and
#   {glue:text}`train_max_poor_no_noise:.3f`, which is chance: the network outputs the same
#   class for every input, as the pilot of the control arm had shown. With noise,
#   {glue:text}`successes_poor_noise` restarts succeed, and final training accuracy lies
#   between {glue:text}`train_min_poor_noise:.3f` and {glue:text}`train_max_poor_noise:.3f`
#   (test accuracy {glue:text}`test_poor_noise:.3f` against
#   {glue:text}`test_poor_no_noise:.3f`). The paired gain in training accuracy is
#   {glue:text}`primary_estimate:.4f`, with a bootstrap interval from
#   {glue:text}`primary_low:.4f` to {glue:text}`primary_high:.4f`: the interval lies wholly
#   below the required gain of {glue:text}`gain:.2f`, so the primary is
#   {glue:text}`primary_outcome`. The success criterion is {glue:text}`outcome_rescue`.
# * *He initialization.* Without noise {glue:text}`successes_good_no_noise` and with it
#   {glue:text}`successes_good_noise` of the restarts succeed, so the check that the setup can
#   be learned holds. Noise changes the final training accuracy from
#   {glue:text}`train_good_no_noise:.3f` to {glue:text}`train_good_noise:.3f`; the paired
#   difference lies between {glue:text}`low_good:.3f` and {glue:text}`high_good:.3f` against a
#   margin of {glue:text}`margin:.2f` ({glue:text}`outcome_good`). Test accuracy moves from
#   {glue:text}`test_good_no_noise:.3f` to {glue:text}`test_good_noise:.3f`.
# * *The control never trains.* The no-noise control at the poor initialization stays at
#   chance in every restart, where the paper's sometimes trained; the Notes say why we kept
#   this setup in this version and what we would change.
# * *The sham.* With `sham = True` both arms train without noise, the paired difference is
#   exactly zero, below the margin: the primary fails, as it must. The stored sham run is in
#   the verdict box above.

# %% [markdown] tags=[]
# ## Explore
#
# Pick an arm to see every restart's training curve (one line per restart) with the success
# threshold. This redraws the runs above; nothing is trained again. (In a headless run the view
# is drawn once, for the poor initialization with noise.)

# %% tags=[]
def show(arm):
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for s, curve in zip(run.seeds, curves[arm]):
        ax.plot(STEPS, curve, color=COLORS[arm], alpha=0.7, linewidth=1.2,
                label=f"restart {s}" if s == run.seeds[0] else None)
    ax.axhline(success_acc, color="black", linewidth=0.8, linestyle=":",
               label=f"success threshold {success_acc}")
    ax.set(xlabel="SGD step", ylabel="training accuracy", ylim=(0, 1),
           title=f"{LABELS[arm]}: {int(success[arm].sum())}/{S} restarts succeed")
    ax.legend(loc="upper left")
    fig.tight_layout()
    plt.show()


explore(show, arm=widgets.Dropdown(options=[(LABELS[a], a) for a in ARMS],
                                   value=("poor", True), description="arm"))

# %% [markdown] tags=[]
# ## Notes
#
# **Why it did not reproduce here, probably.** The noise was too weak for the budget. With SGD
# at learning rate 0.1 and `eta = 0.01`, the noise adds up over 600 steps to a random walk of
# about 0.06 per weight. At the poor initialization that raises each weight's spread from 0.1
# to about 0.12, and the per-layer gain of the signal from 0.5 to about 0.58: after 19 hidden
# layers the input still reaches the output shrunk by `0.58^19`, about `4e-5`, so the gradient
# stays vanishingly small and nothing but the output biases learns. The paper trained on MNIST's
# 60,000 images for many more steps and chose `eta` (and the learning rate) from its grid per
# experiment; we fixed `eta` at the smallest grid value before running, on the argument in
# *The rule* that the larger values would make the network explode. That argument was not tested
# and may be wrong: exploding activations meet large gradients, which SGD may shrink again. The
# honest reading is that, at our scale, *this* setting of the method does not rescue the poor
# initialization; whether another one does is the first thing to try (below), with a new rule
# fixed before the run.
#
# **At the full profile the direction appears.** One run of the `full` profile (on the 2-core
# CPU, 220 s; 16 restarts per arm, 10,000 signals, 5,000 steps), made under this chapter's
# earlier rule (which asked for a net rescue of half the restarts), was still NOT REPRODUCED,
# but no longer flatly: noise lifted 5 of 16 poor-initialization restarts past 0.3 training
# accuracy where plain SGD lifted none, raising their mean test accuracy from 9.4% to 24.7%;
# and it cost the He arm 0.031 ± 0.023 of final training accuracy. Longer training lets the
# random walk grow enough to matter, as the argument above predicts, and it also begins to hurt
# the good start. We have not rerun the full profile under the current rule.
#
# **A control that never trains.** The book asks for a regime where the paper's effect can
# show, sized on the control arm. Our no-noise control at the poor initialization never leaves
# chance, while the paper's reached 43% on average: our poor start is deader than the paper's,
# and a rescue from it is more than the paper claims. We kept the paper's standard
# deviation of 0.1 in this version, which only ports the chapter to interval rules; sizing the
# poor initialization on the control (e.g. `poor_std = 0.15`, where plain SGD trains slowly in
# our pilot) is the redesign we would make next, with a new rule fixed before the run.
#
# **What differs from the paper.**
#
# * *Data and budget.* MNIST-1D (3,200 training signals of length 40) instead of MNIST, and 600
#   SGD steps (12 epochs) in the quick profile: He-initialized networks reach only 42 to 44%
#   training accuracy in that time (0.420 with noise, 0.435 without), far from converged. The
#   `full` profile (10,000 signals, 5,000 steps, 16 restarts per arm) is closer to the paper's
#   regime.
# * *What is judged.* The paper reports best and average test accuracy over restarts; we judge
#   the final training accuracy, because the claim is about optimization, and count restarts
#   whose training accuracy reaches 0.3. Test accuracies are stored beside (`*_test_acc_*`).
#   An earlier version of this chapter judged the success count alone (mean net rescue of at
#   least 0.5) and the He arm by the lower end of its interval; this version states both as
#   interval tests, adds the sham and the check, and keeps the experiment as it was.
# * *Good initialization.* He et al. (2015) instead of Sussillo & Abbott (2014); both keep the
#   signal's scale through ReLU layers.
# * *Noise.* One value, `eta = 0.01`, `gamma = 0.55` as in the paper, noise drawn independently
#   per weight and per restart; no gradient clipping (the paper also tried clipping).
#
# **What a reader might try.**
#
# * Set `eta = 0.3` or `eta = 1.0` (the rest of the paper's grid) and rerun: does noise then
#   lift the poor initialization off the plateau, and what does it do to the He arm?
# * Raise `steps`, or run the `full` profile on a GPU: a longer random walk at `eta = 0.01`
#   moves the weights further (its size grows as `steps^0.225`).
# * Make the poor initialization less poor (`poor_std = 0.15`, where plain SGD already trains
#   slowly in our pilot) to see whether noise speeds up a slow start rather than rescuing a
#   dead one.
#
# **References.**
#
# * Neelakantan, A., Vilnis, L., Le, Q. V., Sutskever, I., Kaiser, L., Kurach, K. & Martens, J.
#   (2015). Adding gradient noise improves learning for very deep networks.
#   [arXiv:1511.06807](https://arxiv.org/abs/1511.06807)
# * He, K., Zhang, X., Ren, S. & Sun, J. (2015). Delving deep into rectifiers: surpassing
#   human-level performance on ImageNet classification. *ICCV 2015*.
#   [arXiv:1502.01852](https://arxiv.org/abs/1502.01852)
# * Sussillo, D. & Abbott, L. F. (2014). Random walk initialization for training very deep
#   feedforward networks. [arXiv:1412.6558](https://arxiv.org/abs/1412.6558)
# * Greydanus, S. (2020). Scaling down deep learning (MNIST-1D).
#   [arXiv:2011.14439](https://arxiv.org/abs/2011.14439)
# * Welling, M. & Teh, Y. W. (2011). Bayesian learning via stochastic gradient Langevin
#   dynamics. *ICML 2011*.
