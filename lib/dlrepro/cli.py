"""The command line: ``python -m dlrepro list | run | reproduce | sweep | book | scoreboard``.

``run`` executes chapter notebooks headless with papermill, injecting ``profile``, ``seed``
and ``device``; each executed notebook and its result record land under ``--out``. Bad input
(an unknown chapter, profile or device; CUDA asked for where there is none) exits with status 2
and a message that says what to do; a failed run exits 1 and leaves no partial notebook.
``run --sham`` runs a chapter with its method replaced by its control; a sham that passes its
primary exits 1. ``run -p NAME VALUE`` sets one of the chapter's own parameters (a name of its
``parameters`` cell), VALUE converted to the type of the default. ``reproduce`` ends with a
table that compares every verdict with the stored one in the book's ``results/``.

Output into a closed pipe (``python -m dlrepro list | head -1``) ends the command quietly with
status 1, as https://docs.python.org/3/library/signal.html#note-on-sigpipe recommends.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dlrepro.book import build, stage
from dlrepro.chapters import Chapter, Parameter, book_root, find_chapters, find_parts, select
from dlrepro.engines import ENGINES, Step, StepResult, Task, run_tasks
from dlrepro.errors import ConfigError, DlreproError
from dlrepro.files import write_text_atomic
from dlrepro.run import DEVICES, PROFILES, resolve_device
from dlrepro.scoreboard import (
    as_text,
    load_failures,
    load_records,
    load_sham_records,
    primary_outcome,
    write_failure,
    write_page,
)

__all__ = ["build_parser", "main", "Chapter", "book_root", "find_chapters", "convert",
           "Outcome", "check_table", "BROKEN_PIPE_STATUS", "INTERRUPTED_STATUS"]

#: Parameters that every chapter has and that have options of their own.
OWN_OPTIONS = {"profile": "--profile", "seed": "--seed", "device": "--device",
               "sham": "--sham or --with-sham"}
#: The exit status when stdout is a pipe whose reader has gone (Python's own on EPIPE).
BROKEN_PIPE_STATUS = 1
#: The exit status after Ctrl-C, as a shell reports a process ended by SIGINT.
INTERRUPTED_STATUS = 130
#: Types that papermill writes into a notebook as Python (a tuple becomes a string).
_PASSABLE = "bool, int, float, str, None, list or dict"


def _passable(value: object) -> bool:
    if value is None or isinstance(value, (bool, int, float, str)):
        return True
    if isinstance(value, list):
        return all(_passable(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _passable(v) for k, v in value.items())
    return False


def convert(chapter: Chapter, parameter: Parameter, text: str) -> object:
    """``text`` from ``-p NAME TEXT`` as a value of the type of the parameter's default.

    bool: true, false, 1 or 0 (any case); int: an integer ("1.5" is refused); float: any number;
    str: the text. A default of None, a list or a dict takes a Python literal (``64``,
    ``"[2, 5]"``, ``"'adam'"``), a list or dict one of the same type. Anything else raises
    :class:`ConfigError` naming the parameter and the type expected.
    """
    where = (f"-p {parameter.name} {text!r}: {chapter.name}'s parameter {parameter.name!r} "
             f"(default {parameter.source})")
    kind = type(parameter.default)
    if not parameter.literal or kind not in (bool, int, float, str, type(None), list, dict):
        what = f"a {kind.__name__}" if parameter.literal else "an expression"
        raise ConfigError(f"{where} cannot be set with -p: papermill passes a {_PASSABLE}, and "
                          f"this default is {what}; change it in the chapter's Parameters cell")
    if kind is bool:
        value = {"true": True, "1": True, "false": False, "0": False}.get(text.strip().lower())
        if value is None:
            raise ConfigError(f"{where} expects a bool: true, false, 1 or 0")
        return value
    if kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            raise ConfigError(f"{where} expects {'an int' if kind is int else 'a float'}") from None
    if kind is str:
        return text
    try:
        value = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        value = ...
    wanted = {list: "a list, e.g. \"[2, 5]\"", dict: "a dict, e.g. \"{'a': 1}\""}.get(
        kind, "a Python literal: a number, a quoted string (\"'adam'\"), a list or None")
    if value is ... or (kind is not type(None) and not isinstance(value, kind)):
        raise ConfigError(f"{where} expects {wanted}")
    if not _passable(value):
        raise ConfigError(f"{where}: papermill passes a {_PASSABLE} (lists and dicts of those), "
                          f"not {text}; write a tuple as a list")
    return value


def _knobs(chapters: list[Chapter], pairs: list[list[str]]) -> dict[str, dict]:
    """``-p`` pairs as each chapter's typed values; every chapter must have every name."""
    names = [name for name, _ in pairs]
    for name in names:
        if name in OWN_OPTIONS:
            raise ConfigError(f"-p {name}: use {OWN_OPTIONS[name]} ({name} has its own "
                              f"option)")
        if names.count(name) > 1:
            raise ConfigError(f"-p {name} is given more than once")
    knobs = {}
    for chapter in chapters:
        declared = chapter.parameters() if pairs else {}
        knobs[chapter.name] = {name: convert(chapter, _declared(chapter, declared, name), text)
                               for name, text in pairs}
    return knobs


