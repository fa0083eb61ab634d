"""Live runtime supervision, driven through LiveRuntime over the simulator with a manual clock.

The engine runs on its own thread (as in production); the test moves the clock
and waits for the engine to react.
"""

from __future__ import annotations

import datetime as dt
from .conftest import engine_steps, wait_for


def test_a_silent_feed_in_trading_hours_raises_an_alert_and_resubscribes(live_engine):
    engine, clock, log, _ = live_engine(dt.datetime(2026, 3, 10, 10, 0, 0), "  data_timeout_seconds: 60\n")
    subscriptions = list(engine.runtime.market._subscriptions)
    clock.advance(seconds=30)
    engine_steps(engine)  # the monitor step has seen the clock 30 s on
    assert log.of("alert") == []
    clock.advance(seconds=31)
    assert wait_for(lambda: log.of("alert"))
    [alert] = log.of("alert")
    assert alert.kind == "market_data_silent" and "resubscribing" in alert.detail
    assert wait_for(lambda: engine.runtime.market._subscriptions != subscriptions)


def test_no_alert_outside_trading_hours(live_engine):
    engine, clock, log, _ = live_engine(dt.datetime(2026, 3, 10, 12, 0, 0), "  data_timeout_seconds: 60\n")
    clock.advance(seconds=600)  # the lunch break
    engine_steps(engine)
    assert log.of("alert") == []


def test_a_liveness_query_without_answer_counts_as_a_disconnect(live_engine):
    engine, clock, log, _ = live_engine(dt.datetime(2026, 3, 10, 10, 0, 0), "  liveness_seconds: 30\n")
    first_session = engine.gateway.session_id
    engine.gateway.trader.query_stock_asset = lambda account: None  # the connection answers nothing
    clock.advance(seconds=31)
    assert wait_for(lambda: any(e.kind == "disconnected" for e in log.of("connection")))
    assert wait_for(lambda: engine.connection.reconnecting)  # the back-off is planned on the engine clock...
    clock.advance(seconds=2)  # ...and the first attempt is about a second later
    assert wait_for(lambda: any(e.kind == "reconnected" for e in log.of("connection")))
    assert engine.gateway.session_id > first_session
    states = [(e.current, e.cause) for e in log.of("trading_state")]
    assert states == [("HALTED", "disconnect"), ("ACTIVE", "reconnected")]


def test_daily_reinitialisation_opens_a_fresh_session_before_the_open(live_engine):
    engine, clock, log, _ = live_engine(dt.datetime(2026, 3, 10, 8, 44, 0), "  daily_reinit: '08:45'\n")
    first_session = engine.gateway.session_id
    clock.advance(minutes=2)
    assert wait_for(lambda: any(e.kind == "reconnected" for e in log.of("connection")))
    assert [a.kind for a in log.of("alert")] == ["daily_reinit"]
    assert engine.gateway.session_id > first_session
    clock.advance(minutes=5)
    engine_steps(engine)
    assert len(log.of("alert")) == 1  # once a day


def test_bar_subscriptions_deliver_each_finished_bar_once(live_engine):
    from engine import hookimpl
    from engine.clock import local_to_epoch_ms

    class BarLog:
        def __init__(self):
            self.bars = []

        @hookimpl
        def on_bar(self, bar):
            self.bars.append((bar.time.time().isoformat(), bar.close))

    log_bars = BarLog()
    engine, clock, log, xtdata = live_engine(dt.datetime(2026, 3, 10, 9, 31, 10), "  bar_period: 1m\n",
                                             plugins=(("bars", log_bars),))

    def bar(hhmm, close):
        when = dt.datetime.combine(dt.date(2026, 3, 10), dt.time.fromisoformat(hhmm))
        return {"time": local_to_epoch_ms(when), "open": 10.0, "high": 10.2, "low": 9.9, "close": close,
                "volume": 10, "amount": 10000.0, "preClose": 9.9}

    xtdata.publish_bars({"600000.SH": bar("09:31", 10.0)}, period="1m")
    xtdata.publish_bars({"600000.SH": bar("09:31", 10.1)}, period="1m")
    xtdata.publish_bars({"600000.SH": bar("09:32", 10.2)}, period="1m")
    assert wait_for(lambda: log_bars.bars == [("09:31:00", 10.1)])
    clock.set(dt.datetime(2026, 3, 10, 9, 32, 5))
    assert wait_for(lambda: log_bars.bars == [("09:31:00", 10.1), ("09:32:00", 10.2)])
