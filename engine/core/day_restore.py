"""Put an earlier run's record back where it belongs, before any strategy runs (issue 13).

Called at start-up once the broker's snapshot is loaded and before journal
recovery (whose recovered fills then land on a rebuilt book):

* (the engine itself takes the day's loss baseline: the first equity an earlier run marked
  today, not this run's start);
* the per-strategy book: every recorded fill folded in, day by day, so holdings, cost and
  today's realised P&L are those of a run that never stopped; holdings carried into today
  are measured from the previous close (the instrument's ``PreClose``);
* ``holding_days`` of each position: trading days since the oldest buy still held
  (first in, first out over the account's recorded fills); a position the audit does not
  explain (bought before the audit began) keeps the broker-based fallback: 1 day when the
  broker reports yesterday's volume, else 0;
* each plugin's ``ctx.state``.

The engine then calls ``on_restore(ctx, record)`` on every plugin just before ``on_start``,
so risk rules rebuild their counters (the built-in flow and loss rules do) from today's
recorded events.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from typing import TYPE_CHECKING

from loguru import logger

from ..calendar import CalendarError
from ..models import Fill, Side
from .day_record import DayRecord

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["restore_day"]


def restore_day(engine: Engine, record: DayRecord) -> None:
    """Rebuild the restart-proof state from ``record`` (see the module docstring)."""
    _rebuild_book(engine, record)
    _restore_holding_days(engine, record.fills, record.day)
    restored = engine.plugin_states.restore(record.strategy_states, lambda name: engine.context_for(name).state)
    if record.runs_today or record.fills or restored:
        logger.info("restored from earlier runs: loss baseline {} ({}), {} event(s) of today, {} fill(s), state of {}",
                    record.opening_equity or "(none)", "first mark of the day" if record.opening_equity is not None else
                    "this run's start", len(record.events), len(record.fills), ", ".join(restored) or "no plugin")


def _rebuild_book(engine: Engine, record: DayRecord) -> None:
    book = engine.strategy_book
    day: dt.date | None = None
    for fill in record.fills:
        fill_day = fill.time.date() if fill.time is not None else record.day
        if day is not None and fill_day != day:
            _roll(engine, into_today=fill_day == record.day)
        day = fill_day
        book.apply_fill(fill)
        if fill_day == record.day:
            engine.fills.append(fill)  # today's statement counts them
    if day is not None and day != record.day:
        _roll(engine, into_today=True)


def _roll(engine: Engine, *, into_today: bool) -> None:
    """A day boundary in the recorded fills; into today, holdings are measured from the previous close."""
    book = engine.strategy_book
    book.roll_day(_previous_closes(engine, book) if into_today else {})


def _previous_closes(engine: Engine, book) -> dict[str, float]:
    closes: dict[str, float] = {}
    for code in {code for holdings in book.holdings.values() for code in holdings}:
        detail = engine.instrument(code) or {}
        price = detail.get("PreClose") or detail.get("pre_close")
        if price:
            closes[code] = float(price)
    return closes


def _restore_holding_days(engine: Engine, fills: tuple[Fill, ...], today: dt.date) -> None:
    lots: dict[str, deque[list]] = {}
    for fill in fills:
        held = lots.setdefault(fill.code, deque())
        if fill.side is Side.BUY:
            held.append([fill.time.date() if fill.time else today, fill.volume])
            continue
        left = fill.volume
        while left and held:
            take = min(left, held[0][1])
            held[0][1] -= take
            left -= take
            if not held[0][1]:
                held.popleft()
    for code, position in engine.portfolio.positions.items():
        held = lots.get(code)
        if not position.volume or not held or sum(v for _, v in held) < position.volume:
            continue  # older than the audit: the broker-based fallback stays
        first_day = held[0][0]
        position.holding_days = _trading_days_between(engine, first_day, today)


def _trading_days_between(engine: Engine, first: dt.date, today: dt.date) -> int:
    """Day rolls a never-stopped run would have made since ``first``: 0 on the buy day."""
    if first >= today:
        return 0
    try:
        count, day = 0, first
        while day < today:
            day = engine.calendar.next_trading_day(day)
            count += 1
        return count
    except CalendarError:
        return (today - first).days

