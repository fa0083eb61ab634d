"""Paper trading on live quotes: real-xtdata-shaped pushes feed the simulator and the strategies."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from engine import hookimpl
from engine.clock import ManualClock
from engine.config import ConfigError, load_config
from engine.core import Engine
from engine.runtime.paper_live import PaperLiveDataRuntime
from engine.sim import make_tick

from .conftest import wait_for

CODE = "600000.SH"
TEN = dt.datetime(2026, 3, 10, 10, 0, 0)


class FakeXtdata:
    """The calls the bridge makes on ``xtquant.xtdata``; the test pushes quotes like MiniQMT does."""

    def __init__(self):
        self.callbacks, self.unsubscribed = {}, []

    def get_instrument_detail(self, code, iscomplete=False):
        return {"InstrumentName": "浦发银行", "OpenDate": "19991110"} if code == CODE else None

    def subscribe_quote(self, code, period="1d", start_time="", end_time="", count=0, callback=None):
        self.callbacks[code] = callback
        return len(self.callbacks)

    def unsubscribe_quote(self, seq):
        self.unsubscribed.append(seq)

    def push(self, record):
        self.callbacks[CODE]({CODE: [record]})  # MiniQMT's thread


class BuyOnce:
    def __init__(self):
        self.order, self.fills = None, []

    @hookimpl
    def on_tick(self, ctx, tick):
        if self.order is None and tick.ask1:
            self.order = ctx.buy(tick.code, 100, price=tick.ask1)

    @hookimpl
    def on_trade(self, fill):
        self.fills.append(fill)


def build(tmp_path, source, plugins=(), codes="['600000.SH']"):
    path = tmp_path / "config.yaml"
    path.write_text(f"mode: paper\nlogging: {{file: null}}\naudit: {{path: audit.db}}\n"
                    f"paper: {{feed: xtdata, codes: {codes}}}\nplugins: {{load_entrypoints: false}}\n", encoding="utf-8")
    clock = ManualClock(TEN)
    return Engine(load_config(path, environ={}), extra_plugins=tuple(plugins),
                  runtime_factory=lambda e: PaperLiveDataRuntime(e, xtdata=source, clock=clock))


def test_live_quotes_reach_strategies_and_fill_simulated_orders(tmp_path, audit_rows):
    source, buyer = FakeXtdata(), BuyOnce()
    engine = build(tmp_path, source, plugins=[("buyer", buyer)])
    thread = threading.Thread(target=engine.run)
    thread.start()
    try:
        assert wait_for(lambda: CODE in source.callbacks)
        source.push(make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)]))
        assert wait_for(lambda: buyer.fills)
    finally:
        engine.stop()
        thread.join(20)
    assert buyer.fills[0].price == buyer.order.price and engine.ledger.positions[CODE].volume == 100
    assert source.unsubscribed  # the bridge let go of the real subscriptions
    assert engine.runtime.counter.instrument(CODE).name == "浦发银行"
    assert len(audit_rows("fills")) == 1


def test_unknown_codes_and_missing_codes_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="xtdata knows no instrument '000002.SZ'"):
        build(tmp_path, FakeXtdata(), codes="['000002.SZ']")
    with pytest.raises(ConfigError, match="paper.codes: list the codes"):
        build(tmp_path, FakeXtdata(), codes="null")
