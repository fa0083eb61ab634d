"""risk_exposure: projected holdings per code, per strategy, for the account; gross exposure; open orders."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.builtin.risk.exposure_rules import ExposureRules
from engine.builtin.risk.settings import ExposureLimits
from engine.models import OrderStatus

from .conftest import CODE, request, resting

NONE = dict(max_position_value_per_code=None, max_position_value_per_strategy=None, max_account_position_value=None,
            max_gross_exposure_pct=None, max_open_orders=None)


def rules(**on) -> ExposureRules:
    return ExposureRules(ExposureLimits(**{**NONE, **on}))


@pytest.mark.parametrize("volume, allowed", [(300, True), (200, True), (400, False)])
def test_position_value_per_code_counts_holdings_open_buys_and_the_order(ctx, volume, allowed):
    ctx.hold(CODE, 500)                                           # 5000 at 10.0
    ctx.add_order(resting(volume=200, price="10.00"))             # +2000 open
    ctx.add_order(resting(volume=300, price="10.00", traded=300, status=OrderStatus.SUCCEEDED))  # filled: not open
    ctx.add_order(resting(code="000001.SZ", volume=1000))         # another code: not counted
    decision = rules(max_position_value_per_code=Decimal("10000")).check_order(ctx, request(volume=volume))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == (
            "max_position_value_per_code", Decimal("11000.00"), Decimal("10000"))
    elif volume == 300:
        assert (decision.value, decision.limit) == (Decimal("10000.00"), Decimal("10000"))


def test_a_partly_filled_open_buy_counts_only_its_remaining_volume(ctx):
    ctx.add_order(resting(volume=1000, price="10.00", traded=600, status=OrderStatus.PART_SUCC))
    decision = rules(max_position_value_per_code=Decimal("5000")).check_order(ctx, request(volume=100))
    assert decision.allowed and decision.value == Decimal("5000.00")


@pytest.mark.parametrize("volume, allowed", [(500, True), (400, True), (600, False)])
def test_position_value_per_strategy(ctx, volume, allowed):
    ctx.exposure["alpha"] = Decimal("3000")
    ctx.add_order(resting(volume=200, price="10.00", strategy="alpha"))
    ctx.add_order(resting(volume=900, price="10.00", strategy="beta"))   # another strategy's buy
    decision = rules(max_position_value_per_strategy=Decimal("10000")).check_order(ctx, request(volume=volume))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value) == ("max_position_value_per_strategy", Decimal("11000.00"))
        assert "strategy 'alpha'" in decision.reason


@pytest.mark.parametrize("volume, allowed", [(300, True), (200, True), (400, False)])
def test_account_position_value(ctx, volume, allowed):
    ctx.hold("000001.SZ", 500, last=10.0)                        # 5000 elsewhere
    ctx.add_order(resting(code="000001.SZ", volume=200))         # +2000 open
    decision = rules(max_account_position_value=Decimal("10000")).check_order(ctx, request(volume=volume))
    assert decision.allowed is allowed
    assert decision.value == Decimal(7000 + volume * 10).quantize(Decimal("0.01"))


@pytest.mark.parametrize("volume, allowed", [(5000, True), (4900, True), (5100, False)])
def test_gross_exposure_against_total_asset(ctx, volume, allowed):
    ctx.account.cash = Decimal("50000")
    ctx.hold("000001.SZ", 5000)                                  # total asset 100000, 50% invested
    decision = rules(max_gross_exposure_pct=Decimal("1.0")).check_order(ctx, request(volume=volume))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == ("max_gross_exposure", Decimal("1.0100"), Decimal("1.0"))


@pytest.mark.parametrize("open_count, allowed", [(2, True), (1, True), (3, False)])
def test_max_open_orders_counts_every_strategy(ctx, open_count, allowed):
    for i in range(open_count):
        ctx.add_order(resting(strategy=f"s{i}", side="sell" if i % 2 else "buy"))
    decision = rules(max_open_orders=3).check_order(ctx, request())
    assert decision.allowed is allowed
    assert decision.value == open_count + 1 and decision.limit == 3


def test_a_reducing_sell_passes_while_every_limit_is_exceeded(ctx):
    ctx.hold(CODE, 1000)
    for _ in range(5):
        ctx.add_order(resting())
    plugin = rules(max_position_value_per_code=Decimal("1"), max_account_position_value=Decimal("1"),
                   max_gross_exposure_pct=Decimal("0.01"), max_open_orders=1)
    assert not plugin.check_order(ctx, request()).allowed
    decision = plugin.check_order(ctx, request(side="sell", volume=1000))
    assert decision.allowed and "exposure limits do not apply" in decision.reason


def test_a_sell_beyond_the_sellable_volume_meets_only_the_open_order_limit(ctx):
    ctx.hold(CODE, 1000, sellable=0)                             # bought today: T+1
    plugin = rules(max_position_value_per_code=Decimal("1"), max_open_orders=1)
    assert plugin.check_order(ctx, request(side="sell", volume=100)).allowed
    ctx.add_order(resting())
    assert plugin.check_order(ctx, request(side="sell", volume=100)).rule == "max_open_orders"


def test_no_limit_configured_allows_with_a_reason(ctx):
    decision = rules().check_order(ctx, request())
    assert decision.allowed and decision.reason == "no check applies to this order"
