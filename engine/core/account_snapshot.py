"""The account at one moment as an :class:`~engine.events.AccountSnapshot` event (amounts rounded to cents)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..events import AccountSnapshot
from ..models.money import round_cents

if TYPE_CHECKING:
    from .engine import Engine


def account_snapshot(engine: Engine) -> AccountSnapshot:
    """Cash, total asset, P&L today, every held position and each strategy's P&L today, from engine state."""
    account, prices = engine.portfolio.account, engine.portfolio.last_prices
    positions = [{"code": code, "name": p.name, "volume": p.volume, "can_use_volume": p.can_use_volume,
                  "avg_price": str(p.avg_price), "last_price": p.last_price, "holding_days": p.holding_days,
                  "market_value": str(round_cents(p.market_value)), "pnl": str(round_cents(p.pnl)),
                  "pnl_pct": round(p.pnl_pct, 2)}
                 for code, p in sorted(engine.portfolio.positions.items()) if p.volume]
    strategies = {name: str(round_cents(engine.strategy_book.daily_pnl(name, prices)))
                  for name in engine.strategy_book.strategies()}
    return AccountSnapshot(cash=str(round_cents(account.cash)), frozen_cash=str(round_cents(account.frozen_cash)),
                           market_value=str(round_cents(account.market_value)),
                           total_asset=str(round_cents(account.total_asset)),
                           pnl_today=str(round_cents(account.total_asset - engine.day_start_equity)),
                           positions=positions, strategies=strategies)
