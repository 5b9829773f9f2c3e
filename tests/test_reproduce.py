"""The command line's user paths end to end, on a toy book: a failed run, a sham run (with
chapter parameters set by `-p`), storing, a run killed with SIGTERM, and `reproduce` with a
chapter that fails (the book and the scoreboard say so, rather than show the stored verdict) and
its check table against the stored verdicts."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from toybook import toy_book

from dlrepro.book import stage
from dlrepro.claims import REPRODUCED
from dlrepro.scoreboard import write_failure

PARAMETERS = 'profile = "quick"\nseed = 0\ndevice = "auto"\nsham = False'
#: The toy chapter's own knobs: whether its sham is honest, and the method's gain on the control.
TOY_PARAMETERS = f"{PARAMETERS}\nhonest = True\neffect = 0.1"
TOY_CHAPTER = """
import dlrepro.run
from dlrepro.claims import Claim, Paper, superiority
SETTINGS = {p: {"seeds": n} for p, n in (("smoke", 5), ("quick", 5), ("full", 8))}
run = dlrepro.run.start("toy", profile, seed, device, SETTINGS, sham=sham)
gain = 0.0 if (sham and honest) else effect
control = [0.5, 0.52, 0.51, 0.53, 0.49]
claim = Claim("toy", Paper("A", 2020, "T", "V", "https://arxiv.org/abs/0000.00000"), "s", "v",
              primary=superiority("beats", "gain above 0", "method", "control"))
verdict = claim.judge({"method": [c + gain for c in control], "control": control}, run)
verdict.save()
print("verdict of this run:", verdict.status)
"""
STORED_OUTPUT = "verdict of the stored run: NOT REPRODUCED"


def dlrepro(book: Path, *argv: str, timeout: int = 300) -> subprocess.CompletedProcess:
    env = dict(os.environ, DLREPRO_ROOT=str(book), OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "dlrepro", *argv], capture_output=True,
                          text=True, env=env, timeout=timeout)


def last_code_cell(nb):
    """The toy chapter's experiment cell (a markdown cell with its bibliography follows it)."""
    return [cell for cell in nb.cells if cell.cell_type == "code"][-1]


def with_stored_output(book: Path, name: str) -> None:
    """Give a toy chapter's stored notebook an output that no fresh run prints."""
    path = book / "chapters" / "demo" / f"{name}.ipynb"
    nb = nbformat.read(path, as_version=4)
    last_code_cell(nb).outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                         text=STORED_OUTPUT + "\n")]
    nbformat.write(nb, path)


def test_failed_run_leaves_no_partial_notebook_and_says_why(tmp_path):
    """A chapter that raises exits 1; it leaves neither notebook nor verdict, old or new, and
    a failure record with the error."""
    book = toy_book(tmp_path, {"broken": (PARAMETERS, "raise RuntimeError('boom')")})
    out = tmp_path / "out"
    # Leftovers of an earlier, successful run must not pass for this run's results.
    (out / "results").mkdir(parents=True)
    (out / "results" / "broken.json").write_text('{"chapter": "broken", "verdict": "REPRODUCED"}')
    (out / "chapters" / "demo").mkdir(parents=True)
    (out / "chapters" / "demo" / "broken.ipynb").write_text("{}")
    done = dlrepro(book, "run", "broken", "--profile", "smoke", "--out", str(out))
    assert done.returncode == 1
    assert "broken" in done.stderr and "FAILED" in done.stderr and "boom" in done.stderr
    assert not list(out.rglob("*.ipynb")) and not (out / "results" / "broken.json").exists()
    failure = json.loads((out / "results" / "failed" / "broken.json").read_text())
    assert failure["profile"] == "smoke" and not failure["sham"] and "boom" in failure["error"]


def gain(record: dict) -> float:
    """The primary's estimate: the toy method's gain over its control."""
    return record["criteria"][record["primary"]]["interval"]["estimate"]


