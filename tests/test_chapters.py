"""Every chapter: anatomy, .py/.ipynb pairing, stored outputs, and a smoke run end to end."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

from dlrepro.chapters import find_chapters
from dlrepro.claims import PASS, REPRODUCED, VERDICTS
from dlrepro.run import MIN_SEEDS

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = find_chapters(ROOT)
IDS = [c.name for c in CHAPTERS]
SECTIONS = ["## The claim", "## Parameters", "## The rule", "## Setup", "## Experiment",
            "## Results", "## Verdict", "## Explore", "## Notes"]


def test_every_chapter_on_disk_is_in_the_toc():
    on_disk = {p.stem for p in (ROOT / "chapters").glob("*/*.ipynb")}
    assert len(on_disk) == 27 and on_disk == set(IDS)


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
    for line in ('profile = "quick"', "seed = ", 'device = "auto"', "sham = False"):
        assert line in source, f"the parameters cell needs {line!r}"
    # papermill reads one assignment per line and skips (with a warning on every run) a line
    # holding a second "=", e.g. in its comment: keep "=" out of the parameters' comments.
    unreadable = [line for line in source.splitlines()
                  if not line.lstrip().startswith("#") and line.count("=") > 1]
    assert not unreadable, f"papermill cannot parse these parameter lines: {unreadable}"
    checked = [c for c in nb.cells if c.cell_type == "code"
               and c.source.startswith("# NBVAL_CHECK_OUTPUT")]
    assert len(checked) == 1 and "verdict.summary()" in checked[0].source


VERDICT_BOX = "```{glue:md} verdict_box\n:format: myst\n```"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_code_is_collapsed_on_the_page_but_the_knobs_are_not(chapter):
    """The rendered page reads as prose: every code cell but the parameters cell carries
    ``hide-input`` (its input behind a toggle, its output shown)."""
    nb = nbformat.read(chapter.notebook, as_version=4)
    for cell in (c for c in nb.cells if c.cell_type == "code"):
        tags = cell.metadata.get("tags", [])
        assert ("hide-input" in tags) != ("parameters" in tags), (tags, cell.source[:60])


def _install_cell(chapter) -> str:
    """The chapter's first code cell (installs dlrepro in Colab) as Python, magics expanded."""
    from IPython.core.inputtransformer2 import TransformerManager

    nb = nbformat.read(chapter.notebook, as_version=4)
    source = next(c.source for c in nb.cells if c.cell_type == "code")
    assert "import dlrepro" in source
    return TransformerManager().transform_cell(source)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_a_kernel_without_dlrepro_says_how_to_get_it(chapter, monkeypatch):
    """Outside Colab the first cell stops with the command that fixes the kernel; in Colab it
    installs dlrepro from the book's repository (a stand-in records the %pip call)."""
    code = _install_cell(chapter)
    monkeypatch.setitem(sys.modules, "dlrepro", None)  # `import dlrepro` raises ImportError
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    calls = []
    shell = type("Shell", (), {"run_line_magic": lambda self, *a: calls.append(a)})()
    with pytest.raises(ImportError, match="make lab"):
        exec(code, {"get_ipython": lambda: shell})
    assert calls == []
    monkeypatch.setitem(sys.modules, "google.colab", type(sys)("google.colab"))
    exec(code, {"get_ipython": lambda: shell})
    assert [name for name, _ in calls] == ["pip"]
    assert "git+https://github.com/dlrepro/deep-learning-reproduced" in calls[0][1]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_verdict_box_sits_right_after_the_citation(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    markdown = [c.source for c in nb.cells if c.cell_type == "markdown"]
    boxes = [i for i, text in enumerate(markdown) if VERDICT_BOX in text]
    claim = next(i for i, text in enumerate(markdown) if "## The claim" in text)
    assert len(boxes) == 1 and boxes[0] < claim, "the verdict box comes before The claim"
    glued = {o.get("metadata", {}).get("scrapbook", {}).get("name")
             for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])}
    assert {"verdict_box", "verdict"} <= glued, "call verdict.glue() in the Verdict section"


# A measured number typed into the prose would drift from the outputs at the next re-store:
# the discussion of the run (between "## Verdict" and "## Explore") reads its numbers through
# {glue:text}. Decimals with two or more digits after the point are the tell-tale.
TYPED_NUMBER = re.compile(r"(?<![\w.])[-+]?\d+\.\d{2,}")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_prose_reads_the_runs_numbers_through_glue(chapter):
    nb = nbformat.read(chapter.notebook, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    discussion = markdown[markdown.index("## Verdict"):markdown.index("## Explore")]
    assert "{glue:text}" in discussion, "glue the run's numbers into the discussion"
    outside_roles = re.sub(r"\{glue:text\}`[^`]*`", "", discussion)
    typed = TYPED_NUMBER.findall(outside_roles)
    assert not typed, f"hand-typed numbers in the discussion of the run: {typed}"


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
    assert record["profile"] == "quick" and len(record["seeds"]) >= MIN_SEEDS["quick"]
    assert record["device"] == "cpu" and record["sham"] is False
    assert f"Verdict: {record['verdict']}\n" in verdict_text, "record and notebook disagree"
    assert record["chapter_hash"] == script_hash(chapter), "stale record: make store NAME=..."


def script_hash(chapter) -> str:
    return hashlib.sha256(chapter.notebook.with_suffix(".py").read_bytes()).hexdigest()


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_stored_sham_run_does_not_pass(chapter):
    """The method replaced by its control must not pass the primary criterion."""
    path = ROOT / "results" / "sham" / f"{chapter.name}.json"
    assert path.exists(), f"no stored sham run: make store NAME={chapter.name}"
    record = json.loads(path.read_text())
    assert record["sham"] is True and record["profile"] == "quick"
    assert len(record["seeds"]) >= MIN_SEEDS["quick"]
    assert record["chapter_hash"] == script_hash(chapter), "stale sham record: make store"
    assert record["verdict"] != REPRODUCED
    assert record["criteria"][record["primary"]]["outcome"] != PASS, "the sham passes"


ABSOLUTE_PATH = re.compile(r"(?<![\w.~])/(?:home|Users|work|tmp|root|opt|usr|var|mnt)/")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=IDS)
def test_stored_notebook_holds_no_absolute_path_or_run_metadata(chapter):
    text = chapter.notebook.read_text()
    found = ABSOLUTE_PATH.findall(text)
    assert not found, f"absolute paths in the stored notebook: {set(found)}"
    nb = nbformat.read(chapter.notebook, as_version=4)
    assert "papermill" not in nb.metadata
    assert not any("papermill" in c.metadata or "execution" in c.metadata for c in nb.cells)


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
    assert record["verdict"] in VERDICTS
    assert record["device"] == "cpu" and record["wall_time_s"] > 0
    executed = nbformat.read(tmp_path / "chapters" / chapter.part / f"{chapter.name}.ipynb", 4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and 'profile = "smoke"' in injected[0].source
    assert not list(tmp_path.rglob(".*.running.ipynb")), "no partial notebook left behind"
