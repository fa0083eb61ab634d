"""Helpers shared by the scheduler tests (imported relatively: ``from .helpers import step``)."""

from __future__ import annotations

import datetime as dt

from engine.clock import ManualClock
from engine.scheduling import DueJob, JobScheduler


def step(scheduler: JobScheduler, clock: ManualClock, until: dt.datetime,
         seconds: float = 3.0) -> list[tuple[str, dt.datetime, dt.datetime]]:
    """Move ``clock`` forward in ``seconds`` steps up to ``until`` (inclusive), polling ``due()`` each step.

    :return: ``(job name, scheduled_for, clock time it was seen)`` for every due job.
    """
    fired: list[tuple[str, dt.datetime, dt.datetime]] = []
    while True:
        now = clock.now()
        fired.extend((job.name, job.scheduled_for, now) for job in scheduler.due())
        if now >= until:
            return fired
        clock.advance_to(min(until, now + dt.timedelta(seconds=seconds)))


def names(fired: list[tuple[str, dt.datetime, dt.datetime]], name: str) -> list[dt.datetime]:
    """The scheduled times of one job in a ``step`` result."""
    return [when for job, when, _ in fired if job == name]


def due_names(jobs: list[DueJob]) -> list[str]:
    """Names of due jobs, sorted."""
    return sorted(job.name for job in jobs)