def _declared(chapter: Chapter, declared: dict[str, Parameter], name: str) -> Parameter:
    """The parameter ``name`` of ``chapter``; else an error listing the ones it has."""
    if name not in declared:
        listing = "\n".join(f"  {p.name} = {p.source}" for p in declared.values()
                            if p.name not in OWN_OPTIONS) or "  (none)"
        raise ConfigError(
            f"chapter {chapter.name!r} has no parameter {name!r}. Its parameters "
            f"(-p NAME VALUE), with their defaults:\n{listing}\nprofile, seed, device "
            f"and sham have their own options (--profile, --seed, --device, --sham)")
    return declared[name]


def _report(chapter: Chapter, record: dict | None, profile: str, seconds: float,
            sham: bool, knobs: dict | None = None) -> bool:
    """Print one line per run; False when a sham run passed its primary (a defect)."""
    verdict = record["verdict"] if record else "NO RECORD"
    label = f"{chapter.name} (sham)" if sham else chapter.name
    set_here = "".join(f"  {name}={value!r}" for name, value in (knobs or {}).items())
    print(f"{label:<34} {verdict:<18} {profile:<6} {seconds:6.1f} s{set_here}", flush=True)
    if sham and record:
        from dlrepro.claims import PASS  # torch and scipy, which only a sham's report needs

        if record["criteria"][record["primary"]]["outcome"] == PASS:
            print(f"{label}: SHAM PASSED THE PRIMARY {record['primary']!r}: the verdict does "
                  f"not depend on the method; fix the chapter's rule", file=sys.stderr)
            return False
    return True


def _plan(chapter: Chapter, args: argparse.Namespace, out: Path,
          knobs: dict | None = None) -> list[tuple]:
    """The runs of one chapter: (parameters, executed notebook, results directory, sham);
    ``knobs`` (from ``-p``) go to both the chapter and its sham."""
    executed = Path("chapters") / chapter.part / f"{chapter.name}.ipynb"
    if args.store:  # the sham first, so that the stored run's verdict box reads its outcome
        results = book_root() / "results"
        return [({"sham": True}, out / "sham" / executed, results, True),
                ({}, chapter.notebook, results, False)]
    parameters = {"profile": args.profile, "seed": args.seed, "device": args.device,
                  **(knobs or {})}
    sham = ({**parameters, "sham": True}, out / "sham" / executed, out / "results", True)
    real = (parameters, out / executed, out / "results", False)
    if args.sham:
        return [sham]
    return [sham, real] if args.with_sham else [real]


@dataclass
class Outcome:
    """What the runs of one chapter gave: its record, its sham's, their seconds, which run
    raised (``"run"`` or ``"sham"``; None when none did), and whether a run failed or its
    sham passed its primary (``defect``: the exit status is 1)."""

    chapter: Chapter
    record: dict | None = None
    sham: dict | None = None
    seconds: float = 0.0
    failed: str | None = None
    defect: bool = False


def _run(args: argparse.Namespace) -> int:
    return _run_chapters(args)[0]


def _check_execution(args: argparse.Namespace) -> None:
    """The options every command that runs chapters shares: profile, device, seed."""
    if args.profile not in PROFILES:
        raise ConfigError(f"unknown profile {args.profile!r}; choose one of: {', '.join(PROFILES)}")
    if args.device not in ("auto", "cpu"):  # an unknown name, or "cuda": torch looks for a GPU
        resolve_device(args.device)  # (the chapter's kernel resolves the device it runs on)
    if args.seed < 0:
        raise ConfigError(f"--seed must be a non-negative integer, got {args.seed}")


def _run_chapters(args: argparse.Namespace) -> tuple[int, list[Outcome]]:
    """Validate ``args``, run the chapters; (exit status, one :class:`Outcome` per chapter)."""
    _check_execution(args)
    if args.store and (args.profile != "quick" or args.seed != 0 or args.device != "auto"
                       or args.sham or args.with_sham or args.parameters):
        raise ConfigError("--store keeps the stored outputs at their defaults and stores the "
                          "sham run too: drop --profile, --seed, --device, --sham and -p")
    if args.sham and args.with_sham:
        raise ConfigError("--sham runs the sham alone, --with-sham runs it before the chapter: "
                          "pass one of them")
    chapters = find_chapters(book_root())
    if args.all == bool(args.chapters):
        raise ConfigError("name one or more chapters, or pass --all (see `python -m dlrepro list`)")
    selected = chapters if args.all else select(chapters, args.chapters)
    knobs = _knobs(selected, args.parameters)  # every -p checked before anything runs
    out = Path(args.out).resolve()
    tasks = [Task(c, tuple(Step(*plan) for plan in _plan(c, args, out, knobs[c.name])),
                  knobs[c.name]) for c in selected]
    outcomes = _run_tasks(tasks, args)
    return (1 if any(o.failed or o.defect for o in outcomes) else 0), outcomes


