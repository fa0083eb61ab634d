"""From trial rows to ranked parameter sets: objective, feasibility, in-sample vs out-of-sample.

A parameter set (a *candidate*) has one trial per period (:mod:`engine.sweep.walk_forward`). Its
objective is the mean of its in-sample trials' objective metric (phase ``full`` or ``train``); it is
*feasible* when every in-sample trial is ``done``, has the metric, and meets every constraint. The
out-of-sample figures (phase ``test``) are the means over the test periods, shown beside, never used
to rank. Ranking: feasible first, by the objective in its direction; then the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .spec import SweepSpec

__all__ = ["Candidate", "objective_of", "rank", "trial_feasible"]

#: figures shown for in-sample and out-of-sample side by side
SIDE_BY_SIDE = ("sharpe", "calmar", "total_return", "max_drawdown")


def objective_of(metrics: dict[str, Any], spec: SweepSpec) -> float | None:
    value = metrics.get(spec.objective.metric)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        return None
    return float(value)


def trial_feasible(status: str, metrics: dict[str, Any], spec: SweepSpec) -> bool:
    return status == "done" and objective_of(metrics, spec) is not None and all(c.holds(metrics) for c in spec.constraints)


def _mean(values: list[float | None]) -> float | None:
    if not values or any(v is None for v in values):
        return None
    return sum(values) / len(values)  # type: ignore[arg-type]


@dataclass
class Candidate:
    number: int
    params: dict[str, Any]
    trials: list[dict[str, Any]] = field(default_factory=list)
    objective: float | None = None  # mean in-sample objective
    feasible: bool = False
    finished: bool = False  # every period done or failed
    in_sample: dict[str, float | None] = field(default_factory=dict)
    out_of_sample: dict[str, float | None] = field(default_factory=dict)
    oos_objective: float | None = None
    rank: int | None = None

    @property
    def status(self) -> str:
        states = {t["status"] for t in self.trials}
        for state in ("running", "error", "failed"):
            if state in states:
                return state
        return "done" if states == {"done"} else "pending"

    @property
    def is_trials(self) -> list[dict[str, Any]]:
        return [t for t in self.trials if t["phase"] in ("full", "train")]

    @property
    def oos_trials(self) -> list[dict[str, Any]]:
        return [t for t in self.trials if t["phase"] == "test"]

    def as_row(self, spec: SweepSpec) -> dict[str, Any]:
        """A flat row for CSV/JSON: rank, params, objective, IS and OOS figures, status, fingerprints."""
        row: dict[str, Any] = {"rank": self.rank, "candidate": self.number, **self.params,
                               f"objective ({spec.objective.metric})": self.objective,
                               "feasible": self.feasible, "status": self.status}
        walk = any(t["phase"] != "full" for t in self.trials)
        for name in SIDE_BY_SIDE:
            row[f"is_{name}" if walk else name] = self.in_sample.get(name)
            if walk:
                row[f"oos_{name}"] = self.out_of_sample.get(name)
        first = self.trials[0] if self.trials else {}
        row.update(fills=sum(t.get("fills") or 0 for t in self.trials), fills_digest=first.get("fills_digest"),
                   config_fingerprint=first.get("config_fingerprint"), data_fingerprint=first.get("data_fingerprint"),
                   audit_path=first.get("audit_path"), error=next((t["error"] for t in self.trials if t.get("error")), None))
        return row


def _figure(trials: list[dict[str, Any]], name: str) -> float | None:
    values = []
    for trial in trials:
        value = trial["metrics"].get(name)
        values.append(float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None)
    return _mean(values)


def rank(spec: SweepSpec, candidates: list[dict[str, Any]], trials: list[dict[str, Any]]) -> list[Candidate]:
    """Every proposed candidate, ranked (see the module docstring); ``candidates`` in proposal order."""
    by_number: dict[int, Candidate] = {n: Candidate(n, params) for n, params in enumerate(candidates)}
    for trial in trials:
        if trial["candidate"] in by_number:
            by_number[trial["candidate"]].trials.append(trial)
    for cand in by_number.values():
        in_sample, oos = cand.is_trials, cand.oos_trials
        cand.finished = bool(cand.trials) and all(t["status"] in ("done", "failed") for t in cand.trials)
        cand.feasible = bool(in_sample) and all(trial_feasible(t["status"], t["metrics"], spec) for t in in_sample)
        cand.objective = _mean([objective_of(t["metrics"], spec) for t in in_sample]) if in_sample else None
        cand.oos_objective = _mean([objective_of(t["metrics"], spec) for t in oos]) if oos else None
        cand.in_sample = {name: _figure(in_sample, name) for name in SIDE_BY_SIDE}
        cand.out_of_sample = {name: _figure(oos, name) for name in SIDE_BY_SIDE} if oos else {}
    sign = -1.0 if spec.objective.direction == "maximize" else 1.0
    ordered = sorted(by_number.values(), key=lambda c: (not c.feasible, sign * c.objective if c.objective is not None
                                                        else math.inf, c.number))
    for place, cand in enumerate(ordered, 1):
        cand.rank = place if cand.feasible else None
    return ordered
