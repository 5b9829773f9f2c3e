"""Claims, the rules that judge them, and the result record every chapter writes.

A chapter declares a :class:`Claim` *before* its experiment: the paper, the statement in our
words, the paper's number, one **primary** :class:`Criterion` (the paper's headline, stated
against a control arm), further criteria, and :class:`Check` objects.

* A *criterion* is an interval test over per-seed values with three outcomes: PASS when the
  95% interval (:mod:`dlrepro.intervals`) lies wholly on the claim's side of its margin, FAIL
  when it lies wholly on the other side, UNDECIDED when it straddles the margin or rests on a
  tuned value at the edge of its grid (:mod:`dlrepro.tuning`). Four kinds:
  :func:`superiority`, :func:`non_inferiority`, :func:`bound` and :func:`equivalence`.
* A *check* is an implementation or sanity statement (an estimator converges, a replica equals
  its sender). It must hold, or the run stops with :class:`CheckFailed`; it never counts
  towards the verdict.

:meth:`Claim.judge` returns a :class:`Verdict`:

* REPRODUCED: every criterion passes;
* PARTLY REPRODUCED: the primary passes, another criterion fails or is undecided;
* NOT REPRODUCED: the primary fails;
* INCONCLUSIVE: the primary is undecided.

A *sham* run (``start(..., sham=True)``) replaces the method by its control; its record goes to
``results/sham/``, and a sham whose primary passes is reported loudly: the verdict would then
not depend on the method. Every record carries a hash of the chapter's ``.py``, so a stored
record that no longer matches its chapter is detected. Records are written atomically
(:mod:`dlrepro.files`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from dlrepro.errors import ConfigError, DlreproError
from dlrepro.files import write_text_atomic
from dlrepro.glue import glue
from dlrepro.intervals import Interval, difference_interval, mean_interval
from dlrepro.run import Run, machine, repo_root, results_dir
from dlrepro.tuning import Pick

__all__ = ["Paper", "Estimate", "estimate", "mean_ci", "Criterion", "superiority",
           "non_inferiority", "bound", "equivalence", "Check", "CheckFailed", "Outcome", "Claim",
           "Verdict", "chapter_hash", "sham_record", "REPRODUCED", "PARTLY", "NOT_REPRODUCED",
           "INCONCLUSIVE", "VERDICTS", "PASS", "FAIL", "UNDECIDED"]

REPRODUCED = "REPRODUCED"
PARTLY = "PARTLY REPRODUCED"
NOT_REPRODUCED = "NOT REPRODUCED"
INCONCLUSIVE = "INCONCLUSIVE"
VERDICTS = (REPRODUCED, PARTLY, NOT_REPRODUCED, INCONCLUSIVE)
PASS, FAIL, UNDECIDED = "pass", "FAIL", "undecided"
KINDS = ("superiority", "non_inferiority", "bound", "equivalence")


@dataclass(frozen=True)
class Paper:
    """A citation."""

    authors: str
    year: int
    title: str
    venue: str
    url: str

    def cite(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}. {self.venue}. {self.url}"


@dataclass(frozen=True)
class Estimate:
    """Per-seed values with their mean and the half-width of a 95% t-interval."""

    values: tuple[float, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def ci95(self) -> float:
        """Half-width of the 95% confidence interval of the mean (0 for one seed)."""
        if self.n < 2:
            return 0.0
        from scipy.stats import t

        return float(t.ppf(0.975, self.n - 1) * np.std(self.values, ddof=1) / math.sqrt(self.n))

    @property
    def low(self) -> float:
        return self.mean - self.ci95

    @property
    def high(self) -> float:
        return self.mean + self.ci95

    def __str__(self) -> str:
        return f"{self.mean:.4g} ± {self.ci95:.2g} (n={self.n})"

    def as_dict(self) -> dict:
        return {"mean": self.mean, "ci95": self.ci95, "n": self.n, "values": list(self.values)}


def estimate(values: Sequence[float] | np.ndarray | torch.Tensor | float) -> Estimate:
    """An :class:`Estimate` from per-seed values (NaN is not allowed)."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().numpy()
    array = np.atleast_1d(np.asarray(values, dtype=float)).ravel()
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise ConfigError(f"estimate needs one or more finite values, got {array}")
    return Estimate(tuple(float(v) for v in array))


