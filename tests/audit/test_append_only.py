"""m004: every audit table refuses UPDATE and DELETE, enforced by SQLite triggers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from engine.audit import MIGRATIONS, AuditWriter, open_audit_db
from engine.audit.migrations import MIGRATIONS_TABLE
from engine.events import EVENT_TYPES

from .conftest import EventFactory


def _migrated_memory_db() -> Database:
    db = Database(memory=True, execute_plugins=False)
    MIGRATIONS.apply(db)
    return db


def _all_tables() -> list[str]:
    db = _migrated_memory_db()
    try:
        return [t for t in db.table_names() if t != MIGRATIONS_TABLE]
    finally:
        db.close()


TABLES = _all_tables()


@pytest.fixture(scope="module")
def full_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file with at least one row in every table (one event of every type, written by the writer)."""
    path = tmp_path_factory.mktemp("append-only") / "audit.db"
    events = EventFactory()
    with AuditWriter(path) as audit:
        audit.track_event(events("run_started"))
        for name in EVENT_TYPES:
            if name not in ("run_started", "run_stopped"):
                audit.track_event(events(name))
        audit.track_event(events("run_stopped"))
    return path


def test_every_table_has_both_triggers() -> None:
    db = _migrated_memory_db()
    try:
        triggers = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        db.close()
    assert {"fills", "runs", "audit_chain", "audit_unchained"} <= set(TABLES)
    for table in TABLES:
        assert {f"{table}_append_only_update", f"{table}_append_only_delete"} <= triggers, table


@pytest.mark.parametrize("table", TABLES)
def test_update_is_refused(full_db: Path, table: str) -> None:
    conn = sqlite3.connect(full_db)
    try:
        before = conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall()
        assert before, f"{table} should hold a row for this test"
        column = conn.execute(f"PRAGMA table_info([{table}])").fetchall()[-1][1]
        with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only: rows cannot be updated"):
            conn.execute(f"UPDATE [{table}] SET [{column}] = NULL")
        assert conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid").fetchall() == before
    finally:
        conn.close()


@pytest.mark.parametrize("table", TABLES)
def test_delete_is_refused(full_db: Path, table: str) -> None:
    conn = sqlite3.connect(full_db)
    try:
        count = conn.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0]
        with pytest.raises(sqlite3.IntegrityError, match=f"{table} is append-only: rows cannot be deleted"):
            conn.execute(f"DELETE FROM [{table}]")
        assert conn.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0] == count > 0
    finally:
        conn.close()


def test_upsert_is_refused_as_an_update(full_db: Path) -> None:
    conn = sqlite3.connect(full_db)
    try:
        run_id, seq = conn.execute("SELECT run_id, seq FROM fills").fetchone()
        with pytest.raises(sqlite3.IntegrityError, match="fills is append-only"):
            conn.execute(
                "INSERT INTO fills (run_id, seq, ts, trade_id) VALUES (?, ?, 't', 'X') "
                "ON CONFLICT (run_id, seq) DO UPDATE SET trade_id = 'X'", (run_id, seq))
    finally:
        conn.close()


def test_inserts_still_work(full_db: Path) -> None:
    events = EventFactory(run_id="run-2")
    with AuditWriter(full_db) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("connection"))
    db = open_audit_db(full_db, create=False)
    try:
        assert db.execute("SELECT COUNT(*) FROM connection_events WHERE run_id = 'run-2'").fetchone()[0] == 1
    finally:
        db.close()