def _run_tasks(tasks: list[Task], args: argparse.Namespace) -> list[Outcome]:
    """Run ``tasks`` on the engine ``args`` names, a report line per run and a progress bar;
    one :class:`Outcome` per task, in the order of ``tasks``."""
    outcomes = [Outcome(task.chapter) for task in tasks]
    by_task = {id(task): outcome for task, outcome in zip(tasks, outcomes)}
    with _progress(len(tasks)) as bar:
        for task, results in run_tasks(tasks, args.engine, args.jobs, args.address,
                                       gpu_per_task=args.profile == "full"):
            by_task[id(task)].defect = bool(_account(by_task[id(task)], results, args,
                                                     task.knobs))
            bar.update()
    return outcomes


def _progress(total: int):
    """A tqdm bar on stderr that moves once per finished chapter (hidden for one chapter)."""
    from tqdm import tqdm

    return tqdm(total=total, desc="chapters", unit="chapter", file=sys.stderr,
                disable=total < 2 or not sys.stderr.isatty())


def _account(outcome: Outcome, results: list[StepResult], args: argparse.Namespace,
             knobs: dict) -> int:
    """Fill ``outcome`` from one task's step results and print a line per step; returns the
    number of failures (a failed step, or a sham that passed its primary)."""
    chapter, failed = outcome.chapter, 0
    for result in results:
        step = result.step
        outcome.seconds += result.seconds
        label = f"{chapter.name} (sham)" if step.sham else chapter.name
        if result.error:
            failed += 1
            outcome.failed = "sham" if step.sham else "run"
            print(f"{label:<34} FAILED  {result.error}", file=sys.stderr)
            if not args.store:  # the book and the scoreboard of this run say so
                write_failure(step.results, chapter.name, args.profile, step.sham, result.error)
            break
        setattr(outcome, "sham" if step.sham else "record", result.record)
        failed += not _report(chapter, result.record, args.profile, result.seconds, step.sham,
                              knobs)
    return failed


def _sweep(args: argparse.Namespace) -> int:
    """Run one chapter over the product of ``-p NAME VALUES``; write and print the table."""
    from dlrepro import sweep

    _check_execution(args)
    [chapter] = select(find_chapters(book_root()), [args.chapter])
    declared = chapter.parameters()
    values = {}
    for name, text in args.parameters:
        if name in values:
            raise ConfigError(f"-p {name} is given more than once; list its values in one -p")
        if name == "seed":  # a sweep may repeat a chapter over base seeds
            parameter = Parameter("seed", "0", 0)
        elif name in OWN_OPTIONS:
            raise ConfigError(f"-p {name}: use {OWN_OPTIONS[name]} ({name} has its own option)")
        else:
            parameter = _declared(chapter, declared, name)
        values[name] = [convert(chapter, parameter, v) for v in sweep.split_values(text)]
    if not values:
        raise ConfigError("sweep needs at least one -p NAME VALUES, e.g. -p width 64,128,256")
    out = Path(args.out).resolve() / chapter.name
    tasks = []
    for combo in sweep.combinations(values):
        base = out / sweep.run_label(combo)
        parameters = {"profile": args.profile, "seed": args.seed, "device": args.device, **combo}
        tasks.append(Task(chapter, (Step(parameters, base / f"{chapter.name}.ipynb",
                                         base / "results", False),), combo))
    args.store = False
    outcomes = _run_tasks(tasks, args)
    table = sweep.rows([(task.knobs, o.record, "failed" if o.failed else None)
                        for task, o in zip(tasks, outcomes)])
    swept = list(values)
    text = sweep.as_markdown(chapter.name, table, swept)
    write_text_atomic(out / "sweep.md", text)
    sweep.write_csv(table, swept, out / "sweep.csv")
    if any(o.record for o in outcomes):
        sweep.draw(chapter.name, table, swept, out / "sweep.png")
    print(text + f"\nsweep: {out / 'sweep.md'}, sweep.csv, sweep.png")
    return 1 if any(o.failed or o.defect for o in outcomes) else 0


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


