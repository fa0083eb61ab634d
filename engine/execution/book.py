"""What a planner knows about the account and the market: plain, frozen values.

The planner (:mod:`.planner`) is a pure function of a :class:`Book`; the context
builds one from its public views (:func:`engine.execution.inputs.book_from_context`),
and tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping

from ..instruments import Instrument, board_of, kind_from_prefix, price_tick
from ..models.money import ZERO, round_to_tick
from ..sim.config import FeeProfile
from ..sim.fees import fees_for_amount

__all__ = ["Book", "Holding", "Quote", "order_fees"]


@dataclass(frozen=True)
class Quote:
    """One code now: its price, today's limit prices (None: no limit) and whether it is suspended."""

    price: Decimal | None
    limit_up: Decimal | None = None
    limit_down: Decimal | None = None
    suspended: bool = False

    @property
    def at_limit_up(self) -> bool:
        return self.price is not None and self.limit_up is not None and self.price >= self.limit_up

    @property
    def at_limit_down(self) -> bool:
        return self.price is not None and self.limit_down is not None and self.price <= self.limit_down


@dataclass(frozen=True)
class Holding:
    """One position: ``volume`` held, ``sellable`` today (T+1), ``pending`` = open buys minus open sells."""

    volume: int = 0
    sellable: int = 0
    pending: int = 0

    @property
    def effective(self) -> int:
        """The volume once the open orders have filled."""
        return self.volume + self.pending


@dataclass(frozen=True)
class Book:
    """The inputs of one plan.

    :ivar cash: usable cash now.
    :ivar total_asset: cash + frozen cash + market value (what weights are fractions of).
    :ivar holdings: by code; a code missing is not held.
    :ivar quotes: by code; a code missing has no price (it is skipped with that reason).
    :ivar fees: the broker's fee profile (fees are reserved from the cash a buy may use).
    :ivar slack: limit prices this fraction through the price (buys above, sells below), capped by the limits.
    """

    cash: Decimal
    total_asset: Decimal
    holdings: Mapping[str, Holding] = field(default_factory=dict)
    quotes: Mapping[str, Quote] = field(default_factory=dict)
    fees: FeeProfile = field(default_factory=FeeProfile)
    slack: Decimal = ZERO

    def holding(self, code: str) -> Holding:
        return self.holdings.get(code) or Holding()

    def limit_price(self, code: str, buy: bool) -> Decimal:
        """The limit price of a buy or sell of ``code``: ``slack`` through the price, within today's limits."""
        quote = self.quotes[code]
        tick = price_tick(code)
        price = quote.price * (1 + self.slack) if buy else quote.price * (1 - self.slack)
        if buy and quote.limit_up is not None:
            price = min(price, quote.limit_up)
        if not buy and quote.limit_down is not None:
            price = max(price, quote.limit_down)
        return max(round_to_tick(price, tick), tick)


def _instrument(code: str) -> Instrument:
    kind = kind_from_prefix(code) or "stock"
    return Instrument(code=code, kind=kind, board=board_of(code, kind))


def order_fees(profile: FeeProfile, code: str, sell: bool, amount: Decimal) -> Decimal:
    """The fees of one order of ``amount`` CNY (commission with its minimum, stamp duty on sells, transfer fee)."""
    return fees_for_amount(profile, _instrument(code), sell, amount).total
