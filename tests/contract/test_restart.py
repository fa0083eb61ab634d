"""A restart in the middle of an open order: the next run finds it by client id and attributes its fills."""

from __future__ import annotations

import datetime as dt
import types


import engine.core.engine as engine_module
from engine.models import OrderStatus

from .checks import assert_engine_thread_only, broker_orders, rows_of
from .harness import CODE, LiveRun


def place_open_order(tmp_path, broker) -> tuple[LiveRun, str]:
    first = LiveRun(tmp_path, broker)
    placed = {}

    def script(run):
        run.publish(10.05)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        order = placed["order"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.0), "buy")
        run.wait_for(lambda: order.status is OrderStatus.REPORTED, "the order reported")

    first.run(script)
    return first, placed["order"].client_order_id


def test_restart_finds_the_open_order_by_client_id_and_attributes_its_fill(broker, tmp_path):
    first, client_id = place_open_order(tmp_path, broker)
    second = LiveRun(tmp_path, broker, config_name="config-2.yaml")
    seen = {}

    def script(run):
        seen["adopted"] = run.order(client_id)
        seen["calls_before_fill"] = len(run.broker.calls)
        run.publish(10.0, ask_lots=10)
        run.wait_for(lambda: run.recorder.hooks("on_trade"), "the fill of the earlier run's order")
        run.wait_for(lambda: run.order(client_id).status is OrderStatus.SUCCEEDED, "the order filled")

    second.run(script)

    assert second.engine.run_id != first.engine.run_id
    assert second.recorder.at_start["open_orders"] == {client_id: (int(OrderStatus.REPORTED), 0, False)}
    adopted = seen["adopted"]
    assert adopted.strategy == "recorder" and not adopted.external
    assert adopted.order_id == broker_orders(second)[0].order_id
    assert [detail[0] for _, detail in second.recorder.hooks("on_trade")] == [client_id]
    fills = rows_of(second, "fills")
    assert [(r["client_order_id"], r["strategy"], r["volume"]) for r in fills] == [(client_id, "recorder", 1000)]
    assert rows_of(second, "order_submissions") == [] and rows_of(second, "order_intents") == []
    assert len(broker_orders(second)) == 1                              # no duplicate sent to the counter
    sent = [c.method for c in broker.calls if c.method in ("orderStockWithSeq", "order_stock_async")]
    assert len(sent) == 1                                               # the first run's, only
    intents = rows_of(first, "order_intents")
    assert [r["client_order_id"] for r in intents] == [client_id]       # the audit joins both runs by client id
    assert_engine_thread_only(second)


def test_a_run_restarted_within_the_same_second_issues_new_client_ids(broker, tmp_path, monkeypatch):
    frozen = dt.datetime.now().replace(microsecond=0)

    class FrozenDatetime(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return frozen

    monkeypatch.setattr(engine_module, "dt", types.SimpleNamespace(
        datetime=FrozenDatetime, date=dt.date, time=dt.time, timedelta=dt.timedelta))
    first, client_id = place_open_order(tmp_path, broker)
    second = LiveRun(tmp_path, broker, audit="audit-2.db", config_name="config-2.yaml")
    seen = {}

    def script(run):
        run.publish(10.05)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "a tick")
        seen["new"] = run.on_engine(lambda: run.ctx.buy(CODE, 100, 10.0), "a new buy after the restart")

    second.run(script)

    assert seen["new"].client_order_id != client_id
