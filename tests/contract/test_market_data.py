"""Quotes through ``xtdata`` (the real module over the datacenter double, or ``SimXtData``) into the engine."""

from __future__ import annotations

from .checks import assert_engine_thread_only, rows_of
from .harness import CODE, START, LiveRun


def test_tick_subscription_normalises_volumes_and_resubscribes_after_a_silent_feed(broker, tmp_path):
    run = LiveRun(tmp_path, broker, live="data_timeout_seconds: 60\n")
    seen = {}

    def script(run):
        run.publish(10.0, ask_lots=5, bid_lots=8, volume_lots=120)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")
        seen["tick"] = run.engine.last_ticks[CODE]
        run.advance(seconds=61)                                   # a minute of silence in trading hours
        run.wait_for(lambda: run.recorder.of("alert"), "the silent-feed alert")
        run.advance(seconds=1)
        run.publish(10.01)
        run.wait_for(lambda: run.engine.last_ticks[CODE].last_price == 10.01, "a tick after resubscribing")
        run.on_engine(lambda: None, "a barrier")
        seen["ticks"] = [detail for _, detail in run.recorder.hooks("on_tick")]

    run.run(script)

    tick = seen["tick"]
    assert tick.time == START and tick.last_price == 10.0
    assert tick.volume == 12_000 and tick.ask_volumes[0] == 500 and tick.bid_volumes[0] == 800
    assert tick.ask_prices[0] == 10.0 and tick.bid_prices[0] == 9.99 and tick.pre_close == 9.9
    assert seen["ticks"] == [(CODE, 10.0), (CODE, 10.01)]         # one subscription after the renewal
    alerts = rows_of(run, "alerts")
    assert [r["kind"] for r in alerts] == ["market_data_silent"]
    xtdata_calls = [c.method for c in broker.calls if c.api == "xtdata"]
    assert xtdata_calls.count("subscribe_quote") == 2 and "unsubscribe_quote" in xtdata_calls
    assert_engine_thread_only(run)


def test_whole_market_snapshots(broker, tmp_path):
    run = LiveRun(tmp_path, broker, live="whole_market: true\n")

    def script(run):
        run.publish(10.02)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "a whole-market snapshot")

    run.run(script)

    assert run.recorder.hooks("on_tick") == [("on_tick", (CODE, 10.02))]
    assert [c.method for c in broker.calls if c.api == "xtdata"][:1] == ["subscribe_whole_quote"]
    assert_engine_thread_only(run)
