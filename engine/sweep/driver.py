"""Run a sweep: propose parameter sets, hand their trials to the executor, record every result.

:func:`run_sweep` is what ``qmt-engine sweep`` calls. The driver alone writes the sweep store
(:mod:`engine.sweep.store`); workers only run trials. A sweep that is interrupted (Ctrl-C, a killed
driver, a smaller ``--budget``) resumes when run again with the same file: the proposed parameter
sets are read back from the store and trials already ``done`` or ``failed`` are skipped.

:func:`verify_best` re-runs the best parameter set's trials in this process and compares their fills
and metrics with the recorded ones (``--verify-best``).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .executors import make_executor
from .ranking import Candidate, objective_of, rank, trial_feasible
from .samplers import Planner, fresh
from .spec import ExecutorSettings, SweepSpec
from .store import FINISHED, SweepStore
from .trial import TrialResult, TrialTask, load_trial_config, run_trial, sweep_data_fingerprint, trial_key
from .walk_forward import Period, periods

__all__ = ["SweepOutcome", "VerifyOutcome", "open_store", "ranked", "run_sweep", "verify_best"]

STORE_NAME = "sweep.db"
#: TPE batches in a row that propose only parameter sets tried already before the sweep stops short of its budget
MAX_REPEATED_BATCHES = 5


@dataclass
class SweepOutcome:
    folder: Path
    store_path: Path
    executor: str
    ran: int = 0  # trials run now
    skipped: int = 0  # trials already finished (a resume)
    failed: int = 0
    errors: int = 0
    candidates: list[Candidate] = field(default_factory=list)


def open_store(spec: SweepSpec) -> SweepStore:
    """The sweep's store, claimed for this sweep (:raises SweepStoreError: another sweep's folder)."""
    assert spec.folder is not None
    store = SweepStore(spec.folder / STORE_NAME)
    try:
        store.claim(spec.fingerprint(), spec.model_dump_json(), str(spec.source_path))
    except Exception:
        store.close()
        raise
    return store


def trial_folder(spec: SweepSpec, candidate: int, period: Period) -> Path:
    assert spec.folder is not None
    suffix = period.phase if period.window is None else f"{period.window[0]}-{period.phase}"
    return spec.folder / "trials" / f"{candidate:04d}-{suffix}"


def make_task(spec: SweepSpec, candidate: int, params: dict[str, Any], period: Period,
              expected_data: str | None = None, ship_files: bool = False, out_dir: Path | None = None) -> TrialTask:
    assert spec.source_path is not None
    return TrialTask(key=trial_key(params, period.window), number=candidate, params=params,
                     base_path=str(spec.base) if spec.base is not None else None, base_inline=spec.config,
                     base_dir=str(spec.source_path.parent), out_dir=str(out_dir or trial_folder(spec, candidate, period)),
                     window=period.window, expected_data_fingerprint=expected_data, ship_files=ship_files)


def driver_data_fingerprint(spec: SweepSpec) -> str | None:
    """The data fingerprint as the driver sees the base configuration (each worker must match it).
    Also checks the base configuration loads before any worker starts (ConfigError otherwise)."""
    first = periods(spec)[0]
    with tempfile.TemporaryDirectory(prefix="qmt-sweep-") as scratch:
        task = make_task(spec, 0, {}, first, out_dir=Path(scratch))
        return sweep_data_fingerprint(load_trial_config(task, Path(scratch)))


def _write_files(result: TrialResult, out_dir: Path) -> None:
    if not result.files:
        return
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, content in result.files.items():
        (out_dir / Path(name).name).write_bytes(content)
    result.files = {}


def ranked(spec: SweepSpec, store: SweepStore) -> list[Candidate]:
    return rank(spec, store.candidates(), store.trials())


def _scored(spec: SweepSpec, store: SweepStore) -> list[tuple[dict[str, Any], float | None]] | None:
    """The proposed sets with their objective (None: failed or infeasible), or None while any runs."""
    out = []
    for cand in sorted(ranked(spec, store), key=lambda c: c.number):
        if not cand.finished:
            return None
        out.append((cand.params, cand.objective if cand.feasible else None))
    return out


def run_sweep(spec: SweepSpec, *, jobs: int | None = None, budget: int | None = None,
              executor: ExecutorSettings | None = None,
              on_result: Callable[[TrialResult, int, int], None] | None = None) -> SweepOutcome:
    """Run (or resume) the sweep; ``on_result(result, finished, total)`` after each trial is recorded.

    :raises ConfigError: the base configuration does not load; SweepStoreError: the folder holds another
        sweep; ExecutorError: the executor cannot start.
    """
    settings = executor or spec.executor
    expected = driver_data_fingerprint(spec)
    store = open_store(spec)
    assert spec.folder is not None
    store.set_meta("data_fingerprint", expected or "")
    plan = periods(spec)
    planner = Planner(spec, budget or spec.budget)
    pool = make_executor(settings, jobs)
    outcome = SweepOutcome(spec.folder, store.path, pool.describe())
    idle = 0
    try:
        while True:
            proposed = store.candidates()
            batches = int(store.meta("tpe_batches") or 0)
            offered = planner.next(proposed, _scored(spec, store), batches)
            new = fresh(offered, proposed, planner.budget - len(proposed))
            if spec.sampler.kind == "tpe" and offered:
                store.set_meta("tpe_batches", str(batches + 1))
                idle = 0 if new else idle + 1
                if idle >= MAX_REPEATED_BATCHES:
                    break  # TPE proposes only sets tried already: the space is exhausted
            if new:
                store.add_candidates(new)
                proposed = store.candidates()
            statuses = store.statuses()
            tasks, outs = [], {}
            for number, params in enumerate(proposed[:planner.budget]):
                for period in plan:
                    task = make_task(spec, number, params, period, expected, pool.ship_files)
                    if statuses.get(task.key) in FINISHED:
                        continue
                    tasks.append(task)
                    outs[task.key] = Path(task.out_dir)
            done_before = sum(1 for s in statuses.values() if s in FINISHED)
            outcome.skipped = max(outcome.skipped, done_before - outcome.ran)
            if not new and not tasks and not (spec.sampler.kind == "tpe" and offered):
                break
            for task in tasks:
                store.submitted(task.key, task.number, _phase(task, plan), task.window, task.params)
            total = len(proposed[:planner.budget]) * len(plan)
            for result in pool.run(tasks):
                _write_files(result, outs[result.key])
                objective = objective_of(result.metrics, spec)
                store.record(result, objective, trial_feasible(result.status, result.metrics, spec))
                outcome.ran += 1
                outcome.failed += result.status == "failed"
                outcome.errors += result.status == "error"
                if on_result is not None:
                    finished = sum(1 for s in store.statuses().values() if s in FINISHED)
                    on_result(result, finished, total)
            if spec.sampler.kind != "tpe":
                break
        outcome.candidates = ranked(spec, store)
        return outcome
    finally:
        pool.close()
        store.close()


def _phase(task: TrialTask, plan: list[Period]) -> str:
    return next(p.phase for p in plan if p.window == task.window)


@dataclass
class VerifyOutcome:
    candidate: int
    params: dict[str, Any]
    differences: list[str]
    checked: int

    @property
    def ok(self) -> bool:
        return not self.differences


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def verify_best(spec: SweepSpec, store: SweepStore) -> VerifyOutcome:
    """Re-run the best feasible parameter set's trials in this process (audit databases under
    ``<folder>/verify/``) and compare fills and metrics with the store's; every difference is listed.

    :raises LookupError: no feasible trial to verify.
    """
    best = next((c for c in ranked(spec, store) if c.feasible), None)
    if best is None:
        raise LookupError("no finished, feasible trial to verify yet")
    assert spec.folder is not None
    differences: list[str] = []
    plan = {p.window: p for p in periods(spec)}
    for stored in best.trials:
        window = (stored["window"], stored["window_start"], stored["window_end"]) if stored["window"] else None
        period = plan[window]
        out = spec.folder / "verify" / trial_folder(spec, best.number, period).name
        again = run_trial(make_task(spec, best.number, best.params, period, out_dir=out), quiet=True)
        where = f"candidate {best.number} ({period.name}, {period.phase})"
        if again.status != stored["status"]:
            differences.append(f"{where}: status {stored['status']} in the sweep, {again.status} now"
                               + (f" ({again.error})" if again.error else ""))
            continue
        if again.fills_digest != stored["fills_digest"]:
            differences.append(f"{where}: the fills differ ({stored['fills']} fills, digest "
                               f"{(stored['fills_digest'] or '')[:12]} in the sweep; {again.fills} fills, digest "
                               f"{(again.fills_digest or '')[:12]} now)")
        now, then = _json(again.metrics), _json(stored["metrics"])
        for name in sorted(set(now) | set(then)):
            if now.get(name) != then.get(name):
                differences.append(f"{where}: metric {name} is {then.get(name)!r} in the sweep, {now.get(name)!r} now")
    return VerifyOutcome(best.number, best.params, differences, len(best.trials))
