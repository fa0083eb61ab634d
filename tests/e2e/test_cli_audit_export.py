"""qmt-engine audit export: CSV and JSON lines (Parquet only with pyarrow), clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from engine.cli import app
from tests.audit.scenario import write_trading_day

runner = CliRunner()


@pytest.fixture(scope="module")
def audit_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("export") / "audit.db"
    write_trading_day(path)
    return path


def invoke(*args: object):
    result = runner.invoke(app, ["audit", "export", *map(str, args)])
    return result.exit_code, " ".join(result.output.split())


def test_csv_of_one_run(audit_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "intents.csv"
    code, output = invoke("order_intents", "--format", "csv", "--out", out, "--db", audit_file, "--run", "live-1")
    assert code == 0 and f"exported 3 rows of order_intents to {out}" in output
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [r["client_order_id"] for r in rows] == ["c-1", "c-3", "c-4"]


def test_jsonl_of_a_query(audit_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "q.jsonl"
    code, output = invoke("SELECT kind, run_id FROM connection_events", "-f", "jsonl", "-o", out, "--db", audit_file)
    assert code == 0, output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["kind"] for line in lines] == ["connected", "disconnected", "reconnecting", "reconnected"]


def test_parquet(audit_file: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "fills.parquet"
    code, _ = invoke("fills", "-f", "parquet", "-o", out, "--db", audit_file)
    assert code == 0 and pq.read_table(out).num_rows == 5


def test_parquet_without_pyarrow(audit_file: Path, tmp_path: Path) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        code, output = invoke("fills", "-f", "parquet", "-o", tmp_path / "f.parquet", "--db", audit_file)
        assert code == 2 and "pip install pyarrow" in output
    else:
        pytest.skip("pyarrow is installed")


def test_unknown_table_exits_2(audit_file: Path, tmp_path: Path) -> None:
    code, output = invoke("trades", "-f", "csv", "-o", tmp_path / "x.csv", "--db", audit_file)
    assert code == 2 and "'trades' is neither a table" in output and "fill_facts" in output
