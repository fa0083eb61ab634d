"""Plugin ``risk_order``: one order by itself, before the counter sees it (``risk.order``).

Checks, in order (the first failure is the decision):

* ``tradable_code`` / ``lot_size``: buys in whole lots for the board (100; STAR
  200 then steps of 1; BSE 100 then 1; bonds 10); sells in whole lots unless the
  order takes the whole odd remainder (ashare_rules.md §2.1-2.2);
* ``sellable_volume``: a sell no larger than the T+1 sellable volume (off by default);
* ``exchange_max_volume``: the board's largest order (limit and market differ on STAR/ChiNext);
* ``max_order_volume`` and ``max_order_value``: the configured fat-finger caps;
* ``price_tick``: the limit price is a whole multiple of the price tick;
* ``price_limits``: within today's UpStopPrice / DownStopPrice;
* ``price_band``: within ``price_band_pct`` of the last price (pre-close before the first tick).

These apply to every order, sells that reduce a position included: they guard
against malformed and fat-finger orders, not against exposure.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from ...hookspecs import hookimpl
from ...instruments import BOND, BSE, BUY_LOT, INDEX, MAX_ORDER, STAR, UNTRADABLE, board_of, price_tick
from ...models import OrderRequest, RiskDecision, Side
from ...models.money import is_on_tick
from .decisions import DecimalMemo, Passed, allow, cny, deny, order_price
from .settings import OrderLimits

FAMILY = "order_limits"
BAND_DIGITS = Decimal("0.0001")
SELL_LOT_TEXT = "whole lots or the odd remainder"


def sell_lot_ok(board: str, volume: int, sellable: int) -> bool:
    """The exchange's odd-lot rule for a sell of ``volume`` with ``sellable`` shares available (§2.2)."""
    if board == STAR:
        return volume >= 200 or volume == sellable
    if board == BSE:
        return volume >= 100 or volume == sellable
    if board == BOND:
        return volume % 10 == 0 or volume == sellable
    return volume % 100 == 0 or volume % 100 == sellable % 100


def _instrument_price(detail: dict | None, key: str, code: str, memo: DecimalMemo) -> Decimal | None:
    """A positive price from ``code``'s instrument details (0 and missing mean unknown)."""
    value = (detail or {}).get(key)
    return memo.of(key, code, value) if value else None


class _CodeFacts(NamedTuple):
    """What the order rules need to know about a code that depends on the code alone (cached per code)."""

    board: str
    buy_minimum: int
    buy_step: int
    buy_lot_text: str
    max_limit_order: int
    max_market_order: int


def code_facts(code: str) -> _CodeFacts:
    """The board, buy lot and exchange maximum order sizes of ``code`` (raises InstrumentError for a bad code)."""
    board = board_of(code)
    minimum, step = BUY_LOT.get(board, (100, 100))  # = instruments.buy_lot(code)
    limit_max, market_max = MAX_ORDER.get(board, (1_000_000, 1_000_000))
    return _CodeFacts(board, minimum, step, f"min {minimum}, step {step}", limit_max, market_max)


