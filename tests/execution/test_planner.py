"""The pure planner: lots per board, odd-lot sells, T+1, limit prices, suspension, fees and cash ordering."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.execution import Book, Holding, PlanError, Quote, buy_volume, plan, sell_volume, target_volume, \
    targets_from_weights
from engine.models import Side

D = Decimal


def book(cash="100000", total=None, holdings=None, quotes=None, **kw) -> Book:
    holdings = holdings or {}
    quotes = quotes or {}
    value = sum((D(str(quotes[c].price)) * h.volume for c, h in holdings.items() if c in quotes), D(0))
    return Book(cash=D(cash), total_asset=D(total) if total else D(cash) + value, holdings=holdings,
                quotes=quotes, **kw)


def q(price, up=None, down=None, suspended=False) -> Quote:
    return Quote(D(str(price)), None if up is None else D(str(up)), None if down is None else D(str(down)), suspended)


@pytest.mark.parametrize(("code", "wanted", "expected"), [
    ("600000.SH", 99, 0), ("600000.SH", 250, 200), ("000001.SZ", 100, 100), ("300750.SZ", 1999, 1900),
    ("688981.SH", 199, 0), ("688981.SH", 200, 200), ("688981.SH", 257, 257), ("920001.BJ", 133, 133),
])
def test_buy_volume_follows_the_board_minimum_and_step(code, wanted, expected):
    assert buy_volume(code, wanted) == expected


@pytest.mark.parametrize(("code", "wanted", "sellable", "expected"), [
    ("600000.SH", 150, 150, 150),   # the whole balance, odd part included
    ("600000.SH", 50, 150, 50),     # just the odd part
    ("600000.SH", 120, 150, 100),   # 120 is not valid: a whole lot
    ("600000.SH", 150, 300, 100),   # 300 held: 150 is not valid
    ("600000.SH", 230, 350, 200),
    ("600000.SH", 260, 350, 250),   # two lots plus the whole odd 50
    ("600000.SH", 500, 300, 300),   # never above the sellable volume
    ("688981.SH", 199, 250, 0),     # STAR: below 200 only as the whole balance
    ("688981.SH", 201, 250, 201),
    ("688981.SH", 250, 250, 250),
    ("688981.SH", 120, 120, 120),
])
def test_sell_volume_follows_the_odd_lot_rules(code, wanted, sellable, expected):
    assert sell_volume(code, wanted, sellable) == expected


def test_sells_come_first_and_their_cash_pays_for_the_buys():
    b = book(cash="1000", holdings={"600000.SH": Holding(1000, 1000)},
             quotes={"600000.SH": q(10), "000001.SZ": q(10)})
    result = plan(b, {"600000.SH": 0, "000001.SZ": 900})
    assert [(o.side, o.code, o.volume) for o in result.orders] == [(Side.SELL, "600000.SH", 1000),
                                                                     (Side.BUY, "000001.SZ", 900)]
    sell = result.sells[0]
    # 10000 turnover: commission 5 (minimum), stamp duty 5, transfer fee 0.10
    assert sell.fees == D("10.10")
    assert result.cash_left == D("1000") + D("10000") - D("10.10") - D("9000") - D("5.09")


def test_without_the_sells_cash_the_buy_is_cut_to_what_cash_and_fees_allow():
    b = book(cash="10000", quotes={"600000.SH": q(10)})
    result = plan(b, {"600000.SH": 1000})
    assert [o.volume for o in result.buys] == [900]     # 1000 shares cost 10000 + fees
    (skip,) = result.skipped
    assert skip.side is Side.BUY and skip.volume == 100 and "not enough cash" in skip.reason
    assert result.cash_left >= 0


def test_star_buys_at_least_200_then_any_share():
    b = book(cash="10000", quotes={"688981.SH": q(40)})
    assert plan(b, {"688981.SH": 150}).buys == []
    assert "minimum buy lot" in plan(b, {"688981.SH": 150}).skipped[0].reason
    result = plan(b, {"688981.SH": 400})
    assert [o.volume for o in result.buys] == [249]   # 249 x 40 = 9960 + 5 fees fits; 250 does not


def test_t1_sells_only_the_sellable_volume_and_says_why():
    b = book(holdings={"600000.SH": Holding(1000, 400)}, quotes={"600000.SH": q(10)})
    result = plan(b, {"600000.SH": 0})
    assert [o.volume for o in result.sells] == [400]
    (skip,) = result.skipped
    assert skip.volume == 600 and "T+1" in skip.reason


def test_limit_up_is_not_bought_and_limit_down_not_sold():
    b = book(holdings={"000001.SZ": Holding(500, 500)},
             quotes={"600000.SH": q(11, up=11, down=9), "000001.SZ": q(9, up=11, down=9)})
    result = plan(b, {"600000.SH": 1000, "000001.SZ": 0})
    assert result.orders == []
    reasons = {s.code: s.reason for s in result.skipped}
    assert "limit-up" in reasons["600000.SH"] and "limit-down" in reasons["000001.SZ"]


def test_suspended_codes_are_skipped_with_the_reason_and_missing_prices_too():
    b = book(holdings={"600000.SH": Holding(500, 500)}, quotes={"600000.SH": q(10, suspended=True)})
    result = plan(b, {"600000.SH": 0, "000001.SZ": 100})
    assert result.orders == []
    assert {s.code: s.reason for s in result.skipped} == {"600000.SH": "suspended today",
                                                          "000001.SZ": "no price for this code now"}


def test_limit_prices_take_the_slack_within_the_limits_on_the_tick():
    b = book(quotes={"600000.SH": q("10.00", up="10.20", down="9.90")}, holdings={"600000.SH": Holding(100, 100)},
             slack=D("0.03"))
    assert b.limit_price("600000.SH", buy=True) == D("10.20")
    assert b.limit_price("600000.SH", buy=False) == D("9.90")
    b = book(quotes={"510300.SH": q("3.456")}, slack=D("0.01"))
    assert b.limit_price("510300.SH", buy=True) == D("3.491")   # 3.49056 on the fund tick


def test_buys_spend_cash_in_the_order_given_and_keep_the_buffer():
    b = book(cash="30000", quotes={"600000.SH": q(10), "000001.SZ": q(10)})
    result = plan(b, {"000001.SZ": 2000, "600000.SH": 2000}, cash_buffer=D("0.1"))
    assert [(o.code, o.volume) for o in result.buys] == [("000001.SZ", 2000), ("600000.SH", 600)]
    spent = sum(o.amount + o.fees for o in result.buys)
    assert D("30000") - spent >= D("3000")     # the buffer: 10% of total asset stays in cash
    assert result.cash_left == D("30000") - D("3000") - spent


def test_open_orders_count_as_pending_volume():
    b = book(holdings={"600000.SH": Holding(0, 0, pending=500)}, quotes={"600000.SH": q(10)})
    assert plan(b, {"600000.SH": 500}).orders == []


def test_weights_become_volumes_and_unlisted_holdings_go_to_zero():
    b = book(cash="50000", holdings={"600000.SH": Holding(5000, 5000)},
             quotes={"600000.SH": q(10), "000001.SZ": q(20)})
    assert targets_from_weights(b, {"000001.SZ": 0.5}) == {"000001.SZ": 2500, "600000.SH": 0}
    assert target_volume(b, "000001.SZ", value=10000) == 500
    assert target_volume(b, "000001.SZ", percent="0.2") == 1000


@pytest.mark.parametrize(("weights", "buffer", "message"), [
    ({"600000.SH": -0.1}, 0, "weights must be >= 0"),
    ({"600000.SH": 0.7, "000001.SZ": 0.3}, 0.05, "together above 1"),
    ({"600000.SH": 0.1}, 1, "cash_buffer"),
])
def test_bad_weights_are_refused_with_the_code_named(weights, buffer, message):
    with pytest.raises(PlanError, match=message):
        targets_from_weights(book(), weights, cash_buffer=buffer)


def test_target_volume_wants_exactly_one_kind():
    with pytest.raises(PlanError, match="exactly one of"):
        target_volume(book(), "600000.SH", volume=100, value=1000)
    with pytest.raises(PlanError, match="volume=-1"):
        target_volume(book(), "600000.SH", volume=-1)
