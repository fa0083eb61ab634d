"""Positions and today's P&L per strategy, built from the strategy's own fills.

The broker knows one account; the engine knows which strategy placed which
order. This book keeps, per (strategy, code), the net volume, the average cost
and a reference price for today's P&L:

* at the start of a day every holding's reference is its last price (the
  previous close), so yesterday's gains are not counted again;
* a buy moves the reference to the volume-weighted mix of the old reference
  and the fill price (plus the fill's fees);
* a sell realises ``(price - reference) x volume - fees`` into today's P&L.

``daily_pnl`` = realised today + ``volume x (last - reference)`` of what is
held. Money is Decimal; prices from market data are converted exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import Fill, Side
from ..models.money import ZERO, to_decimal


@dataclass
class StrategyHolding:
    volume: int = 0
    cost: Decimal = ZERO  # total cost of what is held, fees included
    reference: Decimal = ZERO  # price today's P&L is measured from

    @property
    def avg_price(self) -> Decimal:
        return self.cost / self.volume if self.volume else ZERO


class StrategyBook:
    def __init__(self) -> None:
        self.holdings: dict[str, dict[str, StrategyHolding]] = {}
        self.realised_today: dict[str, Decimal] = {}

    def holding(self, strategy: str, code: str) -> StrategyHolding:
        return self.holdings.get(strategy, {}).get(code) or StrategyHolding()

    def apply_fill(self, fill: Fill) -> None:
        book = self.holdings.setdefault(fill.strategy, {})
        held = book.setdefault(fill.code, StrategyHolding())
        if fill.side is Side.BUY:
            new_volume = held.volume + fill.volume
            held.reference = (held.reference * held.volume + fill.price * fill.volume + fill.commission) / new_volume
            held.cost += fill.amount + fill.commission
            held.volume = new_volume
            return
        sold = min(fill.volume, held.volume)
        realised = (fill.price - held.reference) * sold - fill.commission
        self.realised_today[fill.strategy] = self.realised_today.get(fill.strategy, ZERO) + realised
        if held.volume:
            held.cost -= held.avg_price * sold
        held.volume -= sold
        if held.volume == 0:
            del book[fill.code]

    def position_value(self, strategy: str, last_prices: dict[str, float], code: str | None = None) -> Decimal:
        """Market value of the strategy's holdings (one code, or all), at the last prices."""
        total = ZERO
        for held_code, held in self.holdings.get(strategy, {}).items():
            if code is None or held_code == code:
                price = last_prices.get(held_code)
                total += (to_decimal(price) if price else held.reference) * held.volume
        return total

    def daily_pnl(self, strategy: str, last_prices: dict[str, float]) -> Decimal:
        """Realised today plus the move of what is held since its reference."""
        unrealised = ZERO
        for code, held in self.holdings.get(strategy, {}).items():
            price = last_prices.get(code)
            if price:
                unrealised += (to_decimal(price) - held.reference) * held.volume
        return self.realised_today.get(strategy, ZERO) + unrealised

    def roll_day(self, last_prices: dict[str, float]) -> None:
        """A new trading day: references move to the last prices; realised P&L starts from zero."""
        self.realised_today.clear()
        for book in self.holdings.values():
            for code, held in book.items():
                price = last_prices.get(code)
                if price:
                    held.reference = to_decimal(price)

    def strategies(self) -> list[str]:
        return sorted(set(self.holdings) | set(self.realised_today))
