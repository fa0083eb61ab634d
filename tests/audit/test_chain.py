"""The hash chain as the writer builds it: canonical content, stored values, blocks, the head file."""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils.migrations import Migrations

from engine.audit import AuditWriteError, AuditWriter, open_audit_db
from engine.audit.chain import GENESIS_HASH, ChainHead, canonical_row, read_head
from engine.audit.head_file import HeadFileError, format_head, head_file_path, read_head_file
from engine.audit.migrations import (
    MIGRATION_SET_NAME, m001_initial, m002_reconciliation_and_alerts, m003_daily_statements,
)
from engine.audit.stored_values import InsertLayout, StoredValues, TableLayout, column_affinity
from engine.audit.verify import verify_chain

from .conftest import EventFactory


def test_canonical_row_is_compact_json_of_table_and_values() -> None:
    row = ("run-1", 7, "2025-01-02T09:30:07", "T1", None, "买入", 10.5, "10.50", None, None)
    text = canonical_row("fills", row).decode("utf-8")
    assert text == '["fills",["run-1",7,"2025-01-02T09:30:07","T1",null,"买入",10.5,"10.50"]]'
    assert json.loads(text) == ["fills", list(row[:8])]


def test_trailing_nulls_do_not_count_so_added_columns_keep_old_hashes() -> None:
    assert canonical_row("t", ("a", 1)) == canonical_row("t", ("a", 1, None, None))
    assert canonical_row("t", ("a", None, 1)) != canonical_row("t", ("a", 1))
    assert canonical_row("t", ("1",)) != canonical_row("t", (1,))  # types are part of the content


def test_floats_are_written_as_shortest_round_trip() -> None:
    assert canonical_row("t", (0.1 + 0.2, 1e-7, 2.0)) == b'["t",[0.30000000000000004,1e-07,2.0]]'


@pytest.mark.parametrize(("declared", "affinity"), [
    ("TEXT", "TEXT"), ("INTEGER", "INTEGER"), ("REAL", "REAL"), ("", "BLOB"), ("VARCHAR(10)", "TEXT"),
    ("DOUBLE", "REAL"), ("DECIMAL", "NUMERIC"), ("BIGINT", "INTEGER"),
])
def test_column_affinity_follows_sqlite_rules(declared: str, affinity: str) -> None:
    assert column_affinity(declared) == affinity


_VALUES = st.one_of(
    st.none(), st.text(max_size=12), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(["12", " 7 ", "1e3", "2.50", "0x10", "abc"]),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(_VALUES, min_size=4, max_size=4))
def test_stored_values_are_what_sqlite_stores(values: list) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (a TEXT, b INTEGER, c REAL, d NUMERIC)")
    layout = InsertLayout(TableLayout.read(conn, "t"), ["a", "b", "c", "d"])
    converter = StoredValues()
    try:
        converted = converter.convert(layout, tuple(values))
        conn.execute("INSERT INTO t VALUES (?, ?, ?, ?)", values)
        stored = conn.execute("SELECT * FROM t").fetchone()
        assert canonical_row("t", converted) == canonical_row("t", stored)
        assert [type(v) for v in converted] == [type(v) for v in stored]
        assert all(a == b or (isinstance(a, float) and math.isnan(a)) for a, b in zip(converted, stored))
    finally:
        converter.close()
        conn.close()


def _blocks(path: Path) -> list[dict]:
    db = open_audit_db(path, create=False)
    try:
        return list(db.query("SELECT * FROM audit_chain ORDER BY block"))
    finally:
        db.close()


def test_each_commit_is_one_block_linking_its_rows_in_seq_order(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path, flush_interval=30.0) as audit:
        audit.track_event(events("run_started"))  # durable: its own commit
        for _ in range(3):
            audit.track_event(events("connection"))
        audit.track_event(events("order_intent"))  # durable: commits the three connections with it
    blocks = _blocks(db_path)
    assert [(b["block"], b["first_position"], b["row_count"]) for b in blocks] == [(1, 1, 1), (2, 2, 4)]
    assert blocks[0]["prev_hash"] == GENESIS_HASH and blocks[1]["prev_hash"] == blocks[0]["head_hash"]
    entries = json.loads(blocks[1]["entries"])
    assert [(e[0], e[2]) for e in entries] == [
        ("connection_events", 2), ("connection_events", 3), ("connection_events", 4), ("order_intents", 5)]
    assert all(len(e) == 3 for e in entries) and len(blocks[1]["digests"]) == 4 * 32
    conn = sqlite3.connect(db_path)
    try:  # recompute block 2 from the stored rows, as the definition says: one hash over the rows' digests
        digests = b""
        for table, run_id, seq in entries:
            row = conn.execute(f"SELECT * FROM [{table}] WHERE run_id = ? AND seq = ?", (run_id, seq)).fetchone()
            digests += hashlib.sha256(canonical_row(table, row)).digest()
        assert digests == blocks[1]["digests"]
        head = hashlib.sha256(bytes.fromhex(blocks[1]["prev_hash"]) + digests).hexdigest()
        assert head == blocks[1]["head_hash"]
    finally:
        conn.close()


