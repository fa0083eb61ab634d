"""Matching our orders against the market: five-level ticks, auctions and bars.

Rules (documented in docs/simulator.md):

* **Arrival, continuous phase**: a marketable limit order takes the opposite
  levels priced at or better than its limit, up to each level's displayed volume
  (less what earlier orders took from the same tick); the rest rests.
* **Resting orders on a new continuous tick**: first the same book-crossing,
  then a *trade-through*: when the last price is strictly better than the
  order's limit, the order fills at its limit up to ``participation`` x the
  volume traded since the previous tick.
* **Auction ticks** (09:25-09:30 opening result, >= 15:00 closing result): a
  resting order whose limit reaches the last price fills at the last price, up
  to ``participation`` x the tick's traded volume. Ticks inside the call
  auctions (indicative) and the lunch break match nothing.
* **Market price types** (§7.2): 42/47 best five, rest cancelled; 46 immediate
  against every visible level, rest cancelled; 48 fill-or-kill; 43 best five,
  rest becomes a limit order at the last fill price (cancelled if nothing
  filled); 44 becomes a limit order at the best opposite price; 45 at the best
  own-side price (cancelled when that side is empty).
* **Bars**: see :func:`match_bar`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..models.money import round_to_tick
from ..xt import constants as xc
from .book import Book
from .ledger import SimOrder

__all__ = ["MatchResult", "bar_locked", "match_arrival", "match_auction", "match_bar", "match_resting"]

FIVE_LEVEL_TYPES = frozenset({xc.MARKET_SH_CONVERT_5_CANCEL, xc.MARKET_SZ_CONVERT_5_CANCEL,
                              xc.MARKET_SH_CONVERT_5_LIMIT})
IOC_TYPES = frozenset({xc.MARKET_SH_CONVERT_5_CANCEL, xc.MARKET_SZ_CONVERT_5_CANCEL,
                       xc.MARKET_SZ_INSTBUSI_RESTCANCEL})


@dataclass
class MatchResult:
    """Fills (price, shares) and what happens to the rest: rest at ``rest_price`` or cancel."""

    fills: list[tuple[Decimal, int]] = field(default_factory=list)
    cancel_rest: bool = False
    rest_price: Decimal | None = None

    @property
    def filled(self) -> int:
        return sum(q for _, q in self.fills)


def _side_key(order: SimOrder) -> str:
    return "ask" if order.is_buy else "bid"


def _crosses(order: SimOrder, level_price: Decimal, limit: Decimal | None) -> bool:
    if limit is None:
        return True
    return level_price <= limit if order.is_buy else level_price >= limit


def _take_levels(order: SimOrder, book: Book, limit: Decimal | None, want: int,
                 max_levels: int = 5, commit: bool = True) -> list[tuple[Decimal, int]]:
    fills: list[tuple[Decimal, int]] = []
    side = _side_key(order)
    for price, shown in book.side_levels(order.is_buy)[:max_levels]:
        if want <= 0 or not _crosses(order, price, limit):
            break
        qty = min(want, book.available(side, price, shown))
        if qty > 0:
            fills.append((price, qty))
            if commit:
                book.take(side, price, qty)
            want -= qty
    return fills


def match_arrival(order: SimOrder, book: Book | None) -> MatchResult:
    """Match a newly reported order in the continuous phase (mutates ``order.price`` for 43/44/45)."""
    pt, want = order.price_type, order.remaining
    if pt in xc.LIMIT_PRICE_TYPES:
        fills = _take_levels(order, book, order.price, want) if book else []
        return MatchResult(fills, rest_price=order.price)
    if book is None:
        return MatchResult(cancel_rest=True)
    if pt == xc.MARKET_SZ_FULL_OR_CANCEL:
        probe = _take_levels(order, book, None, want, commit=False)
        if sum(q for _, q in probe) < want:
            return MatchResult(cancel_rest=True)
        return MatchResult(_take_levels(order, book, None, want), cancel_rest=True)
    if pt in IOC_TYPES or pt == xc.MARKET_SH_CONVERT_5_LIMIT:
        levels = 5 if pt in FIVE_LEVEL_TYPES else 99
        fills = _take_levels(order, book, None, want, max_levels=levels)
        if pt in IOC_TYPES or not fills:
            return MatchResult(fills, cancel_rest=True)
        return MatchResult(fills, rest_price=fills[-1][0])
    own_side = pt == xc.MARKET_MINE_PRICE_FIRST
    best = book.best(asks=order.is_buy != own_side)
    if best is None:
        return MatchResult(cancel_rest=True)
    fills = _take_levels(order, book, best, want, max_levels=1) if not own_side else []
    return MatchResult(fills, rest_price=best)


def match_resting(order: SimOrder, book: Book, participation: Decimal,
                  in_cage: bool = True) -> MatchResult:
    """Match a resting limit order against a new continuous-phase tick."""
    if not in_cage:
        return MatchResult(rest_price=order.price)
    fills = _take_levels(order, book, order.price, order.remaining)
    left = order.remaining - sum(q for _, q in fills)
    last = book.last
    through = last is not None and (last < order.price if order.is_buy else last > order.price)
    if left > 0 and through:
        qty = min(left, book.traded_available(participation))
        if qty > 0:
            book.used_traded += qty
            fills.append((order.price, qty))
    return MatchResult(fills, rest_price=order.price)


def match_auction(order: SimOrder, book: Book, participation: Decimal) -> MatchResult:
    """Match a resting limit order against an auction result tick (fills at the last price)."""
    last = book.last
    if last is None or not _crosses(order, last, order.price):
        return MatchResult(rest_price=order.price)
    qty = min(order.remaining, book.traded_available(participation))
    if qty <= 0:
        return MatchResult(rest_price=order.price)
    book.used_traded += qty
    return MatchResult([(last, qty)], rest_price=order.price)


def _slipped(price: Decimal, is_buy: bool, bps: Decimal, tick: Decimal) -> Decimal:
    factor = (1 + bps / Decimal(10000)) if is_buy else (1 - bps / Decimal(10000))
    return round_to_tick(price * factor, tick)


def bar_locked(bar: dict, is_buy: bool, up: Decimal | None, down: Decimal | None) -> bool:
    """True when the whole bar traded at the limit price that blocks this side."""
    if is_buy:
        return up is not None and bool(bar) and Decimal(repr(float(bar["low"]))) >= up
    return down is not None and bool(bar) and Decimal(repr(float(bar["high"]))) <= down


def match_bar(order: SimOrder, book: Book, fill_rule: str, slippage_bps: Decimal,
              participation: Decimal, tick: Decimal, up: Decimal | None,
              down: Decimal | None) -> MatchResult:
    """Fill an order that was resting when this bar was published.

    ``next_open``: at the bar's open (plus slippage, never beyond the limit or the
    daily limits) when the open is marketable; otherwise at the limit when the bar's
    range reaches it. ``close``: at the close when marketable. Fill volume is capped
    at ``participation`` x the bar volume. Market orders fill at the rule's price;
    their rest is cancelled (42/46/47/48 - 48 only when fully fillable) or rests at
    the fill price (43/44/45).

    A bar locked at a daily limit fills nothing on the locked side: no buy on a bar
    whose low is at the limit-up price (一字涨停: open = high = low = close = limit up,
    the sellers' queue is empty), no sell on a bar whose high is at limit-down.
    """
    bar = book.bar or {}
    if bar_locked(bar, order.is_buy, up, down):
        return MatchResult(rest_price=order.price) if order.price_type in xc.LIMIT_PRICE_TYPES \
            else MatchResult(cancel_rest=True)
    ref = Decimal(repr(float(bar["open" if fill_rule == "next_open" else "close"])))
    limit = order.price if order.price_type in xc.LIMIT_PRICE_TYPES else None
    price: Decimal | None = None
    if limit is None or _crosses(order, ref, limit):
        price = _slipped(ref, order.is_buy, slippage_bps, tick)
        if limit is not None:
            price = min(price, limit) if order.is_buy else max(price, limit)
    elif fill_rule == "next_open":
        reach = Decimal(repr(float(bar["low" if order.is_buy else "high"])))
        if _crosses(order, reach, limit):
            price = limit
    if price is not None:
        price = min(price, up) if up is not None else price
        price = max(price, down) if down is not None else price
    cap = book.traded_available(participation)
    qty = min(order.remaining, cap) if price is not None else 0
    if order.price_type == xc.MARKET_SZ_FULL_OR_CANCEL and qty < order.remaining:
        return MatchResult(cancel_rest=True)
    if qty > 0:
        book.used_traded += qty
    fills = [(price, qty)] if qty > 0 else []
    if limit is not None:
        return MatchResult(fills, rest_price=limit)
    if order.price_type in IOC_TYPES or order.price_type == xc.MARKET_SZ_FULL_OR_CANCEL or not fills:
        return MatchResult(fills, cancel_rest=True)
    return MatchResult(fills, rest_price=fills[-1][0])
