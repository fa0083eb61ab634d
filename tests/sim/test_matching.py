"""Matching against five-level ticks, auctions and bars; market price types."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.sim.book import ms_from_local
from engine.xt import constants as xc

from .conftest import position

T = dt.datetime.fromisoformat
CODE, SZ = "600519.SH", "000001.SZ"
ASKS = [(10.00, 2), (10.01, 3), (10.02, 4), (10.03, 5), (10.04, 6)]   # lots
BIDS = [(9.99, 2), (9.98, 3), (9.97, 4), (9.96, 5), (9.95, 6)]


def book(h, code=CODE, asks=ASKS, bids=BIDS, last=10.0, volume_lots=1000):
    h.instrument(code)
    h.quote(code, last, pre_close=10.0, asks=asks, bids=bids, volume_lots=volume_lots)


def fills(h, oid):
    return [(t.traded_price, t.traded_volume) for t in h.cb.of("on_stock_trade") if t.order_id == oid]


def test_marketable_limit_buy_walks_the_levels_then_rests(h):
    book(h)
    oid = h.buy(CODE, 800, 10.01)
    assert fills(h, oid) == [(10.0, 200), (10.01, 300)]
    assert h.status(oid) == xc.ORDER_PART_SUCC


def test_resting_order_fills_when_the_market_trades_through(make_harness):
    h = make_harness(participation="0.5")
    book(h)
    oid = h.buy(CODE, 1000, 9.99)
    assert fills(h, oid) == []
    h.clock.advance(3)
    h.quote(CODE, 9.98, pre_close=10.0, asks=[(9.99, 1)], bids=[(9.97, 5)], volume_lots=1010)
    # 100 from ask1 at 9.99, then trade-through: 0.5 x 1,000 traded shares at the limit
    assert fills(h, oid) == [(9.99, 100), (9.99, 500)]
    h.clock.advance(3)
    h.quote(CODE, 9.99, pre_close=10.0, asks=[(10.0, 1)], bids=[(9.99, 5)], volume_lots=1020)
    assert len(fills(h, oid)) == 2          # last == limit: no trade-through


def test_two_orders_share_the_displayed_volume(h):
    book(h)
    a = h.buy(CODE, 100, 10.0)
    b = h.buy(CODE, 200, 10.0)
    assert fills(h, a) == [(10.0, 100)] and fills(h, b) == [(10.0, 100)]


def test_marketable_sell_takes_bids(make_harness):
    h = make_harness(positions=[position(CODE, 1000)])
    book(h)
    oid = h.sell(CODE, 400, 9.98)
    assert fills(h, oid) == [(9.99, 200), (9.98, 200)]
    assert h.status(oid) == xc.ORDER_SUCCEEDED


@pytest.mark.parametrize("code,pt,volume,expect_fills,final", [
    (CODE, xc.MARKET_SH_CONVERT_5_CANCEL, 3000, 2000, xc.ORDER_PART_CANCEL),
    (SZ, xc.MARKET_SZ_CONVERT_5_CANCEL, 1000, 1000, xc.ORDER_SUCCEEDED),
    (SZ, xc.MARKET_SZ_INSTBUSI_RESTCANCEL, 2500, 2000, xc.ORDER_PART_CANCEL),
    (SZ, xc.MARKET_SZ_FULL_OR_CANCEL, 2100, 0, xc.ORDER_CANCELED),
    (SZ, xc.MARKET_SZ_FULL_OR_CANCEL, 2000, 2000, xc.ORDER_SUCCEEDED),
    (CODE, xc.MARKET_SH_CONVERT_5_LIMIT, 2500, 2000, xc.ORDER_PART_SUCC),
    (CODE, xc.MARKET_PEER_PRICE_FIRST, 500, 200, xc.ORDER_PART_SUCC),
    (CODE, xc.MARKET_MINE_PRICE_FIRST, 500, 0, xc.ORDER_REPORTED),
])
def test_market_price_types(h, code, pt, volume, expect_fills, final):
    book(h, code)
    oid = h.buy(code, volume, 0, pt)
    assert sum(v for _, v in fills(h, oid)) == expect_fills
    assert h.status(oid) == final
    order = h.order(oid)
    assert order.price_type in (xc.BROKER_PRICE_MARKET, xc.BROKER_PRICE_BEST)
    if pt == xc.MARKET_SH_CONVERT_5_LIMIT:
        assert order.price == 10.04                 # rest becomes a limit at the last fill price
    if pt == xc.MARKET_MINE_PRICE_FIRST:
        assert order.price == 9.99                  # own side's best
    if final in xc.FINAL_ORDER_STATUSES:
        assert h.asset().frozen_cash == 0


def test_market_order_without_opposite_quotes_is_cancelled(h):
    book(h, asks=[])
    oid = h.buy(CODE, 100, 0, xc.MARKET_PEER_PRICE_FIRST)
    assert h.status(oid) == xc.ORDER_CANCELED


def test_market_buy_freezes_at_the_limit_up_price(h):
    book(h, asks=[])
    oid = h.buy(CODE, 100, 0, xc.MARKET_MINE_PRICE_FIRST)
    assert h.status(oid) == xc.ORDER_REPORTED
    assert h.asset().frozen_cash == 1105.01         # 100 x 11.00 + 5.00 + 0.01


def test_opening_auction_fills_at_the_auction_price(make_harness):
    h = make_harness(when=T("2026-03-10 09:16"))
    book(h, last=10.0, volume_lots=0)
    oid = h.buy(CODE, 300, 10.05)
    assert fills(h, oid) == []                     # indicative ticks do not match
    h.clock.set(T("2026-03-10 09:25:03"))
    h.quote(CODE, 10.02, pre_close=10.0, asks=ASKS, bids=BIDS, volume_lots=50)
    assert fills(h, oid) == [(10.02, 300)]


def test_lunch_ticks_do_not_match(make_harness):
    h = make_harness(when=T("2026-03-10 11:00"))
    book(h, asks=[(10.5, 10)])
    oid = h.buy(CODE, 100, 10.0)
    h.clock.set(T("2026-03-10 12:00"))
    h.quote(CODE, 9.5, pre_close=10.0, asks=[(9.9, 10)], volume_lots=5000)
    assert fills(h, oid) == []


def bar(when, o, hi, lo, c, vol_lots=100, pre=10.0):
    return {"time": ms_from_local(when), "open": o, "high": hi, "low": lo, "close": c,
            "volume": vol_lots, "amount": 0.0, "preClose": pre, "suspendFlag": 0}


@pytest.mark.parametrize("rule,limit,expect", [
    ("next_open", 10.2, [(10.1, 100)]), ("next_open", 10.0, [(10.0, 100)]),
    ("next_open", 9.8, []), ("close", 10.3, [(10.25, 100)]), ("close", 10.2, []),
])
def test_bar_fill_rules(make_harness, rule, limit, expect):
    h = make_harness(fill_rule=rule, cage_mode="hold")
    h.instrument(CODE)
    h.md.publish_bars({CODE: bar(T("2026-03-10 09:59"), 10.0, 10.3, 9.9, 10.2)})
    oid = h.buy(CODE, 100, limit)
    assert fills(h, oid) == []                      # nothing fills before the next bar
    h.clock.advance(60)
    h.md.publish_bars({CODE: bar(T("2026-03-10 10:00"), 10.1, 10.4, 9.95, 10.25)})
    assert fills(h, oid) == expect


def test_bar_slippage_and_participation_cap(make_harness):
    h = make_harness(slippage_bps="100", participation="0.1")
    h.instrument(CODE)
    h.md.publish_bars({CODE: bar(T("2026-03-10 09:59"), 10.0, 10.3, 9.9, 10.2)})
    oid = h.buy(CODE, 1000, 0, xc.MARKET_SH_CONVERT_5_LIMIT)
    h.md.publish_bars({CODE: bar(T("2026-03-10 10:00"), 10.0, 10.4, 9.95, 10.25, vol_lots=50)})
    assert fills(h, oid) == [(10.1, 500)]          # open 10.00 + 1% slippage; 10% of 5,000
    assert h.status(oid) == xc.ORDER_PART_SUCC
