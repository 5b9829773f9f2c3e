"""dlrepro.cli: bad input exits 2 with an actionable message; list and scoreboard work.

No chapter is executed here (tests/test_chapters.py and tests/test_reproduce.py do that): every
`run` below stops at argument validation or runs a stand-in for papermill. A fake book root
(DLREPRO_ROOT) keeps these tests independent of the chapters being written.
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

from dlrepro import cli, engines
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


COMMON = 'profile = "quick"\nseed = 0\ndevice = "auto"\nsham = False\n'
LOTTERY_PARAMETERS = COMMON + """prune_hidden = 0.45  # a comment
rounds = 3
rewind = True
optimizer = "adam"
width = None
steps = 100
grid = (10**-2.5, 1.0)
"""


def write_notebook(path: Path, *markdown: str, parameters: str | None = None) -> None:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    if parameters is not None:
        notebook.cells.append(nbformat.v4.new_code_cell(parameters,
                                                        metadata={"tags": ["parameters"]}))
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
                   "Some preface, not a title.", "# The Lottery Ticket Hypothesis\n\nText.",
                   parameters=LOTTERY_PARAMETERS)
    write_notebook(root / "chapters/generalization/random_labels.ipynb", "## Only a subheading",
                   parameters=COMMON + "width = None\nsteps = None\nlr = 1e-3\n")
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
    (["run", "lottery_ticket", "-p", "profile", "smoke"], "use --profile"),
    (["run", "lottery_ticket", "-p", "seed", "1"], "use --seed"),
    (["run", "lottery_ticket", "-p", "sham", "true"], "use --sham"),
    (["run", "lottery_ticket", "--store", "-p", "rounds", "2"], "--store keeps"),
    (["run", "lottery_ticket", "-p", "rounds", "2", "-p", "rounds", "3"], "more than once"),
    (["run", "lottery_ticket", "random_labels", "-p", "rounds", "2"],
     "chapter 'random_labels' has no parameter 'rounds'"),
    (["run", "not_written_yet", "-p", "width", "2"], "no notebook yet"),
])
def test_run_other_bad_input(book, capsys, argv, needle):
    status, _, err = run_main(capsys, *argv)
    assert status == 2 and err.startswith("error: ") and needle in err


# --------------------------------------------------------------------------- run -p NAME VALUE


def test_chapter_parameters_are_read_from_the_parameters_cell(book):
    chapter = cli.find_chapters(book)[0]
    declared = chapter.parameters()
    assert list(declared) == ["profile", "seed", "device", "sham", "prune_hidden", "rounds",
                              "rewind", "optimizer", "width", "steps", "grid"]
    assert declared["prune_hidden"].default == 0.45 and declared["prune_hidden"].source == "0.45"
    assert declared["optimizer"].default == "adam" and declared["width"].default is None
    assert not declared["grid"].literal and declared["grid"].source == "(10**-2.5, 1.0)"


@pytest.fixture
def executed(monkeypatch):
    """Stand in for papermill: record each run's (chapter, parameters, sham); no record."""
    calls = []

    def fake_execute(chapter, parameters, target, results, sham):
        calls.append((chapter.name, parameters, sham))
        return None, 0.5

    monkeypatch.setattr(engines, "execute", fake_execute)
    return calls


