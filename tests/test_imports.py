"""What importing dlrepro costs: each module loads only the heavy packages it needs.

Every chapter run pays its imports in a fresh kernel, and every ``python -m dlrepro`` command
pays the command line's (``benchmarks/chapter_overhead.py`` measures both). Each check runs
in a fresh interpreter and reads ``sys.modules``, so a module-level import that creeps back in
fails here.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
import textwrap

import pytest
import torch


def fresh(code: str) -> str:
    """stdout of ``code`` run in a fresh interpreter."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("module,unwanted", [
    # The package itself: its version only.
    ("dlrepro", {"torch", "numpy", "scipy", "matplotlib", "IPython", "yaml"}),
    # The command line, the chapter registry and the run settings they read: a command that
    # runs chapters in kernels, lists them or builds the book needs no torch of its own.
    ("dlrepro.cli", {"torch", "numpy", "scipy", "matplotlib", "papermill", "IPython"}),
    ("dlrepro.run", {"torch", "numpy", "scipy", "matplotlib"}),
    # Data generators and the bundled digits only load when a dataset is asked for.
    ("dlrepro.data", {"scipy", "sklearn", "mnist1d", "matplotlib"}),
    ("dlrepro.train", {"scipy", "matplotlib", "IPython"}),
    ("dlrepro.claims", {"matplotlib", "sklearn", "mnist1d", "IPython"}),
])
def test_import_loads_no_unneeded_heavy_package(module, unwanted):
    loaded = fresh(f"""
        import sys
        import {module}
        print(" ".join(m for m in {sorted(unwanted)!r} if m in sys.modules))
    """).split()
    assert not loaded, f"import {module} loads {loaded}"


def test_start_on_the_cpu_is_deterministic_without_importing_the_compiler():
    out = fresh("""
        import sys
        import torch
        from dlrepro.run import start
        settings = {p: {"seeds": n} for p, n in (("smoke", 1), ("quick", 5), ("full", 8))}
        start("toy", "smoke", 0, "cpu", settings)
        print(torch.are_deterministic_algorithms_enabled(),
              torch.is_deterministic_algorithms_warn_only_enabled(),
              "torch._inductor" in sys.modules, "torch._dynamo" in sys.modules)
        import torch._inductor.config  # inductor, loaded later, starts deterministic too
        print(torch._inductor.config.deterministic)
    """)
    assert out.split() == ["True", "False", "False", "False", "True"]


def test_torch_use_deterministic_algorithms_sets_only_what_ours_sets():
    """dlrepro.run.use_deterministic_algorithms copies the two settings of torch's function; if
    a torch version makes that function do more, copy that too (or call it again)."""
    source = inspect.getsource(torch.use_deterministic_algorithms)
    body = source.split('"""')[-1]
    statements = {line.strip() for line in body.splitlines()
                  if line.strip() and not line.strip().startswith("#")}
    assert statements <= {
        "import torch._inductor.config as inductor_config",
        "inductor_config.deterministic = mode",
        "_C._set_deterministic_algorithms(mode, warn_only=warn_only)",
    }, statements
