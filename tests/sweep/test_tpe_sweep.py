"""An optuna TPE sweep proposes the same parameter sets whatever the number of workers."""

from __future__ import annotations

import json
import sqlite3

from engine.sweep.driver import run_sweep
from engine.sweep.spec import load_sweep_spec

from .conftest import write_sweep

TPE = """
sampler: {kind: tpe, seed: 5, batch: 2, startup_trials: 2}
budget: 4
"""


def _proposed(store) -> list[dict]:
    conn = sqlite3.connect(store)
    try:
        return [json.loads(r[0]) for r in conn.execute("SELECT params FROM candidates ORDER BY number")]
    finally:
        conn.close()


def _tpe_sweep(folder):
    path = write_sweep(folder, extra=TPE)
    path.write_text(path.read_text(encoding="utf-8").replace("{values: [10, 20]}", "{low: 5, high: 40, step: 5}"),
                    encoding="utf-8")
    return load_sweep_spec(path)


def test_tpe_batches_do_not_depend_on_the_workers(tmp_path):
    spec_two, spec_one = _tpe_sweep(tmp_path / "two"), _tpe_sweep(tmp_path / "one")
    two = run_sweep(spec_two, jobs=2)
    one = run_sweep(spec_one, jobs=1)
    assert (two.ran, one.ran, two.errors, one.errors) == (4, 4, 0, 0)
    proposed = _proposed(tmp_path / "two" / "out" / "sweep.db")
    assert len(proposed) == 4 and len({json.dumps(p, sort_keys=True) for p in proposed}) == 4
    assert proposed == _proposed(tmp_path / "one" / "out" / "sweep.db")
    assert [(c.params, c.objective) for c in two.candidates] == [(c.params, c.objective) for c in one.candidates]
