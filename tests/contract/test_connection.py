"""Disconnects and reconnects through the gateway: HALTED while down, a new session, reconciliation."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.broker import BrokerError
from engine.models import OrderStatus, TradingState
from engine.sim import FaultConfig

from .checks import assert_engine_thread_only, connection_kinds, rows_of
from .harness import CODE, START, LiveRun

DOWN_AT = START + dt.timedelta(minutes=5)


def reconnect_by_stepping_the_clock(run: LiveRun, step_seconds: float = 3.0, max_steps: int = 30) -> None:
    """Move the clock in steps (each one lets the monitor try) until ``on_reconnect`` ran."""
    for _ in range(max_steps):
        if run.recorder.hooks("on_reconnect"):
            return
        run.advance(seconds=step_seconds)
        run.on_engine(lambda: None, "a monitor step")
    run.wait_for(lambda: run.recorder.hooks("on_reconnect"), "on_reconnect")


def test_disconnect_halts_then_reconnect_with_a_new_session_reconciles_a_missed_fill(make_broker, tmp_path):
    broker = make_broker(faults=FaultConfig(disconnect_at=(DOWN_AT,), reconnect_after_s=20))
    run = LiveRun(tmp_path, broker)
    seen = {}

    def script(run):
        run.publish(10.05)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        order = seen["order"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.0), "buy")
        run.wait_for(lambda: order.status is OrderStatus.REPORTED, "the order reported")
        run.broker.clock.set(DOWN_AT)
        run.broker.counter.poll()                                       # the counter drops every session
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect")
        seen["state_while_down"] = run.engine.account_state
        run.publish(10.0, ask_lots=10)                                  # fills at the counter, unseen by the engine
        run.wait_for(lambda: run.engine.last_ticks[CODE].last_price == 10.0, "the tick while disconnected")
        seen["denied"] = run.on_engine(lambda: run.ctx.buy(CODE, 100, 10.0), "buy while halted")
        seen["status_while_down"] = order.status
        reconnect_by_stepping_the_clock(run)

    run.run(script)

    order = seen["order"]
    assert seen["state_while_down"] is TradingState.HALTED and seen["denied"] is None
    assert seen["status_while_down"] is OrderStatus.REPORTED
    assert run.engine.account_state is TradingState.ACTIVE
    hooks = [name for name, _ in run.recorder.hooks("on_disconnect", "on_reconnect")]
    assert hooks == ["on_disconnect", "on_reconnect"]
    kinds = connection_kinds(run)
    assert kinds[:3] == ["connected", "disconnected", "reconnecting"] and kinds[-1] == "reconnected"
    assert "failed" in kinds                                            # refused for 20 s after the drop
    sessions = broker.sessions
    assert len(sessions) >= 3 and sessions == sorted(set(sessions))      # every attempt: a new session id
    rows = rows_of(run, "connection_events")
    assert rows[0]["session_id"] == sessions[0] and rows[-1]["session_id"] == sessions[-1]
    states = [(r["previous"], r["current"], r["cause"]) for r in rows_of(run, "trading_states")]
    assert states == [("ACTIVE", "HALTED", "disconnect"), ("HALTED", "ACTIVE", "reconnected")]
    denials = rows_of(run, "order_denials")
    assert [r["rule"] for r in denials] == ["trading_state"]
    diffs = {r["kind"] for r in rows_of(run, "reconciliation_diffs")}
    assert {"order_status", "fill_missed"} <= diffs
    assert order.status is OrderStatus.SUCCEEDED and order.fill_volume == 1000
    fills = rows_of(run, "fills")
    assert [(r["client_order_id"], r["volume"]) for r in fills] == [(order.client_order_id, 1000)]
    assert run.engine.ledger.positions[CODE].volume == 1000
    assert_engine_thread_only(run)


def test_native_disconnect_push_and_a_session_refused_until_a_given_time(native_broker, tmp_path):
    broker = native_broker
    native = broker.native
    run = LiveRun(tmp_path, broker)
    reopen = START + dt.timedelta(seconds=15)

    def script(run):
        native.refuse_connect_until = reopen
        assert native.drop_connections() == 1
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect")
        reconnect_by_stepping_the_clock(run, step_seconds=2.0)

    run.run(script)

    assert run.recorder.hooks("on_disconnect") == [("on_disconnect", "the SDK reported on_disconnected")]
    first = native.clients[0]
    assert [key for key, _ in first.delivered][-1] == "OnDisconnected"
    reconnected = [r for r in rows_of(run, "connection_events") if r["kind"] == "reconnected"]
    assert len(reconnected) == 1 and run.broker.clock.now() >= reopen
    refused = [c for c in native.clients[1:-1]]
    assert refused and not any(c.connected for c in refused)
    assert native.clients[-1].session == reconnected[0]["session_id"] != first.session
    assert run.engine.account_state is TradingState.ACTIVE
    assert_engine_thread_only(run)


@pytest.mark.parametrize("how", ["connect-switch", "unserved-path"])
def test_native_connect_failure_at_start_is_a_broker_error(native_broker, tmp_path, how):
    broker = native_broker
    if how == "connect-switch":
        broker.native.connect_result = -1
    else:
        broker.userdata = tmp_path / "nobody-listens-here"
    run = LiveRun(tmp_path, broker)

    with pytest.raises(BrokerError, match=r"connect\(\) returned -1"):
        run.run(lambda run: pytest.fail("the scenario must not start"))

    assert run.recorder.hooks("on_start") == []
    assert [r["reason"] for r in rows_of(run, "run_stops")] == ["error"]


def test_silent_disconnect_is_caught_by_the_liveness_query(native_broker, tmp_path):
    """No disconnect push at all: the next liveness query gets no answer, which counts as a disconnect."""
    run = LiveRun(tmp_path, native_broker, live="liveness_seconds: 30\n")

    def script(run):
        run.advance(seconds=1)
        run.on_engine(lambda: None, "the first liveness query")
        assert native_broker.native.drop_connections(push=False) == 1
        run.advance(seconds=31)                                         # the next liveness query is due
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect from the liveness check")
        reconnect_by_stepping_the_clock(run)

    run.run(script)

    assert run.recorder.hooks("on_disconnect") == [("on_disconnect", "liveness query got no answer")]
    assert "OnDisconnected" not in [key for key, _ in native_broker.native.clients[0].delivered]
    assert connection_kinds(run)[-1] == "reconnected"
    assert run.engine.account_state is TradingState.ACTIVE
    assert_engine_thread_only(run)


def test_order_in_flight_when_the_link_dies_is_found_by_client_id_and_not_resent(native_broker, tmp_path):
    """The counter took the order but neither its response nor its pushes came back before the disconnect."""
    run = LiveRun(tmp_path, native_broker)
    seen = {}

    def script(run):
        run.publish(10.05)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        native_broker.native.drop_after_next_order = True
        order = seen["order"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.0), "buy")
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect")
        seen["while_down"] = (order.status, order.order_id)
        reconnect_by_stepping_the_clock(run)

    run.run(script)

    order = seen["order"]
    assert seen["while_down"] == (OrderStatus.UNREPORTED, None)
    at_broker = native_broker.counter.query_orders()
    assert len(at_broker) == 1 and at_broker[0].order_remark == order.client_order_id
    assert order.order_id == at_broker[0].order_id and order.status is OrderStatus.REPORTED
    assert [c.method for c in native_broker.calls].count("orderStockWithSeq") == 1
    diffs = [(r["kind"], r["subject"]) for r in rows_of(run, "reconciliation_diffs")]
    assert ("order_status", order.client_order_id) in diffs
    assert_engine_thread_only(run)


def test_cancel_requested_before_the_order_was_acknowledged_survives_a_lost_response(native_broker, tmp_path):
    """The strategy cancels an order whose response was lost with the connection; after the reconnect the
    order is known again (by client id), so the cancel the strategy asked for must go out."""
    run = LiveRun(tmp_path, native_broker)
    seen = {}

    def script(run):
        run.publish(10.05)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        native_broker.native.drop_after_next_order = True

        def buy_then_cancel():
            order = run.ctx.buy(CODE, 1000, 10.0)
            return order, run.ctx.cancel(order)

        order, seen["cancel_sent"] = run.on_engine(buy_then_cancel, "buy, then cancel at once")
        seen["order"] = order
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect")
        reconnect_by_stepping_the_clock(run)
        run.wait_for(lambda: order.status is OrderStatus.CANCELED, "the requested cancel carried out", timeout=1)

    try:
        run.run(script)
    finally:
        seen["at_broker"] = [o.order_status for o in native_broker.counter.query_orders()]

    assert seen["cancel_sent"] is True
    assert seen["at_broker"] == [54]
