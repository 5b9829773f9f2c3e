"""The fixed cost of one chapter run: what ``python -m dlrepro run`` pays besides the experiment.

Every chapter run starts a fresh ipykernel, imports torch, matplotlib, ipywidgets and the
dlrepro modules, seeds everything with ``dlrepro.run.start`` and has papermill write the
executed notebook; none of that depends on the experiment. The benchmark measures, on this
machine, the best of ``--repeats`` runs (repeats interleaved across variants: interference on a
shared machine only ever adds time) of:

  (a) the interpreter: ``python -c pass`` and ``python -c "import torch"``, as subprocesses;
  (b) imports, each in a fresh interpreter: ``import dlrepro``, every dlrepro module a chapter
      imports, the third-party packages chapters import themselves, and a chapter's whole
      import cell, and that cell followed by a chapter's data call (``data.mnist1d``,
      ``data.digits``) with its data already cached; for each, the heavy packages it pulls in
      (``sys.modules``); then, from ``python -X importtime`` runs of the import cell, the time
      per top-level package (the sum of its modules' own import times);
  (c) one chapter run through ``dlrepro.cli._execute``, the code path of ``dlrepro run``
      (papermill in a fresh kernel), of a generated notebook: a title, the install cell, a
      parameters cell, the import cell and a ``dlrepro.run.start`` cell as chapters have them,
      no experiment, padded with prose cells and a stored figure to a chapter's size (28 cells,
      0.3 MB). The run happens inside this process, as in ``run --all``, where the command's
      own start is paid once; papermill's per-cell timings split it into the import cell, the
      setup cell and the rest (kernel start and shutdown, papermill's reading, parameterizing
      and saving);
  (d) the same with a chapter's ending appended: a claim judged on made-up per-seed values,
      its record saved, the verdict glued and one small figure shown (the inline backend
      renders a PNG), which every chapter pays too;
  (e) the whole command for one chapter, ``python -m dlrepro run overhead_probe --profile
      quick``, as a subprocess, on a one-chapter book (``DLREPRO_ROOT``) holding the notebook
      of (c): (c) plus the command's own start (interpreter, ``dlrepro.cli``, papermill).

and prints each in seconds, with the projection "100 chapters: (c) x 100" (what ``run --all``
of a 100-chapter book pays besides the experiments; target: (c) <= 4 s, 100 chapters within
45 minutes at quick). Everything is written to a temporary directory that is removed at the
end (``DLREPRO_RESULTS`` points there, so nothing reaches ``results/``). Usage::

    python benchmarks/chapter_overhead.py [--repeats 5] [--parts abcde] [--json out.json]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

import dlrepro
from dlrepro.chapters import Chapter

TARGET_S, CHAPTERS, BUDGET_MIN = 4.0, 100, 45
NAME = "overhead_probe"
#: A chapter's shape (the stored notebooks have 24 to 36 cells and 0.2 to 0.9 MB).
CELLS, STORED_BYTES = 28, 300_000

#: The dlrepro modules chapters import (grep ``from dlrepro`` in chapters/), and the command line.
DLREPRO_MODULES = ["dlrepro", "dlrepro.errors", "dlrepro.explore", "dlrepro.glue",
                   "dlrepro.tuning", "dlrepro.run", "dlrepro.models", "dlrepro.data",
                   "dlrepro.train", "dlrepro.init", "dlrepro.diagnostics", "dlrepro.zeroth",
                   "dlrepro.optim", "dlrepro.curvature", "dlrepro.quantize", "dlrepro.prune",
                   "dlrepro.intervals", "dlrepro.claims", "dlrepro.plot", "dlrepro.cli"]
#: Third-party packages chapters import themselves.
THIRD_PARTY = ["numpy", "torch", "matplotlib.pyplot", "ipywidgets", "scipy.stats", "tqdm.auto"]
#: What a chapter's data call costs on top of the import cell, its data cached (the cache is
#: filled by the untimed warm-up): MNIST-1D (most chapters) and scikit-learn's digits.
DATA_CALLS = ["data.mnist1d(4000)", "data.digits()"]
#: The packages worth knowing about when a module pulls them in.
HEAVY = ["numpy", "torch", "scipy", "scipy.stats", "sklearn", "matplotlib", "matplotlib.pyplot",
         "mnist1d", "tqdm", "IPython", "ipywidgets", "yaml", "nbformat", "papermill",
         "torchvision"]

#: The union of the import cells of the chapters (lottery_ticket, adam, lsuv, ...).
IMPORT_CELL = """\
import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

