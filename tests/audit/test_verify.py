"""verify_chain: a clean file verifies; every kind of tampering is found and reported at the right row.

The attacker works like a real one: opens the file with sqlite3, drops the
append-only triggers, edits, and (unless the test says otherwise) puts the
triggers back to cover the tracks.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from engine.audit import AuditWriter, open_audit_db
from engine.audit.chain import ChainHead, canonical_row
from engine.audit.head_file import head_file_path
from engine.audit.migrations import (
    MIGRATION_SET_NAME, MIGRATIONS_TABLE, append_only, m001_initial, m002_reconciliation_and_alerts,
    m003_daily_statements,
)
from engine.audit.verify import VerifyReport, verify_chain

from .conftest import EventFactory
from .m004_files import load_m004_trading_day
from .scenario import write_trading_day


@pytest.fixture(params=["m005", "m004"])
def day_file(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """The trading day in the current block format, or as written at m004 (per-row links), then upgraded."""
    path = tmp_path / "audit.db"
    if request.param == "m005":
        write_trading_day(path)
    else:
        load_m004_trading_day(path)
    return path


def digest_blocks(path: Path) -> bool:
    """True when the file's blocks are in the m005 format (one hash over the rows' digests)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT digests IS NOT NULL FROM audit_chain ORDER BY block DESC LIMIT 1").fetchone()[0] == 1
    finally:
        conn.close()


def verify(path: Path, **options) -> VerifyReport:
    db = open_audit_db(path, create=False)
    try:
        return verify_chain(db, **options)
    finally:
        db.close()


def tamper(path: Path, *statements: str, params: tuple = (), restore_triggers: bool = True) -> None:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if r[0] != MIGRATIONS_TABLE]
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER [{name}]")
        for statement in statements:
            conn.execute(statement, params)
        if restore_triggers:
            for table in tables:
                append_only(Database(conn), table)
        conn.commit()
    finally:
        conn.close()


