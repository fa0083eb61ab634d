"""Put an earlier run's record back where it belongs, before any strategy runs (issue 13).

Called at start-up once the broker's snapshot is loaded and before journal
recovery (whose recovered fills then land on a rebuilt book):

* (the engine itself takes the day's loss baseline: the first equity an earlier run marked
  today, not this run's start);
* the ledger's per-strategy book and each position's ``holding_days``, from every recorded
  fill (:mod:`engine.account.restore`; previous closes from the instrument's ``PreClose``,
  trading days from the calendar);
* each plugin's ``ctx.state``.

The engine then calls ``on_restore(ctx, record)`` on every plugin just before ``on_start``,
so risk rules rebuild their counters (the built-in flow and loss rules do) from today's
recorded events.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Callable

from loguru import logger

from ..calendar import CalendarError
from ..account.restore import restore_ledger
from .day_record import DayRecord

if TYPE_CHECKING:
    from ..account import AccountLedger
    from ..calendar import TradingCalendar
    from .strategy_states import StrategyStates

__all__ = ["restore_day"]


def restore_day(record: DayRecord, *, ledger: AccountLedger, plugin_states: StrategyStates,
                state_of: Callable[[str], dict], instrument: Callable[[str], dict | None],
                calendar: TradingCalendar) -> None:
    """Rebuild the restart-proof state from ``record`` (see the module docstring).

    :param state_of: a plugin's ``ctx.state`` by plugin name (restored in place).
    :param instrument: ``get_instrument_detail`` of a code (its ``PreClose``), or None.
    """
    restore_ledger(ledger, record.fills, record.day, previous_close=lambda code: _previous_close(instrument, code),
                   trading_days_between=lambda first, today: _trading_days_between(calendar, first, today))
    restored = plugin_states.restore(record.strategy_states, state_of)
    if record.runs_today or record.fills or restored:
        logger.info("restored from earlier runs: loss baseline {} ({}), {} event(s) of today, {} fill(s), state of {}",
                    record.opening_equity or "(none)", "first mark of the day" if record.opening_equity is not None else
                    "this run's start", len(record.events), len(record.fills), ", ".join(restored) or "no plugin")


def _previous_close(instrument: Callable[[str], dict | None], code: str) -> float | None:
    detail = instrument(code) or {}
    price = detail.get("PreClose") or detail.get("pre_close")
    return float(price) if price else None


def _trading_days_between(calendar: TradingCalendar, first: dt.date, today: dt.date) -> int:
    """Day rolls a never-stopped run would have made since ``first``: 0 on the buy day."""
    if first >= today:
        return 0
    try:
        count, day = 0, first
        while day < today:
            day = calendar.next_trading_day(day)
            count += 1
        return count
    except CalendarError:
        return (today - first).days

