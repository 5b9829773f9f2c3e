"""Citations: the roles the chapters use, references.bib, and the bibliography page."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pybtex.database
import pytest
from toybook import toy_book

from dlrepro import bibliography
from dlrepro.chapters import Chapter, find_chapters, find_parts
from dlrepro.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = find_chapters(ROOT)


def test_cited_keys_reads_every_role_and_every_key_of_a_role():
    text = ("As {footcite:t}`smith2020a` showed, and {footcite:p}`jones2021b, lee2022c`; "
            "see {cite}`kim2019d` and {cite:p}`smith2020a`. Not a role: `smith2020a`, {doc}`x`.")
    assert bibliography.cited_keys(text) == ["smith2020a", "jones2021b", "lee2022c",
                                             "kim2019d", "smith2020a"]


def test_bib_keys_lists_entries_and_skips_comments(tmp_path):
    bib = tmp_path / "refs.bib"
    bib.write_text("% a comment line\n@comment{not an entry}\n@string{jn = {J}}\n"
                   "@article{ smith2020a ,\n title={A}, year={2020}}\n"
                   "@InProceedings{jones2021b,\n title={B}, year={2021}}\n")
    assert bibliography.bib_keys(bib) == ["smith2020a", "jones2021b"]


def _chapter(tmp_path: Path, title_cell: str) -> Chapter:
    path = tmp_path / "c.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(title_cell),
        nbformat.v4.new_markdown_cell("Later {footcite:t}`later2020x`.")]), path)
    return Chapter("demo", "c", path)


def test_reproduced_paper_is_the_first_citation_of_the_title_cell(tmp_path):
    chapter = _chapter(tmp_path, "# C\n\nDoe (2026). *C*. {footcite:p}`doe2026c`, "
                                 "after {footcite:t}`other2001y`.")
    assert bibliography.reproduced_paper(chapter) == "doe2026c"


def test_a_title_cell_without_a_citation_is_a_clear_error(tmp_path):
    chapter = _chapter(tmp_path, "# C\n\nDoe (2026). *C*.")
    with pytest.raises(ConfigError, match="title cell cites no paper"):
        bibliography.reproduced_paper(chapter)


def test_the_page_links_each_reproduced_paper_to_its_chapter_and_lists_all(tmp_path):
    book = toy_book(tmp_path, {"alpha": ("x = 1", "pass"), "beta": ("x = 1", "pass")})
    page = bibliography.write_page(find_parts(book), tmp_path / "bibliography.md")
    text = page.read_text()
    assert "* {cite:t}`doe2026alpha`: {doc}`/chapters/demo/alpha`" in text
    assert "* {cite:t}`doe2026beta`: {doc}`/chapters/demo/beta`" in text
    assert text.index("## Demo") < text.index("## All references")
    assert "```{bibliography}\n:all:\n```" in text


def test_references_bib_parses_and_has_no_duplicate_key():
    keys = bibliography.bib_keys(ROOT / bibliography.BIB_FILE)
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    parsed = pybtex.database.parse_file(str(ROOT / bibliography.BIB_FILE))
    assert sorted(parsed.entries.keys()) == sorted(keys)
    for key, entry in parsed.entries.items():
        assert "title" in entry.fields and "year" in entry.fields, key
        assert entry.persons.get("author"), f"{key} has no author"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: c.name)
def test_chapter_cites_its_paper_first_and_ends_with_its_bibliography(chapter):
    known = set(bibliography.bib_keys(ROOT / bibliography.BIB_FILE))
    assert bibliography.reproduced_paper(chapter) in known
    cells = [c.source for c in nbformat.read(chapter.notebook, as_version=4).cells
             if c.cell_type == "markdown"]
    missing = {k for cell in cells for k in bibliography.cited_keys(cell)} - known
    assert not missing, f"cited but not in references.bib: {sorted(missing)}"
    assert cells[-1].rstrip().endswith("```{footbibliography}\n```"), \
        "the chapter's last markdown cell must end with its {footbibliography}"
