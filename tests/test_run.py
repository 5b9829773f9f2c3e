"""dlrepro.run: devices, profiles, seeds and the results directory."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from dlrepro.errors import ConfigError
from dlrepro.run import (
    DEVICES,
    MIN_SEEDS,
    PROFILES,
    machine,
    pin_cpu_numerics,
    repo_root,
    resolve_device,
    results_dir,
    seed_everything,
    start,
)

pytestmark = pytest.mark.usefixtures("restore_torch_state")

SETTINGS = {"smoke": {"seeds": 2, "steps": 10}, "quick": {"seeds": 5, "steps": 100},
            "full": {"seeds": 8, "steps": 1000}}

no_cuda = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")


def test_resolve_device_auto_and_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto") == torch.device(expected)
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device("cpu").type == "cpu"


@no_cuda
def test_resolve_device_cuda_without_cuda_mentions_the_fix():
    with pytest.raises(ConfigError) as info:
        resolve_device("cuda")
    message = str(info.value)
    assert "no CUDA" in message and "--device cpu" in message


@pytest.mark.parametrize("device", ["tpu", "gpu", "CPU", "cuda:0", ""])
def test_resolve_device_unknown_lists_allowed_values(device):
    with pytest.raises(ConfigError) as info:
        resolve_device(device)
    assert "auto, cpu, cuda" in str(info.value)
    assert DEVICES == ("auto", "cpu", "cuda")


def test_start_returns_consecutive_seeds_and_profile_settings():
    run = start("toy", "quick", 7, "cpu", SETTINGS)
    assert run.chapter == "toy" and run.profile == "quick" and run.seed == 7
    assert run.seeds == [7, 8, 9, 10, 11] and run.sham is False
    assert run.settings.steps == 100 and run.settings.seeds == 5
    assert run.device == torch.device("cpu")
    assert torch.are_deterministic_algorithms_enabled()
    assert start("toy", "full", 0, "cpu", SETTINGS).seeds == list(range(8))
    assert start("toy", "smoke", 0, "cpu", SETTINGS, sham=True).sham is True
    with pytest.raises(ConfigError, match="sham"):
        start("toy", "smoke", 0, "cpu", SETTINGS, sham="yes")
    assert start("toy", "smoke", 3, "auto", SETTINGS).seeds == [3, 4]


def test_start_seeds_every_generator_identically():
    start("toy", "smoke", 11, "cpu", SETTINGS)
    first = (torch.randn(5), np.random.rand(3), random.random())
    start("toy", "smoke", 11, "cpu", SETTINGS)
    second = (torch.randn(5), np.random.rand(3), random.random())
    torch.testing.assert_close(first[0], second[0], rtol=0, atol=0)
    np.testing.assert_array_equal(first[1], second[1])
    assert first[2] == second[2]
    start("toy", "smoke", 12, "cpu", SETTINGS)
    assert not torch.equal(torch.randn(5), first[0])


def test_seed_everything_matches_manual_seed():
    seed_everything(2**33 + 5)  # larger than NumPy's 32-bit seeds
    a = torch.randn(4)
    torch.manual_seed(2**33 + 5)
    torch.testing.assert_close(a, torch.randn(4), rtol=0, atol=0)
    np.random.seed((2**33 + 5) % 2**32)
    expected = np.random.rand(2)
    seed_everything(2**33 + 5)
    np.testing.assert_array_equal(np.random.rand(2), expected)


def test_run_generator_and_elapsed():
    run = start("toy", "smoke", 0, "cpu", SETTINGS)
    torch.testing.assert_close(torch.rand(3, generator=run.generator(42)),
                               torch.rand(3, generator=torch.Generator().manual_seed(42)),
                               rtol=0, atol=0)
    first = run.elapsed()
    time.sleep(0.01)
    assert 0 <= first < run.elapsed() < 60


@pytest.mark.parametrize("profile", ["huge", "Quick", ""])
def test_start_rejects_unknown_profile(profile):
    with pytest.raises(ConfigError) as info:
        start("toy", profile, 0, "cpu", SETTINGS)
    assert "smoke, quick, full" in str(info.value)
    assert PROFILES == ("smoke", "quick", "full")


@pytest.mark.parametrize("seed", [-1, 1.5, True, "0", None])
def test_start_rejects_bad_seed(seed):
    with pytest.raises(ConfigError):
        start("toy", "smoke", seed, "cpu", SETTINGS)


def test_start_rejects_bad_settings_and_device():
    with pytest.raises(ConfigError) as info:
        start("toy", "smoke", 0, "cpu", {"smoke": {"seeds": 1}, "quick": {"seeds": 1}})
    assert "full" in str(info.value)
    no_seeds = {p: {"steps": 1} for p in PROFILES}
    with pytest.raises(ConfigError):
        start("toy", "smoke", 0, "cpu", no_seeds)
    zero_seeds = {p: {"seeds": 0} for p in PROFILES}
    with pytest.raises(ConfigError):
        start("toy", "smoke", 0, "cpu", zero_seeds)
    with pytest.raises(ConfigError):
        start("toy", "smoke", 0, "tpu", SETTINGS)


@pytest.mark.parametrize("profile", PROFILES)
def test_start_checks_every_profiles_fewest_seeds(profile):
    """A full profile with 7 seeds fails even a smoke run; the minimums themselves pass."""
    assert MIN_SEEDS == {"smoke": 1, "quick": 5, "full": 8}
    at_minimum = {p: {"seeds": MIN_SEEDS[p]} for p in PROFILES}
    assert start("toy", "smoke", 0, "cpu", at_minimum).seeds == [0]
    too_few = {p: dict(at_minimum[p]) for p in PROFILES}
    too_few[profile]["seeds"] = MIN_SEEDS[profile] - 1
    with pytest.raises(ConfigError) as info:
        start("toy", "smoke", 0, "cpu", too_few)
    assert repr(profile) in str(info.value) and f">= {MIN_SEEDS[profile]}" in str(info.value)


def test_results_dir_honours_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DLREPRO_RESULTS", str(tmp_path / "records"))
    assert results_dir() == tmp_path / "records"
    monkeypatch.delenv("DLREPRO_RESULTS")
    root = repo_root()
    if root is None:
        assert results_dir() == Path.cwd() / "dlrepro-results"
    else:
        assert (root / "_toc.yml").exists() and (root / "lib" / "dlrepro").is_dir()
        assert results_dir() == root / "_build" / "results"


def test_start_requires_the_same_sizes_in_every_profile():
    """A size set for quick but not for full fails a smoke run, naming the profile and key."""
    uneven = {p: dict(SETTINGS[p]) for p in PROFILES}
    del uneven["full"]["steps"]
    uneven["smoke"]["width"] = 8
    with pytest.raises(ConfigError) as info:
        start("toy", "smoke", 0, "cpu", uneven)
    message = str(info.value)
    assert "'full': ['steps']" in message and "'smoke': ['width']" in message


def test_start_applies_a_readers_overrides_without_changing_the_settings():
    run = start("toy", "quick", 0, "cpu", SETTINGS, overrides={"steps": 7, "seeds": None})
    assert run.settings.steps == 7 and run.seeds == [0, 1, 2, 3, 4]  # None keeps the profile's
    assert SETTINGS["quick"]["steps"] == 100  # the chapter's table is left as it was
    assert start("toy", "quick", 0, "cpu", SETTINGS, overrides={"seeds": 1}).seeds == [0]
    with pytest.raises(ConfigError) as info:
        start("toy", "quick", 0, "cpu", SETTINGS, overrides={"stepz": 7})
    assert "stepz" in str(info.value) and "'steps'" in str(info.value)
    with pytest.raises(ConfigError):
        start("toy", "quick", 0, "cpu", SETTINGS, overrides={"seeds": 0})


# A matrix product whose float rounding depends on MKL's code path; prints its bytes' hash.
_PRODUCT = """
import hashlib, os, sys, torch
import dlrepro.run
if sys.argv[1] == "pin":
    dlrepro.run.MKL_BRANCH = "COMPATIBLE"
    dlrepro.run.pin_cpu_numerics()