def mean_ci(values: Sequence[float] | np.ndarray | torch.Tensor | float, spec: str = ".3f") -> str:
    """``"mean ± ci95"`` of per-seed values, both numbers written with the format ``spec``."""
    e = estimate(values)
    return f"{e.mean:{spec}} ± {e.ci95:{spec}}"


@dataclass(frozen=True)
class Outcome:
    """What a criterion found: its outcome, the interval it read and why."""

    outcome: str
    interval: Interval | None
    reason: str

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "reason": self.reason,
                "interval": self.interval.as_dict() if self.interval else None}


@dataclass(frozen=True)
class Criterion:
    """One interval test of a claim. Build it with :func:`superiority`, :func:`non_inferiority`,
    :func:`bound` or :func:`equivalence`; ``description`` states it in words, margin included.

    ``measurement`` (and ``control``) name per-seed values of the measurements; ``threshold``
    is the margin (comparisons), the limit (bound) or the target (equivalence). ``rests_on``
    names the tuned values (:class:`dlrepro.tuning.Pick`) the criterion depends on.
    """

    name: str
    description: str
    kind: str
    measurement: str
    threshold: float
    control: str | None = None
    tolerance: float = 0.0
    higher_is_better: bool = True
    paired: bool = True
    method: str = "t"
    rests_on: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"criterion {self.name!r}: unknown kind {self.kind!r}")
        if not math.isfinite(self.threshold):
            raise ConfigError(f"criterion {self.name!r}: threshold must be finite")
        if self.kind in ("superiority", "non_inferiority") and not self.control:
            raise ConfigError(f"criterion {self.name!r}: a comparison needs a control arm")
        if self.kind in ("non_inferiority", "equivalence") and not (
                (self.threshold if self.kind == "non_inferiority" else self.tolerance) > 0):
            raise ConfigError(f"criterion {self.name!r}: the margin or tolerance must be > 0")

    def measured(self) -> tuple[str, ...]:
        return (self.measurement,) + ((self.control,) if self.control else ())

    def interval(self, values: Mapping[str, np.ndarray]) -> Interval:
        """The interval the criterion reads: of the difference method - control, or of the
        measurement's mean."""
        if self.control:
            return difference_interval(values[self.measurement], values[self.control],
                                       paired=self.paired, method=self.method)
        return mean_interval(values[self.measurement], self.method)

    def claim_side(self) -> tuple[float, float]:
        """The open range of the interval's values on the claim's side (in the raw units)."""
        t = self.threshold
        if self.kind == "equivalence":
            return (t - self.tolerance, t + self.tolerance)
        if self.kind == "superiority":
            edge = t if self.higher_is_better else -t
        elif self.kind == "non_inferiority":
            edge = -t if self.higher_is_better else t
        else:
            edge = t
        return (edge, math.inf) if self.higher_is_better else (-math.inf, edge)

    def evaluate(self, values: Mapping[str, np.ndarray],
                 picks: Mapping[str, Pick] | None = None) -> Outcome:
        """PASS, FAIL or UNDECIDED from the 95% interval (and the picks it rests on)."""
        picks = picks or {}
        missing = [p for p in self.rests_on if p not in picks]
        if missing:
            raise ConfigError(f"criterion {self.name!r} rests on the tuned value(s) {missing}, "
                              f"which were not passed to judge(picks=...)")
        interval = self.interval(values)
        if not interval.decidable:
            return Outcome(UNDECIDED, interval, f"{interval.n} value(s): no interval")
        low, high = self.claim_side()
        if low < interval.low and interval.high < high:
            outcome, reason = PASS, "the interval lies on the claim's side"
        elif interval.high < low or interval.low > high:
            outcome, reason = FAIL, "the interval lies on the other side"
        else:
            outcome, reason = UNDECIDED, "the interval straddles the margin"
        # An edge pick leaves the optimum unbracketed: the arm tuned there may do better (a
        # FAIL could be the grid's) or its rival may (a PASS could be), so neither stands.
        edges = [picks[p] for p in self.rests_on if picks[p].at_edge]
        if edges and outcome != UNDECIDED:
            outcome = UNDECIDED
            reason = "rests on a pick at the grid's edge: " + "; ".join(p.describe() for p in edges)
        return Outcome(outcome, interval, reason)


def _comparison(kind: str, name: str, description: str, method: str, control: str,
                margin: float, higher_is_better: bool, paired: bool, interval: str,
                rests_on: Sequence[str]) -> Criterion:
    return Criterion(name, description, kind, method, float(margin), control=control,
                     higher_is_better=higher_is_better, paired=paired, method=interval,
                     rests_on=tuple(rests_on))