def test_values_sqlite_converts_are_hashed_as_stored(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("risk_decision", value=300, limit=1e20))  # ints/floats into TEXT columns
        audit.track_event(events("job_run", duration_ms=float("nan")))  # NaN is stored as NULL
        audit.track_event(events("order_update", order_id=2.0, order_sysid=12))  # 2.0 -> 2, 12 -> '12'
    db = open_audit_db(db_path, create=False)
    try:
        assert verify_chain(db).ok
        assert db.execute("SELECT value FROM risk_decisions").fetchone()[0] == "300"
        assert db.execute("SELECT duration_ms FROM job_runs").fetchone()[0] is None
    finally:
        db.close()


def test_rows_that_fail_are_left_out_of_the_chain(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path, flush_interval=30.0) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("order_intent", client_order_id="c-9"))
        audit.track_event(events("connection"))
        duplicate = events("order_intent", client_order_id="c-9")  # UNIQUE (run_id, client_order_id)
        with pytest.raises(AuditWriteError, match="UNIQUE"):
            audit.track_event(duplicate)
        audit.track_event(events("alert"))
    db = open_audit_db(db_path, create=False)
    try:
        report = verify_chain(db)
        assert report.ok, report.problems
        assert report.chained_rows == 4
    finally:
        db.close()


def test_head_file_follows_every_commit(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path) as audit:
        audit.track_event(events("run_started"))
        head = read_head_file(head_file_path(db_path))
        assert (head.block, head.position) == (1, 1)
        audit.track_event(events("order_intent"))
        assert read_head_file(head_file_path(db_path)).block == 2
    conn = sqlite3.connect(db_path)
    try:
        assert read_head_file(head_file_path(db_path)) == read_head(conn)
    finally:
        conn.close()


def test_head_file_checksum_catches_a_torn_or_edited_record(tmp_path: Path) -> None:
    path = tmp_path / "x-chainhead"
    assert read_head_file(path) is None
    path.write_bytes(format_head(ChainHead(3, 10, "ab" * 32)))
    assert read_head_file(path) == ChainHead(3, 10, "ab" * 32)
    path.write_bytes(format_head(ChainHead(3, 10, "ab" * 32)).replace(b" 3 10 ", b" 2 10 "))
    with pytest.raises(HeadFileError, match="checksum"):
        read_head_file(path)
    path.write_text("hello", encoding="utf-8")
    with pytest.raises(HeadFileError, match="not a qmt-engine"):
        read_head_file(path)


def test_a_restart_continues_the_chain(db_path: Path) -> None:
    for run_id in ("run-1", "run-2"):
        events = EventFactory(run_id=run_id)
        with AuditWriter(db_path) as audit:
            audit.track_event(events("run_started"))
            audit.track_event(events("fill"))
            audit.track_event(events("run_stopped"))
    db = open_audit_db(db_path, create=False)
    try:
        report = verify_chain(db)
        assert report.ok and report.chained_rows == 6 and report.runs_without_stop == []
    finally:
        db.close()


def test_rows_written_before_the_chain_are_unchained_not_tampered(db_path: Path) -> None:
    old = Migrations(MIGRATION_SET_NAME)
    old(name="m001_initial")(m001_initial)
    old(name="m002_reconciliation_and_alerts")(m002_reconciliation_and_alerts)
    old(name="m003_daily_statements")(m003_daily_statements)
    legacy = open_audit_db(db_path, migrations=old)
    legacy.execute("INSERT INTO runs (run_id, seq, ts, mode) VALUES ('old', 1, '2025-01-01T09:30:00', 'paper')")
    legacy.execute("INSERT INTO fills (run_id, seq, ts, trade_id) VALUES ('old', 2, '2025-01-01T09:31:00', 'T0')")
    legacy.conn.commit()
    legacy.close()
    events = EventFactory(run_id="new")
    with AuditWriter(db_path) as audit:  # migrates to m004, then chains what it writes
        audit.track_event(events("run_started"))
        audit.track_event(events("fill"))
    db = open_audit_db(db_path, create=False)
    try:
        report = verify_chain(db)
        assert report.ok, report.problems
        assert report.unchained_rows == {"runs": 1, "fills": 1}
        assert report.chained_rows == 2
    finally:
        db.close()
