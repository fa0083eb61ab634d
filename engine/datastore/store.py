"""Reading and writing the store's Parquet files (layout in :mod:`engine.datastore.layout`).

Writes merge with what is held (a newer row of the same time replaces the older
one), keep times sorted, and replace the file atomically (a temporary file, then
``os.replace``), so an interrupted download never leaves half a file. Reads
stream record batches, so a backtest's memory does not grow with the number of
bars held.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..models.market import Bar, new_bar
from .layout import BAR_SCHEMA, DIVIDEND_SCHEMA, INSTRUMENT_SCHEMA, TICK_SCHEMA, StoreLayout

__all__ = [
    "StoreError", "bar_table", "held_range", "iter_bars", "read_bars", "read_dividends", "read_instruments",
    "write_bars", "write_dividends", "write_instruments", "write_ticks",
]

#: rows converted at a time per code: a backtest holds one batch per code of its universe
READ_BATCH_ROWS = 128


class StoreError(ValueError):
    """A store file that cannot be used; the message names the file (and the row when there is one)."""


def _atomic_write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def _merge(existing: Path, new: pa.Table, schema: pa.Schema, key: str) -> pa.Table:
    """``new`` merged into the file's rows by ``key`` (new rows win), sorted by ``key``."""
    new = new.cast(schema)
    if existing.exists():
        old = pq.read_table(existing, schema=schema)
        if new.num_rows:
            old = old.filter(pc.invert(pc.is_in(old[key], value_set=new[key])))
        new = pa.concat_tables([old, new])
    return new.sort_by(key)


def bar_table(rows: Iterable[dict]) -> pa.Table:
    """Bar rows (dicts with the :data:`BAR_SCHEMA` names; ``suspended`` and ``amount`` optional) as a table."""
    columns: dict[str, list] = {name: [] for name in BAR_SCHEMA.names}
    for row in rows:
        for name in BAR_SCHEMA.names:
            value = row.get(name)
            if value is None:
                value = False if name == "suspended" else 0.0 if name in ("amount", "pre_close") else None
            columns[name].append(value)
    return pa.table(columns, schema=BAR_SCHEMA)


def write_bars(root: Path | str, period: str, code: str, table: pa.Table) -> Path:
    """Merge ``table`` (:data:`BAR_SCHEMA`) into the store's bars of ``code``; returns the file."""
    path = StoreLayout(root).bars(period, code)
    _atomic_write(_merge(path, table, BAR_SCHEMA, "time"), path)
    return path


def write_ticks(root: Path | str, code: str, day: dt.date, table: pa.Table) -> Path:
    """Merge one day of ticks (:data:`TICK_SCHEMA`) into the store."""
    path = StoreLayout(root).ticks(code, day.strftime("%Y%m%d"))
    _atomic_write(_merge(path, table, TICK_SCHEMA, "time"), path)
    return path


def write_dividends(root: Path | str, code: str, table: pa.Table) -> Path:
    path = StoreLayout(root).dividends(code)
    _atomic_write(_merge(path, table, DIVIDEND_SCHEMA, "ex_date"), path)
    return path


def write_instruments(root: Path | str, table: pa.Table) -> Path:
    path = StoreLayout(root).instruments
    _atomic_write(_merge(path, table, INSTRUMENT_SCHEMA, "code"), path)
    return path


def held_range(root: Path | str, period: str, code: str) -> tuple[dt.datetime, dt.datetime, int] | None:
    """(first time, last time, rows) of a code's bars from the file's statistics; None when none are held."""
    path = StoreLayout(root).bars(period, code)
    if not path.exists():
        return None
    meta = pq.ParquetFile(path).metadata
    if meta.num_rows == 0:
        return None
    index = meta.schema.to_arrow_schema().get_field_index("time")
    first = last = None
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(index).statistics
        if stats is None or not stats.has_min_max:
            table = pq.read_table(path, columns=["time"])
            times = table["time"]
            return pc.min(times).as_py(), pc.max(times).as_py(), table.num_rows
        first = stats.min if first is None else min(first, stats.min)
        last = stats.max if last is None else max(last, stats.max)
    return first, last, meta.num_rows


def _time_filter(start: dt.datetime | None, end: dt.datetime | None):
    filters = []
    if start is not None:
        filters.append(("time", ">=", pa.scalar(start, pa.timestamp("ms"))))
    if end is not None:
        filters.append(("time", "<=", pa.scalar(end, pa.timestamp("ms"))))
    return filters or None


