"""dlrepro.sweep and `python -m dlrepro sweep`: values, combinations, the table, the figure,
and a sweep of a toy chapter end to end."""

from __future__ import annotations

import csv
import math

import pytest
from test_engines import _cli
from test_reproduce import TOY_CHAPTER, TOY_PARAMETERS
from toybook import toy_book

from dlrepro import sweep
from dlrepro.errors import ConfigError


@pytest.mark.parametrize("text, values", [
    ("64,128,256", ["64", "128", "256"]),
    ("[8, 16],[32]", ["[8, 16]", "[32]"]),
    ("'a,b', c", ["'a,b'", "c"]),
    ("{'x': 1, 'y': 2},{}", ["{'x': 1, 'y': 2}", "{}"]),
    ("0.5", ["0.5"]),
])
def test_split_values_splits_at_top_level_commas_only(text, values):
    assert sweep.split_values(text) == values


@pytest.mark.parametrize("text", ["[1, 2", "1,,2", "'open", ""])
def test_split_values_refuses_malformed_lists(text):
    with pytest.raises(ConfigError, match="comma-separated"):
        sweep.split_values(text)


def test_combinations_are_the_product_first_parameter_slowest():
    combos = sweep.combinations({"width": [64, 128], "seed": [0, 1, 2]})
    assert combos == [{"width": w, "seed": s} for w in (64, 128) for s in (0, 1, 2)]
    assert sweep.run_label({"width": [8, 16], "opt": "adam w"}) == "width=_8__16_,opt=adam_w"


def _record(estimate: float, outcome: str, verdict: str) -> dict:
    interval = {"estimate": estimate, "low": estimate - 0.1, "high": estimate + 0.1}
    return {"verdict": verdict, "primary": "beats",
            "criteria": {"beats": {"outcome": outcome, "interval": interval}}}


def test_table_markdown_csv_and_figure(tmp_path):
    runs = [({"width": 64}, _record(0.5, "pass", "REPRODUCED"), None),
            ({"width": 128}, _record(0.05, "undecided", "INCONCLUSIVE"), None),
            ({"width": 256}, None, "failed")]
    table = sweep.rows(runs)
    assert table[0] == {"width": 64, "verdict": "REPRODUCED", "primary": "beats",
                        "outcome": "pass", "estimate": 0.5, "low": 0.4, "high": 0.6, "error": ""}
    assert table[2]["verdict"] == "FAILED" and math.isnan(table[2]["estimate"])
    text = sweep.as_markdown("toy", table, ["width"])
    assert "| width | verdict | primary | outcome | estimate | 95% interval |" in text
    assert "| 64 | REPRODUCED | beats | pass | 0.5 | [0.4, 0.6] |" in text
    assert "| 256 | FAILED |  |  |  | failed |" in text
    path = sweep.write_csv(table, ["width"], tmp_path / "sweep.csv")
    with open(path) as handle:
        read = list(csv.DictReader(handle))
    assert [r["width"] for r in read] == ["64", "128", "256"] and read[1]["estimate"] == "0.05"
    for swept, name in ((["width"], "numeric.png"), (["opt"], "categorical.png"),
                        (["widths", "width"], "lists.png")):
        rows = [dict(r, opt=str(r["width"]), widths=[r["width"], 2 * r["width"]]) for r in table]
        png = sweep.draw("toy", rows, swept, tmp_path / name)
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_sweep_of_a_toy_chapter_end_to_end(tmp_path, monkeypatch, capsys):
    """Two effects x two base seeds in two local jobs: four runs whose primary estimate is the
    effect set, and whose verdict follows it (no gain: undecided, a gain: reproduced)."""
    book = toy_book(tmp_path, {"toy": (TOY_PARAMETERS, TOY_CHAPTER)})
    out = tmp_path / "sweeps"
    status, stdout, err = _cli(monkeypatch, capsys, book, "sweep", "toy", "-p", "effect",
                               "0.0,0.1", "-p", "seed", "0,1", "--profile", "smoke", "--jobs",
                               "2", "--out", str(out))
    assert status == 0, err
    with open(out / "toy" / "sweep.csv") as handle:
        read = list(csv.DictReader(handle))
    assert [(r["effect"], r["seed"]) for r in read] == [("0.0", "0"), ("0.0", "1"), ("0.1", "0"),
                                                       ("0.1", "1")]
    assert [r["verdict"] for r in read] == ["INCONCLUSIVE"] * 2 + ["REPRODUCED"] * 2
    assert [float(r["estimate"]) for r in read] == pytest.approx([0.0, 0.0, 0.1, 0.1])
    assert (out / "toy" / "sweep.png").stat().st_size > 5000
    assert (out / "toy" / "effect=0.1,seed=1" / "results" / "toy.json").exists()
    assert "| 0.1 | 1 | REPRODUCED | beats | pass |" in stdout


@pytest.mark.parametrize("argv, message", [
    (["-p", "width", "1,2"], "chapter 'toy' has no parameter 'width'"),
    (["-p", "profile", "smoke,quick"], "-p profile: use --profile"),
    (["-p", "effect", "0.1", "-p", "effect", "0.2"], "-p effect is given more than once"),
    (["-p", "effect", "big"], "expects a float"),
    ([], "sweep needs at least one -p NAME VALUES"),
])
def test_sweep_refuses_bad_parameters_before_running(tmp_path, monkeypatch, capsys, argv,
                                                     message):
    book = toy_book(tmp_path, {"toy": (TOY_PARAMETERS, TOY_CHAPTER)})
    status, _, err = _cli(monkeypatch, capsys, book, "sweep", "toy", *argv, "--out",
                          str(tmp_path / "out"))
    assert status == 2 and message in err
    assert not (tmp_path / "out").exists()
