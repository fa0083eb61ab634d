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


ENGINE_CONFIG = """\
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db}}
paper:
  data: {data}
  codes: [600000.SH]
  initial_cash: 1000000
plugins:
  load_entrypoints: false
  disabled: [console]
"""


@pytest.mark.slow
def test_the_engine_halts_while_the_audit_cannot_write_and_the_run_ends_in_error(tmp_path: Path, audit_log) -> None:
    """A paper run: an order goes, the lock is taken, an order is refused (its intent cannot be committed),
    the account is HALTED with the cause audit_storage, the lock goes, trading resumes; nothing is lost."""
    import datetime as dt

    from engine import hookimpl
    from engine.config import load_config
    from engine.core import Engine
    from engine.marketdata import TickFileWriter
    from engine.sim import make_tick

    code, day = "600000.SH", dt.date(2026, 3, 10)
    data = tmp_path / "data"
    data.mkdir()
    (data / "instruments.csv").write_text(f"code,name,kind,listing_date,is_st,t0\n{code},SYN,stock,1999-11-10,0,0\n")
    with TickFileWriter(data / "ticks-2026-03-10.csv") as writer:
        for i in range(8):
            when = dt.datetime.combine(day, dt.time(10, 0)) + dt.timedelta(seconds=3 * i)
            writer.write(code, make_tick(when, 10.0, pre_close=10.0, asks=[(10.0, 500)], bids=[(9.99, 500)]))
    (tmp_path / "config.yaml").write_text(ENGINE_CONFIG.format(data=data), encoding="utf-8")
    config = load_config(tmp_path / "config.yaml", environ={})
    holder: list[sqlite3.Connection] = []
    audit_db = tmp_path / "audit.db"

    class Trader:
        def __init__(self) -> None:
            self.results: list = []
            self.ticks = 0

        @hookimpl
        def on_tick(self, ctx, tick):
            self.ticks += 1
            writer = next(p.obj for p in engine.plugins if getattr(p.obj, "AUDIT_JOURNAL", False))
            if self.ticks == 1:
                self.results.append(ctx.buy(code, 100, 10.0))         # sent: the audit writes
            elif self.ticks == 2:
                conn = sqlite3.connect(audit_db, isolation_level=None)
                conn.execute("BEGIN IMMEDIATE")
                holder.append(conn)
                self.results.append(ctx.buy(code, 100, 10.0))         # its intent waits 5 s, then is refused
            elif self.ticks == 3:
                self.results.append(ctx.buy(code, 100, 10.0))         # HALTED: denied before any intent
                holder[0].execute("COMMIT")
                holder[0].close()
                wait_until(lambda: writer.storage_fault is None)      # the waiting rows are written
            elif self.ticks == 5:
                self.results.append(ctx.buy(code, 100, 10.0))         # trading again

    trader = Trader()
    engine = Engine(config, extra_plugins=(("trader", trader),), load_entrypoints=False)
    summary = engine.run()
    first, refused, halted, again = trader.results
    assert first is not None and refused is None and halted is None and again is not None
    assert summary.reason == "error"
    conn = sqlite3.connect(audit_db)
    try:
        intents = [r[0] for r in conn.execute("SELECT client_order_id FROM order_intents ORDER BY seq")]
        states = conn.execute("SELECT previous, current, cause FROM trading_states ORDER BY seq").fetchall()
        seqs = [r[0] for r in conn.execute(
            "SELECT seq FROM (SELECT seq FROM order_intents UNION ALL SELECT seq FROM order_updates UNION ALL "
            "SELECT seq FROM fills UNION ALL SELECT seq FROM trading_states) ORDER BY seq")]
    finally:
        conn.close()
    assert intents == [first.client_order_id, again.client_order_id]
    assert [(p, c) for p, c, _ in states] == [("ACTIVE", "HALTED"), ("HALTED", "ACTIVE")]
    assert "audit cannot write" in states[0][2] and "the audit writes again" in states[1][2]
    assert len(seqs) == len(set(seqs))
    assert len([l for l in audit_log if "audit cannot write" in l and "retried" in l]) == 1
    assert len([l for l in audit_log if "audit writing again" in l]) == 1
