"""A restart in the middle of a day gives the same risk decisions as a run that never stopped (issue 13).

One scenario, a falling market on which a strategy buys every few seconds, runs
twice on identical brokers: once in one run, once split in two at a random step
(a clean stop, then a new engine on the same audit database and the same broker).
The daily-loss limit, the orders-per-day limit and ``ctx.state`` (which sets each
order's volume) all matter to the decisions, so a restart that forgot the day's
loss baseline, the orders sent so far or the state would decide differently.
"""

from __future__ import annotations

import random

import pytest

from engine.models import OrderStatus

from .harness import CODE, LiveRun, audit_rows, build_broker

STEPS = 12
RISK = """\
risk:
  flow: {max_orders_and_cancels_per_day: 4, duplicate_window_seconds: null}
  loss: {max_daily_loss: 120, action: HALTED}
"""


def _step(run: LiveRun, index: int) -> None:
    """One moment of the scenario: the price falls a tick or two, then the strategy decides."""
    run.advance(seconds=3)
    price = round(10.0 - 0.03 * (index + 1), 2)
    run.publish(price, ask_lots=50)
    run.wait_for(lambda: (t := run.engine.last_ticks.get(CODE)) and t.last_price == price, f"the tick of step {index}")

    def decide():
        state = run.ctx.state
        state["steps"] = state.get("steps", 0) + 1
        volume = 100 * (1 + state["steps"] % 3)  # the state decides the order's size
        return run.ctx.buy(CODE, volume, price)

    order = run.on_engine(decide, f"the decision of step {index}")
    if order is not None:
        run.wait_for(lambda: order.status.is_final or order.status is OrderStatus.REPORTED, f"step {index}'s order")
        if order.status is OrderStatus.REPORTED:
            run.wait_for(lambda: order.status is OrderStatus.SUCCEEDED, f"step {index}'s fill")


def _play(run: LiveRun, steps: range) -> None:
    run.run(lambda r: [_step(r, i) for i in steps])


def _decisions(run: LiveRun) -> dict[str, list[tuple]]:
    """What risk decided, without the ids that differ between runs, in the order decided."""
    return {
        "decisions": [(r["rule"], r["allowed"], r["value"], r["limit_value"], r["reason"])
                      for r in audit_rows(run.audit_path, "risk_decisions")],
        # a restart's own record ("restored at start-up: ...") is the one row an unsplit run cannot have
        "trading_states": [(r["scope"], r["current"], r["cause"]) for r in audit_rows(run.audit_path, "trading_states")
                           if not r["cause"].startswith("restored at start-up")],
        "orders": [(r["volume"], r["price"]) for r in audit_rows(run.audit_path, "order_intents")],
    }


def _scenario(folder, backend_kind, real_xtquant, splits: list[int]) -> dict[str, list[tuple]]:
    """Play every step on a new broker, stopping and restarting the engine before each step in ``splits``."""
    folder.mkdir()
    broker = build_broker(backend_kind, folder, real_xtquant)
    try:
        bounds = [0, *splits, STEPS]
        run = None
        for number, (start, end) in enumerate(zip(bounds, bounds[1:])):
            run = LiveRun(folder, broker, extra=RISK, config_name=f"config-{number}.yaml")
            run.run(lambda r, steps=range(start, end): [_step(r, i) for i in steps])
        assert run.engine.context_for("recorder").state["steps"] == STEPS
        return _decisions(run)  # one audit database: the last run's view holds every part
    finally:
        broker.close()


@pytest.mark.parametrize("seed", [3, 11])
def test_a_run_split_at_a_random_step_decides_as_the_unsplit_run(backend_kind, real_xtquant, tmp_path, seed):
    split_at = random.Random(seed).randrange(2, STEPS - 2)
    expected = _scenario(tmp_path / "whole", backend_kind, real_xtquant, [])
    assert ("orders_per_day", 0) in [d[:2] for d in expected["decisions"]]       # the day's count mattered
    assert "HALTED" in [s[1] for s in expected["trading_states"]]                  # and the loss limit
    assert len({volume for volume, _ in expected["orders"]}) > 1                    # and ctx.state

    assert _scenario(tmp_path / "split", backend_kind, real_xtquant, [split_at]) == expected