def superiority(name: str, description: str, method: str, control: str, margin: float = 0.0,
                higher_is_better: bool = True, paired: bool = True, interval: str = "t",
                rests_on: Sequence[str] = ()) -> Criterion:
    """The method beats the control by more than ``margin``: the interval of method - control
    lies above ``margin`` (below ``-margin`` when lower is better)."""
    return _comparison("superiority", name, description, method, control, margin,
                       higher_is_better, paired, interval, rests_on)


def non_inferiority(name: str, description: str, method: str, control: str, margin: float,
                    higher_is_better: bool = True, paired: bool = True, interval: str = "t",
                    rests_on: Sequence[str] = ()) -> Criterion:
    """The method is worse than the control by less than ``margin`` (> 0): the interval of
    method - control lies above ``-margin`` (below ``+margin`` when lower is better)."""
    return _comparison("non_inferiority", name, description, method, control, margin,
                       higher_is_better, paired, interval, rests_on)


def bound(name: str, description: str, measurement: str, limit: float, above: bool = True,
          interval: str = "t", rests_on: Sequence[str] = ()) -> Criterion:
    """The measurement's mean lies above ``limit`` (``above=False``: below it)."""
    return Criterion(name, description, "bound", measurement, float(limit),
                     higher_is_better=above, method=interval, rests_on=tuple(rests_on))


def equivalence(name: str, description: str, measurement: str, target: float,
                tolerance: float, interval: str = "t",
                rests_on: Sequence[str] = ()) -> Criterion:
    """The measurement's mean lies within ``tolerance`` of ``target``: the whole interval lies
    in ``(target - tolerance, target + tolerance)``."""
    return Criterion(name, description, "equivalence", measurement, float(target),
                     tolerance=float(tolerance), method=interval, rests_on=tuple(rests_on))


class CheckFailed(DlreproError):
    """A sanity or implementation check of a chapter did not hold: its numbers cannot be
    trusted, so the run stops before a verdict is written."""


@dataclass(frozen=True)
class Check:
    """A statement that must hold for the run to be trusted; never part of the verdict.

    ``holds`` reads the aggregated :class:`Estimate` objects (``.mean``, ``.low``, ``.high``,
    ``.values``) and returns a bool.
    """

    name: str
    description: str
    holds: Callable[[Mapping[str, Estimate]], bool]


def chapter_hash(chapter: str) -> str | None:
    """SHA-256 of the chapter's ``.py`` in the book's checkout (``None`` outside a checkout)."""
    from dlrepro.chapters import book_root, find_chapters

    try:
        chapters = find_chapters(book_root())
    except ConfigError:
        return None
    for c in chapters:
        script = c.notebook.with_suffix(".py")
        if c.name == chapter and script.exists():
            return hashlib.sha256(script.read_bytes()).hexdigest()
    return None


def sham_record(chapter: str) -> dict | None:
    """The sham record of this version of ``chapter``: this run's results directory first,
    then the checkout's stored ``results/sham``; ``None`` when neither matches the chapter."""
    current = chapter_hash(chapter)
    root = repo_root()
    places = [results_dir() / "sham"] + ([root / "results" / "sham"] if root else [])
    for place in places:
        path = place / f"{chapter}.json"
        if path.exists():
            record = json.loads(path.read_text())
            if current is not None and record.get("chapter_hash") == current:
                return record
    return None


