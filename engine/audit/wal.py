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
* **Checkpoints off the commit path, by fill level.** The writer's
  connection runs with ``wal_autocheckpoint=0``, so no commit (a durable one
  above all) runs a checkpoint inside it. The writer thread runs
  ``PRAGMA wal_checkpoint(PASSIVE)`` itself, between commits, after it has
  released their callers, and only when the WAL needs it:

  - at an idle moment: nothing queued for :data:`IDLE_SECONDS`, or, once the
    WAL is :data:`SOFT_FILL` full, for :data:`SHORT_IDLE_SECONDS` (back-to-back
    order intents leave no 50 ms gap, but a 2 ms one is still long enough to
    tell that no intent is on its way);
  - without an idle moment once the WAL is :data:`HARD_FILL` full (a steady
    load), but never while a durable event is queued: that event is
    committed first (the writer checks :attr:`BatchGatherer.durable_waiting`).

  The fill level is estimated from the commits and rows since the last
  checkpoint (:data:`FRAMES_PER_COMMIT`, :data:`ROWS_PER_FRAME`) and calibrated
  by the frame count each complete checkpoint reports, so the WAL stays
  inside its reserve. ``PASSIVE`` never waits for readers; a reader that
  keeps an old snapshot open only makes the WAL grow, as it would anyway.
  (A checkpoint on a second connection, concurrent with the writer, was
  tried: the WAL then never restarts at its beginning, because a commit
  always lands during the checkpoint, and the file grows instead.)

Durability is unchanged: every commit still syncs the WAL before it returns.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from loguru import logger

_log = logger.bind(plugin="audit")

#: Size the WAL file is grown to when the writer starts (about 1,000 frames of 4 KiB pages,
#: SQLite's own default checkpoint threshold).
WAL_RESERVE_BYTES = 4 << 20
#: Checkpoint once the writer has had nothing to do for this long (seconds) ...
IDLE_SECONDS = 0.05
#: ... or for this long, once the WAL is ``SOFT_FILL`` full.
SHORT_IDLE_SECONDS = 0.002
#: Fill level (fraction of the reserve's frames) from which a short idle moment is enough.
SOFT_FILL = 0.5
#: Fill level from which the writer checkpoints between commits without an idle moment.
HARD_FILL = 0.85
#: First estimate of the WAL frames one commit writes besides its rows' data
#: (table and index leaves, the chain block, the commit frame); calibrated by checkpoints.
FRAMES_PER_COMMIT = 5.0
#: First estimate of the rows that fill one frame; calibrated by checkpoints.
ROWS_PER_FRAME = 12.0
_SCRATCH_TABLE = "_audit_wal_reserve"
_FRAME_HEADER_BYTES = 24


class WalKeeper:
    """Keeps one writer connection's WAL at a stable size and checkpoints it between commits.

    Use it on the writer thread only (it uses the writer's connection).
    """

    def __init__(self, conn: sqlite3.Connection, database: str | Path,
                 reserve_bytes: int = WAL_RESERVE_BYTES) -> None:
        self._conn = conn
        self.wal_file = Path(f"{database}-wal")
        self.reserve_bytes = reserve_bytes
        self._idle = IDLE_SECONDS
        self._short_idle = SHORT_IDLE_SECONDS
        self._soft = SOFT_FILL
        self._hard = HARD_FILL
        self._reserve_frames = reserve_bytes / (4096 + _FRAME_HEADER_BYTES)  # page size read in start()
        self._commits = 0
        self._rows = 0
        self._scale = 1.0  # observed frames / estimated frames, from the last complete checkpoint
        self._restarted = True  # the last checkpoint copied every frame: the next commit restarts the WAL
        self.checkpoints = 0
        self._checkpoint_failing = 0  # failed checkpoints in a row (logged once per streak)

    def start(self) -> None:
        """Turn automatic checkpoints off for this connection and reserve the WAL's size."""
        self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        page_size = self._conn.execute("PRAGMA page_size").fetchone()[0]
        self._reserve_frames = self.reserve_bytes / (page_size + _FRAME_HEADER_BYTES)
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
    def fill(self) -> float:
        """Estimated fraction of the reserve's frames the commits since the last checkpoint use."""
        frames = (self._commits * FRAMES_PER_COMMIT + self._rows / ROWS_PER_FRAME) * self._scale
        return frames / self._reserve_frames

    @property
    def idle_seconds(self) -> float:
        """How long the writer waits for work before it checkpoints (shorter once the WAL fills up)."""
        return self._short_idle if self.fill >= self._soft else self._idle

    @property
    def due(self) -> bool:
        """The WAL is full enough to checkpoint between commits without waiting for an idle moment."""
        return self.fill >= self._hard

    def checkpoint(self) -> None:
        """``PRAGMA wal_checkpoint(PASSIVE)``; a failure is logged, never raised (the next one retries)."""
        try:
            busy, frames, copied = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error as exc:
            if not self._checkpoint_failing:  # one line per failure streak, not one per retry (issue 20)
                _log.warning("audit: checkpoint of {} failed ({!r}); retried after each commit, logged again "
                             "when it works", self.wal_file, exc)
            self._checkpoint_failing += 1
            return
        if self._checkpoint_failing:
            _log.info("audit: checkpoint of {} works again after {} failed tries", self.wal_file,
                      self._checkpoint_failing)
            self._checkpoint_failing = 0
        self.checkpoints += 1
        self._calibrate(frames)
        self._restarted = busy == 0 and frames == copied
        self._commits = self._rows = 0

    def _calibrate(self, frames: int) -> None:
        """Learn the frames per estimate from a WAL that held exactly the commits counted since the last checkpoint."""
        estimate = self._commits * FRAMES_PER_COMMIT + self._rows / ROWS_PER_FRAME
        if self._restarted and frames > 0 and estimate > 0:
            self._scale = min(8.0, max(0.125, frames / estimate))


def _file_size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0
