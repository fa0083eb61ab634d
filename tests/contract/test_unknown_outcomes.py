"""Unknown outcomes resolved whole, over the real xtquant layer: an accepted order the engine never heard
of comes in with its fills; the liveness query's asset answer updates the account."""

from __future__ import annotations

from decimal import Decimal

from engine.models import OrderStatus

from .checks import assert_engine_thread_only, rows_of
from .harness import CODE, LiveRun


def test_an_accepted_but_unanswered_order_that_filled_is_resolved_with_its_fill(native_broker, tmp_path):
    run = LiveRun(tmp_path, native_broker, extra="engine: {submit_timeout_seconds: 5}\n")
    seen = {}

    def script(run):
        run.publish(10.05, ask_lots=20)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        native_broker.native.mute_after_next_order = True               # taken and filled; no answer, no push
        order = seen["order"] = run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.05), "a marketable buy")
        run.wait_for(lambda: native_broker.counter.query_trades(), "the fill at the counter")
        seen["before"] = (order.status, order.fill_volume)
        run.advance(seconds=6)                                           # past submit_timeout_seconds
        run.wait_for(lambda: order.fill_volume == 1000, "the fill brought in with the resolved order")

    run.run(script)

    order = seen["order"]
    assert seen["before"] == (OrderStatus.UNREPORTED, 0)
    assert order.status is OrderStatus.SUCCEEDED and order.order_id is not None
    fills = rows_of(run, "fills")
    assert [(r["client_order_id"], r["volume"]) for r in fills] == [(order.client_order_id, 1000)]
    assert [h for h, _ in run.recorder.hooks("on_trade")] == ["on_trade"]
    assert run.engine.ledger.positions[CODE].volume == 1000
    kinds = [r["kind"] for r in rows_of(run, "reconciliation_diffs")]
    assert kinds == ["order_status", "fill_missed"]
    assert_engine_thread_only(run)


def test_the_liveness_answer_updates_the_cash_when_no_asset_push_comes(native_broker, tmp_path):
    run = LiveRun(tmp_path, native_broker, live="liveness_seconds: 5\n",
                  extra="engine: {submit_timeout_seconds: 600}\n")
    seen = {}

    def script(run):
        run.publish(10.05, ask_lots=20)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        run.advance(seconds=1)
        native_broker.native.mute_after_next_order = True               # every push from now on is lost
        run.on_engine(lambda: run.ctx.buy(CODE, 1000, 10.05), "a marketable buy")
        run.wait_for(lambda: native_broker.counter.query_trades(), "the fill at the counter")
        seen["stale"] = run.ctx.account.cash
        run.advance(seconds=6)                                           # the next liveness query is due
        broker_cash = Decimal(str(native_broker.counter.query_asset().cash))
        seen["broker"] = broker_cash
        run.wait_for(lambda: run.ctx.account.cash == broker_cash, "the cash of the liveness answer")

    run.run(script)

    assert seen["stale"] == Decimal("1000000") and seen["broker"] < seen["stale"]
    assert not run.recorder.hooks("on_disconnect")
    assert_engine_thread_only(run)
