"""A walk-forward sweep: every parameter set runs in-sample and out-of-sample, ranked on in-sample only."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from engine.cli import app

from .conftest import trial_rows, write_sweep

SPLIT = """
walk_forward:
  train: {start: 2024-01-02, end: 2024-02-29}
  test: {start: 2024-03-01, end: 2024-03-29}
"""


def test_in_sample_and_out_of_sample_side_by_side(tmp_path):
    path = write_sweep(tmp_path, extra=SPLIT)
    result = CliRunner().invoke(app, ["sweep", str(path), "--quiet"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    rows = trial_rows(tmp_path / "out" / "sweep.db")
    assert sorted((r["phase"], r["window_start"], r["window_end"]) for r in rows) == \
        [("test", "2024-03-01", "2024-03-29")] * 4 + [("train", "2024-01-02", "2024-02-29")] * 4
    for row in rows:  # each backtest covered its own period only
        assert row["status"] == "done"
        assert row["window_start"] <= row["metrics"]["first_day"] <= row["metrics"]["last_day"] <= row["window_end"]
    with open(tmp_path / "out" / "results.csv", encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert {"is_sharpe", "oos_sharpe", "is_max_drawdown", "oos_max_drawdown"} <= set(table[0])
    in_sample = {json.dumps(r["params"], sort_keys=True): r["metrics"]["sharpe"] for r in rows if r["phase"] == "train"}
    out_of_sample = {json.dumps(r["params"], sort_keys=True): r["metrics"]["sharpe"] for r in rows if r["phase"] == "test"}
    listing = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))["candidates"]
    ranked_keys = [json.dumps(c["params"], sort_keys=True) for c in listing]
    assert ranked_keys == sorted(in_sample, key=lambda k: -in_sample[k])  # ranked on in-sample alone
    for cand in listing:
        key = json.dumps(cand["params"], sort_keys=True)
        assert cand["is_sharpe"] == in_sample[key] and cand["oos_sharpe"] == out_of_sample[key]
    assert "sharpe IS" in result.output and "sharpe OOS" in result.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "in-sample against out-of-sample" in page
