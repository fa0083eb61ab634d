"""Bars in progress built from ticks, pushed as MiniQMT pushes a ``subscribe_quote(period='1m')``.

MiniQMT sends the bar in progress again with every tick that changes it; the
engine's live bar builder (:class:`engine.broker.bar_builder.FinishedBars`)
turns those pushes into finished bars. The simulator does the same from the
replayed ticks, so an ``on_bar`` strategy trades in paper mode as it does live.

A bar is labelled by its END time: a tick at 09:31:27 belongs to the 1m bar
09:32 (the interval (09:31, 09:32]); ticks up to 09:30:00 (the opening auction)
belong to the first bar (09:31 for 1m: the opening auction is folded into the
first minute); ticks of the lunch break belong to 11:30 and
ticks after 15:00 to 15:00. Volume and amount are the increase of the tick's
cumulative values within the bar (lots and CNY, as xtdata sends them).
"""

from __future__ import annotations

import datetime as dt

from .book import ms_from_local, tick_time

__all__ = ["BAR_MINUTES", "TickBars", "bar_end"]

BAR_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60}

_OPEN, _LUNCH, _AFTERNOON, _CLOSE = dt.time(9, 30), dt.time(11, 30), dt.time(13, 0), dt.time(15, 0)


def _minutes_since_open(t: dt.time) -> int:
    """Trading minutes from 09:30 to ``t`` (the lunch break does not count)."""
    minutes = t.hour * 60 + t.minute
    if t <= _LUNCH:
        return minutes - (9 * 60 + 30)
    return 120 + minutes - 13 * 60


def bar_end(when: dt.datetime, minutes: int) -> dt.datetime:
    """The END label of the ``minutes``-bar that a tick at ``when`` belongs to."""
    t = when.time()
    day = when.date()
    if t <= _OPEN:
        t = dt.time(9, 30, 0, 1)
    elif _LUNCH < t <= _AFTERNOON:
        return dt.datetime.combine(day, _LUNCH)
    elif t > _CLOSE:
        return dt.datetime.combine(day, _CLOSE)
    elapsed = _minutes_since_open(t)
    if t.second or t.microsecond:
        elapsed += 1  # (09:31:00, 09:32:00] is the bar 09:32
    elapsed = max(minutes, -(-elapsed // minutes) * minutes)
    elapsed = min(elapsed, 240)
    if elapsed <= 120:
        clock = 9 * 60 + 30 + elapsed
    else:
        clock = 13 * 60 + elapsed - 120
    return dt.datetime.combine(day, dt.time(clock // 60, clock % 60))


class TickBars:
    """The bar in progress per code for one period; ``update`` returns the bar record to push."""

    def __init__(self, period: str) -> None:
        if period not in BAR_MINUTES:
            raise ValueError(f"bars from ticks: period {period!r} is not one of {', '.join(BAR_MINUTES)}")
        self.period = period
        self._minutes = BAR_MINUTES[period]
        self._bars: dict[str, dict] = {}
        self._last_cum: dict[str, tuple[dt.date, float, float]] = {}  # the previous tick's cumulative volume, amount

    def update(self, code: str, tick: dict) -> dict | None:
        """Fold one xtdata tick into its code's bar; the bar record (a copy), or None without a price."""
        price = tick.get("lastPrice")
        if not price:
            return None
        when = tick_time(tick.get("time"), f"tick {code}")
        end = bar_end(when, self._minutes)
        end_ms = ms_from_local(end)
        volume, amount = float(tick.get("volume") or 0), float(tick.get("amount") or 0.0)
        last = self._last_cum.get(code)
        before = (last[1], last[2]) if last is not None and last[0] == when.date() else (0.0, 0.0)
        self._last_cum[code] = (when.date(), volume, amount)
        bar = self._bars.get(code)
        if bar is None or bar["time"] != end_ms:
            bar = self._bars[code] = {"time": end_ms, "open": float(price), "high": float(price),
                                      "low": float(price), "close": float(price), "volume": 0, "amount": 0.0,
                                      "preClose": float(tick.get("lastClose") or 0.0)}
        bar["high"] = max(bar["high"], float(price))
        bar["low"] = min(bar["low"], float(price))
        bar["close"] = float(price)
        bar["volume"] += max(0, int(volume - before[0]))
        bar["amount"] += max(0.0, amount - before[1])
        return dict(bar)