import dlrepro.run
from dlrepro import data, init, models, optim, plot, prune, train
from dlrepro.claims import Check, Claim, Paper, mean_ci, non_inferiority, superiority
from dlrepro.errors import ConfigError
from dlrepro.explore import explore
from dlrepro.glue import glue
from dlrepro.tuning import tune
"""

INSTALL_CELL = """\
try:
    import dlrepro  # noqa: F401
except ImportError:
    pass
"""

PARAMETERS_CELL = """\
profile = "quick"  # smoke | quick | full
seed = 0
device = "auto"
sham = False
"""

SETUP_CELL = f"""\
SETTINGS = {{
    "smoke": dict(seeds=2, samples=2000, hidden=[32, 16], steps=60, batch=64, lr=3e-3),
    "quick": dict(seeds=5, samples=10000, hidden=[300, 100], steps=1000, batch=128, lr=3e-3),
    "full": dict(seeds=8, samples=20000, hidden=[300, 100], steps=6000, batch=60, lr=1.2e-3),
}}
run = dlrepro.run.start("{NAME}", profile, seed, device, SETTINGS, sham=sham)
cfg = run.settings
print(f"profile {{run.profile}}: seeds {{run.seeds}} on {{run.device}}; {{cfg}}")
"""

CLAIM_CELL = f"""\
claim = Claim(
    chapter="{NAME}",
    paper=Paper("A. Author", 2020, "A title", "A venue", "https://example.org"),
    statement="The method beats the control.",
    paper_value="method 0.9, control 0.8",
    primary=superiority("beats control", "method minus control above 0", "method", "control"),
    criteria=(non_inferiority("matches dense", "method at most 0.005 below dense", "method",
                              "dense", margin=0.005),),
    checks=(Check("learns", "the control is above chance", lambda e: e["control"].mean > 0.1),),
)
"""

VERDICT_CELLS = [
    """\
plot.use_style()
fig, ax = plt.subplots(figsize=(7, 3.5))
steps = np.arange(0, cfg.steps + 1, 50)
plot.seed_band(ax, steps, np.random.default_rng(0).random((len(run.seeds), len(steps))),
               "method", color=plot.ARM_COLORS["method"])
ax.legend()
plt.show()
""",
    """\
rng = np.random.default_rng(run.seed)
measurements = {"method": 0.9 + 0.01 * rng.standard_normal(len(run.seeds)),
                "control": 0.8 + 0.01 * rng.standard_normal(len(run.seeds)),
                "dense": 0.9 + 0.01 * rng.standard_normal(len(run.seeds))}
verdict = claim.judge(measurements, run)
verdict.save()
verdict.glue()
print(verdict)
""",
    """\
print(verdict.summary())
glue("steps", cfg.steps)
""",
]


def probe_notebook(with_verdict: bool) -> nbformat.NotebookNode:
    """A chapter notebook without its experiment (and, ``with_verdict``, with its ending), of a
    chapter's shape: :data:`CELLS` cells (papermill saves the notebook before and after every
    cell, markdown too), and a stored figure of :data:`STORED_BYTES` in the input (papermill
    reads and copies the stored outputs before it clears them)."""
    cells = [
        nbformat.v4.new_markdown_cell("# The fixed cost of a chapter run\n\nNo experiment."),
        nbformat.v4.new_code_cell(INSTALL_CELL),
        nbformat.v4.new_markdown_cell("## Parameters"),
        nbformat.v4.new_code_cell(PARAMETERS_CELL, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(IMPORT_CELL),
        nbformat.v4.new_code_cell(SETUP_CELL),
    ]
    if with_verdict:
        cells += [nbformat.v4.new_markdown_cell("## The rule"),
                  nbformat.v4.new_code_cell(CLAIM_CELL),
                  nbformat.v4.new_markdown_cell("## Results")]
        cells += [nbformat.v4.new_code_cell(source) for source in VERDICT_CELLS]
    prose = "A paragraph of the chapter's prose, as long as a typical one. " * 12
    cells += [nbformat.v4.new_markdown_cell(f"## Section {i}\n\n{prose}")
              for i in range(CELLS - len(cells))]
    figure = base64.b64encode(bytes(range(256)) * (STORED_BYTES * 3 // 4 // 256)).decode()
    cells[5].outputs = [nbformat.v4.new_output("display_data", data={
        "image/png": figure, "text/plain": "<Figure size 700x350 with 1 Axes>"})]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def best_of(variants: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Best time per variant, one untimed warm-up each (disk cache, bytecode), the repeats
    interleaved across variants. A variant that returns a float has timed itself (leaving out
    its own bookkeeping); else the call is timed."""
    for run in variants.values():
        run()
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(repeats):
        for key, run in variants.items():
            start = time.perf_counter()
            result = run()
            elapsed = result if isinstance(result, float) else time.perf_counter() - start
            best[key] = min(best[key], elapsed)
    return best


