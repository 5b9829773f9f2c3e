"""The chapter registry: which chapters the book has, in the order of ``_toc.yml``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dlrepro.errors import ConfigError
from dlrepro.run import repo_root

__all__ = ["Chapter", "Part", "book_root", "find_parts", "find_chapters", "select"]


@dataclass(frozen=True)
class Chapter:
    """A chapter notebook: ``chapters/<part>/<name>.ipynb``."""

    part: str
    name: str
    notebook: Path

    @property
    def title(self) -> str:
        import nbformat

        if not self.notebook.exists():  # listed in _toc.yml, notebook not written/synced yet
            return self.name
        for cell in nbformat.read(self.notebook, as_version=4).cells:
            if cell.cell_type == "markdown":
                for line in cell.source.splitlines():
                    if line.startswith("# "):
                        return line[2:].strip()
        return self.name


def book_root() -> Path:
    """The checkout holding ``_toc.yml``: ``$DLREPRO_ROOT``, the editable install, or the cwd."""
    if os.environ.get("DLREPRO_ROOT"):
        return Path(os.environ["DLREPRO_ROOT"]).resolve()
    return repo_root() or Path.cwd()


@dataclass(frozen=True)
class Part:
    """A part of the book: its caption in ``_toc.yml`` and its chapters, in order."""

    caption: str
    chapters: tuple[Chapter, ...]


def find_parts(root: Path) -> list[Part]:
    """The parts of ``_toc.yml`` that hold chapters, in order."""
    import yaml

    toc_path = root / "_toc.yml"
    if not toc_path.exists():
        raise ConfigError(f"no _toc.yml under {root}: run from the book's checkout or set "
                          f"DLREPRO_ROOT")
    toc = yaml.safe_load(toc_path.read_text())
    parts = []
    for part in toc.get("parts", []):
        found = []
        for entry in part.get("chapters", []):
            relative = Path(entry["file"])
            if relative.parts[0] != "chapters":
                continue
            notebook = (root / relative).with_suffix(".ipynb")
            found.append(Chapter(relative.parts[1], relative.stem, notebook))
        if found:
            parts.append(Part(part.get("caption", ""), tuple(found)))
    return parts


def find_chapters(root: Path) -> list[Chapter]:
    """Chapters in the order of ``_toc.yml``."""
    return [chapter for part in find_parts(root) for chapter in part.chapters]


def select(chapters: list[Chapter], names: list[str]) -> list[Chapter]:
    by_name = {c.name: c for c in chapters} | {f"{c.part}/{c.name}": c for c in chapters}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        listing = "\n".join(f"  {c.part}/{c.name}" for c in chapters)
        raise ConfigError(f"unknown chapter(s): {', '.join(unknown)}. Known chapters:\n{listing}")
    return [by_name[n] for n in names]
