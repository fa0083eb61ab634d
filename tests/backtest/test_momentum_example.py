"""The bundled cross-sectional momentum example runs on the bundled daily sample as documented."""

from __future__ import annotations

import sqlite3

from engine.examples.momentum import Momentum
from tests.example_runs import run_example


def test_examples_momentum_yaml_rebalances_monthly_into_the_top_ten(tmp_path):
    engine, summary = run_example(tmp_path, "momentum")
    strategy = next(p.obj for p in engine.plugins if isinstance(p.obj, Momentum))
    # 36 months; the first three lack 60 bars of history
    assert 32 <= strategy.rebalances <= 34
    assert summary.fills >= 100 and summary.fills >= summary.orders - 5
    held = {code for code, position in engine.ledger.positions.items() if position.volume}
    assert 1 <= len(held) <= 10
    names = {code: (engine.runtime.xtdata.get_instrument_detail(code) or {}).get("InstrumentName", "") for code in held}
    assert not [code for code, name in names.items() if "ST" in name]
    applied = engine.runtime.counter.applied_actions
    assert applied and all(a.cash > 0 or a.new_shares > 0 for a in applied)
    db = sqlite3.connect(tmp_path / "audit.db")
    try:
        fills = db.execute("SELECT count(*) FROM fills").fetchone()[0]
    finally:
        db.close()
    assert fills == summary.fills