@dataclass(frozen=True)
class Claim:
    """A paper's claim, the paper's number, and the rule that judges our measurement."""

    chapter: str
    paper: Paper
    statement: str
    paper_value: str
    primary: Criterion
    criteria: tuple[Criterion, ...] = ()
    checks: tuple[Check, ...] = ()

    def __post_init__(self) -> None:
        names = [c.name for c in self.all_criteria()] + [c.name for c in self.checks]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigError(f"claim of {self.chapter!r}: names used twice: {duplicated}")

    def all_criteria(self) -> tuple[Criterion, ...]:
        return (self.primary,) + tuple(self.criteria)

    def rule(self) -> str:
        """The rule in words, as fixed before the run."""
        lines = ["Each criterion reads a 95% interval over seeds: pass when it lies wholly on "
                 "the claim's side of the margin, FAIL when wholly on the other side, undecided "
                 "otherwise (or when it rests on a tuned value at its grid's edge).",
                 "REPRODUCED: every criterion passes. PARTLY REPRODUCED: the primary passes, "
                 "another does not. NOT REPRODUCED: the primary fails. INCONCLUSIVE: the "
                 "primary is undecided.",
                 f"- primary, {self.primary.name}: {self.primary.description}"]
        lines += [f"- {c.name}: {c.description}" for c in self.criteria]
        lines += [f"- check (must hold, never counts), {c.name}: {c.description}"
                  for c in self.checks]
        return "\n".join(lines)

    def judge(self, measurements: Mapping[str, object], run: Run,
              picks: Sequence[Pick] = ()) -> Verdict:
        """Aggregate the per-seed ``measurements``, run the checks, apply the rule."""
        estimates = {k: v if isinstance(v, Estimate) else estimate(v)
                     for k, v in measurements.items()}
        values = {k: np.asarray(e.values) for k, e in estimates.items()}
        by_name = {p.name: p for p in picks}
        needed = {m for c in self.all_criteria() for m in c.measured()}
        missing = sorted(needed - set(values))
        if missing:
            raise ConfigError(f"claim of {self.chapter!r}: criteria read {missing}, which were "
                              f"not measured (measured: {sorted(values)})")
        checks = {}
        for check in self.checks:
            try:
                checks[check.name] = bool(check.holds(estimates))
            except KeyError as key:
                raise ConfigError(f"check {check.name!r} reads {key}, which was not "
                                  f"measured") from None
        failed = [c for c in self.checks if not checks[c.name]]
        if failed and run.profile != "smoke":
            raise CheckFailed("check(s) did not hold, so the numbers cannot be trusted: "
                              + "; ".join(f"{c.name} ({c.description})" for c in failed))
        outcomes = {c.name: c.evaluate(values, by_name) for c in self.all_criteria()}
        primary = outcomes[self.primary.name].outcome
        if primary == FAIL:
            status = NOT_REPRODUCED
        elif primary == UNDECIDED:
            status = INCONCLUSIVE
        else:
            status = REPRODUCED if all(o.outcome == PASS for o in outcomes.values()) else PARTLY
        return Verdict(self, status, estimates, outcomes, checks, tuple(picks), run)


