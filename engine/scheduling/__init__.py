"""Scheduled jobs: YAML ``jobs:`` entries and plugin-registered jobs, fired on the engine clock.

* :class:`JobSettings` / :class:`CalendarSettings` - the config sections (``settings.py``).
* :class:`JobScheduler` - what the engine drives every monitor step (``scheduler.py``).
* :class:`ClockScheduler` - ``schedule.Scheduler`` on an injected clock (``clocked.py``).

See ``docs/scheduling.md`` for the YAML reference and the calendar and missed-job rules.
"""

from __future__ import annotations

from .anchors import ANCHORS, DEFAULT_OFFSETS, SESSIONS
from .clocked import CalendarJob, ClockJob, ClockScheduler
from .errors import ScheduleError
from .outcomes import DueJob, JobRun, Outcome, SkippedJob
from .scheduler import JobScheduler
from .settings import CalendarSettings, JobSettings

__all__ = [
    "ANCHORS", "DEFAULT_OFFSETS", "SESSIONS", "CalendarJob", "CalendarSettings", "ClockJob", "ClockScheduler",
    "DueJob", "JobRun", "JobScheduler", "JobSettings", "Outcome", "ScheduleError", "SkippedJob",
]
