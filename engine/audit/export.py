"""Export an audit table, view or read-only query to CSV, JSON lines or Parquet.

* ``source`` is a table or view name (``fills``, ``fill_facts``, ``audit_chain``...)
  or one SQL ``SELECT``/``WITH`` statement. Queries run with
  ``PRAGMA query_only`` on, so an export can never change the file.
* ``run_id`` keeps one run's rows: tables and views get ``WHERE run_id = ?``
  (an error if they have no ``run_id`` column); a query can use ``:run``.
* Tables come out in write order (``rowid``); values exactly as stored
  (decimal strings stay strings). CSV writes NULL as an empty field.
* Parquet needs pyarrow, which is not a qmt-engine dependency.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator

from sqlite_utils import Database

FORMATS = ("csv", "jsonl", "parquet")
_CHUNK = 5000


class ExportError(ValueError):
    """The export cannot be done as asked; the message says what to change."""


def export(db: Database, source: str, fmt: str, out: str | Path, run_id: str | None = None) -> int:
    """Write ``source`` to ``out`` in ``fmt``; return the number of rows written.

    :raises ExportError: unknown format or source, a filter the source cannot take,
        a query that is not read-only, or pyarrow missing for Parquet.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    writer = _PARQUET if fmt == "parquet" else _CSV if fmt == "csv" else _JSONL
    if fmt == "parquet":
        _require_pyarrow()
    sql, params = _select(db, source.strip(), run_id)
    path = Path(out)
    if not path.parent.is_dir():
        raise ExportError(f"cannot write {path}: folder {path.parent} does not exist")
    db.execute("PRAGMA query_only = ON")
    try:
        cursor = _run(db, sql, params, source)
        columns = [d[0] for d in cursor.description or ()]
        return writer(path, columns, _chunks(cursor))
    finally:
        db.execute("PRAGMA query_only = OFF")


def _select(db: Database, source: str, run_id: str | None) -> tuple[str, dict[str, Any]]:
    first_word = source.split(None, 1)[0].lower() if source else ""
    if first_word in ("select", "with"):
        return source, {"run": run_id}
    if source in db.table_names():
        order = " ORDER BY rowid"
    elif source in db.view_names():
        order = ""
    else:
        names = ", ".join(sorted(db.table_names() + db.view_names()))
        raise ExportError(f"{source!r} is neither a table, a view nor a SELECT query; tables and views: {names}")
    if run_id is None:
        return f"SELECT * FROM [{source}]{order}", {}
    columns = [row[1] for row in db.execute(f"PRAGMA table_info([{source}])").fetchall()]
    if "run_id" not in columns:
        raise ExportError(f"{source} has no run_id column; export it without --run")
    return f"SELECT * FROM [{source}] WHERE run_id = :run{order}", {"run": run_id}


def _run(db: Database, sql: str, params: dict[str, Any], source: str) -> sqlite3.Cursor:
    try:
        return db.execute(sql, params)
    except sqlite3.Error as exc:
        raise ExportError(f"cannot export {source!r}: {exc}") from exc


def _chunks(cursor: sqlite3.Cursor) -> Iterator[list[tuple[Any, ...]]]:
    while True:
        rows = cursor.fetchmany(_CHUNK)
        if not rows:
            return
        yield rows


def _write_csv(path: Path, columns: list[str], chunks: Iterator[list[tuple[Any, ...]]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(columns)
        for rows in chunks:
            out.writerows(rows)
            count += len(rows)
    return count


def _write_jsonl(path: Path, columns: list[str], chunks: Iterator[list[tuple[Any, ...]]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for rows in chunks:
            handle.writelines(json.dumps(dict(zip(columns, row)), ensure_ascii=False, default=_blob) + "\n"
                              for row in rows)
            count += len(rows)
    return count


def _write_parquet(path: Path, columns: list[str], chunks: Iterator[list[tuple[Any, ...]]]) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [row for chunk in chunks for row in chunk]  # one table: the schema comes from every row
    try:
        table = pa.table({name: [row[i] for row in rows] for i, name in enumerate(columns)})
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ExportError(f"cannot write Parquet: a column mixes value types ({exc}); export CSV or JSONL, "
                          "or CAST the column in a query") from exc
    pq.write_table(table, path)
    return len(rows)


def _require_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise ExportError("Parquet export needs pyarrow, which is not installed: pip install pyarrow") from None


def _blob(value: object) -> str:
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot export a {type(value).__name__} value")


_CSV, _JSONL, _PARQUET = _write_csv, _write_jsonl, _write_parquet
