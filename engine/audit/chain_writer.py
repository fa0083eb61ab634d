"""The writer thread's side of the hash chain: stored form and digest of each row, blocks, the head file.

Everything here runs on the audit writer thread (never on the engine thread):
:meth:`ChainWriter.prepare` converts a row to its stored form and hashes it
before the transaction starts; inside the transaction the writer reads the
chain head from the database (so a second writer process on the same file
still extends the real head), links the rows of the commit onto it and
inserts one ``audit_chain`` block; after the commit :meth:`ChainWriter.committed`
rewrites the head file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from loguru import logger

from ..events import EVENT_TYPES
from .chain import (
    CHAIN_TABLE, GENESIS, INSERT_BLOCK_SQL, BlockBuilder, ChainHead, canonical_row, canonical_text, content_digest,
    read_head, sha256,
)
from .head_file import HeadFileError, HeadFileWriter, head_file_path, read_head_file
from .row_plans import RowPlan
from .stored_values import InsertLayout, StoredValues, TableLayout
from .tables import EVENT_TABLES, table_columns

_log = logger.bind(plugin="audit")

#: Note prefixes of a block written when the writer starts and finds the head file ahead of the database.
NOTE_TRUNCATED = "truncated"
NOTE_REWRITTEN = "rewritten"


#: One row ready for the file: (table, values in insert order as stored, content digest).
PreparedRow = tuple[str, tuple[Any, ...], bytes]


class ChainWriter:
    """Chains the rows the audit writer commits. Create and use it on the writer thread only."""

    def __init__(self, conn: sqlite3.Connection, database: str | Path) -> None:
        self._layouts = _insert_layouts(conn)
        self._stored = StoredValues()
        self.head_file = head_file_path(database)
        self.head: ChainHead = read_head(conn)
        self._head_writer: HeadFileWriter | None = None

    def start(self, conn: sqlite3.Connection) -> None:
        """Compare the head file with the database, record a mismatch as a note block, open the head file."""
        note = self._head_file_note(conn)
        if note is not None:
            _log.error("audit chain: {}", note)
            conn.execute("BEGIN IMMEDIATE")
            try:
                block = BlockBuilder(read_head(conn))
                conn.execute(INSERT_BLOCK_SQL, block.insert_values(utc_now(), note))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            self.head = block.next_head()
        self._head_writer = HeadFileWriter(self.head_file)
        self._head_writer.write(self.head)

    def prepare(self, name: str, values: tuple[Any, ...]) -> PreparedRow:
        """``(table, stored values, content digest)`` of one event row.

        :raises OverflowError, ValueError, TypeError, sqlite3.Error: a value SQLite cannot store.
        """
        layout = self._layouts[name]
        stored = self._stored.convert(layout, values)
        return layout.table, stored, content_digest(layout.table, layout.declared(stored))

    @property
    def layouts(self) -> dict[str, InsertLayout]:
        """Event name -> how its insert columns map onto its table (read from the database)."""
        return self._layouts

    def stored_row(self, plan: RowPlan, values: tuple[Any, ...]) -> tuple[tuple[Any, ...], bytes]:
        """``(stored values, content digest)`` of one row; the same as :meth:`prepare` gives.

        :raises OverflowError, ValueError, TypeError, sqlite3.Error: a value SQLite cannot store.
        """
        end = plan.content_end
        if end is None:  # a conversion, or columns the event does not fill: the general definition
            values = self._stored.convert_at(plan.layout, values, plan.stored)
            return values, sha256(canonical_row(plan.table, plan.layout.declared(values))).digest()
        return values, sha256(canonical_text(plan.table, values[:end]).encode("utf-8", "surrogatepass")).digest()

    def stored_rows(self, rows: list[tuple[RowPlan, tuple[Any, ...], Any]]) -> tuple[list[tuple[Any, ...]], list[bytes]]:
        """:meth:`stored_row` of every ``(plan, values, _)`` row, as two lists (stored values, digests) in order.

        :raises OverflowError, ValueError, TypeError, sqlite3.Error: a value SQLite cannot store.
        """
        stored: list[tuple[Any, ...]] = []
        digests: list[bytes] = []
        for plan, values, _ in rows:  # the loop body is stored_row, inlined: this runs for every batched event
            end = plan.content_end
            if end is None:
                values = self._stored.convert_at(plan.layout, values, plan.stored)
                content = canonical_row(plan.table, plan.layout.declared(values))
            else:
                content = canonical_text(plan.table, values[:end]).encode("utf-8", "surrogatepass")
            stored.append(values)
            digests.append(sha256(content).digest())
        return stored, digests

    def committed(self, head: ChainHead) -> None:
        """Record that the block ending at ``head`` is on disk (rewrites the head file)."""
        self.head = head
        if self._head_writer is not None:
            try:
                self._head_writer.write(head)
            except OSError as exc:
                _log.error("audit chain: cannot update the head file {} ({!r})", self.head_file, exc)

    def close(self) -> None:
        """Close the head file and the probe connection; log the final head (an anchor in the log)."""
        _log.info("audit chain head: {} (head file {})", self.head.label(), self.head_file)
        if self._head_writer is not None:
            self._head_writer.close()
        self._stored.close()

    def _head_file_note(self, conn: sqlite3.Connection) -> str | None:
        try:
            recorded = read_head_file(self.head_file)
        except HeadFileError as exc:
            _log.warning("audit chain: {}; it is rewritten from the database", exc)
            return None
        if recorded is None or recorded.block == 0:
            return None
        if self.head == GENESIS:
            _log.warning("audit chain: {} belongs to an earlier database (this one has no chain yet); "
                         "it is rewritten", self.head_file)
            return None
        if recorded.block > self.head.block:
            return (f"{NOTE_TRUNCATED}: the head file recorded {recorded.label()}, but the database chain ends "
                    f"at {self.head.label()}: committed rows were removed from the end")
        stored = conn.execute(f"SELECT head_hash FROM {CHAIN_TABLE} WHERE block = ?", (recorded.block,)).fetchone()
        if stored is None or stored[0] != recorded.hash:
            return (f"{NOTE_REWRITTEN}: the head file recorded {recorded.label()}, but block {recorded.block} "
                    f"of the database has head {stored[0] if stored else 'nothing'}: the chain was rewritten")
        return None


def utc_now() -> str:
    """The wall-clock time of a commit (UTC, ISO 8601, microseconds)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def _insert_layouts(conn: sqlite3.Connection) -> dict[str, InsertLayout]:
    tables: dict[str, TableLayout] = {}
    layouts = {}
    for name, event_type in EVENT_TYPES.items():
        table = EVENT_TABLES[name].table
        if table not in tables:
            tables[table] = TableLayout.read(conn, table)
        layouts[name] = InsertLayout(tables[table], table_columns(event_type))
    return layouts
