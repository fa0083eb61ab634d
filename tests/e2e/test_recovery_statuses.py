"""Start-up recovery journals what it learns, so a later restart (the next day included) never rewrites a
filled order as "never reached the broker" (issue 20, item 2)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from engine.sim import make_tick
from engine.xt import constants as xtc

from .conftest import wait_for
from .test_kill_switch import CODE, TEN, RestingBuyer

NEXT_DAY = dt.datetime(2026, 3, 11, 9, 35, 0)


def journal_statuses(db_path, client_id):
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as con:
        return [row[0] for row in con.execute(
            "SELECT status FROM order_updates WHERE client_order_id = ? ORDER BY rowid", (client_id,))]


def broker_day_rolls(counter, clock):
    """Overnight: the broker starts the next trading day (it then lists none of yesterday's orders)."""
    clock.set(NEXT_DAY)
    counter.set_trading_day(NEXT_DAY.date())


def fill_while_down(clock, xtdata, seconds=30):
    clock.advance(seconds=seconds)
    later = clock.now()
    xtdata.publish({CODE: make_tick(later, 9.75, pre_close=10.0, asks=[(9.75, 50)], bids=[(9.74, 50)])})
    return later


def test_an_adopted_order_is_journalled_with_the_brokers_status_and_not_revisited_the_next_day(live_engine, tmp_path):
    buyer = RestingBuyer()
    engine, clock, _log, xtdata = live_engine(TEN, plugins=(("buyer", buyer),))
    xtdata.publish({CODE: make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)])})
    assert wait_for(lambda: buyer.order is not None and int(buyer.order.status) == xtc.ORDER_REPORTED)
    client_id = buyer.order.client_order_id
    live_engine.stop(engine)
    later = fill_while_down(clock, xtdata)              # the broker fills the resting buy while the engine is down

    engine2, _clock, log2, _ = live_engine(later)       # same day: adopted, its fill recovered
    assert ("intent_adopted", client_id) in {(e.kind, e.subject) for e in log2.of("reconciliation")}
    assert wait_for(lambda: journal_statuses(tmp_path / "audit.db", client_id)[-1:] == [xtc.ORDER_SUCCEEDED])
    counter = engine2.gateway.trader.counter            # the simulated broker, which outlives the engines
    live_engine.stop(engine2)
    broker_day_rolls(counter, clock)

    engine3, _clock, log3, _ = live_engine(NEXT_DAY)
    assert client_id not in {e.subject for e in log3.of("reconciliation")}
    assert journal_statuses(tmp_path / "audit.db", client_id)[-1] == xtc.ORDER_SUCCEEDED
    assert engine3.orders.get(client_id) is None   # not re-adopted as an open order


def test_an_open_intent_of_an_earlier_day_is_closed_by_its_recorded_fills_not_called_never_received(live_engine, tmp_path):
    buyer = RestingBuyer()
    engine, clock, _log, xtdata = live_engine(TEN, plugins=(("buyer", buyer),))
    xtdata.publish({CODE: make_tick(TEN, 10.0, pre_close=10.0, asks=[(10.01, 50)], bids=[(10.0, 50)])})
    assert wait_for(lambda: buyer.order is not None and int(buyer.order.status) == xtc.ORDER_REPORTED)
    client_id = buyer.order.client_order_id
    counter = engine.gateway.trader.counter
    live_engine.stop(engine)
    fill_while_down(clock, xtdata)                       # filled at the broker; no engine runs that day again
    broker_day_rolls(counter, clock)

    engine2, _clock, log2, _ = live_engine(NEXT_DAY)
    findings = {(e.kind, e.subject): e for e in log2.of("reconciliation")}
    assert ("intent_not_received", client_id) not in findings
    past = findings[("intent_of_a_past_day", client_id)]
    assert "today's orders only" in str(past.broker_value)
    assert ("position_since_last_run", CODE) in findings  # the fill the journal missed shows in the positions
    live_engine.stop(engine2)                            # stopping commits everything
    status = journal_statuses(tmp_path / "audit.db", client_id)[-1]
    assert status == xtc.ORDER_CANCELED                  # no fill recorded: closed as its day closed it

    engine3, _clock, log3, _ = live_engine(NEXT_DAY + dt.timedelta(minutes=5))  # decided once, not again
    assert client_id not in {e.subject for e in log3.of("reconciliation")}
