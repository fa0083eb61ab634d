"""m005: a file written at m004 (one link per row) keeps verifying after the upgrade, new writes
add blocks hashed once over their rows' digests, and verify checks both parts in one pass."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from engine.audit import AuditWriter
from engine.audit.chain import canonical_row

from .conftest import EventFactory
from .m004_files import load_m004_trading_day
from .test_verify import first, tamper, verify


def _blocks(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT block, first_position, row_count, entries, prev_hash, head_hash, digests "
                            "FROM audit_chain ORDER BY block").fetchall()
    finally:
        conn.close()


@pytest.fixture
def upgraded(tmp_path: Path) -> Path:
    """The m004 trading day, then a new run written by the current writer (m005 blocks)."""
    path = load_m004_trading_day(tmp_path / "audit.db", upgrade=False)
    events = EventFactory(run_id="after-upgrade")
    with AuditWriter(path, flush_interval=30.0) as audit:  # migrates to m005 on open
        audit.track_event(events("run_started"))
        for _ in range(5):
            audit.track_event(events("order_update"))
        audit.track_event(events("order_intent", client_order_id="u-1"))
        audit.track_event(events("fill", client_order_id="u-1", trade_id="U1"))
    return path


def test_an_upgraded_file_holds_old_blocks_then_new_ones_and_verifies(upgraded: Path) -> None:
    blocks = _blocks(upgraded)
    old = [b for b in blocks if b[6] is None]
    new = [b for b in blocks if b[6] is not None]
    assert old and new and blocks == old + new  # the old format first, then only the new one
    assert all(len(e) == 4 for b in old for e in json.loads(b[3]))
    assert all(len(e) == 3 for b in new for e in json.loads(b[3]))
    assert new[0][4] == old[-1][5]  # the first new block continues the last old head
    assert new[0][1] == old[-1][1] + old[-1][2]  # and the chain positions
    report = verify(upgraded)
    assert report.ok and report.problems == [] and report.warnings == []
    assert report.chained_rows == sum(b[2] for b in blocks) == 39 + 8
    assert report.head.block == blocks[-1][0] and report.head.hash == blocks[-1][5]


def test_new_blocks_hash_the_digests_of_their_rows(upgraded: Path) -> None:
    conn = sqlite3.connect(upgraded)
    try:
        for _block, _first, count, entries, prev_hash, head_hash, digests in _blocks(upgraded):
            if digests is None:
                continue
            recomputed = b"".join(
                hashlib.sha256(canonical_row(t, conn.execute(
                    f"SELECT * FROM [{t}] WHERE run_id = ? AND seq = ?", (r, s)).fetchone())).digest()
                for t, r, s in json.loads(entries))
            assert recomputed == digests and len(digests) == 32 * count
            assert hashlib.sha256(bytes.fromhex(prev_hash) + digests).hexdigest() == head_hash
    finally:
        conn.close()


def test_altered_rows_are_named_in_both_parts_first_one_first(upgraded: Path) -> None:
    tamper(upgraded, "UPDATE order_updates SET status = 57 WHERE run_id = 'after-upgrade' AND seq = 4")
    assert first(verify(upgraded)) == ("altered", "order_updates", "after-upgrade", 4)
    tamper(upgraded, "UPDATE fills SET price = '10.49' WHERE run_id = 'live-1' AND trade_id = 'T2'")
    report = verify(upgraded)
    assert first(report)[:3] == ("altered", "fills", "live-1")
    assert [(p.kind, p.run_id) for p in report.problems] == [("altered", "live-1"), ("altered", "after-upgrade")]


def test_a_removed_new_row_and_an_inserted_one_are_reported(upgraded: Path) -> None:
    tamper(upgraded, "DELETE FROM order_updates WHERE run_id = 'after-upgrade' AND seq = 3",
           "INSERT INTO fills (run_id, seq, ts, trade_id, client_order_id, price, volume, amount) "
           "VALUES ('after-upgrade', 99, '2025-01-02T10:00:00', 'U9', 'u-1', '10.00', 100, '1000.00')")
    report = verify(upgraded)
    assert [(p.kind, p.table, p.seq) for p in report.problems] == [
        ("removed", "order_updates", 3), ("inserted", "fills", 99)]


def _last_block(path: Path) -> tuple:
    return _blocks(path)[-1]


def test_an_edited_digest_names_its_row_and_breaks_its_block(upgraded: Path) -> None:
    block, _first, _count, entries, _prev, _head, digests = _last_block(upgraded)
    edited = bytes([digests[0] ^ 1]) + digests[1:]
    tamper(upgraded, f"UPDATE audit_chain SET digests = ? WHERE block = {block}", params=(edited,))
    report = verify(upgraded)
    table, run_id, seq = json.loads(entries)[0]
    assert first(report) == ("altered", table, run_id, seq)
    assert any(p.kind == "chain_broken" and p.block == block and "do not link" in p.message for p in report.problems)


def test_digests_of_the_wrong_length_break_the_block(upgraded: Path) -> None:
    block, *_rest, digests = _last_block(upgraded)
    tamper(upgraded, f"UPDATE audit_chain SET digests = ? WHERE block = {block}", params=(digests[:-32],))
    report = verify(upgraded)
    assert any(p.kind == "chain_broken" and p.block == block and "digests" in p.message for p in report.problems)


def test_entries_and_digests_moved_together_are_reported(upgraded: Path) -> None:
    block, _first, _count, entries_text, _prev, _head, digests = next(
        b for b in _blocks(upgraded) if b[6] is not None and b[2] >= 3)
    entries = json.loads(entries_text)
    entries[0], entries[1] = entries[1], entries[0]
    moved = digests[32:64] + digests[:32] + digests[64:]
    tamper(upgraded, f"UPDATE audit_chain SET entries = '{json.dumps(entries)}', digests = ? WHERE block = {block}",
           params=(moved,))
    report = verify(upgraded)
    assert first(report) == ("reordered", entries[1][0], entries[1][1], entries[1][2])
    assert any(p.kind == "chain_broken" and p.block == block for p in report.problems)


def test_a_new_block_recomputed_in_the_old_format_is_reported(upgraded: Path) -> None:
    """Blocks in the per-row format may only come before the first m005 block."""
    block, _first, _count, entries_text, prev_hash, _head, _digests = _last_block(upgraded)
    conn = sqlite3.connect(upgraded)
    link, entries = bytes.fromhex(prev_hash), json.loads(entries_text)
    for entry in entries:
        row = conn.execute(f"SELECT * FROM [{entry[0]}] WHERE run_id = ? AND seq = ?", entry[1:]).fetchone()
        digest = hashlib.sha256(canonical_row(entry[0], row)).digest()
        entry.append(digest.hex())
        link = hashlib.sha256(link + digest).digest()
    conn.close()
    tamper(upgraded, f"UPDATE audit_chain SET entries = '{json.dumps(entries)}', digests = NULL, "
                     f"head_hash = '{link.hex()}' WHERE block = {block}")
    report = verify(upgraded, use_head_file=False)
    assert [(p.kind, p.block) for p in report.problems] == [("chain_broken", block)]
    assert "before m005" in report.first.message
