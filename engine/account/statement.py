"""The daily statement: orders, fills, fees and P&L per strategy for one trading day, from the ledger."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Sequence

from ..models import Order
from ..models.money import ZERO, round_cents
from ..results.pnl import day_pnl  # the one definition of a day's P&L (strategies: StrategyBook, the same)
from .ledger import AccountLedger


def build_daily_statement(ledger: AccountLedger, orders: Sequence[Order], day: dt.date) -> dict[str, Any]:
    """A JSON-friendly statement of ``day``, per strategy and for the account, from the ledger and
    the ``orders`` created that day."""
    fills = ledger.fills_of_day(day)
    strategies = sorted({o.strategy for o in orders} | {f.strategy for f in fills} | set(ledger.strategies()))
    per_strategy = {}
    for name in strategies:
        own_orders = [o for o in orders if o.strategy == name]
        own_fills = [f for f in fills if f.strategy == name]
        per_strategy[name] = {
            "orders": len(own_orders),
            "final_statuses": dict(Counter(o.status.label for o in own_orders)),
            "fills": len(own_fills),
            "bought": str(round_cents(sum((f.amount for f in own_fills if f.side.value == "buy"), ZERO))),
            "sold": str(round_cents(sum((f.amount for f in own_fills if f.side.value == "sell"), ZERO))),
            "fees": str(round_cents(sum((f.commission for f in own_fills), ZERO))),
            "pnl": str(round_cents(ledger.strategy_pnl(name))),
        }
    account = ledger.account
    return {
        "day": day.isoformat(),
        "account": {
            "cash": str(round_cents(account.cash)), "frozen_cash": str(round_cents(account.frozen_cash)),
            "market_value": str(round_cents(account.market_value)), "total_asset": str(round_cents(account.total_asset)),
            "pnl": str(round_cents(day_pnl(ledger.day_start_equity, account.total_asset))),
            "fees": str(round_cents(sum((f.commission for f in fills), ZERO))),
            "orders": len(orders), "fills": len(fills),
        },
        "strategies": per_strategy,
        "positions": {code: {"volume": p.volume, "can_use_volume": p.can_use_volume, "avg_price": str(p.avg_price),
                             "last_price": p.last_price, "pnl": str(round_cents(p.pnl))}
                      for code, p in sorted(ledger.positions.items()) if p.volume},
    }


def statement_markdown(statement: dict[str, Any]) -> str:
    """The statement as a readable report."""
    account = statement["account"]
    lines = [f"# Daily statement {statement['day']}", "",
             f"Total asset {account['total_asset']} CNY (cash {account['cash']}, frozen {account['frozen_cash']}, "
             f"market value {account['market_value']}); P&L today {account['pnl']}; fees {account['fees']}; "
             f"{account['orders']} orders, {account['fills']} fills.", "",
             "| strategy | orders | fills | bought | sold | fees | P&L | final statuses |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, row in statement["strategies"].items():
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(row["final_statuses"].items()))
        lines.append(f"| {name} | {row['orders']} | {row['fills']} | {row['bought']} | {row['sold']} | "
                     f"{row['fees']} | {row['pnl']} | {statuses} |")
    lines += ["", "| code | volume | sellable | cost | last | P&L |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for code, p in statement["positions"].items():
        lines.append(f"| {code} | {p['volume']} | {p['can_use_volume']} | {p['avg_price']} | {p['last_price']} | {p['pnl']} |")
    return "\n".join(lines) + "\n"


__all__ = ["build_daily_statement", "statement_markdown"]
