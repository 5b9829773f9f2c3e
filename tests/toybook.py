"""A tiny book of toy chapters, for tests of the command line and of the book's assembly."""

from __future__ import annotations

from pathlib import Path

import nbformat

CONFIG = """title: "Toy book"
only_build_toc_files: true
exclude_patterns: ["_build"]
execute:
  execute_notebooks: "off"
bibtex_bibfiles: ["references.bib"]
sphinx:
  config:
    suppress_warnings: ["mystnb.unknown_mime_type", "myst.footnote"]
    myst_heading_anchors: 2
    myst_footnote_transition: false
"""

ENTRY = """@misc{{{key},
  author = {{Doe, Jane}},
  title = {{The {name} paper}},
  year = {{2026}},
}}
"""


def toy_book(directory: Path, chapters: dict[str, tuple[str, str]]) -> Path:
    """A book under ``directory/book`` with one part, "Demo", of ``chapters``: for each name
    a notebook of a title citing its paper (key ``doe2026<name>`` in ``references.bib``), a
    parameters cell, one code cell, ``(parameters, code)``, and the page's bibliography."""
    book = directory / "book"
    (book / "chapters" / "demo").mkdir(parents=True)
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: Demo\n    chapters:\n"
        + "".join(f"      - file: chapters/demo/{name}\n" for name in chapters)
        + "  - caption: Results\n    chapters:\n      - file: scoreboard\n"
        + "      - file: bibliography\n")
    (book / "_config.yml").write_text(CONFIG)
    (book / "intro.md").write_text("# Toy book\n\nA book for tests.\n")
    (book / "references.bib").write_text(
        "".join(ENTRY.format(key=f"doe2026{name}", name=name) for name in chapters))
    for name, (parameters, code) in chapters.items():
        nb = nbformat.v4.new_notebook(cells=[
            nbformat.v4.new_markdown_cell(f"# {name.title()}\n\nDoe (2026) "
                                          f"{{footcite:p}}`doe2026{name}`."),
            nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(code),
            nbformat.v4.new_markdown_cell("```{footbibliography}\n```"),
        ])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        nbformat.write(nb, book / "chapters" / "demo" / f"{name}.ipynb")
    return book