def python(code: str, env: dict[str, str]) -> Callable[[], str]:
    """A call that runs ``code`` in a fresh interpreter and returns its stdout."""
    def call() -> str:
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"python -c {code!r} failed:\n{done.stderr}")
        return done.stdout
    return call


def pulled_in(modules: str, env: dict[str, str]) -> list[str]:
    """The :data:`HEAVY` packages that importing ``modules`` (an import statement) loads."""
    code = (f"{modules}\nimport sys\n"
            f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))")
    return python(code, env)().split()


def interpreter_and_imports(env: dict[str, str], repeats: int,
                            parts: str) -> tuple[dict[str, dict], list[tuple[str, float]]]:
    """(a) and (b): seconds of each fresh interpreter and what it pulls in; (b) also gives the
    import time per top-level package of the import cell."""
    statements = {}
    if "a" in parts:
        statements |= {"python -c pass": "pass", "import torch": "import torch"}
    if "b" in parts:
        statements |= {f"import {m}": f"import {m}" for m in DLREPRO_MODULES + THIRD_PARTY
                       if m != "torch"}
        statements["the import cell"] = IMPORT_CELL
        statements |= {f"+ {call}": f"{IMPORT_CELL}\n{call}\n" for call in DATA_CALLS}
    best = best_of({key: python(code, env) for key, code in statements.items()}, repeats)
    rows = {key: {"seconds": best[key],
                  "pulls_in": pulled_in(code, env) if key != "python -c pass" else []}
            for key, code in statements.items()}
    by_package: list[tuple[str, float]] = []
    if "b" in parts:
        by_package = import_time_by_package(env)
    return rows, by_package


def import_time_by_package(env: dict[str, str]) -> list[tuple[str, float]]:
    """Seconds of the import cell per top-level package (own import times of its modules),
    from the least of ``-X importtime`` over three runs, per package."""
    totals: dict[str, float] = {}
    for attempt in range(3):
        done = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORT_CELL], env=env,
                              capture_output=True, text=True, check=True)
        run: dict[str, float] = {}
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
            if match:
                package = match.group(2).split(".")[0]
                run[package] = run.get(package, 0.0) + int(match.group(1)) / 1e6
        totals = run if attempt == 0 else {k: min(v, run.get(k, v)) for k, v in totals.items()}
    return sorted(totals.items(), key=lambda kv: -kv[1])


def chapter_runs(directory: Path, env: dict[str, str], repeats: int,
                 parts: str) -> dict[str, dict]:
    """(c), (d) and (e)."""
    from dlrepro.cli import _execute

    book = directory / "book"
    (book / "chapters" / "probe").mkdir(parents=True)
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nparts:\n  - caption: Probe\n"
                                   f"    chapters:\n      - file: chapters/probe/{NAME}\n")
    notebooks = {}
    for key, with_verdict in (("c", False), ("d", True)):
        path = directory / key / f"{NAME}.ipynb"
        path.parent.mkdir()
        nbformat.write(probe_notebook(with_verdict), path)
        notebooks[key] = path
    nbformat.write(probe_notebook(False), book / "chapters" / "probe" / f"{NAME}.ipynb")
    parameters = {"profile": "quick", "seed": 0, "device": "auto"}  # as dlrepro.cli._plan
    cells: dict[str, list[dict]] = {}

    def execute(key: str) -> Callable[[], float]:
        chapter = Chapter("probe", NAME, notebooks[key])
        out = directory / f"out-{key}"
        target = out / "chapters" / "probe" / f"{NAME}.ipynb"

        def call() -> float:
            start = time.perf_counter()
            _execute(chapter, parameters, target, out / "results", sham=False)
            wall = time.perf_counter() - start
            executed = nbformat.read(target, as_version=4)
            seconds = {c.source.strip(): c.metadata.papermill.get("duration") or 0.0
                       for c in executed.cells}
            ending = [CLAIM_CELL] + VERDICT_CELLS
            split = {"import cell": seconds[IMPORT_CELL.strip()],
                     "setup cell (dlrepro.run.start)": seconds[SETUP_CELL.strip()]}
            if key == "d":
                split["ending cells"] = sum(seconds[s.strip()] for s in ending)
            rest = wall - sum(split.values())
            split["the rest: kernel start/stop, papermill, markdown cells"] = rest
            cells.setdefault(key, []).append({"wall": wall, "split": split})
            return wall
        return call

    command_env = dict(env, DLREPRO_ROOT=str(book))

    def command() -> None:
        done = subprocess.run([sys.executable, "-m", "dlrepro", "run", NAME, "--profile", "quick",
                               "--out", str(directory / "out-e")], env=command_env,
                              capture_output=True, text=True, check=False)
        if done.returncode:
            raise RuntimeError(f"dlrepro run failed:\n{done.stdout}\n{done.stderr}")

    variants: dict[str, Callable[[], object]] = {}
    if "c" in parts:
        variants["c"] = execute("c")
    if "d" in parts:
        variants["d"] = execute("d")
    if "e" in parts:
        variants["e"] = command
    best = best_of(variants, repeats)
    results = {}
    for key, seconds in best.items():
        row: dict = {"seconds": seconds}
        if key in cells:  # papermill's cell timings split the fastest timed run
            row["cells"] = min(cells[key][1:], key=lambda r: r["wall"])["split"]
        results[key] = row
    return results


