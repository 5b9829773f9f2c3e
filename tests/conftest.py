"""Shared fixtures of the library's unit tests.

Nothing here is autouse: tests that touch the data cache or the results directory ask for
:func:`isolated_env`, so a unit test never reads or writes ``~/.cache/dlrepro`` or the book's
``results/``.
"""

from __future__ import annotations

import os

import pytest
import torch


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory):
    """One data cache per test session (per xdist worker), so MNIST-1D is generated once."""
    return tmp_path_factory.mktemp("dlrepro-cache")


@pytest.fixture
def isolated_env(tmp_path, monkeypatch, shared_cache):
    """``DLREPRO_CACHE`` -> a session cache, ``DLREPRO_RESULTS`` -> this test's tmp dir."""
    results = tmp_path / "results"
    monkeypatch.setenv("DLREPRO_CACHE", str(shared_cache))
    monkeypatch.setenv("DLREPRO_RESULTS", str(results))
    monkeypatch.delenv("DLREPRO_ROOT", raising=False)
    return results


@pytest.fixture
def restore_torch_state():
    """Undo what :func:`dlrepro.run.start` changes globally (deterministic mode, inductor's
    deterministic default in the environment, RNG state)."""
    deterministic = torch.are_deterministic_algorithms_enabled()
    inductor = os.environ.get("TORCHINDUCTOR_DETERMINISTIC")
    rng = torch.get_rng_state()
    yield
    torch.use_deterministic_algorithms(deterministic)
    if inductor is None:
        os.environ.pop("TORCHINDUCTOR_DETERMINISTIC", None)
    else:
        os.environ["TORCHINDUCTOR_DETERMINISTIC"] = inductor
    torch.set_rng_state(rng)


@pytest.fixture
def single_thread():
    """Run a test with one intra-op thread, then restore the previous count.

    The unit tests use tiny tensors: on a small, shared CPU two threads only add
    synchronization (up to 7x slower under load). Modules opt in with
    ``pytestmark = pytest.mark.usefixtures("single_thread")``.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
