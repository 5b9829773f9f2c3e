"""The benchmarks run, and the work they count is the work a step does (closed forms).

Nothing here is timed: a benchmark is a measurement, not a test. These runs are a few steps
long and only check that the scripts work end to end and that the FLOP counts they divide by
are right.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

pytestmark = pytest.mark.usefixtures("single_thread", "isolated_env")


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"benchmark_{name}"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def mlp_forward_flops(batch: int, widths: list[int]) -> list[int]:
    """Matrix-product FLOPs of an MLP's forward pass, per layer: 2 * batch * in * out."""
    return [2 * batch * fan_in * fan_out for fan_in, fan_out in zip(widths[:-1], widths[1:])]


def mlp_step_flops(batch: int, widths: list[int]) -> int:
    """One training step when the inputs need no gradient: the forward pass, the weight
    gradients (as much again) and the input gradients of every layer but the first."""
    forward = mlp_forward_flops(batch, widths)
    return 2 * sum(forward) + sum(forward[1:])


def test_train_throughput_counts_the_flops_of_the_steps_it_times(tmp_path):
    bench = load("train_throughput")
    steps, out = 3, tmp_path / "bench.json"
    assert bench.main(["--device", "cpu", "--steps", str(steps), "--warmup", "1",
                       "--repeats", "1", "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    results = report["results"]
    widths = [40, *bench.NARROW, 10]
    train_examples = 3200  # mnist1d(4000) keeps 80% for training; one evaluation at the end
    one = (steps * mlp_step_flops(bench.BATCH, widths)
           + sum(mlp_forward_flops(train_examples, widths)))
    assert results["b"]["flops"] == one
    assert results["c"]["flops"] == results["d"]["flops"] == bench.SEEDS * one
    # The batched CNN does the work of the 8 CNNs one by one (the counter is not asked).
    assert results["g"]["flops"] == results["f"]["flops"]
    for r in results.values():
        assert r["gflop_per_s"] == pytest.approx(r["flops"] / r["seconds"] / 1e9)
        assert r["share_of_peak"] == pytest.approx(
            r["gflop_per_s"] / report["matmul_peak_gflop_per_s"])
    assert report["ratios"]["mlp_batched_vs_one_by_one"] == pytest.approx(
        results["d"]["model_steps_per_s"] / results["c"]["model_steps_per_s"])


def test_train_throughput_rejects_bad_arguments(capsys):
    bench = load("train_throughput")
    assert bench.main(["--steps", "0"]) == 2
    assert "--steps" in capsys.readouterr().err
    assert bench.main(["--device", "tpu"]) == 2
    assert "unknown device" in capsys.readouterr().err
