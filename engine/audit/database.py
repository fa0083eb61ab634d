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
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from .errors import AuditDatabaseMissingError, AuditSchemaTooNewError, NotAnAuditDatabaseError
from .migrations import MIGRATIONS

_SQLITE_HEADER = b"SQLite format 3\x00"
_MIGRATIONS_TABLE = Migrations.migrations_table


def open_audit_db(
    path: str | Path, *, create: bool = True, migrations: Migrations = MIGRATIONS
) -> Database:
    """Open (or create) the audit database at ``path`` and bring its schema up to date.

    The returned connection belongs to the calling thread (SQLite's rule).

    :param path: the ``.db`` file; missing parent folders are created.
    :param create: ``False`` makes a missing file an error instead of creating it
        (for read-only tools such as ``qmt-engine audit``).
    :param migrations: the migration set (tests pass an extended set).
    :raises AuditDatabaseMissingError: ``create=False`` and the file does not exist.
    :raises NotAnAuditDatabaseError: the file is not SQLite, or is a SQLite file
        with other tables and no audit migration record.
    :raises AuditSchemaTooNewError: the file records migrations this code does not know.
    """
    file = Path(path)
    _check_file(file, create)
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
        return
    with file.open("rb") as handle:
        header = handle.read(len(_SQLITE_HEADER))
    if header and header != _SQLITE_HEADER:
        raise NotAnAuditDatabaseError(f"{file}: not a SQLite database (unexpected file header)")


def _configure(db: Database, file: Path) -> None:
    try:
        db.execute("PRAGMA busy_timeout = 5000")
        db.enable_wal()
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
    except sqlite3.DatabaseError as exc:
        raise NotAnAuditDatabaseError(f"{file}: cannot be used as an audit database ({exc})") from exc


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
