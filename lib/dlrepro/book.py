"""Assembling and building the HTML book (Jupyter Book 1.x).

The book is always built from a staged copy of the sources, so building never writes into the
checkout: :func:`stage` copies the configuration, the pages and the chapter notebooks (the
stored ones, or freshly executed ones from ``python -m dlrepro run``), writes the scoreboard
page and its figure from the result records and the bibliography page from the chapters'
citations; :func:`build` runs ``jupyter-book build`` with warnings as errors. In a book of
executed notebooks, a chapter whose run failed gets a page that says so in place of its stored
outputs, whose verdict would pass for this run's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from dlrepro import bibliography
from dlrepro.chapters import Chapter, find_chapters, find_parts
from dlrepro.errors import ConfigError
from dlrepro.scoreboard import failure_text, load_failures, write_page

__all__ = ["BOOK_FILES", "BOOK_FOLDERS", "stage", "build"]

BOOK_FILES = ("_config.yml", "_toc.yml", "intro.md", bibliography.BIB_FILE)
#: Folders copied as they are: the book's own style sheet.
BOOK_FOLDERS = ("_static",)


def stage(root: Path, destination: Path, results: Path, executed: Path | None = None) -> Path:
    """Copy the book's sources from ``root`` to ``destination``; write ``scoreboard.md`` and
    ``bibliography.md``.

    Chapter notebooks come from ``executed/<part>/<name>.ipynb`` where present (a reproduce
    run), else from the checkout (the stored outputs). With ``executed`` given, a chapter with a
    failure record under ``results/failed`` gets a page saying that its run failed, and one
    that was not run at all shows its stored outputs under a warning that says so.
    """
    if not results.is_dir():
        raise ConfigError(f"no result records under {results}: run chapters first")
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(root / name, destination / name)
    for name in BOOK_FOLDERS:
        if (root / name).is_dir():
            shutil.copytree(root / name, destination / name)
    failures = load_failures(results)
    for chapter in find_chapters(root):
        target = destination / "chapters" / chapter.part / f"{chapter.name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = executed / chapter.part / f"{chapter.name}.ipynb" if executed else None
        if fresh is None:
            shutil.copy2(chapter.notebook, target)
        elif chapter.name in failures:
            _failure_page(chapter, failures[chapter.name], target)
        elif fresh.exists():
            shutil.copy2(fresh, target)
        else:
            _stored_page_with_warning(chapter, target)
    parts = find_parts(root)
    write_page(results, destination / "scoreboard.md", parts)
    bibliography.write_page(parts, destination / bibliography.PAGE)
    return destination


def _failure_page(chapter: Chapter, failure: dict, target: Path) -> None:
    """A page with the chapter's title and what went wrong: no outputs, no verdict."""
    import nbformat

    text = (f"# {chapter.title}\n\n```{{error}} This chapter failed in this run\n"
            f"{failure_text(failure)}\n\nThere is no verdict from this run. The stored run's "
            f"outputs are not shown, so that they cannot pass for this run's; run the chapter "
            f"alone to see the failing cell: `python -m dlrepro run {chapter.name} --profile "
            f"{failure['profile']}`.\n```\n")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)]), target)


def _stored_page_with_warning(chapter: Chapter, target: Path) -> None:
    """The stored notebook, after its title a warning that this run did not execute it."""
    import nbformat

    nb = nbformat.read(chapter.notebook, as_version=4)
    warning = nbformat.v4.new_markdown_cell(
        "```{warning} Not run in this build\nThis chapter was not executed in the run that built "
        "this book: the outputs below are the stored quick run's, not this run's.\n```")
    nb.cells.insert(1 if nb.cells and nb.cells[0].cell_type == "markdown" else 0, warning)
    nbformat.write(nb, target)


def build(source: Path, output: Path) -> Path:
    """``jupyter-book build`` with warnings as errors; returns the path of ``index.html``."""
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source),
               "--path-output", str(output), "--warningiserror", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError("the book did not build:\n" + done.stdout[-4000:] + done.stderr[-4000:])
    return output / "_build" / "html" / "index.html"
