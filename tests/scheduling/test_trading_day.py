"""A full trading day, a weekend, holidays and the fallback past the calendar's end, on a stepped clock."""

from __future__ import annotations

import datetime as dt

from engine.calendar import TradingCalendar
from engine.clock import ManualClock

from .helpers import names, step

T = dt.datetime

DAY_JOBS = (
    {"name": "prepare", "when": "before_open"},
    {"name": "rebalance", "at": "14:50"},
    {"name": "lunch", "when": "lunch_break"},
    {"name": "report", "when": "after_close", "offset": "30m"},
    {"name": "poll", "every": "5m"},
    {"name": "heartbeat", "every": "1h", "sessions_only": False},
)


def test_a_full_trading_day_fires_each_job_at_its_simulated_time(make_scheduler, clock):
    scheduler = make_scheduler(*DAY_JOBS)
    fired = step(scheduler, clock, T(2026, 9, 30, 23, 59, 59))

    assert names(fired, "prepare") == [T(2026, 9, 30, 9, 25)]
    assert names(fired, "rebalance") == [T(2026, 9, 30, 14, 50)]
    assert names(fired, "lunch") == [T(2026, 9, 30, 11, 30)]
    assert names(fired, "report") == [T(2026, 9, 30, 15, 30)]
    poll = names(fired, "poll")
    assert len(poll) == 48  # 24 in each two-hour session
    assert poll[0] == T(2026, 9, 30, 9, 30) and poll[23] == T(2026, 9, 30, 11, 25)
    assert poll[24] == T(2026, 9, 30, 13, 0) and poll[-1] == T(2026, 9, 30, 14, 55)
    assert names(fired, "heartbeat") == [T(2026, 9, 30, h) for h in range(8, 24)]
    # every job was seen on time: in the same 3-second step as its scheduled time
    assert all(seen - when < dt.timedelta(seconds=3) for _, when, seen in fired)


def test_due_is_a_constant_time_check_between_runs(make_scheduler, clock):
    scheduler = make_scheduler(*DAY_JOBS)
    passes = []
    real_pass = scheduler._schedule.run_pending
    scheduler._schedule.run_pending = lambda now=None: (passes.append(now), real_pass(now))
    fired = step(scheduler, clock, T(2026, 9, 30, 16, 0), seconds=1)
    assert len({when for _, when, _ in fired}) == len(passes)  # one schedule pass per distinct fire time
    assert len(passes) < 100  # against 28 800 polls of due()


def test_nothing_fires_over_a_weekend(make_scheduler, clock):
    clock.set(T(2026, 9, 18, 15, 40))  # Friday, after the report
    scheduler = make_scheduler(*DAY_JOBS[:5], {"name": "daily", "at": "12:00", "days": "every_day"})
    fired = step(scheduler, clock, T(2026, 9, 20, 23, 59), seconds=30)
    assert [(job, when) for job, when, _ in fired] == [
        ("daily", T(2026, 9, 19, 12, 0)), ("daily", T(2026, 9, 20, 12, 0))]
    assert scheduler.next_run("rebalance") == T(2026, 9, 21, 14, 50)


def test_holidays_and_make_up_saturday_are_not_trading_days(make_scheduler, clock):
    clock.set(T(2026, 9, 24, 16, 0))
    scheduler = make_scheduler(
        {"name": "rebalance", "at": "14:50"},
        {"name": "weekday", "at": "12:00", "days": "weekdays"},
        {"name": "week_start", "at": "09:35", "days": "first_trading_day_of_week"},
    )
    fired = step(scheduler, clock, T(2026, 10, 12, 16, 0), seconds=30)
    rebalance_days = [when.date() for when in names(fired, "rebalance")]
    assert rebalance_days == [dt.date(2026, 9, 28), dt.date(2026, 9, 29), dt.date(2026, 9, 30),
                              dt.date(2026, 10, 8), dt.date(2026, 10, 9), dt.date(2026, 10, 12)]
    assert dt.date(2026, 10, 5) in [when.date() for when in names(fired, "weekday")]  # weekdays ignore holidays
    assert dt.date(2026, 10, 10) not in [when.date() for when in names(fired, "weekday")]
    assert names(fired, "week_start") == [T(2026, 9, 28, 9, 35), T(2026, 10, 8, 9, 35), T(2026, 10, 12, 9, 35)]


def test_first_and_last_trading_day_of_month_jobs(make_scheduler, clock):
    clock.set(T(2026, 9, 1, 0, 0))
    scheduler = make_scheduler(
        {"name": "month_open", "when": "open", "offset": "5m", "days": "first_trading_day_of_month"},
        {"name": "month_close", "when": "close", "offset": "-10m", "days": "last_trading_day_of_month"},
    )
    fired = step(scheduler, clock, T(2026, 11, 2, 16, 0), seconds=60)
    assert names(fired, "month_open") == [T(2026, 9, 1, 9, 35), T(2026, 10, 8, 9, 35), T(2026, 11, 2, 9, 35)]
    assert names(fired, "month_close") == [T(2026, 9, 30, 14, 50), T(2026, 10, 30, 14, 50)]


def test_past_the_calendar_end_warns_once_and_falls_back_to_weekdays(make_scheduler, caplog):
    calendar = TradingCalendar([dt.date(2027, 1, 1)])
    assert calendar.last_known_day == dt.date(2026, 12, 31)
    clock = ManualClock(T(2026, 12, 30, 16, 0))
    scheduler = make_scheduler({"name": "rebalance", "at": "14:50"}, {"name": "poll", "every": "1h"},
                               clock=clock, calendar=calendar)
    fired = step(scheduler, clock, T(2027, 1, 12, 16, 0), seconds=60)

    assert [when.date() for when in names(fired, "rebalance")] == [
        dt.date(2026, 12, 31), dt.date(2027, 1, 4), dt.date(2027, 1, 5), dt.date(2027, 1, 6), dt.date(2027, 1, 7),
        dt.date(2027, 1, 8), dt.date(2027, 1, 11), dt.date(2027, 1, 12)]
    assert len(names(fired, "poll")) == 8 * 4  # 09:30, 10:30, 13:00, 14:00 each day
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "2026-12-31" in warnings[0].getMessage() and "weekdays" in warnings[0].getMessage()
    assert "1 configured extra holidays" in warnings[0].getMessage()


def test_a_disabled_job_is_listed_but_never_fires(make_scheduler, clock):
    scheduler = make_scheduler({"name": "off", "at": "10:00", "enabled": False}, {"name": "on", "at": "10:00"})
    fired = step(scheduler, clock, T(2026, 9, 30, 11, 0), seconds=60)
    assert [job for job, _, _ in fired] == ["on"]
    assert scheduler.next_run("off") is None
    assert [row["enabled"] for row in scheduler.describe()] == [False, True]
