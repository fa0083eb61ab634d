"""Engine clocks. Every time in the engine is exchange-local (Asia/Shanghai) naive time.

* :class:`WallClock`: real time in Beijing, whatever the machine's time zone (live).
* :class:`ManualClock`: time that moves only when told (paper replay, backtests,
  tests); thread-safe, because the simulator's threads read it too.

Anything with a ``now() -> datetime`` method can serve as a clock.
"""

from __future__ import annotations

import datetime as dt
import threading

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # China has no daylight saving time

__all__ = ["CHINA_TZ", "ManualClock", "WallClock"]


class WallClock:
    """The wall clock in Asia/Shanghai, as naive local time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(CHINA_TZ).replace(tzinfo=None)


class ManualClock:
    """A clock that only moves when told to: :meth:`set`, :meth:`advance`, :meth:`advance_to`."""

    def __init__(self, start: dt.datetime) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def set(self, when: dt.datetime) -> None:
        """Jump to ``when`` (backwards too: tests need it)."""
        with self._lock:
            self._now = when

    def advance(self, seconds: float = 0.0, **kwargs: float) -> dt.datetime:
        """Move forward by a timedelta given as keyword arguments (``minutes=5``)."""
        with self._lock:
            self._now += dt.timedelta(seconds=seconds, **kwargs)
            return self._now

    def advance_to(self, when: dt.datetime) -> None:
        """Move forward to ``when``; never backwards (a replay's time is monotonic)."""
        with self._lock:
            if when > self._now:
                self._now = when


# -- epoch conversions (xtdata ``time`` is ms since the epoch; XtOrder.order_time is seconds) ----------

_EPOCH_LOCAL = dt.datetime(1970, 1, 1) + dt.timedelta(hours=8)
_MS = dt.timedelta(milliseconds=1)


def epoch_ms_to_local(ms: int | float) -> dt.datetime:
    """Naive Asia/Shanghai time of an epoch-milliseconds timestamp."""
    return _EPOCH_LOCAL + ms * _MS


def local_to_epoch_ms(when: dt.datetime) -> int:
    """Milliseconds since the epoch of a naive Asia/Shanghai time (xtdata's ``time``)."""
    delta = when - _EPOCH_LOCAL
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def local_to_epoch_seconds(when: dt.datetime) -> int:
    """Seconds since the epoch of a naive Asia/Shanghai time (``XtOrder.order_time``)."""
    return local_to_epoch_ms(when) // 1000
