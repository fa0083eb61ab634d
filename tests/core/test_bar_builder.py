"""Finished bars from xtdata's repeated pushes of the bar in progress."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.broker.bar_builder import FinishedBars, bar_from_xtdata
from engine.clock import local_to_epoch_ms

CODE = "600000.SH"


def rec(hhmm: str, close: float, volume: int = 10) -> dict:
    when = dt.datetime.combine(dt.date(2026, 3, 10), dt.time.fromisoformat(hhmm))
    return {"time": local_to_epoch_ms(when), "open": 10.0, "high": max(10.0, close), "low": min(10.0, close),
            "close": close, "volume": volume, "amount": close * volume * 100, "preClose": 9.9}


def test_a_bar_is_released_once_when_a_later_bar_arrives():
    bars = FinishedBars("1m")
    assert bars.update(CODE, [rec("09:31", 10.1)]) == []
    assert bars.update(CODE, [rec("09:31", 10.2, 12)]) == []   # the same bar, grown
    [done] = bars.update(CODE, [rec("09:32", 10.3)])
    assert (done.time.time(), done.close, done.volume) == (dt.time(9, 31), 10.2, 1200)  # lots -> shares
    assert bars.update(CODE, [rec("09:31", 10.0)]) == []       # a stale push changes nothing


def test_a_bar_is_released_when_the_clock_passes_its_end():
    bars = FinishedBars("1m", grace=dt.timedelta(seconds=3))
    bars.update(CODE, [rec("11:30", 10.1)])
    assert bars.due(dt.datetime(2026, 3, 10, 11, 30, 2)) == []
    [done] = bars.due(dt.datetime(2026, 3, 10, 11, 30, 3))
    assert done.time.time() == dt.time(11, 30) and bars.due(dt.datetime(2026, 3, 10, 12, 0)) == []


def test_start_labelled_bars_are_moved_to_their_end_time():
    bar = bar_from_xtdata(CODE, rec("09:30", 10.0), "5m", label="start")
    assert bar.time.time() == dt.time(9, 35) and bar.period == "5m"
    with pytest.raises(ValueError, match="bar period '2m'"):
        FinishedBars("2m")
