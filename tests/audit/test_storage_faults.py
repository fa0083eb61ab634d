"""Issue 20 item 3: a write lock held past the busy timeout loses no batched row.

A second, real sqlite3 connection holds ``BEGIN IMMEDIATE`` on the audit file
for longer than the writer's busy timeout (5 s), then releases it. Rows
batched meanwhile wait and are written afterwards; durable events (order
intents) are refused while the file cannot be written (the engine then sends no
order); one log line says the audit cannot write, one that it writes again.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from loguru import logger

from engine.audit import AuditWriteError, AuditWriter

from .conftest import EventFactory

BUSY_TIMEOUT_SECONDS = 5.0  # open_audit_db's busy_timeout


def wait_until(predicate, timeout: float = 30.0) -> None:
    done = threading.Event()
    deadline = threading.Timer(timeout, done.set)
    deadline.start()
    try:
        while not predicate():
            if done.wait(0.02):
                raise AssertionError(f"not reached within {timeout} s")
    finally:
        deadline.cancel()


@pytest.fixture
def audit_log():
    lines: list[str] = []
    sink = logger.add(lambda m: lines.append(str(m)), level="WARNING", format="{message}",
                      filter=lambda r: r["extra"].get("plugin") == "audit")
    yield lines
    logger.remove(sink)


@pytest.mark.slow
def test_a_lock_held_past_the_busy_timeout_loses_no_row_and_refuses_intents(tmp_path: Path, audit_log) -> None:
    path = tmp_path / "audit.db"
    events = EventFactory(run_id="r1")
    audit = AuditWriter(path, flush_interval=0.01)
    try:
        audit.track_event(events("run_started"))
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another process's writer, a migration, a careless sqlite3 shell
        held = True
        try:
            fills = [events("fill", trade_id=f"T{n}") for n in range(30)]
            for fill in fills:
                audit.track_event(fill)
            wait_until(lambda: audit.storage_fault is not None, timeout=BUSY_TIMEOUT_SECONDS + 20)
            assert "database is locked" in audit.storage_fault and str(path) in audit.storage_fault
            with pytest.raises(AuditWriteError, match="audit cannot write"):
                audit.track_event(events("order_intent", client_order_id="refused-1"))
            more = [events("order_update", status=50 + n % 3) for n in range(20)]
            for update in more:
                audit.track_event(update)
            holder.execute("COMMIT")
            held = False
        finally:
            if held:
                holder.execute("ROLLBACK")
            holder.close()
        audit.flush()  # the waiting rows are written once the lock is released
        assert audit.storage_fault is None and audit.storage_faults == 1
        audit.track_event(events("order_intent", client_order_id="after-1"))  # orders go again
    finally:
        audit.close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT count(*) FROM fills WHERE run_id = 'r1'").fetchone()[0] == 30
        assert conn.execute("SELECT count(*) FROM order_updates WHERE run_id = 'r1'").fetchone()[0] == 20
        intents = [r[0] for r in conn.execute("SELECT client_order_id FROM order_intents")]
        assert intents == ["after-1"]
    finally:
        conn.close()
    cannot = [line for line in audit_log if "audit cannot write" in line and "retried" in line]
    again = [line for line in audit_log if "audit writing again" in line]
    assert len(cannot) == 1 and len(again) == 1, audit_log
    assert not any("failed for" in line for line in audit_log), audit_log  # no row reported lost
