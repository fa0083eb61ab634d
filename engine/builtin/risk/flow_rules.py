"""Plugin ``risk_flow``: message rates, duplicate orders and self-trades (``risk.flow``).

Checks, in order:

* ``orders_per_second``: orders + cancels the account sent in the last second,
  this order included, at most ``max_orders_and_cancels_per_second``;
* ``orders_per_day``: the same for the trading day;
* ``duplicate_order``: no order with the same code, side, price and volume
  (and strategy, with ``duplicate_per_strategy``) left less than
  ``duplicate_window_seconds`` ago, unless that order was since cancelled or
  rejected (a deliberate resend), or it is a finished child of the same execution
  algorithm's parent (an iceberg's next part: the algorithm keeps one live child);
* ``self_trade``: a buy must not cross the account's own resting sell on the
  code (resting price <= buy price; any price for a market order), nor a sell
  the account's resting buy.

The counters are fed from ``track_event``: an ``order_intent`` (an order that
passed every risk check and is being sent) and a ``cancel_request``, each at
its event time on the engine clock. Denied requests never count. Orders
adopted from outside the engine (``external``) count for the day only. These
checks apply to every order, reducing ones included: the exchange counts them all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Hashable

from ...events import CancelRequested, Event, OrderIntent
from ...hookspecs import hookimpl
from ...models import OrderRequest, OrderStatus, RiskDecision, Side
from ...models.orders import parent_of
from .counters import DailyCount, RecentOrders, SlidingWindow
from .decisions import Passed, allow, deny
from .settings import FlowLimits

FAMILY = "flow_limits"

#: An earlier identical order in one of these states was withdrawn: sending it again is not a duplicate.
WITHDRAWN = frozenset({OrderStatus.CANCELED, OrderStatus.PART_CANCEL, OrderStatus.JUNK})


def _crosses(side: Side, price: Decimal | None, resting_price: Decimal | None) -> bool:
    """Would an order on ``side`` at ``price`` (None = market) trade with the account's resting opposite order?"""
    if price is None or resting_price is None:
        return True
    return resting_price <= price if side is Side.BUY else resting_price >= price


class FlowRules:
    """Orders-and-cancels rate limits, the duplicate-order guard and self-trade prevention."""

    def __init__(self, settings: FlowLimits) -> None:
        self.settings = settings
        self.per_second = SlidingWindow(1.0)
        self.per_day = DailyCount()
        window = settings.duplicate_window_seconds
        self.recent = RecentOrders(window) if window is not None else None
        self._no_duplicate: Passed = ("duplicate_order", f"no identical order in the last {window} s", None, window)

    # -- what left the engine --------------------------------------------------

    @hookimpl
    def track_event(self, event: Event) -> None:
        if isinstance(event, OrderIntent):
            when = dt.datetime.fromisoformat(event.ts)
            self.per_day.add(when)
            if event.external:
                return
            self.per_second.add(when)
            if self.recent is not None:
                price = Decimal(event.price) if event.price is not None else None
                key = self._key(event.strategy, event.code, event.side, price, event.volume)
                self.recent.add(key, when, event.client_order_id)
        elif isinstance(event, CancelRequested):
            when = dt.datetime.fromisoformat(event.ts)
            self.per_day.add(when)
            self.per_second.add(when)

    @hookimpl
    def on_restore(self, record) -> None:
        """A restart: count what earlier runs sent today, as if this run had seen it (issue 13)."""
        for event in record.events:
            if isinstance(event, (OrderIntent, CancelRequested)):
                self.track_event(event)

    def _key(self, strategy: str, code: str, side: str, price: Decimal | None, volume: int) -> Hashable:
        if self.settings.duplicate_per_strategy:
            return strategy, code, side, price, volume
        return code, side, price, volume

    # -- decisions ---------------------------------------------------------------

    @hookimpl
    def check_order(self, ctx, request: OrderRequest) -> RiskDecision:
        s, now = self.settings, ctx.now
        passed: list[Passed] = []
        limit = s.max_orders_and_cancels_per_second
        if limit is not None:
            denial = _rate(passed, "orders_per_second", "in the last second", self.per_second.count(now), limit)
            if denial is not None:
                return denial
        limit = s.max_orders_and_cancels_per_day
        if limit is not None:
            denial = _rate(passed, "orders_per_day", f"on {now.date()}", self.per_day.count(now), limit)
            if denial is not None:
                return denial
        if self.recent is not None:
            denial = self._duplicate(ctx, request, now)
            if denial is not None:
                return denial
            passed.append(self._no_duplicate)
        if s.prevent_self_trade:
            denial = _self_trade(ctx, request)
            if denial is not None:
                return denial
            passed.append(_NO_SELF_TRADE[request.side])
        return allow(FAMILY, passed)

    def _duplicate(self, ctx, request: OrderRequest, now: dt.datetime) -> RiskDecision | None:
        window = self.settings.duplicate_window_seconds
        key = self._key(request.strategy, request.code, request.side.value, request.price, request.volume)
        sent = self.recent.get(key, now)
        if sent is not None:
            earlier = ctx.get_order(sent.client_order_id)
            parent = parent_of(request.note)
            if earlier is not None and not earlier.is_open and parent is not None and parent_of(earlier.note) == parent:
                return None  # the next child of one algorithm (iceberg, TWAP...): one live child at a time by design
            if earlier is None or earlier.status not in WITHDRAWN:
                elapsed = round((now - sent.when).total_seconds(), 3)
                return deny("duplicate_order", f"order {sent.client_order_id} with the same code, side, price and volume "
                                               f"was sent {elapsed} s ago (window {window} s)", elapsed, window)
        return None


def _rate(passed: list[Passed], rule: str, span: str, sent: int, limit: int) -> RiskDecision | None:
    """A message-rate limit: the denial, or None after appending the passed check."""
    value = sent + 1
    if value > limit:
        return deny(rule, f"{sent} orders and cancels were sent {span}; this order would make {value}, over {limit}",
                    value, limit)
    passed.append((rule, f"orders and cancels {span} with this one {value} <= {limit}", value, limit))
    return None


def _self_trade(ctx, request: OrderRequest) -> RiskDecision | None:
    """A denial when the request would trade with one of the account's own resting orders, else None."""
    side = request.side
    opposite = Side.SELL if side is Side.BUY else Side.BUY
    for resting in ctx.open_orders(code=request.code, all_strategies=True):
        if resting.side is opposite and resting.remaining > 0 and _crosses(side, request.price, resting.price):
            shown = "market" if request.price is None else request.price
            resting_price = "market" if resting.price is None else resting.price
            return deny("self_trade", f"a {side.value} at {shown} would trade with the account's own resting "
                                      f"{opposite.value} {resting.client_order_id} ({resting.strategy}) at "
                                      f"{resting_price} on {request.code}", shown, resting_price)
    return None


#: the passed self-trade check per side of the request (its text depends on the side alone)
_NO_SELF_TRADE: dict[Side, Passed] = {
    side: ("self_trade", f"no resting {opposite.value} of the account crosses this order", None, None)
    for side, opposite in ((Side.BUY, Side.SELL), (Side.SELL, Side.BUY))
}


def make_plugin(config) -> FlowRules | None:
    """Plugin ``risk_flow`` from ``config.risk.flow``; None when the section is disabled."""
    settings: FlowLimits = config.risk.flow
    return FlowRules(settings) if settings.enabled else None
