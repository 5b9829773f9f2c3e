"""dlrepro.cli: bad input exits 2 with an actionable message; list and scoreboard work.

No chapter is executed here (tests/test_chapters.py does that): every `run` below stops at
argument validation. A fake book root (DLREPRO_ROOT) keeps these tests independent of the
chapters being written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch
import yaml

from dlrepro import cli
from dlrepro.errors import ConfigError

TOC = {
    "format": "jb-book",
    "root": "intro",
    "parts": [
        {"caption": "Pruning", "chapters": [{"file": "chapters/pruning/lottery_ticket"}]},
        {"caption": "Generalization",
         "chapters": [{"file": "chapters/generalization/random_labels"},
                      {"file": "chapters/generalization/not_written_yet"}]},
        {"caption": "Results", "chapters": [{"file": "scoreboard"}]},
    ],
}
KNOWN = ["pruning/lottery_ticket", "generalization/random_labels",
         "generalization/not_written_yet"]


def write_notebook(path: Path, *markdown: str) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    notebook.cells.append(nbformat.v4.new_code_cell("raise RuntimeError('never executed here')"))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)


@pytest.fixture
def book(tmp_path, monkeypatch, isolated_env):
    """A tiny book: three chapters in the table of contents, two notebooks on disk."""
    root = tmp_path / "book"
    root.mkdir()
    (root / "_toc.yml").write_text(yaml.safe_dump(TOC))
    write_notebook(root / "chapters/pruning/lottery_ticket.ipynb",
                   "Some preface, not a title.", "# The Lottery Ticket Hypothesis\n\nText.")
    write_notebook(root / "chapters/generalization/random_labels.ipynb", "## Only a subheading")
    monkeypatch.setenv("DLREPRO_ROOT", str(root))
    return root


def run_main(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


# --------------------------------------------------------------------------- chapters


def test_find_chapters_follows_the_toc(book):
    chapters = cli.find_chapters(book)
    assert [f"{c.part}/{c.name}" for c in chapters] == KNOWN
    assert chapters[0].notebook == book / "chapters/pruning/lottery_ticket.ipynb"
    assert chapters[0].title == "The Lottery Ticket Hypothesis"
    assert chapters[1].title == "random_labels"  # no "# " heading: the name
    assert chapters[2].title == "not_written_yet"  # no notebook yet: the name
    with pytest.raises(ConfigError) as info:
        cli.find_chapters(book / "chapters")
    assert "DLREPRO_ROOT" in str(info.value)


def test_book_root_honours_environment(book):
    assert cli.book_root() == book.resolve()


def test_list_prints_every_chapter(book, capsys):
    status, out, err = run_main(capsys, "list")
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) == 3
    for line, name in zip(lines, KNOWN, strict=True):
        assert line.startswith(name)
    assert lines[0].split(None, 1)[1] == "The Lottery Ticket Hypothesis"


# --------------------------------------------------------------------------- run: bad input


def test_run_unknown_chapter_lists_known_chapters(book, capsys):
    status, out, err = run_main(capsys, "run", "nosuch")
    assert status == 2 and out == ""
    assert "nosuch" in err and "Known chapters" in err
    for name in KNOWN:
        assert name in err
    assert "Traceback" not in err


def test_run_unknown_chapter_in_the_real_book(capsys, monkeypatch):
    monkeypatch.delenv("DLREPRO_ROOT", raising=False)
    root = cli.book_root()
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    expected = [Path(entry["file"]).relative_to("chapters").as_posix()
                for part in toc.get("parts", []) for entry in part.get("chapters", [])
                if entry["file"].startswith("chapters/")]
    status, _, err = run_main(capsys, "run", "nosuch")
    assert status == 2
    assert len(expected) >= 1 and all(name in err for name in expected)


def test_run_unknown_profile(book, capsys):
    status, _, err = run_main(capsys, "run", "lottery_ticket", "--profile", "huge")
    assert status == 2
    assert "'huge'" in err and "smoke, quick, full" in err


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_run_cuda_without_cuda(book, capsys):
    status, _, err = run_main(capsys, "run", "lottery_ticket", "--device", "cuda")
    assert status == 2
    assert "no CUDA" in err and "--device cpu" in err


def test_run_unknown_device(book, capsys):
    status, _, err = run_main(capsys, "run", "lottery_ticket", "--device", "tpu")
    assert status == 2
    assert "'tpu'" in err and "auto, cpu, cuda" in err


@pytest.mark.parametrize("argv,needle", [
    (["run", "lottery_ticket", "--seed", "-1"], "--seed"),
    (["run"], "--all"),
    (["run", "lottery_ticket", "--all"], "--all"),
    (["run", "lottery_ticket", "--store", "--profile", "smoke"], "--store"),
    (["run", "lottery_ticket", "--store", "--sham"], "--store"),
    (["run", "lottery_ticket", "--sham", "--with-sham"], "--with-sham"),
])
def test_run_other_bad_input(book, capsys, argv, needle):
    status, _, err = run_main(capsys, *argv)
    assert status == 2 and err.startswith("error: ") and needle in err


def test_argparse_errors_exit_2(book, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["frobnicate"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "--seed", "one"])
    assert info.value.code == 2


# --------------------------------------------------------------------------- scoreboard


def fake_records(directory: Path) -> None:
    directory.mkdir(parents=True)
    for chapter, verdict, seeds in [("random_labels", "PARTLY REPRODUCED", 5),
                                    ("lottery_ticket", "REPRODUCED", 8)]:
        record = {"chapter": chapter, "verdict": verdict, "profile": "quick",
                  "seeds": list(range(seeds)), "device": "cpu", "wall_time_s": 42.0,
                  "paper_value": "x", "ours": "y", "paper": "Author (2019). Title.",
                  "primary": "p", "chapter_hash": "h",
                  "criteria": {"p": {"outcome": "pass", "primary": True,
                                     "claim_side": [0.0, float("inf")],
                                     "interval": {"estimate": 1.0, "low": 0.5, "high": 1.5}}}}
        (directory / f"{chapter}.json").write_text(json.dumps(record))


def test_scoreboard_prints_verdicts(book, capsys, tmp_path):
    fake_records(tmp_path / "records")
    page = tmp_path / "page" / "scoreboard.md"
    status, out, _ = run_main(capsys, "scoreboard", "--results", str(tmp_path / "records"),
                              "--markdown", str(page))
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[1].split()[:3] == ["lottery_ticket", "REPRODUCED", "pass"]
    assert lines[1].split()[5] == "8" and lines[1].endswith("42 s")
    assert lines[2].split()[:3] == ["random_labels", "PARTLY", "REPRODUCED"]
    assert "{bdg-success}`REPRODUCED`" in page.read_text()
    assert (page.parent / "scoreboard-primaries.png").exists()


def test_scoreboard_missing_directory(book, capsys, tmp_path):
    status, _, err = run_main(capsys, "scoreboard", "--results", str(tmp_path / "nothing"))
    assert status == 2 and "run chapters first" in err


def test_scoreboard_defaults_to_the_books_results(book, capsys):
    fake_records(book / "results")
    status, out, _ = run_main(capsys, "scoreboard")
    assert status == 0 and "lottery_ticket" in out and "random_labels" in out


# --------------------------------------------------------------------------- as a process


def python_m_dlrepro(root: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DLREPRO_ROOT": str(root), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "dlrepro", *argv], capture_output=True,
                          text=True, env=env, timeout=120)


def test_python_m_dlrepro_bad_input_exits_2_without_traceback(book):
    result = python_m_dlrepro(book, "run", "nosuch", "--profile", "smoke", "--device", "cpu")
    assert result.returncode == 2, result.stderr
    assert "generalization/random_labels" in result.stderr and "Traceback" not in result.stderr
    listing = python_m_dlrepro(book, "list")
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()] == KNOWN
