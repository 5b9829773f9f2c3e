"""Profiles, devices, seeds and where results go: what every chapter does before its experiment.

A chapter declares its sizes per profile and calls :func:`start`; everything else (the
device, the list of seeds, deterministic algorithms and one MKL code path on the CPU, the wall
clock for the record) comes from the returned :class:`Run`.

=========  ==========================================  ===========================
profile    where                                       budget per chapter
=========  ==========================================  ===========================
smoke      the test suite                              <= 15 s on a 2-core CPU
quick      default; stored outputs; the rendered book  <= 60 s on a 2-core CPU
full       one GPU, nearer the paper's scale           <= 10 min on one H100
=========  ==========================================  ===========================

Importing this module loads neither torch nor NumPy (its functions do): the command line and
the chapter registry read the profiles, devices and directories from here, and a command that
runs no chapter in its own process should not pay torch's import (over a second on a 2-core
CPU).
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from dlrepro.errors import ConfigError

if TYPE_CHECKING:
    import torch

__all__ = ["PROFILES", "MIN_SEEDS", "DEVICES", "Run", "start", "resolve_device", "seed_everything",
           "use_deterministic_algorithms", "results_dir", "repo_root"]

PROFILES = ("smoke", "quick", "full")
DEVICES = ("auto", "cpu", "cuda")
#: The fewest seeds each profile may declare: the book's verdicts (quick) and the fuller runs
#: (full) aggregate over several seeds; smoke only checks that the pipeline runs.
MIN_SEEDS = {"smoke": 1, "quick": 5, "full": 8}


def resolve_device(device: str) -> torch.device:
    """``"auto"`` is CUDA when available, else the CPU; ``"cuda"`` without CUDA is an error."""
    if device not in DEVICES:
        raise ConfigError(f"unknown device {device!r}; choose one of: {', '.join(DEVICES)}")
    import torch

    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device 'cuda' was requested but torch finds no CUDA GPU here "
                          "(torch.cuda.is_available() is False); use --device cpu or auto")
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(device)


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch (all devices)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def use_deterministic_algorithms() -> None:
    """``torch.use_deterministic_algorithms(True)``, without importing the compiler.

    Recent torch (2.13 here) also sets ``torch._inductor.config.deterministic`` in that call,
    and to do so imports ``torch._inductor`` and with it ``torch._dynamo``: 0.9 s on the book's
    CPU, a fifth of a chapter's fixed cost, for a compiler :func:`dlrepro.train.train` uses on
    CUDA only. Here the flag that eager kernels read is set directly and inductor's through
    ``TORCHINDUCTOR_DETERMINISTIC``, which inductor reads when it is first imported: the same
    two settings. Where inductor is loaded already (or torch lacks the direct call), torch's own
    function is called.
    """
    import torch

    direct = getattr(torch._C, "_set_deterministic_algorithms", None)
    if direct is None or "torch._inductor.config" in sys.modules:
        torch.use_deterministic_algorithms(True)
        return
    os.environ["TORCHINDUCTOR_DETERMINISTIC"] = "1"
    direct(True, warn_only=False)


#: The code path of Intel MKL's Conditional Numerical Reproducibility mode (``MKL_CBWR``) that
#: :func:`pin_cpu_numerics` selects. Left to itself MKL picks its matrix kernels by the CPU's
#: vendor and model: the stored quick runs, re-executed on an AMD EPYC after being stored on an
#: Intel Xeon (both AVX-512), rounded differently and moved near-margin criteria of five
#: chapters. The AVX2 path exists on both, so both compute the same bits.
MKL_BRANCH = "AVX2"


def pin_cpu_numerics() -> str:
    """Fix MKL's code path to :data:`MKL_BRANCH` unless ``MKL_CBWR`` is already set (a reader's
    choice is kept); returns the branch in force.

    MKL reads ``MKL_CBWR`` at its first call, not at import, so this works after ``import
    torch`` as long as no matrix product has run yet in the process, as in a chapter, whose
    first computation follows :func:`start`. See Intel's *Conditional Numerical
    Reproducibility* in the oneMKL developer guide.
    """
    return os.environ.setdefault("MKL_CBWR", MKL_BRANCH)


def machine() -> dict[str, str | None]:
    """What a record says about the CPU it ran on: model, torch's vector-kernel level (ATen
    dispatches element-wise kernels on it) and MKL's branch, to explain a run that rounds
    differently elsewhere."""
    import platform

    import torch

    model = platform.processor() or None
    try:
        with open("/proc/cpuinfo") as info:
            model = next((line.split(":", 1)[1].strip() for line in info
                          if line.startswith("model name")), model)
    except OSError:
        pass
    return {"cpu": model, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "mkl_cbwr": os.environ.get("MKL_CBWR")}


def repo_root() -> Path | None:
    """The book's checkout when ``dlrepro`` is installed from it (editable), else ``None``."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "_toc.yml").exists() else None


