"""dlrepro.claims (estimates, criteria, rules, verdict records), dlrepro.files and the confidence
band of dlrepro.plot, which is the same interval as a claim's."""

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
from dlrepro import files
from dlrepro.claims import (
    FAIL,
    INCONCLUSIVE,
    NOT_REPRODUCED,
    PARTLY,
    PASS,
    REPRODUCED,
    UNDECIDED,
    Check,
    CheckFailed,
    Claim,
    Criterion,
    Paper,
    bound,
    equivalence,
    estimate,
    mean_ci,
    non_inferiority,
    superiority,
)
from dlrepro.errors import ConfigError
from dlrepro.run import Run
from dlrepro.tuning import tune

matplotlib.use("Agg")

RECORD_FIELDS = ("chapter", "paper", "claim", "rule", "paper_value", "ours", "verdict", "seeds",
                 "profile", "device", "wall_time_s", "library_version")

PAPER = Paper("A. Author and B. Author", 2019, "A Paper", "ICLR", "https://example.org/paper")


def make_run(seeds=(0, 1, 2)) -> Run:
    from types import SimpleNamespace

    return Run("toy_chapter", "smoke", seeds[0], torch.device("cpu"), SimpleNamespace(),
               list(seeds))


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


# --------------------------------------------------------------------------- criteria


def outcome(criterion, **values):
    return criterion.evaluate({k: np.asarray(v, dtype=float) for k, v in values.items()}).outcome


GOOD = [0.80, 0.82, 0.81, 0.83, 0.79]


@pytest.mark.parametrize("method,expected", [
    ([v + 0.05 for v in GOOD], PASS),        # interval of the gain wholly above the margin 0.02
    ([v - 0.05 for v in GOOD], FAIL),        # wholly below
    ([0.80, 0.85, 0.78, 0.86, 0.79], UNDECIDED),  # straddles
    (GOOD, FAIL),                            # the sham: identical arms, surely below 0.02
])
def test_superiority_three_outcomes(method, expected):
    c = superiority("beats", "gain above 0.02", "m", "c", margin=0.02)
    assert outcome(c, m=method, c=GOOD) == expected


def test_superiority_at_margin_zero_with_identical_arms_is_undecided():
    c = superiority("beats", "gain above 0", "m", "c")
    assert outcome(c, m=GOOD, c=GOOD) == UNDECIDED


def test_lower_is_better_flips_the_side():
    c = superiority("faster", "fewer steps", "m", "c", margin=1.0, higher_is_better=False)
    assert outcome(c, m=[10, 11, 10, 12, 11], c=[20, 21, 22, 20, 21]) == PASS
    assert outcome(c, m=[20, 21, 22, 20, 21], c=[10, 11, 10, 12, 11]) == FAIL
    n = non_inferiority("no slower", "at most 2 more", "m", "c", 2.0, higher_is_better=False)
    assert outcome(n, m=[11, 11.5, 11.2, 11.1, 11.3], c=[11, 11.4, 11.1, 11.2, 11.2]) == PASS
    assert outcome(n, m=[15, 15.5, 15.2, 15.1, 15.3], c=[11, 11.4, 11.1, 11.2, 11.2]) == FAIL


def test_non_inferiority_passes_a_tie_and_fails_a_clear_loss():
    c = non_inferiority("no worse", "loses less than 0.01", "m", "c", 0.01)
    assert outcome(c, m=GOOD, c=GOOD) == PASS
    assert outcome(c, m=[v - 0.05 for v in GOOD], c=GOOD) == FAIL
    assert outcome(c, m=[0.80, 0.85, 0.74, 0.86, 0.79], c=GOOD) == UNDECIDED


def test_bound_and_equivalence():
    above = bound("above chance", "mean above 0.1", "acc", 0.1)
    assert outcome(above, acc=[0.5, 0.6, 0.55]) == PASS
    assert outcome(above, acc=[0.05, 0.06, 0.04]) == FAIL
    below = bound("small", "mean below 1", "x", 1.0, above=False)
    assert outcome(below, x=[0.1, 0.2, 0.15]) == PASS and outcome(below, x=[2, 2.2, 2.1]) == FAIL
    eq = equivalence("slope", "slope within 0.1 of -0.5", "s", -0.5, 0.1)
    assert outcome(eq, s=[-0.5, -0.49, -0.51, -0.5]) == PASS
    assert outcome(eq, s=[-1.0, -1.01, -0.99]) == FAIL
    assert outcome(eq, s=[-0.3, -0.7, -0.5]) == UNDECIDED


def test_one_seed_is_undecided_and_the_interval_is_reported():
    c = superiority("beats", "gain", "m", "c")
    result = c.evaluate({"m": np.array([0.9]), "c": np.array([0.1])})
    assert result.outcome == UNDECIDED and "no interval" in result.reason


