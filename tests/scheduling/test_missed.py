"""Missed jobs (engine down, clock jumps) and overruns: run late, skip, coalesce, never pile up."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.scheduling import ScheduleError

from .helpers import due_names, names, step

T = dt.datetime
REBALANCE = {"name": "rebalance", "at": "14:50"}


def test_missed_while_down_is_skipped_by_default(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 10))  # restarted 20 minutes after 14:50
    scheduler = make_scheduler(REBALANCE, last_runs={"rebalance": T(2026, 9, 29, 14, 50)})
    assert scheduler.due() == []
    [skipped] = scheduler.take_skipped()
    assert (skipped.name, skipped.scheduled_for) == ("rebalance", T(2026, 9, 30, 14, 50))
    assert "missed by 0:20:00 (missed: skip)" == skipped.reason
    assert scheduler.take_skipped() == []
    assert scheduler.next_run("rebalance") == T(2026, 10, 8, 14, 50)  # after the National Day closure


def test_run_late_within_max_late(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 10))
    scheduler = make_scheduler({**REBALANCE, "missed": "run_late", "max_late": "30m"},
                               last_runs={"rebalance": "2026-09-29T14:50:00"})
    [job] = scheduler.due()
    assert (job.name, job.scheduled_for, job.late, job.seen_at) == (
        "rebalance", T(2026, 9, 30, 14, 50), True, T(2026, 9, 30, 15, 10))
    assert scheduler.take_skipped() == []
    assert scheduler.due() == []


def test_run_late_outside_max_late_is_skipped_with_the_reason(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 10))
    scheduler = make_scheduler({**REBALANCE, "missed": "run_late", "max_late": "10m"},
                               last_runs={"rebalance": T(2026, 9, 29, 14, 50)})
    assert scheduler.due() == []
    [skipped] = scheduler.take_skipped()
    assert skipped.reason == "missed by 0:20:00, more than max_late 10m"


def test_down_for_days_runs_only_the_latest_occurrence(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 0))
    scheduler = make_scheduler({**REBALANCE, "missed": "run_late"},
                               last_runs={"rebalance": T(2026, 9, 22, 14, 50)})
    [job] = scheduler.due()
    assert job.scheduled_for == T(2026, 9, 30, 14, 50) and job.late
    assert scheduler.take_skipped() == []


def test_an_occurrence_already_recorded_is_not_run_again(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 14, 50, 20))  # restarted right after the run was recorded
    scheduler = make_scheduler({**REBALANCE, "missed": "run_late"},
                               last_runs={"rebalance": T(2026, 9, 30, 14, 50)})
    assert scheduler.due() == [] and scheduler.take_skipped() == []


def test_a_job_with_no_recorded_run_has_missed_nothing(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 10))
    scheduler = make_scheduler({**REBALANCE, "missed": "run_late"})
    assert scheduler.due() == [] and scheduler.take_skipped() == []
    assert scheduler.next_run("rebalance") == T(2026, 10, 8, 14, 50)


def test_start_up_on_time_runs_are_not_late(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 14, 50, 30))
    scheduler = make_scheduler(REBALANCE, last_runs={"rebalance": T(2026, 9, 29, 14, 50)})
    [job] = scheduler.due()
    assert not job.late and job.scheduled_for == T(2026, 9, 30, 14, 50)


def test_missed_every_job_over_a_holiday(make_scheduler, clock):
    clock.set(T(2026, 10, 8, 9, 0))  # the engine was down over the National Day closure
    scheduler = make_scheduler({"name": "poll", "every": "5m", "missed": "run_late", "max_late": "1h"},
                               last_runs={"poll": T(2026, 9, 30, 14, 0)})
    assert scheduler.due() == []  # the last occurrence, 09-30 14:55, is days old
    [skipped] = scheduler.take_skipped()
    assert skipped.scheduled_for == T(2026, 9, 30, 14, 55)
    assert scheduler.next_run("poll") == T(2026, 10, 8, 9, 30)


def test_a_clock_jump_over_many_occurrences_runs_once(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 10, 0, 1))
    scheduler = make_scheduler({"name": "poll", "every": "5m"}, {"name": "fast", "every": "30s"})
    assert due_names(scheduler.due()) == ["fast", "poll"]
    clock.set(T(2026, 9, 30, 10, 20, 30))  # replay jump / machine sleep over 4 polls and 40 fasts
    jobs = scheduler.due()
    assert [(j.name, j.scheduled_for, j.late) for j in sorted(jobs, key=lambda j: j.name)] == [
        ("fast", T(2026, 9, 30, 10, 20, 30), False), ("poll", T(2026, 9, 30, 10, 20), False)]
    assert scheduler.due() == []
    assert scheduler.next_run("poll") == T(2026, 9, 30, 10, 25)


def test_a_jump_past_grace_follows_the_missed_policy(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 10, 0, 1))
    scheduler = make_scheduler({"name": "skip", "every": "5m"},
                               {"name": "late", "every": "5m", "missed": "run_late", "max_late": "3m"})
    scheduler.due()
    clock.set(T(2026, 9, 30, 10, 22))  # the 10:20 occurrence is 2 minutes old
    [job] = scheduler.due()
    assert (job.name, job.scheduled_for, job.late) == ("late", T(2026, 9, 30, 10, 20), True)
    assert [s.name for s in scheduler.take_skipped()] == ["skip"]


def test_a_replay_jump_over_lunch_skips_a_noon_job_and_keeps_the_afternoon(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 11, 29, 57))
    scheduler = make_scheduler({"name": "noon", "at": "12:00"}, {"name": "poll", "every": "30m"})
    scheduler.due()
    clock.set(T(2026, 9, 30, 13, 0, 3))  # the next tick batch after the lunch break
    assert [(j.name, j.late) for j in scheduler.due()] == [("poll", False)]
    assert [s.scheduled_for for s in scheduler.take_skipped()] == [T(2026, 9, 30, 12, 0)]


def test_a_slow_job_does_not_pile_up(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 9, 30))
    scheduler = make_scheduler({"name": "poll", "every": "1m", "missed": "run_late"})
    calls = []

    def slow(job):
        calls.append(job.scheduled_for)
        clock.advance(minutes=7, seconds=20)  # the job takes 7 minutes 20 seconds of engine time

    runs = []
    for _ in range(10):
        runs.extend(scheduler.run_pending(slow))
        clock.advance(1)
    # one run per poll for the latest occurrence; the 6 occurrences each slow run overlapped are not replayed
    assert calls[:3] == [T(2026, 9, 30, 9, 30), T(2026, 9, 30, 9, 37), T(2026, 9, 30, 9, 44)]
    assert len(calls) == 10 and len(set(calls)) == 10
    assert all(b - a >= dt.timedelta(minutes=7) for a, b in zip(calls, calls[1:]))
    assert [(r.outcome, r.late) for r in runs] == [("ok", False)] * 10  # each occurrence under a minute old


def test_bad_last_runs_are_refused(clock, calendar):
    from engine.scheduling import JobScheduler

    with pytest.raises(ScheduleError, match=r"last_runs\['rebalance'\]: 'yesterday' is not an ISO datetime"):
        JobScheduler(clock=clock, calendar=calendar, last_runs={"rebalance": "yesterday"})
    with pytest.raises(ScheduleError, match="naive exchange-local datetime"):
        JobScheduler(clock=clock, calendar=calendar, last_runs={"r": dt.datetime(2026, 9, 30, tzinfo=dt.timezone.utc)})
    with pytest.raises(ScheduleError, match="grace must not be negative"):
        JobScheduler(clock=clock, calendar=calendar, grace=dt.timedelta(seconds=-1))


def test_a_stepped_day_after_a_late_start_continues_normally(make_scheduler, clock):
    clock.set(T(2026, 9, 30, 15, 10))
    scheduler = make_scheduler({**REBALANCE, "missed": "run_late"}, last_runs={"rebalance": T(2026, 9, 29, 14, 50)})
    fired = step(scheduler, clock, T(2026, 10, 9, 15, 0), seconds=60)
    assert names(fired, "rebalance") == [T(2026, 9, 30, 14, 50), T(2026, 10, 8, 14, 50), T(2026, 10, 9, 14, 50)]
