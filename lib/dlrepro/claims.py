"""Claims, the rules that judge them, and the result record every chapter writes.

A chapter declares a :class:`Claim` *before* its experiment: the paper, the statement in our
words, the paper's number, and :class:`Criterion` objects whose checks read only measured
estimates. After the run, :meth:`Claim.judge` aggregates the per-seed numbers (mean and 95%
confidence interval), applies every criterion and returns a :class:`Verdict`:

* REPRODUCED when every criterion holds,
* PARTLY REPRODUCED when some do,
* NOT REPRODUCED when none does.

The record is written atomically (:mod:`dlrepro.files`), so a reader never sees a
half-written file.
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import torch

from dlrepro.errors import ConfigError
from dlrepro.files import write_text_atomic
from dlrepro.run import Run, results_dir

__all__ = ["Paper", "Estimate", "estimate", "mean_ci", "Criterion", "Claim", "Verdict",
           "REPRODUCED", "PARTLY", "NOT_REPRODUCED"]

REPRODUCED = "REPRODUCED"
PARTLY = "PARTLY REPRODUCED"
NOT_REPRODUCED = "NOT REPRODUCED"


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
class Criterion:
    """One condition of a claim's rule: a description and a check on the estimates."""

    name: str
    description: str
    check: Callable[[Mapping[str, Estimate]], bool]


@dataclass(frozen=True)
class Claim:
    """A paper's claim, the paper's number, and the rule that judges our measurement."""

    chapter: str
    paper: Paper
    statement: str
    paper_value: str
    headline: str | tuple[str, ...]
    criteria: tuple[Criterion, ...]

    def __post_init__(self) -> None:
        if not self.criteria:
            raise ConfigError(f"claim of {self.chapter!r} needs at least one criterion")

    def headlines(self) -> tuple[str, ...]:
        """The measurement names shown as "ours" beside the paper's number."""
        return (self.headline,) if isinstance(self.headline, str) else tuple(self.headline)

    def rule(self) -> str:
        """The rule in words, as fixed before the run."""
        lines = [f"- {c.name}: {c.description}" for c in self.criteria]
        return ("REPRODUCED if every criterion holds, PARTLY REPRODUCED if some do, "
                "NOT REPRODUCED if none does.\n" + "\n".join(lines))

    def judge(self, measurements: Mapping[str, object], run: Run) -> Verdict:
        """Aggregate the per-seed ``measurements`` and apply the rule."""
        estimates = {k: v if isinstance(v, Estimate) else estimate(v)
                     for k, v in measurements.items()}
        if not any(name in estimates for name in self.headlines()):
            raise ConfigError(f"claim headline {self.headline!r} is not among the measurements "
                              f"{sorted(estimates)}")
        results = {}
        for criterion in self.criteria:
            try:
                results[criterion.name] = bool(criterion.check(estimates))
            except KeyError as missing:
                raise ConfigError(f"criterion {criterion.name!r} reads {missing}, which was not "
                                  f"measured") from None
        passed = sum(results.values())
        status = (REPRODUCED if passed == len(results) else PARTLY if passed else NOT_REPRODUCED)
        return Verdict(self, status, estimates, results, run)


@dataclass
class Verdict:
    """The outcome of :meth:`Claim.judge`; prints as a short report, saves as a JSON record."""

    claim: Claim
    status: str
    estimates: dict[str, Estimate]
    criteria: dict[str, bool]
    run: Run
    wall_time_s: float = field(init=False)

    def __post_init__(self) -> None:
        self.wall_time_s = self.run.elapsed()

    def record(self) -> dict:
        from dlrepro import __version__

        return {
            "chapter": self.claim.chapter,
            "paper": self.claim.paper.cite(),
            "claim": self.claim.statement,
            "rule": self.claim.rule(),
            "paper_value": self.claim.paper_value,
            "ours": self.ours(),
            "verdict": self.status,
            "criteria": self.criteria,
            "measurements": {k: e.as_dict() for k, e in self.estimates.items()},
            "seeds": self.run.seeds,
            "profile": self.run.profile,
            "device": str(self.run.device),
            "wall_time_s": round(self.wall_time_s, 2),
            "library_version": __version__,
            "torch_version": torch.__version__,
            "python": platform.python_version(),
            "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def save(self, directory: str | os.PathLike | None = None) -> Path:
        """Write ``<directory>/<chapter>.json`` atomically; the default is :func:`results_dir`."""
        directory = Path(directory) if directory else results_dir()
        text = json.dumps(self.record(), indent=2) + "\n"
        return write_text_atomic(directory / f"{self.claim.chapter}.json", text)

    def ours(self) -> str:
        """Our headline numbers; a headline that could not be measured says so."""
        return "; ".join(f"{name} = {self.estimates[name]}" if name in self.estimates
                         else f"{name}: not measured" for name in self.claim.headlines())

    def summary(self) -> str:
        """Verdict and pass/fail per criterion, without numbers or times (stable across runs)."""
        lines = [f"Verdict: {self.status}"]
        for criterion in self.claim.criteria:
            mark = "pass" if self.criteria[criterion.name] else "FAIL"
            lines.append(f"  [{mark}] {criterion.name}: {criterion.description}")
        return "\n".join(lines)

    def __str__(self) -> str:
        lines = [f"{self.claim.chapter}: profile {self.run.profile}, {len(self.run.seeds)} seeds, "
                 f"{self.run.device}, {self.wall_time_s:.0f} s",
                 f"Paper: {self.claim.paper_value}",
                 f"Ours:  {self.ours()}",
                 "Measurements (mean ± 95% CI over seeds):"]
        lines += [f"  {name} = {value}" for name, value in self.estimates.items()]
        return "\n".join(lines + [self.summary()])
