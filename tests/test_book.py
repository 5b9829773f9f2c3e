"""The book builds with warnings as errors, and a headless Chromium shows its pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from browser import chromium

from dlrepro import bibliography
from dlrepro.chapters import find_chapters, find_parts

ROOT = Path(__file__).resolve().parents[1]

def page_text(browser, page: Path) -> str:
    """Open ``page`` and return its body text once loaded (index.html redirects to intro.html)."""
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(page.as_uri())

    def loaded(driver):
        if page.name == "index.html" and driver.current_url.endswith("index.html"):
            return False  # the meta refresh has not happened yet
        if driver.execute_script("return document.readyState") != "complete":
            return False
        bodies = driver.find_elements("tag name", "body")
        return bodies[0].text if bodies and bodies[0].text.strip() else False

    return WebDriverWait(browser, 30).until(loaded)


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    done = subprocess.run([sys.executable, "-m", "dlrepro", "book", "--out", str(out)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return out / "_build" / "html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium")) as session:
        yield session


def test_index_lists_every_chapter(html, browser):
    text = page_text(browser, html / "index.html")
    assert "Deep Learning, Reproduced" in browser.title
    for chapter in find_chapters(ROOT):
        assert chapter.title in text


@pytest.mark.parametrize("chapter", find_chapters(ROOT), ids=lambda c: c.name)
def test_chapter_page_shows_verdict_box_figures_and_verdict(html, browser, chapter):
    page = html / "chapters" / chapter.part / f"{chapter.name}.html"
    text = page_text(browser, page)
    assert chapter.title in text
    assert "Verdict: " in text and "The claim" in text
    record = json.loads((ROOT / "results" / f"{chapter.name}.json").read_text())
    boxes = browser.find_elements("css selector", ".admonition.verdict-box")
    assert len(boxes) == 1, "the verdict box (glued from the run) is missing"
    box = boxes[0].text
    assert f"Verdict: {record['verdict']}" in box and "Sham run" in box
    assert "not run for this version" not in box, "the stored sham run did not reach the box"
    claim = browser.find_element("id", "the-claim")
    assert boxes[0].location["y"] < claim.location["y"], "the box sits above The claim"
    link = boxes[0].find_element("css selector", "a[href='#verdict']")
    assert browser.find_element("id", "verdict") and link
    loaded = browser.execute_script(
        "return Array.from(document.images).filter("
        "i => i.complete && i.naturalWidth > 100 && i.src.includes('_images')).length")
    assert loaded >= 2, "the chapter's figures did not load"
    unpasted = browser.find_elements("css selector", ".pasted-text")
    assert all(e.text.strip() for e in unpasted), "a glued number is empty"
    # The page reads as prose: code behind a toggle (hide-input), the knobs in the open.
    hidden = browser.find_elements("css selector", ".cell.tag_hide-input")
    assert len(hidden) >= 5, "the code cells are not collapsed (hide-input)"
    assert not any(c.find_element("css selector", ".cell_input").is_displayed() for c in hidden)
    knobs = browser.find_elements("css selector", ".cell.tag_parameters .cell_input")
    assert len(knobs) == 1 and knobs[0].is_displayed(), "the parameters cell is hidden"
    code = knobs[0].find_element("css selector", "pre")
    assert code.value_of_css_property("white-space") == "pre-wrap", "long code lines overflow"
    # The page ends with its own bibliography; the title's citation is its first entry.
    notes = browser.find_elements("css selector", "aside.footnote-list aside.footnote")
    assert notes, "the chapter's bibliography ({footbibliography}) is missing"
    assert _bib_title(bibliography.reproduced_paper(chapter)) in _folded(notes[0].text)


def _folded(text: str) -> str:
    """Case and spacing folded: the bibliography style sets titles in sentence case."""
    return " ".join(text.split()).casefold()


def _bib_title(key: str) -> str:
    import pybtex.database

    entry = pybtex.database.parse_file(str(ROOT / bibliography.BIB_FILE)).entries[key]
    return _folded(entry.fields["title"].replace("{", "").replace("}", ""))


def test_bibliography_page_links_every_reproduced_paper_to_its_chapter(html, browser):
    text = page_text(browser, html / bibliography.PAGE.replace(".md", ".html"))
    hrefs = [a.get_attribute("href") for a in browser.find_elements("css selector", "li a")]
    for chapter in find_chapters(ROOT):
        assert any(h and h.endswith(f"chapters/{chapter.part}/{chapter.name}.html")
                   for h in hrefs), f"no link to {chapter.name}"
        assert _bib_title(bibliography.reproduced_paper(chapter)) in _folded(text)


def test_scoreboard_page_lists_every_verdict(html, browser):
    text = page_text(browser, html / "scoreboard.html")
    for part in find_parts(ROOT):
        assert part.caption in text
    links = {a.get_attribute("href").split("/")[-1] for a in
             browser.find_elements("css selector", "article a.reference.internal")}
    for chapter in find_chapters(ROOT):
        assert chapter.title in text and f"{chapter.name}.html" in links
        record = json.loads((ROOT / "results" / f"{chapter.name}.json").read_text())
        sham = json.loads((ROOT / "results" / "sham" / f"{chapter.name}.json").read_text())
        rows = browser.find_elements(
            "xpath", f"//table//tr[.//a[contains(@href, '/{chapter.name}.html')]]")
        assert len(rows) == 1, f"no scoreboard row for {chapter.name}"
        cells = [c.text for c in rows[0].find_elements("tag name", "td")]
        assert cells[1] == record["verdict"], f"{chapter.name}: row says {cells[1]!r}"
        assert cells[2].startswith(f"primary {record['criteria'][record['primary']]['outcome']}")
        assert cells[3].startswith(sham["verdict"]), f"{chapter.name}: sham cell {cells[3]!r}"
    badges = browser.find_elements("css selector", "span.sd-badge")
    assert len(badges) >= len(find_chapters(ROOT)), "verdict badges did not render"
    colours = {b.value_of_css_property("background-color") for b in badges}
    assert len(colours) >= 2 or len({b.text for b in badges}) == 1
    figure = browser.execute_script(
        "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 300 && "
        "i.src.includes('scoreboard-primaries')).length")
    assert figure == 1, "the scoreboard's figure did not load"
