"""qmt-engine audit verify: exit 0 when intact, 1 with the first bad row when tampered, 2 when it cannot check."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.audit.scenario import write_trading_day

runner = CliRunner()


@pytest.fixture
def audit_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.db"
    write_trading_day(path)
    return path


def invoke(*args: object):
    result = runner.invoke(app, ["audit", "verify", *map(str, args)])
    return result.exit_code, " ".join(result.output.split())


def test_an_intact_database_exits_0(audit_file: Path) -> None:
    code, output = invoke("--db", audit_file)
    assert code == 0, output
    assert "audit chain intact" in output and "chained rows: 41 in" in output  # the sample day: 39 events and 2 equity marks
    assert "runs without a stop row (crashed or still running): live-2, paper-1" in output


def test_tampering_exits_1_naming_the_first_bad_row(audit_file: Path) -> None:
    conn = sqlite3.connect(audit_file)
    seq = conn.execute("SELECT seq FROM fills WHERE run_id = 'live-1' AND trade_id = 'T2'").fetchone()[0]
    conn.execute("DROP TRIGGER fills_append_only_update")
    conn.execute("UPDATE fills SET volume = 1000 WHERE run_id = 'live-1' AND trade_id = 'T2'")
    conn.commit()
    conn.close()
    code, output = invoke("--db", audit_file)
    assert code == 1
    assert f"first: altered at table fills, run live-1, seq {seq}" in output
    assert "unprotected" in output  # the dropped trigger is listed too


def test_json_report(audit_file: Path) -> None:
    result = runner.invoke(app, ["audit", "verify", "--db", str(audit_file), "--json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    assert report["ok"] is True and report["chained_rows"] == 41 and report["problems"] == []


def test_expected_head_that_the_chain_no_longer_has(audit_file: Path) -> None:
    code, output = invoke("--db", audit_file, "--expect-head", f"3:{'ab' * 32}")
    assert code == 1 and "rewritten" in output
    code, output = invoke("--db", audit_file, "--expect-head", "3:xyz")
    assert code == 2 and "BLOCK:HASH" in output


def test_missing_database_exits_2(tmp_path: Path) -> None:
    code, output = invoke("--db", tmp_path / "nope.db")
    assert code == 2 and "no audit database" in output
