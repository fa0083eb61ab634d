"""qmt-engine audit statement: a day's orders, fills, fees, turnover and P&L per strategy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.audit.scenario import write_two_days

runner = CliRunner()


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("statement") / "audit.db"
    write_two_days(path)
    return path


def invoke(*args: object):
    result = runner.invoke(app, ["audit", "statement", *map(str, args)], terminal_width=200)
    return result.exit_code, result.output


def test_latest_day_table_defaults_to_the_latest_run(audit_file: Path) -> None:
    code, output = invoke("--db", audit_file)
    assert code == 0, output
    assert "statement of 2025-01-03 (run day-2)" in output
    for text in ("realised_pnl", "134.50", "rejected", "no broker status", "91.17", "43.33"):
        assert text in output, text


def test_all_runs_on_request(audit_file: Path) -> None:
    code, output = invoke("--db", audit_file, "--all-runs", "--day", "2025-01-02")
    assert code == 0, output
    assert "statement of 2025-01-02 (all runs)" in output and "3900.00" in output
    code, output = invoke("--db", audit_file, "--day", "2025-01-02")  # the latest run had nothing that day
    assert code == 0 and "day-2" in output and "3900.00" not in output


def test_json_for_one_run_and_day(audit_file: Path) -> None:
    code, output = invoke("--db", audit_file, "--day", "2025-01-02", "--run", "day-1", "--json")
    assert code == 0
    statement = json.loads(output)
    assert statement["day"] == "2025-01-02" and statement["turnover"] == "3900.00" and statement["orders"] == 2


@pytest.mark.parametrize(("args", "message"), [
    (("--day", "03/01/2025"), "YYYY-MM-DD"),
    (("--run", "nope"), "no run 'nope'"),
])
def test_bad_input_exits_2(audit_file: Path, args: tuple, message: str) -> None:
    code, output = invoke("--db", audit_file, *args)
    assert code == 2 and message in output
