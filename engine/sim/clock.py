"""Clocks the counter can read: anything with ``now() -> datetime`` (exchange-local, naive)."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

__all__ = ["ManualClock", "WallClock"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


class WallClock:
    """The wall clock in Asia/Shanghai, as naive local time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(SHANGHAI).replace(tzinfo=None)


class ManualClock:
    """A clock that only moves when told to (tests, replays): ``set()`` / ``advance()``."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, when: dt.datetime) -> None:
        with self._lock:
            self._now = when

    def advance(self, seconds: float = 0.0, **kwargs: float) -> dt.datetime:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds, **kwargs)
            return self._now
