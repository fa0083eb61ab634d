"""What earlier runs recorded on this account, read from the audit database at start-up (issue 13).

A restart in the middle of a trading day must not reset what risk depends on:
the day's loss baseline, the orders and cancels already sent today (the flow
limits count them), each strategy's holdings and P&L, how long each position has
been held, and each strategy's ``ctx.state``. The audit database has all of it;
:func:`read_day_record` reads it back, read-only, before any strategy runs, and
:mod:`engine.core.day_restore` puts it where it belongs.

Only runs that traded on the same account as this one count: live runs, and paper
runs with a persisted account (``paper.account_db``) on live quotes
(``paper.feed: xtdata``), of the same mode. A backtest or a paper replay starts a
fresh account (or replays days already recorded) and restores nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..events import CancelRequested, Event, FillRecorded, OrderIntent, TradingStateChanged
from ..models import Fill, Side

__all__ = ["DayRecord", "continues_the_account", "read_day_record"]

#: the events of today a restart hands to ``on_restore`` (what risk rules count), by table
_TODAY_TABLES = {"order_intents": OrderIntent, "cancel_requests": CancelRequested,
                 "trading_states": TradingStateChanged, "fills": FillRecorded}


@dataclass(frozen=True)
class DayRecord:
    """The account's record before this run: what a run that never stopped would still know.

    :ivar day: the trading day the run starts on (engine clock).
    :ivar opening_equity: the account's total asset at the day's first mark by an earlier run
        (the daily-loss baseline), or None when no earlier run marked this day.
    :ivar events: today's recorded order intents, cancel requests, fills and trading-state changes
        of earlier runs, in the order they were recorded (events with their original ``run_id``,
        ``seq`` and ``ts``).
    :ivar fills: every fill earlier runs recorded on this account, de-duplicated by trade id, oldest
        first (per-strategy holdings and holding days are rebuilt from them).
    :ivar strategy_states: each strategy's last saved ``ctx.state``.
    """

    day: dt.date
    opening_equity: Decimal | None = None
    events: tuple[Event, ...] = ()
    fills: tuple[Fill, ...] = ()
    strategy_states: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def runs_today(self) -> bool:
        """True when an earlier run recorded anything today."""
        return self.opening_equity is not None or bool(self.events)


def continues_the_account(config) -> bool:
    """Does this run continue an account earlier runs traded on, on the real clock?"""
    if config.mode == "live":
        return True
    return config.mode == "paper" and config.paper.account_db is not None and config.paper.feed == "xtdata"


def read_day_record(audit_path: Path, mode: str, run_id: str, now: dt.datetime) -> DayRecord:
    """Read what earlier runs of ``mode`` recorded (read-only); today is ``now``'s date."""
    day = now.date()
    if not Path(audit_path).exists():
        return DayRecord(day)
    from ..audit import open_audit_db

    db = open_audit_db(audit_path, read_only=True)
    try:
        earlier = "SELECT run_id FROM runs WHERE mode = :mode AND run_id != :run"
        order = "(SELECT rowid FROM runs r WHERE r.run_id = t.run_id), t.seq"
        params = {"mode": mode, "run": run_id, "day": day.isoformat(), "now": now.isoformat(timespec="microseconds")}
        today = "t.run_id IN ({}) AND substr(t.ts, 1, 10) = :day AND t.ts <= :now".format(earlier)
        mark = next(db.query(
            f"SELECT total_asset, pnl_today FROM equity_marks t WHERE {today} ORDER BY {order} LIMIT 1", params), None)
        events: list[tuple[int, int, Event]] = []
        for table, event_type in _TODAY_TABLES.items():
            for row in db.query(f"SELECT t.*, (SELECT rowid FROM runs r WHERE r.run_id = t.run_id) AS run_order "
                                f"FROM {table} t WHERE {today}", params):
                events.append((row.pop("run_order"), row["seq"], _event(event_type, row)))
        fills, seen = [], set()
        for row in db.query(f"SELECT t.* FROM fills t WHERE t.run_id IN ({earlier}) AND t.ts <= :now "
                            f"ORDER BY {order}", params):
            if row["trade_id"] not in seen:
                seen.add(row["trade_id"])
                fills.append(_fill(row))
        states = {}
        for row in db.query(f"SELECT t.strategy, t.state FROM strategy_states t WHERE t.run_id IN ({earlier}) "
                            f"ORDER BY {order}", params):
            states[row["strategy"]] = json.loads(row["state"])
    finally:
        db.close()
    opening = None
    if mark is not None and mark["total_asset"] is not None:
        opening = Decimal(mark["total_asset"]) - Decimal(mark["pnl_today"] or 0)
    events.sort(key=lambda item: (item[0], item[1]))
    return DayRecord(day, opening, tuple(e for _, _, e in events), tuple(fills), states)


def _event(event_type: type[Event], row: dict) -> Event:
    names = event_type.__dataclass_fields__
    values = {k: v for k, v in row.items() if k in names}
    if "external" in values:
        values["external"] = bool(values["external"])
    return event_type(**values)


def _fill(row: dict) -> Fill:
    ts = dt.datetime.fromisoformat(row["ts"])
    return Fill(trade_id=row["trade_id"], client_order_id=row["client_order_id"] or "", order_id=row["order_id"],
                strategy=row["strategy"] or "", code=row["code"], side=Side(row["side"]),
                price=Decimal(row["price"]), volume=int(row["volume"]), amount=Decimal(row["amount"]),
                commission=Decimal(row["commission"] or 0), time=ts)
