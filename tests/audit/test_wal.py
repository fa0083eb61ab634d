"""The writer's WAL: reserved at start by a rolled-back transaction, checkpointed off the commit path."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from engine.audit import AuditWriter, open_audit_db
from engine.audit import wal as wal_module
from engine.audit.verify import verify_chain
from engine.audit.wal import WalKeeper

from .conftest import EventFactory


def test_reserve_grows_the_wal_and_leaves_nothing_behind(db_path: Path) -> None:
    db = open_audit_db(db_path)
    db.conn.isolation_level = None
    try:
        keeper = WalKeeper(db.conn, db_path, reserve_bytes=1 << 20)
        keeper.start()
        assert keeper.wal_file.stat().st_size >= 1 << 20
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
        assert not db.conn.in_transaction
        assert "_audit_wal_reserve" not in db.table_names()
        cache = db.execute("PRAGMA cache_size").fetchone()[0]
        keeper.reserve()  # already big enough: nothing to do
        assert db.execute("PRAGMA cache_size").fetchone()[0] == cache
    finally:
        db.close()
    db = open_audit_db(db_path, create=False)
    try:
        assert "_audit_wal_reserve" not in db.table_names() and verify_chain(db).ok
    finally:
        db.close()


def _count_checkpoints(monkeypatch: pytest.MonkeyPatch) -> list[threading.Event]:
    """Record every checkpoint the writer runs (each sets a fresh Event the test can wait on)."""
    done: list[threading.Event] = [threading.Event()]
    original = WalKeeper.checkpoint

    def checkpoint(self: WalKeeper) -> None:
        original(self)
        done[-1].set()
        done.append(threading.Event())

    monkeypatch.setattr(WalKeeper, "checkpoint", checkpoint)
    return done


def test_the_writer_commits_durably_and_checkpoints_when_idle(db_path: Path, events: EventFactory,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    checkpoints = _count_checkpoints(monkeypatch)
    with AuditWriter(db_path, flush_interval=0.01) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("order_intent"))
        conn = sqlite3.connect(db_path)
        try:  # a durable event is committed (visible to another connection) when track_event returns
            assert conn.execute("SELECT COUNT(*) FROM order_intents").fetchone()[0] == 1
        finally:
            conn.close()
        assert checkpoints[0].wait(timeout=10)  # the writer went idle after the commits
        frames, backfilled = _checkpoint_state(db_path)
        assert frames == backfilled


def _checkpoint_state(path: Path) -> tuple[int, int]:
    """(frames in the WAL, frames already copied to the database); a no-op when the writer checkpointed."""
    conn = sqlite3.connect(path)
    try:
        _busy, frames, backfilled = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return frames, backfilled
    finally:
        conn.close()


def test_a_steady_load_is_checkpointed_without_idle_moments(db_path: Path, events: EventFactory,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Each commit is estimated at 700 frames of the ~2,000 reserved: the third one passes HARD_FILL.
    monkeypatch.setattr(wal_module, "FRAMES_PER_COMMIT", 700.0)
    monkeypatch.setattr(WalKeeper, "_calibrate", lambda self, frames: None)
    monkeypatch.setattr(wal_module, "IDLE_SECONDS", 60.0)  # no idle checkpoint can happen in this test
    monkeypatch.setattr(wal_module, "SHORT_IDLE_SECONDS", 60.0)
    checkpoints = _count_checkpoints(monkeypatch)
    with AuditWriter(db_path, flush_interval=30.0) as audit:
        audit.track_event(events("run_started"))
        for _ in range(6):
            audit.track_event(events("order_intent", client_order_id=f"c-{events.seq}"))
        assert checkpoints[1].wait(timeout=10)  # two checkpoints: after the 3rd and the 6th commit
    db = open_audit_db(db_path, create=False)
    try:
        assert verify_chain(db).ok
    finally:
        db.close()


def test_a_failed_reserve_only_logs(db_path: Path, log_messages: list[str]) -> None:
    db = open_audit_db(db_path)
    db.conn.isolation_level = None
    blocker = sqlite3.connect(db_path, timeout=0)
    try:
        db.execute("PRAGMA busy_timeout = 0")
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock: the reserve cannot start
        WalKeeper(db.conn, db_path, reserve_bytes=1 << 20).start()
        assert any("could not reserve" in m for m in log_messages)
        assert not db.conn.in_transaction
    finally:
        blocker.rollback()
        blocker.close()
        db.close()


def test_the_fill_level_is_estimated_and_calibrated_by_checkpoints(db_path: Path) -> None:
    db = open_audit_db(db_path)
    db.conn.isolation_level = None
    try:
        keeper = WalKeeper(db.conn, db_path, reserve_bytes=1 << 20)
        keeper.start()
        assert not keeper.pending and keeper.fill == 0 and keeper.idle_seconds == wal_module.IDLE_SECONDS
        db.conn.execute("CREATE TABLE scratch (x TEXT)")  # one commit of a few frames
        keeper.committed(1)
        assert keeper.pending and 0 < keeper.fill < wal_module.SOFT_FILL and not keeper.due
        for _ in range(200):
            keeper.committed(0)  # 200 more commits estimated at FRAMES_PER_COMMIT each, none written
        assert keeper.due and keeper.idle_seconds == wal_module.SHORT_IDLE_SECONDS
        keeper.checkpoint()
        assert not keeper.pending and keeper.fill == 0 and keeper.checkpoints == 1
        # The WAL held one real commit, not 201: the estimate per commit shrinks accordingly.
        keeper.committed(0)
        assert keeper.fill < wal_module.FRAMES_PER_COMMIT / keeper._reserve_frames
    finally:
        db.close()


def test_a_due_checkpoint_waits_for_a_queued_durable_event(db_path: Path, events: EventFactory,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """With the WAL always 'due', every checkpoint runs only while no durable event is queued."""
    monkeypatch.setattr(wal_module, "FRAMES_PER_COMMIT", 1e6)
    monkeypatch.setattr(wal_module, "IDLE_SECONDS", 60.0)
    monkeypatch.setattr(wal_module, "SHORT_IDLE_SECONDS", 60.0)
    seen: list[bool] = []
    original = WalKeeper.checkpoint

    def checkpoint(self: WalKeeper) -> None:
        seen.append(audit._batches.durable_waiting)
        original(self)

    monkeypatch.setattr(WalKeeper, "checkpoint", checkpoint)
    with AuditWriter(db_path) as audit:
        audit.track_event(events("run_started"))
        intents = [[events("order_intent", client_order_id=f"c-{n}-{i}") for i in range(20)] for n in range(3)]
        threads = [threading.Thread(target=lambda mine=mine: [audit.track_event(e) for e in mine])
                   for mine in intents]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert seen and not any(seen)
    db = open_audit_db(db_path, create=False)
    try:  # (no verify: three callers interleave their seqs, which verify reports as reordered)
        assert db.execute("SELECT count(*) FROM order_intents").fetchone()[0] == 60
    finally:
        db.close()
