"""A day's statement from the audit data alone: orders by final status, fills, fees, turnover, P&L.

Realised P&L uses the average-cost method per (scope, strategy, code), over
every distinct execution (``fill_facts.is_repeat = 0``) of the scope up to and
including the day, in write order:

* a buy adds its volume, and its amount plus commission to the cost;
* a sell takes ``volume x average cost`` out of the cost; its realised P&L is
  ``amount - commission - that cost``. Volume sold beyond what the audit saw
  bought (a position older than the file) has no known cost: it is reported as
  ``unmatched_sell_volume`` and its proceeds are left out of the P&L.

Only the day's sells count towards the day's realised P&L; earlier fills build the cost.

The day's **P&L** (``pnl``, for the account and per strategy) is the one
definition of :mod:`engine.results.pnl`: mark-to-market, fees included, from the
``equity_marks`` of the scope (:mod:`engine.audit.statement_pnl`). It is what the
engine's own post-close statement reports; ``realised_pnl`` is only the part
realised by the day's sells, at average cost.
Amounts are exact ``Decimal`` sums, shown as strings rounded half-up to 0.01.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlite_utils import Database

from .errors import AuditRunNotFoundError
from .statement_pnl import day_pnl_by_scope

_CENT = Decimal("0.01")
_ZERO = Decimal("0")
NO_STATUS = "no broker status"


@dataclass
class _Book:
    """One (scope, strategy, code) holding at average cost, and the day's totals."""

    volume: int = 0
    cost: Decimal = _ZERO

    def buy(self, volume: int, amount: Decimal, fees: Decimal) -> None:
        self.volume += volume
        self.cost += amount + fees

    def sell(self, volume: int, amount: Decimal, fees: Decimal) -> tuple[Decimal, int]:
        """Take ``volume`` out at average cost; return (realised P&L, unmatched volume)."""
        matched = min(volume, self.volume)
        if matched <= 0:
            return _ZERO, volume
        cost = self.cost * matched / self.volume
        self.volume -= matched
        self.cost -= cost
        proceeds = (amount - fees) * matched / volume
        return proceeds - cost, volume - matched


def check_day(day: str) -> str:
    """``day`` if it is a ``YYYY-MM-DD`` date.

    :raises ValueError: naming the bad value.
    """
    try:
        if len(day) != 10:
            raise ValueError
        dt.date.fromisoformat(day)
    except (TypeError, ValueError):
        raise ValueError(f"day must be a date as YYYY-MM-DD, got {day!r}") from None
    return day


def day_statement(db: Database, day: str | None = None, run_id: str | None = None) -> dict[str, Any]:
    """The statement of one trading day (default: the latest day with orders or fills).

    ``run_id`` limits it to one run's orders and fills (its earlier fills in the
    same scope still give the cost of what it sells). Keys: ``day, run_id,
    orders`` (count), ``orders_by_status`` (final status label -> count),
    ``denials, fills, filled_volume, turnover, fees, realised_pnl,
    unmatched_sell_volume``, ``pnl`` (the day's mark-to-market P&L of the
    account, ``None`` without equity marks) and ``strategies``: one dict per
    (scope, strategy) with ``scope, strategy, orders, fills, buy_volume,
    buy_amount, sell_volume, sell_amount, fees, realised_pnl,
    unmatched_sell_volume, pnl``.

    :raises ValueError: ``day`` is not ``YYYY-MM-DD``.
    :raises AuditRunNotFoundError: no run ``run_id``.
    """
    if run_id is not None and db.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchone() is None:
        raise AuditRunNotFoundError(f"audit: no run {run_id!r} in this database")
    day = check_day(day) if day is not None else _latest_day(db, run_id)
    statement: dict[str, Any] = {"day": day, "run_id": run_id}
    orders = _orders(db, day, run_id) if day else []
    statement["orders"] = len(orders)
    statement["orders_by_status"] = dict(Counter(o["status_label"] or NO_STATUS for o in orders))
    statement["denials"] = _count_denials(db, day, run_id) if day else 0
    strategies = _strategy_rows(db, day, run_id, orders) if day else []
    statement.update(_totals(strategies))
    statement["pnl"] = _add_pnl(db, day, run_id, strategies) if day else None
    statement["strategies"] = [_shown(row) for row in strategies]
    return statement


def _add_pnl(db: Database, day: str, run_id: str | None, rows: list[dict[str, Any]]) -> str | None:
    """Each row's mark-to-market ``pnl`` (None without marks); returns the account's, summed over scopes."""
    scopes = sorted({row["scope"] for row in rows})
    if run_id is not None:
        scope = db.execute("SELECT scope FROM run_scopes WHERE run_id = ?", [run_id]).fetchone()[0]
        scopes = sorted(set(scopes) | {scope})
    by_scope = day_pnl_by_scope(db, day, scopes)
    for row in rows:
        pnl = by_scope[row["scope"]]["strategies"].get(row["strategy"])
        row["pnl"] = pnl if pnl is not None or by_scope[row["scope"]]["account"] is None else _ZERO
    accounts = [v["account"] for v in by_scope.values() if v["account"] is not None]
    return _money(sum(accounts, _ZERO)) if accounts else None


