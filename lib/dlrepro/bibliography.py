"""The book's references: citation keys in the chapters and the bibliography page.

Chapters cite with sphinxcontrib-bibtex's page-local roles (``{footcite:t}`key```,
``{footcite:p}`key```) and end with ``{footbibliography}``, so two chapters can cite one paper
without clashing. The first citation in a chapter's title cell names the paper it reproduces;
:func:`write_page` lists those papers, each with a link to its chapter, above every entry of
``references.bib``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from dlrepro.chapters import Chapter, Part
from dlrepro.errors import ConfigError
from dlrepro.files import write_text_atomic

__all__ = ["BIB_FILE", "PAGE", "cited_keys", "reproduced_paper", "bib_keys", "as_markdown",
           "write_page"]

BIB_FILE = "references.bib"
PAGE = "bibliography.md"

_CITE = re.compile(r"\{(?:foot)?cite(?::[a-z]+)?\}`([^`]+)`")
_ENTRY = re.compile(r"^\s*@\s*(\w+)\s*\{\s*([^,\s]+)\s*,", re.MULTILINE)


def cited_keys(markdown: str) -> list[str]:
    """The citation keys of every ``{cite}`` / ``{footcite}`` role in ``markdown``, in order
    (a role may cite several keys separated by commas)."""
    return [key.strip() for group in _CITE.findall(markdown) for key in group.split(",")]


def _markdown_cells(chapter: Chapter) -> list[str]:
    import nbformat

    return [c.source for c in nbformat.read(chapter.notebook, as_version=4).cells
            if c.cell_type == "markdown"]


def reproduced_paper(chapter: Chapter) -> str:
    """The key of the paper ``chapter`` reproduces: the first citation in its title cell."""
    cells = _markdown_cells(chapter)
    keys = cited_keys(cells[0]) if cells else []
    if not keys:
        raise ConfigError(f"{chapter.notebook}: its title cell cites no paper; add "
                          f"{{footcite:p}}`key` of the reproduced paper after the citation line")
    return keys[0]


def bib_keys(bib: str | os.PathLike) -> list[str]:
    """The entry keys of a BibTeX file, in order (``@comment`` / ``@string`` excluded)."""
    text = Path(bib).read_text(encoding="utf-8")
    return [key for kind, key in _ENTRY.findall(text)
            if kind.lower() not in ("comment", "string", "preamble")]


def as_markdown(parts: list[Part]) -> str:
    """The bibliography page: per part, each chapter's reproduced paper and a link to the
    chapter; then every entry of the bibliography file."""
    lines = ["# Bibliography", "",
             "The papers this book reproduces, each beside the chapter that re-runs its core "
             "experiment, and below them every work the chapters cite.", ""]
    for part in parts:
        lines += [f"## {part.caption}", ""]
        lines += [f"* {{cite:t}}`{reproduced_paper(c)}`: {{doc}}`/chapters/{c.part}/{c.name}`"
                  for c in part.chapters]
        lines.append("")
    lines += ["## All references", "", "```{bibliography}", ":all:", "```", ""]
    return "\n".join(lines)


def write_page(parts: list[Part], page: str | os.PathLike) -> Path:
    """Write :func:`as_markdown` to ``page`` (atomically)."""
    return write_text_atomic(Path(page), as_markdown(parts))
