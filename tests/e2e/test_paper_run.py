"""A whole paper run through the real engine, simulator, gateway and audit database."""

from __future__ import annotations

import threading

import pytest

from engine.events import JournalError

from engine.models import OrderStatus
from engine.xt import constants as xtc

from .plugins import BuyThenSell, DenyAll, ExplodingRisk, ExplodingStrategy, Recorder


def test_hook_order_over_a_run(engine_factory):
    recorder, trader = Recorder(), BuyThenSell()
    # registered last, so pluggy calls the recorder first: it sees each tick before the trader acts
    summary = engine_factory(plugins=[("trader", trader), ("recorder", recorder)]).run()
    assert summary.reason == "completed"
    names = recorder.names()
    lifecycle = [n for n in names if n not in ("track_event",)]
    assert lifecycle[0] == "on_start" and lifecycle[-1] == "on_stop"
    assert names[0] == "track_event" and recorder.calls[0][1] == "run_started"
    assert recorder.calls[-1][1] == "run_stopped"
    # the buy, placed on the 09:25 auction snapshot: on_tick -> check_order -> (journal) ->
    # on_order 49 (held until 09:30, as counters do) -> 50 (reported) -> 56 (filled) -> on_trade
    buy_id = trader.orders[0].client_order_id
    order_flow = [(n, d) for n, d, _ in recorder.calls if n in ("check_order", "on_order", "on_trade") and buy_id in str(d)]
    assert order_flow == [
        ("check_order", buy_id),
        ("on_order", (buy_id, xtc.ORDER_WAIT_REPORTING)),
        ("on_order", (buy_id, xtc.ORDER_REPORTED)),
        ("on_order", (buy_id, xtc.ORDER_SUCCEEDED)),
        ("on_trade", buy_id),
    ]
    first_tick = names.index("on_tick")
    assert names.index("check_order") > first_tick
    assert names.count("on_heartbeat") > 10
    assert summary.orders == 2 and summary.fills == 2


def test_every_hook_runs_on_the_engine_thread_and_pushes_come_from_the_sdk_thread(engine_factory):
    recorder = Recorder()
    engine = engine_factory(plugins=[("recorder", recorder), ("trader", BuyThenSell())])
    engine.run()
    threads = {thread for _, _, thread in recorder.calls}
    assert threads == {threading.get_ident()}
    callback_threads = engine.gateway.callback.thread_ids if engine.gateway.callback else set()
    assert callback_threads and threading.get_ident() not in callback_threads


def test_audit_rows_of_a_paper_run(engine_factory, audit_rows):
    trader = BuyThenSell()
    engine = engine_factory(plugins=[("trader", trader)])
    summary = engine.run()
    [run] = audit_rows("runs")
    assert run["run_id"] == engine.run_id and run["mode"] == "paper"
    intents = audit_rows("order_intents")
    assert [(r["side"], r["volume"], r["strategy"]) for r in intents] == [("buy", 200, "trader"), ("sell", 200, "trader")]
    fills = audit_rows("fills")
    assert len(fills) == 2 and {f["client_order_id"] for f in fills} == {o.client_order_id for o in trader.orders}
    buy_fill = fills[0]
    assert buy_fill["commission"] == "5.02" or buy_fill["commission"].startswith("5.")  # min commission + transfer fee
    decisions = audit_rows("risk_decisions")
    from engine.builtin.risk import RISK_PLUGINS

    assert {d["plugin"] for d in decisions} == {name for name, _ in RISK_PLUGINS} and all(d["allowed"] for d in decisions)
    updates = audit_rows("order_updates", f"client_order_id = '{trader.orders[0].client_order_id}'")
    assert [u["status"] for u in updates] == [xtc.ORDER_WAIT_REPORTING, xtc.ORDER_REPORTED, xtc.ORDER_SUCCEEDED]
    connections = audit_rows("connection_events")
    assert connections[0]["kind"] == "connected"
    # every row carries the run id, a sequence number and a timestamp; seq is unique across tables
    seqs = []
    for table in ("order_intents", "fills", "risk_decisions", "order_updates", "order_submissions", "connection_events"):
        for row in audit_rows(table):
            assert row["run_id"] == engine.run_id and row["ts"]
            seqs.append(row["seq"])
    assert len(seqs) == len(set(seqs))
    assert summary.fees == sum(__import__("decimal").Decimal(f["commission"]) for f in fills)