def check_table(outcomes: list[Outcome], stored: dict[str, dict]) -> str:
    """This run's verdicts beside the ``stored`` records (by chapter): a fixed-width table, a
    count, and notes where a stored record is not like for like or a sham passed its primary.

    The last column reads ``same``, ``CHANGED (stored: X)``, ``no stored record`` or ``FAILED``.
    """
    rows = [("chapter", "verdict", "sham", "time", "stored verdict")]
    counts = {"same": 0, "CHANGED": 0, "no stored record": 0, "FAILED": 0}
    notes: dict[str, list[str]] = {}
    for outcome in outcomes:
        name, record = outcome.chapter.name, outcome.record
        before = stored.get(name)
        if outcome.sham:
            sham = primary_outcome(outcome.sham)
            if sham == "pass":
                notes.setdefault("a sham passed its primary (a defect of the rule; exit 1)",
                                 []).append(name)
        else:
            sham = "FAILED" if outcome.failed == "sham" else "-"
        if outcome.failed:
            verdict = check = "FAILED"
        else:
            verdict = record["verdict"] if record else "NO RECORD"
            if before is None:
                check = "no stored record"
            elif record and before["verdict"] == verdict:
                check = "same"
            else:
                check = f"CHANGED (stored: {before['verdict']})"
            if before is not None and record:
                if before.get("profile") != record.get("profile"):
                    notes.setdefault(f"stored at profile {before.get('profile')}, this run at "
                                     f"{record.get('profile')}", []).append(name)
                elif before.get("seeds") != record.get("seeds"):
                    notes.setdefault("stored with other seeds", []).append(name)
                if None not in (before.get("chapter_hash"), record.get("chapter_hash")) and \
                        before["chapter_hash"] != record["chapter_hash"]:
                    notes.setdefault("stored from another version of the chapter",
                                     []).append(name)
        counts[check.split(" (")[0]] += 1
        rows.append((name, verdict, sham, f"{outcome.seconds:.1f} s", check))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.append(", ".join(f"{n} {what}" for what, n in counts.items() if n) or "no chapters")
    lines += [f"note: {what}: {', '.join(names)}" for what, names in notes.items()]
    return "\n".join(lines)


def _reproduce(args: argparse.Namespace) -> int:
    """Run every chapter, build the scoreboard and the book from the executed notebooks, and
    end with the check table: a changed verdict is shown there and leaves the status alone."""
    out = Path(args.out).resolve()
    args.chapters, args.all, args.store, args.sham, args.parameters = [], True, False, False, []
    status, outcomes = _run_chapters(args)
    stored = {r["chapter"]: r for r in load_records(book_root() / "results")}
    args.results = str(out / "results")
    try:
        return _book(args, executed=out / "chapters") or status
    finally:
        print(check_table(outcomes, stored))


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
        p.add_argument("--engine", default="local", choices=ENGINES,
                       help="local: this machine; ray: a Ray cluster (see --address)")
        p.add_argument("--jobs", type=int, default=1,
                       help="local engine: chapters in N worker processes at once (one torch "
                            "thread each; one GPU each where there are GPUs)")
        p.add_argument("--address", default=None,
                       help="ray engine: the cluster's address (default: start a local one)")

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
    run.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                     metavar=("NAME", "VALUE"), dest="parameters",
                     help="set a parameter of the chapter's Parameters cell, VALUE converted "
                          "to its default's type (repeatable; every named chapter must have "
                          "NAME)")
    execution_options(run, "runs")

    reproduce = commands.add_parser("reproduce", help="run every chapter and build the book")
    execution_options(reproduce, "reproduce")
    reproduce.add_argument("--with-sham", action="store_true",
                           help="run each chapter's sham first (twice the time), so that "
                                "every verdict shows its own sham's outcome")

    sweep = commands.add_parser("sweep", help="run one chapter over the product of parameter "
                                              "values; a table and a figure of the verdicts")
    sweep.add_argument("chapter", help="the chapter (see `list`)")
    sweep.add_argument("-p", "--parameter", nargs=2, action="append", default=[],
                       metavar=("NAME", "VALUES"), dest="parameters",
                       help="a parameter of the chapter's Parameters cell (or seed) and its "
                            "comma-separated values, e.g. -p width 64,128,256 (repeatable: the "
                            "sweep runs every combination)")
    execution_options(sweep, "sweeps")

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
    try:
        status = _main(argv)
        sys.stdout.flush()  # into a closed pipe, here rather than at exit
        return status
    except BrokenPipeError:
        # The reader has gone (`python -m dlrepro list | head -1`). Python flushes stdout again
        # at exit: point it at devnull so that this does not fail too, and exit as Python does.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE_STATUS
    except KeyboardInterrupt:  # Ctrl-C: the engines have stopped their workers by now
        print("interrupted: runs still going were cancelled; finished ones kept their records",
              file=sys.stderr)
        return INTERRUPTED_STATUS


def _main(argv: list[str] | None) -> int:
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
        if args.command == "sweep":
            return _sweep(args)
        return _scoreboard(args)
    except DlreproError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
