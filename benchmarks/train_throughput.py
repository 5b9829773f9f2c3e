"""Training throughput of the book's small models, as steps per second and as a share of peak.

The run first measures the machine's matmul peak (the best of several large float32 matrix
products on the benchmark's device and thread count), then times each workload and counts its
floating-point operations with ``torch.utils.flop_counter.FlopCounterMode`` (in a separate,
untimed run of the same call), so that every figure comes with achieved GFLOP/s and its share
of that peak. The batched CNN and the compiled runs take the count per step of the variant that
does the same work: the counter charges a grouped convolution's weight gradient once per group,
and it does not see compiled code. Workloads, all on MNIST-1D (4,000 samples, 3,200 for
training), batch 128, Adam:

  (a) the MLP 40-100-100-10, a plain PyTorch loop over a ``DataLoader``;
  (b) the same MLP with ``dlrepro.train.train`` on device-resident tensors;
  (c) 8 seeds of it trained one after another with ``dlrepro.train.train``;
  (d) the same 8 seeds in one pass: ``BatchedMLP`` + ``dlrepro.train.train_batched``;
  (e) 8 seeds of the wider MLP 40-300-300-10 in one pass;
  (f) 8 seeds of ``CNN1d`` (25-25-25 channels) one after another;
  (g) the same 8 CNNs in one pass: ``BatchedCNN1d`` + ``train_batched``.

With ``--compile`` the batched workloads are timed again with the model under
``torch.compile``, the compilation counted inside the time of a run of ``--compile-steps``
steps (a quick-profile run's length), against the same run without it.

Every variant is warmed up first and then timed ``--repeats`` times, the repeats interleaved
across variants; the best repeat is reported (interference on a shared machine only ever adds
time). ``eval_every`` is larger than ``--steps``, so the dlrepro loops evaluate once, after the
last step (inside the timing, and inside the FLOP count). Throughput is in model-steps per
second (steps x models), so (d)/(c) and (g)/(f) are the speed-ups of batching. Usage::

    python benchmarks/train_throughput.py [--device auto|cpu|cuda] [--steps 500] [--threads N]
                                          [--compile] [--json out.json]

On a CPU, models this small are sensitive to thread oversubscription: when another process
keeps a core busy, every multi-threaded operation waits for it. So on the CPU the benchmark uses
one torch thread unless ``--threads`` says otherwise (``--threads 0`` keeps torch's default);
the count is printed and recorded, and the peak is measured with the same count.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.flop_counter import FlopCounterMode

import dlrepro
from dlrepro.data import mnist1d
from dlrepro.errors import DlreproError
from dlrepro.models import MLP, BatchedCNN1d, BatchedMLP, CNN1d
from dlrepro.run import resolve_device
from dlrepro.train import TrainConfig, train, train_batched

BATCH, LR, SEEDS = 128, 1e-3, 8
NARROW, WIDE, CHANNELS = [100, 100], [300, 300], (25, 25, 25)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def matmul_peak(device: torch.device, repeats: int = 5) -> float:
    """FLOP/s of the best of ``repeats`` square float32 matrix products (2048 on the CPU, 8192
    on CUDA): the ceiling a training step built of matrix products can approach."""
    n = 8192 if device.type == "cuda" else 2048
    a = torch.randn(n, n, device=device)
    b = torch.randn(n, n, device=device)
    torch.mm(a, b)  # warm-up
    best = float("inf")
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        torch.mm(a, b)
        sync(device)
        best = min(best, time.perf_counter() - start)
    return 2 * n**3 / best


def new_mlp(seed: int, device: torch.device, hidden: list[int]) -> MLP:
    torch.manual_seed(seed)
    return MLP(40, hidden, 10).to(device)


def new_cnn(seed: int, device: torch.device) -> CNN1d:
    torch.manual_seed(seed)
    return CNN1d(40, 10, CHANNELS).to(device)


def config(steps: int) -> TrainConfig:
    return TrainConfig(steps=steps, batch_size=BATCH, lr=LR, eval_every=steps + 1)


def generator(seed: int, device: torch.device) -> torch.Generator:
    return torch.Generator(device=device).manual_seed(seed)


def dataloader_loop(x_cpu, y_cpu, steps: int, device: torch.device, seed: int) -> None:
    """(a) The textbook loop: DataLoader batches moved to the device every step."""
    model = new_mlp(seed, device, NARROW)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    loader = DataLoader(TensorDataset(x_cpu, y_cpu), batch_size=BATCH, shuffle=True,
                        drop_last=True, generator=torch.Generator().manual_seed(seed))
    done = 0
    while done < steps:
        for xb, yb in loader:
            xb, yb = xb.to(device, non_blocking=True), yb.to(device, non_blocking=True)
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            done += 1
            if done == steps:
                break


def one_by_one(build: Callable[[int, torch.device], torch.nn.Module], models: int):
    """``models`` networks from ``build``, each trained alone with ``dlrepro.train.train``."""
    def run(x, y, steps: int, device: torch.device, seed: int) -> None:
        for s in range(models):
            train(build(seed + s, device), x, y, config(steps), generator(seed + s, device))
    return run


def batched(build, stack, compiled: bool = False):
    """The same ``SEEDS`` networks (same initializations, same batch orders) in one pass; with
    ``compiled`` under ``torch.compile``, compiled afresh in every run."""
    def run(x, y, steps: int, device: torch.device, seed: int) -> None:
        if compiled:
            torch._dynamo.reset()  # no compiled code kept from an earlier run
        model = stack([build(seed + s, device) for s in range(SEEDS)])
        train_batched(model, x, y, config(steps), [generator(seed + s, device)
                                                    for s in range(SEEDS)],
                      compile_model=compiled)
    return run


@dataclass
class Variant:
    key: str
    label: str
    run: Callable
    data: str  # "cpu": the DataLoader's CPU tensors, "device": tensors on the device
    models: int
    # Take the FLOPs per step of this earlier variant, which does the same work, instead of
    # counting: a compiled model runs code the counter does not see, and the counter charges
    # a grouped convolution's weight gradient once per group (S times too much).
    flops_of: str | None = None


def variants() -> list[Variant]:
    narrow = lambda seed, device: new_mlp(seed, device, NARROW)  # noqa: E731
    wide = lambda seed, device: new_mlp(seed, device, WIDE)  # noqa: E731
    return [
        Variant("a", "MLP 40-100-100-10, DataLoader loop", dataloader_loop, "cpu", 1),
        Variant("b", "MLP 40-100-100-10, dlrepro.train", one_by_one(narrow, 1), "device", 1),
        Variant("c", f"MLP 40-100-100-10, {SEEDS} one by one", one_by_one(narrow, SEEDS),
                "device", SEEDS),
        Variant("d", f"MLP 40-100-100-10, {SEEDS} batched", batched(narrow, BatchedMLP.from_models),
                "device", SEEDS),
        Variant("e", f"MLP 40-300-300-10, {SEEDS} batched", batched(wide, BatchedMLP.from_models),
                "device", SEEDS),
        Variant("f", f"CNN1d 25-25-25, {SEEDS} one by one", one_by_one(new_cnn, SEEDS),
                "device", SEEDS),
        Variant("g", f"CNN1d 25-25-25, {SEEDS} batched", batched(new_cnn, BatchedCNN1d),
                "device", SEEDS, flops_of="f"),
    ]


def compile_variants() -> list[Variant]:
    narrow = lambda seed, device: new_mlp(seed, device, NARROW)  # noqa: E731
    return [
        Variant("d-eager", f"MLP 40-100-100-10, {SEEDS} batched, eager",
                batched(narrow, BatchedMLP.from_models), "device", SEEDS, flops_of="d"),
        Variant("d-compiled", f"MLP 40-100-100-10, {SEEDS} batched, torch.compile",
                batched(narrow, BatchedMLP.from_models, compiled=True), "device", SEEDS,
                flops_of="d"),
        Variant("g-eager", f"CNN1d 25-25-25, {SEEDS} batched, eager",
                batched(new_cnn, BatchedCNN1d), "device", SEEDS, flops_of="f"),
        Variant("g-compiled", f"CNN1d 25-25-25, {SEEDS} batched, torch.compile",
                batched(new_cnn, BatchedCNN1d, compiled=True), "device", SEEDS,
                flops_of="f"),
    ]


def best_times(chosen: list[Variant], inputs: dict, steps: int, warmup: int, repeats: int,
               device: torch.device) -> dict[str, float]:
    """Best time per variant; repeats are interleaved so that load changes hit all variants.
    Compiled variants are not warmed up: their first compilation belongs to their time."""
    for v in chosen:  # warm-up: lazy imports, allocator, kernels
        if not v.key.endswith("-compiled"):
            v.run(*inputs[v.data], warmup, device, 1000)
    sync(device)
    best = {v.key: float("inf") for v in chosen}
    for r in range(repeats):
        for v in chosen:
            sync(device)
            start = time.perf_counter()
            v.run(*inputs[v.data], steps, device, r)
            sync(device)
            best[v.key] = min(best[v.key], time.perf_counter() - start)
    return best


def counted_flops(v: Variant, inputs: dict, steps: int, device: torch.device) -> int:
    """Floating-point operations of one run of ``v`` (forward, backward, final evaluation)."""
    counter = FlopCounterMode(display=False)
    with counter:
        v.run(*inputs[v.data], steps, device, 0)
    return counter.get_total_flops()


def measure(chosen: list[Variant], inputs: dict, steps: int, warmup: int, repeats: int,
            device: torch.device, peak: float,
            reference: dict[str, dict] | None = None) -> dict[str, dict]:
    """Times, FLOPs and shares of peak; ``flops_of`` is looked up among the variants measured
    before this one and in ``reference`` (an earlier table)."""
    best = best_times(chosen, inputs, steps, warmup, repeats, device)
    results: dict[str, dict] = {}
    for v in chosen:
        if v.flops_of:
            flops = {**(reference or {}), **results}[v.flops_of]["flops_per_step"] * steps
        else:
            flops = counted_flops(v, inputs, steps, device)
        seconds = best[v.key]
        results[v.key] = {"label": v.label, "models": v.models, "seconds": seconds,
                          "steps_per_s": steps / seconds,
                          "model_steps_per_s": steps * v.models / seconds,
                          "flops": flops, "flops_per_step": flops / steps,
                          "gflop_per_s": flops / seconds / 1e9,
                          "share_of_peak": flops / seconds / peak}
    return results


def print_table(results: dict[str, dict]) -> None:
    print(f"{'':11} {'workload':<40} {'time (s)':>9} {'model-steps/s':>14} {'GFLOP/s':>8} "
          f"{'of peak':>8}")
    for key, r in results.items():
        print(f"{key:11} {r['label']:<40} {r['seconds']:9.3f} {r['model_steps_per_s']:14.0f} "
              f"{r['gflop_per_s']:8.1f} {100 * r['share_of_peak']:7.0f}%")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    parser.add_argument("--steps", type=int, default=500,
                        help="optimizer steps per timed run (default 500)")
    parser.add_argument("--warmup", type=int, default=30, help="warm-up steps (default 30)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed repeats, interleaved across variants (default 5)")
    parser.add_argument("--threads", type=int, default=None,
                        help="torch intra-op threads; default 1 on the CPU (see above), "
                             "torch's own choice on CUDA; 0 keeps torch's choice")
    parser.add_argument("--compile", action="store_true",
                        help="also time the batched workloads under torch.compile, compilation "
                             "included")
    parser.add_argument("--compile-steps", type=int, default=1000,
                        help="steps of one compiled run, compilation included (default 1000)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device)
    except DlreproError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if min(args.steps, args.warmup, args.repeats, args.compile_steps) < 1 or (
            args.threads or 0) < 0:
        print("error: --steps, --warmup, --repeats and --compile-steps must be >= 1, "
              "--threads >= 0", file=sys.stderr)
        return 2
    threads = args.threads if args.threads is not None else (1 if device.type == "cpu" else 0)
    if threads:
        torch.set_num_threads(threads)

    data = mnist1d(4000)
    inputs = {"cpu": (data.x_train, data.y_train),
              "device": (data.x_train.to(device), data.y_train.to(device))}
    peak = matmul_peak(device)
    results = measure(variants(), inputs, args.steps, args.warmup, args.repeats, device, peak)
    ratios = {
        "dlrepro_vs_dataloader": results["b"]["steps_per_s"] / results["a"]["steps_per_s"],
        "mlp_batched_vs_one_by_one": (results["d"]["model_steps_per_s"]
                                      / results["c"]["model_steps_per_s"]),
        "cnn_batched_vs_one_by_one": (results["g"]["model_steps_per_s"]
                                      / results["f"]["model_steps_per_s"]),
    }
    device_name = (torch.cuda.get_device_name(device) if device.type == "cuda"
                   else platform.processor() or platform.machine())
    print(f"MNIST-1D, batch {BATCH}, Adam; {args.steps} steps, best of {args.repeats}; device "
          f"{device} ({device_name}), torch {torch.__version__}, {torch.get_num_threads()} "
          f"threads; matmul peak {peak / 1e9:.1f} GFLOP/s")
    print_table(results)
    print(f"dlrepro loop vs DataLoader loop (b/a): {ratios['dlrepro_vs_dataloader']:.2f}x")
    print(f"MLP, {SEEDS} batched vs one by one (d/c): {ratios['mlp_batched_vs_one_by_one']:.2f}x")
    print(f"CNN, {SEEDS} batched vs one by one (g/f): {ratios['cnn_batched_vs_one_by_one']:.2f}x")
    print("targets: batched MLP (d, e) >= 70% of peak, batched CNN (g) >= 40% of peak")

    compiled = {}
    if args.compile:
        # One quick-length run each, compilation inside the compiled run's time.
        compiled = measure(compile_variants(), inputs, args.compile_steps, args.warmup, 1,
                           device, peak, reference=results)
        for key in ("d", "g"):
            ratios[f"{key}_compiled_vs_eager"] = (compiled[f"{key}-eager"]["seconds"]
                                                  / compiled[f"{key}-compiled"]["seconds"])
        print(f"\ntorch.compile, one run of {args.compile_steps} steps, compilation included:")
        print_table(compiled)
        print(f"speed-up of compiling, compilation included: MLP "
              f"{ratios['d_compiled_vs_eager']:.2f}x, CNN {ratios['g_compiled_vs_eager']:.2f}x")

    if args.json:
        payload = {
            "benchmark": "train_throughput", "dataset": "mnist1d(4000)", "batch_size": BATCH,
            "optimizer": "adam", "lr": LR, "seeds": SEEDS, "steps": args.steps,
            "warmup": args.warmup, "repeats": args.repeats, "device": str(device),
            "device_name": device_name, "threads": torch.get_num_threads(),
            "matmul_peak_gflop_per_s": peak / 1e9, "torch_version": torch.__version__,
            "library_version": dlrepro.__version__, "results": results, "compiled": compiled,
            "ratios": ratios,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
