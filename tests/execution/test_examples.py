"""The grid and T+0 rotation examples run on the bundled tick sample as documented."""

from __future__ import annotations

from engine.examples.grid import Grid
from engine.examples.t0_rotation import T0Rotation
from tests.example_runs import run_example as run_bundled_example


def run_example(tmp_path, name):
    engine, summary = run_bundled_example(tmp_path, name)
    return engine, summary, engine.plugins


def test_t0_rotation_ends_every_day_with_the_base_volume(tmp_path):
    engine, summary, plugins = run_example(tmp_path, "t0_rotation")
    strategy = next(p.obj for p in plugins if isinstance(p.obj, T0Rotation))
    assert len(strategy.days) == 3
    assert all(day["sold_at"] is not None and day["bought_back"] for day in strategy.days.values())
    assert engine.ledger.positions["600000.SH"].volume == 10000
    assert summary.orders == 6 and summary.fills >= 6


def test_grid_trades_both_ways_within_its_bounds(tmp_path):
    engine, summary, plugins = run_example(tmp_path, "grid")
    strategy = next(p.obj for p in plugins if isinstance(p.obj, Grid))
    sides = {o.side.value for run in strategy.runs for o in run.orders}
    assert sides == {"buy", "sell"} and summary.fills >= 4
    assert 0 <= engine.ledger.positions["600000.SH"].volume <= 3000
    assert strategy.stop is not None and strategy.stop.status == "armed"   # the price never fell to 9.80
