"""A grid sweep on the bundled daily sample with the local executor, through ``qmt-engine sweep``."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from sqlite_utils import Database
from typer.testing import CliRunner

from engine.audit.verify import verify_chain
from engine.cli import app

from .conftest import trial_rows


def test_every_trial_is_a_full_backtest_with_its_own_verified_audit_database(local_sweep):
    path, out, result = local_sweep
    assert result.exit_code == 0, result.output
    rows = trial_rows(out / "sweep.db")
    assert [r["status"] for r in rows] == ["done"] * 4
    assert sorted((r["params"]["strategies.momentum.params.lookback"], r["params"]["strategies.momentum.params.top"])
                  for r in rows) == [(10, 3), (10, 5), (20, 3), (20, 5)]
    paths = {r["audit_path"] for r in rows}
    assert len(paths) == 4
    for row in rows:
        db = Database(row["audit_path"])
        try:
            assert verify_chain(db).ok
            run = db.execute("SELECT run_id, settings FROM runs").fetchall()
            assert [r[0] for r in run] == [row["run_id"]]
            settings = json.loads(run[0][1])
            # the trial's parameters reached the strategy, typed as in the base file (ints stay ints)
            assert settings["strategies"]["momentum"]["params"]["lookback"] == row["params"]["strategies.momentum.params.lookback"]
            assert isinstance(settings["strategies"]["momentum"]["params"]["top"], int)
            # every built-in risk rule ran, as in `qmt-engine run`
            assert {"risk_order", "risk_codes", "risk_exposure", "risk_flow", "risk_loss", "audit"} <= set(settings["plugins"])
        finally:
            db.close()
        assert row["fills"] > 0 and row["fills_digest"] and row["audit_ok"] == 1
    assert len({r["data_fingerprint"] for r in rows}) == 1  # one data set
    assert len({r["config_fingerprint"] for r in rows}) == 4  # four parameter sets


def test_a_trial_matches_the_same_backtest_run_on_its_own(local_sweep, tmp_path):
    """The sweep adds nothing to a trial: engine.backtest() with the same parameters gives the same figures."""
    from engine import backtest

    path, out, _ = local_sweep
    row = next(r for r in trial_rows(out / "sweep.db") if r["params"]["strategies.momentum.params.lookback"] == 10
               and r["params"]["strategies.momentum.params.top"] == 5)
    alone = backtest(path.parent / "base.yaml", params={"momentum": {"lookback": 10, "top": 5}},
                     audit_path=tmp_path / "alone.db")
    stored = row["metrics"]
    assert alone.metrics["sharpe"] == stored["sharpe"]
    assert alone.metrics["total_return"] == stored["total_return"]
    assert alone.metrics["fills"] == stored["fills"] == row["fills"]


def test_results_are_ranked_by_the_objective_and_written(local_sweep):
    path, out, result = local_sweep
    rows = trial_rows(out / "sweep.db")
    sharpes = sorted((r["metrics"]["sharpe"] for r in rows), reverse=True)
    listing = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [c["objective (sharpe)"] for c in listing["candidates"]] == sharpes
    assert [c["rank"] for c in listing["candidates"]] == [1, 2, 3, 4]
    csv_lines = (out / "results.csv").read_text(encoding="utf-8").splitlines()
    assert len(csv_lines) == 5 and csv_lines[0].startswith("rank,candidate,strategies.momentum.params.lookback")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "sharpe against each parameter" in page and "Ranked parameter sets" in page
    assert "<script src" not in page and "Plotly.newPlot" in page  # self-contained: plotly.js embedded
    assert "sweep: 4 parameter sets, ranked by sharpe" in result.output
    assert "--verify-best: candidate" in result.output and "identical fills and metrics" in result.output


def test_a_constraint_keeps_a_trial_from_the_ranking(local_sweep):
    """A trial that breaks a constraint stays in the results, unranked, after every feasible one."""
    from engine.sweep.driver import open_store, ranked
    from engine.sweep.spec import Constraint, load_sweep_spec

    path, out, _ = local_sweep
    spec = load_sweep_spec(path)
    rows = trial_rows(out / "sweep.db")
    deepest = min(r["metrics"]["max_drawdown"] for r in rows)
    strict = spec.model_copy(update={"constraints": [Constraint(metric="max_drawdown", min=deepest + 1e-9)]})
    store = open_store(spec)
    try:
        candidates = ranked(strict, store)
    finally:
        store.close()
    assert [c.rank for c in candidates] == [1, 2, 3, None]
    assert candidates[-1].in_sample["max_drawdown"] == deepest and not candidates[-1].feasible


def test_a_sweep_folder_holds_one_sweep(local_sweep, tmp_path):
    """Resuming a folder with another constraint (or space, objective...) is refused, naming the folder."""
    path, out, _ = local_sweep
    copy = tmp_path / "sweep"
    shutil.copytree(path.parent, copy)
    text = (copy / path.name).read_text(encoding="utf-8").replace("min: -0.5", "min: -0.4")
    (copy / path.name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["sweep", str(copy / path.name), "--report-only"], env={"COLUMNS": "200"})
    assert result.exit_code == 2 and "holds another sweep" in result.output


@pytest.mark.parametrize("tamper, message", [
    ("UPDATE trials SET fills_digest = '{}'", "the fills differ"),
    ("UPDATE trials SET metrics = json_set(metrics, '$.total_return', 0.5)", "metric total_return is 0.5 in the sweep"),
])
def test_verify_best_reports_any_difference_as_an_error(local_sweep, tmp_path, tamper, message):
    """A recorded result the best trial's re-run does not reproduce is an error (exit code 1) naming it."""
    path, out, _ = local_sweep
    copy = tmp_path / "sweep"
    shutil.copytree(path.parent, copy)
    conn = sqlite3.connect(copy / "out" / "sweep.db")
    conn.execute(tamper.format("0" * 64))
    conn.commit()
    conn.close()
    result = CliRunner().invoke(app, ["sweep", str(copy / path.name), "--verify-best"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "--verify-best: re-running candidate" in result.output and message in result.output


def test_the_sweep_report_renders_offline_in_chromium(browser, local_sweep):
    """report.html in a real browser: every chart drawn, the ranked table, nothing fetched, no console error."""
    _, out, _ = local_sweep
    page = browser.open(None, offline=True, viewport=(1280, 900))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((out / "report.html").as_uri())
    page.wait_for_selector(".js-plotly-plot .main-svg")
    charts = page.locator(".js-plotly-plot")
    assert charts.count() >= 2                      # the objective against each parameter, parameter importance
    for i in range(charts.count()):
        chart = charts.nth(i)
        svg = chart.locator(".main-svg").first.bounding_box()
        assert svg and svg["width"] > 300 and svg["height"] > 150
        drawn = chart.locator("g.trace path, g.trace rect, g.points path")
        assert drawn.count() > 0
    assert page.locator("table tbody tr").count() == 4
    browser.screenshot(page, "sweep-report")
    assert browser.console_errors(page) == []
    assert [url for url in requests if not url.startswith(("file:", "data:", "blob:"))] == []
