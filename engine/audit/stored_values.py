"""What SQLite stores: table layouts, column affinity, and values converted the way SQLite would.

The hash chain hashes a row as the file holds it, so that ``audit verify`` can
recompute it from the file alone. SQLite converts some values on the way in
(column *affinity*: ``5`` into a TEXT column becomes ``'5'``, ``2.0`` into an
INTEGER column becomes ``2``, NaN becomes NULL). The writer therefore converts
every row to its stored form first, hashes that, and inserts that: the stored
values are then exactly the hashed ones.

Values whose type already matches the column (str into TEXT, int into
INTEGER, a finite float into REAL, NULL anywhere) are stored unchanged; that
is the common case and costs one type-signature lookup per row. Anything else
is converted by SQLite itself (a one-row in-memory probe table with the same
affinity), so the result is exact by construction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any, Sequence

_PLAIN_TYPE: dict[str, type] = {"TEXT": str, "INTEGER": int, "REAL": float}
_NONE = type(None)


def column_affinity(declared_type: str) -> str:
    """SQLite's affinity for a declared column type (rules of section 3.1 of the datatype docs)."""
    kind = (declared_type or "").upper()
    if "INT" in kind:
        return "INTEGER"
    if "CHAR" in kind or "CLOB" in kind or "TEXT" in kind:
        return "TEXT"
    if "BLOB" in kind or not kind:
        return "BLOB"
    if "REAL" in kind or "FLOA" in kind or "DOUB" in kind:
        return "REAL"
    return "NUMERIC"


@dataclass(frozen=True)
class TableLayout:
    """A table's columns in declared order (the order of ``SELECT *``) and their affinities."""

    table: str
    columns: tuple[str, ...]
    affinities: tuple[str, ...]

    @classmethod
    def read(cls, conn: sqlite3.Connection, table: str) -> TableLayout:
        """Read the layout from the database (``PRAGMA table_info``)."""
        info = conn.execute(f"PRAGMA table_info([{table}])").fetchall()
        if not info:
            raise LookupError(f"audit: table {table!r} does not exist in the database")
        return cls(table, tuple(row[1] for row in info), tuple(column_affinity(row[2]) for row in info))


class InsertLayout:
    """Maps one event type's insert columns onto its table's declared columns."""

    __slots__ = ("table", "affinities", "plans", "identity", "_positions", "_width")

    def __init__(self, layout: TableLayout, insert_columns: Sequence[str]) -> None:
        missing = [c for c in insert_columns if c not in layout.columns]
        if missing:
            raise LookupError(f"audit: table {layout.table} has no column(s) {', '.join(missing)}")
        self.table = layout.table
        self._positions = tuple(layout.columns.index(c) for c in insert_columns)
        self._width = len(layout.columns)
        #: the insert order is the declared order (``declared`` returns the values as they are)
        self.identity = self._positions == tuple(range(self._width))
        self.affinities = tuple(layout.affinities[p] for p in self._positions)
        #: value types seen -> indexes that need converting (filled by :class:`StoredValues`)
        self.plans: dict[tuple[type, ...], tuple[int, ...]] = {}

    def declared(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values`` (insert order) placed in declared order, NULL for columns the event does not fill."""
        if self.identity:
            return values
        row: list[Any] = [None] * self._width
        for position, value in zip(self._positions, values):
            row[position] = value
        return tuple(row)


class StoredValues:
    """Converts row values to their stored form. Owns a SQLite connection: use it on one thread."""

    def __init__(self) -> None:
        self._probe = sqlite3.connect(":memory:")
        self._probe.execute(
            "CREATE TABLE probe (c_text TEXT, c_integer INTEGER, c_real REAL, c_numeric NUMERIC, c_blob BLOB)"
        )

    def close(self) -> None:
        """Close the probe connection."""
        self._probe.close()

    def convert(self, layout: InsertLayout, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """``values`` (in ``layout``'s insert order) as SQLite stores them.

        :raises OverflowError, ValueError, sqlite3.Error: a value SQLite cannot store.
        """
        types = tuple(map(type, values))
        plan = layout.plans.get(types)
        if plan is None:
            plan = layout.plans[types] = stored_form_plan(types, layout.affinities)
        return self.convert_at(layout, values, plan)

    def convert_at(self, layout: InsertLayout, values: tuple[Any, ...], plan: tuple[int, ...]) -> tuple[Any, ...]:
        """``values`` with the values at ``plan``'s indexes (from :func:`stored_form_plan`) converted.

        :raises OverflowError, ValueError, sqlite3.Error: a value SQLite cannot store.
        """
        if not plan:
            return values
        row = list(values)
        for index in plan:
            row[index] = self._stored(row[index], layout.affinities[index])
        return tuple(row)

    def _stored(self, value: Any, affinity: str) -> Any:
        if type(value) is float and affinity == "REAL":
            if value != value:
                return None  # NaN is stored as NULL
            return 0.0 if value == 0 else value  # -0.0 is stored as the integer 0 and read back as 0.0
        column = f"c_{affinity.lower()}"
        cursor = self._probe.execute(f"INSERT INTO probe ({column}) VALUES (?)", (value,))
        stored = self._probe.execute(f"SELECT {column} FROM probe WHERE rowid = ?", (cursor.lastrowid,)).fetchone()[0]
        self._probe.execute("DELETE FROM probe")
        return stored


def stored_form_plan(types: tuple[type, ...], affinities: tuple[str, ...]) -> tuple[int, ...]:
    """Indexes of the values that may change on storage (everything but exact type matches)."""
    plan = []
    for index, (kind, affinity) in enumerate(zip(types, affinities)):
        if kind is _NONE:
            continue
        if kind is _PLAIN_TYPE.get(affinity) and kind is not float:
            continue
        plan.append(index)  # floats are checked for NaN; other mismatches go through the probe
    return tuple(plan)
