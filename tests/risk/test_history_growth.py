"""Work per order does not grow with history (issue #8): what the rules keep stays bounded.

The rules keep only what their limits look at: the flow counters hold the
orders of the last second and of the duplicate window, and the order rules'
per-code memos hold one entry per code. A long run of orders (a day of one
order every 3 s, then 10,000 more over a few days) leaves them as small as a
short one, and ``check_order`` reads no other history. Sizes are asserted,
not timings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine.builtin.risk.flow_rules import FlowRules
from engine.builtin.risk.order_rules import OrderRules
from engine.builtin.risk.settings import FlowLimits, OrderLimits

from .conftest import CODE, NOW, cancel, intent, request


def test_flow_counters_hold_only_the_window_whatever_the_history(ctx):
    rules = FlowRules(FlowLimits(max_orders_and_cancels_per_day=None, duplicate_window_seconds=2.0))
    when = NOW
    for n in range(10_000):
        when += dt.timedelta(seconds=3 if n % 2 else 0.4)  # days of history, two orders within a second now and then
        ctx.now = when
        req = request(volume=100 * (1 + n % 50))
        assert rules.check_order(ctx, req).allowed
        rules.track_event(intent(req, when))
        rules.track_event(cancel(when))
    # the last second and the 2 s duplicate window: a handful of entries, not 10,000
    assert len(rules.per_second._times) <= 6
    assert len(rules.recent) <= 3 and len(rules.recent._order) <= 3


def test_order_rules_remember_one_entry_per_code(ctx):
    rules = OrderRules(OrderLimits())
    for n in range(2_000):
        ctx.prices[CODE] = 10.0 + (n % 7) / 100  # a new last price object every time
        price = Decimal("10.00") + Decimal(n % 5) / 100
        assert rules.check_order(ctx, request(price=str(price))).allowed
    assert list(rules._codes) == [CODE]
    assert all(list(seen) == [CODE] for seen in rules._decimals._seen.values())
