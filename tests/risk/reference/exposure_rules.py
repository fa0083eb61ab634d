"""Plugin ``risk_exposure``: what the account would hold if the order filled (``risk.exposure``).

For a buy, each limit compares a projected value: what is held now (at the last
price; cost when no price is known yet) + the remaining volume of open buy
orders + this order. Checks, in order: ``max_open_orders``,
``max_position_value_per_code``, ``max_position_value_per_strategy``,
``max_account_position_value``, ``max_gross_exposure`` (projected holdings /
total asset). A sell that does not reduce a position adds no exposure: only
the open-order count applies to it. A sell within the sellable volume
(``ctx.reduces_position``) always passes. One pass over the open orders per
check_order: O(open orders).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterator

from engine.hookspecs import hookimpl
from engine.models import OrderRequest, RiskDecision, Side
from engine.models.money import ZERO, to_decimal
from .decisions import Check, cny, decide, failed, order_price, passed
from engine.builtin.risk.settings import ExposureLimits

FAMILY = "exposure_limits"
PCT_DIGITS = Decimal("0.0001")


@dataclass
class OpenBuys:
    """Open buy orders' remaining value: the whole account, this code, this strategy; and the open-order count."""

    count: int = 0
    account: Decimal = ZERO
    code: Decimal = ZERO
    strategy: Decimal = ZERO


def open_buys(ctx, request: OrderRequest) -> OpenBuys:
    """Sum the account's open orders once (every strategy's, external ones included)."""
    totals = OpenBuys()
    for order in ctx.open_orders(all_strategies=True):
        totals.count += 1
        if order.side is not Side.BUY:
            continue
        if order.price is not None:
            price = order.price
        else:
            last = ctx.last_price(order.code)
            price = to_decimal(last) if last else ZERO
        value = price * order.remaining
        totals.account += value
        if order.code == request.code:
            totals.code += value
        if order.strategy == request.strategy:
            totals.strategy += value
    return totals


def held_value(position) -> Decimal:
    """A position's value at the last price, or at cost before the first price."""
    return position.market_value or position.cost


class ExposureRules:
    """Per-code, per-strategy and account position value, gross exposure and open orders."""

    def __init__(self, settings: ExposureLimits) -> None:
        self.settings = settings

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        if ctx.reduces_position(request):
            return RiskDecision.allow(FAMILY, f"sell within the sellable volume of {request.code}: exposure limits do not apply")
        return decide(FAMILY, self._checks(ctx, request))

    def _checks(self, ctx, request: OrderRequest) -> Iterator[Check]:
        s = self.settings
        needs_values = request.side is Side.BUY and any(
            limit is not None for limit in (s.max_position_value_per_code, s.max_position_value_per_strategy,
                                            s.max_account_position_value, s.max_gross_exposure_pct))
        if s.max_open_orders is None and not needs_values:
            return
        pending = open_buys(ctx, request)
        if s.max_open_orders is not None:
            yield self._open_orders(pending.count, s.max_open_orders)
        if not needs_values:
            return
        order_value = order_price(ctx, request) * request.volume
        if s.max_position_value_per_code is not None:
            value = cny(held_value(ctx.position(request.code)) + pending.code + order_value)
            yield self._cap("max_position_value_per_code", f"the account's position in {request.code}", value,
                            s.max_position_value_per_code)
        if s.max_position_value_per_strategy is not None:
            value = cny(ctx.strategy_exposure(request.strategy) + pending.strategy + order_value)
            yield self._cap("max_position_value_per_strategy", f"strategy {request.strategy!r}'s holdings", value,
                            s.max_position_value_per_strategy)
        account_value = ctx.account.market_value + pending.account + order_value
        if s.max_account_position_value is not None:
            yield self._cap("max_account_position_value", "the account's holdings", cny(account_value),
                            s.max_account_position_value)
        if s.max_gross_exposure_pct is not None:
            yield self._gross(account_value, ctx.account.total_asset, s.max_gross_exposure_pct)

    @staticmethod
    def _open_orders(count: int, limit: int) -> Check:
        if count + 1 > limit:
            return failed("max_open_orders", f"{count} orders are open; one more would exceed the limit of {limit}",
                          count + 1, limit)
        return passed("max_open_orders", f"open orders with this one {count + 1} <= {limit}", count + 1, limit)

    @staticmethod
    def _cap(rule: str, what: str, value: Decimal, limit: Decimal) -> Check:
        if value > limit:
            return failed(rule, f"{what} would be {value} CNY with this order and the open buys, over {limit} CNY", value, limit)
        return passed(rule, f"{what} {value} <= {limit} CNY", value, limit)

    @staticmethod
    def _gross(projected: Decimal, total_asset: Decimal, limit: Decimal) -> Check:
        if total_asset <= 0:
            return failed("max_gross_exposure", f"total asset is {total_asset}: gross exposure cannot be measured",
                          None, limit)
        ratio = (projected / total_asset).quantize(PCT_DIGITS)
        if projected / total_asset > limit:
            return failed("max_gross_exposure", f"holdings would be {ratio:.2%} of total asset {cny(total_asset)} CNY "
                                                f"(limit {limit:.2%})", ratio, limit)
        return passed("max_gross_exposure", f"holdings {ratio:.2%} of total asset <= {limit:.2%}", ratio, limit)


def make_plugin(config) -> ExposureRules | None:
    """Plugin ``risk_exposure`` from ``config.risk.exposure``; None when the section is disabled."""
    settings: ExposureLimits = config.risk.exposure
    return ExposureRules(settings) if settings.enabled else None
