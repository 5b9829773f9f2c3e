"""dlrepro.claims (estimates, rules, verdict records), dlrepro.files, dlrepro.scoreboard and the
confidence band of dlrepro.plot, which is the same interval as a claim's."""

from __future__ import annotations

import json
import math
import os

import matplotlib
import numpy as np
import pytest
import torch
from scipy import stats

import dlrepro
from dlrepro import files, scoreboard
from dlrepro.claims import (
    NOT_REPRODUCED,
    PARTLY,
    REPRODUCED,
    Claim,
    Criterion,
    Estimate,
    Paper,
    estimate,
    mean_ci,
)
from dlrepro.errors import ConfigError
from dlrepro.run import Run

matplotlib.use("Agg")

RECORD_FIELDS = ("chapter", "paper", "claim", "rule", "paper_value", "ours", "verdict", "seeds",
                 "profile", "device", "wall_time_s", "library_version")

PAPER = Paper("A. Author and B. Author", 2019, "A Paper", "ICLR", "https://example.org/paper")


def make_run(seeds=(0, 1, 2)) -> Run:
    from types import SimpleNamespace

    return Run("toy_chapter", "smoke", seeds[0], torch.device("cpu"), SimpleNamespace(),
               list(seeds))


def make_claim(criteria=None, chapter="toy_chapter") -> Claim:
    criteria = criteria or (
        Criterion("above_half", "accuracy above 0.5", lambda e: e["acc"].mean > 0.5),
        Criterion("above_090", "accuracy above 0.9", lambda e: e["acc"].mean > 0.9),
    )
    return Claim(chapter=chapter, paper=PAPER, statement="Networks learn the toy task.",
                 paper_value="acc = 0.95", headline="acc", criteria=tuple(criteria))


# --------------------------------------------------------------------------- estimates


@pytest.mark.parametrize("values", [[0.9, 0.85, 0.95, 0.88], [1.0, 3.0], [2.5, 2.5, 2.6, 2.4, 9.0]])
def test_estimate_mean_and_ci95_against_scipy(values):
    e = estimate(values)
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    assert e.n == n
    assert e.mean == pytest.approx(mean, rel=1e-12)
    assert e.ci95 == pytest.approx(stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n), rel=1e-10)
    low, high = stats.t.interval(0.95, n - 1, loc=mean, scale=stats.sem(values))
    assert (e.low, e.high) == (pytest.approx(low, rel=1e-10), pytest.approx(high, rel=1e-10))
    assert e.as_dict() == {"mean": e.mean, "ci95": e.ci95, "n": n, "values": list(values)}


def test_estimate_of_two_closed_form():
    # n = 2: sd = |a - b| / sqrt(2), so the half-width is t_{0.975, 1} * |a - b| / 2, and the
    # t distribution with one degree of freedom is Cauchy: t_{0.975, 1} = tan(0.475 * pi).
    e = estimate([1.0, 3.0])
    assert e.ci95 == pytest.approx(math.tan(0.475 * math.pi) * abs(1.0 - 3.0) / 2, rel=1e-9)


def test_estimate_single_value_and_input_types():
    assert estimate(0.7).ci95 == 0.0 and estimate([0.7]).mean == pytest.approx(0.7)
    assert estimate(torch.tensor([1.0, 2.0, 3.0])).mean == pytest.approx(2.0)
    assert estimate(np.array([[1.0, 2.0], [3.0, 6.0]])).mean == pytest.approx(3.0)
    assert str(estimate([1.0, 3.0])).startswith("2 ± 13 (n=2)")


def test_mean_ci_writes_the_estimate_with_one_format():
    # Two values 1 and 3: mean 2, half-width tan(0.475 pi) = 12.706...
    assert mean_ci([1.0, 3.0]) == "2.000 ± 12.706"
    assert mean_ci([1.0, 3.0], ".0f") == "2 ± 13"
    assert mean_ci(np.array([0.5]), ".2g") == "0.5 ± 0"


@pytest.mark.parametrize("bad", [[], [1.0, float("nan")], [float("inf")], np.array([])])
def test_estimate_rejects_empty_and_non_finite(bad):
    with pytest.raises(ConfigError):
        estimate(bad)


# --------------------------------------------------------------------------- claims and verdicts


@pytest.mark.parametrize("accs,status,marks", [
    ([0.95, 0.97, 0.96], REPRODUCED, {"above_half": True, "above_090": True}),
    ([0.70, 0.72, 0.71], PARTLY, {"above_half": True, "above_090": False}),
    ([0.20, 0.30, 0.25], NOT_REPRODUCED, {"above_half": False, "above_090": False}),
])
def test_judge_all_some_none(accs, status, marks):
    verdict = make_claim().judge({"acc": accs, "loss": [0.1, 0.2, 0.3]}, make_run())
    assert verdict.status == status
    assert verdict.criteria == marks
    assert verdict.estimates["acc"].mean == pytest.approx(np.mean(accs))
    summary = verdict.summary()
    assert summary.startswith(f"Verdict: {status}")
    assert summary.count("[pass]") == sum(marks.values())
    assert summary.count("[FAIL]") == 2 - sum(marks.values())
    assert f"acc = {verdict.estimates['acc']}" in str(verdict)


