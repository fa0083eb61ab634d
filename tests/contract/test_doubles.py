"""The doubles against the real SDK files: names, record fields, xtdata's paths, and one SDK/simulator difference."""

from __future__ import annotations

import inspect
import re
import threading
from pathlib import Path

import pytest

from engine.sim import SimXtQuantTrader
from engine.xt import constants as xtc
from engine.xt.records import StockAccount, XtQuantTraderCallback

from .doubles import xtpythonclient
from .doubles.native_types import RECORD_FIELDS
from .harness import ACCOUNT, CODE, quote


def test_native_records_carry_exactly_the_xttype_attribute_names(real_xtquant):
    for kind, fields in RECORD_FIELDS.items():
        cls = getattr(real_xtquant.xttype, kind)
        arity = len(inspect.signature(cls.__init__).parameters) - 1
        expected = set(vars(cls(*[None] * arity)))
        if kind == "XtOrderError":
            expected.add("seq")                                  # read by xttrader's on_push_OrderError
        assert set(fields) == expected, kind


def test_every_native_name_xttrader_uses_exists_on_the_double(real_xtquant):
    source = Path(real_xtquant.xttrader.__file__).read_text(encoding="utf-8")
    module_names = set(re.findall(r"_XTQC_\.(\w+)", source))
    client_names = set(re.findall(r"async_client\.(\w+)", source))
    assert {"XtQuantAsyncClient", "OrderStockReq", "CancelOrderStockReq", "QueryStockOrdersReq"} <= module_names
    for name in module_names:
        assert getattr(xtpythonclient, name) is not None, name
    client = xtpythonclient.XtQuantAsyncClient("/nobody".encode("gb18030"), "xtquant", 1)
    for name in client_names:
        assert callable(getattr(client, name)), name


def test_xtdata_subscriptions_snapshots_and_instrument_details(native_broker, real_xtquant):
    xtdata, md, clock = real_xtquant.xtdata, native_broker.md, native_broker.clock
    ticks, snapshots = [], []
    seq = xtdata.subscribe_quote(CODE, period="tick", count=0, callback=ticks.append)
    first = quote(clock, 10.03)
    md.publish(first)
    assert md.wait_idle(5)
    assert ticks == [{CODE: [first[CODE]]}]                      # BSON bytes decoded by xtdata's own wrapper
    whole = xtdata.subscribe_whole_quote(["SH"], callback=snapshots.append)
    xtdata.unsubscribe_quote(seq)
    second = quote(clock, 10.04)
    md.publish(second)
    assert md.wait_idle(5)
    assert len(ticks) == 1 and snapshots == [second]
    xtdata.unsubscribe_quote(whole)
    assert xtdata.get_full_tick([CODE]) == second
    detail = xtdata.get_instrument_detail(CODE)
    assert (detail["InstrumentName"], detail["PreClose"], detail["UpStopPrice"], detail["PriceTick"]) == (
        "浦发银行", 9.9, 10.89, 0.01)
    assert xtdata.get_instrument_detail("NOT-A-CODE") is None
    called = [c.method for c in native_broker.calls if c.api == "xtdata"]
    assert called[:3] == ["subscribe_quote", "subscribe_whole_quote", "unsubscribe_quote"]


class Responses(XtQuantTraderCallback):
    def __init__(self):
        self.responses, self.done = [], threading.Event()

    def on_order_stock_async_response(self, response):
        self.responses.append(response)
        self.done.set()


def test_api_refusal_is_an_async_response_in_the_sdk_but_minus_one_in_the_simulator(native_broker, real_xtquant):
    """Pins a difference the gateway must handle both ways: the real ``order_stock_async`` always returns a
    seq; an order the API cannot send comes back as a response with ``order_id`` -1."""
    account = StockAccount(ACCOUNT)
    sdk, callback = real_xtquant.xttrader.XtQuantTrader(str(native_broker.userdata), 1), Responses()
    sdk.register_callback(callback)
    sdk.start()
    assert sdk.connect() == 0                                     # connected, but the account is not subscribed
    seq = sdk.order_stock_async(account, CODE, xtc.STOCK_BUY, 100, xtc.FIX_PRICE, 10.0, "s", "remark-1")
    assert seq > 0 and callback.done.wait(5)
    response = callback.responses[0]
    assert (response.seq, response.order_id, response.order_remark) == (seq, -1, "remark-1")
    assert "refused by the API" in response.error_msg
    sdk.stop()
    sim = SimXtQuantTrader(str(native_broker.userdata), 2, counter=native_broker.counter)
    sim.start()
    assert sim.connect() == 0
    assert sim.order_stock_async(account, CODE, xtc.STOCK_BUY, 100, xtc.FIX_PRICE, 10.0, "s", "remark-2") == -1
    sim.stop()
    assert native_broker.counter.query_orders() == []            # neither reached the counter


def test_without_the_wheel_the_loader_says_what_to_install(monkeypatch):
    from .doubles import install

    monkeypatch.setattr(install.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(install.XtquantMissing, match=r'pip install -e "\.\[test\]"'):
        install.load_real_xtquant()
