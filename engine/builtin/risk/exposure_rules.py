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

from decimal import Decimal
from typing import NamedTuple

from ...hookspecs import hookimpl
from ...models import OrderRequest, RiskDecision, Side
from ...models.money import ZERO, to_decimal
from .decisions import Passed, allow, cny, deny, order_price
from .settings import ExposureLimits

FAMILY = "exposure_limits"
PCT_DIGITS = Decimal("0.0001")


class OpenBuys(NamedTuple):
    """Open buy orders' remaining value: the whole account, this code, this strategy; and the open-order count."""

    count: int
    account: Decimal
    code: Decimal
    strategy: Decimal


def open_buys(ctx, request: OrderRequest) -> OpenBuys:
    """Sum the account's open orders once (every strategy's, external ones included)."""
    count, account, same_code, same_strategy = 0, ZERO, ZERO, ZERO
    code, strategy = request.code, request.strategy
    for order in ctx.open_orders(all_strategies=True):
        count += 1
        if order.side is not Side.BUY:
            continue
        price = order.price
        if price is None:
            last = ctx.last_price(order.code)
            price = to_decimal(last) if last else ZERO
        value = price * order.remaining
        account += value
        if order.code == code:
            same_code += value
        if order.strategy == strategy:
            same_strategy += value
    return OpenBuys(count, account, same_code, same_strategy)


def held_value(position) -> Decimal:
    """A position's value at the last price, or at cost before the first price."""
    return position.market_value or position.cost


class ExposureRules:
    """Per-code, per-strategy and account position value, gross exposure and open orders."""

    def __init__(self, settings: ExposureLimits) -> None:
        self.settings = settings
        self._value_limits = any(
            limit is not None for limit in (settings.max_position_value_per_code, settings.max_position_value_per_strategy,
                                            settings.max_account_position_value, settings.max_gross_exposure_pct))
        gross = settings.max_gross_exposure_pct
        self._gross_text = f"{gross:.2%}" if gross is not None else ""

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        if ctx.reduces_position(request):
            return RiskDecision(True, FAMILY, f"sell within the sellable volume of {request.code}: exposure limits do not apply")
        s = self.settings
        needs_values = self._value_limits and request.side is Side.BUY
        passed: list[Passed] = []
        if s.max_open_orders is None and not needs_values:
            return allow(FAMILY, passed)
        pending = open_buys(ctx, request)
        limit = s.max_open_orders
        if limit is not None:
            count = pending.count + 1
            if count > limit:
                return deny("max_open_orders", f"{pending.count} orders are open; one more would exceed the limit of {limit}",
                            count, limit)
            passed.append(("max_open_orders", f"open orders with this one {count} <= {limit}", count, limit))
        if not needs_values:
            return allow(FAMILY, passed)
        order_value = order_price(ctx, request) * request.volume
        limit = s.max_position_value_per_code
        if limit is not None:
            value = cny(held_value(ctx.position(request.code)) + pending.code + order_value)
            denial = _cap(passed, "max_position_value_per_code", f"the account's position in {request.code}", value, limit)
            if denial is not None:
                return denial
        limit = s.max_position_value_per_strategy
        if limit is not None:
            value = cny(ctx.strategy_exposure(request.strategy) + pending.strategy + order_value)
            denial = _cap(passed, "max_position_value_per_strategy", f"strategy {request.strategy!r}'s holdings", value, limit)
            if denial is not None:
                return denial
        if s.max_account_position_value is None and s.max_gross_exposure_pct is None:
            return allow(FAMILY, passed)
        account = ctx.account
        account_value = account.market_value + pending.account + order_value
        limit = s.max_account_position_value
        if limit is not None:
            denial = _cap(passed, "max_account_position_value", "the account's holdings", cny(account_value), limit)
            if denial is not None:
                return denial
        limit = s.max_gross_exposure_pct
        if limit is not None:
            total_asset = account.total_asset
            if total_asset <= 0:
                return deny("max_gross_exposure", f"total asset is {total_asset}: gross exposure cannot be measured",
                            None, limit)
            exposure = account_value / total_asset
            ratio = exposure.quantize(PCT_DIGITS)
            if exposure > limit:
                return deny("max_gross_exposure", f"holdings would be {ratio:.2%} of total asset {cny(total_asset)} CNY "
                                                  f"(limit {self._gross_text})", ratio, limit)
            passed.append(("max_gross_exposure", f"holdings {ratio:.2%} of total asset <= {self._gross_text}", ratio, limit))
        return allow(FAMILY, passed)


def _cap(passed: list[Passed], rule: str, what: str, value: Decimal, limit: Decimal) -> RiskDecision | None:
    """A value cap: the denial, or None after appending the passed check."""
    if value > limit:
        return deny(rule, f"{what} would be {value} CNY with this order and the open buys, over {limit} CNY", value, limit)
    passed.append((rule, f"{what} {value!s} <= {limit!s} CNY", value, limit))
    return None


def make_plugin(config) -> ExposureRules | None:
    """Plugin ``risk_exposure`` from ``config.risk.exposure``; None when the section is disabled."""
    settings: ExposureLimits = config.risk.exposure
    return ExposureRules(settings) if settings.enabled else None
