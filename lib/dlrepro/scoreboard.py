"""The scoreboard: every chapter's verdict, criteria and sham run, read back from the records.

The book's page groups the chapters by part in the order of ``_toc.yml``, links each title to
its page, shows the verdict as a coloured badge (sphinx-design, bundled with Jupyter Book), the
outcome of every criterion and of the sham run, and one figure: each chapter's primary
criterion as its 95% interval against the criterion's margin. A chapter whose run failed has a
*failure record* under ``results/failed`` instead of a verdict; it gets a FAILED row.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from pathlib import Path

from dlrepro.chapters import Part
from dlrepro.files import write_text_atomic

__all__ = ["load_records", "load_sham_records", "load_failures", "write_failure", "as_text",
           "as_markdown", "draw_primaries", "write_page", "FIGURE", "BADGES", "FAILED"]

FIGURE = "scoreboard-primaries.png"
#: sphinx-design badge role per verdict.
BADGES = {"REPRODUCED": "bdg-success", "PARTLY REPRODUCED": "bdg-warning",
          "INCONCLUSIVE": "bdg-info", "NOT REPRODUCED": "bdg-danger"}
#: What the scoreboard shows for a chapter whose run failed: no verdict at all.
FAILED = "FAILED"


def load_records(directory: str | os.PathLike) -> list[dict]:
    """All ``*.json`` records in ``directory``, sorted by chapter (temporary files are skipped)."""
    directory = Path(directory)
    records = []
    for path in sorted(directory.glob("*.json")):
        with open(path) as handle:
            records.append(json.load(handle))
    return sorted(records, key=lambda r: r["chapter"])


def load_sham_records(directory: str | os.PathLike) -> dict[str, dict]:
    """The sham records under ``directory/sham``, by chapter."""
    return {r["chapter"]: r for r in load_records(Path(directory) / "sham")}


def load_failures(directory: str | os.PathLike) -> dict[str, dict]:
    """The failure records under ``directory/failed``, by chapter."""
    return {r["chapter"]: r for r in load_records(Path(directory) / "failed")}


def write_failure(directory: str | os.PathLike, chapter: str, profile: str, sham: bool,
                  error: str) -> Path:
    """Record that ``chapter``'s run (its sham run when ``sham``) failed with ``error``."""
    record = {"chapter": chapter, "profile": profile, "sham": sham, "error": error}
    return write_text_atomic(Path(directory) / "failed" / f"{chapter}.json",
                             json.dumps(record, indent=2) + "\n")


def failure_text(failure: dict) -> str:
    """One sentence on a failed run, for the page and the scoreboard."""
    which = "its sham run" if failure["sham"] else "the run"
    return f"{which} ({failure['profile']}) failed: {failure['error']}"


def primary_outcome(record: dict) -> str:
    return record["criteria"][record["primary"]]["outcome"]


def sham_text(record: dict, sham: dict | None) -> str:
    """The sham run's verdict, or why there is none to show."""
    if sham is None:
        return "no sham run"
    if sham.get("chapter_hash") != record.get("chapter_hash"):
        return "sham run of another version"
    return f"{sham['verdict']} (primary {primary_outcome(sham)})"


def as_text(records: list[dict], shams: dict[str, dict] | None = None,
            failures: dict[str, dict] | None = None) -> str:
    """A fixed-width table for the terminal; failed runs last."""
    failures = failures or {}
    if not records and not failures:
        return "no result records yet: run `python -m dlrepro run CHAPTER` or `make reproduce`"
    shams = shams or {}
    rows = [("chapter", "verdict", "primary", "sham", "profile", "seeds", "time")]
    rows += [(r["chapter"], r["verdict"], primary_outcome(r),
              shams[r["chapter"]]["verdict"] if r["chapter"] in shams else "-", r["profile"],
              str(len(r["seeds"])), f"{r['wall_time_s']:.0f} s") for r in records]
    rows += [(name, FAILED, "-", "-", f["profile"], "-", "-") for name, f in failures.items()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
                     for row in rows)


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _criteria_cell(record: dict) -> str:
    """The primary's outcome, then how many of the other criteria passed, failed, undecided."""
    others = [c["outcome"] for c in record["criteria"].values() if not c["primary"]]
    counts = ", ".join(f"{others.count(o)} {o}" for o in ("pass", "FAIL", "undecided")
                       if others.count(o))
    return f"primary {primary_outcome(record)}" + (f"; others: {counts}" if counts else "")


