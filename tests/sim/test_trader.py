"""SimXtQuantTrader: the SDK's interface, threading, hold-back rules and API-level failures."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from engine.sim import (FaultConfig, SimCallbackThreadError, SimXtQuantTrader, register_counter,
                        unregister_counter)
from engine.sim.faults import Push
from engine.xt import constants as xc
from engine.xt.records import (StockAccount, XtCancelError, XtCancelOrderResponse, XtOrderError,
                              XtOrderResponse, XtQuantTraderCallback)

from .conftest import Recorder, position

T = dt.datetime.fromisoformat
CODE = "600519.SH"


def ready(h, ask=10.0, ask_lots=100_000, bid=None):
    h.instrument(CODE, name="Test")
    h.quote(CODE, 10.0, pre_close=10.0, ask=ask, bid=bid, ask_lots=ask_lots)


def test_pushes_arrive_on_the_worker_thread_in_sdk_order(make_harness):
    h = make_harness(delivery="thread")
    ready(h)
    threads: set[str] = set()
    orig = h.cb.__class__.__getattribute__

    class ThreadRecorder(Recorder):
        def __getattribute__(self, name):
            if name.startswith("on_"):
                threads.add(threading.current_thread().name)
            return orig(self, name)

    h.cb = h.trader.callback = ThreadRecorder()
    seq = h.trader.order_stock_async(h.acc, CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0, "strat", "r1")
    assert seq > 0 and h.trader.wait_idle(5.0)
    assert threads == {"SimXtQuantTrader-1"}
    assert h.cb.names() == ["on_order_stock_async_response", "on_stock_order", "on_stock_asset",
                            "on_stock_order", "on_stock_trade", "on_stock_position", "on_stock_asset"]
    resp = h.cb.of("on_order_stock_async_response")[0]
    assert (resp.seq, resp.strategy_name, resp.order_remark) == (seq, "strat", "r1")
    trade = h.cb.of("on_stock_trade")[0]
    assert trade.commission == 5.01 and trade.order_remark == "r1"   # all fees of the fill


def test_sync_order_stock_returns_the_order_id(make_harness):
    h = make_harness(delivery="thread")
    ready(h)
    oid = h.trader.order_stock(h.acc, CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0)
    assert oid == 1 and h.trader.query_stock_order(h.acc, oid).order_status == xc.ORDER_SUCCEEDED
    assert not h.cb.of("on_order_stock_async_response")   # the sync form has no async response


@pytest.mark.parametrize("args", [
    ("600519", xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0), (CODE, 99, 100, xc.FIX_PRICE, 10.0),
    (CODE, xc.STOCK_BUY, 0, xc.FIX_PRICE, 10.0), (CODE, xc.STOCK_BUY, 100.0, xc.FIX_PRICE, 10.0),
    (CODE, xc.STOCK_BUY, True, xc.FIX_PRICE, 10.0), (CODE, xc.STOCK_BUY, 100, 77, 10.0),
    (CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, -1.0), (CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, "10"),
])
def test_bad_arguments_return_minus_one(h, args):
    ready(h)
    assert h.trader.order_stock_async(h.acc, *args) == -1
    assert h.trader.order_stock(h.acc, *args) == -1
    assert not h.cb.calls


def test_not_connected_or_not_subscribed_return_minus_one(h):
    ready(h)
    fresh = SimXtQuantTrader("/p", 9, Recorder(), counter=h.counter)
    args = (CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0)
    assert fresh.order_stock_async(h.acc, *args) == -1            # not started/connected
    assert fresh.connect() == -1
    fresh.start()
    assert fresh.connect() == 0
    assert fresh.order_stock_async(h.acc, *args) == -1            # not subscribed
    assert fresh.query_stock_asset(h.acc) is None
    assert fresh.subscribe(StockAccount("OTHER")) == -1
    assert fresh.subscribe(h.acc) == 0
    assert fresh.order_stock_async(h.acc, *args) > 0
    fresh.stop()


@pytest.mark.parametrize("delivery", ["thread", "sync"])
def test_sync_call_inside_a_callback_raises_a_clear_error(make_harness, delivery):
    h = make_harness(delivery=delivery)
    ready(h)
    caught: list[BaseException] = []

    class Reentrant(XtQuantTraderCallback):
        def on_stock_trade(self, trade):
            try:
                h.trader.query_stock_asset(h.acc)
            except SimCallbackThreadError as exc:
                caught.append(exc)
            # async calls from a callback are fine, as with the SDK
            h.trader.query_stock_positions_async(h.acc, lambda positions: caught.append(positions))

    h.trader.callback = Reentrant()
    h.trader.order_stock_async(h.acc, CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0)
    h.idle()
    assert isinstance(caught[0], RuntimeError)
    assert "sync SDK call from the callback thread" in str(caught[0])
    assert [p.volume for p in caught[1]] == [100]


def test_order_error_before_its_response_is_held_back(h):
    """xttrader.on_push_OrderError: an error whose seq still awaits its response waits for it."""
    d = h.trader._delivery
    d.expect_order_response(7)
    err = XtOrderError(h.acc.account_id, 42, 1, "[COUNTER][SIM-X][x]", "s", "r", 7)
    d.accept([Push("order_error", err, h.trader)])
    h.idle()
    assert not h.cb.calls
    d.queue_response("order_stock_async_response",
                     XtOrderResponse(h.acc.account_id, 42, "s", "r", "", 7),
                     h.trader._callback_method("on_order_stock_async_response"))
    h.idle()
    assert h.cb.names() == ["on_order_stock_async_response", "on_order_error"]


def test_cancel_error_before_its_response_is_held_back(h):
    d = h.trader._delivery
    err = XtCancelError(h.acc.account_id, 5, 0, "S000000005", 1, "refused")
    d.accept([Push("cancel_error", err, h.trader)])
    h.idle()
    assert not h.cb.calls
    d.queue_cancel_response(XtCancelOrderResponse(h.acc.account_id, -1, 5, "S000000005", 3, "refused"),
                            h.trader._callback_method("on_cancel_order_stock_async_response"))
    h.idle()
    assert h.cb.names() == ["on_cancel_order_stock_async_response", "on_cancel_error"]


def test_rejection_is_reported_then_junk_then_error(h):
    ready(h)
    h.counter.ledger.balance -= h.counter.ledger.balance   # no cash
    seq = h.trader.order_stock_async(h.acc, CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0, "s", "rem")
    h.idle()
    assert h.cb.names() == ["on_order_stock_async_response", "on_stock_order", "on_stock_order",
                            "on_order_error"]
    err = h.cb.of("on_order_error")[0]
    assert err.seq == seq and err.order_remark == "rem" and err.error_id == 2147483647
    assert err.error_msg.startswith("[COUNTER][260200][可用资金不足]")
    assert h.cb.statuses() == [xc.ORDER_REPORTED, xc.ORDER_JUNK]
    assert h.cb.of("on_stock_order")[1].status_msg == err.error_msg


def test_cancel_life_cycle_and_partly_cancelled(h):
    ready(h, ask_lots=3)
    oid = h.buy(CODE, 500, 10.0)
    assert h.status(oid) == xc.ORDER_PART_SUCC
    assert h.asset().frozen_cash > 0
    assert h.cancel(oid) == 0
    assert h.cb.statuses(oid)[-3:] == [xc.ORDER_PART_SUCC, xc.ORDER_PARTSUCC_CANCEL, xc.ORDER_PART_CANCEL]
    assert h.asset().frozen_cash == 0
    assert h.cancel(oid) == -1            # already final
    assert h.cancel(999) == -2            # unknown
    err = h.cb.of("on_cancel_error")[-1]
    assert err.order_id == oid and err.market == xc.MARKET_ENUM_SHANGHAI


def test_async_cancel_answers_in_the_response(h):
    ready(h, ask=10.5)
    oid = h.buy(CODE, 100, 10.0)
    seq = h.trader.cancel_order_stock_async(h.acc, oid)
    h.idle()
    resp = h.cb.of("on_cancel_order_stock_async_response")[0]
    assert (resp.seq, resp.cancel_result, resp.order_id) == (seq, 0, oid)
    assert h.cb.statuses(oid) == [xc.ORDER_REPORTED, xc.ORDER_REPORTED_CANCEL, xc.ORDER_CANCELED]


def test_sell_freezes_volume_and_cancel_returns_it(make_harness):
    h = make_harness(positions=[position(CODE, 300)])
    ready(h, bid=9.0)
    oid = h.sell(CODE, 200, 10.0)
    pos = h.position(CODE)
    assert (pos.volume, pos.can_use_volume, pos.frozen_volume) == (300, 100, 200)
    h.cancel(oid)
    pos = h.position(CODE)
    assert (pos.volume, pos.can_use_volume, pos.frozen_volume) == (300, 300, 0)


def test_queries_and_async_queries(make_harness):
    h = make_harness(delivery="thread")
    ready(h)
    h.buy(CODE, 100, 10.0)
    got = {}
    h.trader.query_stock_asset_async(h.acc, lambda a: got.setdefault("asset", a))
    h.trader.query_stock_orders_async(h.acc, lambda o: got.setdefault("orders", o))
    h.trader.query_stock_trades_async(h.acc, lambda t: got.setdefault("trades", t))
    h.trader.query_stock_positions_async(h.acc, lambda p: got.setdefault("positions", p))
    h.idle()
    assert got["asset"].cash == pytest.approx(1_000_000 - 1005.01)
    assert [o.order_id for o in got["orders"]] == [1]
    assert [t.traded_volume for t in got["trades"]] == [100]
    assert [p.stock_code for p in got["positions"]] == [CODE]
    assert h.trader.query_stock_orders(h.acc, cancelable_only=True) == []
    assert h.trader.query_stock_position(h.acc, "000001.SZ") is None
    assert h.trader.query_account_status()[0].status == xc.ACCOUNT_STATUS_OK


def test_registry_lets_an_unchanged_script_find_the_counter(h):
    register_counter("C:/qmt/userdata_mini", h.counter)
    try:
        trader = SimXtQuantTrader("C:/qmt/userdata_mini", 123456)
        assert trader.counter is h.counter
    finally:
        unregister_counter("C:/qmt/userdata_mini")
    with pytest.raises(KeyError, match="register_counter"):
        SimXtQuantTrader("D:/nowhere", 1)


def test_disconnect_and_reconnect_with_a_new_session(make_harness):
    faults = FaultConfig(disconnect_at=(T("2026-03-10 10:00:05"),), reconnect_after_s=30)
    h = make_harness(delivery="thread", faults=faults)
    ready(h)
    h.buy(CODE, 100, 10.0)
    h.clock.set(T("2026-03-10 10:00:06"))
    h.counter.poll()
    h.idle()
    assert h.cb.names()[-1] == "on_disconnected" and not h.trader.connected
    assert h.trader.order_stock_async(h.acc, CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0) == -1
    second = SimXtQuantTrader("/p", 2, h.cb, counter=h.counter)
    second.start()
    assert second.connect() == -1                    # reconnect not allowed yet
    h.clock.set(T("2026-03-10 10:00:40"))
    assert second.connect() == 0 and second.subscribe(h.acc) == 0
    assert [o.order_id for o in second.query_stock_orders(h.acc)] == [1]   # same counter
    seq = second.order_stock_async(h.acc, CODE, xc.STOCK_BUY, 100, xc.FIX_PRICE, 10.0)
    assert second.wait_idle(5.0)
    assert [r.order_id for r in h.cb.of("on_order_stock_async_response") if r.seq == seq][-1] == 2
    second.stop()
