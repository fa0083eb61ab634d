"""Fixtures for the scheduler tests: a manual engine clock, a fresh calendar, a scheduler factory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from engine.calendar import TradingCalendar
from engine.clock import ManualClock
from engine.scheduling import JobScheduler, JobSettings

START = dt.datetime(2026, 9, 30, 8, 0)  # a Wednesday, a trading day


@pytest.fixture
def clock() -> ManualClock:
    """The engine's manual clock (time moves only when a test moves it)."""
    return ManualClock(START)


@pytest.fixture
def calendar() -> TradingCalendar:
    """A fresh calendar per test, so its once-per-year fallback warning is not shared."""
    return TradingCalendar()


@pytest.fixture
def make_scheduler(clock, calendar) -> Callable[..., JobScheduler]:
    """``make_scheduler(*job_dicts, last_runs=..., **kwargs)`` -> a scheduler with those jobs added."""

    def make(*jobs: dict, **kwargs) -> JobScheduler:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("calendar", calendar)
        scheduler = JobScheduler(**kwargs)
        for fields in jobs:
            scheduler.add(JobSettings(**{"target": "strategy", **fields}))
        return scheduler

    return make