def read_bars(root: Path | str, period: str, codes: Sequence[str] | None = None, columns: Sequence[str] | None = None,
              start: dt.datetime | None = None, end: dt.datetime | None = None) -> pa.Table:
    """The bars of ``codes`` (default: every code held) as one table with a ``code`` column.

    :raises StoreError: a requested code has no bars of ``period`` in the store.
    """
    layout = StoreLayout(root)
    codes = list(codes) if codes is not None else layout.bar_codes(period)
    tables = []
    for code in codes:
        path = layout.bars(period, code)
        if not path.exists():
            raise StoreError(f"{path}: no {period} bars of {code} in the store {layout.root}")
        table = pq.read_table(path, columns=[c for c in columns if c != "code"] if columns else None,
                              filters=_time_filter(start, end))
        tables.append(table.append_column("code", pa.array([code] * table.num_rows, pa.string())))
    if not tables:
        names = [c for c in (columns or BAR_SCHEMA.names) if c != "code"]
        return pa.table({**{n: pa.array([], BAR_SCHEMA.field(n).type) for n in names}, "code": pa.array([], pa.string())})
    return pa.concat_tables(tables)


_EPOCH = dt.datetime(1970, 1, 1)
_TIMES: dict[int, dt.datetime] = {}  # ms -> naive datetime: codes share their bar times; bounded below


def _time_of(ms: int) -> dt.datetime:
    when = _TIMES.get(ms)
    if when is None:
        if len(_TIMES) >= 200_000:
            _TIMES.clear()
        when = _TIMES[ms] = _EPOCH + dt.timedelta(milliseconds=ms)
    return when


def _ms(when: dt.datetime) -> int:
    delta = when - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def iter_bars(root: Path | str, period: str, code: str, *, start: dt.datetime | None = None,
              end: dt.datetime | None = None, skip_suspended: bool = True,
              price_factor: object = None) -> Iterator[Bar]:
    """Stream one code's bars as :class:`~engine.models.Bar` (record batch by record batch).

    :param skip_suspended: leave out rows flagged ``suspended`` (no trading that day).
    :param price_factor: a callable ``time -> float`` multiplying the prices (adjusted prices), or None.
    """
    path = StoreLayout(root).bars(period, code)
    if not path.exists():
        raise StoreError(f"{path}: no {period} bars of {code} in the store")
    lo = _ms(start) if start else None
    hi = _ms(end) if end else None
    handle = pq.ParquetFile(path)
    for batch in handle.iter_batches(batch_size=READ_BATCH_ROWS, columns=list(BAR_SCHEMA.names)):
        col = batch.column
        times = col(0).cast(pa.int64()).to_numpy().tolist()
        opens, highs, lows, closes = (col(i).to_numpy().tolist() for i in (1, 2, 3, 4))
        volumes, amounts = col(5).to_numpy().tolist(), col(6).fill_null(0.0).to_numpy().tolist()
        pres, suspended = col(7).fill_null(0.0).to_numpy().tolist(), col(8).fill_null(False).to_pylist()
        times_cache, make = _TIMES, new_bar
        for ms, op, hi_, lo_, cl, vol, amount, pre, halted in zip(times, opens, highs, lows, closes, volumes,
                                                                  amounts, pres, suspended):
            if (lo is not None and ms < lo) or (hi is not None and ms > hi) or (halted and skip_suspended):
                continue
            when = times_cache.get(ms) or _time_of(ms)
            if price_factor is None:
                yield make(code, when, op, hi_, lo_, cl, vol, amount, pre, period)
                continue
            f = price_factor(when)  # adjusted prices, to 0.001 CNY (rounding keeps low <= open, close <= high)
            yield make(code, when, round(op * f, 3), round(hi_ * f, 3), round(lo_ * f, 3), round(cl * f, 3), vol,
                       amount, round(pre * f, 3), period)


def read_dividends(root: Path | str, code: str) -> list[dict]:
    """A code's ex-dividend rows (ex_date, cash, bonus_shares, transfer_shares, ...), oldest first; [] when none."""
    path = StoreLayout(root).dividends(code)
    if not path.exists():
        return []
    return pq.read_table(path, schema=DIVIDEND_SCHEMA).sort_by("ex_date").to_pylist()


def read_instruments(root: Path | str) -> list[dict]:
    """The instrument rows held (the shape of ``load_instruments``: code, name, kind, listing_date, is_st, t0)."""
    path = StoreLayout(root).instruments
    if not path.exists():
        return []
    return [{k: v for k, v in row.items() if k != "board"} for row in pq.read_table(path).to_pylist()]
