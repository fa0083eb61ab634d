"""schedule's own API on the engine clock: ClockScheduler / ClockJob never read the wall clock."""

from __future__ import annotations

import datetime as dt

import pytest
import schedule

from engine.clock import ManualClock
from engine.scheduling import ClockScheduler

FAR = dt.datetime(2031, 5, 5, 9, 0)  # a Monday years away from the wall clock


@pytest.fixture
def far_clock() -> ManualClock:
    return ManualClock(FAR)


def test_plain_schedule_jobs_fire_at_simulated_times(far_clock):
    scheduler = ClockScheduler(far_clock)
    seen: list[tuple[str, dt.datetime]] = []
    scheduler.every(10).seconds.do(lambda: seen.append(("tick", far_clock.now())))
    scheduler.every().day.at("14:50").do(lambda: seen.append(("daily", far_clock.now())))
    scheduler.every().wednesday.at("10:00:30").do(lambda: seen.append(("weekly", far_clock.now())))
    assert scheduler.get_next_run() == FAR + dt.timedelta(seconds=10)

    while far_clock.now() < dt.datetime(2031, 5, 7, 10, 1):
        far_clock.advance(5)
        scheduler.run_pending()

    daily = [t for kind, t in seen if kind == "daily"]
    weekly = [t for kind, t in seen if kind == "weekly"]
    ticks = [t for kind, t in seen if kind == "tick"]
    assert daily == [dt.datetime(2031, 5, 5, 14, 50), dt.datetime(2031, 5, 6, 14, 50)]
    assert weekly == [dt.datetime(2031, 5, 7, 10, 0, 30)]
    assert ticks[:3] == [FAR + dt.timedelta(seconds=s) for s in (10, 20, 30)]
    assert all(b - a == dt.timedelta(seconds=10) for a, b in zip(ticks, ticks[1:]))


def test_a_clock_jump_runs_a_job_once_not_once_per_interval(far_clock):
    scheduler = ClockScheduler(far_clock)
    runs: list[dt.datetime] = []
    scheduler.every(1).minutes.do(lambda: runs.append(far_clock.now()))
    far_clock.advance(minutes=90)
    scheduler.run_pending()
    scheduler.run_pending()
    assert runs == [FAR + dt.timedelta(minutes=90)]
    assert scheduler.get_next_run() == FAR + dt.timedelta(minutes=91)


def test_one_pass_reads_the_clock_once_and_now_can_be_given(far_clock):
    scheduler = ClockScheduler(far_clock)
    runs: list[dt.datetime] = []
    scheduler.every(1).minutes.do(lambda: runs.append(scheduler.now()))
    scheduler.run_pending(FAR + dt.timedelta(minutes=5))
    assert runs == [FAR + dt.timedelta(minutes=5)]
    assert scheduler.now() == FAR  # outside a pass: the clock again


def test_cancel_job_and_idle_seconds(far_clock):
    scheduler = ClockScheduler(far_clock)
    scheduler.every(30).seconds.do(lambda: schedule.CancelJob)
    assert scheduler.idle_seconds == 30.0
    far_clock.advance(30)
    scheduler.run_pending()
    assert scheduler.jobs == [] and scheduler.idle_seconds is None


def test_the_module_level_default_scheduler_is_untouched(far_clock):
    before = list(schedule.jobs)
    ClockScheduler(far_clock).every(5).seconds.do(lambda: None)
    assert schedule.jobs == before


@pytest.mark.parametrize(("build", "message"), [
    (lambda s: s.every(5).to(10).seconds.do(print), "to\\(\\) is not supported"),
    (lambda s: s.every().day.until("18:00"), "until\\(\\) is not supported"),
    (lambda s: s.every(2).monday.do(print), "Scheduling .monday\\(\\) jobs is only allowed for weekly jobs"),
])
def test_unsupported_schedule_features_are_refused(far_clock, build, message):
    with pytest.raises(schedule.ScheduleError, match=message):
        build(ClockScheduler(far_clock))


def test_a_clock_job_needs_a_clock_scheduler():
    from engine.scheduling import ClockJob

    with pytest.raises(schedule.ScheduleValueError, match="needs a ClockScheduler"):
        ClockJob(1, schedule.Scheduler())


class _FixedClock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def now(self) -> dt.datetime:
        return self.moment


@pytest.mark.parametrize("build", [
    lambda s: s.every(10).seconds,
    lambda s: s.every(3).minutes,
    lambda s: s.every().hour.at(":15"),
    lambda s: s.every(2).hours.at("20:30"),
    lambda s: s.every().day.at("14:50"),
    lambda s: s.every(2).days.at("09:00:05"),
    lambda s: s.every().monday.at("10:00"),
    lambda s: s.every().sunday,
    lambda s: s.every(2).weeks,
])
def test_next_run_matches_schedules_own_arithmetic(build):
    """The ported _schedule_next_run gives what schedule computes from the wall clock."""
    reference = build(schedule.Scheduler()).do(print)  # reads datetime.datetime.now()
    clock = _FixedClock(dt.datetime.now())
    ours = build(ClockScheduler(clock)).do(print)
    assert abs(ours.next_run - reference.next_run) < dt.timedelta(seconds=1)
