"""An operator's halt given while the engine reconnects sticks; its cancels reach the broker once it is back."""

from __future__ import annotations

import datetime as dt

from engine.control import ControlStore
from engine.models import OrderStatus, TradingState
from engine.sim import FaultConfig

from .checks import assert_engine_thread_only, connection_kinds, rows_of
from .harness import CODE, START, LiveRun
from .test_connection import reconnect_by_stepping_the_clock

DOWN_AT = START + dt.timedelta(minutes=5)


def _operator_changes(run: LiveRun) -> list:
    return [e for e in run.recorder.of("trading_state") if "operator halt" in e.cause]


def test_halt_with_cancel_open_while_reconnecting_sticks_and_its_cancel_is_sent_after_the_reconnect(make_broker, tmp_path):
    broker = make_broker(faults=FaultConfig(disconnect_at=(DOWN_AT,), reconnect_after_s=20))
    run = LiveRun(tmp_path, broker)
    control = ControlStore(run.engine.config.engine.control_path)
    seen = {}

    def script(run):
        run.publish(10.05)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        order = seen["order"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 9.80), "a resting buy")
        run.wait_for(lambda: order.status is OrderStatus.REPORTED, "the order reported")
        run.broker.clock.set(DOWN_AT)
        run.broker.counter.poll()                                        # the counter drops every session
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect")
        run.advance(seconds=3)                                           # a first reconnect attempt, refused
        run.wait_for(lambda: "failed" in connection_kinds(run), "a failed reconnect attempt")
        seen["trader_after_failed_connect"] = run.engine.gateway.trader
        control.request("halt", cancel_open=True, reason="while reconnecting")   # as `qmt-engine halt` does
        run.wait_for(lambda: _operator_changes(run), "the operator's halt applied")
        seen["queued"] = run.on_engine(lambda: run.engine.orders.queued_cancels, "queued cancels")
        seen["status_while_down"] = order.status
        reconnect_by_stepping_the_clock(run)
        run.wait_for(lambda: order.status is OrderStatus.CANCELED, "the queued cancel carried out")
        run.publish(10.0)
        seen["denied"] = run.on_engine(lambda: run.ctx.buy(CODE, 100, 9.80), "a buy after the reconnect")

    run.run(script)

    order = seen["order"]
    assert seen["trader_after_failed_connect"] is None                  # the failed session's trader was dropped
    assert seen["queued"] == (order.client_order_id,) and seen["status_while_down"] is OrderStatus.REPORTED
    assert run.engine.account_state is TradingState.HALTED               # the reconnect released only 'disconnect'
    assert seen["denied"] is None
    states = [(r["previous"], r["current"], r["cause"].split(" #")[0]) for r in rows_of(run, "trading_states")]
    assert states[0] == ("ACTIVE", "HALTED", "disconnect")
    assert states[1] == ("HALTED", "HALTED", "operator halt")          # recorded, though the state did not change
    assert states[2][:2] == ("HALTED", "HALTED") and states[2][2].startswith("reconnected")
    assert len(states) == 3
    cancels = [(r["order_id"], r["result"]) for r in rows_of(run, "cancel_requests")]
    assert cancels[0] == (order.order_id, None)                        # queued: recorded with no result
    assert len(cancels) == 2 and cancels[1][0] == order.order_id and cancels[1][1] > 0
    at_broker = [o for o in broker.counter.query_orders() if o.order_remark == order.client_order_id]
    assert [o.order_status for o in at_broker] == [54]                  # cancelled at the broker
    assert control.current_states()["account"][0] == "HALTED"          # `qmt-engine state` sees the halt
    assert [r["rule"] for r in rows_of(run, "order_denials")] == ["trading_state"]
    assert_engine_thread_only(run)


def test_halt_given_while_reconnecting_survives_a_restart_and_resume_lifts_it(make_broker, tmp_path):
    broker = make_broker(faults=FaultConfig(disconnect_at=(DOWN_AT,), reconnect_after_s=20))
    run = LiveRun(tmp_path, broker)
    control = ControlStore(run.engine.config.engine.control_path)

    def script(run):
        run.broker.clock.set(DOWN_AT)
        run.broker.counter.poll()
        run.wait_for(lambda: run.recorder.hooks("on_disconnect"), "on_disconnect")
        control.request("halt", reason="while down")
        run.wait_for(lambda: _operator_changes(run), "the operator's halt applied")

    run.run(script)
    assert control.current_states()["account"][0] == "HALTED"

    broker.clock.advance(seconds=30)
    broker.counter.poll()
    second = LiveRun(tmp_path, broker, config_name="second.yaml")
    seen = {}

    def resume(run):
        seen["at_start"] = run.engine.account_state
        control.request("resume")
        run.wait_for(lambda: run.engine.account_state is TradingState.ACTIVE, "the resume applied")

    second.run(resume)
    assert seen["at_start"] is TradingState.HALTED
    assert control.current_states()["account"][0] == "ACTIVE"