def test_unpaired_comparison_uses_welch():
    c = superiority("beats", "gain", "m", "c", paired=False)
    result = c.evaluate({"m": np.array([1.0, 2.0, 3.0]), "c": np.array([0.0, 0.5])})
    expected = stats.ttest_ind([1.0, 2.0, 3.0], [0.0, 0.5], equal_var=False)
    low, high = expected.confidence_interval(0.95)
    assert (result.interval.low, result.interval.high) == (pytest.approx(low), pytest.approx(high))


@pytest.mark.parametrize("method, control, interior", [
    ([0.9, 0.91, 0.92], [0.5, 0.52, 0.51], PASS),
    ([0.5, 0.52, 0.51], [0.9, 0.91, 0.92], FAIL),
])
def test_edge_pick_makes_a_pass_or_a_fail_undecided(method, control, interior):
    c = superiority("beats", "gain", "m", "c", rests_on=("lr",))
    values = {"m": np.array(method), "c": np.array(control)}
    inner = tune("lr", [1, 2, 3], np.array([0.1, 0.9, 0.2]))
    assert c.evaluate(values, {"lr": inner}).outcome == interior
    for scores in ([0.1, 0.2, 0.9], [0.9, 0.2, 0.1]):  # the top edge, the bottom edge
        result = c.evaluate(values, {"lr": tune("lr", [1, 2, 3], np.array(scores))})
        assert result.outcome == UNDECIDED and "edge" in result.reason
    with pytest.raises(ConfigError, match="rests on"):
        c.evaluate(values, {})


def test_malformed_criteria_are_rejected():
    with pytest.raises(ConfigError, match="margin"):
        non_inferiority("x", "x", "m", "c", 0.0)
    with pytest.raises(ConfigError, match="control"):
        Criterion("x", "x", "superiority", "m", 0.0)
    with pytest.raises(ConfigError, match="kind"):
        Criterion("x", "x", "better", "m", 0.0)


# --------------------------------------------------------------------------- claims and verdicts


def make_claim(checks=(), chapter="toy_chapter") -> Claim:
    return Claim(
        chapter=chapter, paper=PAPER, statement="The method beats the control.",
        paper_value="gain = 0.05",
        primary=superiority("beats control", "gain above 0", "acc_method", "acc_control"),
        criteria=(bound("above chance", "method above 0.5", "acc_method", 0.5),),
        checks=tuple(checks))


CONTROL = [0.60, 0.62, 0.61, 0.63, 0.59]


@pytest.mark.parametrize("method,status", [
    ([0.70, 0.72, 0.71, 0.73, 0.69], REPRODUCED),
    ([0.62, 0.64, 0.63, 0.65, 0.61], REPRODUCED),
    ([0.40, 0.44, 0.41, 0.43, 0.40], NOT_REPRODUCED),
    ([0.60, 0.70, 0.55, 0.68, 0.58], INCONCLUSIVE),
])
def test_verdict_levels(method, status):
    verdict = make_claim().judge({"acc_method": method, "acc_control": CONTROL}, make_run())
    assert verdict.status == status
    assert verdict.summary().startswith(f"Verdict: {status}")
    assert "primary: beats control" in verdict.summary()


def test_partly_when_the_primary_passes_and_another_does_not():
    claim = Claim("toy_chapter", PAPER, "s", "v",
                  primary=superiority("beats", "gain", "m", "c"),
                  criteria=(bound("high", "above 0.9", "m", 0.9),))
    verdict = claim.judge({"m": [0.7, 0.71, 0.72], "c": [0.5, 0.51, 0.5]}, make_run())
    assert verdict.status == PARTLY
    assert {k: o.outcome for k, o in verdict.outcomes.items()} == {"beats": PASS, "high": FAIL}


def test_checks_stop_a_run_and_never_count(restore_torch_state):
    holds = Check("positive", "control above 0", lambda e: e["acc_control"].low > 0)
    fails = Check("impossible", "control above 1", lambda e: e["acc_control"].mean > 1)
    values = {"acc_method": [0.4, 0.41, 0.42, 0.4, 0.41], "acc_control": CONTROL}
    verdict = make_claim([holds]).judge(values, make_run())
    assert verdict.status == NOT_REPRODUCED and verdict.checks == {"positive": True}
    assert "[check holds] positive" in verdict.summary()
    quick = make_run()
    quick.profile = "quick"
    with pytest.raises(CheckFailed, match="impossible"):
        make_claim([fails]).judge(values, quick)
    smoke = make_claim([fails]).judge(values, make_run())  # smoke: numbers mean nothing
    assert smoke.checks == {"impossible": False} and "FAILED" in smoke.summary()


