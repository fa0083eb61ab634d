"""engine.calendar.TradingCalendar against the 2025/2026 closures of ashare_rules.md §8."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.calendar import CalendarError, TradingCalendar

D = dt.date.fromisoformat

CLOSED_2026 = ["2026-01-01", "2026-01-02", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19",
               "2026-02-20", "2026-02-23", "2026-04-06", "2026-05-01", "2026-05-04", "2026-05-05",
               "2026-06-19", "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06",
               "2026-10-07"]
MAKEUP_WEEKENDS_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]
REOPEN_2026 = ["2026-01-05", "2026-02-24", "2026-04-07", "2026-05-06", "2026-06-22", "2026-09-28",
               "2026-10-08"]
CLOSED_2025 = ["2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-03",
               "2025-02-04", "2025-04-04", "2025-05-01", "2025-05-02", "2025-05-05", "2025-06-02",
               "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07", "2025-10-08"]


@pytest.mark.parametrize("day", CLOSED_2026 + CLOSED_2025 + MAKEUP_WEEKENDS_2026)
def test_closures_are_not_trading_days(calendar, day):
    assert not calendar.is_trading_day(D(day))


@pytest.mark.parametrize("day", REOPEN_2026 + ["2025-01-02", "2025-02-05", "2025-10-09"])
def test_reopening_days_are_trading_days(calendar, day):
    assert calendar.is_trading_day(D(day))


def test_next_and_previous_skip_weekends_and_holidays(calendar):
    assert calendar.next_trading_day(D("2026-09-24")) == D("2026-09-28")
    assert calendar.next_trading_day(D("2026-09-30")) == D("2026-10-08")
    assert calendar.previous_trading_day(D("2026-10-08")) == D("2026-09-30")


def test_trading_days_counts_2026(calendar):
    days = calendar.trading_days(D("2026-01-01"), D("2026-12-31"))
    weekdays = sum(1 for i in range(365) if (D("2026-01-01") + dt.timedelta(i)).weekday() < 5)
    assert len(days) == weekdays - len(CLOSED_2026)
    assert days == sorted(days)


def test_extra_holidays_are_closed():
    cal = TradingCalendar([D("2026-03-10")])
    assert not cal.is_trading_day(D("2026-03-10"))
    assert cal.next_trading_day(D("2026-03-09")) == D("2026-03-11")


def test_fallback_past_last_session_warns_once_per_year():
    warnings: list[str] = []
    cal = TradingCalendar([D("2027-01-01")], fallback_warn=warnings.append)
    assert cal.last_known_day == D("2026-12-31")
    assert not cal.is_trading_day(D("2027-01-01"))          # user holiday
    assert cal.is_trading_day(D("2027-01-04"))              # a Monday
    assert not cal.is_trading_day(D("2027-01-09"))          # a Saturday
    assert cal.next_trading_day(D("2026-12-31")) == D("2027-01-04")
    assert len(warnings) == 1 and "FALLBACK" in warnings[0] and "2027" in warnings[0]


def test_bad_input_names_the_problem(calendar):
    with pytest.raises(CalendarError, match="not an ISO date"):
        calendar.is_trading_day("10/05/2026")
    with pytest.raises(CalendarError, match="before start"):
        calendar.trading_days(D("2026-02-01"), D("2026-01-01"))
    assert calendar.is_trading_day("2026-10-08")
