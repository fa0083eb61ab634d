"""The audit writer's write-ahead log: a WAL that does not change size, and checkpoints off the commit path.

A durable commit (``synchronous=FULL``) ends with an fdatasync of the WAL file.
That sync is much cheaper when the commit overwrites bytes already in the file
than when it appends to it: appending also changes the file's size, so the
file system must journal its metadata (on the development machine: about
120 us against 200-240 us per commit, ``benchmarks/README.md``). SQLite
already overwrites its WAL in place once a checkpoint has copied every frame
back into the database: the next write restarts at the beginning of the file.
:class:`WalKeeper` makes that the normal case:

* **Reserve.** When the writer starts and the WAL file is smaller than
  :data:`WAL_RESERVE_BYTES`, it grows the file with a transaction that it rolls
  back: a scratch table with one zero-filled blob, written with a tiny page
  cache so that SQLite spills the pages into the WAL as uncommitted frames.
  Nothing is committed (the scratch table never exists for anyone), but the
  WAL file keeps its size and later commits overwrite those frames.
* **Checkpoints off the commit path.** The writer's connection runs with
  ``wal_autocheckpoint=0``, so no commit (a durable one above all) runs a
  checkpoint inside it. Instead the writer thread runs
  ``PRAGMA wal_checkpoint(PASSIVE)`` after it has released the callers of a
  commit: when it has been idle for :data:`IDLE_SECONDS`, or after
  :data:`CHECKPOINT_EVERY_COMMITS` commits or :data:`CHECKPOINT_EVERY_ROWS`
  rows, whichever comes first, so the WAL stays well inside its reserve
  under a steady load too. ``PASSIVE`` never waits for readers; a reader that
  keeps an old snapshot open only makes the WAL grow, as it would anyway.

Durability is unchanged: every commit still syncs the WAL before it returns.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from loguru import logger

_log = logger.bind(plugin="audit")

#: Size the WAL file is grown to when the writer starts (about 1,000 frames of 4 KiB pages,
#: SQLite's own default checkpoint threshold; the checkpoints below keep it well under that).
WAL_RESERVE_BYTES = 4 << 20
#: Checkpoint once the writer has had nothing to do for this long (seconds).
IDLE_SECONDS = 0.05
#: Checkpoint after this many commits, even without an idle moment.
CHECKPOINT_EVERY_COMMITS = 100
#: ... or after this many rows.
CHECKPOINT_EVERY_ROWS = 5000
_SCRATCH_TABLE = "_audit_wal_reserve"


class WalKeeper:
    """Keeps one writer connection's WAL at a stable size and checkpoints it between commits.

    Use it on the writer thread only (it uses the writer's connection).
    """

    def __init__(self, conn: sqlite3.Connection, database: str | Path,
                 reserve_bytes: int = WAL_RESERVE_BYTES) -> None:
        self._conn = conn
        self.wal_file = Path(f"{database}-wal")
        self.reserve_bytes = reserve_bytes
        #: how long the writer waits for work before it checkpoints (seconds)
        self.idle_seconds = IDLE_SECONDS
        self._every_commits = CHECKPOINT_EVERY_COMMITS
        self._every_rows = CHECKPOINT_EVERY_ROWS
        self._commits = 0
        self._rows = 0

    def start(self) -> None:
        """Turn automatic checkpoints off for this connection and reserve the WAL's size."""
        self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            self.reserve()
        except sqlite3.Error as exc:  # only a cost: the WAL grows with the commits instead
            _log.warning("audit: could not reserve {} bytes of WAL for {} ({!r})",
                         self.reserve_bytes, self.wal_file, exc)

    def reserve(self) -> None:
        """Grow the WAL file to ``reserve_bytes`` with frames of a rolled-back transaction."""
        if _file_size(self.wal_file) >= self.reserve_bytes:
            return
        conn = self._conn
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        conn.execute("PRAGMA cache_size = 8")  # pages: forces the blob's pages out to the WAL
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.execute(f"CREATE TABLE {_SCRATCH_TABLE} (filler BLOB)")
                conn.execute(f"INSERT INTO {_SCRATCH_TABLE} VALUES (zeroblob(?))", (self.reserve_bytes,))
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache_size)}")

    def committed(self, rows: int) -> None:
        """Count one commit of ``rows`` rows (call it after the commit's callers were released)."""
        self._commits += 1
        self._rows += rows

    @property
    def pending(self) -> bool:
        """Commits since the last checkpoint (an idle moment should checkpoint them)."""
        return self._commits > 0

    @property
    def due(self) -> bool:
        """Enough commits or rows since the last checkpoint to checkpoint without waiting for idleness."""
        return self._commits >= self._every_commits or self._rows >= self._every_rows

    def checkpoint(self) -> None:
        """``PRAGMA wal_checkpoint(PASSIVE)``; a failure is logged, never raised (the next one retries)."""
        try:
            self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            _log.warning("audit: checkpoint of {} failed ({!r})", self.wal_file, exc)
            return
        self._commits = self._rows = 0


def _file_size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0