def test_judge_accepts_estimates_and_rejects_unmeasured_keys():
    run = make_run()
    verdict = make_claim().judge({"acc": Estimate((0.6, 0.8))}, run)
    assert verdict.status == PARTLY and verdict.estimates["acc"].n == 2
    reads_missing = Criterion("gap", "gap below 0.1", lambda e: e["gap"].mean < 0.1)
    with pytest.raises(ConfigError) as info:
        make_claim([reads_missing]).judge({"acc": [0.9]}, run)
    assert "'gap'" in str(info.value)
    with pytest.raises(ConfigError):
        make_claim().judge({"loss": [0.9]}, run)  # the headline was not measured


def test_several_headlines_and_one_not_measured():
    run = make_run()
    claim = make_claim()
    claim = Claim(claim.chapter, claim.paper, claim.statement, claim.paper_value,
                  ("acc", "slowdown"), claim.criteria)
    verdict = claim.judge({"acc": [0.5, 0.7]}, run)
    assert verdict.ours() == f"acc = {estimate([0.5, 0.7])}; slowdown: not measured"
    assert verdict.record()["ours"] == verdict.ours()


def test_claim_without_criteria_is_rejected():
    with pytest.raises(ConfigError):
        Claim("c", PAPER, "s", "v", "acc", ())


def test_verdict_save_writes_a_complete_record(tmp_path):
    verdict = make_claim().judge({"acc": [0.95, 0.97, 0.96]}, make_run(seeds=(4, 5, 6)))
    path = verdict.save(tmp_path)
    assert path == tmp_path / "toy_chapter.json"
    assert sorted(os.listdir(tmp_path)) == ["toy_chapter.json"]
    record = json.loads(path.read_text())
    assert set(RECORD_FIELDS) <= set(record)
    assert record["chapter"] == "toy_chapter" and record["verdict"] == REPRODUCED
    assert record["paper"] == PAPER.cite() and "2019" in record["paper"]
    assert record["claim"] == "Networks learn the toy task."
    assert record["rule"] == make_claim().rule() and "above_half" in record["rule"]
    assert record["paper_value"] == "acc = 0.95"
    assert record["ours"] == f"acc = {verdict.estimates['acc']}"
    assert record["seeds"] == [4, 5, 6] and record["profile"] == "smoke"
    assert record["device"] == "cpu"
    assert record["library_version"] == dlrepro.__version__
    assert 0 <= record["wall_time_s"] < 60
    assert record["measurements"]["acc"]["mean"] == pytest.approx(0.96)
    assert record["measurements"]["acc"]["ci95"] == pytest.approx(
        stats.t.ppf(0.975, 2) * np.std([0.95, 0.97, 0.96], ddof=1) / math.sqrt(3))
    assert record["criteria"] == {"above_half": True, "above_090": True}


def test_verdict_save_defaults_to_results_dir(isolated_env):
    verdict = make_claim().judge({"acc": [0.5]}, make_run(seeds=(0,)))
    path = verdict.save()
    assert path == isolated_env / "toy_chapter.json"
    assert json.loads(path.read_text())["verdict"] == NOT_REPRODUCED


