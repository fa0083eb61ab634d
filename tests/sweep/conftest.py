"""A tiny sweep on the bundled daily sample: the momentum example, three months, a 2 x 2 grid."""

from __future__ import annotations

import json
import sqlite3
import textwrap
from pathlib import Path

import pytest

import engine

DAILY_SAMPLE = Path(engine.__file__).resolve().parent / "data" / "daily_sample"

BASE = f"""
mode: backtest
account_id: SWEEP001
logging: {{file: null}}
audit: {{path: var/audit.db}}
engine: {{control_path: var/control.db}}
backtest:
  store: {DAILY_SAMPLE}
  period: 1d
  start: 2024-01-02
  end: 2024-03-29
  fill_rule: next_open
  initial_cash: 1000000
trading_day: {{report_files: false}}
plugins: {{load_entrypoints: false}}
strategies:
  - name: momentum
    module: engine.examples.momentum
    class: Momentum
    params: {{lookback: 20, top: 5, slack: 0.03, invest: 0.9}}
"""

GRID = """
base: base.yaml
folder: {folder}
space:
  strategies.momentum.params.lookback: {{values: [10, 20]}}
  strategies.momentum.params.top: {{low: 3, high: 5, step: 2}}
objective: {{metric: sharpe, direction: maximize}}
constraints: [{{metric: max_drawdown, min: -0.5}}]
executor: {{kind: local, jobs: 2}}
{extra}
"""


def write_sweep(folder: Path, name: str = "sweep.yaml", extra: str = "", sweep_folder: str = "out") -> Path:
    """The base configuration and a sweep file over it in ``folder``; returns the sweep file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "base.yaml").write_text(BASE, encoding="utf-8")
    path = folder / name
    path.write_text(GRID.format(folder=sweep_folder, extra=textwrap.dedent(extra)), encoding="utf-8")
    return path


def trial_rows(store: Path) -> list[dict]:
    conn = sqlite3.connect(store)
    conn.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in conn.execute("SELECT * FROM trials ORDER BY candidate, window_start, phase DESC")]
    finally:
        conn.close()
    for row in rows:
        row["params"] = json.loads(row["params"])
        row["metrics"] = json.loads(row["metrics"]) if row["metrics"] else {}
    return rows


def by_params(rows: list[dict]) -> dict[str, dict]:
    return {json.dumps(r["params"], sort_keys=True) + (r["window"] or ""): r for r in rows}


@pytest.fixture(scope="session")
def local_sweep(tmp_path_factory):
    """The grid run once with the local executor (2 processes) through the command, with --verify-best."""
    from typer.testing import CliRunner

    from engine.cli import app

    folder = tmp_path_factory.mktemp("local-sweep")
    path = write_sweep(folder)
    result = CliRunner().invoke(app, ["sweep", str(path), "--verify-best"], env={"COLUMNS": "200"})
    return path, folder / "out", result