torch.manual_seed(0)
a, b = torch.randn(257, 300), torch.randn(300, 129)
print(hashlib.sha256((a @ b).numpy().tobytes()).hexdigest())
"""


def _product(mode: str, mkl_cbwr: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "MKL_CBWR"}
    if mkl_cbwr:
        env["MKL_CBWR"] = mkl_cbwr
    done = subprocess.run([sys.executable, "-c", _PRODUCT, mode], env=env, capture_output=True,
                          text=True, check=True)
    return done.stdout.strip()


@pytest.mark.skipif(not torch.backends.mkl.is_available(), reason="torch without MKL")
def test_pinning_after_import_selects_the_branch_as_the_environment_does():
    """MKL reads MKL_CBWR at its first call: set after ``import torch`` it gives the bits that the
    variable set before the process started gives (here the SSE2 'COMPATIBLE' branch, which
    rounds differently from the default on any AVX CPU)."""
    from_start = _product("plain", "COMPATIBLE")
    assert _product("pin", None) == from_start
    assert _product("plain", None) != from_start


def test_pin_keeps_a_readers_branch_and_start_pins_the_default(monkeypatch):
    monkeypatch.setenv("MKL_CBWR", "AVX512")
    assert pin_cpu_numerics() == "AVX512"
    monkeypatch.delenv("MKL_CBWR")
    start("demo", "smoke", 0, "cpu", SETTINGS)
    assert os.environ["MKL_CBWR"] == "AVX2"


def test_machine_names_the_cpu_kernels_and_mkl_branch(monkeypatch):
    monkeypatch.setenv("MKL_CBWR", "AVX2")
    found = machine()
    assert found["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    assert found["mkl_cbwr"] == "AVX2"
    assert found["cpu"] is None or isinstance(found["cpu"], str) and found["cpu"]