class OrderRules:
    """Size, value, lot, tick and price checks on one order request.

    Everything that depends only on the code (board, lot, exchange maximum) is
    worked out once per code; the band's limit text once per run.
    """

    def __init__(self, settings: OrderLimits) -> None:
        self.settings = settings
        self._codes: dict[str, _CodeFacts] = {}
        self._decimals = DecimalMemo()
        band = settings.price_band_pct
        self._band_text = f"(band {band:.2%})" if band is not None else ""

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        s, code, volume = self.settings, request.code, request.volume
        facts = self._codes.get(code)
        if facts is None:
            facts = self._codes[code] = code_facts(code)
        board = facts.board
        if board in (INDEX, UNTRADABLE):
            return deny("tradable_code", f"{code} is not a tradable security (board {board})", code, "a tradable code")
        detail = ctx.instrument(code)
        passed: list[Passed] = []
        if s.check_lots:
            if request.side is Side.BUY:
                minimum, step, text = facts.buy_minimum, facts.buy_step, facts.buy_lot_text
                if volume < minimum or (volume - minimum) % step:
                    return deny("lot_size", f"a buy of {code} must be at least {minimum} shares in steps of {step}; "
                                            f"got {volume}", volume, text)
                passed.append(("lot_size", f"buy volume {volume} is whole lots ({text})", volume, text))
            else:
                sellable = ctx.position(code).can_use_volume
                if not sell_lot_ok(board, volume, sellable):
                    return deny("lot_size", f"a sell of {volume} {code} is not whole lots and does not take the whole "
                                            f"odd remainder of the {sellable} sellable shares", volume, SELL_LOT_TEXT)
                passed.append(("lot_size", f"sell volume {volume} is valid for {sellable} sellable shares", volume,
                               SELL_LOT_TEXT))
        if s.check_sellable and request.side is Side.SELL:
            sellable = ctx.position(code).can_use_volume
            if volume > sellable:
                return deny("sellable_volume", f"sell of {volume} {code} exceeds the {sellable} shares "
                                               "sellable today (T+1)", volume, sellable)
            passed.append(("sellable_volume", f"sell {volume} <= {sellable} sellable", volume, sellable))
        if s.check_exchange_max_volume:
            limit, kind = (facts.max_market_order, "market") if request.is_market else (facts.max_limit_order, "limit")
            if volume > limit:
                return deny("exchange_max_volume", f"{volume} shares exceeds the largest {kind} order the exchange "
                                                   f"accepts on {board} ({limit})", volume, limit)
            passed.append(("exchange_max_volume", f"volume {volume} <= exchange max {limit}", volume, limit))
        limit = s.max_order_volume
        if limit is not None:
            if volume > limit:
                return deny("max_order_volume", f"order volume {volume} exceeds {limit} shares", volume, limit)
            passed.append(("max_order_volume", f"volume {volume} <= {limit}", volume, limit))
        price = request.price
        if price is not None:
            if s.check_ticks:
                tick = _instrument_price(detail, "PriceTick", code, self._decimals) or price_tick(code)
                if not is_on_tick(price, tick):
                    return deny("price_tick", f"limit price {price} is not a multiple of the {tick} tick of {code}",
                                price, tick)
                passed.append(("price_tick", f"price {price!s} on the {tick!s} tick", price, None))
            if s.check_limit_prices:
                memo = self._decimals
                up = _instrument_price(detail, "UpStopPrice", code, memo)
                down = _instrument_price(detail, "DownStopPrice", code, memo)
                if up is not None and price > up:
                    return deny("price_limits", f"limit price {price} is above today's limit-up price {up} of {code}",
                                price, up)
                if down is not None and price < down:
                    return deny("price_limits", f"limit price {price} is below today's limit-down price {down} of {code}",
                                price, down)
                if up is not None or down is not None:
                    limits = f"[{down!s}, {up!s}]"
                    passed.append(("price_limits", f"price {price!s} within today's limits {limits}", price, limits))
            if s.price_band_pct is not None:
                denial = self._band(ctx, request, detail, s.price_band_pct, passed)
                if denial is not None:
                    return denial
        limit = s.max_order_value
        if limit is not None:
            value = order_price(ctx, request)
            if not value:
                return deny("max_order_value", f"cannot value the market order on {code}: no last price yet", None, limit)
            value = cny(value * volume)
            if value > limit:
                return deny("max_order_value", f"order value {value} CNY exceeds {limit} CNY", value, limit)
            passed.append(("max_order_value", f"value {value!s} <= {limit!s} CNY", value, limit))
        return allow(FAMILY, passed)

    def _band(self, ctx, request: OrderRequest, detail: dict | None, band: Decimal,
              passed: list[Passed]) -> RiskDecision | None:
        """``price_band``: a denial, or None after appending the passed check."""
        price = request.price
        last = ctx.last_price(request.code)
        if last:
            reference, source = self._decimals.of("last price", request.code, last), "last price"
        else:
            reference, source = _instrument_price(detail, "PreClose", request.code, self._decimals), "pre-close"
        if reference is None:
            passed.append(("price_band", f"no last price or pre-close for {request.code}: the band is not checked",
                           None, band))
            return None
        distance = abs(price / reference - 1)
        shown = distance.quantize(BAND_DIGITS)
        if distance > band:
            return deny("price_band", f"limit price {price} is {shown:.2%} from the {source} {reference} "
                                      f"{self._band_text}", shown, band)
        passed.append(("price_band", f"price {price!s} is {shown:.2%} from the {source} {reference!s} {self._band_text}",
                       shown, band))
        return None


def make_plugin(config) -> OrderRules | None:
    """Plugin ``risk_order`` from ``config.risk.order``; None when the section is disabled."""
    settings: OrderLimits = config.risk.order
    return OrderRules(settings) if settings.enabled else None