def results_dir() -> Path:
    """Where result records go: ``$DLREPRO_RESULTS``, else ``<checkout>/_build/results``."""
    if os.environ.get("DLREPRO_RESULTS"):
        return Path(os.environ["DLREPRO_RESULTS"])
    root = repo_root()
    return (root / "_build" / "results") if root else Path.cwd() / "dlrepro-results"


@dataclass
class Run:
    """One execution of a chapter: its profile, device, seeds and settings."""

    chapter: str
    profile: str
    seed: int
    device: torch.device
    settings: SimpleNamespace
    seeds: list[int]
    sham: bool = False
    started: float = field(default_factory=time.perf_counter)

    def elapsed(self) -> float:
        """Seconds since :func:`start`."""
        return time.perf_counter() - self.started

    def generator(self, seed: int) -> torch.Generator:
        """A torch generator on the run's device, seeded with ``seed``."""
        import torch

        return torch.Generator(device=self.device).manual_seed(seed)


def start(chapter: str, profile: str, seed: int, device: str,
          settings: Mapping[str, Mapping[str, object]],
          overrides: Mapping[str, object] | None = None, sham: bool = False) -> Run:
    """Validate the parameters, seed everything and pick the profile's settings.

    ``settings`` maps each of :data:`PROFILES` to the chapter's sizes for it and must hold a
    ``seeds`` entry (the number of seeds), at least :data:`MIN_SEEDS` of its profile; every
    profile is checked whichever runs, so a smoke run catches a full profile with too few
    seeds, and all profiles must set the same keys. The run's seeds are ``seed, seed + 1, ...``.

    ``overrides`` maps a size to a reader's knob: a value that is not ``None`` replaces the
    profile's value (``{"width": width}`` with ``width = None`` keeps the profile's width).
    ``settings`` itself is not changed.

    ``sham=True`` marks a run whose method arm the chapter has replaced by its control: its
    record goes to ``results/sham/`` (:meth:`dlrepro.claims.Verdict.save`).
    """
    if profile not in PROFILES:
        raise ConfigError(f"unknown profile {profile!r}; choose one of: {', '.join(PROFILES)}")
    missing = [p for p in PROFILES if p not in settings]
    if missing:
        raise ConfigError(f"chapter {chapter!r} defines no settings for profile(s) {missing}")
    if not isinstance(sham, bool):
        raise ConfigError(f"sham must be True or False, got {sham!r}")
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ConfigError(f"seed must be a non-negative integer, got {seed!r}")
    knobs = {key: value for key, value in (overrides or {}).items() if value is not None}
    unknown = sorted(set(knobs) - set(settings[profile]))
    if unknown:
        raise ConfigError(f"chapter {chapter!r}: no size named {unknown} to override; the "
                          f"profile sets {sorted(settings[profile])}")
    keys = {name: set(settings[name]) for name in PROFILES}
    uneven = {name: sorted(keys[name] ^ keys["quick"]) for name in PROFILES
              if keys[name] != keys["quick"]}
    if uneven:  # else a size missing from "full" would only fail on a GPU, minutes into a run
        raise ConfigError(f"chapter {chapter!r}: every profile must set the same sizes; these "
                          f"differ from the quick profile's: {uneven}")
    for name, fewest in MIN_SEEDS.items():
        if int(settings[name].get("seeds", 0)) < fewest:
            raise ConfigError(f"chapter {chapter!r}: profile {name!r} needs 'seeds' >= {fewest}, "
                              f"got {settings[name].get('seeds')!r}")
    chosen = {**settings[profile], **knobs}
    if int(chosen["seeds"]) < 1:
        raise ConfigError(f"chapter {chapter!r}: 'seeds' must be >= 1, got {chosen['seeds']!r}")
    pin_cpu_numerics()
    torch_device = resolve_device(device)
    seed_everything(seed)
    if torch_device.type == "cpu":
        use_deterministic_algorithms()
    seeds = [seed + i for i in range(int(chosen["seeds"]))]
    return Run(chapter, profile, seed, torch_device, SimpleNamespace(**chosen), seeds, sham)
