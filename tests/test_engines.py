"""Engines on a toy book: chapters in parallel local processes and on a real local Ray cluster
give the records of one local job; a failing chapter is reported and leaves no record; a worker
that dies is retried once, then reported."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_reproduce import PARAMETERS, TOY_CHAPTER, TOY_PARAMETERS
from toybook import toy_book

from dlrepro import cli
from dlrepro.engines import WORKER_DIED

#: Kills the process that runs it (papermill's, a worker's) on its first try, then runs as
#: the toy chapter does: a worker that dies once. Its marker file sits beside the notebook.
DIES_ONCE = """
import os, pathlib, signal
marker = pathlib.Path("{name}.tried")
if not marker.exists():
    marker.touch()
    os.kill(os.getppid(), signal.SIGKILL)
""" + TOY_CHAPTER.replace('"toy"', '"{name}"')
DIES_ALWAYS = "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"
#: What differs between two runs of one chapter that computed the same thing.
RUN_FIELDS = ("wall_time_s", "finished")


def _book(tmp_path: Path) -> Path:
    return toy_book(tmp_path, {
        "toy": (TOY_PARAMETERS, TOY_CHAPTER),
        "twin": (TOY_PARAMETERS, TOY_CHAPTER.replace('"toy"', '"twin"')),
        "broken": (PARAMETERS, "raise RuntimeError('boom')"),
        "flaky": (TOY_PARAMETERS, DIES_ONCE.replace("{name}", "flaky")),
        "doomed": (PARAMETERS, DIES_ALWAYS)})


def _records(results: Path) -> dict[str, dict]:
    found = {}
    for path in sorted(results.rglob("*.json")):
        record = json.loads(path.read_text())
        key = str(path.relative_to(results))
        found[key] = {k: v for k, v in record.items() if k not in RUN_FIELDS}
    return found


def _cli(monkeypatch, capsys, book: Path, *argv: str) -> tuple[int, str, str]:
    monkeypatch.setenv("DLREPRO_ROOT", str(book))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_unknown_engine_and_bad_jobs_are_clear_errors(tmp_path, monkeypatch, capsys):
    book = _book(tmp_path)
    status, _, err = _cli(monkeypatch, capsys, book, "run", "toy", "--jobs", "0")
    assert status == 2 and "--jobs must be a positive integer, got 0" in err
    status, _, err = _cli(monkeypatch, capsys, book, "run", "toy", "--engine", "ray",
                          "--jobs", "2")
    assert status == 2 and "--jobs is for the local engine" in err
    with pytest.raises(SystemExit) as exit_:
        cli.main(["run", "toy", "--engine", "spark"])
    assert exit_.value.code == 2 and "invalid choice: 'spark'" in capsys.readouterr().err


def _check_fault_handling(book: Path, out: Path, status: int, err: str) -> None:
    """broken fails with its error, flaky's worker died once and was retried, doomed's died
    twice: neither leaves a record; toy and twin have theirs."""
    assert status == 1
    assert "broken" in err and "boom" in err
    assert "doomed" in err and WORKER_DIED in err
    records = {p.name for p in (out / "results").glob("*.json")}
    assert records == {"toy.json", "twin.json", "flaky.json"}
    failures = {p.stem for p in (out / "results" / "failed").glob("*.json")}
    assert failures == {"broken", "doomed"}
    assert not list(out.rglob(".*.running.ipynb"))
    assert (book / "chapters" / "demo" / "flaky.tried").exists()


def test_local_jobs_give_the_records_of_one_job_and_survive_a_dying_worker(
        tmp_path, monkeypatch, capsys):
    book = _book(tmp_path)
    names = ("toy", "twin", "broken", "flaky", "doomed")
    status, _, err = _cli(monkeypatch, capsys, book, "run", *names, "--with-sham", "--profile",
                          "smoke", "--jobs", "2", "--out", str(tmp_path / "jobs2"))
    _check_fault_handling(book, tmp_path / "jobs2", status, err)
    # One job, in this process, for the chapters that can run here (the dying ones would kill
    # papermill's parent: this test).
    status, _, err = _cli(monkeypatch, capsys, book, "run", "toy", "twin", "flaky",
                          "--with-sham", "--profile", "smoke", "--out", str(tmp_path / "jobs1"))
    assert status == 0, err
    parallel, serial = _records(tmp_path / "jobs2" / "results"), _records(tmp_path / "jobs1"
                                                                          / "results")
    assert {k: v for k, v in parallel.items() if not k.startswith("failed")} == serial
    assert set(serial) == {"toy.json", "twin.json", "flaky.json", "sham/toy.json",
                           "sham/twin.json", "sham/flaky.json"}
    executed = tmp_path / "jobs2" / "chapters" / "demo"
    assert sorted(p.name for p in executed.glob("*.ipynb")) == ["flaky.ipynb", "toy.ipynb",
                                                                "twin.ipynb"]


def test_ray_engine_on_a_local_cluster(tmp_path):
    """A real local Ray cluster (started by the command, one CPU per task): the same records
    as the local engine, the same faults handled, the executed notebooks written here."""
    pytest.importorskip("ray")
    book = _book(tmp_path)
    env = dict(os.environ, DLREPRO_ROOT=str(book), OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-m", "dlrepro", "run", "toy", "twin", "broken",
                           "flaky", "doomed", "--with-sham", "--profile", "smoke", "--engine",
                           "ray", "--out", str(tmp_path / "ray")],
                          capture_output=True, text=True, env=env, timeout=600)
    _check_fault_handling(book, tmp_path / "ray", done.returncode, done.stderr)
    (book / "chapters" / "demo" / "flaky.tried").unlink()
    local = subprocess.run([sys.executable, "-m", "dlrepro", "run", "toy", "twin", "--with-sham",
                            "--profile", "smoke", "--out", str(tmp_path / "local")],
                           capture_output=True, text=True, env=env, timeout=600)
    assert local.returncode == 0, local.stderr
    on_ray = _records(tmp_path / "ray" / "results")
    assert {k: v for k, v in on_ray.items() if "flaky" not in k and not k.startswith("failed")} \
        == _records(tmp_path / "local" / "results")
    notebook = (tmp_path / "ray" / "chapters" / "demo" / "toy.ipynb").read_text()
    assert "verdict of this run: REPRODUCED" in notebook


def test_ctrl_c_cancels_the_workers_and_leaves_no_partial_record(tmp_path):
    """SIGINT to a driver of two local jobs, while both chapters sleep: exit 130, the workers
    and their kernels' runs stop, and no notebook or record is written."""
    slow = "import time\ntime.sleep(120)"
    book = toy_book(tmp_path, {"slow": (PARAMETERS, slow), "slower": (PARAMETERS, slow)})
    out = tmp_path / "out"
    env = dict(os.environ, DLREPRO_ROOT=str(book), OMP_NUM_THREADS="1")
    process = subprocess.Popen([sys.executable, "-m", "dlrepro", "run", "slow", "slower",
                                "--profile", "smoke", "--jobs", "2", "--out", str(out)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    private = Path(tempfile.gettempdir())
    before = set(private.glob("dlrepro-slow*"))
    deadline = time.monotonic() + 120
    while len(set(private.glob("dlrepro-slow*/.run0.running.ipynb"))) < 2 + len(before) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err
    assert not list(out.rglob("*.ipynb")) and not list(out.rglob("*.json"))
    time.sleep(2.0)  # the workers clean up after the driver has gone
    assert set(private.glob("dlrepro-slow*")) <= before, "a worker left its private directory"
