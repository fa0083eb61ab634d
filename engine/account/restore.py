"""Rebuild the ledger's restart-proof part from what earlier runs recorded (issue 13).

Cash and positions are the broker's and come with its snapshot; what only the
audit knows is put back here, before any strategy runs:

* the per-strategy book: every recorded fill folded in, day by day, so holdings, cost and
  today's realised P&L are those of a run that never stopped; holdings carried into today
  are measured from the previous close (``previous_close``: the instrument's ``PreClose``);
* ``holding_days`` of each position: trading days since the oldest buy still held
  (first in, first out over the account's recorded fills); a position the audit does not
  explain (bought before the audit began) keeps the broker-based fallback: 1 day when the
  broker reports yesterday's volume, else 0.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from typing import Callable, Iterable

from ..models import Fill, Side
from .ledger import AccountLedger

__all__ = ["restore_ledger"]


def restore_ledger(ledger: AccountLedger, fills: Iterable[Fill], today: dt.date, *,
                   previous_close: Callable[[str], float | None],
                   trading_days_between: Callable[[dt.date, dt.date], int]) -> None:
    """Fold ``fills`` (oldest first) into ``ledger``'s strategy book and restore holding days.

    :param previous_close: the previous close of a code, or None when unknown.
    :param trading_days_between: day rolls a never-stopped run made from the first date to the second.
    """
    fills = tuple(fills)
    _rebuild_book(ledger, fills, today, previous_close)
    _restore_holding_days(ledger, fills, today, trading_days_between)


def _rebuild_book(ledger: AccountLedger, fills: tuple[Fill, ...], today: dt.date,
                  previous_close: Callable[[str], float | None]) -> None:
    day: dt.date | None = None
    for fill in fills:
        fill_day = fill.time.date() if fill.time is not None else today
        if day is not None and fill_day != day:
            _roll(ledger, previous_close if fill_day == today else None)
        day = fill_day
        ledger.replay_recorded_fill(fill, today=fill_day == today)
    if day is not None and day != today:
        _roll(ledger, previous_close)


def _roll(ledger: AccountLedger, previous_close: Callable[[str], float | None] | None) -> None:
    """A day boundary in the recorded fills; into today, holdings are measured from the previous close."""
    closes: dict[str, float] = {}
    if previous_close is not None:
        for code in ledger.held_codes():
            price = previous_close(code)
            if price:
                closes[code] = float(price)
    ledger.roll_recorded_day(closes)


def _restore_holding_days(ledger: AccountLedger, fills: tuple[Fill, ...], today: dt.date,
                          trading_days_between: Callable[[dt.date, dt.date], int]) -> None:
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
    for code, position in ledger.positions.items():
        held = lots.get(code)
        if not position.volume or not held or sum(v for _, v in held) < position.volume:
            continue  # older than the audit: the broker-based fallback stays
        ledger.set_holding_days(code, trading_days_between(held[0][0], today))
