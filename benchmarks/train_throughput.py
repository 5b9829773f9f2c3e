"""Training throughput of the MNIST-1D MLP: DataLoader loop vs dlrepro loops.

Measures optimizer steps per second for the MLP 40-100-100-10 on MNIST-1D (4,000 samples,
3,200 for training), batch 128, Adam:

  (a) a plain PyTorch loop over ``torch.utils.data.DataLoader(TensorDataset, shuffle=True)``;
  (b) ``dlrepro.train.train`` on device-resident tensors;
  (c) 8 seeds trained one after another with ``dlrepro.train.train``;
  (d) the same 8 seeds in one pass: ``BatchedMLP`` + ``dlrepro.train.train_batched``.

Every variant is warmed up first and then timed ``--repeats`` times, the repeats interleaved
across variants; the best repeat is reported (the usual way to time on a shared machine:
interference only ever adds time). ``eval_every``
is larger than ``--steps``, so the dlrepro loops evaluate once, after the last step; that one
evaluation (a forward pass over the 3,200 training examples) is inside the timing and is
negligible next to the training steps.

For (c) and (d) throughput is given in model-steps per second (steps x models), so their ratio
is the speed-up of batching. Usage::

    python benchmarks/train_throughput.py [--device auto|cpu|cuda] [--steps 500] [--threads N]
                                          [--json out.json]

On a CPU, a model this small is sensitive to thread oversubscription: when another process keeps
a core busy, every multi-threaded operation waits for it and a step can take 100x longer (seen
on a shared 2-core machine). So on the CPU the benchmark uses one torch thread unless
``--threads`` says otherwise (``--threads 0`` keeps torch's default); the count is printed and
recorded.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

import dlrepro
from dlrepro.data import mnist1d
from dlrepro.errors import DlreproError
from dlrepro.models import MLP, BatchedMLP
from dlrepro.run import resolve_device
from dlrepro.train import TrainConfig, train, train_batched

BATCH, LR, SEEDS, HIDDEN = 128, 1e-3, 8, [100, 100]


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def new_mlp(seed: int, device: torch.device) -> MLP:
    torch.manual_seed(seed)
    return MLP(40, HIDDEN, 10).to(device)


def dataloader_loop(x_cpu, y_cpu, steps: int, device: torch.device, seed: int) -> None:
    """(a) The textbook loop: DataLoader batches moved to the device every step."""
    model = new_mlp(seed, device)
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


def dlrepro_one(x, y, steps: int, device: torch.device, seed: int) -> None:
    """(b) dlrepro.train.train on device tensors."""
    config = TrainConfig(steps=steps, batch_size=BATCH, lr=LR, eval_every=steps + 1)
    train(new_mlp(seed, device), x, y, config, torch.Generator(device=device).manual_seed(seed))


def dlrepro_sequential(x, y, steps: int, device: torch.device, seed: int) -> None:
    """(c) SEEDS models, one after another."""
    for s in range(SEEDS):
        dlrepro_one(x, y, steps, device, seed + s)


def dlrepro_batched(x, y, steps: int, device: torch.device, seed: int) -> None:
    """(d) The same SEEDS models (same initializations, same batch orders) in one pass."""
    config = TrainConfig(steps=steps, batch_size=BATCH, lr=LR, eval_every=steps + 1)
    model = BatchedMLP.from_models([new_mlp(seed + s, device) for s in range(SEEDS)])
    generators = [torch.Generator(device=device).manual_seed(seed + s) for s in range(SEEDS)]
    train_batched(model, x, y, config, generators)


def best_times(variants, steps: int, warmup: int, repeats: int,
               device: torch.device) -> dict[str, float]:
    """Best time per variant; repeats are interleaved so that load changes hit all variants."""
    for _key, _, fn, fn_args, _ in variants:  # warm-up: lazy imports, allocator, kernels
        fn(*fn_args, warmup, device, 1000)
    sync(device)
    best = {key: float("inf") for key, *_ in variants}
    for r in range(repeats):
        for key, _, fn, fn_args, _ in variants:
            sync(device)
            start = time.perf_counter()
            fn(*fn_args, steps, device, r)
            sync(device)
            best[key] = min(best[key], time.perf_counter() - start)
    return best


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
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    try:
        device = resolve_device(args.device)
    except DlreproError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.steps < 1 or args.warmup < 1 or args.repeats < 1 or (args.threads or 0) < 0:
        print("error: --steps, --warmup and --repeats must be >= 1, --threads >= 0",
              file=sys.stderr)
        return 2
    threads = args.threads if args.threads is not None else (1 if device.type == "cpu" else 0)
    if threads:
        torch.set_num_threads(threads)

    data = mnist1d(4000)
    x_cpu, y_cpu = data.x_train, data.y_train
    x, y = x_cpu.to(device), y_cpu.to(device)
    variants = [
        ("a", "PyTorch loop + DataLoader (1 model)", dataloader_loop, (x_cpu, y_cpu), 1),
        ("b", "dlrepro.train.train (1 model)", dlrepro_one, (x, y), 1),
        ("c", f"dlrepro.train.train, {SEEDS} seeds one by one", dlrepro_sequential, (x, y),
         SEEDS),
        ("d", f"BatchedMLP + train_batched, {SEEDS} seeds", dlrepro_batched, (x, y), SEEDS),
    ]
    best = best_times(variants, args.steps, args.warmup, args.repeats, device)
    results = {}
    for key, label, _, _, models in variants:
        seconds = best[key]
        results[key] = {"label": label, "models": models, "seconds": seconds,
                        "steps_per_s": args.steps / seconds,
                        "model_steps_per_s": args.steps * models / seconds}

    ratios = {
        "dlrepro_vs_dataloader": results["b"]["steps_per_s"] / results["a"]["steps_per_s"],
        "batched_vs_sequential": (results["d"]["model_steps_per_s"]
                                  / results["c"]["model_steps_per_s"]),
    }
    print(f"MNIST-1D MLP 40-{'-'.join(map(str, HIDDEN))}-10, batch {BATCH}, Adam; "
          f"{args.steps} steps, best of {args.repeats}; device {device}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{'':2} {'variant':<44} {'time (s)':>9} {'steps/s':>9} {'model-steps/s':>14}")
    for key, r in results.items():
        print(f"{key:2} {r['label']:<44} {r['seconds']:9.3f} {r['steps_per_s']:9.0f} "
              f"{r['model_steps_per_s']:14.0f}")
    print(f"dlrepro loop vs DataLoader loop (b/a):        {ratios['dlrepro_vs_dataloader']:.2f}x")
    print(f"{SEEDS} batched vs {SEEDS} sequential (d/c, target >= 8x): "
          f"{ratios['batched_vs_sequential']:.2f}x")

    if args.json:
        payload = {
            "benchmark": "train_throughput", "dataset": "mnist1d(4000)",
            "model": f"MLP(40, {HIDDEN}, 10)", "batch_size": BATCH, "optimizer": "adam",
            "lr": LR, "seeds": SEEDS, "steps": args.steps, "warmup": args.warmup,
            "repeats": args.repeats, "device": str(device),
            "device_name": (torch.cuda.get_device_name(device) if device.type == "cuda"
                            else platform.processor() or platform.machine()),
            "threads": torch.get_num_threads(), "torch_version": torch.__version__,
            "library_version": dlrepro.__version__, "results": results, "ratios": ratios,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