def test_run_p_passes_values_of_the_defaults_types(book, capsys, executed):
    status, out, err = run_main(capsys, "run", "lottery_ticket", "--with-sham", "--seed", "2",
                                "-p", "rounds", "4", "-p", "rewind", "FALSE",
                                "-p", "prune_hidden", "1", "-p", "optimizer", "sgd",
                                "-p", "width", "64")
    assert status == 0, err
    knobs = {"rounds": 4, "rewind": False, "prune_hidden": 1.0, "optimizer": "sgd", "width": 64}
    common = {"profile": "quick", "seed": 2, "device": "auto"}
    assert executed == [("lottery_ticket", {**common, **knobs, "sham": True}, True),
                        ("lottery_ticket", {**common, **knobs}, False)]
    assert type(executed[1][1]["prune_hidden"]) is float  # 1.0, not 1
    assert "rounds=4  rewind=False" in out.splitlines()[-1]
    # Several chapters: each converts to its own default's type (int here, a literal there).
    executed.clear()
    status, _, err = run_main(capsys, "run", "lottery_ticket", "random_labels",
                              "-p", "steps", "64", "-p", "width", "[8, 16]")
    assert status == 0, err
    assert [(name, parameters["steps"], parameters["width"])
            for name, parameters, _ in executed] == [("lottery_ticket", 64, [8, 16]),
                                                     ("random_labels", 64, [8, 16])]
    status, _, err = run_main(capsys, "run", "random_labels", "lottery_ticket",
                              "-p", "steps", "1.5")
    assert status == 2 and "lottery_ticket's parameter 'steps' (default 100)" in err
    assert len(executed) == 2  # nothing ran: every chapter is checked first


@pytest.mark.parametrize("value", ["1", "0", "true", "False", "TRUE"])
def test_run_p_bool_spellings(book, capsys, executed, value):
    status, _, err = run_main(capsys, "run", "lottery_ticket", "-p", "rewind", value)
    assert status == 0, err
    assert executed[0][1]["rewind"] is (value.lower() in ("1", "true"))


def test_run_p_unknown_name_lists_the_chapters_parameters(book, capsys, executed):
    status, out, err = run_main(capsys, "run", "lottery_ticket", "-p", "nosuch", "1")
    assert status == 2 and out == "" and executed == []
    assert err.startswith("error: chapter 'lottery_ticket' has no parameter 'nosuch'")
    for line in ("  prune_hidden = 0.45", "  rounds = 3", "  rewind = True",
                 '  optimizer = "adam"', "  width = None", "  grid = (10**-2.5, 1.0)"):
        assert line + "\n" in err
    assert "  profile = " not in err and "--profile" in err and "Traceback" not in err


@pytest.mark.parametrize("name,value,expected", [
    ("rounds", "1.5", "expects an int"),
    ("rounds", "three", "expects an int"),
    ("rewind", "yes", "expects a bool: true, false, 1 or 0"),
    ("prune_hidden", "abc", "expects a float"),
    ("width", "abc", "expects a Python literal"),
    ("width", "(1, 2)", "write a tuple as a list"),
    ("grid", "[0.1, 1.0]", "cannot be set with -p"),
])
def test_run_p_wrong_type_exits_2(book, capsys, executed, name, value, expected):
    status, out, err = run_main(capsys, "run", "lottery_ticket", "-p", name, value)
    assert status == 2 and out == "" and executed == []
    assert err.startswith(f"error: -p {name} {value!r}: lottery_ticket's parameter {name!r}")
    assert expected in err and "Traceback" not in err


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


# --------------------------------------------------------------------------- reproduce


def toy_record(chapter: str, verdict: str, primary: str = "pass", profile: str = "smoke",
               seeds: int = 5) -> dict:
    return {"chapter": chapter, "verdict": verdict, "profile": profile,
            "seeds": list(range(seeds)), "chapter_hash": None, "primary": "p",
            "criteria": {"p": {"outcome": primary}}}


