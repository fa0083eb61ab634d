"""The grid and T+0 rotation examples run on the bundled tick sample as documented."""

from __future__ import annotations

from pathlib import Path

from engine.config import load_config
from engine.core import Engine
from engine.examples.grid import Grid
from engine.examples.t0_rotation import T0Rotation

REPO = Path(__file__).resolve().parents[2]


def run_example(tmp_path, name):
    config = load_config(REPO / "examples" / f"{name}.yaml", environ={})
    config = config.model_copy(update={
        "audit": config.audit.model_copy(update={"path": tmp_path / "audit.db"}),
        "engine": config.engine.model_copy(update={"control_path": tmp_path / "control.db"}),
        "results": config.results.model_copy(update={"report_dir": tmp_path / "reports"}),
    })
    engine = Engine(config, load_entrypoints=False)
    summary = engine.run()
    return engine, summary, engine.plugins


def test_t0_rotation_ends_every_day_with_the_base_volume(tmp_path):
    engine, summary, plugins = run_example(tmp_path, "t0_rotation")
    strategy = next(p.obj for p in plugins if isinstance(p.obj, T0Rotation))
    assert len(strategy.days) == 3
    assert all(day["sold_at"] is not None and day["bought_back"] for day in strategy.days.values())
    assert engine.portfolio.positions["600000.SH"].volume == 10000
    assert summary.orders == 6 and summary.fills >= 6


def test_grid_trades_both_ways_within_its_bounds(tmp_path):
    engine, summary, plugins = run_example(tmp_path, "grid")
    strategy = next(p.obj for p in plugins if isinstance(p.obj, Grid))
    sides = {o.side.value for run in strategy.runs for o in run.orders}
    assert sides == {"buy", "sell"} and summary.fills >= 4
    assert 0 <= engine.portfolio.positions["600000.SH"].volume <= 3000
    assert strategy.stop is not None and strategy.stop.status == "armed"   # the price never fell to 9.80
