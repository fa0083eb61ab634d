"""The gateway when things go wrong: missed pushes, unknown submit outcomes, silent brokers.

Each test writes its own small tick file, so the market does exactly what the scenario needs.
"""

from __future__ import annotations

import datetime as dt

from engine import hookimpl
from engine.marketdata import TickFileWriter
from engine.sim import make_tick
from engine.xt import constants as xtc

from .plugins import Recorder

DAY = dt.date(2026, 3, 10)
CODE = "600000.SH"


def at(hms: str) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time.fromisoformat(hms))


def write_ticks(folder, rows):
    """rows: (time, last, ask, bid); one level each side, 500 lots."""
    folder.mkdir(exist_ok=True)
    (folder / "instruments.csv").write_text("code,name,kind,listing_date,is_st,t0\n600000.SH,SYN Bank,stock,1999-11-10,0,0\n")
    with TickFileWriter(folder / "ticks-2026-03-10.csv") as writer:
        for when, last, ask, bid in rows:
            writer.write(CODE, make_tick(at(when), last, pre_close=10.0, asks=[(ask, 500)], bids=[(bid, 500)]))
    return folder


class RestingBuy:
    """Buys 100 at the bid on the first tick (it rests in the book)."""

    def __init__(self, price: float = 10.0):
        self.price, self.order = price, None

    @hookimpl
    def on_tick(self, ctx, tick):
        if self.order is None:
            self.order = ctx.buy(tick.code, 100, price=self.price)


def test_a_fill_missed_while_disconnected_is_reconciled_on_reconnect(engine_factory, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [
        *[(f"10:00:{s:02d}", 10.0, 10.01, 10.0) for s in range(0, 12, 3)],  # disconnect seen at 10:00:06
        ("10:00:12", 9.99, 9.99, 9.98),   # trades through the resting buy while the engine is cut off
        *[(f"10:00:{s:02d}", 9.99, 9.99, 9.98) for s in range(15, 60, 3)],
    ])
    recorder, strategy = Recorder(), RestingBuy()
    engine = engine_factory(
        paper=f"data: {data}\nfaults: {{disconnect_at: ['2026-03-10 10:00:04'], reconnect_after_s: 10}}\n",
        plugins=[("buyer", strategy), ("recorder", recorder)],
    )
    engine.run()
    order = strategy.order
    assert order.status is xtc.ORDER_SUCCEEDED or int(order.status) == xtc.ORDER_SUCCEEDED
    diffs = {(row["kind"], row["subject"]) for row in audit_rows("reconciliation_diffs")}
    assert ("order_status", order.client_order_id) in diffs
    assert any(kind == "fill_missed" for kind, _ in diffs)
    # the missed fill explains the position: no unexplained position difference remains
    assert ("position", CODE) not in diffs
    assert engine.ledger.positions[CODE].volume == 100
    # the missed fill reached the strategy as on_trade, after on_reconnect... and after on_disconnect
    names = recorder.names("on_disconnect", "on_trade", "on_reconnect")
    assert names == ["on_disconnect", "on_trade", "on_reconnect"]
    assert [row["trade_id"] for row in audit_rows("fills")] and len(audit_rows("fills")) == 1


def test_an_order_whose_submit_raised_is_found_by_client_id_and_never_resent(engine_factory, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [(f"10:00:{s:02d}", 10.0, 10.01, 10.0) for s in range(0, 30, 3)])
    strategy = RestingBuy()

    class FlakySdk:
        """The order reaches the counter, then the SDK call raises (a timeout on the way back)."""

        @hookimpl
        def on_start(self):
            trader = engine.gateway.trader
            original = trader.order_stock_async

            def sent_then_raised(*args):
                original(*args)
                raise TimeoutError("no answer from MiniQMT")

            trader.order_stock_async = sent_then_raised

    engine = engine_factory(paper=f"data: {data}\n", plugins=[("flaky", FlakySdk()), ("buyer", strategy)])
    engine.run()
    assert len(engine.runtime.counter.query_orders()) == 1  # sent exactly once
    assert strategy.order.order_id is not None and int(strategy.order.status) == xtc.ORDER_REPORTED
    [submission] = audit_rows("order_submissions")
    assert submission["result"] == -1 and "TimeoutError" in submission["detail"]
    [diff] = audit_rows("reconciliation_diffs")
    assert diff["subject"] == strategy.order.client_order_id and "found at the broker" in diff["action"]


def test_an_order_the_broker_never_answered_is_looked_up_then_marked_not_sent(engine_factory, audit_rows, tmp_path):
    data = write_ticks(tmp_path / "data", [(f"10:00:{s:02d}", 10.0, 10.01, 10.0) for s in range(0, 60, 3)])
    strategy = RestingBuy()

    class LostRequest:
        """order_stock_async returns a seq but the request never reaches the counter."""

        @hookimpl
        def on_start(self):
            engine.gateway.trader.order_stock_async = lambda *args: 4242

    engine = engine_factory("engine: {submit_timeout_seconds: 10}\n", paper=f"data: {data}\n",
                            plugins=[("lost", LostRequest()), ("buyer", strategy)])
    engine.run()
    assert engine.runtime.counter.query_orders() == []
    assert int(strategy.order.status) == xtc.ORDER_JUNK
    assert "no answer from the broker within 10 s" in strategy.order.status_msg
    updates = audit_rows("order_updates")
    assert updates[-1]["status"] == xtc.ORDER_JUNK and updates[-1]["ts"] >= "2026-03-10T10:00:10"
