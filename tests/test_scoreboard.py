"""dlrepro.scoreboard: the terminal table, the book's page and its figure, from records."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.image
import pytest

from dlrepro import scoreboard
from dlrepro.chapters import Chapter, Part


def record(chapter: str, verdict: str, primary: str, seconds: float = 12.6,
           chapter_hash: str = "h1") -> dict:
    return {
        "chapter": chapter, "verdict": verdict, "profile": "quick", "seeds": list(range(5)),
        "device": "cpu", "wall_time_s": seconds, "paper_value": f"value of {chapter} | pipe",
        "ours": f"ours {chapter}", "paper": f"Someone (2020). Paper of {chapter}.",
        "primary": "beats", "chapter_hash": chapter_hash,
        "criteria": {
            "beats": {"outcome": primary, "primary": True, "claim_side": [0.0, math.inf],
                      "interval": {"estimate": 0.05, "low": 0.01, "high": 0.09, "n": 5}},
            "no worse": {"outcome": "undecided", "primary": False,
                         "claim_side": [-0.01, math.inf],
                         "interval": {"estimate": 0.0, "low": -0.02, "high": 0.02, "n": 5}},
        },
    }


PARTS = [Part("Pruning", (Chapter("pruning", "alpha_chapter", Path("a.ipynb")),)),
         Part("Optimization", (Chapter("optimization", "zeta_chapter", Path("z.ipynb")),
                               Chapter("optimization", "mid_chapter", Path("m.ipynb"))))]


def write_records(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    records = {"a.json": record("alpha_chapter", "REPRODUCED", "pass"),
               "b.json": record("zeta_chapter", "NOT REPRODUCED", "FAIL", 61.4),
               "c.json": record("mid_chapter", "INCONCLUSIVE", "undecided")}
    for name, r in records.items():
        (directory / name).write_text(json.dumps(r))
    (directory / ".alpha_chapter.json.x1y2.tmp").write_text("{half a rec")
    (directory / "sham").mkdir()
    (directory / "sham" / "alpha_chapter.json").write_text(json.dumps(
        {**record("alpha_chapter", "INCONCLUSIVE", "undecided"), "sham": True}))
    (directory / "sham" / "zeta_chapter.json").write_text(json.dumps(
        {**record("zeta_chapter", "INCONCLUSIVE", "undecided", chapter_hash="old")}))


def test_load_records_and_shams(tmp_path):
    write_records(tmp_path)
    records = scoreboard.load_records(tmp_path)
    assert [r["chapter"] for r in records] == ["alpha_chapter", "mid_chapter", "zeta_chapter"]
    assert set(scoreboard.load_sham_records(tmp_path)) == {"alpha_chapter", "zeta_chapter"}
    assert scoreboard.load_records(tmp_path / "empty") == []


def test_as_text_has_verdict_primary_and_sham_per_line(tmp_path):
    write_records(tmp_path)
    text = scoreboard.as_text(scoreboard.load_records(tmp_path),
                              scoreboard.load_sham_records(tmp_path))
    lines = text.splitlines()
    assert lines[0].split() == ["chapter", "verdict", "primary", "sham", "profile", "seeds",
                                "time"]
    by_chapter = {line.split()[0]: line for line in lines[1:]}
    assert by_chapter["alpha_chapter"].split()[1:4] == ["REPRODUCED", "pass", "INCONCLUSIVE"]
    assert by_chapter["alpha_chapter"].endswith("13 s")
    assert by_chapter["mid_chapter"].split()[1:4] == ["INCONCLUSIVE", "undecided", "-"]
    assert "no result records" in scoreboard.as_text([])


def test_page_groups_by_part_links_badges_and_flags_stale_shams(tmp_path):
    write_records(tmp_path / "results")
    page = tmp_path / "book" / "scoreboard.md"
    scoreboard.write_page(tmp_path / "results", page, PARTS)
    text = page.read_text()
    pruning, optimization = text.index("## Pruning"), text.index("## Optimization")
    assert pruning < optimization
    rows = [line for line in text.splitlines() if line.startswith("| [")]
    assert rows[0].startswith("| [alpha_chapter](chapters/pruning/alpha_chapter.ipynb) | "
                              "{bdg-success}`REPRODUCED` |")
    assert "primary pass; others: 1 undecided" in rows[0]
    assert "  - primary, beats: **pass**\n  - no worse: **undecided**" in text
    assert "INCONCLUSIVE (primary undecided)" in rows[0]
    assert rows[1].startswith("| [zeta_chapter](chapters/optimization/zeta_chapter.ipynb) | "
                              "{bdg-danger}`NOT REPRODUCED` |")
    assert "sham run of another version" in rows[1]
    assert "{bdg-info}`INCONCLUSIVE`" in rows[2] and "no sham run" in rows[2]
    assert "**Paper:** value of alpha_chapter | pipe" in text
    figure = page.parent / scoreboard.FIGURE
    assert f"]({scoreboard.FIGURE})" in text
    three = matplotlib.image.imread(figure).shape[0]
    scoreboard.draw_primaries(scoreboard.load_records(tmp_path / "results")[:1], figure)
    assert matplotlib.image.imread(figure).shape[0] < three  # one row per chapter


def test_empty_page(tmp_path):
    (tmp_path / "results").mkdir()
    page = scoreboard.write_page(tmp_path / "results", tmp_path / "scoreboard.md", PARTS)
    assert "No result records were found." in page.read_text()


@pytest.mark.parametrize("verdict", list(scoreboard.BADGES))
def test_every_verdict_has_a_badge(verdict):
    assert scoreboard.BADGES[verdict].startswith("bdg-")


def test_a_record_of_a_chapter_not_in_the_toc_is_left_out_with_a_warning(tmp_path):
    write_records(tmp_path / "results")
    (tmp_path / "results" / "gone.json").write_text(json.dumps(record("gone_chapter",
                                                                      "REPRODUCED", "pass")))
    with pytest.warns(UserWarning, match="gone_chapter"):
        page = scoreboard.write_page(tmp_path / "results", tmp_path / "scoreboard.md", PARTS)
    assert "gone_chapter" not in page.read_text()
