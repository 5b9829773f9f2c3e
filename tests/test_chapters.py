"""Every chapter: anatomy, .py/.ipynb pairing, stored outputs, and a smoke run end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from dlrepro.chapters import find_chapters
from dlrepro.claims import NOT_REPRODUCED, PARTLY, REPRODUCED

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = find_chapters(ROOT)
IDS = [c.name for c in CHAPTERS]
SECTIONS = ["## The claim", "## Parameters", "## The rule", "## Setup", "## Experiment",
            "## Results", "## Verdict", "## Explore", "## Notes"]


def test_every_planned_chapter_is_in_the_toc():
    assert {
        "deep_linear_dynamics", "lsuv", "zero_init", "edge_of_chaos", "initial_guessing_bias",
        "adam", "lookahead", "gradient_noise", "batch_size_learning_rate", "adahessian",
        "zeroth_order",
        "lottery_ticket", "random_pruning", "signed_supermask", "second_order_pruning", "gptq",
        "data_diet",
        "random_labels",
    } <= set(IDS)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_py_and_ipynb_are_paired_and_in_sync(chapter):
    script = chapter.notebook.with_suffix(".py")
    assert script.exists() and chapter.notebook.exists()
    from_py = jupytext.read(script)
    from_nb = jupytext.read(chapter.notebook)
    assert "py:percent" in from_nb.metadata.get("jupytext", {}).get("formats", "")
    cells = lambda nb: [(c.cell_type, c.source.strip()) for c in nb.cells]  # noqa: E731
    assert cells(from_py) == cells(from_nb), "run `make sync` (jupytext --sync)"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_anatomy(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert markdown.lstrip().startswith("# "), "a chapter opens with its title"
    positions = [markdown.find(section) for section in SECTIONS]
    assert all(p >= 0 for p in positions), dict(zip(SECTIONS, positions))
    assert positions == sorted(positions), "sections out of order"
    assert "arxiv.org" in markdown or "doi.org" in markdown, "cite the paper with a link"
    parameters = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1
    source = parameters[0].source
    for line in ('profile = "quick"', "seed = ", 'device = "auto"'):
        assert line in source
    # papermill reads one assignment per line and skips (with a warning on every run) a line
    # holding a second "=", e.g. in its comment: keep "=" out of the parameters' comments.
    unreadable = [line for line in source.splitlines()
                  if not line.lstrip().startswith("#") and line.count("=") > 1]
    assert not unreadable, f"papermill cannot parse these parameter lines: {unreadable}"
    checked = [c for c in nb.cells if c.cell_type == "code"
               and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(checked) == 1 and "verdict.summary()" in checked[0].source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_stored_outputs_come_from_a_quick_run(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code), "store a full run: make store"
    images = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert images, "the stored notebook shows its figures"
    verdict_text = "".join(o.get("text", "") for c in code for o in c.outputs)
    assert "Verdict: " in verdict_text
    record = json.loads((ROOT / "results" / f"{chapter.name}.json").read_text())
    assert record["profile"] == "quick" and len(record["seeds"]) >= 3
    assert record["device"] == "cpu"
    assert f"Verdict: {record['verdict']}\n" in verdict_text, "record and notebook disagree"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_smoke_run_writes_a_record(chapter, tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    done = subprocess.run(
        [sys.executable, "-m", "dlrepro", "run", chapter.name, "--profile", "smoke",
         "--device", "cpu", "--out", str(tmp_path)],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert chapter.name in done.stdout
    record = json.loads((tmp_path / "results" / f"{chapter.name}.json").read_text())
    assert record["chapter"] == chapter.name and record["profile"] == "smoke"
    assert record["verdict"] in (REPRODUCED, PARTLY, NOT_REPRODUCED)
    assert record["device"] == "cpu" and record["wall_time_s"] > 0
    executed = nbformat.read(tmp_path / "chapters" / chapter.part / f"{chapter.name}.ipynb", 4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'profile = "smoke"' in injected[0].source
    assert not list(tmp_path.rglob(".*.running.ipynb")), "no partial notebook left behind"


def test_failed_run_leaves_no_partial_notebook(tmp_path):
    """A chapter that raises exits 1 and leaves neither notebook nor record, old or new."""
    book = tmp_path / "book"
    (book / "chapters" / "demo").mkdir(parents=True)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: Demo\n    chapters:\n"
        "      - file: chapters/demo/broken\n")
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Broken"),
        nbformat.v4.new_code_cell('profile = "quick"\nseed = 0\ndevice = "auto"',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("raise RuntimeError('boom')"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, book / "chapters" / "demo" / "broken.ipynb")
    out = tmp_path / "out"
    # Leftovers of an earlier, successful run must not pass for this run's results.
    (out / "results").mkdir(parents=True)
    (out / "results" / "broken.json").write_text('{"chapter": "broken", "verdict": "REPRODUCED"}')
    (out / "chapters" / "demo").mkdir(parents=True)
    nbformat.write(nb, out / "chapters" / "demo" / "broken.ipynb")
    done = subprocess.run([sys.executable, "-m", "dlrepro", "run", "broken", "--profile", "smoke",
                           "--out", str(out)], capture_output=True, text=True,
                          env=dict(os.environ, DLREPRO_ROOT=str(book)), timeout=300)
    assert done.returncode == 1
    assert "broken" in done.stderr and "FAILED" in done.stderr
    assert not list(out.rglob("*.ipynb")) and not list(out.rglob("*.json"))
