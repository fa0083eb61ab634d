"""``qmt-engine audit verify``: check a whole audit database against its hash chain.

:func:`verify_chain` streams the chain once, in write order (O(rows), one
point lookup per row by its ``(run_id, seq)`` key), inside one read
transaction so a writer committing meanwhile cannot make it see half a commit.
It reports, in chain order, the first rows that were:

* **altered**: the row's canonical content no longer has its recorded hash;
* **removed**: a chained row is gone (``truncated`` when every row after it is gone too);
* **reordered**: rows of one run appear out of ``seq`` order in the chain;
* **chain_broken**: blocks missing or edited, a block's rows not linking to its head;
  a pre-m005 block (per-row links) after an m005 block (one hash over the rows' digests);
* **inserted**: a row after the chain started that no block chains;
* **truncated** / **rewritten**: the head file (or an expected head given by the
  caller) records a chain head the database no longer has;
* **unprotected**: an append-only trigger was dropped;
* **unchained_changed**: rows written before the chain existed were removed or added.

Both block formats are checked in the same pass (:mod:`engine.audit.chain`): a
file upgraded from m004 holds per-row-link blocks followed by digest blocks.
Either way each row's content hash is recomputed and compared with the one its
block recorded, so an altered row is named, not only its block.

Rows written before the chain migration are counted as *unchained*: they cannot
be verified, and are not reported as tampering. docs/audit.md says what cannot be detected.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database

from .chain import CHAIN_TABLE, GENESIS_HASH, UNCHAINED_TABLE, ChainHead, block_hash, canonical_row
from .chain_writer import NOTE_REWRITTEN, NOTE_TRUNCATED
from .errors import AuditDatabaseDamagedError
from .head_file import HeadFileError, head_file_path, read_head_file
from .migrations import MIGRATIONS_TABLE
from .tables import EVENT_TABLES
from .verify_report import Problem, VerifyReport, first_seq_gap

__all__ = ["Problem", "VerifyReport", "verify_chain"]

_CHAINED_TABLES = frozenset(entry.table for entry in EVENT_TABLES.values())


def verify_chain(
    db: Database,
    *,
    head_file: str | Path | None = None,
    use_head_file: bool = True,
    expected_heads: Iterable[ChainHead] = (),
    max_problems: int = 20,
) -> VerifyReport:
    """Verify the append-only triggers and the hash chain of ``db`` (see the module docstring).

    :param head_file: the head file to compare with (default: ``<database>-chainhead``).
    :param use_head_file: ``False`` ignores the head file.
    :param expected_heads: heads noted elsewhere (``block`` and ``hash``; e.g. from the log) that
        the chain must still contain.
    :param max_problems: most problems kept in ``report.problems`` (all are counted).
    :raises AuditDatabaseDamagedError: SQLite cannot read the file to the end (a damaged file
        cannot be checked; that is not a finding about tampering).
    """
    if max_problems < 1:
        raise ValueError(f"verify_chain: max_problems must be >= 1, got {max_problems!r}")
    conn = db.conn
    database = _database_file(conn)
    report = VerifyReport(database=database)
    recorded = _read_head_file(report, head_file, database) if use_head_file else None  # before the snapshot
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        _Verifier(conn, report, max_problems).run(recorded, list(expected_heads))
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.OperationalError) and "malformed" not in str(exc):
            raise  # locked, interrupted...: not damage
        raise AuditDatabaseDamagedError(
            f"{database}: SQLite cannot read the file ({exc}); it cannot be verified. Check it with "
            f"`sqlite3 {database} 'PRAGMA integrity_check'` and restore it from a backup") from exc
    finally:
        if began and conn.in_transaction:
            conn.execute("ROLLBACK")
    return report


def _database_file(conn: sqlite3.Connection) -> str:
    for _seq, name, file in conn.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return file or ":memory:"
    return ":memory:"


def _read_head_file(report: VerifyReport, head_file: str | Path | None, database: str) -> ChainHead | None:
    path = Path(head_file) if head_file is not None else head_file_path(database)
    try:
        recorded = read_head_file(path)
    except HeadFileError as exc:
        report.head_file = f"unreadable: {exc}"
        report.warnings.append(f"{exc}; a truncated tail cannot be checked against it")
        return None
    if recorded is None:
        report.head_file = f"missing: {path}"
        report.warnings.append(f"no head file at {path}: rows removed from the end together with their "
                               "chain blocks cannot be detected")
        return None
    report.head_file = f"{path}: {recorded.label()}"
    return recorded


class _Verifier:
    """One pass over one database (inside the caller's read transaction)."""

    def __init__(self, conn: sqlite3.Connection, report: VerifyReport, max_problems: int) -> None:
        self.conn = conn
        self.report = report
        self.max_problems = max_problems
        self.found: dict[str, int] = dict.fromkeys(_CHAINED_TABLES, 0)
        self.last_seq: dict[str, int] = {}
        self.block_heads: dict[int, str] = {}
        self.missing_streak: list[int] = []  # indexes in problems of the current run of removed rows
        self.last_row: str = "the start of the chain"
        self.digest_blocks_since: int | None = None  # the first block in the m005 format, once seen

    def add(self, problem: Problem) -> None:
        self.report.problem_count += 1
        if len(self.report.problems) < self.max_problems:
            self.report.problems.append(problem)

    def run(self, recorded: ChainHead | None, expected: list[ChainHead]) -> None:
        tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if CHAIN_TABLE not in tables or UNCHAINED_TABLE not in tables:
            self.add(Problem("chain_broken", f"the chain tables {CHAIN_TABLE}/{UNCHAINED_TABLE} are missing "
                                             "(dropped): nothing in this database can be verified"))
            return
        self._scan_blocks()
        self._mark_truncated_tail()
        for head, source in [(recorded, "the head file")] + [(h, "the expected head") for h in expected]:
            if head is not None:
                self._compare_head(head, source)
        self._find_unchained_and_inserted(tables)
        self._check_triggers(tables)
        self.report.runs_without_stop = [row[0] for row in self.conn.execute(
            "SELECT run_id FROM runs WHERE run_id NOT IN (SELECT run_id FROM run_stops) ORDER BY rowid")]

    # ------------------------------------------------------------ triggers

    def _check_triggers(self, tables: set[str]) -> None:
        triggers = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        for table in sorted(tables):
            if table == MIGRATIONS_TABLE or table.startswith("sqlite_"):
                continue
            for action in ("update", "delete"):
                name = f"{table}_append_only_{action}"
                if name not in triggers:
                    self.add(Problem("unprotected", f"the append-only trigger {name} was dropped: {table} "
                                                    f"accepts {action.upper()} statements", table=table))

    # --------------------------------------------------------------- chain

    def _scan_blocks(self) -> None:
        expected_block, expected_position, prev_head = 1, 1, GENESIS_HASH
        columns = {row[1] for row in self.conn.execute(f"PRAGMA table_info({CHAIN_TABLE})")}
        digests_column = "digests" if "digests" in columns else "NULL"  # a file not migrated to m005
        sql = (f"SELECT block, first_position, row_count, entries, prev_hash, head_hash, note, {digests_column} "
               f"FROM {CHAIN_TABLE} ORDER BY block")
        for block, first_position, row_count, entries, prev_hash, head_hash, note, digests in self.conn.execute(sql):
            if block != expected_block:
                self.add(Problem("chain_broken", f"blocks {expected_block} to {block - 1} are missing from the "
                                                 f"chain (after {self.last_row})", position=expected_position, block=block))
            elif prev_hash != prev_head:
                self.add(Problem("chain_broken", f"block {block} does not continue the chain: its previous head "
                                                 f"{prev_hash} is not block {block - 1}'s head {prev_head}", block=block))
            if first_position != expected_position and block == expected_block:
                self.add(Problem("chain_broken", f"block {block} starts at chain position {first_position}, "
                                                 f"expected {expected_position}", block=block))
            if note:
                self._note(block, note)
            if digests is not None:
                if self.digest_blocks_since is None:
                    self.digest_blocks_since = block
                self._scan_digest_block(block, first_position, row_count, entries, prev_hash, head_hash, digests)
            else:
                if self.digest_blocks_since is not None:
                    self.add(Problem("chain_broken", f"block {block} has per-row links, the format of blocks "
                                                     f"written before m005, but follows block "
                                                     f"{self.digest_blocks_since} in the m005 format (edited)",
                                     block=block))
                self._scan_entries(block, first_position, row_count, entries, prev_hash, head_hash)
            self.block_heads[block] = head_hash
            self.report.blocks += 1
            expected_block, expected_position, prev_head = block + 1, first_position + row_count, head_hash
        self.report.head = ChainHead(expected_block - 1, expected_position - 1, prev_head)

    def _note(self, block: int, note: str) -> None:
        kind = note.split(":", 1)[0]
        if kind in (NOTE_TRUNCATED, NOTE_REWRITTEN):
            self.add(Problem(kind, f"found when the audit writer started: {note.split(':', 1)[1].strip()}", block=block))
        else:
            self.report.warnings.append(f"block {block}: {note}")

    def _scan_entries(self, block: int, first: int, count: int, entries_text: str, prev_hash: str, head_hash: str) -> None:
        try:
            entries = json.loads(entries_text)
            link = bytes.fromhex(prev_hash)
        except (TypeError, ValueError):
            self.add(Problem("chain_broken", f"block {block} cannot be read (edited)", block=block))
            return
        if not isinstance(entries, list) or len(entries) != count:
            self.add(Problem("chain_broken", f"block {block} lists {len(entries) if isinstance(entries, list) else '?'} "
                                             f"rows but records {count}", block=block))
        seq_before = dict(self.last_seq)
        for offset, entry in enumerate(entries if isinstance(entries, list) else []):
            link = self._check_entry(block, first + offset, entry, link)
            if link is None:
                return
        if link.hex() != head_hash:
            gap = first_seq_gap(seq_before, entries)
            hint = f" (seq {gap[1]} of run {gap[0]} is not in it)" if gap else ""
            self.add(Problem("chain_broken", f"the rows of block {block} do not link to its recorded head{hint}: a "
                                             "row was removed from, added to or moved within this commit's chain "
                                             "entries, or the block was edited", run_id=gap[0] if gap else None,
                             seq=gap[1] if gap else None, block=block))

    def _scan_digest_block(self, block: int, first: int, count: int, entries_text: str, prev_hash: str,
                           head_hash: str, digests: Any) -> None:
        """An m005 block: each listed row against its digest, then the digests against the block's head."""
        try:
            entries = json.loads(entries_text)
            head = block_hash(prev_hash, digests) if isinstance(digests, bytes) else None
        except (TypeError, ValueError):
            head = None
        if head is None or not isinstance(entries, list):
            self.add(Problem("chain_broken", f"block {block} cannot be read (edited)", block=block))
            return
        if len(entries) != count or len(digests) != 32 * count:
            self.add(Problem("chain_broken", f"block {block} lists {len(entries)} rows and {len(digests) / 32:g} "
                                             f"digests but records {count} rows", block=block))
        seq_before = dict(self.last_seq)
        recorded = [digests[i:i + 32] for i in range(0, len(digests), 32)]
        moved = False
        for offset, entry in enumerate(entries):
            digest = recorded[offset] if offset < len(recorded) else b""
            found = self._check_located(block, first + offset, entry, digest, recorded)
            if found is None:
                return
            moved = moved or found == "moved"
        if head != head_hash:
            gap = first_seq_gap(seq_before, entries)
            hint = f" (seq {gap[1]} of run {gap[0]} is not in it)" if gap else ""
            self.add(Problem("chain_broken", f"the row digests of block {block} do not link to its recorded head"
                                             f"{hint}: a row was removed from, added to or moved within this "
                                             "commit's digests, or the block was edited",
                             run_id=gap[0] if gap else None, seq=gap[1] if gap else None, block=block))
        elif moved:
            self.add(Problem("chain_broken", f"the entries of block {block} are not in the order of its digests: "
                                             "entries were moved within the block", block=block))

    def _check_located(self, block: int, position: int, entry: Any, digest: bytes,
                       block_digests: list[bytes]) -> str | None:
        """Check one m005 entry's row against ``digest``: "ok", "moved" (it has another entry's digest), or None."""
        try:
            table, run_id, seq = entry
        except (TypeError, ValueError):
            self.add(Problem("chain_broken", f"block {block}: chain entry {entry!r:.80} is malformed", block=block, position=position))
            return None
        where = {"table": table, "run_id": run_id, "seq": seq, "position": position, "block": block}
        self._check_order(run_id, seq, where)
        self.last_row = f"table {table}, run {run_id}, seq {seq}"
        if table not in _CHAINED_TABLES:
            self.add(Problem("chain_broken", f"the chain names table {table!r}, which holds no events", **where))
            return "ok"
        row = self._find_row(table, run_id, seq, where)
        if row is None:
            return "ok"
        actual = hashlib.sha256(canonical_row(table, row)).digest()
        if actual == digest:
            return "ok"
        if actual in block_digests:  # the row is intact; its entry was moved (reported with the block)
            return "moved"
        self.add(Problem("altered", "the row differs from what was written (its content no longer has "
                                    "the hash recorded in the chain)", **where))
        return "ok"

    def _find_row(self, table: str, run_id: str, seq: Any, where: dict[str, Any]) -> tuple | None:
        """The chained row at ``(run_id, seq)``; a missing one is reported (and counted towards a truncated tail)."""
        row = self.conn.execute(f"SELECT * FROM [{table}] WHERE run_id = ? AND seq = ?", (run_id, seq)).fetchone()
        if row is None:
            self.missing_streak.append(self.report.problem_count)
            self.add(Problem("removed", "the row was deleted after it was written", **where))
            return None
        self.missing_streak.clear()
        self.found[table] += 1
        self.report.chained_rows += 1
        return row

    def _check_entry(self, block: int, position: int, entry: Any, link: bytes) -> bytes | None:
        try:
            table, run_id, seq, content_hash = entry
            content = bytes.fromhex(content_hash)
        except (TypeError, ValueError):
            self.add(Problem("chain_broken", f"block {block}: chain entry {entry!r:.80} is malformed", block=block, position=position))
            return None
        where = {"table": table, "run_id": run_id, "seq": seq, "position": position, "block": block}
        self._check_order(run_id, seq, where)
        if table not in _CHAINED_TABLES:
            self.add(Problem("chain_broken", f"the chain names table {table!r}, which holds no events", **where))
        else:
            self._check_row(table, run_id, seq, content_hash, where)
        self.last_row = f"table {table}, run {run_id}, seq {seq}"
        return hashlib.sha256(link + content).digest()

    def _check_order(self, run_id: str, seq: Any, where: dict[str, Any]) -> None:
        last = self.last_seq.get(run_id)
        if last is not None and isinstance(seq, int) and seq <= last:
            self.add(Problem("reordered", f"seq {seq} comes after seq {last} of the same run in the chain: "
                                          "rows were reordered", **where))
        if isinstance(seq, int):
            self.last_seq[run_id] = max(seq, last or seq)

    def _check_row(self, table: str, run_id: str, seq: int, content_hash: str, where: dict[str, Any]) -> None:
        row = self._find_row(table, run_id, seq, where)
        if row is None:
            return
        if hashlib.sha256(canonical_row(table, row)).hexdigest() != content_hash:
            self.add(Problem("altered", "the row differs from what was written (its content no longer has "
                                        "the hash recorded in the chain)", **where))

    def _mark_truncated_tail(self) -> None:
        """Removed rows reaching the end of the chain: the first of them is a truncated tail."""
        if not self.missing_streak:
            return
        index = self.missing_streak[0]
        if index < len(self.report.problems):
            first = self.report.problems[index]
            message = (f"this row and every row after it ({len(self.missing_streak)} rows, to the end of the "
                       "chain) were deleted: the tail was truncated")
            self.report.problems[index] = Problem("truncated", message, first.table, first.run_id, first.seq,
                                                  first.position, first.block)

    # ------------------------------------------------- rows outside the chain

    def _find_unchained_and_inserted(self, tables: set[str]) -> None:
        boundaries = {row[0]: (row[1], row[2]) for row in self.conn.execute(
            f"SELECT table_name, max_rowid, row_count FROM {UNCHAINED_TABLE}")}
        for table in sorted(_CHAINED_TABLES & tables):
            max_rowid, expected_old = boundaries.get(table, (0, 0))
            old, total = self.conn.execute(
                f"SELECT COUNT(*) FILTER (WHERE rowid <= ?), COUNT(*) FROM [{table}]", (max_rowid,)).fetchone()
            if old:
                self.report.unchained_rows[table] = old
            if old != expected_old:
                self.add(Problem("unchained_changed", f"{expected_old} rows written before the chain existed were "
                                                      f"recorded, {old} are there now: rows were removed or inserted "
                                                      "among them", table=table))
            if total - old > self.found[table]:
                self._report_inserted(table, max_rowid)

    def _report_inserted(self, table: str, max_rowid: int) -> None:
        sql = f"""
SELECT t.run_id, t.seq FROM [{table}] t LEFT JOIN runs r ON r.run_id = t.run_id
WHERE t.rowid > :boundary AND (t.run_id, t.seq) NOT IN (
    SELECT json_extract(e.value, '$[1]'), json_extract(e.value, '$[2]')
    FROM {CHAIN_TABLE} c, json_each(c.entries) e WHERE json_extract(e.value, '$[0]') = :table)
ORDER BY COALESCE(r.rowid, 9223372036854775807), t.seq"""
        try:
            rows = self.conn.execute(sql, {"boundary": max_rowid, "table": table}).fetchall()
        except sqlite3.Error as exc:  # a block's entries are not JSON any more (reported by the scan)
            self.add(Problem("inserted", f"more rows than the chain accounts for; they cannot be listed ({exc})",
                             table=table))
            return
        for run_id, seq in rows:
            self.add(Problem("inserted", "the row is in no chain block: it was inserted outside the audit "
                                         "writer (or the block that chained it was removed)",
                             table=table, run_id=run_id, seq=seq))

    # ------------------------------------------------------------ anchors

    def _compare_head(self, recorded: ChainHead, source: str) -> None:
        head = self.report.head
        if recorded.block > head.block:
            missing = recorded.position - head.position
            self.add(Problem("truncated", f"{source} records {recorded.label()}, but the chain ends at "
                                          f"{head.label()}: the last {missing} chained rows and their blocks were "
                                          f"removed (after {self.last_row})", position=head.position + 1,
                             block=head.block + 1))
        elif recorded.block and self.block_heads.get(recorded.block) != recorded.hash:
            self.add(Problem("rewritten", f"{source} records {recorded.label()}, but block {recorded.block} now has "
                                          f"head {self.block_heads.get(recorded.block)}: the chain was rewritten up "
                                          "to that block", block=recorded.block))
        elif source == "the head file" and head.block == recorded.block + 1:
            # The head file is rewritten after each commit, so a writer killed between the two leaves exactly
            # this; so does one block forged with valid hashes. Not proof either way, never silent.
            self.report.warnings.append(
                f"the chain has 1 block after the head file's record (block {recorded.block}): block {head.block} "
                f"({head.position - recorded.position} rows) was committed by a writer killed before it updated "
                "the head file, or appended by someone else; if no run crashed then, treat it as forged")
        elif source == "the head file" and head.block > recorded.block + 1:
            self.report.warnings.append(
                f"the chain has {head.block - recorded.block} blocks after the head file's record "
                f"(block {recorded.block}): written by a writer that could not update the head file, or appended "
                "by someone else")
