"""Runs that can be told apart (settings, fingerprints, audit runs), the equity marks, the one daily P&L
(the audit statement agrees with the engine's own statement), the numeric views, and engine.backtest()."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import sqlite3
from decimal import Decimal

import pytest
from typer.testing import CliRunner

from engine import backtest
from engine.audit import open_audit_db
from engine.audit.queries import day_statement
from engine.cli import app

from .conftest import run_engine


def rows(path, sql, *params):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_each_run_stores_mode_data_params_and_fingerprints(backtest_folder):
    folder = backtest_folder(days=3)
    first = run_engine(folder)
    second = backtest(folder / "config.yaml", params={"swing_b": {"lots": 30}})
    (folder / "bars" / "600000.SH.csv").write_text(
        (folder / "bars" / "600000.SH.csv").read_text().replace(",10.", ",10.0", 1))  # one price changed
    third = run_engine(folder)
    settings = {run: json.loads(text) for run, text in rows(folder / "audit.db", "SELECT run_id, settings FROM runs")}
    one, two, three = settings[first.run_id], settings[second.run_id], settings[third.run_id]
    assert one["mode"] == "backtest" and one["data"]["period"] == "1m"
    assert one["data"]["codes"] == ["000001.SZ", "600000.SH"] and one["data"]["first"].startswith("2026-01-05T09:")
    assert one["strategies"]["swing_b"]["params"] == {"dip": 0.002, "rise": 0.006, "lots": 10}
    assert two["strategies"]["swing_b"]["params"]["lots"] == 30
    assert one["config"]["account_id"] != "BT0001" and "BT0001" not in json.dumps(one)  # masked
    assert one["config_fingerprint"] != two["config_fingerprint"]  # other params
    assert one["data_fingerprint"] == two["data_fingerprint"] != three["data_fingerprint"]  # other data
    assert one["config_fingerprint"] == three["config_fingerprint"]
    result = CliRunner().invoke(app, ["audit", "runs", "--db", str(folder / "audit.db")], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for text in (first.run_id, "lots=30", one["config_fingerprint"][:8], two["data_fingerprint"][:8], "+3d", "completed"):
        assert text in result.output, text
    listing = CliRunner().invoke(app, ["audit", "runs", "--json", "--db", str(folder / "audit.db")])
    newest = json.loads(listing.output.split("\n}\n")[0] + "\n}")
    assert newest["run_id"] == third.run_id and newest["pnl"] == str(third.end_equity - third.start_equity)
    assert newest["sharpe"] is not None and newest["max_drawdown"] <= 0


def test_marks_start_close_each_day_stop_and_intraday_only_when_something_changed(backtest_folder):
    folder = backtest_folder(days=3, second=False)
    summary = run_engine(folder)
    kinds = rows(folder / "audit.db", "SELECT kind, substr(ts, 1, 10), substr(ts, 12, 8) FROM equity_marks ORDER BY seq")
    assert kinds[0][0] == "start" and kinds[-1][0] == "stop"
    assert [(day, t) for kind, day, t in kinds if kind == "close"] == [
        ("2026-01-05", "15:01:00"), ("2026-01-06", "15:01:00"), ("2026-01-07", "15:01:00")]
    intraday = [t for kind, _, t in kinds if kind == "intraday"]
    assert intraday and all("09:30:00" <= t <= "11:30:00" or "13:00:00" <= t <= "15:00:00" for t in intraday)
    assert 3 * 8 <= len(intraday) <= 3 * 10  # backtest default: one per 30 minutes of trading
    final = rows(folder / "audit.db", "SELECT total_asset FROM equity_marks WHERE kind = 'stop'")[0][0]
    assert Decimal(final) == summary.end_equity


def test_the_audit_statement_and_the_engines_statement_agree_on_each_days_pnl(backtest_folder):
    folder = backtest_folder(days=4)
    summary = run_engine(folder)
    db = open_audit_db(folder / "audit.db", create=False)
    try:
        recorded = {r["day"]: json.loads(r["statement"]) for r in db.query("SELECT day, statement FROM daily_statements")}
        assert len(recorded) == 4
        for day, engine_statement in recorded.items():
            from_audit = day_statement(db, day=day, run_id=summary.run_id)
            assert from_audit["pnl"] == engine_statement["account"]["pnl"], day
            by_strategy = {row["strategy"]: row["pnl"] for row in from_audit["strategies"]}
            for name, row in engine_statement["strategies"].items():
                assert by_strategy.get(name, "0.00") == row["pnl"], (day, name)
        daily = dict(db.execute("SELECT trading_day, pnl_num FROM equity_daily WHERE run_id = ?", [summary.run_id]).fetchall())
        assert {day: f"{value:.2f}" for day, value in daily.items()} == {
            day: s["account"]["pnl"] for day, s in recorded.items()}
    finally:
        db.close()


def test_numeric_views_sort_as_numbers_and_read_in_datasette(backtest_folder):
    folder = backtest_folder(days=2)
    run_engine(folder)
    path = folder / "audit.db"
    top = rows(path, "SELECT price, price_num FROM fills_numeric ORDER BY price_num DESC LIMIT 1")[0]
    assert top[1] == max(float(p) for (p,) in rows(path, "SELECT price FROM fills"))
    assert str(top[1]) == str(float(top[0]))  # the REAL next to its exact TEXT
    latest = rows(path, "SELECT status_label, COUNT(*) FROM orders_latest GROUP BY status_label")
    assert sum(n for _, n in latest) == rows(path, "SELECT COUNT(*) FROM order_intents")[0][0]
    from datasette.app import Datasette

    async def fetch():
        ds = Datasette([str(path)], immutables=[])
        response = await ds.client.get("/audit/equity_daily.json?_shape=array&_sort_desc=total_asset_num")
        views = await ds.client.get("/audit.json")
        return response.status_code, response.json(), views.json()

    # a thread of its own: the session's Playwright keeps an event loop running on this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        status, daily, database = pool.submit(asyncio.run, fetch()).result(timeout=60)
    assert status == 200 and len(daily) == 2 and isinstance(daily[0]["total_asset_num"], float)
    assert daily[0]["total_asset_num"] >= daily[1]["total_asset_num"]
    assert {"fills_numeric", "orders_latest", "equity_daily", "equity_intraday", "run_results"} <= {
        v["name"] for v in database["views"]}


def test_backtest_returns_metrics_and_frames(backtest_folder):
    folder = backtest_folder(days=5, second=False)
    result = backtest(folder / "config.yaml", params={"dip": 0.004})  # one strategy: its params directly
    assert result.results.run["strategies"]["swing_a"]["params"]["dip"] == 0.004
    assert list(result.equity.index.strftime("%Y-%m-%d"))[:2] == ["2026-01-05", "2026-01-06"]
    assert {"total_asset", "return", "drawdown", "exposure", "benchmark_return"} <= set(result.equity.columns)
    assert {"entry", "exit", "holding_days", "pnl", "return"} <= set(result.trades.columns)
    assert result.metrics["trading_days"] == 5 and "Sharpe" in result._repr_html_()
    assert result.save_report(folder / "nb.html").stat().st_size > 1_000_000
    with pytest.raises(ValueError, match="name the strategy"):
        backtest(backtest_folder(days=2) / "config.yaml", params={"dip": 0.1})