def test_judge_rejects_unmeasured_and_duplicate_names():
    with pytest.raises(ConfigError, match="acc_control"):
        make_claim().judge({"acc_method": [0.9, 0.8]}, make_run())
    with pytest.raises(ConfigError, match="twice"):
        Claim("c", PAPER, "s", "v", primary=bound("a", "a", "m", 0.0),
              criteria=(bound("a", "a", "m", 1.0),))


def test_record_and_sham(tmp_path, capsys):
    values = {"acc_method": [0.70, 0.72, 0.71, 0.73, 0.69], "acc_control": CONTROL}
    verdict = make_claim().judge(values, make_run(seeds=(4, 5, 6, 7, 8)))
    path = verdict.save(tmp_path)
    assert path == tmp_path / "toy_chapter.json"
    record = json.loads(path.read_text())
    assert set(RECORD_FIELDS) <= set(record)
    assert record["verdict"] == REPRODUCED and record["sham"] is False
    assert record["primary"] == "beats control" and record["paper"] == PAPER.cite()
    primary = record["criteria"]["beats control"]
    gain = np.subtract(values["acc_method"], CONTROL)
    low, high = stats.ttest_1samp(gain, 0.0).confidence_interval(0.95)
    assert primary["outcome"] == PASS and primary["primary"] is True
    assert primary["interval"]["low"] == pytest.approx(low)
    assert primary["interval"]["high"] == pytest.approx(high)
    assert primary["claim_side"] == [0.0, math.inf]
    assert record["seeds"] == [4, 5, 6, 7, 8] and record["library_version"] == dlrepro.__version__
    assert record["rule"] == make_claim().rule() and "primary, beats control" in record["rule"]
    assert record["measurements"]["acc_method"]["mean"] == pytest.approx(0.71)

    sham_run = make_run(seeds=(0, 1, 2, 3, 4))
    sham_run.sham = True
    sham = make_claim().judge({"acc_method": CONTROL, "acc_control": CONTROL}, sham_run)
    assert sham.status == INCONCLUSIVE and not sham.sham_passed
    assert sham.save(tmp_path) == tmp_path / "sham" / "toy_chapter.json"
    broken = make_claim().judge(values, sham_run)  # a "sham" that still runs the method
    assert broken.sham_passed and "SHAM PASSED" in broken.summary()
    broken.save(tmp_path / "broken")
    assert "SHAM PASSED THE PRIMARY" in capsys.readouterr().err


def test_verdict_save_defaults_to_results_dir(isolated_env):
    values = {"acc_method": [0.5], "acc_control": [0.4]}
    path = make_claim().judge(values, make_run(seeds=(0,))).save()
    assert path == isolated_env / "toy_chapter.json"
    assert json.loads(path.read_text())["verdict"] == INCONCLUSIVE  # one seed cannot decide


def test_glue_of_the_verdict_box(monkeypatch, isolated_env):
    import dlrepro.claims as claims

    glued = {}
    monkeypatch.setattr(claims, "glue", lambda name, value, markdown=False:
                        glued.__setitem__(name, (value, markdown)))
    values = {"acc_method": [0.70, 0.72, 0.71, 0.73, 0.69], "acc_control": CONTROL}
    verdict = make_claim().judge(values, make_run())
    verdict.glue()
    box, markdown = glued["verdict_box"]
    assert markdown and box.startswith("```{admonition} Verdict: REPRODUCED")
    assert "beats control: gain above 0" in box and "gain = 0.05" in box
    assert verdict.ours() in box and "(#verdict)" in box
    assert "not run for this version of the chapter" in box
    assert glued["verdict"] == (REPRODUCED, False)
    assert glued["primary_low"] == (verdict.primary.interval.low, False)
    assert glued["primary_estimate"][0] == pytest.approx(0.1)


def test_verdict_save_is_atomic_when_the_write_fails(tmp_path, monkeypatch):
    values = {"acc_method": [0.70, 0.72, 0.71], "acc_control": [0.60, 0.62, 0.61]}
    good = make_claim().judge(values, make_run())
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
    bad = make_claim().judge({"acc_method": [0.1, 0.2, 0.1], "acc_control": [0.6, 0.6, 0.7]},
                             make_run())
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


def test_strip_run_metadata_keeps_outputs_and_drops_paths(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")])
    nb.metadata["papermill"] = {"input_path": "/home/someone/x.ipynb", "duration": 3.0}
    nb.cells[0].metadata["papermill"] = {"duration": 0.1}
    nb.cells[0].metadata["execution"] = {"iopub.status.busy": "2026"}
    nb.cells[0].metadata["tags"] = ["parameters"]
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="2\n")]
    path = tmp_path / "c.ipynb"
    nbformat.write(nb, path)
    files.strip_run_metadata(path)
    text = path.read_text()
    assert "/home/someone" not in text and "duration" not in text
    again = nbformat.read(path, as_version=4)
    assert again.cells[0].metadata == {"tags": ["parameters"]}
    assert again.cells[0].outputs[0].text == "2\n"


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
