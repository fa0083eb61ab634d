"""AuditWriter: round trips, ordering, durability, flush/close, error surfacing, pluggy wiring."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pluggy
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import hookspecs
from engine.audit import (
    EVENT_TABLES, AuditClosedError, AuditEventError, AuditWriteError, AuditWriter,
    NotAnAuditDatabaseError,
)
from engine.audit.tables import table_columns
from engine.events import EVENT_TYPES

from .conftest import SAMPLE_FIELDS, EventFactory

NON_DURABLE = [name for name, cls in EVENT_TYPES.items() if not cls.durable and name != "fill"]


def count(conn: sqlite3.Connection, table: str) -> int:
    return conn.execute(f"SELECT count(*) FROM [{table}]").fetchone()[0]


def wait_until(condition, what: str, limit: float = 10.0) -> None:
    """Poll ``condition`` (the writer thread works asynchronously); fail with ``what`` after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.005)


def test_every_event_type_round_trips(writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory) -> None:
    sent = [events("run_started")]
    sent += [events(name) for name in EVENT_TYPES if name not in ("run_started", "run_stopped")]
    sent.append(events("run_stopped"))
    for event in sent:
        writer.track_event(event)
    writer.flush()
    for event in sent:
        table = EVENT_TABLES[event.name].table
        row = reader.execute(f"SELECT * FROM [{table}] WHERE run_id = ? AND seq = ?", [event.run_id, event.seq]).fetchone()
        assert row is not None, f"{event.name} not in {table}"
        assert (row["run_id"], row["seq"], row["ts"]) == (event.run_id, event.seq, event.ts)
        stored = {column: row[column] for column in table_columns(type(event))}
        for field, value in SAMPLE_FIELDS[event.name].items():
            column = EVENT_TABLES[event.name].column(field)
            expected = value
            if isinstance(value, bool):
                expected = int(value)
            elif isinstance(value, (dict, list)):
                expected = stored[column]  # JSON, checked below
            elif field == "account":
                expected = "******1234"
            assert stored[column] == expected, f"{event.name}.{field}"
    settings_json = reader.execute("SELECT json_extract(settings, '$.max_order_value') FROM runs").fetchone()[0]
    assert settings_json == "50000.00"


def test_durable_event_is_visible_to_a_second_connection_on_return(
    writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory
) -> None:
    writer.track_event(events("run_started"))
    assert count(reader, "runs") == 1
    writer.track_event(events("connection"))  # batched: waits for the 30 s interval or a flush
    writer.track_event(events("risk_decision"))
    assert count(reader, "connection_events") == 0
    writer.track_event(events("order_intent"))  # durable: commits itself and everything before it
    assert count(reader, "order_intents") == 1
    assert count(reader, "connection_events") == 1
    assert count(reader, "risk_decisions") == 1


def test_batched_events_are_written_on_flush(
    writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory
) -> None:
    writer.track_event(events("run_started"))
    for _ in range(20):
        writer.track_event(events("order_update"))
    writer.flush()
    assert count(reader, "order_updates") == 20
    writer.flush()  # nothing queued: returns at once
    assert count(reader, "order_updates") == 20


def test_full_batch_is_written_without_flush(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path, batch_size=5, flush_interval=30.0) as audit:
        audit.track_event(events("run_started"))
        for _ in range(5):
            audit.track_event(events("connection"))
        conn = sqlite3.connect(db_path)
        try:
            wait_until(lambda: count(conn, "connection_events") == 5, "a full batch of 5 to be written")
        finally:
            conn.close()


def test_flush_interval_writes_a_partial_batch(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path, batch_size=500, flush_interval=0.01) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(events("job_run"))
        conn = sqlite3.connect(db_path)
        try:
            wait_until(lambda: count(conn, "job_runs") == 1, "the flush interval to write one row")
        finally:
            conn.close()


def test_close_writes_everything_and_refuses_more(db_path: Path, events: EventFactory) -> None:
    audit = AuditWriter(db_path, flush_interval=30.0)
    audit.track_event(events("run_started"))
    for _ in range(50):
        audit.track_event(events("fill"))
    audit.close()
    assert not audit._thread.is_alive()
    conn = sqlite3.connect(db_path)
    try:
        assert count(conn, "fills") == 50
    finally:
        conn.close()
    with pytest.raises(AuditClosedError, match="closed"):
        audit.track_event(events("fill"))
    with pytest.raises(AuditClosedError):
        audit.flush()
    audit.close()  # idempotent


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.sampled_from(["durable", *NON_DURABLE, "flush"]), min_size=1, max_size=60),
       batch_size=st.integers(1, 8))
def test_seq_order_is_kept_under_mixed_durable_and_batched_events(
    tmp_path_factory: pytest.TempPathFactory, plan: list[str], batch_size: int
) -> None:
    path = tmp_path_factory.mktemp("order") / "audit.db"
    events = EventFactory()
    sent = [events("run_started")]
    with AuditWriter(path, batch_size=batch_size, flush_interval=0.001) as audit:
        audit.track_event(sent[0])
        for step in plan:
            if step == "flush":
                audit.flush()
                continue
            if step == "durable":
                event = events("order_intent", client_order_id=f"c-{events.seq + 1}")
            else:
                event = events(step)
            audit.track_event(event)
            sent.append(event)
    conn = sqlite3.connect(path)
    try:
        for table in {EVENT_TABLES[e.name].table for e in sent}:
            stored = [row[0] for row in conn.execute(f"SELECT seq FROM [{table}] ORDER BY rowid")]
            expected = [e.seq for e in sent if EVENT_TABLES[e.name].table == table]
            assert stored == expected, f"{table}: rows out of seq order or missing"
    finally:
        conn.close()


