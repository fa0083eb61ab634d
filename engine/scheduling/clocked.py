"""``schedule`` driven by the engine clock instead of ``datetime.datetime.now()``.

schedule 1.2 reads the wall clock (``datetime.datetime.now()``) in exactly these
places: ``Job.should_run``, ``Job.run``, ``Job._schedule_next_run``,
``Job.until`` and ``Scheduler.idle_seconds``. :class:`ClockJob` and
:class:`ClockScheduler` override those and read the injected clock instead, so
no module global of ``schedule`` is patched and several schedulers with
different clocks can live in one process. Everything else (the job list,
``run_pending`` and its ordering, ``CancelJob``, tags, ``get_next_run``,
``cancel_job``, ``clear``) is schedule's own code.

Not supported on clock-driven jobs (they raise ``schedule.ScheduleValueError``):
``to()`` (random intervals would make replays irreproducible), ``at(..., tz)``
(the engine clock is already exchange-local time) and ``until()``.

One pass of :meth:`ClockScheduler.run_pending` reads the clock once: every job
of the pass sees the same ``now``.

:class:`CalendarJob` is a clock-driven job whose next run comes from an
:class:`~engine.scheduling.rules.OccurrenceRule` (trading days, sessions)
rather than from schedule's unit arithmetic.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import schedule

from .rules import OccurrenceRule

__all__ = ["NEVER", "CalendarJob", "Clock", "ClockJob", "ClockScheduler"]

#: ``next_run`` of a job that has no future occurrence within its search horizon.
NEVER = dt.datetime.max

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Clock(Protocol):
    """Anything with ``now()`` returning exchange-local naive time (``engine.clock``)."""

    def now(self) -> dt.datetime: ...


class ClockScheduler(schedule.Scheduler):
    """A ``schedule.Scheduler`` whose jobs run on ``clock`` time.

    :param clock: the engine clock (``WallClock`` live, ``ManualClock`` in replay and tests).
    """

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self._pass_now: dt.datetime | None = None

    def now(self) -> dt.datetime:
        """The time jobs see: the current pass's time, else the clock's."""
        return self._pass_now if self._pass_now is not None else self.clock.now()

    def every(self, interval: int = 1) -> ClockJob:
        """Start a clock-driven job, exactly like ``schedule.Scheduler.every``."""
        return ClockJob(interval, self)

    def run_pending(self, now: dt.datetime | None = None) -> None:
        """Run every job due at ``now`` (default: the clock, read once for the whole pass).

        Like schedule's, a job whose time passed several times since the last
        pass runs once, not once per missed interval.
        """
        self._pass_now = now if now is not None else self.clock.now()
        try:
            super().run_pending()
        finally:
            self._pass_now = None

    @property
    def idle_seconds(self) -> float | None:
        """Seconds of clock time until the next run, ``None`` without jobs."""
        next_run = self.get_next_run()
        if next_run is None:
            return None
        return (next_run - self.now()).total_seconds()


class ClockJob(schedule.Job):
    """A ``schedule.Job`` that reads its scheduler's clock; made by :meth:`ClockScheduler.every`."""

    scheduler: ClockScheduler

    def __init__(self, interval: int, scheduler: ClockScheduler) -> None:
        if not isinstance(scheduler, ClockScheduler):
            raise schedule.ScheduleValueError("a ClockJob needs a ClockScheduler (it reads the scheduler's clock)")
        super().__init__(interval, scheduler)

    def _now(self) -> dt.datetime:
        return self.scheduler.now()

    @property
    def should_run(self) -> bool:
        """True once the clock reached ``next_run``."""
        if self.next_run is None:
            raise schedule.ScheduleError(f"{self!r} was never scheduled: call do() first")
        return self._now() >= self.next_run

    def run(self) -> Any:
        """Call the job function and schedule the next run (schedule's ``Job.run`` on clock time)."""
        if self._is_overdue(self._now()):
            return schedule.CancelJob
        result = self.job_func()  # type: ignore[misc]
        self.last_run = self._now()
        self._schedule_next_run()
        if self._is_overdue(self.next_run):
            return schedule.CancelJob
        return result

    def until(self, *args: Any, **kwargs: Any) -> ClockJob:
        """Not supported: cancel the job with ``ClockScheduler.cancel_job`` instead."""
        raise schedule.ScheduleValueError("until() is not supported on clock-driven jobs; use cancel_job()")

    def _schedule_next_run(self) -> None:
        """schedule 1.2's arithmetic (units, ``at``, weekday) on the injected clock."""
        if self.unit not in ("seconds", "minutes", "hours", "days", "weeks"):
            raise schedule.ScheduleValueError(
                "Invalid unit (valid units are `seconds`, `minutes`, `hours`, `days`, and `weeks`)")
        if self.latest is not None:
            raise schedule.ScheduleValueError("to() is not supported on clock-driven jobs: replays must be reproducible")
        if self.at_time_zone is not None:
            raise schedule.ScheduleValueError("at(..., tz) is not supported: the engine clock is exchange-local time")
        now = self._now()
        next_run = now
        if self.start_day is not None:
            if self.unit != "weeks":
                raise schedule.ScheduleValueError("`unit` should be 'weeks'")
            days_ahead = (_WEEKDAYS.index(self.start_day) - now.weekday()) % 7
            next_run += dt.timedelta(days=days_ahead)
        if self.at_time is not None:
            next_run = self._move_to_at_time(next_run)
        period = dt.timedelta(**{self.unit: self.interval})
        if self.interval != 1:
            next_run += period
        while next_run <= now:
            next_run += period
        self.next_run = next_run


class CalendarJob(ClockJob):
    """A clock-driven job whose runs follow an occurrence rule (trading days, sessions).

    :param rule: when the job fires.
    :param scheduler: the owning clock scheduler (the job joins it on ``do()``).
    :param description: shown by ``repr`` (e.g. ``"rebalance: at 14:50:00 on trading days"``).
    """

    def __init__(self, rule: OccurrenceRule, scheduler: ClockScheduler, *, description: str = "") -> None:
        super().__init__(1, scheduler)
        self.rule = rule
        self.unit = "days"
        self.description = description

    def _schedule_next_run(self) -> None:
        self.next_run = self.rule.next_after(self._now()) or NEVER

    def __repr__(self) -> str:
        def show(moment: dt.datetime | None) -> str:
            return "[never]" if moment is None or moment == NEVER else f"{moment:%Y-%m-%d %H:%M:%S}"

        return f"CalendarJob({self.description}; last run: {show(self.last_run)}, next run: {show(self.next_run)})"
