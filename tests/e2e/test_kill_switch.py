"""The kill switch from a second process: halt (and cancel), survive a restart, resume."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

from engine import hookimpl
from engine.models import TradingState
from engine.sim import make_tick
from engine.xt import constants as xtc

from .conftest import wait_for

CODE = "600000.SH"
TEN = dt.datetime(2026, 3, 10, 10, 0, 0)


def cli(config_path, *args):
    """Run the real `qmt-engine` in another process, as an operator would."""
    result = subprocess.run([sys.executable, "-m", "engine", *args, "--config", str(config_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


class RestingBuyer:
    """Places one buy far below the market when started; it rests at the broker."""

    order = None

    @hookimpl
    def on_tick(self, ctx, tick):
        if self.order is None:
            self.order = ctx.buy(tick.code, 100, price=9.80)


def on_engine_thread(engine, fn):
    """Run fn on the engine thread (where orders may be placed) and return its result."""
    box = []
    engine.inbound.put(("call", lambda: box.append(fn())))
    assert wait_for(lambda: box)
    return box[0]


def test_halt_from_another_process_cancels_open_orders_survives_a_restart_and_resume_lifts_it(live_engine, tmp_path):
    buyer = RestingBuyer()
    engine, clock, log, xtdata = live_engine(TEN, plugins=(("buyer", buyer),))
    xtdata.publish({CODE: make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)])})
    assert wait_for(lambda: buyer.order is not None and buyer.order.order_id is not None)
    assert wait_for(lambda: int(buyer.order.status) == xtc.ORDER_REPORTED)

    output = cli(tmp_path / "config.yaml", "halt", "--cancel-open", "--reason", "runaway strategy")
    assert "halt of the account requested" in output
    assert wait_for(lambda: engine.account_state is TradingState.HALTED)
    assert wait_for(lambda: int(buyer.order.status) == xtc.ORDER_CANCELED)
    [change] = log.of("trading_state")
    assert change.current == "HALTED" and "operator halt #1" in change.cause and "runaway strategy" in change.cause
    denied = on_engine_thread(engine, lambda: engine.context_for("buyer").buy(CODE, 100, price=10.0))
    assert denied is None and log.of("order_denied")[-1].rule == "trading_state"

    # a restart keeps the halt
    live_engine.stop(engine)
    engine2, _clock, log2, _ = live_engine(TEN)
    assert engine2.account_state is TradingState.HALTED
    assert "restored at start-up" in log2.of("trading_state")[0].cause

    cli(tmp_path / "config.yaml", "resume")
    assert wait_for(lambda: engine2.account_state is TradingState.ACTIVE)
    state = cli(tmp_path / "config.yaml", "state")
    assert "account ACTIVE" in " ".join(state.split())


def test_a_halt_given_while_the_engine_is_stopped_applies_at_start(live_engine, tmp_path):
    (tmp_path / "config.yaml").write_text("mode: live\nlive: {userdata_path: .}\n", encoding="utf-8")
    cli(tmp_path / "config.yaml", "halt")
    engine, *_ = live_engine(TEN)
    assert engine.account_state is TradingState.HALTED


def test_a_graceful_stop_cancels_open_orders_when_configured(live_engine):
    buyer = RestingBuyer()
    engine, clock, log, xtdata = live_engine(TEN, plugins=(("buyer", buyer),))
    xtdata.publish({CODE: make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)])})
    assert wait_for(lambda: buyer.order is not None and int(buyer.order.status) == xtc.ORDER_REPORTED)
    # as if config.yaml said engine: {cancel_open_on_stop: true}
    engine.config = engine.config.model_copy(update={"engine": engine.config.engine.model_copy(
        update={"cancel_open_on_stop": True})})
    live_engine.stop(engine)
    assert int(buyer.order.status) == xtc.ORDER_CANCELED
    assert [e.name for e in log.events][-1] == "run_stopped"


# -- journal recovery at start-up (issue #6): the broker differs from the journal -------------------------


def test_restart_recovers_open_intents_from_the_journal(live_engine, tmp_path):
    from engine.events import OrderIntent

    buyer = RestingBuyer()
    engine, clock, log, xtdata = live_engine(TEN, plugins=(("buyer", buyer),))
    xtdata.publish({CODE: make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)])})
    assert wait_for(lambda: buyer.order is not None and int(buyer.order.status) == xtc.ORDER_REPORTED)
    resting_id = buyer.order.client_order_id
    # an intent journalled just before a crash: it never reached the broker
    on_engine_thread(engine, lambda: engine.emit(OrderIntent(
        client_order_id="lost-0001", strategy="buyer", code=CODE, side="buy", volume=100, price="9.90", price_type=11)))
    counter = engine.gateway.trader.counter  # the simulated broker, which outlives the engine
    live_engine.stop(engine)
    orders_before = len(counter.query_orders())

    # while the engine is down the market trades through the resting buy
    clock.advance(seconds=30)
    later = TEN + dt.timedelta(seconds=30)
    xtdata.publish({CODE: make_tick(later, 9.75, pre_close=10.0, asks=[(9.75, 50)], bids=[(9.74, 50)])})

    engine2, _clock, log2, _ = live_engine(later)
    findings = {(e.kind, e.subject) for e in log2.of("reconciliation")}
    assert ("intent_not_received", "lost-0001") in findings
    assert ("intent_adopted", resting_id) in findings
    assert ("position_since_last_run", CODE) in findings
    lost = engine2.orders.get("lost-0001")
    assert int(lost.status) == xtc.ORDER_JUNK and "never reached the broker" in lost.status_msg
    adopted = engine2.orders.get(resting_id)
    assert int(adopted.status) == xtc.ORDER_SUCCEEDED and adopted.strategy == "buyer"
    assert [f.client_order_id for f in log2.of("fill")] == [resting_id]  # the fill made while down is recorded
    assert len(counter.query_orders()) == orders_before  # nothing was re-sent
    started = [e.name for e in log2.events].index("connection")
    assert all(e.name != "order_intent" or e.external for e in log2.events[started:])  # no new intent for old ones


def test_halting_one_strategy_leaves_the_others_trading(live_engine, tmp_path):
    engine, clock, log, xtdata = live_engine(TEN, plugins=(("a", RestingBuyer()), ("b", RestingBuyer())))
    cli(tmp_path / "config.yaml", "halt", "--strategy", "a")
    assert wait_for(lambda: engine.strategy_states.get("a") is TradingState.HALTED)
    assert engine.account_state is TradingState.ACTIVE
    xtdata.publish({CODE: make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)])})
    assert wait_for(lambda: any(e.strategy == "a" for e in log.of("order_denied")))
    assert wait_for(lambda: any(e.strategy == "b" for e in log.of("order_intent")))
    cli(tmp_path / "config.yaml", "resume", "--strategy", "a")
    assert wait_for(lambda: engine.strategy_states.get("a") is TradingState.ACTIVE)


def test_a_halt_naming_an_unknown_strategy_is_refused_naming_the_known_ones(live_engine, tmp_path):
    engine, clock, log, xtdata = live_engine(TEN, plugins=(("dip_buyer", RestingBuyer()),))
    # the CLI refuses the typo itself (below); another writer of the control file (the web app, an older
    # qmt-engine, a script) may still ask, and the engine refuses it too
    from engine.control import ControlStore

    ControlStore(engine.config.engine.control_path).request("halt", strategy="dip_buyr")
    assert wait_for(lambda: log.of("alert"))
    [alert] = [a for a in log.of("alert") if a.kind == "operator_command_refused"]
    assert "'dip_buyr'" in alert.detail and "dip_buyer" in alert.detail
    assert engine.strategy_states.get("dip_buyr") is None and engine.trading_state_for("dip_buyer") is TradingState.ACTIVE
    # marked done right after the alert is emitted (on the engine thread): wait for it, then it stays done
    assert wait_for(lambda: not engine.control.pending_commands())     # refused once, not retried


def test_the_cli_refuses_a_halt_of_a_strategy_it_does_not_know(tmp_path):
    from typer.testing import CliRunner

    from engine.cli import app

    (tmp_path / "config.yaml").write_text(
        "mode: paper\naccount_id: T0001\nlogging: {file: null}\naudit: {path: audit.db}\n"
        "engine: {control_path: control.db}\nplugins: {load_entrypoints: false}\n"
        "strategies:\n  - {name: dip_buyer, module: engine.examples.ma_cross, class: MaCross}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["halt", "--config", str(tmp_path / "config.yaml"), "--strategy", "dip_buyr"])
    assert result.exit_code == 2, result.output
    assert "'dip_buyr'" in result.output and "strategies: dip_buyer" in result.output
    assert not (tmp_path / "control.db").exists()                       # nothing was requested
    result = CliRunner().invoke(app, ["halt", "--config", str(tmp_path / "config.yaml"), "--strategy", "dip_buyer"])
    assert result.exit_code == 0, result.output
