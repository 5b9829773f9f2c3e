"""The command line: ``python -m dlrepro list | run | reproduce | book | scoreboard``.

``run`` executes chapter notebooks headless with papermill, injecting ``profile``, ``seed``
and ``device``; each executed notebook and its result record land under ``--out``. Bad input
(an unknown chapter, profile or device; CUDA asked for where there is none) exits with status 2
and a message that says what to do; a failed run exits 1 and leaves no partial notebook.
``run --sham`` runs a chapter with its method replaced by its control; a sham that passes its
primary exits 1.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from dlrepro.book import build, stage
from dlrepro.chapters import Chapter, book_root, find_chapters, find_parts, select
from dlrepro.errors import ConfigError, DlreproError
from dlrepro.files import strip_run_metadata
from dlrepro.run import DEVICES, PROFILES, resolve_device
from dlrepro.scoreboard import (
    as_text,
    load_failures,
    load_records,
    load_sham_records,
    write_failure,
    write_page,
)

__all__ = ["build_parser", "main", "Chapter", "book_root", "find_chapters"]


def _execute(chapter: Chapter, parameters: dict, target: Path, results: Path,
             sham: bool) -> tuple[dict | None, float]:
    """Run one notebook with papermill into ``target``; returns (its record, seconds).

    The notebook is written under a temporary name and renamed when the run succeeds; the
    chapter's previous record is removed first, so a failed run leaves neither.
    """
    import json

    import papermill

    target.parent.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.running.ipynb")
    record = results / ("sham" if sham else "") / f"{chapter.name}.json"
    record.unlink(missing_ok=True)  # a failed run must not leave an older verdict behind
    (results / "failed" / f"{chapter.name}.json").unlink(missing_ok=True)  # nor older failures
    if target != chapter.notebook:
        target.unlink(missing_ok=True)  # nor an older executed notebook for the book
    os.environ["DLREPRO_RESULTS"] = str(results.resolve())
    os.environ["DLREPRO_HEADLESS"] = "1"  # see dlrepro.explore
    started = time.perf_counter()
    try:
        # Under its temporary name the run shows from its start; the file holds the input
        # notebook until papermill writes the executed one over it, once, when the run ends.
        shutil.copyfile(chapter.notebook, tmp)
        papermill.execute_notebook(
            str(chapter.notebook), str(tmp), parameters=parameters,
            cwd=str(chapter.notebook.parent), progress_bar=False, log_output=False,
            kernel_name="python3",
            # papermill would write the whole notebook before and after every cell, markdown
            # too (about 55 writes, 0.5 s of a chapter's run), for a file read only once the
            # run has succeeded; a failed run's notebook is still written, and then removed.
            request_save_on_cell_execute=False,
            # When the last cell is done every output has arrived and every file a chapter
            # writes is closed (records are written atomically, in a cell), so the kernel is
            # killed rather than asked to exit: the graceful exit of a process holding torch
            # takes 1 s, a fifth of a chapter's fixed cost.
            shutdown_kernel="immediate",
            # The kernel's own log only ever says, for every chapter, that it listens on
            # localhost TCP and that it was interrupted at shutdown (jupyter_client interrupts
            # before it stops a kernel); a cell's error still reaches us as an exception.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if target == chapter.notebook:
        strip_run_metadata(tmp)
    os.replace(tmp, target)
    seconds = time.perf_counter() - started
    return (json.loads(record.read_text()) if record.exists() else None), seconds


def _report(chapter: Chapter, record: dict | None, profile: str, seconds: float,
            sham: bool) -> bool:
    """Print one line per run; False when a sham run passed its primary (a defect)."""
    verdict = record["verdict"] if record else "NO RECORD"
    label = f"{chapter.name} (sham)" if sham else chapter.name
    print(f"{label:<34} {verdict:<18} {profile:<6} {seconds:6.1f} s", flush=True)
    if sham and record:
        from dlrepro.claims import PASS  # torch and scipy, which only a sham's report needs

        if record["criteria"][record["primary"]]["outcome"] == PASS:
            print(f"{label}: SHAM PASSED THE PRIMARY {record['primary']!r}: the verdict does "
                  f"not depend on the method; fix the chapter's rule", file=sys.stderr)
            return False
    return True


def _plan(chapter: Chapter, args: argparse.Namespace, out: Path) -> list[tuple]:
    """The runs of one chapter: (parameters, executed notebook, results directory, sham)."""
    executed = Path("chapters") / chapter.part / f"{chapter.name}.ipynb"
    if args.store:  # the sham first, so that the stored run's verdict box reads its outcome
        results = book_root() / "results"
        return [({"sham": True}, out / "sham" / executed, results, True),
                ({}, chapter.notebook, results, False)]
    parameters = {"profile": args.profile, "seed": args.seed, "device": args.device}
    sham = ({**parameters, "sham": True}, out / "sham" / executed, out / "results", True)
    real = (parameters, out / executed, out / "results", False)
    if args.sham:
        return [sham]
    return [sham, real] if args.with_sham else [real]


def _run(args: argparse.Namespace) -> int:
    if args.profile not in PROFILES:
        raise ConfigError(f"unknown profile {args.profile!r}; choose one of: {', '.join(PROFILES)}")
    if args.device not in ("auto", "cpu"):  # an unknown name, or "cuda": torch looks for a GPU
        resolve_device(args.device)  # (the chapter's kernel resolves the device it runs on)
    if args.seed < 0:
        raise ConfigError(f"--seed must be a non-negative integer, got {args.seed}")
    if args.store and (args.profile != "quick" or args.seed != 0 or args.device != "auto"
                       or args.sham or args.with_sham):
        raise ConfigError("--store keeps the stored outputs at their defaults and stores the "
                          "sham run too: drop --profile, --seed, --device and --sham")
    if args.sham and args.with_sham:
        raise ConfigError("--sham runs the sham alone, --with-sham runs it before the chapter: "
                          "pass one of them")
    chapters = find_chapters(book_root())
    if args.all == bool(args.chapters):
        raise ConfigError("name one or more chapters, or pass --all (see `python -m dlrepro list`)")
    selected = chapters if args.all else select(chapters, args.chapters)
    out = Path(args.out).resolve()
    failed = 0
    for chapter in selected:
        for parameters, target, results, sham in _plan(chapter, args, out):
            try:
                record, seconds = _execute(chapter, parameters, target, results, sham)
            except Exception as error:  # papermill reports the failing cell and its exception
                failed += 1
                summary = str(error).strip().splitlines()
                label = f"{chapter.name} (sham)" if sham else chapter.name
                reason = summary[-1] if summary else type(error).__name__
                print(f"{label:<34} FAILED  {reason}", file=sys.stderr)
                if not args.store:  # the book and the scoreboard of this run say so
                    write_failure(results, chapter.name, args.profile, sham, reason)
                break
            failed += not _report(chapter, record, args.profile, seconds, sham)
    return 1 if failed else 0


def _scoreboard(args: argparse.Namespace) -> int:
    directory = Path(args.results) if args.results else book_root() / "results"
    if not directory.is_dir():
        raise ConfigError(f"no results directory {directory}: run chapters first "
                          f"(`python -m dlrepro run --all`)")
    print(as_text(load_records(directory), load_sham_records(directory),
                  load_failures(directory)))
    if args.markdown:
        write_page(directory, Path(args.markdown), find_parts(book_root()))
    return 0


def _book(args: argparse.Namespace, executed: Path | None = None) -> int:
    root = book_root()
    out = Path(args.out).resolve()
    results = Path(args.results).resolve() if args.results else root / "results"
    source = stage(root, out / "source", results, executed)
    try:
        print(f"book: {build(source, out)}")
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _reproduce(args: argparse.Namespace) -> int:
    """Run every chapter, then build the scoreboard and the book from the executed notebooks."""
    out = Path(args.out).resolve()
    args.chapters, args.all, args.store, args.sham = [], True, False, False
    status = _run(args)
    results = out / "results"
    print(as_text(load_records(results), load_sham_records(results), load_failures(results)))
    args.results = str(out / "results")
    return _book(args, executed=out / "chapters") or status


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dlrepro",
                                     description="Deep Learning, Reproduced: run chapters, "
                                                 "read verdicts.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the chapters")

    def execution_options(p: argparse.ArgumentParser, default_out: str) -> None:
        p.add_argument("--profile", default="quick",
                       help=f"one of {', '.join(PROFILES)} (default quick)")
        p.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
        p.add_argument("--device", default="auto", help=f"one of {', '.join(DEVICES)}")
        p.add_argument("--out", default=str(book_root() / "_build" / default_out),
                       help="where executed notebooks and results go")

    run = commands.add_parser("run", help="execute chapters headless and write their records")
    run.add_argument("chapters", nargs="*", help="chapter names (see `list`)")
    run.add_argument("--all", action="store_true", help="run every chapter")
    run.add_argument("--store", action="store_true",
                     help="authors: run at quick and store outputs in the chapter's own notebook "
                          "and its record in results/, after a sham run whose record goes to "
                          "results/sham/")
    run.add_argument("--with-sham", action="store_true",
                     help="run each chapter's sham first, then the chapter")
    run.add_argument("--sham", action="store_true",
                     help="replace each chapter's method by its control (sham = True); the "
                          "record goes to <out>/results/sham/ and must not pass its primary")
    execution_options(run, "runs")

    reproduce = commands.add_parser("reproduce", help="run every chapter and build the book")
    execution_options(reproduce, "reproduce")
    reproduce.add_argument("--with-sham", action="store_true",
                           help="run each chapter's sham first (twice the time), so that "
                                "every verdict shows its own sham's outcome")

    book = commands.add_parser("book", help="build the HTML book from the stored notebooks")
    book.add_argument("--results", help="directory of records (default: results/)")
    book.add_argument("--out", default=str(book_root() / "_build" / "book"),
                      help="where the staged sources and _build/html go")

    board = commands.add_parser("scoreboard", help="print the verdicts of stored records")
    board.add_argument("--results", help="directory of records (default: results/)")
    board.add_argument("--markdown", help="also write the scoreboard page to this file (its "
                                          "figure goes beside it)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "list":
            for chapter in find_chapters(book_root()):
                print(f"{chapter.part + '/' + chapter.name:<40} {chapter.title}")
            return 0
        if args.command == "run":
            return _run(args)
        if args.command == "reproduce":
            return _reproduce(args)
        if args.command == "book":
            return _book(args)
        return _scoreboard(args)
    except DlreproError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