def test_denied_order_never_reaches_the_broker(engine_factory, audit_rows):
    trader = BuyThenSell()
    engine = engine_factory(plugins=[("deny_all", DenyAll()), ("trader", trader)])
    summary = engine.run()
    assert trader.orders == [None]
    assert summary.denials == 1 and summary.orders == 0
    assert engine.runtime.counter.query_orders() == []
    [denial] = audit_rows("order_denials")
    assert (denial["rule"], denial["plugin"], denial["reason"]) == ("deny_all", "deny_all", "tests deny everything")
    assert audit_rows("order_intents") == []


def test_a_risk_plugin_that_raises_denies_the_order_fail_closed(engine_factory, audit_rows):
    trader = BuyThenSell()
    summary = engine_factory(plugins=[("flaky_risk", ExplodingRisk()), ("trader", trader)]).run()
    assert trader.orders == [None] and summary.denials == 1
    [denial] = audit_rows("order_denials")
    assert denial["plugin"] == "flaky_risk" and denial["rule"] == "plugin_error"
    assert "risk backend unavailable" in denial["reason"]
    [error] = audit_rows("plugin_errors")
    assert error["plugin"] == "flaky_risk" and error["hook"] == "check_order"


def test_failing_strategy_is_isolated_recorded_and_faulted(engine_factory, audit_rows):
    bad, trader = ExplodingStrategy(), BuyThenSell()
    engine = engine_factory("engine: {max_consecutive_failures: 3}\n", plugins=[("bad", bad), ("trader", trader)])
    summary = engine.run()
    assert bad.calls == 3
    assert summary.reason == "completed" and summary.fills == 2
    assert summary.faulted_plugins == ["bad"]
    errors = audit_rows("plugin_errors")
    assert [e["consecutive_failures"] for e in errors] == [1, 2, 3]
    assert [e["faulted"] for e in errors] == [0, 0, 1]
    first = errors[0]
    assert first["hook"] == "on_tick" and first["error_type"] == "ZeroDivisionError"
    assert "bad math on 600000.SH" in first["traceback"] and "600000.SH" in first["hook_input"]


def test_limit_order_below_the_market_rests_and_can_be_cancelled(engine_factory, audit_rows):
    from engine import hookimpl

    class RestThenCancel:
        def __init__(self):
            self.order = None
            self.cancelled = False

        @hookimpl
        def on_tick(self, ctx, tick):
            if tick.time.hour == 9 and tick.time.minute < 30:
                return  # wait for the continuous auction
            if self.order is None and tick.bid1:
                self.order = ctx.buy(tick.code, 100, price=round(tick.bid1 * 0.97, 2))
            elif self.order is not None and self.order.order_id and not self.cancelled:
                self.cancelled = ctx.cancel(self.order)

    strategy = RestThenCancel()
    engine_factory(plugins=[("rest", strategy)]).run()
    assert strategy.cancelled and strategy.order.status is OrderStatus.CANCELED
    statuses = [u["status"] for u in audit_rows("order_updates")]
    assert statuses == [xtc.ORDER_REPORTED, xtc.ORDER_REPORTED_CANCEL, xtc.ORDER_CANCELED]
    assert len(audit_rows("cancel_requests")) == 1


def test_counter_rejection_arrives_as_junk_and_on_order_error(engine_factory, audit_rows):
    recorder = Recorder()

    class SellWithoutPosition:
        done = False

        from engine import hookimpl as _hookimpl

        @_hookimpl
        def on_tick(self, ctx, tick):
            if not self.done and tick.bid1 and tick.time.minute != 25:
                self.done = True
                ctx.sell(tick.code, 100, price=tick.bid1)

    summary = engine_factory(plugins=[("recorder", recorder), ("seller", SellWithoutPosition())]).run()
    assert summary.order_errors == 1
    [error] = audit_rows("order_errors")
    assert "251005" in error["error_msg"] and "证券可用数量不足" in error["error_msg"]
    assert recorder.names("on_order_error") == ["on_order_error"]
    assert audit_rows("order_updates")[-1]["status"] == xtc.ORDER_JUNK


class BrokenJournal:
    """A journal that cannot write: every durable event fails."""

    AUDIT_JOURNAL = True

    def __init__(self) -> None:
        self.fail = False

    from engine import hookimpl as _hookimpl

    @_hookimpl
    def track_event(self, event):
        if self.fail:
            raise OSError("disk full")


