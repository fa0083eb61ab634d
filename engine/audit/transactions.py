"""One batch of event rows becomes one SQLite transaction with its chain block (the writer thread's work).

:func:`write_batch` hashes the rows before taking the write lock, inserts them
in consecutive same-table runs with ``executemany``, adds the block row, and
commits. If SQLite refuses the batch (a constraint, a value it cannot bind),
it writes the batch again row by row, each in its own savepoint, so that only
the bad rows are lost; their errors are returned by position.

A *storage* fault is not a bad row: the write lock held by another connection
past the busy timeout, a full disk, an I/O error. Then nothing was written and
every row is still good, so :func:`write_batch` raises
:class:`StorageUnavailableError` and the writer retries the whole batch later
(issue 20: rows once were dropped here).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from loguru import logger

from ..events import EVENT_TYPES
from .chain import INSERT_BLOCK_SQL, BlockBuilder, read_head
from .chain_writer import ChainWriter, utc_now
from .tables import insert_sql

__all__ = ["ROW_ERRORS", "StorageUnavailableError", "is_storage_fault", "rollback", "write_batch"]

_log = logger.bind(plugin="audit")

# One prepared INSERT per event name (the statements never change at runtime).
_INSERTS: dict[str, str] = {name: insert_sql(cls) for name, cls in EVENT_TYPES.items()}

#: What can go wrong with one row: SQLite refusing it, or a value it cannot bind
#: (an int beyond 64 bits, a string with lone surrogates).
ROW_ERRORS = (sqlite3.Error, OverflowError, ValueError, TypeError)

#: SQLite's primary result codes that say the file cannot be written now, whatever the rows:
#: SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_IOERR (10), SQLITE_FULL (13).
_STORAGE_CODES = frozenset({5, 6, 10, 13})


class StorageUnavailableError(Exception):
    """The batch could not be written for a reason outside its rows (lock, full disk, I/O); nothing was written."""

    def __init__(self, cause: sqlite3.Error) -> None:
        self.cause = cause
        super().__init__(f"{type(cause).__name__}: {cause}")


def is_storage_fault(exc: BaseException) -> bool:
    """True for a SQLite error about the file (locked, full, I/O), not about a row."""
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(exc, sqlite3.Error) and code is not None and (code & 0xFF) in _STORAGE_CODES


#: ``(plan, values, done)``: see :mod:`engine.audit.writer`.
Row = tuple


def write_batch(conn: sqlite3.Connection, chain: ChainWriter, rows: list[Row]) -> dict[int, BaseException]:
    """Write ``rows`` and their chain block in one transaction; row by row if that fails.

    :return: the rows that could not be written, by position (empty when all were).
    :raises StorageUnavailableError: the file cannot be written now (nothing was written; retry).
    """
    try:
        stored, digests = chain.stored_rows(rows)  # hashed before the write lock is taken
        conn.execute("BEGIN IMMEDIATE")
        try:
            block = BlockBuilder(read_head(conn))
            for name, values in _runs_by_name(rows, stored):
                conn.executemany(_INSERTS[name], values)
            block.extend([row[0].table for row in rows], [values[0] for values in stored],
                         [values[1] for values in stored], digests)
            conn.execute(INSERT_BLOCK_SQL, block.insert_values(utc_now()))
            conn.execute("COMMIT")
        except BaseException:
            rollback(conn)
            raise
    except ROW_ERRORS as exc:
        if is_storage_fault(exc):
            raise StorageUnavailableError(exc) from exc
        _log.warning("audit batch of {} rows failed ({!r}); retrying row by row", len(rows), exc)
        return _write_one_by_one(conn, chain, rows)
    chain.committed(block.next_head())
    return {}


def _write_one_by_one(conn: sqlite3.Connection, chain: ChainWriter, rows: list[Row]) -> dict[int, BaseException]:
    """Write each row in its own savepoint, all in one transaction; return failures by index."""
    failures: dict[int, BaseException] = {}
    try:
        conn.execute("BEGIN IMMEDIATE")
        block = BlockBuilder(read_head(conn))
        for index, (plan, values, _done) in enumerate(rows):
            try:
                values, digest = chain.stored_row(plan, values)
            except ROW_ERRORS as exc:
                failures[index] = exc
                continue
            conn.execute("SAVEPOINT audit_row")
            try:
                conn.execute(_INSERTS[plan.name], values)
            except ROW_ERRORS as exc:
                if is_storage_fault(exc):
                    raise
                conn.execute("ROLLBACK TO SAVEPOINT audit_row")
                failures[index] = exc
            else:
                block.add(plan.table, values[0], values[1], digest)
            conn.execute("RELEASE SAVEPOINT audit_row")
        if block.rows:
            conn.execute(INSERT_BLOCK_SQL, block.insert_values(utc_now()))
        conn.execute("COMMIT")
    except sqlite3.Error as exc:  # BEGIN, the block or COMMIT failed: nothing was written
        rollback(conn)
        if is_storage_fault(exc):
            raise StorageUnavailableError(exc) from exc
        return {index: exc for index in range(len(rows))}
    if block.rows:
        chain.committed(block.next_head())
    return failures


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back the open transaction, if any."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _runs_by_name(rows: list[Row], stored: list[tuple[Any, ...]]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Split the stored rows into consecutive same-type runs, keeping seq order within and across runs."""
    runs: list[tuple[str, list[tuple[Any, ...]]]] = []
    name, current = None, None
    for row, values in zip(rows, stored):
        if row[0].name == name:
            current.append(values)
        else:
            name, current = row[0].name, [values]
            runs.append((name, current))
    return runs
