"""Build a planner :class:`~engine.execution.book.Book` from a strategy context's public views.

Positions (volume, T+1 sellable volume), the account's open orders (counted as
pending volume, so a plan does not repeat them), last prices, and the instrument
details' limit prices and suspension status (``UpStopPrice``, ``DownStopPrice``,
``InstrumentStatus`` / ``IsTrading`` as xtdata reports them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Iterable, Mapping

from ..models.enums import Side
from ..instruments import price_tick
from ..models.money import ZERO, round_to_tick, to_decimal
from ..sim.config import FeeProfile
from .book import Book, Holding, Quote

if TYPE_CHECKING:
    from ..context import StrategyContext

__all__ = ["book_from_context", "quote_from_detail"]


def _limit(detail: Mapping, key: str, tick: Decimal) -> Decimal | None:
    value = detail.get(key) or 0
    return round_to_tick(float(value), tick) if value and float(value) > 0 else None


def quote_from_detail(code: str, price: float | Decimal | None, detail: Mapping | None) -> Quote:
    """A :class:`Quote` from a price and an xtdata instrument detail (None: no limits known, not suspended)."""
    detail = detail or {}
    tick = price_tick(code)
    suspended = bool(detail.get("InstrumentStatus") or 0) or detail.get("IsTrading") is False
    return Quote(price=None if price is None or price <= 0 else to_decimal(price),
                 limit_up=_limit(detail, "UpStopPrice", tick), limit_down=_limit(detail, "DownStopPrice", tick),
                 suspended=suspended)


def book_from_context(ctx: StrategyContext, codes: Iterable[str], *, fees: FeeProfile,
                      slack: Decimal = ZERO, prices: Mapping[str, float | Decimal] | None = None) -> Book:
    """The book for ``codes`` plus every code the account holds.

    :param prices: use these prices (e.g. this bar's closes); a code missing from them has no price.
        None: the context's last prices.
    """
    wanted = set(codes) | set(ctx.positions)
    pending: dict[str, int] = {}
    for order in ctx.open_orders(all_strategies=True):
        sign = 1 if order.side is Side.BUY else -1
        pending[order.code] = pending.get(order.code, 0) + sign * order.remaining
        wanted.add(order.code)
    holdings, quotes = {}, {}
    for code in sorted(wanted):
        position = ctx.position(code)
        if position.volume or pending.get(code):
            holdings[code] = Holding(position.volume, position.can_use_volume, pending.get(code, 0))
        price = (prices.get(code) if prices is not None else ctx.last_price(code))
        quotes[code] = quote_from_detail(code, price, ctx.instrument(code))
    account = ctx.account
    return Book(cash=account.cash, total_asset=account.total_asset, holdings=holdings, quotes=quotes,
                fees=fees, slack=to_decimal(slack))
