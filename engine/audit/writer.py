"""The audit writer: the built-in ``track_event`` plugin that journals every event to SQLite.

Design (one writer thread owns the only connection):

* ``track_event`` runs on the engine thread. It turns the event into a row
  (validation errors raise there, naming the event) and puts it on a FIFO
  queue. A batched event returns at once; the engine never waits for a batch.
* The writer thread takes rows off the queue and writes them in one
  transaction per batch: up to ``batch_size`` rows, or what arrived within
  ``flush_interval`` seconds of the first, whichever comes first; under a
  backlog, up to eight times ``batch_size`` of the rows already waiting.
* A durable event (``event.durable``: order intents, run start/stop) ends the
  batch at once: everything queued before it and the event itself are
  committed together, and ``track_event`` returns only after that commit (it
  waits on a future). Queue order is seq order, so the file never holds an
  event without the ones before it.
* A failed batch is rolled back and retried row by row (each in a savepoint),
  so one bad row does not lose its neighbours. A durable row that fails raises
  :class:`AuditWriteError` to its caller (the engine then does not send the
  order). A batched row that fails is logged at once and raised by the next
  ``track_event``, ``flush`` or ``close``. After such a failure the next
  durable event is refused before it is written.
* A storage fault (the write lock held by another connection past the busy
  timeout, a full disk, an I/O error) loses no row: the batch is retried with
  back-off (:data:`RETRY_FIRST_SECONDS` doubling to :data:`RETRY_MAX_SECONDS`)
  until it is written. Meanwhile :attr:`AuditWriter.storage_fault` says why,
  durable events (order intents) are refused with :class:`AuditWriteError`, so
  the engine sends no order, and the engine halts trading (cause
  ``audit_storage``). One log line when the writer cannot write, one when it
  writes again. ``close()`` waits for the rows up to ``close_wait`` seconds,
  then gives up loudly; :attr:`AuditWriter.storage_faults` counts the episodes
  (the run then ends non-zero).
* The file deleted or replaced under the writer (:mod:`engine.audit.file_identity`): checked
  before every batch (inode and device of the path against those at open). It sets
  ``storage_fault`` for good (orders stop, the run ends in error) and leaves a marker
  ``<database>.replaced``; a new writer refuses to start while the marker is there.
* Rows go in through prepared ``executemany`` statements rather than
  sqlite-utils ``insert_all``: the columns are fixed by the migrations, and a
  column that does not exist must fail, never alter the table.
* Every commit is hash-chained (:mod:`engine.audit.chain`): the writer thread
  converts each row to its stored form and hashes it, links the commit's rows
  onto the chain head read inside the transaction, and inserts one
  ``audit_chain`` block in the same transaction. After the commit it rewrites
  the head file next to the database. The engine thread never hashes.
* Rows are built through :class:`~engine.audit.row_plans.RowPlanner` (same
  values and errors as ``event_row``, cheaper); checkpoints and the WAL's size
  are :class:`~engine.audit.wal.WalKeeper`'s, run between commits; batches
  are cut by :class:`~engine.audit.batches.BatchGatherer` (larger under backlog).
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from loguru import logger

from ..events import Event
from ..hookspecs import hookimpl
from .batches import BatchGatherer
from .completion import Completion
from .chain_writer import ChainWriter
from .database import open_audit_db
from .errors import AuditClosedError, AuditWriteError
from .file_identity import FileIdentity, refuse_if_replaced
from .instance_lock import InstanceLock, database_lock_path
from .row_plans import RowPlanner
from .transactions import StorageUnavailableError, write_batch
from .wal import WalKeeper

_log = logger.bind(plugin="audit")

#: ``synchronous`` argument -> the SQLite level set on the writer's connection.
SYNCHRONOUS_LEVELS = {"full": "FULL", "normal": "NORMAL"}

#: First wait before a batch the storage refused is tried again; it doubles up to RETRY_MAX_SECONDS.
RETRY_FIRST_SECONDS = 0.05
RETRY_MAX_SECONDS = 2.0

#: One event on its way to the file: ``(plan, values, done)``, where ``values`` are
#: ``event_row(event)`` and ``done`` is a Future resolved after the commit (durable
#: events) or ``None``. A plain tuple: one is built for every event on the engine thread.
_Row = tuple


def _label(row: _Row) -> str:
    plan, values, _done = row
    return f"{plan.name} run {values[0]} seq {values[1]}"


@dataclass(slots=True)
class _Marker:
    """A flush or stop request; resolved after everything queued before it was written."""

    stop: bool
    done: Future | Completion


class AuditWriter:
    """The audit plugin: register it with the plugin manager, ``close()`` it at the end of the run.

    :param path: the audit database file (created and migrated if needed).
    :param batch_size: most rows written in one transaction.
    :param flush_interval: longest time (seconds) a batched event waits in memory.
    :param synchronous: ``"full"`` (every commit syncs the WAL: a committed row survives
        power loss) or ``"normal"`` (no sync per commit: a committed row survives a crash
        of the process, not of the OS). Durable events are committed before
        ``track_event`` returns either way, unless ``durable_wait`` is false.
    :param durable_wait: false: a durable event is queued like a batched one (same order,
        same rows) and ``track_event`` returns at once; a write failure is raised by a later
        call. For backtests, whose broker is the in-process simulator.
    :param max_backlog: rows that may wait for the writer thread (default ``20 * batch_size``,
        ``batch_size`` without ``durable_wait``); past it, ``track_event`` waits until the writer
        has caught up, so memory stays bounded. A busy engine thread holds the GIL, and the
        writer's ``executemany`` gives it up and waits for it again at every row; it writes a
        backlog fastest while the engine thread waits for it.
    :param close_wait: how long ``close()`` lets the writer retry rows the storage refuses before it
        gives up on them (raising :class:`AuditWriteError` naming how many).
    :param locks: further :class:`~engine.audit.instance_lock.InstanceLock` s to take for the
        writer's life (the live account's); the database's own ``<path>.lock`` is always taken.
    :raises InstanceLockedError: another engine writes this database (or holds a lock in ``locks``).
    :raises NotAnAuditDatabaseError, AuditSchemaTooNewError: from opening ``path``.
    """

    AUDIT_JOURNAL = True

    def __init__(self, path: str | Path, *, batch_size: int = 500, flush_interval: float = 0.2,
                 synchronous: str = "full", durable_wait: bool = True, max_backlog: int | None = None,
                 close_wait: float = 60.0, locks: tuple[InstanceLock, ...] = ()) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"AuditWriter: batch_size must be an int >= 1, got {batch_size!r}")
        if not isinstance(flush_interval, (int, float)) or flush_interval < 0:
            raise ValueError(f"AuditWriter: flush_interval must be >= 0 seconds, got {flush_interval!r}")
        if synchronous not in SYNCHRONOUS_LEVELS:
            raise ValueError(f"AuditWriter: synchronous must be one of {sorted(SYNCHRONOUS_LEVELS)}, got {synchronous!r}")
        self.path = Path(path)
        self.batch_size = batch_size
        self.flush_interval = float(flush_interval)
        self.synchronous = synchronous
        self.durable_wait = durable_wait
        #: more queued rows than this make ``track_event`` wait for the writer (see :meth:`_catch_up`)
        if max_backlog is None:  # without durable waits nothing else makes the engine thread pause
            max_backlog = 20 * batch_size if durable_wait else batch_size
        self.max_backlog = max_backlog
        self.backlog_waits = 0
        self.close_wait = float(close_wait)
        #: why the file cannot be written now (None while it can); set and cleared by the writer thread
        self.storage_fault: str | None = None
        #: times the file could not be written during this writer's life (each a stretch of retries)
        self.storage_faults = 0
        self._retry_wake = threading.Event()  # set by close(): stop waiting, check the deadline
        self._closing_since: float | None = None
        self._queue: queue.SimpleQueue[_Row | _Marker] = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards _closed/_dead/_death/_lost and queue admission
        self._closed = False
        self._dead = False
        self._lost: list[str] = []  # failures of batched rows not yet raised to a caller
        self._death: AuditWriteError | None = None
        self._instance_locks: list[InstanceLock] = []
        try:
            for lock in (InstanceLock(database_lock_path(self.path), f"audit database {self.path}"), *locks):
                self._instance_locks.append(lock.acquire())
            refuse_if_replaced(self.path)
            opened: Future = Future()
            self._thread = threading.Thread(
                target=self._run, args=(opened,), name="audit-writer", daemon=True
            )
            self._thread.start()
            opened.result()  # re-raises an open/migration error here, on the caller's thread
        except BaseException:
            self._release_locks()
            raise

    # ------------------------------------------------------------------ hook

    @hookimpl
    def track_event(self, event: Event) -> None:
        """Journal ``event``: committed before returning if durable, else queued for the next batch.

        :raises AuditEventError: the event cannot be stored (nothing is queued).
        :raises AuditWriteError: a durable write failed, or an earlier batch failed.
        :raises AuditClosedError: the writer is closed.
        """
        plan, values = self._planner.row(event)
        if not event.durable:
            self._put((plan, values, None))
            if self._lost:
                self._raise_pending_error()
            if self._queue.qsize() > self.max_backlog:
                self._catch_up()
            return
        # A durable event after a failed batch is refused before it is written:
        # the engine then does not act on it, and the journal stays consistent.
        self._raise_pending_error()
        fault = self.storage_fault
        if fault is not None:  # fail closed: no order is sent while its intent cannot be committed
            raise AuditWriteError(f"{fault}; {event.name} run {event.run_id} seq {event.seq} not recorded")
        if not self.durable_wait:
            self._put((plan, values, None))
            if self._queue.qsize() > self.max_backlog:
                self._catch_up()
            return
        done = Completion()
        self._put((plan, values, done), durable=True)
        done.result()

    @property
    def backlog(self) -> int:
        """Rows and markers waiting for the writer thread (safe to read from any thread)."""
        return self._queue.qsize()

    # ------------------------------------------------------------ lifecycle

    def flush(self) -> None:
        """Wait until every event queued so far is written.

        :raises AuditWriteError: a queued event could not be written.
        """
        self._wait_for(_Marker(stop=False, done=Future()))
        self._raise_pending_error()

    def close(self) -> None:
        """Write everything queued, stop the writer thread and close the file. Idempotent.

        :raises AuditWriteError: a queued event could not be written.
        """
        with self._lock:
            already = self._closed or self._dead
            self._closed = True
            if not already:
                marker = _Marker(stop=True, done=Future())
                self._queue.put(marker)
                self._batches.notify(True)
                self._closing_since = time.monotonic()
                self._retry_wake.set()
        if not already:
            try:
                marker.done.result()
            except AuditWriteError:
                pass  # the thread died while closing: raised below
        self._thread.join()
        self._release_locks()
        self._raise_pending_error()
        if self._death is not None and not already:
            raise self._death

    def _release_locks(self) -> None:
        while self._instance_locks:
            self._instance_locks.pop().release()

    def __enter__(self) -> AuditWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -------------------------------------------------------- caller helpers

    def _put(self, item: _Row | _Marker, durable: bool = False) -> None:
        with self._lock:
            if self._death is not None:
                raise AuditWriteError(f"{self._death}; not recorded")
            if self._closed:
                raise AuditClosedError(f"audit writer for {self.path} is closed; not recorded")
            if durable:
                self._batches.durable_queued += 1  # before the put: the writer never sees more taken than queued
            self._queue.put(item)
            self._batches.notify(durable or type(item) is not tuple)

    def _catch_up(self) -> None:
        """Back-pressure: wait until the writer has written what is queued.

        An engine thread that never blocks (a backtest) would otherwise keep the GIL
        from the writer thread, whose queue, and memory, would grow with the run."""
        self.backlog_waits += 1
        self._wait_for(_Marker(stop=False, done=Future()))

    def _wait_for(self, marker: _Marker) -> None:
        self._put(marker)
        marker.done.result()

    def _raise_pending_error(self) -> None:
        """Raise (once) the failures of batched rows written since the last report."""
        with self._lock:
            lost, self._lost = self._lost, []
        if lost:
            more = f" (+{len(lost) - 1} more failed rows, see the log)" if len(lost) > 1 else ""
            raise AuditWriteError(lost[0] + more)

    # ---------------------------------------------------------- writer thread

    def _run(self, opened: Future) -> None:
        try:
            db = open_audit_db(self.path)
        except BaseException as exc:
            with self._lock:
                self._dead = True
            opened.set_exception(exc)
            return
        db.conn.isolation_level = None  # explicit BEGIN/COMMIT only: this thread owns the transactions
        try:
            db.conn.execute(f"PRAGMA synchronous = {SYNCHRONOUS_LEVELS[self.synchronous]}")
            self._chain = ChainWriter(db.conn, self.path)
            self._chain.start(db.conn)
            self._planner = RowPlanner(self._chain.layouts)
            self._wal = WalKeeper(db.conn, self.path)
            self._wal.start()
            self._batches = BatchGatherer(self._queue, self.batch_size, self.flush_interval, self._wal)
            self._identity = FileIdentity.of(self.path)
        except BaseException as exc:
            db.close()
            with self._lock:
                self._dead = True
            opened.set_exception(AuditWriteError(f"audit chain of {self.path} cannot be started: {exc!r}"))
            return
        opened.set_result(None)
        in_flight: list[_Row | _Marker] = []
        try:
            self._serve(db.conn, in_flight)
        except BaseException as exc:  # a bug or a dead connection: fail loudly, never hang callers
            _log.opt(exception=exc).error("audit writer thread for {} died", self.path)
            self._die(AuditWriteError(f"audit writer thread for {self.path} died: {exc!r}"), in_flight)
        finally:
            self._chain.close()
            try:
                db.close()
            except sqlite3.Error as exc:
                _log.error("closing audit database {} failed: {!r}", self.path, exc)

    def _serve(self, conn: sqlite3.Connection, in_flight: list[_Row | _Marker]) -> None:
        while True:
            in_flight[:] = self._batches.next_batch()
            rows = [item for item in in_flight if type(item) is tuple]
            if rows:
                self._check_file()
                self._write(conn, rows)
                self._wal.committed(len(rows))
            if len(rows) < len(in_flight):
                for item in in_flight:
                    if type(item) is _Marker:
                        item.done.set_result(None)
                        if item.stop:
                            return
            in_flight.clear()
            # Every caller of the commit is released by now; a durable event already waiting
            # is committed first (the checkpoint would delay it).
            if self._wal.due and not self._batches.durable_waiting:
                self._wal.checkpoint()

    def _write(self, conn: sqlite3.Connection, rows: list[_Row]) -> None:
        """Write ``rows`` and their chain block in one transaction (row by row if that fails).

        While the storage refuses the batch it is retried with back-off; its durable rows are
        refused at once (their callers act on nothing unrecorded), the batched ones wait.
        """
        delay = RETRY_FIRST_SECONDS
        while True:
            try:
                failures = write_batch(conn, self._chain, rows)
            except StorageUnavailableError as exc:
                rows = self._storage_refused(rows, exc)
                if not rows:
                    return
                if self._closing_since is not None and time.monotonic() - self._closing_since > self.close_wait:
                    raise AuditWriteError(
                        f"audit cannot write to {self.path} ({exc}); gave up at close after {self.close_wait:g} s: "
                        f"{len(rows)} rows are not recorded (first: {_label(rows[0])})") from exc
                if self._retry_wake.wait(delay):  # close() was called: check the deadline now, once
                    self._retry_wake.clear()
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            if self.storage_fault is not None and not self._identity.lost:
                _log.warning("audit writing again to {}: the waiting rows are written, none was lost", self.path)
                self.storage_fault = None
            self._settle(rows, failures)
            return

    def _check_file(self) -> None:
        """The path still names the file this writer opened; else stop orders for good (once)."""
        if self._identity.lost:
            return
        change = self._identity.check()
        if change is None:
            return
        self.storage_fault = (f"audit database {self.path} {change} while this engine was writing it; rows "
                              f"written since go to the file this engine still has open, not to {self.path}")
        self.storage_faults += 1
        marker = self._identity.leave_marker(self.storage_fault)
        _log.error("{}: orders are refused for the rest of the run; a restart refuses to start until an "
                   "operator has looked (marker {}; docs/audit.md)", self.storage_fault, marker)

    def _storage_refused(self, rows: list[_Row], exc: StorageUnavailableError) -> list[_Row]:
        """Note the fault (logged once per stretch), refuse the durable rows; the batched rows to retry."""
        if self.storage_fault is None:
            self.storage_fault = f"audit cannot write to {self.path} ({exc})"
            self.storage_faults += 1
            _log.error("{}: rows wait in memory and are retried with back-off; orders are refused until it "
                       "writes again", self.storage_fault)
        waiting = []
        for row in rows:
            done = row[2]
            if done is None:
                waiting.append(row)
            else:
                done.set_exception(AuditWriteError(f"{self.storage_fault}; {_label(row)} not recorded"))
        return waiting

    def _settle(self, rows: list[_Row], failures: dict[int, BaseException]) -> None:
        """Resolve durable futures; turn failed batched rows into the pending error."""
        if not failures:
            for _plan, _values, done in rows:
                if done is not None:
                    done.set_result(None)
            return
        lost: list[str] = []
        for index, row in enumerate(rows):
            done = row[2]
            exc = failures.get(index)
            if exc is None:
                if done is not None:
                    done.set_result(None)
                continue
            message = f"audit write to {self.path} failed for {_label(row)}: {type(exc).__name__}: {exc}"
            _log.error(message)
            if done is not None:
                done.set_exception(AuditWriteError(message))
            else:
                lost.append(message)
        if lost:
            self._record_error(lost)

    def _record_error(self, messages: list[str]) -> None:
        with self._lock:
            self._lost.extend(messages)

    def _die(self, error: AuditWriteError, in_flight: list[_Row | _Marker]) -> None:
        """Refuse new events and fail everything unwritten (no caller may wait forever)."""
        with self._lock:
            self._dead = True
            self._death = error
            pending = list(in_flight)
            while True:
                try:
                    pending.append(self._queue.get_nowait())
                except queue.Empty:
                    break
        for item in pending:
            done = item[2] if type(item) is tuple else item.done
            if done is not None and not done.done():
                done.set_exception(error)
