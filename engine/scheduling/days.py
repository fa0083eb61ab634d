"""Which calendar days a job may fire on (the ``days:`` setting), answered from the trading calendar.

* ``trading``: the exchanges are open (never a weekend, never an exchange
  holiday, never an official make-up Saturday/Sunday).
* ``every_day``: every calendar day; ``weekdays``: Monday to Friday, holidays included.
* ``first_trading_day_of_week`` / ``last_trading_day_of_week``: the first / last
  trading day of its Monday-Sunday week (a holiday Monday moves "first" to Tuesday).
* ``first_trading_day_of_month`` / ``last_trading_day_of_month``: likewise per month.

A date before the calendar's first session is never a trading day here (the
calendar raises; a scheduler only looks that far back when searching for a
missed run).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ..calendar import CalendarError, TradingCalendar

__all__ = ["DaySelector"]

_ONE_DAY = dt.timedelta(days=1)


def _month_end(day: dt.date) -> dt.date:
    first_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first_next - _ONE_DAY


class DaySelector:
    """Answers "may a job with ``days: <kind>`` fire on this date?", cached per date.

    :param kind: one of :data:`engine.scheduling.settings.DaysName`.
    :param calendar: the trading calendar (shared by every job of a scheduler).
    """

    def __init__(self, kind: str, calendar: TradingCalendar) -> None:
        tests: dict[str, Callable[[dt.date], bool]] = {
            "trading": self._is_trading,
            "every_day": lambda day: True,
            "weekdays": lambda day: day.weekday() < 5,
            "first_trading_day_of_week": lambda day: self._first_in(day, day - dt.timedelta(days=day.weekday())),
            "last_trading_day_of_week": lambda day: self._last_in(day, day + dt.timedelta(days=6 - day.weekday())),
            "first_trading_day_of_month": lambda day: self._first_in(day, day.replace(day=1)),
            "last_trading_day_of_month": lambda day: self._last_in(day, _month_end(day)),
        }
        if kind not in tests:
            raise ValueError(f"unknown days {kind!r}; expected one of {', '.join(tests)}")
        self.kind = kind
        self._calendar = calendar
        self._test = tests[kind]
        self._cache: dict[dt.date, bool] = {}

    def matches(self, day: dt.date) -> bool:
        """True when a job with this selector may fire on ``day``."""
        found = self._cache.get(day)
        if found is None:
            if len(self._cache) > 4096:
                self._cache.clear()
            found = self._cache[day] = self._test(day)
        return found

    def _is_trading(self, day: dt.date) -> bool:
        try:
            return self._calendar.is_trading_day(day)
        except CalendarError:
            return False

    def _first_in(self, day: dt.date, period_start: dt.date) -> bool:
        """``day`` trades and no earlier day of its period (from ``period_start``) does."""
        return self._is_trading(day) and not self._any_trading(period_start, day - _ONE_DAY)

    def _last_in(self, day: dt.date, period_end: dt.date) -> bool:
        """``day`` trades and no later day of its period (up to ``period_end``) does."""
        return self._is_trading(day) and not self._any_trading(day + _ONE_DAY, period_end)

    def _any_trading(self, start: dt.date, end: dt.date) -> bool:
        day = start
        while day <= end:
            if self._is_trading(day):
                return True
            day += _ONE_DAY
        return False