def test_an_order_whose_intent_cannot_be_journalled_is_never_sent(engine_factory):
    journal, trader = BrokenJournal(), BuyThenSell()

    from engine import hookimpl

    class BreakJournalOnStart:
        @hookimpl
        def on_start(self):
            journal.fail = True

    engine = engine_factory(plugins=[("journal", journal), ("breaker", BreakJournalOnStart()), ("trader", trader)])
    summary = engine.run()
    assert trader.orders == [None]
    assert engine.runtime.counter.query_orders() == []
    assert summary.orders == 0 and engine.stats.journal_failures == 1


def test_a_faulted_journal_blocks_orders_instead_of_letting_them_out_unjournalled(engine_factory):
    journal, trader = BrokenJournal(), BuyThenSell()
    journal.fail = True
    engine = engine_factory("engine: {max_consecutive_failures: 1}\n", plugins=[("journal", journal), ("trader", trader)])
    engine.dispatch.faulted.add("journal")  # as if it had failed max_consecutive_failures times
    journal.fail = False
    with pytest.raises(JournalError, match="journal is faulted; run_started was not recorded"):
        engine.run()  # the run refuses to start rather than trade unjournalled
    assert trader.orders == [] and engine.runtime.counter.query_orders() == []


def test_disconnect_halts_trading_then_reconnects_with_a_new_session_and_reconciles(engine_factory, audit_rows):
    recorder = Recorder()
    engine = engine_factory(
        paper="faults: {disconnect_at: ['2026-03-09 10:00:00'], reconnect_after_s: 20}\n",
        plugins=[("trader", BuyThenSell()), ("recorder", recorder)],
    )
    summary = engine.run()
    assert summary.reason == "completed"
    kinds = [row["kind"] for row in audit_rows("connection_events")]
    assert kinds[:2] == ["connected", "disconnected"]
    assert "reconnected" in kinds and kinds.index("reconnected") > kinds.index("reconnecting")
    sessions = [row["session_id"] for row in audit_rows("connection_events")]
    assert sessions[-1] > sessions[0]  # a new trader, a new session id
    states = [(row["previous"], row["current"], row["cause"]) for row in audit_rows("trading_states")]
    assert states == [("ACTIVE", "HALTED", "disconnect"), ("HALTED", "ACTIVE", "reconnected")]
    hooks = recorder.names("on_disconnect", "on_reconnect")
    assert hooks[:2] == ["on_disconnect", "on_reconnect"]
    assert summary.fills == 2  # trading went on after the reconnect


def test_market_order_uses_the_exchange_constant_and_fills(engine_factory, audit_rows):
    from engine import hookimpl

    class MarketBuyer:
        order = None

        @hookimpl
        def on_tick(self, ctx, tick):
            if self.order is None and tick.time.hour == 10:
                self.order = ctx.buy(tick.code, 100, price_type="market")

    buyer = MarketBuyer()
    engine_factory(plugins=[("buyer", buyer)]).run()
    assert buyer.order.price_type == xtc.MARKET_SH_CONVERT_5_CANCEL and buyer.order.price is None
    assert int(buyer.order.status) == xtc.ORDER_SUCCEEDED
    [intent] = audit_rows("order_intents")
    assert intent["price_type"] == 42 and intent["price"] is None


def test_reducing_state_lets_only_sells_within_the_sellable_volume_through(engine_factory, audit_rows):
    from engine import hookimpl

    class Reducer:
        """Day 1 buys 200; day 2 sets REDUCING, then tries a buy (denied) and a sell (allowed)."""

        def __init__(self):
            self.day, self.results = None, {}

        @hookimpl
        def on_tick(self, ctx, tick):
            day = tick.time.date()
            if tick.time.minute == 25 or not tick.ask1:
                return
            if self.day is None:
                self.day = day
                ctx.buy(tick.code, 200, price=tick.ask1)
            elif day != self.day and not self.results:
                ctx.set_trading_state("REDUCING", "test: loss limit")
                self.results["buy"] = ctx.buy(tick.code, 100, price=tick.ask1)
                self.results["oversell"] = ctx.sell(tick.code, 300, price=tick.bid1)
                self.results["sell"] = ctx.sell(tick.code, 200, price=tick.bid1)

    reducer = Reducer()
    engine_factory(plugins=[("reducer", reducer)]).run()
    assert reducer.results["buy"] is None and reducer.results["oversell"] is None
    assert reducer.results["sell"] is not None
    denials = audit_rows("order_denials")
    assert [(d["side"], d["rule"], d["plugin"]) for d in denials] == [("buy", "trading_state", "engine"), ("sell", "trading_state", "engine")]
    [state] = audit_rows("trading_states")
    assert (state["current"], state["cause"]) == ("REDUCING", "reducer: test: loss limit")


