"""Start-up through the gateway: the readiness gate, and clear failures instead of a half-started engine."""

from __future__ import annotations

import threading

import pytest

from engine.broker import BrokerError
from engine.models import OrderStatus
from engine.sim import FaultConfig

from .checks import assert_engine_thread_only, connection_kinds, rows_of
from .harness import CODE, START, LiveRun, place_by_hand


def test_readiness_gate_loads_asset_positions_orders_and_trades_before_on_start(broker, tmp_path):
    order_id = place_by_hand(broker, 1000, 10.0)           # 500 fill at once (5 lots offered), 500 rest
    run = LiveRun(tmp_path, broker)

    def script(run):
        run.publish(10.05)                                   # above the resting buy: no fill
        run.wait_for(lambda: run.recorder.hooks("on_tick"), "the first tick through the market data")

    run.run(script)

    seen = run.recorder.at_start
    assert seen["positions"] == {CODE: 500}
    expected_cash = broker.counter.query_asset().cash
    assert float(seen["cash"]) == pytest.approx(expected_cash)
    assert seen["open_orders"] == {f"ext-{order_id}": (int(OrderStatus.PART_SUCC), 500, True)}
    assert seen["instrument"]["InstrumentName"] == "浦发银行"
    assert seen["instrument"]["UpStopPrice"] == pytest.approx(10.89)
    # the trade that happened before the start is known: no fill is recorded for it
    assert rows_of(run, "fills") == []
    assert connection_kinds(run) == ["connected"]
    assert rows_of(run, "connection_events")[0]["session_id"] == broker.sessions[0]
    hooks = [name for name, _ in run.recorder.hooks() if name != "track_event"]
    assert hooks[0] == "on_start" and hooks[-1] == "on_stop"
    assert run.recorder.hooks("on_tick") == [("on_tick", (CODE, 10.05))]
    assert_engine_thread_only(run)


def test_connect_failure_is_a_broker_error_not_a_half_started_engine(make_broker, tmp_path):
    broker = make_broker(faults=FaultConfig(disconnect_at=(START,), reconnect_after_s=3600))
    broker.counter.poll()                                  # the counter is down: connect() is refused
    run = LiveRun(tmp_path, broker)

    with pytest.raises(BrokerError, match=r"connect\(\) returned -1"):
        run.run(lambda run: pytest.fail("the scenario must not start"))

    assert run.recorder.hooks("on_start") == []
    assert connection_kinds(run) == ["failed"]            # one attempt (connect_retry_seconds: 0), recorded
    assert "giving up" in rows_of(run, "connection_events")[0]["detail"]
    stops = rows_of(run, "run_stops")
    assert [row["reason"] for row in stops] == ["error"]
    assert run.engine.gateway.trader is None


def test_subscribe_refused_for_another_account_is_a_broker_error(broker, tmp_path):
    run = LiveRun(tmp_path, broker, account="NOT-MY-ACCOUNT")

    with pytest.raises(BrokerError, match=r"subscribe\(\) returned -1"):
        run.run(lambda run: pytest.fail("the scenario must not start"))

    assert run.recorder.hooks("on_start") == []


def test_refused_start_up_connect_is_retried_with_back_off_until_the_broker_answers(make_broker, tmp_path):
    broker = make_broker(faults=FaultConfig(disconnect_at=(START,), reconnect_after_s=3600))
    broker.counter.poll()                                  # the counter is down: connect() is refused
    run = LiveRun(tmp_path, broker, connection="""\
        connect_retry_seconds: 120
        backoff_first_seconds: 0.05
        backoff_cap_seconds: 0.2
        """)
    def bring_the_counter_back():
        while [e.kind for e in run.recorder.of("connection")].count("failed") < 2:                   # two refused attempts seen, then MiniQMT is back
            threading.Event().wait(0.01)
        broker.clock.advance(seconds=3601)
        broker.counter.poll()

    helper = threading.Thread(target=bring_the_counter_back, daemon=True)
    helper.start()
    run.run(lambda run: run.wait_for(lambda: run.recorder.hooks("on_start"), "on_start"))
    helper.join(5)

    recorded = connection_kinds(run)
    assert recorded[:2] == ["failed", "failed"] and recorded[-1] == "connected"
    assert all("start-up attempt" in row["detail"] for row in rows_of(run, "connection_events")[:-1])
    assert run.recorder.hooks("on_start")
