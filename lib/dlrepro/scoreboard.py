"""The scoreboard: every chapter's verdict read back from its result record."""

from __future__ import annotations

import json
import os
from pathlib import Path

from dlrepro.files import write_text_atomic

__all__ = ["load_records", "as_text", "as_markdown", "write_markdown"]


def load_records(directory: str | os.PathLike) -> list[dict]:
    """All ``*.json`` records in ``directory``, sorted by chapter (temporary files are skipped)."""
    directory = Path(directory)
    records = []
    for path in sorted(directory.glob("*.json")):
        with open(path) as handle:
            records.append(json.load(handle))
    return sorted(records, key=lambda r: r["chapter"])


def as_text(records: list[dict]) -> str:
    """A fixed-width table for the terminal."""
    if not records:
        return "no result records yet: run `python -m dlrepro run CHAPTER` or `make reproduce`"
    rows = [("chapter", "verdict", "profile", "seeds", "device", "time")]
    rows += [(r["chapter"], r["verdict"], r["profile"], str(len(r["seeds"])), r["device"],
              f"{r['wall_time_s']:.0f} s") for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def as_markdown(records: list[dict]) -> str:
    """The book's scoreboard page."""
    lines = [
        "# Scoreboard",
        "",
        "Every chapter ends in a verdict computed by a rule fixed before its run. This page is",
        "generated from the chapters' result records (`python -m dlrepro scoreboard`).",
        "",
    ]
    if not records:
        return "\n".join(lines + ["No result records were found.", ""])
    lines += ["| chapter | verdict | profile | seeds | device | time |",
              "|---|---|---|---|---|---|"]
    for r in records:
        lines.append(
            f"| {_cell(r['chapter'])} | **{_cell(r['verdict'])}** | {_cell(r['profile'])} | "
            f"{len(r['seeds'])} | {_cell(r['device'])} | {r['wall_time_s']:.0f} s |"
        )
    lines += ["", "## The paper's number beside ours", ""]
    for r in records:
        lines += [f"### {r['chapter']}: {r['verdict']}", "",
                  f"- **Paper:** {r['paper_value']}", f"- **Ours:** {r['ours']}",
                  f"- **Source:** {r['paper']}", ""]
    lines += ["", "Numbers are means over seeds with 95% confidence half-widths.", ""]
    return "\n".join(lines)


def write_markdown(records: list[dict], path: str | os.PathLike) -> Path:
    """Write :func:`as_markdown` to ``path`` atomically."""
    return write_text_atomic(path, as_markdown(records))
