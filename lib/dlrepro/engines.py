"""Where chapter runs execute: here one after another, in N local processes, or as Ray tasks.

A :class:`Task` is one chapter's runs in order (its sham first, where there is one, so that the
real run's verdict box reads the sham's outcome). :func:`run_tasks` hands tasks to an engine and
yields each task's :class:`StepResult` s as it finishes:

* ``local`` with one job runs each task in this process and writes into place as it goes;
* ``local`` with ``jobs > 1`` runs tasks in that many worker processes (one torch thread each on
  the CPU; one GPU each, round robin, where GPUs are visible);
* ``ray`` sends each task to a Ray task (Moritz et al., 2018, *Ray: A Distributed Framework for
  Emerging AI Applications*) on the cluster at ``address`` (a local one when ``None``): one GPU
  per task for the full profile when the cluster has GPUs, one CPU otherwise. The book's
  checkout must be at the same path on every node (``DLREPRO_ROOT``, as on a shared file
  system) with ``pip install -e ".[cluster]"``.

Away from this process a task runs in a private directory and ships its executed notebooks and
records back as text; only this process writes them into place, after the whole task has
succeeded. So a failed run leaves no record (the caller writes a failure record instead), a
worker that dies is retried once and then reported, and Ctrl-C cancels what is still running and
leaves no partial record.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dlrepro.chapters import Chapter
from dlrepro.errors import ConfigError
from dlrepro.files import strip_run_metadata, write_text_atomic

__all__ = ["ENGINES", "Step", "Task", "StepResult", "execute", "run_here", "run_elsewhere",
           "run_tasks", "WORKER_DIED"]

ENGINES = ("local", "ray")
#: The error of a task whose worker process died on both tries.
WORKER_DIED = "its worker process died, twice (killed, or out of memory)"


@dataclass(frozen=True)
class Step:
    """One papermill run: its parameters, where its executed notebook and record go, and
    whether it is the sham run."""

    parameters: dict
    target: Path
    results: Path
    sham: bool

    def record_path(self, chapter: Chapter) -> Path:
        return self.results / ("sham" if self.sham else "") / f"{chapter.name}.json"


@dataclass(frozen=True)
class Task:
    """A chapter's steps, run in order in one place; ``knobs`` are shown in its report line."""

    chapter: Chapter
    steps: tuple[Step, ...]
    knobs: dict = field(default_factory=dict)


@dataclass
class StepResult:
    """What one step gave: its record (``None`` if the chapter wrote none), its seconds, and
    the reason it failed (``None`` when it did not)."""

    step: Step
    record: dict | None = None
    seconds: float = 0.0
    error: str | None = None


def clear(chapter: Chapter, step: Step) -> None:
    """Remove what an older run left where ``step`` writes: its record, a failure record, and
    its executed notebook (never the chapter's own), so a failed run leaves none of them."""
    step.record_path(chapter).unlink(missing_ok=True)
    (step.results / "failed" / f"{chapter.name}.json").unlink(missing_ok=True)
    if step.target != chapter.notebook:
        step.target.unlink(missing_ok=True)


def execute(chapter: Chapter, parameters: dict, target: Path, results: Path,
            sham: bool) -> tuple[dict | None, float]:
    """Run one notebook with papermill into ``target``; returns (its record, seconds).

    The notebook is written under a temporary name and renamed when the run succeeds; the
    chapter's previous record is removed first, so a failed run leaves neither.
    """
    import papermill

    step = Step(parameters, target, results, sham)
    target.parent.mkdir(parents=True, exist_ok=True)
    results.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.running.ipynb")
    clear(chapter, step)
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
    record = step.record_path(chapter)
    return (json.loads(record.read_text()) if record.exists() else None), seconds


def _reason(error: BaseException) -> str:
    """The last line of papermill's report (the failing cell's exception)."""
    summary = str(error).strip().splitlines()
    return summary[-1] if summary else type(error).__name__


def run_here(task: Task) -> list[StepResult]:
    """Run ``task``'s steps in this process, each written into place; stop at a failure."""
    done = []
    for step in task.steps:
        started = time.perf_counter()
        try:
            record, seconds = execute(task.chapter, step.parameters, step.target, step.results,
                                      step.sham)
        except Exception as error:  # papermill reports the failing cell and its exception
            done.append(StepResult(step, seconds=time.perf_counter() - started,
                                   error=_reason(error)))
            break
        done.append(StepResult(step, record, seconds))
    return done


@dataclass
class Shipped:
    """A step run elsewhere: its result and the texts of its executed notebook and record."""

    result: StepResult
    notebook: str | None = None
    record: str | None = None


def run_elsewhere(task: Task) -> list[Shipped]:
    """Run ``task``'s steps in a private directory (a worker's); return what they wrote."""
    shipped = []
    with tempfile.TemporaryDirectory(prefix=f"dlrepro-{task.chapter.name}-") as tmp:
        private = Path(tmp)
        for i, step in enumerate(task.steps):
            here = Step(step.parameters, private / f"run{i}.ipynb", private / "results", step.sham)
            [result] = run_here(Task(task.chapter, (here,)))
            result.step = step
            if result.error:
                shipped.append(Shipped(result))
                break
            record = here.record_path(task.chapter)
            shipped.append(Shipped(result, here.target.read_text(encoding="utf-8"),
                                   record.read_text() if record.exists() else None))
    return shipped


