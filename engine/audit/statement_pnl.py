"""A day's mark-to-market P&L from the audit: the account's and each strategy's, per scope.

The definition is :mod:`engine.results.pnl` (the one used by reports and by the
engine's own statement): the day's closing value minus the opening value plus
the day's sells minus its buys and fees. The values come from ``equity_marks``:

* the **opening** mark is the scope's last mark before the day (the previous
  close), or, on a scope's first day, its first mark of the day (a run's start);
* the **closing** mark is the scope's last mark of the day;
* a strategy's holdings come from the scope's executions (``fill_facts``, each
  once) up to each mark, valued at the prices the mark recorded.

A scope without marks that day (a file older than m006, or the ``results``
plugin disabled) has no P&L: ``None``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from ..results.pnl import StrategyLedger, day_pnl

__all__ = ["day_pnl_by_scope"]


def _marks(db: Database, scope: str, day: str) -> tuple[dict | None, dict | None]:
    """(opening mark, closing mark) of ``day`` in ``scope``; each a dict with position and prices."""
    if "equity_marks" not in db.table_names():
        return None, None
    sql = """
SELECT s.run_order, m.seq, substr(m.ts, 1, 10) AS day, m.total_asset, m.positions
FROM equity_marks m JOIN run_scopes s ON s.run_id = m.run_id
WHERE s.scope = :scope AND substr(m.ts, 1, 10) {op} :day
ORDER BY s.run_order {order}, m.seq {order} LIMIT 1"""
    before = next(db.query(sql.format(op="<", order="DESC"), {"scope": scope, "day": day}), None)
    closing = next(db.query(sql.format(op="=", order="DESC"), {"scope": scope, "day": day}), None)
    if closing is None:
        return None, None
    opening = before or next(db.query(sql.format(op="=", order="ASC"), {"scope": scope, "day": day}), None)
    return opening, closing


def _prices(mark: dict) -> dict[str, Decimal | None]:
    positions = json.loads(mark["positions"]) if mark["positions"] else {}
    return {code: Decimal(p["price"]) if p.get("price") else None for code, p in positions.items()}


def day_pnl_by_scope(db: Database, day: str, scopes: list[str]) -> dict[str, dict[str, Any]]:
    """``{scope: {"account": Decimal | None, "strategies": {name: Decimal}}}`` for ``day``."""
    out: dict[str, dict[str, Any]] = {}
    for scope in scopes:
        opening, closing = _marks(db, scope, day)
        if opening is None or closing is None:
            out[scope] = {"account": None, "strategies": {}}
            continue
        ledger = StrategyLedger()
        start, end = (opening["run_order"], opening["seq"]), (closing["run_order"], closing["seq"])
        fills = db.query("""
SELECT run_order, seq, strategy, code, side, price, volume, amount, commission FROM fill_facts
WHERE is_repeat = 0 AND scope = ? AND trading_day <= ? ORDER BY run_order, seq""", [scope, day])
        opened = False
        for fill in fills:
            key = (fill["run_order"], fill["seq"])
            if key > end:
                break
            if key > start and not opened:
                ledger.open_period(_prices(opening))
                opened = True
            ledger.apply(fill["strategy"] or "", fill["code"] or "", fill["side"] or "buy", int(fill["volume"] or 0),
                         Decimal(fill["price"] or "0"), Decimal(fill["amount"] or "0"),
                         Decimal(fill["commission"] or "0"), count=opened)
        if not opened:
            ledger.open_period(_prices(opening))
        strategies = {name: pnl for name, (pnl, _) in ledger.close_day(_prices(closing)).items()}
        out[scope] = {"account": day_pnl(Decimal(opening["total_asset"]), Decimal(closing["total_asset"])),
                      "strategies": strategies}
    return out