LABELS = {"c": "(c) one chapter, no experiment (dlrepro.cli._execute)",
          "d": "(d) (c) + claim, verdict, record, one figure",
          "e": "(e) python -m dlrepro run <chapter> (command start + (c))"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed repeats per measurement, best kept (default 5)")
    parser.add_argument("--parts", default="abcde",
                        help="which measurements, letters of the docstring (default abcde)")
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    if args.repeats < 1 or not set(args.parts) <= set("abcde") or not args.parts:
        parser.error("--repeats must be >= 1 and --parts a non-empty subset of abcde")

    print(f"python {platform.python_version()}, dlrepro {dlrepro.__version__}, "
          f"{os.cpu_count()} CPUs, best of {args.repeats}")
    with tempfile.TemporaryDirectory(prefix="dlrepro-overhead-") as tmp:
        directory = Path(tmp)
        env = dict(os.environ, DLREPRO_RESULTS=str(directory / "results"),
                   DLREPRO_CACHE=str(directory / "cache"))
        os.environ["DLREPRO_RESULTS"] = env["DLREPRO_RESULTS"]  # _execute sets its own too
        imports, by_package = interpreter_and_imports(env, args.repeats, args.parts)
        runs = chapter_runs(directory, env, args.repeats, args.parts)

    if imports:
        print(f"\n{'fresh interpreter':<28} {'time (s)':>9} {'extra':>8}  pulls in   (extra: over "
              f"`python -c pass`; in the + rows, over the import cell)")
        for key, row in imports.items():
            base = imports.get("the import cell" if key.startswith("+ ") else "python -c pass")
            over = f"{row['seconds'] - base['seconds']:8.3f}" if base else f"{'':8}"
            print(f"{key:<28} {row['seconds']:9.3f} {over}  {' '.join(row['pulls_in'])}")
    if by_package:
        print("\nimport cell, own import time per top-level package (python -X importtime):")
        for package, seconds in by_package[:15]:
            print(f"  {package:<26} {seconds:7.3f} s")
        rest = sum(s for _, s in by_package[15:])
        print(f"  {'(the rest)':<26} {rest:7.3f} s")
    if runs:
        print(f"\n{'chapter run':<58} {'time (s)':>9}")
        for key, row in runs.items():
            print(f"{LABELS[key]:<58} {row['seconds']:9.3f}")
            for part, seconds in row.get("cells", {}).items():
                print(f"    {part:<54} {seconds:9.3f}")
        fixed = runs.get("c", {}).get("seconds")
        if fixed is not None:
            total = CHAPTERS * fixed
            print(f"\n{CHAPTERS} chapters: fixed cost {fixed:.2f} s x {CHAPTERS} = {total:.0f} s "
                  f"({total / 60:.1f} min of the {BUDGET_MIN} min budget at quick); target "
                  f"<= {TARGET_S:.0f} s per chapter: {'met' if fixed <= TARGET_S else 'NOT met'}")

    if args.json:
        payload = {"python": platform.python_version(), "dlrepro": dlrepro.__version__,
                   "cpus": os.cpu_count(), "repeats": args.repeats,
                   "imports": imports, "import_cell_by_package": dict(by_package),
                   "chapter_runs": {LABELS[k]: v for k, v in runs.items()},
                   "projection_s": (CHAPTERS * runs["c"]["seconds"] if "c" in runs else None)}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
