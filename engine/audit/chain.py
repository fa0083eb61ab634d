"""The audit hash chain: canonical row content, SHA-256 links and the commit blocks that store them.

Definitions (docs/audit.md explains the reasoning):

* **Canonical content** of a row: the compact JSON text (UTF-8, no spaces,
  non-ASCII kept) of ``[table, [value, ...]]`` where the values are the row's
  columns in the table's declared order, exactly as SQLite stores them (TEXT
  as written, integers as integers, REAL as the shortest round-trip float),
  with trailing NULLs dropped (so a later ``ADD COLUMN`` does not change the
  content of older rows).
* ``content_hash = sha256(canonical content)`` (32 bytes; it covers the
  table, ``run_id`` and ``seq`` too, since they are in the content).
* **Block**: one ``audit_chain`` row per commit of the writer, its rows in
  write order (the writer's queue order, which is ``seq`` order within a
  run): ``entries``, the JSON list of their ``[table, run_id, seq]`` (where to
  find each row), ``digests``, the concatenation of their 32-byte content
  hashes in the same order (a BLOB), the head before the block
  (``prev_hash``) and after it (``head_hash``).
* **Chain** (m005 on): ``head_0`` is 32 zero bytes;
  ``head_b = sha256(head_(b-1) || digests_b)`` for every block in order: one
  SHA-256 per commit (:func:`block_hash`).
* **Blocks written before m005** (``digests`` is NULL) chain per row:
  ``entries`` are ``[table, run_id, seq, content_hash hex]`` and the head is
  the last link of ``link_i = sha256(link_(i-1) || content_hash_i)``
  (:func:`next_link`), starting from ``prev_hash``. A file upgraded from m004
  holds such blocks followed by m005 blocks; both chain onto each other's
  heads, and ``verify`` checks both.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Sequence

#: The table holding one block per writer commit.
CHAIN_TABLE = "audit_chain"
#: The table recording, per table, the rows that existed before the chain migration.
UNCHAINED_TABLE = "audit_unchained"
#: The link before the first chained row (32 zero bytes, hex).
GENESIS_HASH = "0" * 64

#: SHA-256 (``hashlib.sha256``), the only hash of the chain.
sha256 = hashlib.sha256
_sha256 = sha256


def _blob(value: object) -> object:
    """JSON stand-in for a BLOB (the writer never stores one; an attacker might)."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$blob": bytes(value).hex()}
    raise TypeError(f"audit chain: cannot hash a {type(value).__name__} value")


try:  # the C encoder, built once: ~3x faster than json.dumps for one small list
    from json.encoder import c_make_encoder as _c_make_encoder
    from json.encoder import encode_basestring as _encode_str
except ImportError:  # pragma: no cover - CPython always has _json
    _c_make_encoder = None

if _c_make_encoder is not None:
    _C_ENCODER = _c_make_encoder(None, _blob, _encode_str, None, ":", ",", False, False, True)

    def _encode(obj: object) -> str:
        return "".join(_C_ENCODER(obj, 0))
else:  # pragma: no cover
    _PY_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_blob)
    _encode = _PY_ENCODER.encode


def canonical_text(table: str, values: Sequence[Any]) -> str:
    """The JSON text of ``[table, values]`` as given (no trailing NULLs dropped; :func:`canonical_row` does that)."""
    return _encode([table, values])


def canonical_row(table: str, values: Sequence[Any]) -> bytes:
    """The canonical content of one row (see the module docstring)."""
    if values and values[-1] is None:
        end = len(values) - 1
        while end and values[end - 1] is None:
            end -= 1
        values = values[:end]
    return _encode([table, values]).encode("utf-8", "surrogatepass")


def content_digest(table: str, values: Sequence[Any]) -> bytes:
    """``sha256(canonical_row(table, values))`` as 32 bytes."""
    return _sha256(canonical_row(table, values)).digest()


def next_link(link: bytes, content: bytes) -> bytes:
    """``sha256(link || content)``: the chain link after one more row (blocks written before m005)."""
    return _sha256(link + content).digest()


def block_hash(prev_hash: str, digests: bytes) -> str:
    """``sha256(prev head || the block's digests)`` as hex: the head after an m005 block."""
    return _sha256(bytes.fromhex(prev_hash) + digests).hexdigest()


@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends: the last block, the number of chained rows, the last link (hex)."""

    block: int
    position: int
    hash: str

    def label(self) -> str:
        return f"block {self.block}, {self.position} rows, head {self.hash}"


GENESIS = ChainHead(0, 0, GENESIS_HASH)

_HEAD_SQL = f"SELECT block, first_position + row_count, head_hash FROM {CHAIN_TABLE} ORDER BY block DESC LIMIT 1"


def read_head(conn: Any) -> ChainHead:
    """The chain head recorded in the database (``GENESIS`` for an empty chain)."""
    row = conn.execute(_HEAD_SQL).fetchone()
    if row is None:
        return GENESIS
    return ChainHead(int(row[0]), int(row[1]) - 1, str(row[2]))


class BlockBuilder:
    """Collects the rows of one commit (their locations and content digests) for a block after ``head``.

    The ``entries`` JSON is built as text, one ``[table,run_id,seq]`` item per row, without a
    list per row: a block can hold thousands of rows, and per-row containers cost the
    garbage collector more than the text does.
    """

    __slots__ = ("head", "rows", "_items", "_digests", "_prefixes")

    def __init__(self, head: ChainHead) -> None:
        self.head = head
        #: rows added so far
        self.rows = 0
        self._items: list[str] = []
        self._digests: list[bytes] = []
        self._prefixes: dict[str, dict[str, str]] = {}

    def add(self, table: str, run_id: str, seq: int, digest: bytes) -> None:
        """Add one row (its content digest) after the rows added so far."""
        self.extend((table,), (run_id,), (seq,), (digest,))

    def extend(self, tables: Sequence[str], run_ids: Sequence[str], seqs: Sequence[int],
               digests: Sequence[bytes]) -> None:
        """:meth:`add` for many rows at once (four parallel sequences, in chain order)."""
        prefixes, append = self._prefixes, self._items.append
        for table, run_id, seq in zip(tables, run_ids, seqs):
            by_run = prefixes.get(table)
            if by_run is None:
                by_run = prefixes[table] = {}
            prefix = by_run.get(run_id)
            if prefix is None:
                prefix = by_run[run_id] = f"[{_encode(table)},{_encode(run_id)},"
            append(prefix + str(seq) + "]" if type(seq) is int else _encode([table, run_id, seq]))
        self._digests.extend(digests)
        self.rows = len(self._items)

    @property
    def entries(self) -> str:
        """The ``entries`` column: the JSON list of ``[table, run_id, seq]``, in chain order."""
        return "[" + ",".join(self._items) + "]"

    def next_head(self) -> ChainHead:
        """The head once this block is written."""
        return ChainHead(self.head.block + 1, self.head.position + self.rows,
                         block_hash(self.head.hash, b"".join(self._digests)))

    def insert_values(self, committed_at: str, note: str | None = None) -> tuple[Any, ...]:
        """The ``audit_chain`` row for this block (column order of :data:`INSERT_BLOCK_SQL`)."""
        digests = b"".join(self._digests)
        return (
            self.head.block + 1, self.head.position + 1, self.rows, self.entries,
            self.head.hash, block_hash(self.head.hash, digests), committed_at, note, digests,
        )


INSERT_BLOCK_SQL = (
    f"INSERT INTO {CHAIN_TABLE} (block, first_position, row_count, entries, prev_hash, head_hash, "
    "committed_at, note, digests) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
