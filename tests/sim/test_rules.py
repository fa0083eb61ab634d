"""Each A-share rule at, just under and just over its limit (ashare_rules.md §1-§4)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from engine.instruments import BOND, BSE, CHINEXT, FUND, INDEX, SH_MAIN, STAR, SZ_MAIN, UNTRADABLE, board_of
from engine.xt import constants as xc

from .conftest import position

T = dt.datetime.fromisoformat
FIX, MKT42, MKT47 = xc.FIX_PRICE, xc.MARKET_SH_CONVERT_5_CANCEL, xc.MARKET_SZ_CONVERT_5_CANCEL


def code_of(h, oid) -> str:
    """'' when accepted, else the rejection code inside the message (e.g. 'SIM-VOL', '260200')."""
    if h.status(oid) != xc.ORDER_JUNK:
        return ""
    return re.match(r"\[COUNTER\] ?\[([^\]]+)\]", h.errors_for(oid)[0].error_msg).group(1)


def setup(h, code, pc, ask=None, bid=None, **row):
    h.instrument(code, **row)
    h.quote(code, ask or bid or pc, pre_close=pc, ask=ask, bid=bid)


@pytest.mark.parametrize("code,board", [
    ("600519.SH", SH_MAIN), ("601318.SH", SH_MAIN), ("605499.SH", SH_MAIN), ("688981.SH", STAR),
    ("689009.SH", STAR), ("000001.SH", INDEX), ("000300.SH", INDEX), ("510300.SH", FUND),
    ("588000.SH", FUND), ("513100.SH", FUND), ("501018.SH", FUND), ("113050.SH", BOND),
    ("118000.SH", BOND), ("900901.SH", UNTRADABLE), ("000001.SZ", SZ_MAIN), ("002594.SZ", SZ_MAIN),
    ("300750.SZ", CHINEXT), ("301236.SZ", CHINEXT), ("399001.SZ", INDEX), ("159919.SZ", FUND),
    ("161725.SZ", FUND), ("123456.SZ", BOND), ("127045.SZ", BOND), ("200002.SZ", UNTRADABLE),
    ("920001.BJ", BSE), ("430047.BJ", UNTRADABLE), ("830799.BJ", UNTRADABLE),
])
def test_code_to_board(code, board):
    assert board_of(code) == board


def test_920_is_tested_before_any_nine_rule():
    assert board_of("920118.BJ") == BSE and board_of("900901.SH") == UNTRADABLE


@pytest.mark.parametrize("code,pc,vol,price,expect", [
    ("600519.SH", 10.0, 100, 10.0, ""), ("600519.SH", 10.0, 99, 10.0, "SIM-VOL"),
    ("600519.SH", 10.0, 150, 10.0, "SIM-VOL"), ("600519.SH", 10.0, 1_000_000, 10.0, ""),
    ("600519.SH", 10.0, 1_000_100, 10.0, "SIM-VOL"),
    ("688981.SH", 50.0, 200, 50.0, ""), ("688981.SH", 50.0, 199, 50.0, "SIM-VOL"),
    ("688981.SH", 50.0, 201, 50.0, ""), ("688981.SH", 50.0, 100_000, 50.0, ""),
    ("688981.SH", 50.0, 100_001, 50.0, "SIM-VOL"),
    ("300750.SZ", 20.0, 300_000, 20.0, ""), ("300750.SZ", 20.0, 300_100, 20.0, "SIM-VOL"),
    ("920001.BJ", 10.0, 100, 10.0, ""), ("920001.BJ", 10.0, 101, 10.0, ""),
    ("920001.BJ", 10.0, 99, 10.0, "SIM-VOL"),
    ("113050.SH", 120.0, 10, 120.1, ""), ("113050.SH", 120.0, 5, 120.1, "SIM-VOL"),
    ("113050.SH", 120.0, 15, 120.1, "SIM-VOL"),
    ("510300.SH", 3.9, 100, 3.9, ""), ("510300.SH", 3.9, 150, 3.9, "SIM-VOL"),
])
def test_buy_volume_rules(make_harness, code, pc, vol, price, expect):
    h = make_harness(cash=50_000_000)
    setup(h, code, pc, ask=price)
    assert code_of(h, h.buy(code, vol, price)) == expect


@pytest.mark.parametrize("code,pt,vol,expect", [
    ("688981.SH", MKT42, 50_000, ""), ("688981.SH", MKT42, 50_001, "SIM-VOL"),
    ("300750.SZ", MKT47, 150_000, ""), ("300750.SZ", MKT47, 150_100, "SIM-VOL"),
    ("600519.SH", MKT42, 1_000_000, ""), ("600519.SH", MKT42, 1_000_100, "SIM-VOL"),
])
def test_market_order_maximums(make_harness, code, pt, vol, expect):
    h = make_harness(cash=50_000_000)
    setup(h, code, 20.0, ask=20.0)
    assert code_of(h, h.buy(code, vol, 0, pt)) == expect


@pytest.mark.parametrize("code,held,sell,mode,expect", [
    ("600519.SH", 150, 150, "exchange", ""), ("600519.SH", 150, 100, "exchange", ""),
    ("600519.SH", 150, 50, "exchange", ""), ("600519.SH", 150, 120, "exchange", "SIM-VOL"),
    ("600519.SH", 300, 150, "exchange", "SIM-VOL"), ("600519.SH", 150, 50, "whole_balance", "SIM-VOL"),
    ("600519.SH", 150, 150, "whole_balance", ""), ("600519.SH", 150, 100, "whole_balance", ""),
    ("688981.SH", 250, 199, "exchange", "SIM-VOL"), ("688981.SH", 250, 250, "exchange", ""),
    ("688981.SH", 250, 201, "exchange", ""), ("688981.SH", 150, 150, "exchange", ""),
    ("920001.BJ", 150, 99, "exchange", "SIM-VOL"), ("920001.BJ", 150, 101, "exchange", ""),
    ("113050.SH", 25, 20, "exchange", ""), ("113050.SH", 25, 25, "exchange", ""),
    ("113050.SH", 25, 12, "exchange", "SIM-VOL"),
    ("600519.SH", 100, 200, "exchange", "251005"),
])
def test_sell_lots_and_odd_lots(make_harness, code, held, sell, mode, expect):
    h = make_harness(positions=[position(code, held)], odd_lot_mode=mode)
    pc = 120.0 if code.startswith("11") else 10.0
    setup(h, code, pc, bid=pc)
    assert code_of(h, h.sell(code, sell, pc)) == expect


@pytest.mark.parametrize("code,row,pc,price,expect", [
    ("600519.SH", {}, 10.55, 11.61, ""), ("600519.SH", {}, 10.55, 11.62, "SIM-PX"),
    ("600519.SH", {}, 10.55, 9.50, ""), ("600519.SH", {}, 10.55, 9.49, "SIM-PX"),
    ("300750.SZ", {}, 25.0, 30.0, ""), ("300750.SZ", {}, 25.0, 30.01, "SIM-PX"),
    ("688981.SH", {}, 50.0, 60.0, ""), ("688981.SH", {}, 50.0, 60.01, "SIM-PX"),
    ("920001.BJ", {}, 10.0, 13.0, ""), ("920001.BJ", {}, 10.0, 13.01, "SIM-PX"),
    ("600519.SH", {"is_st": 1}, 4.67, 4.90, ""), ("600519.SH", {"is_st": 1}, 4.67, 4.91, "SIM-PX"),
    ("300750.SZ", {"is_st": 1}, 25.0, 30.0, ""),
    ("510300.SH", {"kind": "etf"}, 3.456, 3.802, ""), ("510300.SH", {"kind": "etf"}, 3.456, 3.803, "SIM-PX"),
    ("600519.SH", {}, 10.0, 10.005, "SIM-TICK"), ("510300.SH", {}, 3.9, 3.9005, "SIM-TICK"),
])
def test_daily_price_limits_and_ticks(make_harness, code, row, pc, price, expect):
    h = make_harness(cash=10_000_000, cage_mode="hold")
    setup(h, code, pc, ask=price, **row)
    assert code_of(h, h.buy(code, 200, price)) == expect


@pytest.mark.parametrize("day,price,expect", [
    ("2026-07-03 10:00", 4.90, ""), ("2026-07-03 10:00", 4.91, "SIM-PX"),
    ("2026-07-06 10:00", 5.14, ""), ("2026-07-06 10:00", 5.15, "SIM-PX"),
])
def test_st_limit_changes_on_2026_07_06(make_harness, day, price, expect):
    h = make_harness(when=T(day), cage_mode="hold")
    setup(h, "600001.SH", 4.67, ask=price, is_st=1)
    assert code_of(h, h.buy("600001.SH", 100, price)) == expect


@pytest.mark.parametrize("code,listing,day_price,expect", [
    ("688001.SH", "2026-03-04", 100.0, ""),    # STAR trading day 5: no limit
    ("688001.SH", "2026-03-03", 100.0, "SIM-PX"),  # trading day 6: +-20%
    ("301001.SZ", "2026-03-04", 100.0, ""), ("603001.SH", "2026-03-04", 100.0, ""),
    ("920001.BJ", "2026-03-10", 100.0, ""),    # BSE first day: no limit
    ("920001.BJ", "2026-03-09", 100.0, "SIM-PX"),  # BSE second day: +-30%
])
def test_ipo_no_limit_days(make_harness, code, listing, day_price, expect):
    h = make_harness(cage_mode="hold")
    setup(h, code, 20.0, ask=day_price, listing_date=listing)
    assert code_of(h, h.buy(code, 200, day_price)) == expect


def test_market_orders_refused_on_no_limit_days(make_harness):
    h = make_harness()
    setup(h, "688001.SH", 20.0, ask=20.0, listing_date="2026-03-10")
    assert code_of(h, h.buy("688001.SH", 200, 0, MKT42)) == "SIM-MKT"


@pytest.mark.parametrize("code,ask,price,flag,expect", [
    ("600519.SH", 10.00, 10.20, False, ""), ("600519.SH", 10.00, 10.21, False, "SIM-CAGE"),
    ("600519.SH", 2.00, 2.10, False, ""), ("600519.SH", 2.00, 2.11, False, "SIM-CAGE"),
    ("688777.SH", 3.00, 3.06, False, ""), ("688777.SH", 3.00, 3.07, False, "SIM-CAGE"),
    ("688777.SH", 3.00, 3.10, True, ""), ("688777.SH", 3.00, 3.11, True, "SIM-CAGE"),
    ("920001.BJ", 10.00, 10.50, False, ""), ("920001.BJ", 10.00, 10.51, False, "SIM-CAGE"),
    ("510300.SH", 3.000, 3.200, False, ""),   # funds: no cage
])
def test_buy_price_cage(make_harness, code, ask, price, flag, expect):
    h = make_harness(star_cage_ten_tick_floor=flag)
    setup(h, code, ask, ask=ask)
    assert code_of(h, h.buy(code, 200, price)) == expect


@pytest.mark.parametrize("bid,price,expect", [(10.00, 9.80, ""), (10.00, 9.79, "SIM-CAGE"),
                                              (2.00, 1.90, ""), (2.00, 1.89, "SIM-CAGE")])
def test_sell_price_cage(make_harness, bid, price, expect):
    h = make_harness(positions=[position("600519.SH", 100)])
    setup(h, "600519.SH", bid, bid=bid)
    assert code_of(h, h.sell("600519.SH", 100, price)) == expect


def test_cage_does_not_apply_in_call_auction(make_harness):
    h = make_harness(when=T("2026-03-10 09:16"))
    setup(h, "600519.SH", 10.0, ask=10.0)
    assert code_of(h, h.buy("600519.SH", 100, 10.5)) == ""


def test_cage_hold_mode_keeps_the_order_until_in_range(make_harness):
    h = make_harness(cage_mode="hold")
    setup(h, "600519.SH", 10.0, ask=10.0)
    oid = h.buy("600519.SH", 100, 10.5)
    assert h.status(oid) == xc.ORDER_REPORTED
    h.clock.advance(3)
    h.quote("600519.SH", 10.4, pre_close=10.0, ask=10.4, volume_lots=10)
    assert h.status(oid) == xc.ORDER_SUCCEEDED


@pytest.mark.parametrize("when,expect", [
    ("2026-03-10 09:14:59", "120144"), ("2026-03-10 09:15:00", ""), ("2026-03-10 09:24:59", ""),
    ("2026-03-10 11:29:59", ""), ("2026-03-10 14:59:59", ""), ("2026-03-10 15:00:00", "120144"),
    ("2026-10-05 10:00:00", "120144"), ("2026-10-08 10:00:00", ""), ("2026-03-14 10:00:00", "120144"),
])
def test_trading_time_and_calendar(make_harness, when, expect):
    h = make_harness(when=T(when))
    setup(h, "600519.SH", 10.0, ask=10.0)
    assert code_of(h, h.buy("600519.SH", 100, 10.0)) == expect


@pytest.mark.parametrize("when,mode,status", [
    ("2026-03-10 09:26", "hold", xc.ORDER_WAIT_REPORTING), ("2026-03-10 12:00", "hold", xc.ORDER_WAIT_REPORTING),
    ("2026-03-10 09:26", "reject", xc.ORDER_JUNK), ("2026-03-10 12:00", "reject", xc.ORDER_JUNK),
])
def test_hold_or_reject_outside_session(make_harness, when, mode, status):
    h = make_harness(when=T(when), outside_session=mode)
    setup(h, "600519.SH", 10.0, ask=10.0)
    oid = h.buy("600519.SH", 100, 10.0)
    assert h.status(oid) == status


def test_held_order_is_reported_and_matched_at_13_00(make_harness):
    h = make_harness(when=T("2026-03-10 12:00"))
    setup(h, "600519.SH", 10.0, ask=10.0)
    oid = h.buy("600519.SH", 100, 10.0)
    assert h.asset().frozen_cash == 1005.01
    h.clock.set(T("2026-03-10 13:00:00"))
    h.counter.poll()
    h.idle()
    assert h.cb.statuses(oid) == [xc.ORDER_WAIT_REPORTING, xc.ORDER_REPORTED, xc.ORDER_SUCCEEDED]


@pytest.mark.parametrize("when,code,allowed", [
    ("2026-03-10 09:18", "600519.SH", True), ("2026-03-10 09:21", "600519.SH", False),
    ("2026-03-10 09:27", "600519.SH", False), ("2026-03-10 10:00", "600519.SH", True),
    ("2026-03-10 14:56:59", "600519.SH", True), ("2026-03-10 14:57", "600519.SH", False),
    ("2026-07-03 14:58", "510300.SH", True), ("2026-07-06 14:58", "510300.SH", False),
    ("2026-03-10 14:58", "159919.SZ", False),
])
def test_cancel_windows(make_harness, when, code, allowed):
    h = make_harness(when=T(when[:10] + " 09:16"))
    setup(h, code, 3.9, bid=3.8)
    oid = h.buy(code, 100, 3.85)
    h.clock.set(T(when))
    assert (h.cancel(oid) == 0) is allowed
    assert h.status(oid) == (xc.ORDER_CANCELED if allowed else xc.ORDER_REPORTED)


@pytest.mark.parametrize("code,pt,expect", [
    ("600519.SH", xc.MARKET_SZ_CONVERT_5_CANCEL, "SIM-MKT"), ("000001.SZ", xc.MARKET_SH_CONVERT_5_CANCEL, "SIM-MKT"),
    ("600519.SH", xc.MARKET_PEER_PRICE_FIRST, ""), ("000001.SZ", xc.MARKET_SZ_FULL_OR_CANCEL, ""),
    ("920001.BJ", xc.MARKET_SH_CONVERT_5_LIMIT, ""), ("920001.BJ", xc.MARKET_SZ_INSTBUSI_RESTCANCEL, "SIM-MKT"),
])
def test_market_price_types_per_exchange(make_harness, code, pt, expect):
    h = make_harness()
    setup(h, code, 10.0, ask=10.0)
    assert code_of(h, h.buy(code, 100, 0, pt)) == expect


def test_market_orders_refused_in_closing_auction(make_harness):
    h = make_harness(when=T("2026-03-10 14:58"))
    setup(h, "600519.SH", 10.0, ask=10.0)
    assert code_of(h, h.buy("600519.SH", 100, 0, MKT42)) == "SIM-MKT"


def test_suspended_and_untradable(make_harness):
    h = make_harness()
    setup(h, "600519.SH", 10.0, ask=10.0, suspended=1)
    assert code_of(h, h.buy("600519.SH", 100, 10.0)) == "SIM-HALT"
    h.md.set_suspended("600519.SH", False)
    assert code_of(h, h.buy("600519.SH", 100, 10.0)) == ""
    assert code_of(h, h.buy("000300.SH", 100, 10.0)) == "SIM-CODE"
    assert code_of(h, h.buy("430047.BJ", 100, 10.0)) == "SIM-CODE"


@pytest.mark.parametrize("extra,expect", [(0, ""), (100, "SIM-STCAP")])
def test_st_daily_buy_cap(make_harness, extra, expect):
    h = make_harness(cash=50_000_000)
    setup(h, "600001.SH", 4.0, ask=4.0, is_st=1)
    first = h.buy("600001.SH", 300_000, 4.0)          # filled
    h.ledger = h.counter.ledger
    assert h.status(first) == xc.ORDER_SUCCEEDED
    second = h.buy("600001.SH", 100_000, 3.9)         # resting, still counts
    assert h.status(second) == xc.ORDER_REPORTED
    assert code_of(h, h.buy("600001.SH", 100_000 + extra, 3.9)) == expect


@pytest.mark.parametrize("cash,expect", [("1005.01", ""), ("1005.00", "260200")])
def test_funds_include_fees(make_harness, cash, expect):
    h = make_harness(cash=Decimal(cash))
    setup(h, "600519.SH", 10.0, ask=10.0)
    oid = h.buy("600519.SH", 100, 10.0)
    assert code_of(h, oid) == expect
    if not expect:
        assert h.asset().cash == 0.0


def test_latest_price_type_uses_last_price(h):
    setup(h, "600519.SH", 10.0, ask=10.0)
    oid = h.buy("600519.SH", 100, 0, xc.LATEST_PRICE)
    assert h.order(oid).price == 10.0 and h.status(oid) == xc.ORDER_SUCCEEDED
