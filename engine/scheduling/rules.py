"""When a job fires: a day selector (``days:``) combined with the fire times within a day.

:class:`OccurrenceRule` answers the two questions a scheduler asks:

* :meth:`~OccurrenceRule.next_after` - the first fire time strictly after a moment;
* :meth:`~OccurrenceRule.latest_at_or_before` - the most recent fire time at or
  before a moment (used to coalesce a clock jump into one run, and to find a run
  missed while the engine was down).

Within a day, ``at:`` / ``when:`` jobs have one fire time (:class:`AtTime`) and
``every:`` jobs a grid (:class:`IntervalGrid`) that restarts at the start of each
window: 09:30, 09:35, ... 11:25, then 13:00, 13:05, ... 14:55 for ``every: 5m``
in sessions (a window's end is excluded), or 00:00, 00:05, ... for the whole day.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from ..calendar import TradingCalendar
from .anchors import SESSIONS, WHOLE_DAY
from .days import DaySelector
from .settings import JobSettings

__all__ = ["AtTime", "DailyPattern", "IntervalGrid", "OccurrenceRule", "rule_for"]

_ONE_DAY = dt.timedelta(days=1)
_TINY = dt.timedelta(microseconds=1)


def _since_midnight(value: dt.time | None) -> dt.timedelta:
    if value is None:
        return _ONE_DAY
    return dt.timedelta(hours=value.hour, minutes=value.minute, seconds=value.second)


class DailyPattern(Protocol):
    """The fire times within one day."""

    def first_after(self, day: dt.date, after: dt.datetime | None) -> dt.datetime | None:
        """The first fire time on ``day`` strictly after ``after`` (``None``: the day's first)."""

    def last_at_or_before(self, day: dt.date, until: dt.datetime | None) -> dt.datetime | None:
        """The last fire time on ``day`` at or before ``until`` (``None``: the day's last)."""


class AtTime:
    """One fire time a day."""

    def __init__(self, time: dt.time) -> None:
        self.time = time

    def first_after(self, day: dt.date, after: dt.datetime | None) -> dt.datetime | None:
        moment = dt.datetime.combine(day, self.time)
        return moment if after is None or moment > after else None

    def last_at_or_before(self, day: dt.date, until: dt.datetime | None) -> dt.datetime | None:
        moment = dt.datetime.combine(day, self.time)
        return moment if until is None or moment <= until else None


class IntervalGrid:
    """Fire times every ``interval`` from the start of each window, end excluded.

    :param interval: the step (positive).
    :param windows: ``(start, end)`` times of day; ``end`` ``None`` means midnight.
    """

    def __init__(self, interval: dt.timedelta,
                 windows: tuple[tuple[dt.time, dt.time | None], ...]) -> None:
        if interval <= dt.timedelta(0):
            raise ValueError(f"interval must be positive, got {interval}")
        self.interval = interval
        self._windows = tuple((_since_midnight(start), _since_midnight(end)) for start, end in windows)

    def first_after(self, day: dt.date, after: dt.datetime | None) -> dt.datetime | None:
        midnight = dt.datetime.combine(day, dt.time())
        for start, end in self._windows:
            begin = midnight + start
            if after is None or after < begin:
                candidate = begin
            else:
                candidate = begin + ((after - begin) // self.interval + 1) * self.interval
            if candidate < midnight + end:
                return candidate
        return None

    def last_at_or_before(self, day: dt.date, until: dt.datetime | None) -> dt.datetime | None:
        midnight = dt.datetime.combine(day, dt.time())
        for start, end in reversed(self._windows):
            begin, finish = midnight + start, midnight + end
            if until is not None and until < begin:
                continue
            limit = finish - _TINY if until is None or until >= finish else until
            return begin + ((limit - begin) // self.interval) * self.interval
        return None


class OccurrenceRule:
    """A job's fire times: the days its selector accepts, at its daily pattern's times.

    :param selector: which days.
    :param pattern: which times within such a day.
    :param horizon_days: how many days a search may walk before answering ``None``.
    """

    def __init__(self, selector: DaySelector, pattern: DailyPattern, *, horizon_days: int = 400) -> None:
        self.selector = selector
        self.pattern = pattern
        self.horizon_days = horizon_days

    def next_after(self, moment: dt.datetime) -> dt.datetime | None:
        """The first fire time strictly after ``moment``, or ``None`` within the horizon."""
        day = moment.date()
        after: dt.datetime | None = moment
        for _ in range(self.horizon_days + 1):
            if self.selector.matches(day):
                found = self.pattern.first_after(day, after)
                if found is not None:
                    return found
            day, after = day + _ONE_DAY, None
        return None

    def latest_at_or_before(self, moment: dt.datetime) -> dt.datetime | None:
        """The most recent fire time at or before ``moment``, or ``None`` within the horizon."""
        day = moment.date()
        until: dt.datetime | None = moment
        for _ in range(self.horizon_days + 1):
            if self.selector.matches(day):
                found = self.pattern.last_at_or_before(day, until)
                if found is not None:
                    return found
            day, until = day - _ONE_DAY, None
        return None


def rule_for(settings: JobSettings, calendar: TradingCalendar) -> OccurrenceRule:
    """The occurrence rule of a job's settings."""
    selector = DaySelector(settings.days, calendar)
    interval = settings.interval
    if interval is not None:
        return OccurrenceRule(selector, IntervalGrid(interval, SESSIONS if settings.sessions_only else WHOLE_DAY))
    time_of_day = settings.time_of_day
    if time_of_day is None:  # unreachable for validated settings; keep the error explicit
        raise ValueError(f"job {settings.name!r} has no timing")
    return OccurrenceRule(selector, AtTime(time_of_day))