def test_verdict_save_is_atomic_when_the_write_fails(tmp_path, monkeypatch):
    good = make_claim().judge({"acc": [0.95, 0.97]}, make_run(seeds=(0, 1)))
    path = good.save(tmp_path)
    before = path.read_bytes()

    real_fdopen = os.fdopen

    class FailingHandle:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()
            return False

        def write(self, text):
            self.handle.write(text[: len(text) // 2])  # half the record reaches the disk ...
            self.handle.flush()
            raise OSError("disk full")  # ... then the write fails

    monkeypatch.setattr(files.os, "fdopen", lambda fd, mode: FailingHandle(real_fdopen(fd, mode)))
    bad = make_claim().judge({"acc": [0.1, 0.2]}, make_run(seeds=(0, 1)))
    with pytest.raises(OSError, match="disk full"):
        bad.save(tmp_path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["toy_chapter.json"]
    assert json.loads(before)["verdict"] == REPRODUCED

    monkeypatch.undo()

    def failing_replace(src, dst):
        raise OSError("rename failed")

    monkeypatch.setattr(files.os, "replace", failing_replace)
    with pytest.raises(OSError, match="rename failed"):
        bad.save(tmp_path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["toy_chapter.json"]


# --------------------------------------------------------------------------- files


def test_write_text_atomic_uses_ordinary_permissions(tmp_path):
    target = tmp_path / "r.json"
    files.write_text_atomic(target, "x\n")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


def test_write_text_atomic(tmp_path):
    target = tmp_path / "a" / "b" / "note.txt"
    assert files.write_text_atomic(target, "first\n") == target
    files.write_text_atomic(target, "second, longer text\n")
    assert target.read_text() == "second, longer text\n"
    assert os.listdir(target.parent) == ["note.txt"]


# --------------------------------------------------------------------------- scoreboard


def fake_record(chapter: str, verdict: str, seeds: int, seconds: float) -> dict:
    return {"chapter": chapter, "verdict": verdict, "profile": "quick",
            "seeds": list(range(seeds)), "device": "cpu", "wall_time_s": seconds,
            "paper_value": f"value of {chapter} | with a pipe", "ours": f"ours {chapter}",
            "paper": f"Someone (2020). Paper of {chapter}."}


def write_fake_records(directory) -> list[dict]:
    records = [fake_record("zeta_chapter", NOT_REPRODUCED, 2, 61.4),
               fake_record("alpha_chapter", REPRODUCED, 5, 12.6),
               fake_record("mid_chapter", PARTLY, 3, 7.0)]
    directory.mkdir(parents=True, exist_ok=True)
    # File names deliberately not in chapter order; a leftover temporary file is ignored.
    for name, record in zip(["a.json", "b.json", "c.json"], records, strict=True):
        (directory / name).write_text(json.dumps(record))
    (directory / ".alpha_chapter.json.x1y2.tmp").write_text("{half a rec")
    return records


def test_load_records_sorted_by_chapter(tmp_path):
    write_fake_records(tmp_path)
    records = scoreboard.load_records(tmp_path)
    assert [r["chapter"] for r in records] == ["alpha_chapter", "mid_chapter", "zeta_chapter"]
    assert scoreboard.load_records(tmp_path / "empty") == []


def test_as_text_has_each_chapter_verdict_on_its_line(tmp_path):
    write_fake_records(tmp_path)
    text = scoreboard.as_text(scoreboard.load_records(tmp_path))
    lines = text.splitlines()
    assert len(lines) == 4 and lines[0].split() == ["chapter", "verdict", "profile", "seeds",
                                                     "device", "time"]
    by_chapter = {line.split()[0]: line for line in lines[1:]}
    assert "REPRODUCED" in by_chapter["alpha_chapter"] and "13 s" in by_chapter["alpha_chapter"]
    assert by_chapter["alpha_chapter"].split()[3] == "5"
    assert "PARTLY REPRODUCED" in by_chapter["mid_chapter"]
    assert "NOT REPRODUCED" in by_chapter["zeta_chapter"] and "61 s" in by_chapter["zeta_chapter"]
    assert "no result records" in scoreboard.as_text([])


def test_as_markdown_and_write_markdown(tmp_path):
    write_fake_records(tmp_path / "results")
    records = scoreboard.load_records(tmp_path / "results")
    page = scoreboard.as_markdown(records)
    rows = [line for line in page.splitlines() if line.startswith("| ") and "_chapter" in line]
    assert len(rows) == 3
    assert rows[0].startswith("| alpha_chapter | **REPRODUCED** |")
    assert rows[1].startswith("| mid_chapter | **PARTLY REPRODUCED** |")
    assert rows[2].startswith("| zeta_chapter | **NOT REPRODUCED** |")
    assert rows[0].count(" | ") == 5 and rows[0].endswith("| 5 | cpu | 13 s |")
    # The paper's number beside ours, per chapter, below the table.
    section = page[page.index("### alpha_chapter: REPRODUCED"):page.index("### mid_chapter")]
    assert "**Paper:** value of alpha_chapter | with a pipe" in section
    assert "**Ours:** ours alpha_chapter" in section and "Paper of alpha_chapter" in section
    out = scoreboard.write_markdown(records, tmp_path / "scoreboard.md")
    assert out.read_text() == page
    assert "No result records were found." in scoreboard.as_markdown([])


# --------------------------------------------------------------------------- plot


def test_mean_band_equals_the_claims_interval():
    from dlrepro.plot import mean_band

    values = np.array([[0.9, 0.5, 0.1], [0.8, 0.6, 0.3], [0.95, 0.4, 0.2], [0.85, 0.55, 0.25]])
    mean, half = mean_band(values)
    for j in range(values.shape[1]):
        e = estimate(values[:, j])
        assert mean[j] == pytest.approx(e.mean) and half[j] == pytest.approx(e.ci95)
    mean1, half1 = mean_band(values[:1])
    np.testing.assert_array_equal(mean1, values[0])
    np.testing.assert_array_equal(half1, np.zeros(3))


def test_seed_band_draws_mean_and_band():
    import matplotlib.pyplot as plt

    from dlrepro.plot import ARM_COLORS, mean_band, seed_band, use_style

    with matplotlib.rc_context():
        use_style()
        assert matplotlib.rcParams["axes.grid"] is True
        assert matplotlib.rcParams["figure.dpi"] == 110
        fig, ax = plt.subplots()
        values = np.array([[1.0, 2.0, 3.0], [2.0, 2.0, 5.0], [3.0, 5.0, 4.0]])
        seed_band(ax, [1, 2, 3], values, label="method", color=ARM_COLORS["method"])
        line = ax.get_lines()[0]
        np.testing.assert_allclose(line.get_ydata(), values.mean(axis=0))
        assert line.get_label() == "method"
        band = ax.collections[0].get_paths()[0].vertices[:, 1]
        mean, half = mean_band(values)
        assert band.max() == pytest.approx((mean + half).max())
        assert band.min() == pytest.approx((mean - half).min())
        plt.close(fig)
