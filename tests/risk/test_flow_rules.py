"""risk_flow: rate limits, the duplicate guard and self-trade prevention, fed by events on the engine clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.builtin.risk.counters import DailyCount, RecentOrders, SlidingWindow
from engine.builtin.risk.flow_rules import FlowRules
from engine.builtin.risk.settings import FlowLimits
from engine.models import OrderStatus
from engine.xt import constants as xtc

from .conftest import CODE, NOW, cancel, intent, request, resting

NONE = dict(max_orders_and_cancels_per_second=None, max_orders_and_cancels_per_day=None,
            duplicate_window_seconds=None, prevent_self_trade=False)


def rules(**on) -> FlowRules:
    return FlowRules(FlowLimits(**{**NONE, **on}))


def at(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def send(plugin: FlowRules, ctx, req, when: dt.datetime):
    """Ask the plugin at ``when``; when it allows, feed the intent the engine would emit."""
    ctx.now = when
    decision = plugin.check_order(ctx, req)
    if decision.allowed:
        plugin.track_event(intent(req, when))
    return decision


# -- counters ------------------------------------------------------------------


def test_sliding_window_counts_the_last_second_only():
    window = SlidingWindow(1.0)
    for s in (0.0, 0.3, 0.9):
        window.add(at(s))
    assert window.count(at(0.9)) == 3
    assert window.count(at(1.0)) == 2      # the action at 0.0 is exactly one second old: out
    assert window.count(at(2.0)) == 0


def test_daily_count_restarts_on_a_new_day_and_ignores_late_events():
    day = DailyCount()
    day.add(at(0))
    day.add(at(1))
    assert day.count(at(2)) == 2
    tomorrow = NOW + dt.timedelta(days=1)
    assert day.count(tomorrow) == 0
    day.add(tomorrow)
    day.add(at(3))                          # yesterday's straggler
    assert day.count(tomorrow) == 1


def test_recent_orders_forget_after_the_window():
    recent = RecentOrders(2.0)
    recent.add("k", at(0), "c1")
    assert recent.get("k", at(1.999)).client_order_id == "c1"
    assert recent.get("k", at(2.0)) is None
    assert len(recent) == 0


# -- rate limits -------------------------------------------------------------------


@pytest.mark.parametrize("already, allowed", [(4, True), (3, True), (5, False)])
def test_orders_and_cancels_per_second(ctx, already, allowed):
    plugin = rules(max_orders_and_cancels_per_second=5)
    for i in range(already):
        event = cancel(at(0.1 * i)) if i % 2 else intent(request(volume=100 + i * 100), at(0.1 * i))
        plugin.track_event(event)
    ctx.now = at(0.9)
    decision = plugin.check_order(ctx, request())
    assert decision.allowed is allowed
    assert (decision.value, decision.limit) == (already + 1, 5)
    if not allowed:
        assert decision.rule == "orders_per_second" and "in the last second" in decision.reason


def test_the_per_second_window_slides_on_the_engine_clock(ctx):
    plugin = rules(max_orders_and_cancels_per_second=2)
    assert send(plugin, ctx, request(volume=100), at(0)).allowed
    assert send(plugin, ctx, request(volume=200), at(0.5)).allowed
    assert not send(plugin, ctx, request(volume=300), at(0.99)).allowed
    assert send(plugin, ctx, request(volume=300), at(1.0)).allowed     # the first left the window


def test_denied_requests_do_not_count(ctx):
    plugin = rules(max_orders_and_cancels_per_second=1)
    assert send(plugin, ctx, request(volume=100), at(0)).allowed
    for _ in range(5):
        assert not send(plugin, ctx, request(volume=200), at(0.5)).allowed
    assert send(plugin, ctx, request(volume=200), at(1.0)).allowed


@pytest.mark.parametrize("already, allowed", [(9, True), (8, True), (10, False)])
def test_orders_and_cancels_per_day(ctx, already, allowed):
    plugin = rules(max_orders_and_cancels_per_day=10)
    for i in range(already):
        plugin.track_event(cancel(at(60 * i)))
    ctx.now = at(3600)
    decision = plugin.check_order(ctx, request())
    assert decision.allowed is allowed and decision.value == already + 1
    if not allowed:
        assert decision.rule == "orders_per_day"
    ctx.now = NOW + dt.timedelta(days=1)
    assert plugin.check_order(ctx, request()).value == 1


def test_external_orders_count_for_the_day_but_not_the_second(ctx):
    plugin = rules(max_orders_and_cancels_per_second=1, max_orders_and_cancels_per_day=1)
    plugin.track_event(intent(request(), at(0), external=True))
    ctx.now = at(0.5)
    decision = plugin.check_order(ctx, request(volume=200))
    assert decision.rule == "orders_per_day" and not decision.allowed


# -- duplicates --------------------------------------------------------------------------


@pytest.mark.parametrize("after, allowed", [(2.0, True), (1.999, False), (2.001, True), (0.0, False)])
def test_duplicate_within_the_window(ctx, after, allowed):
    plugin = rules(duplicate_window_seconds=2.0)
    first = request(volume=300, price="10.00")
    ctx.add_order(resting(volume=300))  # any order the ctx knows under another id: irrelevant
    assert send(plugin, ctx, first, at(0)).allowed
    decision = send(plugin, ctx, request(volume=300, price="10.00"), at(after))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == ("duplicate_order", after, 2.0)
        assert first.client_order_id in decision.reason


@pytest.mark.parametrize("change", [dict(volume=200), dict(price="10.01"), dict(side="sell"), dict(code="000001.SZ")])
def test_a_different_order_is_not_a_duplicate(ctx, change):
    plugin = rules(duplicate_window_seconds=2.0)
    assert send(plugin, ctx, request(volume=300, price="10.00"), at(0)).allowed
    ctx.hold(CODE, 1000)
    assert send(plugin, ctx, request(**{"volume": 300, "price": "10.00", **change}), at(0.5)).allowed


def test_a_resend_after_a_cancel_or_rejection_is_not_a_duplicate(ctx):
    plugin = rules(duplicate_window_seconds=5.0)
    first = request()
    assert send(plugin, ctx, first, at(0)).allowed
    order = ctx.add_order(resting())
    order.client_order_id = first.client_order_id
    ctx.orders = {order.client_order_id: order}
    assert not send(plugin, ctx, request(), at(1)).allowed          # still working: a duplicate
    order.status = OrderStatus.CANCELED
    assert send(plugin, ctx, request(), at(2)).allowed              # withdrawn: a deliberate resend


@pytest.mark.parametrize("first_note, status, note, allowed", [
    ("parent=iceberg-1 iceberg child 1", OrderStatus.SUCCEEDED, "parent=iceberg-1 iceberg child 2", True),
    ("parent=iceberg-1 iceberg child 1", OrderStatus.REPORTED, "parent=iceberg-1 iceberg child 2", False),  # live
    ("parent=iceberg-1 iceberg child 1", OrderStatus.SUCCEEDED, "parent=iceberg-2 iceberg child 1", False),
    ("", OrderStatus.SUCCEEDED, "", False),                          # a strategy buying twice: a duplicate
], ids=["next-child", "child-still-live", "another-parent", "plain-order"])
def test_the_next_child_of_one_algorithm_is_not_a_duplicate(ctx, first_note, status, note, allowed):
    plugin = rules(duplicate_window_seconds=5.0)
    first = request()
    assert send(plugin, ctx, first, at(0)).allowed
    order = resting(status=status)
    order.client_order_id, order.note = first.client_order_id, first_note
    ctx.orders = {order.client_order_id: order}
    second = request()
    object.__setattr__(second, "note", note)
    decision = send(plugin, ctx, second, at(0))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "duplicate_order"


def test_duplicates_per_strategy(ctx):
    shared, own = rules(duplicate_window_seconds=2.0), rules(duplicate_window_seconds=2.0, duplicate_per_strategy=True)
    for plugin, second_allowed in ((shared, False), (own, True)):
        assert send(plugin, ctx, request(strategy="alpha"), at(0)).allowed
        assert send(plugin, ctx, request(strategy="beta"), at(0.5)).allowed is second_allowed


# -- self-trade --------------------------------------------------------------------------


@pytest.mark.parametrize("sell_at, buy_at, allowed", [
    ("10.01", "10.00", True), ("10.00", "10.00", False), ("9.99", "10.00", False), ("10.00", None, False),
])
def test_a_buy_must_not_cross_the_accounts_resting_sell(ctx, sell_at, buy_at, allowed):
    ctx.add_order(resting(side="sell", price=sell_at, strategy="beta"))
    req = request(price=buy_at, price_type=xtc.FIX_PRICE if buy_at else xtc.MARKET_SH_CONVERT_5_CANCEL)
    decision = rules(prevent_self_trade=True).check_order(ctx, req)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "self_trade" and "beta" in decision.reason and decision.limit == Decimal(sell_at)


@pytest.mark.parametrize("buy_at, sell_at, allowed", [("9.99", "10.00", True), ("10.00", "10.00", False), ("10.01", "10.00", False)])
def test_a_sell_must_not_cross_the_accounts_resting_buy(ctx, buy_at, sell_at, allowed):
    ctx.hold(CODE, 1000)
    ctx.add_order(resting(side="buy", price=buy_at))
    decision = rules(prevent_self_trade=True).check_order(ctx, request(side="sell", price=sell_at))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "self_trade"


def test_filled_orders_and_other_codes_do_not_block(ctx):
    ctx.add_order(resting(side="sell", price="9.00", traded=100, status=OrderStatus.SUCCEEDED))
    ctx.add_order(resting(code="000001.SZ", side="sell", price="9.00"))
    assert rules(prevent_self_trade=True).check_order(ctx, request(price="10.00")).allowed
