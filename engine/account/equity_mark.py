"""The account at one moment as an :class:`~engine.events.EquityMarked` event (amounts rounded to cents)."""

from __future__ import annotations

import json
from decimal import Decimal
from ..events import EquityMarked
from ..models.money import round_cents
from .ledger import AccountLedger

__all__ = ["equity_mark"]


def _price_text(price: float) -> str | None:
    return str(Decimal(repr(price))) if price else None


def equity_mark(ledger: AccountLedger, kind: str) -> EquityMarked:
    """Cash, total asset, P&L today, every held position and each strategy's P&L today, from the ledger."""
    account = ledger.account
    held = {code: {"volume": p.volume, "price": _price_text(p.last_price), "name": p.name,
                   "can_use_volume": p.can_use_volume, "avg_price": str(p.avg_price),
                   "holding_days": p.holding_days, "market_value": str(round_cents(p.market_value)),
                   "pnl": str(round_cents(p.pnl)), "pnl_pct": round(p.pnl_pct, 2)}
            for code, p in sorted(ledger.positions.items()) if p.volume}
    strategies = {name: str(round_cents(ledger.strategy_pnl(name))) for name in ledger.strategies()}
    # JSON text rather than dicts: every field is then a plain value, the audit's fast row path
    return EquityMarked(kind=kind, cash=str(round_cents(account.cash)),
                        frozen_cash=str(round_cents(account.frozen_cash)),
                        market_value=str(round_cents(account.market_value)),
                        total_asset=str(round_cents(account.total_asset)),
                        pnl_today=str(round_cents(ledger.pnl_today)),
                        positions=json.dumps(held, separators=(",", ":"), ensure_ascii=False),
                        strategies=json.dumps(strategies, separators=(",", ":"), ensure_ascii=False))