def as_markdown(records: list[dict], shams: dict[str, dict], parts: list[Part],
                figure: str | None = None, failures: dict[str, dict] | None = None) -> str:
    """The book's scoreboard page; chapters in ``parts`` order, linked to their pages; a chapter
    with a failure record gets a FAILED row that says why."""
    failures = failures or {}
    lines = [
        "# Scoreboard",
        "",
        "Every chapter ends in a verdict computed by a rule fixed before its run: "
        "**REPRODUCED** (every criterion passes), **PARTLY REPRODUCED** (the primary criterion "
        "passes, another does not), **NOT REPRODUCED** (the primary fails) or **INCONCLUSIVE** "
        "(the primary's 95% interval straddles its margin). The *sham* column is the same "
        "chapter run with its method replaced by its control: it must not pass the primary. "
        "This page is generated from the chapters' result records "
        "(`python -m dlrepro scoreboard`).",
        "",
    ]
    if not records and not failures:
        return "\n".join(lines + ["No result records were found.", ""])
    by_name = {r["chapter"]: r for r in records}
    counts = {v: sum(r["verdict"] == v for r in records) for v in BADGES}
    badges = [f"{{{BADGES[v]}}}`{v}` {n}" for v, n in counts.items()]
    if failures:
        badges.append(f"{{bdg-dark}}`{FAILED}` {len(failures)}")
    lines += [", ".join(badges), ""]
    if figure:
        lines += [f"![The primary criterion of every chapter]({figure})", "",
                  "Each row is one chapter's primary criterion: the 95% interval over seeds "
                  "(bar) and its estimate (dot) in the criterion's own units; the shaded side of "
                  "the dashed margin is the claim's side. A bar wholly in the shade passes, "
                  "wholly outside fails, across the line is undecided.", ""]
    for part in parts:
        rows = [c for c in part.chapters if c.name in by_name or c.name in failures]
        if not rows:
            continue
        lines += [f"## {part.caption}", "",
                  "| chapter | verdict | criteria | sham run | run |", "|---|---|---|---|---|"]
        for chapter in rows:
            link = f"[{_cell(chapter.title)}](chapters/{chapter.part}/{chapter.name}.ipynb)"
            if chapter.name in failures:
                failure = failures[chapter.name]
                lines.append(f"| {link} | {{bdg-dark}}`{FAILED}` | "
                             f"{_cell(failure_text(failure))} | - | {_cell(failure['profile'])} |")
                continue
            r = by_name[chapter.name]
            lines.append(
                f"| {link} | {{{BADGES[r['verdict']]}}}`{r['verdict']}` | {_criteria_cell(r)} | "
                f"{_cell(sham_text(r, shams.get(chapter.name)))} | {_cell(r['profile'])}, "
                f"{len(r['seeds'])} seeds, {_cell(r['device'])}, {r['wall_time_s']:.0f} s |")
        lines.append("")
    lines += ["## The paper's number beside ours", ""]
    for part in parts:
        for chapter in (c for c in part.chapters if c.name in by_name):
            r = by_name[chapter.name]
            lines += [f"### {_cell(chapter.title)}", "",
                      f"- **Verdict:** {r['verdict']}",
                      f"- **Paper:** {r['paper_value']}", f"- **Ours:** {r['ours']}",
                      f"- **Source:** {r['paper']}", "- **Criteria:**"]
            lines += [f"  - {'primary, ' if c['primary'] else ''}{name}: **{c['outcome']}**"
                      for name, c in r["criteria"].items()]
            lines.append("")
    return "\n".join(lines)


def draw_primaries(records: list[dict], path: str | os.PathLike) -> Path:
    """One row per chapter: the primary's 95% interval against its margin; saves a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlrepro.plot import ARM_COLORS, use_style

    use_style()
    n = max(len(records), 1)
    fig, axes = plt.subplots(n, 1, figsize=(7.5, 0.62 * n + 0.6), squeeze=False)
    for ax, record in zip(axes[:, 0], records):
        criterion = record["criteria"][record["primary"]]
        interval = criterion["interval"]
        low, high = (float(v) for v in criterion["claim_side"])
        ends = [v for v in (interval["low"], interval["high"], interval["estimate"], low, high)
                if math.isfinite(v)]
        span = (max(ends) - min(ends)) or 1.0
        left, right = min(ends) - 0.15 * span, max(ends) + 0.15 * span
        ax.axvspan(max(low, left), min(high, right), color=ARM_COLORS["extra"], alpha=0.18)
        for edge in (low, high):
            if math.isfinite(edge):
                ax.axvline(edge, color=ARM_COLORS["baseline"], linestyle="--", linewidth=1)
        color = {"pass": ARM_COLORS["method"], "FAIL": ARM_COLORS["control"]}.get(
            criterion["outcome"], ARM_COLORS["alternative"])
        if math.isfinite(interval["low"]) and math.isfinite(interval["high"]):
            ax.plot([interval["low"], interval["high"]], [0, 0], color=color, linewidth=4,
                    solid_capstyle="butt")
        ax.plot([interval["estimate"]], [0], "o", color="black", markersize=4)
        ax.set(xlim=(left, right), ylim=(-1, 1), yticks=[])
        ax.grid(False)
        ax.set_ylabel(f"{record['chapter']}\n{criterion['outcome']}", rotation=0,
                      ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout(h_pad=0.3)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def write_page(results: str | os.PathLike, page: str | os.PathLike, parts: list[Part]) -> Path:
    """Write the scoreboard page to ``page`` and its figure beside it, from the records under
    ``results`` (sham records under ``results/sham``)."""
    page = Path(page)
    order = [c.name for part in parts for c in part.chapters]
    failures = load_failures(results)
    records = []
    for r in load_records(results):
        if r["chapter"] in failures:
            continue  # a record beside a failure is an older run's; the failure is this run's
        if r["chapter"] in order:
            records.append(r)
        else:
            warnings.warn(f"scoreboard: {r['chapter']!r} is not a chapter of _toc.yml; its "
                          f"record is left out", stacklevel=2)
    records.sort(key=lambda r: order.index(r["chapter"]))
    figure = draw_primaries(records, page.parent / FIGURE).name if records else None
    return write_text_atomic(page, as_markdown(records, load_sham_records(results), parts,
                                               figure, failures))
