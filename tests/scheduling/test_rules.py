"""Occurrence rules: day selectors across the 2026 closures, session grids, next/latest searches."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.scheduling import JobSettings
from engine.scheduling.anchors import SESSIONS, WHOLE_DAY
from engine.scheduling.days import DaySelector
from engine.scheduling.rules import AtTime, IntervalGrid, OccurrenceRule, rule_for

D = dt.date
T = dt.datetime


def selected(calendar, kind: str, start: dt.date, end: dt.date) -> list[dt.date]:
    selector = DaySelector(kind, calendar)
    days, day = [], start
    while day <= end:
        if selector.matches(day):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def test_trading_days_skip_weekends_holidays_and_make_up_saturdays(calendar):
    days = selected(calendar, "trading", D(2026, 9, 21), D(2026, 10, 12))
    assert D(2026, 9, 25) not in days  # Mid-Autumn closure (a Friday)
    assert D(2026, 9, 28) in days  # reopening Monday
    assert not [d for d in days if D(2026, 10, 1) <= d <= D(2026, 10, 7)]  # National Day
    assert D(2026, 10, 10) not in days  # official make-up Saturday: the market stays closed
    assert days[-3:] == [D(2026, 10, 8), D(2026, 10, 9), D(2026, 10, 12)]


def test_weekdays_and_every_day_ignore_the_exchange(calendar):
    assert selected(calendar, "weekdays", D(2026, 10, 1), D(2026, 10, 11)) == [
        D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7), D(2026, 10, 8), D(2026, 10, 9)]
    assert len(selected(calendar, "every_day", D(2026, 10, 1), D(2026, 10, 11))) == 11


@pytest.mark.parametrize(("kind", "start", "end", "expected"), [
    # National Day week: Monday-Wednesday closed, the week starts trading on Thursday 10-08
    ("first_trading_day_of_week", D(2026, 9, 21), D(2026, 10, 18), [D(2026, 9, 21), D(2026, 9, 28), D(2026, 10, 8), D(2026, 10, 12)]),
    # 09-25 (Friday) closed: the week ends on Thursday; the National Day week on Friday 10-09
    ("last_trading_day_of_week", D(2026, 9, 21), D(2026, 10, 18), [D(2026, 9, 24), D(2026, 9, 30), D(2026, 10, 9), D(2026, 10, 16)]),
    # Spring Festival: 02-16..02-20 closed entirely (no trading day that week), 02-23 Monday closed too
    ("first_trading_day_of_week", D(2026, 2, 9), D(2026, 3, 1), [D(2026, 2, 9), D(2026, 2, 24)]),
    ("last_trading_day_of_week", D(2026, 2, 9), D(2026, 3, 1), [D(2026, 2, 13), D(2026, 2, 27)]),
    ("first_trading_day_of_month", D(2026, 1, 1), D(2026, 3, 31), [D(2026, 1, 5), D(2026, 2, 2), D(2026, 3, 2)]),
    ("first_trading_day_of_month", D(2026, 9, 1), D(2026, 10, 31), [D(2026, 9, 1), D(2026, 10, 8)]),
    ("last_trading_day_of_month", D(2026, 1, 1), D(2026, 3, 31), [D(2026, 1, 30), D(2026, 2, 27), D(2026, 3, 31)]),
    ("last_trading_day_of_month", D(2026, 9, 1), D(2026, 10, 31), [D(2026, 9, 30), D(2026, 10, 30)]),
])
def test_first_and_last_trading_day_of_week_and_month(calendar, kind, start, end, expected):
    assert selected(calendar, kind, start, end) == expected


def test_unknown_days_kind(calendar):
    with pytest.raises(ValueError, match="unknown days 'monthly'"):
        DaySelector("monthly", calendar)


def test_session_grid_starts_at_each_session_and_excludes_the_end():
    grid = IntervalGrid(dt.timedelta(minutes=5), SESSIONS)
    day = D(2026, 9, 30)
    assert grid.first_after(day, None) == T(2026, 9, 30, 9, 30)
    assert grid.first_after(day, T(2026, 9, 30, 9, 30)) == T(2026, 9, 30, 9, 35)
    assert grid.first_after(day, T(2026, 9, 30, 9, 31, 2, 5)) == T(2026, 9, 30, 9, 35)
    assert grid.first_after(day, T(2026, 9, 30, 11, 25)) == T(2026, 9, 30, 13, 0)  # 11:30 is the end
    assert grid.first_after(day, T(2026, 9, 30, 14, 55)) is None
    assert grid.last_at_or_before(day, None) == T(2026, 9, 30, 14, 55)
    assert grid.last_at_or_before(day, T(2026, 9, 30, 12, 0)) == T(2026, 9, 30, 11, 25)
    assert grid.last_at_or_before(day, T(2026, 9, 30, 13, 7)) == T(2026, 9, 30, 13, 5)
    assert grid.last_at_or_before(day, T(2026, 9, 30, 9, 29, 59)) is None


def test_grid_with_an_interval_that_does_not_divide_the_session():
    grid = IntervalGrid(dt.timedelta(minutes=50), SESSIONS)
    day = D(2026, 9, 30)
    times, after = [], None
    while (after := grid.first_after(day, after)) is not None:
        times.append(after.time())
    assert times == [dt.time(9, 30), dt.time(10, 20), dt.time(11, 10), dt.time(13, 0), dt.time(13, 50), dt.time(14, 40)]


def test_whole_day_grid_restarts_at_midnight():
    grid = IntervalGrid(dt.timedelta(hours=7), WHOLE_DAY)
    day = D(2026, 9, 30)
    assert grid.first_after(day, T(2026, 9, 30, 21, 0)) is None
    assert grid.last_at_or_before(day, None) == T(2026, 9, 30, 21, 0)
    assert grid.first_after(day, T(2026, 9, 30, 13, 59)) == T(2026, 9, 30, 14, 0)


def test_grid_rejects_a_non_positive_interval():
    with pytest.raises(ValueError, match="interval must be positive"):
        IntervalGrid(dt.timedelta(0), SESSIONS)


def test_at_time_is_strictly_after_and_inclusive_before():
    at = AtTime(dt.time(14, 50))
    day = D(2026, 9, 30)
    assert at.first_after(day, T(2026, 9, 30, 14, 50)) is None
    assert at.first_after(day, T(2026, 9, 30, 14, 49, 59)) == T(2026, 9, 30, 14, 50)
    assert at.last_at_or_before(day, T(2026, 9, 30, 14, 50)) == T(2026, 9, 30, 14, 50)
    assert at.last_at_or_before(day, T(2026, 9, 30, 14, 49)) is None


def test_rule_walks_over_the_national_day_holiday(calendar):
    rule = rule_for(JobSettings(name="r", target="s", at="14:50"), calendar)
    assert rule.next_after(T(2026, 9, 30, 14, 50)) == T(2026, 10, 8, 14, 50)
    assert rule.latest_at_or_before(T(2026, 10, 8, 14, 49)) == T(2026, 9, 30, 14, 50)
    every = rule_for(JobSettings(name="e", target="s", every="30m"), calendar)
    assert every.next_after(T(2026, 9, 30, 14, 30)) == T(2026, 10, 8, 9, 30)
    assert every.latest_at_or_before(T(2026, 10, 8, 9, 0)) == T(2026, 9, 30, 14, 30)


def test_rule_gives_up_past_its_horizon(calendar):
    rule = OccurrenceRule(DaySelector("first_trading_day_of_month", calendar), AtTime(dt.time(10)), horizon_days=5)
    assert rule.next_after(T(2026, 10, 9)) is None
    assert rule.latest_at_or_before(T(2026, 10, 7)) is None


def test_searches_before_the_calendar_start_find_nothing(calendar):
    rule = rule_for(JobSettings(name="r", target="s", at="14:50"), calendar)
    first = calendar.first_known_day
    assert rule.latest_at_or_before(dt.datetime.combine(first, dt.time(9))) is None