def _latest_day(db: Database, run_id: str | None) -> str | None:
    sql = """
SELECT MAX(day) FROM (
    SELECT substr(ts, 1, 10) AS day, run_id FROM order_intents
    UNION ALL SELECT substr(ts, 1, 10), run_id FROM fills
    UNION ALL SELECT substr(ts, 1, 10), run_id FROM order_denials
) WHERE (:run_id IS NULL OR run_id = :run_id)"""
    return db.execute(sql, {"run_id": run_id}).fetchone()[0]


def _orders(db: Database, day: str, run_id: str | None) -> list[dict[str, Any]]:
    """The day's order intents with the latest status the scope recorded for each."""
    sql = """
WITH latest AS (
    SELECT s.scope, u.client_order_id, u.status_label,
           ROW_NUMBER() OVER (PARTITION BY s.scope, u.client_order_id ORDER BY s.run_order DESC, u.seq DESC) AS newest
    FROM order_updates u JOIN run_scopes s ON s.run_id = u.run_id
)
SELECT s.scope, i.strategy, i.client_order_id, l.status_label
FROM order_intents i JOIN run_scopes s ON s.run_id = i.run_id
LEFT JOIN latest l ON l.scope = s.scope AND l.client_order_id = i.client_order_id AND l.newest = 1
WHERE substr(i.ts, 1, 10) = :day AND (:run_id IS NULL OR i.run_id = :run_id)
ORDER BY s.run_order, i.seq"""
    return list(db.query(sql, {"day": day, "run_id": run_id}))


def _count_denials(db: Database, day: str, run_id: str | None) -> int:
    sql = ("SELECT COUNT(*) FROM order_denials WHERE substr(ts, 1, 10) = :day "
           "AND (:run_id IS NULL OR run_id = :run_id)")
    return db.execute(sql, {"day": day, "run_id": run_id}).fetchone()[0]


def _strategy_rows(db: Database, day: str, run_id: str | None, orders: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (scope, strategy): the day's orders, fills, volumes, amounts, fees and realised P&L."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row_for(scope: str, strategy: str | None) -> dict[str, Any]:
        key = (scope, strategy or "")
        if key not in rows:
            rows[key] = {"scope": scope, "strategy": strategy or "", "orders": 0, "fills": 0, "buy_volume": 0,
                         "buy_amount": _ZERO, "sell_volume": 0, "sell_amount": _ZERO, "fees": _ZERO,
                         "realised_pnl": _ZERO, "unmatched_sell_volume": 0}
        return rows[key]

    for order in orders:
        row_for(order["scope"], order["strategy"])["orders"] += 1
    books: dict[tuple[str, str, str], _Book] = {}
    for fill in _fills_up_to(db, day, run_id):
        book = books.setdefault((fill["scope"], fill["strategy"] or "", fill["code"] or ""), _Book())
        volume, amount, fees = fill["volume"] or 0, _dec(fill["amount"]), _dec(fill["commission"])
        counted = fill["trading_day"] == day and (run_id is None or fill["run_id"] == run_id)
        if fill["side"] == "sell":
            pnl, unmatched = book.sell(volume, amount, fees)
        else:
            book.buy(volume, amount, fees)
            pnl, unmatched = _ZERO, 0
        if counted:
            _add_fill(row_for(fill["scope"], fill["strategy"]), fill["side"], volume, amount, fees, pnl, unmatched)
    return list(rows.values())


def _fills_up_to(db: Database, day: str, run_id: str | None):
    """Distinct executions of the relevant scopes up to ``day``, in write order."""
    sql = """
SELECT run_id, scope, strategy, code, side, volume, amount, commission, trading_day FROM fill_facts
WHERE is_repeat = 0 AND trading_day <= :day
  AND (:run_id IS NULL OR scope = (SELECT scope FROM run_scopes WHERE run_id = :run_id))
ORDER BY run_order, seq"""
    return db.query(sql, {"day": day, "run_id": run_id})


def _add_fill(row: dict[str, Any], side: str, volume: int, amount: Decimal, fees: Decimal,
              pnl: Decimal, unmatched: int) -> None:
    row["fills"] += 1
    row["fees"] += fees
    if side == "sell":
        row["sell_volume"] += volume
        row["sell_amount"] += amount
        row["realised_pnl"] += pnl
        row["unmatched_sell_volume"] += unmatched
    else:
        row["buy_volume"] += volume
        row["buy_amount"] += amount


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "fills": sum(r["fills"] for r in rows),
        "filled_volume": sum(r["buy_volume"] + r["sell_volume"] for r in rows),
        "turnover": _money(sum((r["buy_amount"] + r["sell_amount"] for r in rows), _ZERO)),
        "fees": _money(sum((r["fees"] for r in rows), _ZERO)),
        "realised_pnl": _money(sum((r["realised_pnl"] for r in rows), _ZERO)),
        "unmatched_sell_volume": sum(r["unmatched_sell_volume"] for r in rows),
    }


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    return {key: _money(value) if isinstance(value, Decimal) else value for key, value in row.items()}  # pnl None stays None


def _money(value: Decimal) -> str:
    return str(value.quantize(_CENT, ROUND_HALF_UP))


def _dec(value: Any) -> Decimal:
    return _ZERO if value in (None, "") else Decimal(str(value))
