"""The account at one moment as an :class:`~engine.events.EquityMarked` event (amounts rounded to cents)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING

from ..events import EquityMarked
from ..models.money import round_cents

if TYPE_CHECKING:
    from .engine import Engine

__all__ = ["equity_mark"]


def _price_text(price: float) -> str | None:
    return str(Decimal(repr(price))) if price else None


def equity_mark(engine: Engine, kind: str) -> EquityMarked:
    """Cash, total asset, P&L today, every held position and each strategy's P&L today, from engine state."""
    account, prices = engine.portfolio.account, engine.portfolio.last_prices
    held = {code: {"volume": p.volume, "price": _price_text(p.last_price), "name": p.name,
                   "can_use_volume": p.can_use_volume, "avg_price": str(p.avg_price),
                   "holding_days": p.holding_days, "market_value": str(round_cents(p.market_value)),
                   "pnl": str(round_cents(p.pnl)), "pnl_pct": round(p.pnl_pct, 2)}
            for code, p in sorted(engine.portfolio.positions.items()) if p.volume}
    strategies = {name: str(round_cents(engine.strategy_book.daily_pnl(name, prices)))
                  for name in engine.strategy_book.strategies()}
    # JSON text rather than dicts: every field is then a plain value, the audit's fast row path
    return EquityMarked(kind=kind, cash=str(round_cents(account.cash)),
                        frozen_cash=str(round_cents(account.frozen_cash)),
                        market_value=str(round_cents(account.market_value)),
                        total_asset=str(round_cents(account.total_asset)),
                        pnl_today=str(round_cents(account.total_asset - engine.day_start_equity)),
                        positions=json.dumps(held, separators=(",", ":"), ensure_ascii=False),
                        strategies=json.dumps(strategies, separators=(",", ":"), ensure_ascii=False))