def test_check_table_compares_with_the_stored_verdicts(book):
    chapter = {name: cli.Chapter("demo", name, book / f"{name}.ipynb")
               for name in ("same", "changed", "new", "failed", "sham_failed", "silent")}
    outcomes = [
        cli.Outcome(chapter["same"], toy_record("same", "REPRODUCED"),
                    toy_record("same", "INCONCLUSIVE", "undecided"), 12.34),
        cli.Outcome(chapter["changed"], toy_record("changed", "REPRODUCED"),
                    toy_record("changed", "REPRODUCED"), 3.0),
        cli.Outcome(chapter["new"], toy_record("new", "INCONCLUSIVE"), None, 1.0),
        cli.Outcome(chapter["failed"], None, toy_record("failed", "NOT REPRODUCED", "FAIL"),
                    2.0, failed="run"),
        cli.Outcome(chapter["sham_failed"], None, None, 0.5, failed="sham"),
        cli.Outcome(chapter["silent"], None, None, 0.5),
    ]
    stored = {"same": toy_record("same", "REPRODUCED"),
              "changed": toy_record("changed", "NOT REPRODUCED", profile="quick"),
              "failed": toy_record("failed", "REPRODUCED"),
              "silent": toy_record("silent", "REPRODUCED", seeds=8)}
    lines = cli.check_table(outcomes, stored).splitlines()
    rows = [[cell for cell in line.split("  ") if cell] for line in lines[:7]]
    assert [cell.strip() for cell in rows[0]] == ["chapter", "verdict", "sham", "time",
                                                  "stored verdict"]
    assert [[cell.strip() for cell in row] for row in rows[1:]] == [
        ["same", "REPRODUCED", "undecided", "12.3 s", "same"],
        ["changed", "REPRODUCED", "pass", "3.0 s", "CHANGED (stored: NOT REPRODUCED)"],
        ["new", "INCONCLUSIVE", "-", "1.0 s", "no stored record"],
        ["failed", "FAILED", "FAIL", "2.0 s", "FAILED"],
        ["sham_failed", "FAILED", "FAILED", "0.5 s", "FAILED"],
        ["silent", "NO RECORD", "-", "0.5 s", "CHANGED (stored: REPRODUCED)"]]
    assert lines[7] == "1 same, 2 CHANGED, 1 no stored record, 2 FAILED"
    assert lines[8:] == ["note: a sham passed its primary (a defect of the rule; exit 1): changed",
                         "note: stored at profile quick, this run at smoke: changed"]


def test_reproduce_a_changed_verdict_leaves_the_exit_status(book, capsys, monkeypatch):
    """`reproduce` ends with the check table; a CHANGED verdict is shown and exits 0."""
    (book / "results").mkdir()
    (book / "results" / "lottery_ticket.json").write_text(
        json.dumps(toy_record("lottery_ticket", "NOT REPRODUCED", profile="quick")))

    def fake_execute(chapter, parameters, target, results, sham):
        return toy_record(chapter.name, "REPRODUCED", profile=parameters["profile"]), 1.0

    monkeypatch.setattr(engines, "execute", fake_execute)
    monkeypatch.setattr(cli, "_book", lambda args, executed=None: print("book: built") or 0)
    status, out, err = run_main(capsys, "reproduce", "--out", str(book / "out"))
    assert status == 0, err
    lines = out.splitlines()
    table = lines[lines.index("book: built") + 1:]
    assert table[0].split() == ["chapter", "verdict", "sham", "time", "stored", "verdict"]
    assert table[1].split() == ["lottery_ticket", "REPRODUCED", "-", "1.0", "s", "CHANGED",
                                "(stored:", "NOT", "REPRODUCED)"]
    assert table[2].startswith("random_labels") and table[2].endswith("no stored record")
    assert table[3].startswith("not_written_yet") and table[3].endswith("no stored record")
    assert table[4:] == ["1 CHANGED, 2 no stored record"]


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


def test_list_into_a_pipe_that_closes_early(tmp_path):
    """`python -m dlrepro list | head -1`: one line, nothing on stderr, status 1 (Python's on
    EPIPE). The listing (5000 chapters, about 270 kB) is longer than a pipe holds, so `head`
    exits while the listing is still being written: the write fails every time."""
    toc = {"format": "jb-book", "root": "intro", "parts": [{"caption": "Many", "chapters": [
        {"file": f"chapters/many/chapter_{i:05d}"} for i in range(5000)]}]}
    (tmp_path / "_toc.yml").write_text(yaml.safe_dump(toc))
    env = {**os.environ, "DLREPRO_ROOT": str(tmp_path), "PYTHON": sys.executable}
    done = subprocess.run(["bash", "-c", '"$PYTHON" -m dlrepro list | head -1; '
                           'echo "status ${PIPESTATUS[0]}"'],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.stderr == ""
    assert done.stdout.splitlines() == ["many/chapter_00000".ljust(40) + " chapter_00000",
                                        f"status {cli.BROKEN_PIPE_STATUS}"]
    assert cli.BROKEN_PIPE_STATUS == 1
