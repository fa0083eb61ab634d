"""export: tables, views and read-only queries to CSV, JSON lines and (with pyarrow) Parquet."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from engine.audit.export import ExportError, export


def test_csv_of_a_table_in_write_order(day_db, tmp_path: Path) -> None:
    out = tmp_path / "fills.csv"
    assert export(day_db, "fills", "csv", out) == 5
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [r["trade_id"] for r in rows] == ["T1", "T2", "T3", "T3", "T1"]
    assert rows[0]["price"] == "10.50" and rows[0]["run_id"] == "live-1"


def test_jsonl_of_a_view_for_one_run(day_db, tmp_path: Path) -> None:
    out = tmp_path / "facts.jsonl"
    assert export(day_db, "fill_facts", "jsonl", out, run_id="live-2") == 1
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["trade_id"] == "T3" and row["is_repeat"] == 1 and row["amount"] == "980.00"


def test_a_select_query_with_the_run_parameter(day_db, tmp_path: Path) -> None:
    out = tmp_path / "q.csv"
    sql = "SELECT client_order_id, rule FROM order_denials WHERE run_id = :run"
    assert export(day_db, sql, "csv", out, run_id="live-1") == 1
    assert out.read_text(encoding="utf-8").splitlines() == ["client_order_id,rule", "c-2,max_order_value"]


def test_a_query_cannot_change_the_file(day_db, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="SELECT"):
        export(day_db, "DELETE FROM fills", "csv", tmp_path / "x.csv")
    with pytest.raises(ExportError, match="readonly|read-only|query_only|append-only|cannot export"):
        export(day_db, "WITH x AS (SELECT 1) DELETE FROM alerts", "csv", tmp_path / "x.csv")
    assert day_db.execute("SELECT COUNT(*) FROM fills").fetchone()[0] == 5


@pytest.mark.parametrize(("source", "fmt", "run", "message"), [
    ("nope", "csv", None, "neither a table"),
    ("fills", "xlsx", None, "unknown export format"),
    ("audit_chain", "csv", "live-1", "no run_id column"),
])
def test_clear_errors(day_db, tmp_path: Path, source: str, fmt: str, run, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        export(day_db, source, fmt, tmp_path / "x.out", run_id=run)


def test_missing_folder(day_db, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="does not exist"):
        export(day_db, "fills", "csv", tmp_path / "no" / "x.csv")


def test_parquet_without_pyarrow_names_the_install(day_db, tmp_path: Path, monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_pyarrow(name, *args, **kwargs):
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(ExportError, match="pip install pyarrow"):
        export(day_db, "fills", "parquet", tmp_path / "f.parquet")


def test_parquet(day_db, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    out = tmp_path / "fills.parquet"
    assert export(day_db, "fills", "parquet", out) == 5
    table = pq.read_table(out)
    assert table.num_rows == 5 and table.column("price").to_pylist()[0] == "10.50"
