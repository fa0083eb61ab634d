"""The A-share trading calendar: exchange-calendars XSHG, with a loud fallback past its end.

SSE, SZSE and BSE publish identical closures (ashare_rules.md §8), so one
calendar serves all three. A trading day is a Monday–Friday that is not an
exchange closure; the market never opens on a weekend, not even on the official
make-up workdays.

exchange-calendars knows sessions up to its ``last_session`` (2026-12-31 for the
installed version). Past that date the exchanges have not published closures
yet, so this module falls back to "weekdays minus the user's extra holidays" and
says so loudly, once per year, through ``fallback_warn`` (default: a loguru
warning). The XSHG table is built once per process and cached: building it takes
about half a second.

This module is independent of the simulator; the scheduler uses it too.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
import warnings
from collections.abc import Callable, Iterable

from loguru import logger

__all__ = ["CalendarError", "TradingCalendar"]

_XSHG_LOCK = threading.Lock()
_XSHG_CACHE: tuple[tuple[dt.date, ...], dt.date, dt.date] | None = None


class CalendarError(ValueError):
    """A calendar question that has no answer (bad argument, search out of range)."""


def _xshg_sessions() -> tuple[tuple[dt.date, ...], dt.date, dt.date]:
    """Sorted XSHG session dates and the calendar's first/last session (cached)."""
    global _XSHG_CACHE
    with _XSHG_LOCK:
        if _XSHG_CACHE is None:
            import exchange_calendars as xcals

            with warnings.catch_warnings():  # pandas deprecation noise from inside the library
                warnings.simplefilter("ignore")
                cal = xcals.get_calendar("XSHG")
                sessions = tuple(ts.date() for ts in cal.sessions)
            _XSHG_CACHE = (sessions, cal.first_session.date(), cal.last_session.date())
        return _XSHG_CACHE


def _as_date(value: dt.date | dt.datetime | str, what: str = "date") -> dt.date:
    """Accept a date, a datetime (its date) or an ISO string ``YYYY-MM-DD``."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError as exc:
            raise CalendarError(f"{what}: {value!r} is not an ISO date (YYYY-MM-DD)") from exc
    raise CalendarError(f"{what}: expected a date, got {type(value).__name__} {value!r}")


class TradingCalendar:
    """Trading days of the Shanghai/Shenzhen/Beijing exchanges.

    :param extra_holidays: dates to treat as closed in addition to the exchange's
        published closures (e.g. an unscheduled closure, or 2027 holidays before
        the library knows them).
    :param fallback_warn: called with a message the first time a date of a year
        past the library's last session is asked about; defaults to
        ``loguru.logger.warning``.
    """

    #: How far next/previous searches may walk before giving up.
    MAX_SEARCH_DAYS = 400

    def __init__(
        self,
        extra_holidays: Iterable[dt.date] = (),
        *,
        fallback_warn: Callable[[str], None] | None = None,
    ) -> None:
        sessions, first, last = _xshg_sessions()
        self._extra = frozenset(_as_date(d, "extra_holidays") for d in extra_holidays)
        self._sessions = tuple(d for d in sessions if d not in self._extra)
        self._session_set = frozenset(self._sessions)
        self._first = first
        self._last = last
        self._warn = fallback_warn or logger.warning
        self._warned_years: set[int] = set()
        self._warn_lock = threading.Lock()

    @property
    def last_known_day(self) -> dt.date:
        """The last date the exchange calendar library knows (later dates use the fallback)."""
        return self._last

    @property
    def first_known_day(self) -> dt.date:
        """The first session in the library's table; earlier dates raise :class:`CalendarError`."""
        return self._first

    def is_trading_day(self, day: dt.date | dt.datetime | str) -> bool:
        """True when the exchanges are open on ``day``."""
        d = _as_date(day)
        if d < self._first:
            raise CalendarError(f"{d} is before the calendar's first session {self._first}")
        if d <= self._last:
            return d in self._session_set
        self._warn_fallback(d)
        return d.weekday() < 5 and d not in self._extra

    def next_trading_day(self, day: dt.date | dt.datetime | str) -> dt.date:
        """The first trading day strictly after ``day``."""
        return self._step(_as_date(day), +1)

    def previous_trading_day(self, day: dt.date | dt.datetime | str) -> dt.date:
        """The last trading day strictly before ``day``."""
        return self._step(_as_date(day), -1)

    def trading_days(self, start: dt.date | dt.datetime | str,
                     end: dt.date | dt.datetime | str) -> list[dt.date]:
        """Every trading day from ``start`` to ``end``, both included."""
        lo, hi = _as_date(start, "start"), _as_date(end, "end")
        if hi < lo:
            raise CalendarError(f"trading_days: end {hi} is before start {lo}")
        inside_hi = min(hi, self._last)
        days: list[dt.date] = []
        if lo <= inside_hi:
            i = bisect.bisect_left(self._sessions, lo)
            j = bisect.bisect_right(self._sessions, inside_hi)
            days.extend(self._sessions[i:j])
        d = max(lo, self._last + dt.timedelta(days=1))
        while d <= hi:
            if self.is_trading_day(d):
                days.append(d)
            d += dt.timedelta(days=1)
        return days

    def trading_day_number(self, first_day: dt.date | dt.datetime | str,
                           day: dt.date | dt.datetime | str) -> int:
        """1 when ``day`` is ``first_day`` (a listing date), 2 the next trading day, ..."""
        return len(self.trading_days(first_day, day))

    def _step(self, d: dt.date, direction: int) -> dt.date:
        cur = d
        for _ in range(self.MAX_SEARCH_DAYS):
            cur += dt.timedelta(days=direction)
            if cur < self._first:
                break
            if self.is_trading_day(cur):
                return cur
        raise CalendarError(f"no trading day within {self.MAX_SEARCH_DAYS} days "
                            f"{'after' if direction > 0 else 'before'} {d}")

    def _warn_fallback(self, d: dt.date) -> None:
        with self._warn_lock:
            if d.year in self._warned_years:
                return
            self._warned_years.add(d.year)
        self._warn(
            f"TRADING CALENDAR FALLBACK: {d} is after the last session exchange-calendars knows "
            f"({self._last}); treating weekdays as trading days minus {len(self._extra)} "
            f"configured extra holidays. Exchange holidays of {d.year} are NOT known: add them "
            f"with extra_holidays or upgrade exchange-calendars."
        )


#: The continuous-auction sessions of a trading day (exchange-local time).
TRADING_SESSIONS: tuple[tuple[dt.time, dt.time], ...] = (
    (dt.time(9, 30), dt.time(11, 30)),
    (dt.time(13, 0), dt.time(15, 0)),
)


def in_trading_session(calendar: "TradingCalendar", moment: dt.datetime) -> bool:
    """True on a trading day between 09:30-11:30 or 13:00-15:00 (market data is expected)."""
    now = moment.time()
    return any(start <= now < end for start, end in TRADING_SESSIONS) and calendar.is_trading_day(moment.date())

