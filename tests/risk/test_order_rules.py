"""risk_order: every check at, just under and just over its limit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.builtin.risk.order_rules import OrderRules, sell_lot_ok
from engine.builtin.risk.settings import OrderLimits
from engine.instruments import BOND, BSE, SH_MAIN, STAR
from engine.xt import constants as xtc

from .conftest import CODE, detail, request

# every check off, so each test turns on exactly the one it looks at
NONE = dict(max_order_value=None, max_order_volume=None, check_exchange_max_volume=False, price_band_pct=None,
            check_limit_prices=False, check_lots=False, check_ticks=False, check_sellable=False)


def rules(**on) -> OrderRules:
    return OrderRules(OrderLimits(**{**NONE, **on}))


@pytest.mark.parametrize("volume, allowed", [(1000, True), (999, True), (1001, False)])
def test_max_order_volume(ctx, volume, allowed):
    decision = rules(max_order_volume=1000).check_order(ctx, request(volume=volume, price="1.00"))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == ("max_order_volume", 1001, 1000)
        assert "1001 exceeds 1000 shares" in decision.reason


@pytest.mark.parametrize("price, allowed", [("10.00", True), ("9.99", True), ("10.01", False)])
def test_max_order_value(ctx, price, allowed):
    decision = rules(max_order_value=Decimal("10000")).check_order(ctx, request(volume=1000, price=price))
    assert decision.allowed is allowed
    if allowed:
        assert decision.rule == "order_limits" and decision.limit == Decimal("10000")
    else:
        assert (decision.rule, decision.value, decision.limit) == ("max_order_value", Decimal("10010.00"), Decimal("10000"))


def test_a_market_order_is_valued_at_the_last_price_and_denied_without_one(ctx):
    plugin = rules(max_order_value=Decimal("1000"))
    market = request(volume=100, price=None, price_type=xtc.MARKET_SH_CONVERT_5_CANCEL)
    assert plugin.check_order(ctx, market).allowed  # 100 x 10.0 = 1000, at the limit
    ctx.prices[CODE] = 10.01
    assert plugin.check_order(ctx, market).value == Decimal("1001.00")
    del ctx.prices[CODE]
    decision = plugin.check_order(ctx, market)
    assert not decision.allowed and "no last price" in decision.reason


@pytest.mark.parametrize("code, volume, allowed", [
    (CODE, 100, True), (CODE, 200, True), (CODE, 99, False), (CODE, 150, False),
    ("688981.SH", 200, True), ("688981.SH", 201, True), ("688981.SH", 199, False),
    ("920001.BJ", 101, True), ("920001.BJ", 99, False),
    ("113050.SH", 10, True), ("113050.SH", 15, False),
])
def test_buy_lots_per_board(ctx, code, volume, allowed):
    decision = rules(check_lots=True).check_order(ctx, request(code=code, volume=volume))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "lot_size" and decision.value == volume


@pytest.mark.parametrize("board, volume, sellable, ok", [
    (SH_MAIN, 100, 150, True), (SH_MAIN, 50, 150, True), (SH_MAIN, 150, 150, True), (SH_MAIN, 120, 150, False),
    (SH_MAIN, 150, 300, False), (STAR, 199, 250, False), (STAR, 250, 250, True), (STAR, 201, 250, True),
    (BSE, 99, 150, False), (BSE, 50, 50, True), (BOND, 20, 25, True), (BOND, 5, 25, False), (BOND, 5, 5, True),
])
def test_sell_odd_lot_rule(board, volume, sellable, ok):
    assert sell_lot_ok(board, volume, sellable) is ok


def test_odd_lot_sell_through_the_plugin(ctx):
    ctx.hold(CODE, 150)
    plugin = rules(check_lots=True)
    assert plugin.check_order(ctx, request(side="sell", volume=50)).allowed
    decision = plugin.check_order(ctx, request(side="sell", volume=120))
    assert not decision.allowed and decision.rule == "lot_size" and "odd remainder" in decision.reason


@pytest.mark.parametrize("volume, allowed", [(300, True), (299, True), (301, False)])
def test_sellable_volume(ctx, volume, allowed):
    ctx.hold(CODE, 500, sellable=300)
    decision = rules(check_sellable=True).check_order(ctx, request(side="sell", volume=volume))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == ("sellable_volume", 301, 300)


@pytest.mark.parametrize("code, volume, market, allowed", [
    (CODE, 1_000_000, False, True), (CODE, 1_000_100, False, False),
    ("688981.SH", 100_000, False, True), ("688981.SH", 100_001, False, False),
    ("688981.SH", 50_000, True, True), ("688981.SH", 50_001, True, False),
    ("300750.SZ", 300_000, False, True), ("300750.SZ", 299_900, False, True), ("300750.SZ", 300_100, False, False),
])
def test_exchange_max_volume(ctx, code, volume, market, allowed):
    ctx.prices[code] = 10.0
    req = request(code=code, volume=volume, price=None if market else "10.00",
                  price_type=xtc.MARKET_SH_CONVERT_5_CANCEL if market else xtc.FIX_PRICE)
    decision = rules(check_exchange_max_volume=True).check_order(ctx, req)
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "exchange_max_volume" and decision.value == volume


def test_an_index_code_is_not_tradable(ctx):
    decision = rules().check_order(ctx, request(code="000300.SH"))
    assert not decision.allowed and decision.rule == "tradable_code"


@pytest.mark.parametrize("code, price, tick, allowed", [
    (CODE, "10.01", 0.01, True), (CODE, "10.005", 0.01, False), ("510300.SH", "4.001", 0.001, True),
    ("510300.SH", "4.0015", 0.001, False),
])
def test_price_tick(ctx, code, price, tick, allowed):
    ctx.details[code] = detail(tick=tick, up=100, down=0.5)
    decision = rules(check_ticks=True).check_order(ctx, request(code=code, price=price))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "price_tick" and decision.value == Decimal(price)


@pytest.mark.parametrize("price, allowed, limit", [
    ("11.00", True, None), ("10.99", True, None), ("11.01", False, Decimal("11.0")),
    ("9.00", True, None), ("9.01", True, None), ("8.99", False, Decimal("9.0")),
])
def test_limit_up_and_down_prices(ctx, price, allowed, limit):
    decision = rules(check_limit_prices=True).check_order(ctx, request(price=price))
    assert decision.allowed is allowed
    if not allowed:
        assert (decision.rule, decision.value, decision.limit) == ("price_limits", Decimal(price), limit)


def test_limit_prices_unknown_are_not_checked(ctx):
    ctx.details[CODE] = detail(up=0.0, down=0.0)  # no-limit day (IPO) or no previous close yet
    assert rules(check_limit_prices=True).check_order(ctx, request(price="20.00")).allowed


@pytest.mark.parametrize("price, allowed", [("10.50", True), ("10.49", True), ("10.51", False),
                                            ("9.50", True), ("9.49", False)])
def test_price_band_against_the_last_price(ctx, price, allowed):
    decision = rules(price_band_pct=Decimal("0.05")).check_order(ctx, request(price=price))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.rule == "price_band" and decision.limit == Decimal("0.05")
        assert decision.value == abs(Decimal(price) / 10 - 1) and "from the last price 10.0" in decision.reason


def test_price_band_falls_back_to_the_pre_close(ctx):
    del ctx.prices[CODE]
    ctx.details[CODE] = detail(pre_close=8.0)
    decision = rules(price_band_pct=Decimal("0.05")).check_order(ctx, request(price="8.50"))
    assert not decision.allowed and "pre-close 8.0" in decision.reason


def test_the_first_failed_check_is_the_decision_and_an_allow_shows_the_headroom(ctx):
    plugin = OrderRules(OrderLimits(max_order_value=Decimal("2000"), max_order_volume=1000))
    decision = plugin.check_order(ctx, request(volume=150, price="10.00"))  # a bad lot and still under value
    assert decision.rule == "lot_size"
    ctx.prices[CODE], ctx.details[CODE] = 19.0, detail(up=20.9, down=17.1, pre_close=19.0)
    decision = plugin.check_order(ctx, request(volume=100, price="19.00"))  # value 1900 of 2000
    assert decision.allowed and decision.rule == "order_limits"
    assert (decision.value, decision.limit) == (Decimal("1900.00"), Decimal("2000"))
    assert decision.reason.startswith("closest to its limit: max_order_value.")
    for part in ("whole lots", "exchange max 1000000", "volume 100 <= 1000", "on the 0.01 tick",
                 "within today's limits [17.1, 20.9]", "0.00% from the last price 19.0", "value 1900.00 <= 2000 CNY"):
        assert part in decision.reason


def test_defaults_allow_an_ordinary_order(ctx):
    decision = OrderRules(OrderLimits()).check_order(ctx, request(volume=1000, price="10.02"))
    assert decision.allowed, decision.reason