@pytest.mark.parametrize("honest", [True, False])
def test_sham_run_goes_to_its_own_record_and_a_passing_sham_fails(tmp_path, honest):
    """`run --sham` injects sham = True; a sham that passes its primary exits 1, loudly. The
    dishonest sham is the chapter's own parameters set from the command line (`-p`), which
    reach both runs: the records show their values."""
    book = toy_book(tmp_path, {"toy": (TOY_PARAMETERS, TOY_CHAPTER)})
    out = tmp_path / "out"
    knobs = [] if honest else ["-p", "honest", "FALSE", "-p", "effect", "0.25"]
    done = dlrepro(book, "run", "toy", "--with-sham", "--profile", "smoke", "--out", str(out),
                   *knobs)
    sham = json.loads((out / "results" / "sham" / "toy.json").read_text())
    real = json.loads((out / "results" / "toy.json").read_text())
    assert sham["sham"] is True and real["sham"] is False and real["verdict"] == REPRODUCED
    assert gain(real) == pytest.approx(0.1 if honest else 0.25)
    assert gain(sham) == pytest.approx(0.0 if honest else 0.25)
    assert (out / "sham" / "chapters" / "demo" / "toy.ipynb").exists()
    if honest:
        assert done.returncode == 0, done.stderr
        assert sham["verdict"] == "INCONCLUSIVE" and "toy (sham)" in done.stdout
    else:
        assert done.returncode == 1
        assert sham["verdict"] == REPRODUCED and "SHAM PASSED THE PRIMARY" in done.stderr
        assert "honest=False  effect=0.25" in done.stdout


