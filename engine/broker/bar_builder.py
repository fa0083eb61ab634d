"""Finished bars from ``xtdata`` bar subscriptions.

``subscribe_quote(code, period='1m')`` pushes the bar in progress again and
again as it grows. A bar is finished when a bar with a later time arrives,
or when the clock is past its end (plus a grace for late prints). Only
finished bars become ``on_bar`` calls, each exactly once.

``label``: whether xtdata's ``time`` of a bar is its start or its end. The
engine's :class:`~engine.models.Bar` always carries the END time. MiniQMT
labels intraday A-share bars by their end (09:31 ... 15:00, plus 09:30 for the
opening auction), hence the default ``end``; set ``live.bar_time_label`` if
your data says otherwise.
"""

from __future__ import annotations

import datetime as dt

from ..clock import epoch_ms_to_local
from ..instruments import shares_per_lot
from ..models import Bar

PERIODS = {"1m": dt.timedelta(minutes=1), "5m": dt.timedelta(minutes=5), "15m": dt.timedelta(minutes=15),
           "30m": dt.timedelta(minutes=30), "1h": dt.timedelta(hours=1), "1d": dt.timedelta(days=1)}


def bar_from_xtdata(code: str, record: dict, period: str, label: str = "end") -> Bar:
    """One xtdata bar record (``time`` ms, open, high, low, close, volume in lots or ``pvolume`` in shares,
    amount, preClose) as a Bar with its END time and volume in shares."""
    when = record["time"]
    when = when if isinstance(when, dt.datetime) else epoch_ms_to_local(when)
    if label == "start":
        when = when + PERIODS[period]
    return Bar(code=code, time=when, open=float(record["open"]), high=float(record["high"]),
               low=float(record["low"]), close=float(record["close"]),
               volume=int(record.get("pvolume") or 0) or int(record.get("volume") or 0) * shares_per_lot(code),
               amount=float(record.get("amount") or 0.0),
               pre_close=float(record.get("preClose") or 0.0), period=period)


class FinishedBars:
    """Keeps the bar in progress per code and releases each bar once it is finished."""

    def __init__(self, period: str, label: str = "end", grace: dt.timedelta = dt.timedelta(seconds=3)) -> None:
        if period not in PERIODS:
            raise ValueError(f"bar period {period!r} is not one of {', '.join(PERIODS)}")
        self.period, self.label, self.grace = period, label, grace
        self._current: dict[str, Bar] = {}

    def update(self, code: str, records: list[dict]) -> list[Bar]:
        """New pushes for ``code``; returns the bars they finished."""
        finished = []
        for record in records:
            bar = bar_from_xtdata(code, record, self.period, self.label)
            current = self._current.get(code)
            if current is not None and bar.time > current.time:
                finished.append(current)
            if current is None or bar.time >= current.time:
                self._current[code] = bar
        return finished

    def due(self, now: dt.datetime) -> list[Bar]:
        """Bars whose end (plus grace) the clock has passed without a newer bar arriving."""
        done = [bar for bar in self._current.values() if now >= bar.time + self.grace]
        for bar in done:
            del self._current[bar.code]
        return done