def test_strategies_cannot_reach_the_broker_except_through_risk(engine_factory, audit_rows):
    """The context offers no way to the broker; the gateway refuses orders the router did not authorise;
    and every order the counter received has a journalled intent and recorded risk decisions."""
    from engine import hookimpl
    from engine.context import StrategyContext
    from engine.models import Order, Side

    public = {name for name in dir(StrategyContext) if not name.startswith("_")}
    assert not public & {"gateway", "trader", "engine", "router", "broker"}

    attempts, at_counter = [], []

    class Sneaky:
        @hookimpl
        def on_start(self, ctx):
            engine = ctx._StrategyContext__engine  # what a determined plugin could dig out
            trader = engine.gateway.trader
            send = trader.order_stock_async

            def counted(account, code, order_type, volume, price_type, price, strategy, remark):
                at_counter.append(remark)  # every order request that reaches the counter
                return send(account, code, order_type, volume, price_type, price, strategy, remark)

            trader.order_stock_async = counted
            order = Order("sneaky-1", "sneaky", "600000.SH", Side.BUY, 100, None, xtc.FIX_PRICE)
            try:
                engine.gateway.submit(order)
            except PermissionError as exc:
                attempts.append(str(exc))

    engine = engine_factory(plugins=[("sneaky", Sneaky()), ("trader", BuyThenSell())])
    engine.run()
    assert attempts == ["order sneaky-1 did not come through the engine's risk path; not sent"]
    intents = {row["client_order_id"] for row in audit_rows("order_intents")}
    decided = {row["client_order_id"] for row in audit_rows("risk_decisions") if row["allowed"]}
    assert len(at_counter) == 2 and set(at_counter) <= intents <= decided


def test_a_faulted_risk_plugin_keeps_blocking_orders(engine_factory, audit_rows):
    from engine import hookimpl

    class EveryTickBuyer:
        def __init__(self):
            self.results = []

        @hookimpl
        def on_tick(self, ctx, tick):
            if tick.ask1 and tick.time.minute != 25 and len(self.results) < 5:
                self.results.append(ctx.buy(tick.code, 100, price=tick.ask1))

    buyer = EveryTickBuyer()
    engine = engine_factory("engine: {max_consecutive_failures: 2}\n",
                            plugins=[("flaky_risk", ExplodingRisk()), ("buyer", buyer)])
    engine.run()
    assert buyer.results == [None] * 5 and engine.dispatch.faulted == {"flaky_risk"}
    rules = [d["rule"] for d in audit_rows("order_denials")]
    assert rules == ["plugin_error", "plugin_error", "plugin_faulted", "plugin_faulted", "plugin_faulted"]


def test_sellable_volume_is_right_at_the_first_tick_after_a_day_roll_that_expired_orders(engine_factory):
    """A resting sell expires at the roll; its pushes (made before T+1 shares are released) must not
    overwrite the new day's account: day 3 opens with day 1's and day 2's buys all sellable."""
    from engine import hookimpl

    class Trader:
        def __init__(self):
            self.days, self.day3 = [], None

        @hookimpl
        def on_tick(self, ctx, tick):
            day = tick.time.date()
            if not self.days or self.days[-1] != day:
                self.days.append(day)
            n = len(self.days)
            if tick.time.minute == 25 or not tick.ask1 or ctx.open_orders(tick.code) and n < 3:
                if n == 3 and self.day3 is None:
                    self.day3 = ctx.position(tick.code).can_use_volume
                return
            position = ctx.position(tick.code)
            if n == 1 and position.volume == 0:
                ctx.buy(tick.code, 200, price=tick.ask1)
            elif n == 2 and position.volume == 200:
                ctx.buy(tick.code, 100, price=tick.ask1)
            elif n == 2 and position.volume == 300 and not any(o.side.value == "sell" for o in ctx.open_orders(tick.code)):
                ctx.sell(tick.code, 200, price=round(tick.bid1 * 1.08, 2))  # rests all day, expires at the roll
            elif n == 3 and self.day3 is None:
                self.day3 = position.can_use_volume

    trader = Trader()
    engine_factory("risk: {order: {price_band_pct: 0.1}}\n", plugins=[("trader", trader)]).run()
    assert trader.day3 == 300