def _commit(chapter: Chapter, shipped: list[Shipped]) -> list[StepResult]:
    """Write a task's shipped notebooks and records into place; nothing if a step failed."""
    if not any(s.result.error for s in shipped):
        for s in shipped:
            step = s.result.step
            write_text_atomic(step.target, s.notebook)
            if step.target == chapter.notebook:
                strip_run_metadata(step.target)
            if s.record is not None:
                write_text_atomic(step.record_path(chapter), s.record)
    return [s.result for s in shipped]


def _worker_died(task: Task) -> list[StepResult]:
    return [StepResult(task.steps[0], error=WORKER_DIED)]


def _visible_gpus() -> int:
    import torch

    return torch.cuda.device_count()


def _worker(task: Task, send, gpus: int, slot: int) -> None:
    """A local worker process: one torch thread on the CPU, or GPU ``slot`` (round robin) where
    there are GPUs; sends what :func:`run_elsewhere` shipped. SIGTERM (the driver cancelling)
    becomes SystemExit, so the private directory and the notebook's kernel are cleaned up."""
    import signal
    import sys

    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if gpus:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(slot % gpus)
    else:
        os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = "1"
    try:
        shipped = run_elsewhere(task)
    except Exception as error:  # not the chapter's failure (run_here catches that): ours
        shipped = [Shipped(StepResult(task.steps[0], error=f"{type(error).__name__}: {error}"))]
    send.send(shipped)
    send.close()


def _run_local(tasks: list[Task], jobs: int) -> Iterator[tuple[Task, list[StepResult]]]:
    """At most ``jobs`` tasks at once, each in a fresh process of its own, so a process that
    dies takes no other task with it; its task is run once more, then reported."""
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("spawn")
    gpus = _visible_gpus()
    waiting = [(task, 1) for task in tasks]
    slots = list(range(jobs))
    running: dict = {}  # receiving end of a worker's pipe -> (process, task, try, slot)
    try:
        while waiting or running:
            while waiting and slots:
                (task, attempt), slot = waiting.pop(0), slots.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_worker, args=(task, send, gpus, slot),
                                          daemon=True)
                process.start()
                send.close()  # ours: a worker that dies leaves the pipe at EOF
                running[receive] = (process, task, attempt, slot)
            for receive in wait(list(running)):
                process, task, attempt, slot = running.pop(receive)
                try:
                    shipped = receive.recv()
                except EOFError:
                    shipped = None
                process.join()
                slots.append(slot)
                if shipped is not None:
                    yield task, _commit(task.chapter, shipped)
                elif attempt < 2:
                    waiting.insert(0, (task, attempt + 1))
                else:
                    yield task, _worker_died(task)
    except BaseException:  # Ctrl-C or SIGTERM: stop the workers, write nothing more
        for process, *_ in running.values():
            process.terminate()
        raise


def _run_ray(tasks: list[Task], address: str | None,
             gpu_per_task: bool) -> Iterator[tuple[Task, list[StepResult]]]:
    try:
        import ray
    except ImportError:
        raise ConfigError("--engine ray needs Ray: pip install -e \".[cluster]\" (make setup "
                          "installs it)") from None
    from dlrepro.chapters import book_root

    started_here = not ray.is_initialized()
    if started_here:
        env = {"DLREPRO_ROOT": str(book_root()), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": env})
    gpus = gpu_per_task and ray.cluster_resources().get("GPU", 0) >= 1
    remote = ray.remote(run_elsewhere).options(
        num_cpus=1, num_gpus=1 if gpus else 0, max_retries=1, retry_exceptions=False)
    pending = {remote.remote(t): t for t in tasks}
    try:
        while pending:
            [ref], _ = ray.wait(list(pending), num_returns=1)
            task = pending.pop(ref)
            try:
                shipped = ray.get(ref)
            except (ray.exceptions.WorkerCrashedError, ray.exceptions.NodeDiedError,
                    ray.exceptions.LocalRayletDiedError):
                yield task, _worker_died(task)
                continue
            yield task, _commit(task.chapter, shipped)
    except BaseException:
        for ref in pending:
            ray.cancel(ref, force=True)
        raise
    finally:
        if started_here:
            ray.shutdown()


def run_tasks(tasks: Iterable[Task], engine: str = "local", jobs: int = 1,
              address: str | None = None,
              gpu_per_task: bool = False) -> Iterator[tuple[Task, list[StepResult]]]:
    """Run ``tasks`` on ``engine``; yield ``(task, its step results)`` as each finishes (in
    order for one local job). A task stops at its first failing step (``error`` set), and
    then nothing of it is written where it runs elsewhere."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of: {', '.join(ENGINES)}")
    if not isinstance(jobs, int) or jobs < 1:
        raise ConfigError(f"--jobs must be a positive integer, got {jobs!r}")
    if engine == "ray" and jobs != 1:
        raise ConfigError("--jobs is for the local engine; Ray runs as many tasks at once as "
                          "the cluster has CPUs (or GPUs)")
    tasks = list(tasks)
    for task in tasks:
        for step in task.steps:
            clear(task.chapter, step)  # a run that fails or is cancelled leaves no older record
    if engine == "ray":
        yield from _run_ray(tasks, address, gpu_per_task)
    elif jobs == 1:
        for task in tasks:
            yield task, run_here(task)
    else:
        yield from _run_local(tasks, jobs)
