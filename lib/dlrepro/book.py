"""Assembling and building the HTML book (Jupyter Book 1.x).

The book is always built from a staged copy of the sources, so building never writes into the
checkout: :func:`stage` copies the configuration, the pages and the chapter notebooks (the
stored ones, or freshly executed ones from ``python -m dlrepro run``) and writes the scoreboard
page and its figure from the result records; :func:`build` runs ``jupyter-book build`` with
warnings as errors.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from dlrepro.chapters import find_chapters, find_parts
from dlrepro.errors import ConfigError
from dlrepro.scoreboard import write_page

__all__ = ["BOOK_FILES", "stage", "build"]

BOOK_FILES = ("_config.yml", "_toc.yml", "intro.md")


def stage(root: Path, destination: Path, results: Path, executed: Path | None = None) -> Path:
    """Copy the book's sources from ``root`` to ``destination`` and write ``scoreboard.md``.

    Chapter notebooks come from ``executed/<part>/<name>.ipynb`` where present (a reproduce
    run), else from the checkout (the stored outputs).
    """
    if not results.is_dir():
        raise ConfigError(f"no result records under {results}: run chapters first")
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(root / name, destination / name)
    for chapter in find_chapters(root):
        target = destination / "chapters" / chapter.part / f"{chapter.name}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        fresh = executed / chapter.part / f"{chapter.name}.ipynb" if executed else None
        shutil.copy2(fresh if fresh and fresh.exists() else chapter.notebook, target)
    write_page(results, destination / "scoreboard.md", find_parts(root))
    return destination


def build(source: Path, output: Path) -> Path:
    """``jupyter-book build`` with warnings as errors; returns the path of ``index.html``."""
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(source),
               "--path-output", str(output), "--warningiserror", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError("the book did not build:\n" + done.stdout[-4000:] + done.stderr[-4000:])
    return output / "_build" / "html" / "index.html"
