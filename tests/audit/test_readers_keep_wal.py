"""Issue 20 item 1: a reader never costs the writer its WAL.

POSIX drops every fcntl lock a process holds on a file when *any* descriptor
of that file is closed. A plain ``open()``/``close()`` of the audit file in
the engine process (a second ``open_audit_db`` once did one) therefore made
the next read-write reader anywhere believe it was the last connection, and
that reader deleted the ``-wal`` file under the writer: later commits went to
an unlinked file and were lost at the next SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from engine.audit import open_audit_db
from engine.audit.errors import AuditSchemaOutdatedError, NotAnAuditDatabaseError

_WRITER = textwrap.dedent("""
    import sys
    from engine.audit import open_audit_db
    db = open_audit_db(sys.argv[1])
    db.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER)")
    db.conn.commit()
    for n in range(20):
        db.execute("INSERT INTO probe VALUES (?)", [n]); db.conn.commit()
    open_audit_db(sys.argv[1]).close()     # a second open in the engine process (jobs, recovery)
    print("ready", flush=True)
    sys.stdin.readline()                    # the test runs its read-write reader now
    for n in range(20, 60):
        db.execute("INSERT INTO probe VALUES (?)", [n]); db.conn.commit()
    print("committed 60", flush=True)
    sys.stdin.readline()                    # killed here, never closed
""")


def test_read_write_reader_then_sigkill_keeps_every_committed_row(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    writer = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "ready"
        reader = sqlite3.connect(path)  # read-write, as sqlite3 / sqlite-utils open by default
        assert reader.execute("SELECT count(*) FROM probe").fetchone()[0] == 20
        reader.close()
        assert Path(f"{path}-wal").exists(), "the reader deleted the writer's WAL"
        writer.stdin.write("\n"); writer.stdin.flush()
        assert writer.stdout.readline().strip() == "committed 60"
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
    after = sqlite3.connect(path)
    try:
        assert after.execute("SELECT count(*) FROM probe").fetchone()[0] == 60
        assert after.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        after.close()


def test_read_only_open_never_migrates_or_writes(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    open_audit_db(path).close()
    before = path.read_bytes()
    db = open_audit_db(path, create=False, read_only=True)
    try:
        assert "runs" in db.table_names()
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            db.execute("INSERT INTO runs (run_id) VALUES ('x')")
    finally:
        db.close()
    assert path.read_bytes() == before


def test_read_only_open_of_an_unmigrated_file_says_so(tmp_path: Path) -> None:
    from sqlite_utils.migrations import Migrations
    from engine.audit.migrations import MIGRATIONS, m001_initial

    path = tmp_path / "old.db"
    older = Migrations(MIGRATIONS.name)
    older(name="m001_initial")(m001_initial)
    open_audit_db(path, migrations=older).close()
    with pytest.raises(AuditSchemaOutdatedError, match="older than this qmt-engine") as info:
        open_audit_db(path, create=False, read_only=True)
    assert str(path) in str(info.value)


def test_read_only_open_of_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database\n" * 100)
    with pytest.raises(NotAnAuditDatabaseError, match="not a SQLite database"):
        open_audit_db(path, create=False, read_only=True)
