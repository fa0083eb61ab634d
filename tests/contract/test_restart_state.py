"""What a restart on a later day rebuilds from the audit: holding days, the strategy's book, its state (issue 13)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .harness import CODE, LiveRun, audit_rows


def _buy_on_first_day(tmp_path, broker) -> None:
    first = LiveRun(tmp_path, broker)

    def script(run):
        run.publish(10.0, ask_lots=10)
        run.wait_for(lambda: run.engine.last_ticks.get(CODE), "the first tick")

        def buy():
            run.ctx.state["bought_on"] = run.ctx.now.date().isoformat()
            run.ctx.state["signals"] = {"ma": [1, 2, 3]}
            return run.ctx.buy(CODE, 300, 10.0)

        order = run.on_engine(buy, "buy")
        run.wait_for(lambda: run.engine.ledger.positions.get(CODE) and
                     run.engine.ledger.positions[CODE].volume == 300, "the fill")
        assert run.engine.ledger.positions[CODE].holding_days == 0  # bought today
        assert order is not None

    first.run(script)


def _next_day_run(tmp_path, broker, number: int) -> dict:
    broker.clock.set(dt.datetime.combine(broker.clock.now().date() + dt.timedelta(days=1), dt.time(10, 0)))
    broker.counter.poll()
    broker.md.publish({})  # nothing new: the restart reads the broker's answers and the audit only
    run = LiveRun(tmp_path, broker, config_name=f"config-{number}.yaml")
    seen = {}

    def script(r):
        position = r.engine.ledger.positions[CODE]
        held = r.engine.ledger.holding("recorder", CODE)
        seen.update(holding_days=position.holding_days, book_volume=held.volume, book_cost=held.cost,
                    state=dict(r.ctx.state), can_use=position.can_use_volume)

    run.run(script)
    return seen


def test_a_restart_on_later_days_rebuilds_holding_days_book_and_state(broker, tmp_path):
    _buy_on_first_day(tmp_path, broker)
    fill = audit_rows(tmp_path / "audit.db", "fills")[0]

    day_two = _next_day_run(tmp_path, broker, 2)
    assert day_two["holding_days"] == 1                   # one day roll since the buy, as an unbroken run counts
    assert day_two["can_use"] == 300                      # T+1: sellable on the next day
    assert day_two["book_volume"] == 300                  # the strategy's holding, from the audit's fill
    assert day_two["book_cost"] == Decimal(fill["amount"]) + Decimal(fill["commission"])
    assert day_two["state"] == {"bought_on": "2026-03-10", "signals": {"ma": [1, 2, 3]}}

    day_three = _next_day_run(tmp_path, broker, 3)
    assert day_three["holding_days"] == 2
    assert day_three["book_volume"] == 300
    assert day_three["state"]["signals"] == {"ma": [1, 2, 3]}
    saves = audit_rows(tmp_path / "audit.db", "strategy_states")
    assert len(saves) == 1                                # saved when it changed, not again while unchanged