@dataclass
class Verdict:
    """The outcome of :meth:`Claim.judge`; prints as a short report, saves as a JSON record."""

    claim: Claim
    status: str
    estimates: dict[str, Estimate]
    outcomes: dict[str, Outcome]
    checks: dict[str, bool]
    picks: tuple[Pick, ...]
    run: Run
    wall_time_s: float = field(init=False)

    def __post_init__(self) -> None:
        self.wall_time_s = self.run.elapsed()

    @property
    def primary(self) -> Outcome:
        return self.outcomes[self.claim.primary.name]

    @property
    def sham_passed(self) -> bool:
        """A sham run whose primary passes: the verdict would not depend on the method."""
        return self.run.sham and self.primary.outcome == PASS

    def ours(self) -> str:
        """The primary's interval and the arms behind it."""
        c = self.claim.primary
        arms = "; ".join(f"{name} = {self.estimates[name]}" for name in c.measured())
        what = "difference" if c.control else "mean"
        return f"{what} {self.primary.interval} (95% interval); {arms}"

    def record(self) -> dict:
        from dlrepro import __version__

        criteria = {}
        for c in self.claim.all_criteria():
            low, high = c.claim_side()
            criteria[c.name] = {**self.outcomes[c.name].as_dict(), "kind": c.kind,
                                "primary": c is self.claim.primary,
                                "description": c.description, "measurement": c.measurement,
                                "control": c.control, "claim_side": [low, high]}
        return {
            "chapter": self.claim.chapter,
            "sham": self.run.sham,
            "chapter_hash": chapter_hash(self.claim.chapter),
            "paper": self.claim.paper.cite(),
            "claim": self.claim.statement,
            "rule": self.claim.rule(),
            "paper_value": self.claim.paper_value,
            "ours": self.ours(),
            "verdict": self.status,
            "primary": self.claim.primary.name,
            "criteria": criteria,
            "checks": {c.name: {"holds": self.checks[c.name], "description": c.description}
                       for c in self.claim.checks},
            "picks": {p.name: p.as_dict() for p in self.picks},
            "measurements": {k: e.as_dict() for k, e in self.estimates.items()},
            "seeds": self.run.seeds,
            "profile": self.run.profile,
            "device": str(self.run.device),
            "wall_time_s": round(self.wall_time_s, 2),
            "library_version": __version__,
            "torch_version": torch.__version__,
            "python": platform.python_version(),
            "machine": machine(),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def save(self, directory: str | os.PathLike | None = None) -> Path:
        """Write ``<directory>/<chapter>.json`` (a sham run: ``<directory>/sham/<chapter>.json``)
        atomically; the default directory is :func:`dlrepro.run.results_dir`."""
        directory = Path(directory) if directory else results_dir()
        if self.run.sham:
            directory = directory / "sham"
        text = json.dumps(self.record(), indent=2) + "\n"
        path = write_text_atomic(directory / f"{self.claim.chapter}.json", text)
        if self.sham_passed:
            print(f"SHAM PASSED THE PRIMARY: {self.claim.chapter} passes "
                  f"{self.claim.primary.name!r} with its method replaced by the control, so "
                  f"its verdict does not depend on the method. Fix the rule.", file=sys.stderr)
        return path

    def sham_outcome(self) -> str:
        """The stored sham run's verdict in words, for the verdict box."""
        if self.run.sham:
            return "this is the sham run"
        record = sham_record(self.claim.chapter)
        if record is None:
            return "not run for this version of the chapter"
        primary = record["criteria"][record["primary"]]["outcome"]
        return f"{record['verdict']} (primary {primary})"

    def box(self) -> str:
        """The verdict box at the top of the chapter page, as MyST markdown."""
        style = {REPRODUCED: "tip", PARTLY: "warning", INCONCLUSIVE: "note",
                 NOT_REPRODUCED: "danger"}[self.status]
        c = self.claim.primary

        def escape(text: str) -> str:
            return text.replace("*", "\\*").replace("`", "'")

        return "\n".join([
            f"```{{admonition}} Verdict: {self.status}",
            f":class: {style} verdict-box",
            f"**Primary criterion** ({self.primary.outcome}). {escape(c.name)}: "
            f"{escape(c.description)}.",
            "",
            f"**The paper.** {escape(self.claim.paper_value)}.",
            "",
            f"**Ours** ({self.run.profile} profile, {len(self.run.seeds)} seeds). "
            f"{escape(self.ours())}.",
            "",
            f"**Sham run** (the method replaced by its control): {self.sham_outcome()}.",
            "",
            "[How the rule decided](#verdict)",
            "```",
        ])

    def glue(self) -> None:
        """Glue the verdict box (``verdict_box``, for ``{glue:md}``), the verdict itself
        (``verdict``) and the primary's interval (``primary_estimate``, ``primary_low``,
        ``primary_high``) for the prose."""
        interval = self.primary.interval
        glue("verdict_box", self.box(), markdown=True)
        glue("verdict", self.status)
        glue("primary_estimate", interval.estimate)
        glue("primary_low", interval.low)
        glue("primary_high", interval.high)

    def summary(self) -> str:
        """Verdict and outcome per criterion and check, without numbers or times (stable)."""
        lines = [f"Verdict: {self.status}" + (" (sham run)" if self.run.sham else "")]
        for c in self.claim.all_criteria():
            role = "primary: " if c is self.claim.primary else ""
            lines.append(f"  [{self.outcomes[c.name].outcome}] {role}{c.name}")
        for c in self.claim.checks:
            lines.append(f"  [check {'holds' if self.checks[c.name] else 'FAILED'}] {c.name}")
        if self.sham_passed:
            lines.append("  SHAM PASSED THE PRIMARY: the verdict does not depend on the method")
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [f"{self.claim.chapter}: profile {self.run.profile}, {len(self.run.seeds)} seeds, "
                 f"{self.run.device}, {self.wall_time_s:.0f} s"
                 + (", SHAM (method replaced by its control)" if self.run.sham else ""),
                 f"Paper: {self.claim.paper_value}",
                 f"Ours:  {self.ours()}",
                 "Criteria (95% intervals):"]
        for c in self.claim.all_criteria():
            o = self.outcomes[c.name]
            lines.append(f"  [{o.outcome}] {c.name}: {c.description}\n      {o.interval}: "
                         f"{o.reason}")
        for p in self.picks:
            lines.append(f"  tuned: {p.describe()}")
        lines.append("Measurements (mean ± 95% CI over seeds):")
        lines += [f"  {name} = {value}" for name, value in self.estimates.items()]
        return "\n".join(lines + [self.summary()])
