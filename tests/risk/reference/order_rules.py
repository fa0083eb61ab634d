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
from typing import Iterator

from engine.hookspecs import hookimpl
from engine.instruments import BOND, BSE, INDEX, MAX_ORDER, STAR, UNTRADABLE, board_of, buy_lot, price_tick
from engine.models import OrderRequest, RiskDecision, Side
from engine.models.money import is_on_tick, to_decimal
from .decisions import Check, cny, decide, failed, order_price, passed
from engine.builtin.risk.settings import OrderLimits

FAMILY = "order_limits"
BAND_DIGITS = Decimal("0.0001")


def sell_lot_ok(board: str, volume: int, sellable: int) -> bool:
    """The exchange's odd-lot rule for a sell of ``volume`` with ``sellable`` shares available (§2.2)."""
    if board == STAR:
        return volume >= 200 or volume == sellable
    if board == BSE:
        return volume >= 100 or volume == sellable
    if board == BOND:
        return volume % 10 == 0 or volume == sellable
    return volume % 100 == 0 or volume % 100 == sellable % 100


def _instrument_price(detail: dict | None, key: str) -> Decimal | None:
    """A positive price from the instrument details (0 and missing mean unknown)."""
    value = (detail or {}).get(key)
    return to_decimal(value) if value else None


class OrderRules:
    """Size, value, lot, tick and price checks on one order request."""

    def __init__(self, settings: OrderLimits) -> None:
        self.settings = settings

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        return decide(FAMILY, self._checks(ctx, request))

    def _checks(self, ctx, request: OrderRequest) -> Iterator[Check]:
        s = self.settings
        board = board_of(request.code)
        if board in (INDEX, UNTRADABLE):
            yield failed("tradable_code", f"{request.code} is not a tradable security (board {board})", request.code, "a tradable code")
            return
        detail = ctx.instrument(request.code)
        if s.check_lots:
            yield self._lot(ctx, request, board)
        if s.check_sellable and request.side is Side.SELL:
            yield self._sellable(ctx, request)
        if s.check_exchange_max_volume:
            yield self._exchange_max(request, board)
        if s.max_order_volume is not None:
            yield self._max_volume(request, s.max_order_volume)
        if request.price is not None:
            if s.check_ticks:
                yield self._tick(request, detail)
            if s.check_limit_prices:
                yield from self._limit_prices(request, detail)
            if s.price_band_pct is not None:
                yield self._band(ctx, request, detail, s.price_band_pct)
        if s.max_order_value is not None:
            yield self._max_value(ctx, request, s.max_order_value)

    def _lot(self, ctx, request: OrderRequest, board: str) -> Check:
        volume = request.volume
        if request.side is Side.BUY:
            minimum, step = buy_lot(request.code)
            rule_text = f"min {minimum}, step {step}"
            if volume < minimum or (volume - minimum) % step:
                return failed("lot_size", f"a buy of {request.code} must be at least {minimum} shares in steps of {step}; "
                                          f"got {volume}", volume, rule_text)
            return passed("lot_size", f"buy volume {volume} is whole lots ({rule_text})", volume, rule_text)
        sellable = ctx.position(request.code).can_use_volume
        if not sell_lot_ok(board, volume, sellable):
            return failed("lot_size", f"a sell of {volume} {request.code} is not whole lots and does not take the whole "
                                      f"odd remainder of the {sellable} sellable shares", volume, "whole lots or the odd remainder")
        return passed("lot_size", f"sell volume {volume} is valid for {sellable} sellable shares", volume, "whole lots or the odd remainder")

    def _sellable(self, ctx, request: OrderRequest) -> Check:
        sellable = ctx.position(request.code).can_use_volume
        if request.volume > sellable:
            return failed("sellable_volume", f"sell of {request.volume} {request.code} exceeds the {sellable} shares "
                                             "sellable today (T+1)", request.volume, sellable)
        return passed("sellable_volume", f"sell {request.volume} <= {sellable} sellable", request.volume, sellable)

    def _exchange_max(self, request: OrderRequest, board: str) -> Check:
        limit_max, market_max = MAX_ORDER.get(board, (1_000_000, 1_000_000))
        limit, kind = (market_max, "market") if request.is_market else (limit_max, "limit")
        if request.volume > limit:
            return failed("exchange_max_volume", f"{request.volume} shares exceeds the largest {kind} order the exchange "
                                                 f"accepts on {board} ({limit})", request.volume, limit)
        return passed("exchange_max_volume", f"volume {request.volume} <= exchange max {limit}", request.volume, limit)

    def _max_volume(self, request: OrderRequest, limit: int) -> Check:
        if request.volume > limit:
            return failed("max_order_volume", f"order volume {request.volume} exceeds {limit} shares", request.volume, limit)
        return passed("max_order_volume", f"volume {request.volume} <= {limit}", request.volume, limit)

    def _max_value(self, ctx, request: OrderRequest, limit: Decimal) -> Check:
        price = order_price(ctx, request)
        if not price:
            return failed("max_order_value", f"cannot value the market order on {request.code}: no last price yet",
                          None, limit)
        value = cny(price * request.volume)
        if value > limit:
            return failed("max_order_value", f"order value {value} CNY exceeds {limit} CNY", value, limit)
        return passed("max_order_value", f"value {value} <= {limit} CNY", value, limit)

    def _tick(self, request: OrderRequest, detail: dict | None) -> Check:
        tick = _instrument_price(detail, "PriceTick") or price_tick(request.code)
        if not is_on_tick(request.price, tick):
            return failed("price_tick", f"limit price {request.price} is not a multiple of the {tick} tick of {request.code}",
                          request.price, tick)
        return passed("price_tick", f"price {request.price} on the {tick} tick", request.price, None)

    def _limit_prices(self, request: OrderRequest, detail: dict | None) -> Iterator[Check]:
        up, down = _instrument_price(detail, "UpStopPrice"), _instrument_price(detail, "DownStopPrice")
        price = request.price
        if up is not None and price > up:
            yield failed("price_limits", f"limit price {price} is above today's limit-up price {up} of {request.code}", price, up)
        elif down is not None and price < down:
            yield failed("price_limits", f"limit price {price} is below today's limit-down price {down} of {request.code}", price, down)
        elif up is not None or down is not None:
            yield passed("price_limits", f"price {price} within today's limits [{down}, {up}]", price, f"[{down}, {up}]")

    def _band(self, ctx, request: OrderRequest, detail: dict | None, band: Decimal) -> Check:
        last = ctx.last_price(request.code)
        reference, source = (to_decimal(last), "last price") if last else (_instrument_price(detail, "PreClose"), "pre-close")
        if reference is None:
            return passed("price_band", f"no last price or pre-close for {request.code}: the band is not checked", None, band)
        distance = abs(request.price / reference - 1)
        shown = distance.quantize(BAND_DIGITS)
        if distance > band:
            return failed("price_band", f"limit price {request.price} is {shown:.2%} from the {source} {reference} "
                                        f"(band {band:.2%})", shown, band)
        return passed("price_band", f"price {request.price} is {shown:.2%} from the {source} {reference} (band {band:.2%})",
                      shown, band)


def make_plugin(config) -> OrderRules | None:
    """Plugin ``risk_order`` from ``config.risk.order``; None when the section is disabled."""
    settings: OrderLimits = config.risk.order
    return OrderRules(settings) if settings.enabled else None
