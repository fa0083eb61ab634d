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
    assert run.engine.portfolio.positions[CODE].volume == 1000
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