def test_durable_write_failure_raises_to_the_caller(
    writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory
) -> None:
    writer.track_event(events("run_started"))
    writer.track_event(events("order_intent", client_order_id="c-1"))
    duplicate = events("order_intent", client_order_id="c-1")
    with pytest.raises(AuditWriteError, match=rf"order_intent run run-1 seq {duplicate.seq}.*UNIQUE"):
        writer.track_event(duplicate)
    assert count(reader, "order_intents") == 1
    writer.track_event(events("order_intent", client_order_id="c-2"))  # the writer goes on
    assert count(reader, "order_intents") == 2


def test_batched_write_failure_is_logged_and_raised_on_flush(
    writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory, log_messages: list[str]
) -> None:
    writer.track_event(events("run_started"))
    writer.track_event(events("connection", kind="connected"))
    orphans = EventFactory(run_id="never-started")
    writer.track_event(orphans("connection", kind="disconnected"))
    writer.track_event(events("connection", kind="disconnected"))
    writer.track_event(orphans("connection", kind="reconnected"))
    with pytest.raises(AuditWriteError, match=r"connection run never-started seq 1.*FOREIGN KEY.*\+1 more"):
        writer.flush()
    # the failing row's neighbours in the same batch were written
    assert [r[0] for r in reader.execute("SELECT kind FROM connection_events ORDER BY seq")] == [
        "connected", "disconnected"]
    assert any(m.startswith("ERROR") and "never-started" in m for m in log_messages)
    writer.flush()  # the error was reported once


def test_batched_failure_surfaces_on_next_track_event(
    writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory
) -> None:
    writer.track_event(events("run_started"))
    writer.track_event(EventFactory(run_id="ghost")("job_run"))
    writer.track_event(events("order_intent"))  # durable: ends the batch, so the failure happens now
    # a batched event is still queued, then the earlier failure is raised
    with pytest.raises(AuditWriteError, match="job_run run ghost"):
        writer.track_event(events("job_run"))
    writer.flush()
    assert count(reader, "job_runs") == 1


def test_pending_error_blocks_the_next_durable_event(db_path: Path, events: EventFactory) -> None:
    with AuditWriter(db_path, flush_interval=0.001) as audit:
        audit.track_event(events("run_started"))
        audit.track_event(EventFactory(run_id="ghost")("job_run"))
        wait_until(lambda: bool(audit._lost), "the failed batch to report")
        with pytest.raises(AuditWriteError, match="job_run run ghost"):
            audit.track_event(events("order_intent", client_order_id="c-1"))
        audit.track_event(events("order_intent", client_order_id="c-2"))  # reported once: this one goes
    conn = sqlite3.connect(db_path)
    try:
        assert [r[0] for r in conn.execute("SELECT client_order_id FROM order_intents")] == ["c-2"]
    finally:
        conn.close()


def test_writer_thread_crash_fails_waiting_and_later_calls(db_path: Path, events: EventFactory) -> None:
    audit = AuditWriter(db_path, flush_interval=30.0)
    audit.track_event(events("run_started"))

    def broken_write(conn, rows):
        raise RuntimeError("disk on fire")

    audit._write = broken_write  # the next batch crashes the thread
    with pytest.raises(AuditWriteError, match="died.*disk on fire"):
        audit.track_event(events("order_intent"))
    audit._thread.join(timeout=10)
    assert not audit._thread.is_alive()
    for _ in range(2):  # every later call says why, instead of queueing into the void
        with pytest.raises(AuditWriteError, match="died.*disk on fire.*not recorded"):
            audit.track_event(events("connection"))
    with pytest.raises(AuditWriteError, match="died"):
        audit.flush()
    audit.close()  # the thread already died (and was reported) before close


def test_invalid_event_is_refused_on_the_callers_thread(writer: AuditWriter, events: EventFactory) -> None:
    unstamped = EVENT_TYPES["fill"](**SAMPLE_FIELDS["fill"])
    with pytest.raises(AuditEventError, match="fill event has no run_id"):
        writer.track_event(unstamped)


def test_open_errors_raise_from_the_constructor(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.db"
    path.write_bytes(b"PK\x03\x04 a zip file, not sqlite" * 4)
    with pytest.raises(NotAnAuditDatabaseError, match="not-a-db.db"):
        AuditWriter(path)


@pytest.mark.parametrize("kwargs", [{"batch_size": 0}, {"batch_size": True}, {"flush_interval": -1}])
def test_bad_settings_are_refused(db_path: Path, kwargs: dict) -> None:
    with pytest.raises(ValueError, match="AuditWriter"):
        AuditWriter(db_path, **kwargs)


def test_writer_is_a_track_event_plugin(writer: AuditWriter, reader: sqlite3.Connection, events: EventFactory) -> None:
    assert AuditWriter.AUDIT_JOURNAL is True
    pm = pluggy.PluginManager(hookspecs.PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(writer, name="audit")
    pm.check_pending()
    pm.hook.track_event(event=events("run_started"))
    pm.hook.track_event(event=events("order_intent"))
    assert count(reader, "order_intents") == 1


def test_cli_style_reader_while_the_writer_is_open(writer: AuditWriter, db_path: Path, events: EventFactory) -> None:
    from engine.audit import open_audit_db, queries

    writer.track_event(events("run_started"))
    writer.track_event(events("order_intent"))
    db = open_audit_db(db_path, create=False)  # a second process would do the same
    try:
        assert queries.latest_run_id(db) == "run-1"
        assert [o["client_order_id"] for o in queries.recent_orders(db)] == ["c-1"]
        writer.track_event(events("order_intent", client_order_id="c-2"))  # the writer is not blocked
        assert len(queries.recent_orders(db)) == 2
    finally:
        db.close()
