"""open_audit_db: migrate on open, connection settings, refusing files that are not ours."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from engine.audit import (
    MIGRATIONS, AuditDatabaseMissingError, AuditSchemaTooNewError, NotAnAuditDatabaseError,
    open_audit_db,
)
from engine.audit.migrations import (
    MIGRATION_SET_NAME, m001_initial, m002_reconciliation_and_alerts, m003_daily_statements,
    m004_append_only_and_hash_chain, m005_chain_blocks_with_digests, m006_equity_marks_and_numeric_views,
    m007_strategy_states,
)

EXPECTED_TABLES = {
    "runs", "run_stops", "order_intents", "order_submissions", "order_updates", "fills",
    "risk_decisions", "order_denials", "order_errors", "cancel_requests", "cancel_errors",
    "connection_events", "plugin_errors", "job_runs", "trading_states",
}


def test_fresh_file_is_created_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "audit.db"
    db = open_audit_db(path)
    try:
        assert path.is_file()
        assert EXPECTED_TABLES <= set(db.table_names())
        assert {"run_scopes", "run_overview", "fill_facts"} <= set(db.view_names())
        assert [m.name for m in MIGRATIONS.applied(db)] == [
            "m001_initial", "m002_reconciliation_and_alerts", "m003_daily_statements", "m004_append_only_and_hash_chain",
            "m005_chain_blocks_with_digests", "m006_equity_marks_and_numeric_views", "m007_strategy_states"]
        assert MIGRATIONS.pending(db) == []
    finally:
        db.close()


def test_connection_settings(audit_db: Database) -> None:
    assert audit_db.journal_mode == "wal"
    assert audit_db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert audit_db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_wal_mode_is_persistent_in_the_file(db_path: Path) -> None:
    open_audit_db(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_reopen_is_a_no_op(db_path: Path) -> None:
    first = open_audit_db(db_path)
    applied_before = [(m.name, m.applied_at) for m in MIGRATIONS.applied(first)]
    first["runs"].insert({"run_id": "r1", "seq": 1, "ts": "2025-01-02T09:30:00", "mode": "paper"})
    first.close()
    second = open_audit_db(db_path)
    try:
        assert [(m.name, m.applied_at) for m in MIGRATIONS.applied(second)] == applied_before
        assert second["runs"].count == 1
    finally:
        second.close()


def test_a_later_migration_applies_to_an_existing_file_and_keeps_data(db_path: Path) -> None:
    db = open_audit_db(db_path)
    db["runs"].insert({"run_id": "r1", "seq": 1, "ts": "2025-01-02T09:30:00", "mode": "live"})
    db["connection_events"].insert({"run_id": "r1", "seq": 2, "ts": "2025-01-02T09:30:01", "kind": "connected"})
    db.close()

    extended = Migrations(MIGRATION_SET_NAME)
    extended(name="m001_initial")(m001_initial)
    extended(name="m002_reconciliation_and_alerts")(m002_reconciliation_and_alerts)
    extended(name="m003_daily_statements")(m003_daily_statements)
    extended(name="m004_append_only_and_hash_chain")(m004_append_only_and_hash_chain)
    extended(name="m005_chain_blocks_with_digests")(m005_chain_blocks_with_digests)
    extended(name="m006_equity_marks_and_numeric_views")(m006_equity_marks_and_numeric_views)
    extended(name="m007_strategy_states")(m007_strategy_states)

    @extended()
    def m008_connection_latency(db: Database) -> None:
        db["connection_events"].add_column("latency_ms", float)

    upgraded = open_audit_db(db_path, migrations=extended)
    try:
        assert [m.name for m in extended.applied(upgraded)] == [
            "m001_initial", "m002_reconciliation_and_alerts", "m003_daily_statements",
            "m004_append_only_and_hash_chain", "m005_chain_blocks_with_digests",
            "m006_equity_marks_and_numeric_views", "m007_strategy_states", "m008_connection_latency"]
        assert "latency_ms" in upgraded["connection_events"].columns_dict
        assert list(upgraded["connection_events"].rows) == [
            {"run_id": "r1", "seq": 2, "ts": "2025-01-02T09:30:01", "kind": "connected",
             "session_id": None, "detail": None, "latency_ms": None}
        ]
        assert upgraded["runs"].count == 1
    finally:
        upgraded.close()


def test_file_migrated_by_newer_code_is_refused(db_path: Path) -> None:
    newer = Migrations(MIGRATION_SET_NAME)
    newer(name="m001_initial")(m001_initial)
    newer(name="m999_from_the_future")(lambda db: db["runs"].add_column("future", str))
    open_audit_db(db_path, migrations=newer).close()

    with pytest.raises(AuditSchemaTooNewError) as info:
        open_audit_db(db_path)
    assert str(db_path) in str(info.value)
    assert "m999_from_the_future" in str(info.value)


def test_text_file_is_not_an_audit_db(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my trading notes, not a database\n" * 10)
    with pytest.raises(NotAnAuditDatabaseError, match="not a SQLite database") as info:
        open_audit_db(path)
    assert str(path) in str(info.value)
    assert path.read_text().startswith("these are my trading notes")  # untouched


def test_foreign_sqlite_db_is_not_an_audit_db(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(NotAnAuditDatabaseError, match="not a qmt-engine audit database") as info:
        open_audit_db(path)
    assert str(path) in str(info.value) and "customers" in str(info.value)
    conn = sqlite3.connect(path)
    try:  # nothing was added to someone else's database
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert names == {"customers"}
    finally:
        conn.close()


def test_empty_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    db = open_audit_db(path)
    try:
        assert "runs" in db.table_names()
    finally:
        db.close()


def test_missing_file_with_create_false(tmp_path: Path) -> None:
    path = tmp_path / "missing.db"
    with pytest.raises(AuditDatabaseMissingError) as info:
        open_audit_db(path, create=False)
    assert str(path) in str(info.value)
    assert not path.exists()


def test_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(NotAnAuditDatabaseError, match="is a directory"):
        open_audit_db(tmp_path)


def test_foreign_keys_reject_an_event_of_an_unknown_run(audit_db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        audit_db["fills"].insert({"run_id": "nope", "seq": 1, "ts": "t", "trade_id": "T1"})


def test_a_file_at_schema_m001_is_upgraded_to_the_current_schema_keeping_its_rows(db_path: Path) -> None:
    first = Migrations(MIGRATION_SET_NAME)
    first(name="m001_initial")(m001_initial)
    old = open_audit_db(db_path, migrations=first)
    old.execute("INSERT INTO runs (run_id, seq, ts, mode) VALUES ('r1', 1, '2026-03-10T10:00:00', 'paper')")
    old.conn.commit()
    old.close()
    current = open_audit_db(db_path)
    try:
        assert [m.name for m in MIGRATIONS.applied(current)] == [
            "m001_initial", "m002_reconciliation_and_alerts", "m003_daily_statements", "m004_append_only_and_hash_chain",
            "m005_chain_blocks_with_digests", "m006_equity_marks_and_numeric_views", "m007_strategy_states"]
        assert {"reconciliation_diffs", "alerts", "equity_marks"} <= set(current.table_names())
        assert {"fills_numeric", "orders_latest", "equity_intraday", "equity_daily", "run_results"} <= set(
            current.view_names())
        assert [r["run_id"] for r in current.query("SELECT run_id FROM runs")] == ["r1"]
    finally:
        current.close()
