"""The account and positions as MiniQMT users expect to see them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import ZERO


@dataclass(slots=True)
class Position:
    """One holding. ``can_use_volume`` is the T+1 sellable volume; ``avg_price`` is the cost price."""

    code: str
    volume: int = 0
    can_use_volume: int = 0
    frozen_volume: int = 0
    avg_price: Decimal = ZERO
    last_price: float = 0.0
    name: str = ""
    holding_days: int = 0

    @property
    def market_value(self) -> Decimal:
        return Decimal(repr(self.last_price)) * self.volume if self.last_price else ZERO

    @property
    def cost(self) -> Decimal:
        return self.avg_price * self.volume

    @property
    def pnl(self) -> Decimal:
        """Floating P&L against cost, in CNY."""
        return self.market_value - self.cost if self.volume and self.last_price else ZERO

    @property
    def pnl_pct(self) -> float:
        """Floating P&L as a percentage of cost."""
        cost = self.cost
        return float(self.pnl / cost * 100) if cost else 0.0


@dataclass(slots=True)
class Account:
    """Cash as the counter reports it: ``cash`` is usable, ``frozen_cash`` is held for open buys."""

    account_id: str
    cash: Decimal = ZERO
    frozen_cash: Decimal = ZERO
    market_value: Decimal = ZERO
    floating_pnl: Decimal = ZERO

    @property
    def total_asset(self) -> Decimal:
        return self.cash + self.frozen_cash + self.market_value
