"""What the scheduler hands the engine: jobs to run now, jobs it skipped, and finished runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from .settings import JobSettings

__all__ = ["DueJob", "JobRun", "Outcome", "SkippedJob"]

Outcome = Literal["ok", "error", "skipped"]


@dataclass(frozen=True, slots=True)
class DueJob:
    """A job to run now.

    :param settings: the job.
    :param scheduled_for: the occurrence this run stands for (the latest one that
        passed: a clock jump over several occurrences yields one run).
    :param late: true when the occurrence passed more than the scheduler's grace
        before it was seen and ``missed: run_late`` lets it run anyway.
    :param seen_at: the clock time of the pass that found it due.
    """

    settings: JobSettings
    scheduled_for: dt.datetime
    late: bool
    seen_at: dt.datetime

    @property
    def name(self) -> str:
        """The job's name (``on_schedule``'s ``job`` argument)."""
        return self.settings.name

    @property
    def target(self) -> str:
        """The plugin whose ``on_schedule`` is called."""
        return self.settings.target

    @property
    def params(self) -> dict[str, Any]:
        """A fresh copy of the job's ``params`` (``on_schedule``'s ``params`` argument)."""
        return dict(self.settings.params)


@dataclass(frozen=True, slots=True)
class SkippedJob:
    """An occurrence the scheduler decided not to run (record it with outcome ``skipped``).

    :param reason: why, e.g. ``"missed by 2:10:00 (missed: skip)"``.
    """

    settings: JobSettings
    scheduled_for: dt.datetime
    seen_at: dt.datetime
    reason: str

    @property
    def name(self) -> str:
        """The job's name."""
        return self.settings.name


@dataclass(frozen=True, slots=True)
class JobRun:
    """One finished (or skipped) run, as :meth:`JobScheduler.run_pending` reports it.

    Its fields map onto :class:`engine.events.JobRan`; ``error`` is
    ``"ExceptionType: message"`` for outcome ``error``, the skip reason for ``skipped``.
    """

    name: str
    target: str
    scheduled_for: dt.datetime
    outcome: Outcome
    late: bool
    started_at: dt.datetime
    finished_at: dt.datetime
    duration_ms: float
    error: str = ""
