"""qmt-engine report (terminal, HTML, JSON, --compare), qmt-engine run's report after a backtest, and the
HTML report in a real browser: offline, no console errors, every chart drawn, a screenshot kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from engine import backtest
from engine.cli import app

from .conftest import run_engine

runner = CliRunner()


def report(*args):
    result = runner.invoke(app, ["report", *map(str, args)], terminal_width=160)
    return result.exit_code, result.output


@pytest.fixture
def two_runs(backtest_folder):
    """A backtest folder with two runs of different parameters; returns (folder, [run ids])."""
    folder = backtest_folder()
    first = run_engine(folder)
    second = backtest(folder / "config.yaml", params={"swing_a": {"dip": 0.006, "rise": 0.002}})
    return folder, [first.run_id, second.run_id]


def test_report_terminal_json_and_html(two_runs, tmp_path):
    folder, (first, second) = two_runs
    code, output = report("--db", folder / "audit.db", "--json", tmp_path / "r.json", "--html", tmp_path / "r.html")
    assert code == 0, output
    assert f"run {second} (backtest, completed)" in output
    for text in ("Sharpe", "max drawdown", "win rate", "swing_a", "swing_b", "(unattributed)", "alpha", "HTML report:"):
        assert text in output, text
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["run"]["run_id"] == second and len(data["daily"]) == 20
    assert data["run"]["strategies"]["swing_a"]["params"] == {"dip": 0.006, "rise": 0.002, "lots": 20}
    assert data["metrics"]["benchmark"] == "CSI 300 (synthetic)" and data["metrics"]["beta"] is not None
    assert data["trades"] and set(data["trades"][0]) >= {"entry", "exit", "holding_days", "pnl", "return"}
    assert (tmp_path / "r.html").stat().st_size > 1_000_000  # plotly's JavaScript is inside (the browser test
    # shows the page needs nothing from the network)
    code, output = report(first[:17], "--db", folder / "audit.db")  # a unique prefix names a run
    assert code == 0 and f"run {first}" in output


def test_report_compare_puts_runs_side_by_side(two_runs, tmp_path):
    folder, (first, second) = two_runs
    code, output = report("--compare", "--db", folder / "audit.db", "--html", tmp_path / "c.html")  # the latest two
    assert code == 0, output
    assert first in output and second in output and "dip=0.006" in output and "dip=0.003" in output
    code, output = report(first, second, "--db", folder / "audit.db")
    assert code == 2 and "--compare" in output
    code, output = report("nope", "--db", folder / "audit.db")
    assert code == 2 and "no run 'nope'" in output


def test_run_writes_the_report_after_a_backtest_and_says_where(backtest_folder):
    folder = backtest_folder(days=5, second=False)
    env = {**os.environ, "COLUMNS": "160"}
    result = subprocess.run([sys.executable, "-m", "engine", "run", "--no-progress", "-q", "-c", "config.yaml"],
                            cwd=folder, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    reports = list((folder / "reports").glob("report-*.html"))
    assert len(reports) == 1 and f"report:       {reports[0]}" in result.stdout
    assert "Sharpe" in result.stdout


def test_the_html_report_renders_offline_in_chromium(browser, two_runs, tmp_path):
    folder, (first, second) = two_runs
    assert report(second, "--db", folder / "audit.db", "--html", tmp_path / "report.html")[0] == 0
    page = browser.open(None, offline=True, viewport=(1280, 900))
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((tmp_path / "report.html").as_uri())
    page.wait_for_selector("#chart-daily-pnl .main-svg")
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 5
    for i in range(charts.count()):
        chart = charts.nth(i)
        svg = chart.locator(".main-svg").first.bounding_box()
        assert svg and svg["width"] > 300 and svg["height"] > 150, chart.get_attribute("id")
        drawn = chart.locator("g.trace path, g.trace rect, image")  # lines, areas, bars; the heat map's bitmap
        assert drawn.count() > 0, chart.get_attribute("id")
        box = drawn.first.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, chart.get_attribute("id")
    assert page.locator("#trades tbody tr").count() > 10
    assert "swing_a" in page.locator("pre").first.inner_text()
    browser.screenshot(page, "results-report")
    assert browser.console_errors(page) == []
    assert [url for url in requests if not url.startswith(("file:", "data:", "blob:"))] == []  # nothing fetched


def test_the_comparison_page_renders_offline_in_chromium(browser, two_runs, tmp_path):
    folder, runs = two_runs
    assert report("--compare", *runs, "--db", folder / "audit.db", "--html", tmp_path / "compare.html")[0] == 0
    page = browser.open((tmp_path / "compare.html").as_uri(), offline=True)
    page.wait_for_selector("#chart-compare-drawdown .main-svg")
    charts = page.locator(".js-plotly-plot")
    assert charts.count() == 2
    for i in range(2):
        box = charts.nth(i).locator(".main-svg").first.bounding_box()
        assert box and box["width"] > 300 and box["height"] > 150
        assert charts.nth(i).locator("g.trace").count() == 2  # one line per run
    browser.screenshot(page, "results-compare")
    assert browser.console_errors(page) == []
