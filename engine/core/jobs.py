"""Scheduled jobs on the engine thread: build the scheduler, run what is due, record every run.

Jobs come from ``jobs:`` in config.yaml and from plugins' ``register_jobs``
hooks. Each run calls ``on_schedule`` on the job's target plugin through the
guarded dispatcher, so a job that raises is isolated, recorded as a plugin
error, and counts towards that plugin's FAULTED limit. Every run (ok, error,
skipped) is a ``job_run`` audit row with its duration.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from loguru import logger

from ..events import Event, JobRan
from ..scheduling import DueJob, JobScheduler

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..dispatch import HookDispatcher


class JobFailed(Exception):
    """The job's target raised, is faulted, or does not implement ``on_schedule``."""


def build_scheduler(config: EngineConfig, clock, calendar, dispatch: HookDispatcher) -> JobScheduler:
    """The run's scheduler with config jobs, then plugin-registered jobs; validated before the run starts."""
    scheduler = JobScheduler(clock=clock, calendar=calendar,
                             last_runs=last_job_runs(config.audit.path, config.mode))
    where = str(config.source_path or "config")
    for index, job in enumerate(config.jobs):
        scheduler.add(job, source=f"{where} jobs[{index}]")
    for impl in dispatch.implementations("register_jobs"):
        dispatch.call_plugin(impl.plugin, "register_jobs", register=scheduler.registrar_for(impl.plugin))
    scheduler.check_registrations()
    scheduler.check_targets({impl.plugin for impl in dispatch.implementations("on_schedule")})
    return scheduler


def run_due_jobs(scheduler: JobScheduler, dispatch: HookDispatcher, emit: Callable[[Event], None]) -> None:
    """Run every due job through the guarded dispatcher (and record skipped ones); cheap when nothing is due."""
    for run in scheduler.run_pending(lambda due: _run(dispatch, due)):
        emit(JobRan(job=run.name, target=run.target, scheduled_for=run.scheduled_for.isoformat(),
                           outcome=run.outcome, duration_ms=round(run.duration_ms, 3),
                           error=run.error + (" (ran late)" if run.late and run.outcome != "skipped" else "")))
        if run.outcome != "ok":
            logger.warning("job {} -> {}: {}", run.name, run.outcome, run.error)


def _run(dispatch: HookDispatcher, due: DueJob) -> None:
    target, name = due.settings.target, due.settings.name
    ok, result = dispatch.call_plugin(target, "on_schedule", job=name, params=dict(due.settings.params))
    if ok:
        return
    if result is None:
        raise JobFailed(f"{target!r} is faulted or does not implement on_schedule")
    raise JobFailed(f"{type(result.error).__name__}: {result.error}")


def last_job_runs(audit_path: Path, mode: str) -> dict[str, str]:
    """``scheduled_for`` of each job's latest recorded run in this mode (drives missed-job handling)."""
    if not Path(audit_path).exists():
        return {}
    from ..audit import open_audit_db

    db = open_audit_db(audit_path)
    try:
        rows = db.query(
            "SELECT j.job AS job, max(j.scheduled_for) AS last FROM job_runs j JOIN runs r ON r.run_id = j.run_id "
            "WHERE r.mode = ? GROUP BY j.job", [mode])
        return {row["job"]: row["last"] for row in rows}
    finally:
        db.close()
