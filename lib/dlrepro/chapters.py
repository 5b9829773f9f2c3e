"""The chapter registry: which chapters the book has, in the order of ``_toc.yml``, and the
parameters each chapter's notebook declares (its cell tagged ``parameters``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dlrepro.errors import ConfigError
from dlrepro.run import repo_root

__all__ = ["Chapter", "Parameter", "Part", "book_root", "find_parts", "find_chapters", "select",
           "read_parameters"]


@dataclass(frozen=True)
class Parameter:
    """A name that a notebook's ``parameters`` cell assigns, and its default.

    ``source`` is the default as written; ``default`` its value when it is a Python literal
    (``literal``), which gives the type a value from the command line is converted to. A default
    that is an expression (``10**-2.5``) is not evaluated: ``literal`` is False.
    """

    name: str
    source: str
    default: object = None
    literal: bool = True


def read_parameters(notebook: Path) -> dict[str, Parameter]:
    """The names assigned in ``notebook``'s first cell tagged ``parameters`` (the cell papermill
    injects after), in order; ``{}`` when it has none."""
    import ast

    import nbformat

    cell = next((c for c in nbformat.read(notebook, as_version=4).cells
                 if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        return {}
    try:
        tree = ast.parse(cell.source)
    except SyntaxError as error:
        raise ConfigError(f"{notebook}: its parameters cell is not Python ({error})") from None
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        source = ast.get_source_segment(cell.source, node.value) or ""
        try:
            default, literal = ast.literal_eval(node.value), True
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            default, literal = None, False
        for target in targets:  # `a = b = 1` assigns both; unpacking (`a, b = ...`) neither
            if isinstance(target, ast.Name):
                found[target.id] = Parameter(target.id, source, default, literal)
    return found


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

    def parameters(self) -> dict[str, Parameter]:
        """The names of the notebook's ``parameters`` cell and their defaults."""
        if not self.notebook.exists():
            raise ConfigError(f"chapter {self.name!r} has no notebook yet ({self.notebook})")
        return read_parameters(self.notebook)


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