def seq_of(path: Path, table: str, where: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT seq FROM [{table}] WHERE {where}").fetchone()[0]
    finally:
        conn.close()


def first(report: VerifyReport) -> tuple:
    problem = report.first
    assert problem is not None, "tampering was not detected"
    return problem.kind, problem.table, problem.run_id, problem.seq


def test_a_clean_file_verifies(day_file: Path) -> None:
    report = verify(day_file)
    assert report.ok and report.problems == [] and report.warnings == []
    conn = sqlite3.connect(day_file)
    try:
        events = sum(conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in (
            "runs", "run_stops", "risk_decisions", "order_denials", "order_intents", "order_submissions",
            "order_updates", "fills", "order_errors", "cancel_requests", "cancel_errors", "connection_events",
            "plugin_errors", "job_runs", "trading_states", "equity_marks"))
    finally:
        conn.close()
    assert report.chained_rows == report.head.position == events
    assert report.unchained_rows == {} and report.runs_without_stop == ["live-2", "paper-1"]
    assert str(report.head.block) in report.head_file


def test_an_altered_value_is_reported_at_its_row(day_file: Path) -> None:
    seq = seq_of(day_file, "fills", "run_id = 'live-1' AND trade_id = 'T2'")
    tamper(day_file, "UPDATE fills SET price = '10.49' WHERE run_id = 'live-1' AND trade_id = 'T2'")
    report = verify(day_file)
    assert first(report) == ("altered", "fills", "live-1", seq)
    assert report.problem_count == 1


def test_an_altered_account_in_runs_is_reported(day_file: Path) -> None:
    tamper(day_file, "UPDATE runs SET account = '******9999' WHERE run_id = 'live-2'")
    assert first(verify(day_file)) == ("altered", "runs", "live-2", 1)


def test_a_deleted_row_is_reported_at_its_row(day_file: Path) -> None:
    seq = seq_of(day_file, "order_errors", "client_order_id = 'c-3'")
    tamper(day_file, "DELETE FROM order_errors WHERE client_order_id = 'c-3'")
    report = verify(day_file)
    assert first(report) == ("removed", "order_errors", "live-1", seq)
    assert report.problem_count == 1


def test_a_deleted_row_whose_chain_entry_was_scrubbed_breaks_its_block(day_file: Path) -> None:
    seq = seq_of(day_file, "order_errors", "client_order_id = 'c-3'")
    conn = sqlite3.connect(day_file)
    block, entries, digests = next((b, json.loads(e), d) for b, e, d in conn.execute(
        "SELECT block, entries, digests FROM audit_chain") if any(x[0] == "order_errors" for x in json.loads(e)))
    conn.close()
    kept = [x for x in entries if x[0] != "order_errors"]
    if digests is not None:  # m005: the thorough attacker scrubs the row's digest too
        digests = b"".join(digests[i * 32:i * 32 + 32] for i, x in enumerate(entries) if x[0] != "order_errors")
    tamper(day_file, "DELETE FROM order_errors WHERE client_order_id = 'c-3'")
    tamper(day_file, f"UPDATE audit_chain SET entries = '{json.dumps(kept)}', row_count = {len(kept)}, digests = ? "
                     f"WHERE block = {block}", params=(digests,))
    report = verify(day_file)
    problem = report.first
    assert (problem.kind, problem.block, problem.run_id, problem.seq) == ("chain_broken", block, "live-1", seq)
    assert "do not link" in problem.message


def test_an_inserted_row_is_reported(day_file: Path) -> None:
    tamper(day_file, "INSERT INTO fills (run_id, seq, ts, trade_id, client_order_id, price, volume, amount) "
                     "VALUES ('live-1', 999, '2025-01-02T10:00:00', 'T9', 'c-1', '10.00', 100, '1000.00')")
    report = verify(day_file)
    assert first(report) == ("inserted", "fills", "live-1", 999)
    assert report.problem_count == 1


def test_rows_moved_by_swapping_their_seq_are_reported(day_file: Path) -> None:
    t1 = seq_of(day_file, "fills", "run_id = 'live-1' AND trade_id = 'T1'")
    t2 = seq_of(day_file, "fills", "run_id = 'live-1' AND trade_id = 'T2'")
    tamper(day_file, f"UPDATE fills SET seq = -1 WHERE run_id = 'live-1' AND seq = {t1}",
           f"UPDATE fills SET seq = {t1} WHERE run_id = 'live-1' AND seq = {t2}",
           f"UPDATE fills SET seq = {t2} WHERE run_id = 'live-1' AND seq = -1")
    report = verify(day_file)
    assert first(report) == ("altered", "fills", "live-1", t1)
    assert report.problem_count == 2


def test_chain_entries_moved_within_a_block_are_reported(day_file: Path) -> None:
    conn = sqlite3.connect(day_file)
    block, entries = next((b, json.loads(e)) for b, e in conn.execute("SELECT block, entries FROM audit_chain")
                          if len(json.loads(e)) >= 3)
    conn.close()
    entries[0], entries[1] = entries[1], entries[0]
    tamper(day_file, f"UPDATE audit_chain SET entries = '{json.dumps(entries)}' WHERE block = {block}")
    report = verify(day_file)
    assert first(report) == ("reordered", entries[1][0], "live-1", entries[1][2])
    assert any(p.kind == "chain_broken" and p.block == block for p in report.problems)


def test_a_truncated_tail_of_rows_is_reported_at_the_first_missing_row(day_file: Path) -> None:
    tamper(day_file, "DELETE FROM fills WHERE run_id = 'paper-1'", "DELETE FROM order_intents WHERE run_id = 'paper-1'")
    report = verify(day_file)
    assert first(report) == ("truncated", "order_intents", "paper-1", 2)
    assert "2 rows, to the end of the chain" in report.first.message


def _cut_the_tail(path: Path, blocks: int = 2) -> tuple[int, int]:
    """Delete the last ``blocks`` chain blocks and every row they list; return (first deleted block, rows kept)."""
    conn = sqlite3.connect(path)
    cut = conn.execute("SELECT block, first_position, entries FROM audit_chain ORDER BY block DESC LIMIT ?",
                       (blocks,)).fetchall()
    conn.close()
    rows = [entry[:3] for _, _, entries in cut for entry in json.loads(entries)]
    tamper(path, *[f"DELETE FROM [{t}] WHERE run_id = '{r}' AND seq = {s}" for t, r, s in rows],
           f"DELETE FROM audit_chain WHERE block >= {cut[-1][0]}")
    return cut[-1][0], cut[-1][1] - 1


def test_a_tail_cut_with_its_chain_blocks_is_caught_by_the_head_file(day_file: Path) -> None:
    block, kept = _cut_the_tail(day_file)
    report = verify(day_file)
    problem = report.first
    assert (problem.kind, problem.position, problem.block) == ("truncated", kept + 1, block)
    assert "head file" in problem.message and report.problem_count == 1
    # Without the head file the cut cannot be seen, and the report says so.
    assert verify(day_file, use_head_file=False).ok
    head_file_path(day_file).unlink()
    assert any("cannot be detected" in w for w in verify(day_file).warnings)


def test_a_writer_started_after_a_cut_records_it_in_the_chain(day_file: Path) -> None:
    _cut_the_tail(day_file)
    events = EventFactory(run_id="after")
    with AuditWriter(day_file) as audit:  # rewrites the head file, but keeps the evidence in the chain
        audit.track_event(events("run_started"))
    report = verify(day_file)
    assert report.first.kind == "truncated" and "audit writer started" in report.first.message


def test_a_dropped_trigger_is_reported(day_file: Path) -> None:
    tamper(day_file, restore_triggers=False)
    report = verify(day_file)
    assert not report.ok and {p.kind for p in report.problems} == {"unprotected"}


def _rechain(path: Path) -> None:
    """What an attacker who knows the algorithm does: recompute every hash from the rows as they are now."""
    conn = sqlite3.connect(path)
    link = bytes(32)
    updates = []
    for block, entries_text, old_digests in conn.execute(
            "SELECT block, entries, digests FROM audit_chain ORDER BY block").fetchall():
        prev, entries, digests = link, json.loads(entries_text), b""
        for entry in entries:
            row = conn.execute(f"SELECT * FROM [{entry[0]}] WHERE run_id = ? AND seq = ?", entry[1:3]).fetchone()
            digest = hashlib.sha256(canonical_row(entry[0], row)).digest()
            if old_digests is None:  # m004 block: one link per row
                entry[3] = digest.hex()
                link = hashlib.sha256(link + digest).digest()
            digests += digest
        if old_digests is not None:  # m005 block: one hash over the digests
            link = hashlib.sha256(prev + digests).digest()
        updates.append((f"UPDATE audit_chain SET entries = '{json.dumps(entries)}', prev_hash = '{prev.hex()}', "
                        f"head_hash = '{link.hex()}', digests = ? WHERE block = {block}",
                        None if old_digests is None else digests))
    conn.close()
    for statement, digests in updates:
        tamper(path, statement, params=(digests,))


def test_a_full_rewrite_needs_an_anchor_outside_the_file(day_file: Path) -> None:
    noted = verify(day_file).head  # e.g. the head the writer logged when it closed
    tamper(day_file, "UPDATE fills SET price = '10.49' WHERE run_id = 'live-1' AND trade_id = 'T2'")
    _rechain(day_file)
    assert verify(day_file, use_head_file=False).ok  # consistent in itself: undetectable from the file alone
    assert first(verify(day_file))[0] == "rewritten"  # the head file disagrees
    anchored = verify(day_file, use_head_file=False, expected_heads=[ChainHead(noted.block, 0, noted.hash)])
    assert anchored.first.kind == "rewritten" and anchored.first.block == noted.block


def test_removing_rows_written_before_the_chain_is_reported(db_path: Path) -> None:
    old = Migrations(MIGRATION_SET_NAME)
    for migration in (m001_initial, m002_reconciliation_and_alerts, m003_daily_statements):
        old(name=migration.__name__)(migration)
    legacy = open_audit_db(db_path, migrations=old)
    for seq in (1, 2):
        legacy.execute("INSERT INTO runs (run_id, seq, ts, mode) VALUES (?, ?, '2025-01-01', 'paper')", [f"r{seq}", seq])
    legacy.conn.commit()
    legacy.close()
    assert verify(db_path).unchained_rows == {"runs": 2}  # migrated on open: both rows predate the chain
    tamper(db_path, "DELETE FROM runs WHERE run_id = 'r2'")
    assert first(verify(db_path)) == ("unchained_changed", "runs", None, None)


def test_verify_streams_a_100k_event_file(tmp_path: Path) -> None:
    path = tmp_path / "big.db"
    events = EventFactory(run_id="big")
    with AuditWriter(path, batch_size=5000, flush_interval=30.0) as audit:
        audit.track_event(events("run_started"))
        for _ in range(100_000):
            audit.track_event(events("order_update"))
    report = verify(path)
    assert report.ok and report.chained_rows == 100_001
