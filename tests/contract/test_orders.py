"""An order's life through the gateway: async response, pushes, fills, errors and cancels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.models import OrderStatus
from engine.sim import FaultConfig

from .checks import assert_engine_thread_only, broker_orders, rows_of
from .harness import CODE, LiveRun, place_by_hand


@pytest.mark.parametrize("faults", [
    pytest.param(FaultConfig(), id="clean"),
    pytest.param(FaultConfig(duplicate_prob=1.0, reorder_prob=1.0), id="duplicated-and-reordered"),
])
def test_order_response_pushes_partial_and_full_fill(make_broker, tmp_path, faults):
    broker = make_broker(faults=faults)
    run = LiveRun(tmp_path, broker)
    placed = {}

    def script(run):
        run.publish(10.0, ask_lots=5)                        # 500 shares offered at 10.00
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        placed["order"] = order = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.0), "buy 1000")
        run.wait_for(lambda: order.status is OrderStatus.PART_SUCC and order.fill_volume == 500, "the partial fill")
        run.publish(10.0, ask_lots=10)                       # the rest crosses the next tick
        run.wait_for(lambda: order.status is OrderStatus.SUCCEEDED and order.fill_volume == 1000, "the full fill")
        run.wait_for(lambda: run.engine.ledger.positions.get(CODE) and
                     run.engine.ledger.positions[CODE].volume == 1000, "the position push")

    run.run(script)

    order = placed["order"]
    at_broker = broker_orders(run)
    assert [(o.order_id, o.order_remark, o.traded_volume) for o in at_broker] == [(order.order_id, order.client_order_id, 1000)]
    submission = rows_of(run, "order_submissions")
    assert [(r["client_order_id"], r["request_seq"]) for r in submission] == [(order.client_order_id, order.seq)]
    assert order.seq > 0 and order.order_id == at_broker[0].order_id
    assert order.order_sysid == at_broker[0].order_sysid
    updates = rows_of(run, "order_updates", "client_order_id = ?", (order.client_order_id,))
    assert [(r["status"], r["traded_volume"]) for r in updates] == [(50, 0), (55, 500), (56, 1000)]
    assert {r["order_id"] for r in updates} == {order.order_id}
    fills = rows_of(run, "fills")
    assert [(r["trade_id"], r["client_order_id"], r["volume"], Decimal(r["price"])) for r in fills] == [
        ("T000000001", order.client_order_id, 500, Decimal("10.00")),
        ("T000000002", order.client_order_id, 500, Decimal("10.00"))]
    assert [detail for _, detail in run.recorder.hooks("on_trade")] == [
        (order.client_order_id, "T000000001", 500), (order.client_order_id, "T000000002", 500)]
    assert order.traded_amount == Decimal("10000.00") and not order.overfilled
    position = run.engine.ledger.positions[CODE]
    assert position.volume == 1000 == broker.counter.query_positions()[0].volume
    assert run.engine.ledger.account.cash == Decimal(str(broker.counter.query_asset().cash))
    kinds = run.inbound_kinds
    assert kinds.index("order_response") < len(kinds) and kinds.count("order_response") == 1
    assert_engine_thread_only(run)


def test_order_error_before_its_response_is_held_back_and_the_order_ends_junk(broker, tmp_path):
    if broker.native is not None:
        broker.native.error_before_response = True          # the native side pushes the error first
    run = LiveRun(tmp_path, broker)
    placed = {}

    def script(run):
        run.publish(10.0)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        placed["order"] = order = run.on_engine(lambda: run.ctx.sell(CODE, 100, 10.0), "sell without a position")
        run.wait_for(lambda: run.recorder.hooks("on_order_error"), "on_order_error")
        run.wait_for(lambda: order.order_id is not None, "the async response")

    run.run(script)

    order = placed["order"]
    assert order.status is OrderStatus.JUNK
    message = broker_orders(run)[0].status_msg
    assert "251005" in message and order.status_msg == message
    assert run.recorder.hooks("on_order_error") == [("on_order_error", (order.client_order_id, message))]
    errors = rows_of(run, "order_errors")
    assert [(r["client_order_id"], r["order_id"], r["error_msg"]) for r in errors] == [
        (order.client_order_id, order.order_id, message)]
    kinds = run.inbound_kinds
    assert kinds.index("order_response") < kinds.index("order_error"), kinds
    if broker.native is not None:                            # proof the SDK, not the double, did the hold-back
        native = [key for key, _ in broker.native.clients[0].delivered]
        assert native.index("OnOrderError") < native.index("OnOrderStockResp"), native
    updates = rows_of(run, "order_updates", "client_order_id = ?", (order.client_order_id,))
    assert [r["status"] for r in updates][-1] == int(OrderStatus.JUNK)
    assert_engine_thread_only(run)


def test_cancel_accepted_then_cancel_refused_in_the_closing_auction(broker, tmp_path):
    if broker.native is not None:
        broker.native.error_before_response = True          # the refused cancel's error comes first too
    run = LiveRun(tmp_path, broker)
    seen = {}

    def script(run):
        run.publish(10.05)                                   # asks above 10.00: buys at 10.00 rest
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        first = seen["first"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.0), "first buy")
        run.wait_for(lambda: first.status is OrderStatus.REPORTED, "the first order reported")
        seen["sent"] = run.on_engine(lambda: (run.ctx.cancel(first), first.status), "cancel the first")
        run.wait_for(lambda: first.status is OrderStatus.CANCELED, "the cancel confirmed by the counter")
        second = seen["second"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.0), "second buy")
        run.wait_for(lambda: second.status is OrderStatus.REPORTED, "the second order reported")
        run.broker.clock.set(dt.datetime(2026, 3, 10, 14, 58))   # closing call auction: no cancels
        run.broker.counter.poll()
        seen["refused_sent"] = run.on_engine(lambda: run.ctx.cancel(second), "cancel the second")
        run.wait_for(lambda: run.recorder.hooks("on_cancel_error"), "on_cancel_error")

    run.run(script)

    first, second = seen["first"], seen["second"]
    assert seen["sent"] == (True, OrderStatus.REPORTED)      # cancelled only when the counter says so
    statuses = [r["status"] for r in rows_of(run, "order_updates", "client_order_id = ?", (first.client_order_id,))]
    assert statuses == [50, 51, 54]
    assert seen["refused_sent"] is True
    assert second.status is OrderStatus.REPORTED and second.is_open
    message = run.recorder.hooks("on_cancel_error")[0][1][1]
    assert run.recorder.hooks("on_cancel_error") == [("on_cancel_error", (second.client_order_id, message))]
    assert "不允许撤单" in message
    errors = rows_of(run, "cancel_errors")
    assert [(r["client_order_id"], r["order_id"]) for r in errors] == [(second.client_order_id, second.order_id)]
    requests = rows_of(run, "cancel_requests")
    assert [r["client_order_id"] for r in requests] == [first.client_order_id, second.client_order_id]
    assert [o.order_status for o in broker_orders(run)] == [54, 50]
    if broker.native is not None:
        native = [key for key, _ in broker.native.clients[0].delivered]
        last_response = len(native) - 1 - native[::-1].index("OnCancelOrderStockResp")
        assert native.index("OnCancelError") < last_response, native
    assert_engine_thread_only(run)


def test_order_refused_by_the_sdk_api_ends_junk_and_is_never_resent(native_broker, tmp_path):
    """The real SDK answers an order it cannot send with an async response whose order_id is -1."""
    native_broker.native.api_refuses_orders = "[XTQUANT] account not logged in"
    run = LiveRun(tmp_path, native_broker)
    placed = {}

    def script(run):
        run.publish(10.0)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        order = placed["order"] = run.on_engine(lambda: run.ctx.buy(CODE, 100, 10.0), "buy")
        run.wait_for(lambda: order.status is OrderStatus.JUNK, "the order rejected")
        run.advance(seconds=60)                                  # well past the submit timeout: nothing re-sent
        run.on_engine(lambda: None, "a monitor step")

    run.run(script)

    order = placed["order"]
    assert order.status_msg == "[XTQUANT] account not logged in" and order.order_id is None
    submissions = rows_of(run, "order_submissions")
    assert [(r["client_order_id"], r["result"] > 0) for r in submissions] == [(order.client_order_id, True)]
    assert broker_orders(run) == []
    assert [c.method for c in native_broker.calls].count("orderStockWithSeq") == 1
    assert_engine_thread_only(run)


def test_order_typed_into_the_qmt_client_during_the_run_becomes_an_external_order(broker, tmp_path):
    run = LiveRun(tmp_path, broker)
    seen = {}

    def script(run):
        run.publish(10.0, ask_lots=3)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        seen["order_id"] = place_by_hand(run.broker, 300, 10.0)      # fills at once at the counter
        run.wait_for(lambda: run.recorder.hooks("on_trade"), "the external fill")
        run.wait_for(lambda: run.engine.ledger.positions.get(CODE) and
                     run.engine.ledger.positions[CODE].volume == 300, "the position")

    run.run(script)

    external = run.order(f"ext-{seen['order_id']}")
    assert external is not None and external.external and external.strategy == "external"
    assert external.status is OrderStatus.SUCCEEDED and external.fill_volume == 300
    intents = rows_of(run, "order_intents")
    assert [(r["client_order_id"], r["external"]) for r in intents] == [(external.client_order_id, 1)]
    fills = rows_of(run, "fills")
    assert [(r["client_order_id"], r["volume"]) for r in fills] == [(external.client_order_id, 300)]
    assert_engine_thread_only(run)
