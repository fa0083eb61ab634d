"""The engine clock: wall time in live mode, the replayed time in paper replay and backtests.

Times are exchange-local (Asia/Shanghai) naive datetimes everywhere in the engine.
"""

from __future__ import annotations

import datetime as dt

CHINA_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")  # no DST in China


class WallClock:
    """Real time in Beijing, whatever the machine's time zone."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(CHINA_TZ).replace(tzinfo=None)


class ReplayClock:
    """Time that moves only when the replay says so; never moves backwards."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or dt.datetime(1970, 1, 1)

    def now(self) -> dt.datetime:
        return self._now

    def advance_to(self, moment: dt.datetime) -> None:
        if moment > self._now:
            self._now = moment
