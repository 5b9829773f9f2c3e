"""Sweeps: one chapter over the product of parameter values, and what each run concluded.

``python -m dlrepro sweep CHAPTER -p width 64,128,256 -p seed 0,1,2`` runs the chapter once per
combination (papermill parameters, on any engine of :mod:`dlrepro.engines`) and writes, beside
the runs, ``sweep.csv`` and ``sweep.md`` (every run's verdict and primary measurement with its
95% interval) and ``sweep.png`` (the primary effect against the first swept parameter, one line
per combination of the others).
"""

from __future__ import annotations

import csv
import itertools
import math
import os
import re
from pathlib import Path

from dlrepro.errors import ConfigError
from dlrepro.files import write_text_atomic

__all__ = ["split_values", "combinations", "run_label", "rows", "as_markdown", "write_csv",
           "draw"]

_OPENING, _CLOSING = "[({", "])}"


def split_values(text: str) -> list[str]:
    """``"64,128,256"`` -> ``["64", "128", "256"]``, splitting only at top-level commas, so a
    list value stays whole: ``"[8, 16],[32]"`` -> ``["[8, 16]", "[32]"]``."""
    values, depth, quote, current = [], 0, None, ""
    for char in text:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in _OPENING:
            depth += 1
        elif char in _CLOSING:
            depth -= 1
        elif char == "," and depth == 0:
            values.append(current.strip())
            current = ""
            continue
        current += char
    values.append(current.strip())
    if depth or quote or not all(values):
        raise ConfigError(f"cannot read the values {text!r}: give them as a comma-separated "
                          f"list, e.g. 64,128,256 (lists in brackets: [8, 16],[32])")
    return values


def combinations(values: dict[str, list]) -> list[dict]:
    """Every combination of the swept values, the first parameter varying slowest."""
    names = list(values)
    return [dict(zip(names, combo)) for combo in itertools.product(*values.values())]


def run_label(combo: dict) -> str:
    """A directory name for one combination: ``width=64,seed=0``; in a value, any character
    but letters, digits and ``._+-`` becomes ``_`` (so ``,`` and ``=`` only separate)."""
    return ",".join(f"{name}={re.sub(r'[^A-Za-z0-9._+-]', '_', str(value))}"
                    for name, value in combo.items())


def rows(runs: list[tuple[dict, dict | None, str | None]]) -> list[dict]:
    """``(combo, record, error)`` per run -> one row each: the swept values, the verdict, the
    primary criterion, its outcome and its 95% interval (a failed run: its error instead)."""
    table = []
    for combo, record, error in runs:
        row = dict(combo)
        if record is None:
            row.update(verdict="FAILED" if error else "NO RECORD", primary="", outcome="",
                       estimate=math.nan, low=math.nan, high=math.nan, error=error or "")
        else:
            primary = record["criteria"][record["primary"]]
            interval = primary["interval"]
            row.update(verdict=record["verdict"], primary=record["primary"],
                       outcome=primary["outcome"], estimate=interval["estimate"],
                       low=interval["low"], high=interval["high"], error="")
        table.append(row)
    return table


def _number(value: float) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
        else f"{value:.4g}"


def as_markdown(chapter: str, table: list[dict], swept: list[str]) -> str:
    """The sweep's table in Markdown, one line per run."""
    head = [*swept, "verdict", "primary", "outcome", "estimate", "95% interval"]
    lines = [f"# Sweep of {chapter}", "", "| " + " | ".join(head) + " |",
             "|" + "---|" * len(head)]
    for row in table:
        interval = (f"[{_number(row['low'])}, {_number(row['high'])}]"
                    if not math.isnan(row["estimate"]) else row["error"])
        cells = [str(row[name]) for name in swept] + [
            row["verdict"], row["primary"], row["outcome"], _number(row["estimate"]), interval]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_csv(table: list[dict], swept: list[str], path: str | os.PathLike) -> Path:
    """The table as CSV (written whole, atomically)."""
    import io

    buffer = io.StringIO()
    fields = [*swept, "verdict", "primary", "outcome", "estimate", "low", "high", "error"]
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({name: row[name] for name in fields})
    return write_text_atomic(Path(path), buffer.getvalue())


def draw(chapter: str, table: list[dict], swept: list[str], path: str | os.PathLike) -> Path:
    """The primary estimate and its interval against the first swept parameter, one line per
    combination of the others; numeric values on a numeric axis, others in order."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlrepro.plot import use_style

    use_style()
    first, rest = swept[0], swept[1:]
    levels = list({repr(row[first]): row[first] for row in table}.values())  # lists: unhashable
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in levels)
    position = {repr(v): (v if numeric else i) for i, v in enumerate(levels)}
    figure, axis = plt.subplots(figsize=(6, 4))
    groups: dict[str, list[dict]] = {}
    for row in table:
        groups.setdefault(repr([row[name] for name in rest]), []).append(row)
    for members in groups.values():
        done = [r for r in members if not math.isnan(r["estimate"])]
        xs = [position[repr(r[first])] for r in done]
        ys = [r["estimate"] for r in done]
        errors = [[r["estimate"] - r["low"] for r in done], [r["high"] - r["estimate"]
                                                              for r in done]]
        label = ", ".join(f"{n}={members[0][n]}" for n in rest) or None
        axis.errorbar(xs, ys, yerr=errors, marker="o", capsize=3, label=label)
    if not numeric:
        axis.set_xticks(range(len(levels)), [str(v) for v in levels])
    primary = next((r["primary"] for r in table if r["primary"]), "primary")
    axis.set_xlabel(first)
    axis.set_ylabel(f"{primary}\n(estimate, 95% interval)")
    axis.set_title(f"{chapter}: the primary effect across the sweep")
    if rest:
        axis.legend(fontsize=8)
    figure.tight_layout()
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.png")
    figure.savefig(tmp, dpi=120)
    plt.close(figure)
    os.replace(tmp, path)
    return path
