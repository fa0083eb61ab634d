"""Opening the audit database: the one place that connects, configures and migrates.

Settings applied on every open:

* ``journal_mode=WAL``: readers (the CLI, datasette, ``sqlite3``) never block
  the writer and see every committed transaction.
* ``synchronous=FULL``: in WAL mode every commit syncs the log, so a committed
  order intent survives a power cut, not only a process crash. The cost is one
  fsync per commit; batched events share one commit, so only durable events
  (order intents, run start/stop) pay it per event. ``NORMAL`` would be
  durable against crashes only, which is not enough for "committed before the
  order is sent" to a real broker. The audit writer sets its own connection
  per mode (``audit.synchronous``: ``NORMAL`` for backtests, whose simulated
  broker dies with the process; docs/audit.md).
* ``foreign_keys=ON``: every event row must reference an existing ``runs`` row
  (the run's ``run_started`` event comes first).
* ``busy_timeout=5000``: a reader migrating or a second writer waits up to 5 s
  for a lock instead of failing at once.

The file is never opened outside SQLite (issue 20): POSIX drops every fcntl
lock a process holds on a file when *any* descriptor of it is closed, so a
plain ``open()``/``close()`` of the file (to sniff its header) while a
connection is open lets the next read-write reader anywhere believe it is the
last connection and delete the writer's ``-wal`` file. SQLite itself tells a
file that is not a database ("file is not a database").

Readers (every ``qmt-engine audit`` command, ``report``, the web app) open with
``read_only=True``: a ``mode=ro`` URI, no WAL switch, no migration. A
read-only connection never checkpoints or deletes the WAL when it closes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .errors import (AuditDatabaseMissingError, AuditSchemaOutdatedError, AuditSchemaTooNewError,
                     NotAnAuditDatabaseError)
from .migrations import MIGRATIONS
from .private_file import create_private

_MIGRATIONS_TABLE = Migrations.migrations_table


def open_audit_db(
    path: str | Path, *, create: bool = True, migrations: Migrations = MIGRATIONS, read_only: bool = False
) -> Database:
    """Open (or create) the audit database at ``path`` and bring its schema up to date.

    The returned connection belongs to the calling thread (SQLite's rule).

    :param path: the ``.db`` file; missing parent folders are created.
    :param create: ``False`` makes a missing file an error instead of creating it
        (for read-only tools such as ``qmt-engine audit``).
    :param migrations: the migration set (tests pass an extended set).
    :param read_only: open with a ``mode=ro`` URI and apply no migration (readers);
        implies ``create=False``.
    :raises AuditDatabaseMissingError: ``create=False`` and the file does not exist.
    :raises NotAnAuditDatabaseError: the file is not SQLite, or is a SQLite file
        with other tables and no audit migration record.
    :raises AuditSchemaTooNewError: the file records migrations this code does not know.
    :raises AuditSchemaOutdatedError: ``read_only`` and migrations are still to apply.
    """
    file = Path(path)
    _check_file(file, create and not read_only)
    if read_only:
        return _open_read_only(file, migrations)
    try:
        db = Database(file, execute_plugins=False)
    except sqlite3.Error as exc:
        raise NotAnAuditDatabaseError(f"{file}: cannot open as SQLite ({exc})") from exc
    try:
        _configure(db, file)
        _check_is_audit_db(db, file, migrations)
        migrations.apply(db)
    except BaseException:
        db.close()
        raise
    return db


def _check_file(file: Path, create: bool) -> None:
    if file.is_dir():
        raise NotAnAuditDatabaseError(f"{file}: is a directory, expected an audit database file")
    if not file.exists():
        if not create:
            raise AuditDatabaseMissingError(f"{file}: no audit database at this path")
        file.parent.mkdir(parents=True, exist_ok=True)
        create_private(file)  # 0600; SQLite gives -wal and -shm the same mode
        return
    # No header check here: opening the file outside SQLite would drop this process's locks.


def _open_read_only(file: Path, migrations: Migrations) -> Database:
    try:
        conn = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error as exc:
        raise NotAnAuditDatabaseError(f"{file}: cannot open as SQLite ({exc})") from exc
    db = Database(conn, execute_plugins=False)
    try:
        try:
            db.execute("PRAGMA busy_timeout = 5000")
            _check_is_audit_db(db, file, migrations)
        except sqlite3.DatabaseError as exc:
            raise _not_sqlite(file, exc) from exc
        pending = [m.name for m in migrations.pending(db)]
        if pending:
            raise AuditSchemaOutdatedError(
                f"{file}: the audit schema is older than this qmt-engine (migrations to apply: "
                f"{', '.join(pending)}); a reader never migrates: start a run on this file, or "
                f"copy it and open the copy, to upgrade it")
    except BaseException:
        db.close()
        raise
    return db


def _not_sqlite(file: Path, exc: sqlite3.DatabaseError) -> NotAnAuditDatabaseError:
    if "not a database" in str(exc):
        return NotAnAuditDatabaseError(f"{file}: not a SQLite database ({exc})")
    return NotAnAuditDatabaseError(f"{file}: cannot be used as an audit database ({exc})")


def _configure(db: Database, file: Path) -> None:
    try:
        db.execute("PRAGMA busy_timeout = 5000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise _not_sqlite(file, exc) from exc


def _check_is_audit_db(db: Database, file: Path, migrations: Migrations) -> None:
    tables = db.table_names()
    if not tables:
        return  # a new (or empty) file: the migrations create everything
    applied = [m.name for m in migrations.applied(db)] if _MIGRATIONS_TABLE in tables else []
    if not applied:
        shown = ", ".join(sorted(tables)[:8])
        raise NotAnAuditDatabaseError(
            f"{file}: a SQLite database but not a qmt-engine audit database "
            f"(no '{migrations.name}' migrations recorded; tables: {shown})"
        )
    known = {m.name for m in migrations._migrations}  # sqlite-utils has no public accessor
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise AuditSchemaTooNewError(
            f"{file}: the audit schema is newer than this qmt-engine (unknown migrations: "
            f"{', '.join(unknown)}); upgrade qmt-engine to read or write it"
        )