def test_store_runs_the_sham_then_stores_the_chapter_in_place(tmp_path):
    """`run --store` writes the outputs into the chapter's own notebook, without papermill's
    run metadata, and both records into the book's results/."""
    book = toy_book(tmp_path, {"toy": (TOY_PARAMETERS, TOY_CHAPTER)})
    with_stored_output(book, "toy")
    done = dlrepro(book, "run", "toy", "--store", "--out", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.index("toy (sham)") < done.stdout.index("toy  ")
    real = json.loads((book / "results" / "toy.json").read_text())
    sham = json.loads((book / "results" / "sham" / "toy.json").read_text())
    assert real["profile"] == sham["profile"] == "quick"
    assert real["chapter_hash"] == sham["chapter_hash"]
    assert (real["verdict"], sham["verdict"]) == (REPRODUCED, "INCONCLUSIVE")
    stored = (book / "chapters" / "demo" / "toy.ipynb").read_text()
    assert "verdict of this run: REPRODUCED" in stored and STORED_OUTPUT not in stored
    assert "papermill" not in stored and str(tmp_path) not in stored


def test_sigterm_leaves_no_partial_notebook(tmp_path):
    """A run killed with SIGTERM (a cluster's time limit) exits 143 and cleans up."""
    book = toy_book(tmp_path, {"slow": (PARAMETERS, "import time\ntime.sleep(120)")})
    out = tmp_path / "out"
    env = dict(os.environ, DLREPRO_ROOT=str(book), OMP_NUM_THREADS="1")
    process = subprocess.Popen([sys.executable, "-m", "dlrepro", "run", "slow", "--profile",
                                "smoke", "--out", str(out)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    running = out / "chapters" / "demo" / ".slow.running.ipynb"
    deadline = time.monotonic() + 120
    while not running.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert running.exists(), "the run never started"
    time.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 128 + signal.SIGTERM
    assert not list(out.rglob("*.ipynb")) and not list((out / "results").glob("*.json"))


def test_stage_prefers_executed_notebooks_and_replaces_failed_ones(tmp_path):
    """In a reproduce build the page of a chapter shows its executed notebook; a failed
    chapter's page says it failed and shows nothing of the stored run; a chapter not run at
    all shows its stored outputs under a warning."""
    book = toy_book(tmp_path, {name: (PARAMETERS, "print(1)") for name in ("ran", "failed",
                                                                              "skipped")})
    for name in ("ran", "failed", "skipped"):
        with_stored_output(book, name)
    executed = tmp_path / "executed"
    fresh = nbformat.read(book / "chapters" / "demo" / "ran.ipynb", as_version=4)
    last_code_cell(fresh).outputs = [nbformat.v4.new_output(
        "stream", name="stdout", text="verdict of this run: REPRODUCED\n")]
    (executed / "demo").mkdir(parents=True)
    nbformat.write(fresh, executed / "demo" / "ran.ipynb")
    results = tmp_path / "results"
    results.mkdir()
    write_failure(results, "failed", "smoke", False, "RuntimeError: boom")
    source = stage(book, tmp_path / "source", results, executed)
    page = {name: (source / "chapters" / "demo" / f"{name}.ipynb").read_text()
            for name in ("ran", "failed", "skipped")}
    assert "verdict of this run: REPRODUCED" in page["ran"] and STORED_OUTPUT not in page["ran"]
    assert "failed in this run" in page["failed"] and "RuntimeError: boom" in page["failed"]
    assert STORED_OUTPUT not in page["failed"] and "# Failed" in page["failed"]
    assert "Not run in this build" in page["skipped"] and STORED_OUTPUT in page["skipped"]
    scoreboard = (source / "scoreboard.md").read_text()
    row = next(line for line in scoreboard.splitlines() if "[Failed]" in line)
    assert "`FAILED`" in row and "RuntimeError: boom" in row
    # Without executed notebooks (`make book`) every page is the stored one, unchanged.
    source = stage(book, tmp_path / "plain", results)
    assert STORED_OUTPUT in (source / "chapters" / "demo" / "failed.ipynb").read_text()


def stored_record(book: Path, chapter: str, verdict: str, profile: str) -> None:
    """A record in the book's results/, as `run --store` leaves it (the fields compared)."""
    (book / "results").mkdir(exist_ok=True)
    record = {"chapter": chapter, "verdict": verdict, "profile": profile, "seeds": [0, 1, 2, 3, 4],
              "chapter_hash": None}
    (book / "results" / f"{chapter}.json").write_text(json.dumps(record))


def test_reproduce_end_to_end_with_a_failing_chapter(tmp_path):
    """`reproduce` at smoke: two chapters pass, one fails; it exits 1, and the built book's
    pages and scoreboard show this run's verdict and the failure, never the stored ones. It
    ends with the check table: one verdict as stored, one changed (its stored record tampered
    with), one failed."""
    book = toy_book(tmp_path, {"toy": (TOY_PARAMETERS, TOY_CHAPTER),
                               "twin": (TOY_PARAMETERS, TOY_CHAPTER.replace('"toy"', '"twin"')),
                               "broken": (PARAMETERS, "raise RuntimeError('boom')")})
    with_stored_output(book, "toy")
    with_stored_output(book, "broken")
    stored_record(book, "toy", REPRODUCED, "smoke")
    stored_record(book, "twin", "NOT REPRODUCED", "quick")
    stored_record(book, "broken", REPRODUCED, "smoke")
    out = tmp_path / "out"
    done = dlrepro(book, "reproduce", "--profile", "smoke", "--out", str(out), timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "broken" in done.stderr and "FAILED" in done.stderr
    lines = done.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("chapter "))
    assert lines[start - 1].startswith("book: ")  # the table comes last, after the book
    table = [re.split(r"\s{2,}", line) for line in lines[start:start + 4]]  # 2+ spaces apart
    assert [row[:3] + row[4:] for row in table] == [
        ["chapter", "verdict", "sham", "stored verdict"], ["toy", REPRODUCED, "-", "same"],
        ["twin", REPRODUCED, "-", "CHANGED (stored: NOT REPRODUCED)"],
        ["broken", "FAILED", "-", "FAILED"]]
    assert table[0][3] == "time" and all(float(row[3].removesuffix(" s")) > 0
                                         for row in table[1:])
    assert lines[start + 4:] == ["1 same, 1 CHANGED, 1 FAILED",
                                 "note: stored at profile quick, this run at smoke: twin"]
    html = out / "_build" / "html"
    toy = (html / "chapters" / "demo" / "toy.html").read_text()
    broken = (html / "chapters" / "demo" / "broken.html").read_text()
    scoreboard = (html / "scoreboard.html").read_text()
    assert "verdict of this run: REPRODUCED" in toy and STORED_OUTPUT not in toy
    assert "failed in this run" in broken and "boom" in broken and STORED_OUTPUT not in broken
    assert "FAILED" in scoreboard and "REPRODUCED" in scoreboard and "boom" in scoreboard
    assert json.loads((out / "results" / "toy.json").read_text())["profile"] == "smoke"
