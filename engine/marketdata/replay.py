"""Streaming readers: tick files as xtdata-shaped batches, plus the instrument and bar readers.

Nothing here materialises a file: rows are parsed one at a time and only the
batch of the current timestamp is held, so a multi-gigabyte recording replays
in flat memory. Every problem is a :class:`DataFileError` naming the file, the
line, the column and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Collection, Iterator
from pathlib import Path

from .bars import iter_bars_csv
from .formats import (
    ASK_PRICE_COLUMNS, ASK_VOL_COLUMNS, BID_PRICE_COLUMNS, BID_VOL_COLUMNS, TICK_COLUMNS,
    TICK_INT_FIELDS, TICK_PRICE_FIELDS, DataFileError, PathLike, header_indexes, list_tick_files,
    local_to_epoch_ms, open_text_read, parse_local_time,
)
from .instruments import load_instruments

__all__ = ["iter_bars_csv", "iter_tick_batches", "iter_tick_records", "load_instruments"]

TickBatch = tuple[dt.datetime, dict[str, dict]]

_CODE_RE = re.compile(r"^[0-9A-Za-z]{1,12}\.[A-Z]{2,4}$")
_INF = float("inf")
_FLOAT_FIELDS = (*TICK_PRICE_FIELDS, "amount")
_BOOK = (("askPrice", ASK_PRICE_COLUMNS, "askVol", ASK_VOL_COLUMNS),
         ("bidPrice", BID_PRICE_COLUMNS, "bidVol", BID_VOL_COLUMNS))
_READ_ERRORS = (OSError, EOFError, csv.Error, UnicodeDecodeError)


def iter_tick_batches(path: PathLike, *, codes: Collection[str] | str | None = None,
                      start: dt.datetime | dt.date | str | None = None,
                      end: dt.datetime | dt.date | str | None = None) -> Iterator[TickBatch]:
    """Yield ``(local_time, {code: xtdata_tick_dict})`` once per distinct timestamp, in time order.

    :param path: one tick file (``.csv`` or ``.csv.gz``) or a directory whose
        ``ticks*.csv[.gz]`` files are read in name order as one stream.
    :param codes: only these codes (a single code string is accepted too).
    :param start: first time to include (inclusive); a date means its midnight.
    :param end: last time to include (inclusive); a date means the whole day.
    :raises DataFileError: for a malformed, unsorted or unreadable file.

    Each dict has xtdata's keys: ``time`` (ms epoch), ``lastPrice``, ``open``,
    ``high``, ``low``, ``lastClose``, ``amount``, ``volume`` (lots),
    ``pvolume`` (shares), ``transactionNum``, ``stockStatus`` and the lists
    ``askPrice``, ``askVol``, ``bidPrice``, ``bidVol`` of five levels.
    """
    batch_time: dt.datetime | None = None
    batch: dict[str, dict] = {}
    for when, code, record in iter_tick_records(path, codes=codes, start=start, end=end):
        if when != batch_time:
            if batch:
                yield batch_time, batch
            batch_time, batch = when, {}
        batch[code] = record
    if batch:
        yield batch_time, batch


def iter_tick_records(path: PathLike, *, codes: Collection[str] | str | None = None,
                      start: dt.datetime | dt.date | str | None = None,
                      end: dt.datetime | dt.date | str | None = None,
                      ) -> Iterator[tuple[dt.datetime, str, dict]]:
    """Yield ``(local_time, code, xtdata_tick_dict)`` row by row; same filters as :func:`iter_tick_batches`.

    Rows that the filters exclude are still checked for order, so an unsorted
    file is reported whatever the filters; reading stops at the first row after ``end``.
    """
    wanted = _code_filter(codes)
    first = _bound(start, "start", at_end=False)
    last = _bound(end, "end", at_end=True)
    order = _OrderCheck()
    for file_path in list_tick_files(path):
        rows = _iter_rows(file_path, order)
        try:
            for line, when, code, row, parser in rows:
                if last is not None and when > last:
                    return
                if (first is not None and when < first) or (wanted is not None and code not in wanted):
                    continue
                yield when, code, parser.record(row, line, when)
        finally:
            rows.close()  # closes the file at once when the caller stops early


class _OrderCheck:
    """Rows must be sorted by (time, code), each pair once, across all files of a stream."""

    def __init__(self) -> None:
        self.when: dt.datetime | None = None
        self.code = ""

    def check(self, path: Path, line: int, when: dt.datetime, time_text: str, code: str) -> None:
        if self.when is not None:
            if when < self.when:
                raise DataFileError(path, line, "time",
                                    f"rows sorted by time: a time at or after {self.when} (the previous row)",
                                    time_text)
            if when == self.when and code <= self.code:
                raise DataFileError(path, line, "code",
                                    f"rows of one time sorted by code, each code once: a code after "
                                    f"{self.code!r}", code)
        self.when, self.code = when, code


def _iter_rows(path: Path, order: _OrderCheck):
    """Yield ``(line, time, code, row, parser)`` for each data row of one file, checking order."""
    line = 1
    try:
        with open_text_read(path) as handle:
            reader = csv.reader(handle)
            parser = _TickRowParser(path, next(reader, None))
            i_time, i_code, width = parser.i_time, parser.i_code, parser.width
            known_codes: set[str] = set()
            last_text, last_when = "", None
            for row in reader:
                line = reader.line_num
                if len(row) != width:
                    if not row:
                        continue
                    raise DataFileError(path, line, None, f"{width} fields as in the header",
                                        f"{len(row)} fields")
                text = row[i_time]
                if text != last_text:
                    last_when, last_text = _parse_time(path, line, text), text
                code = row[i_code]
                if code not in known_codes:
                    _check_code(path, line, code)
                    known_codes.add(code)
                order.check(path, line, last_when, text, code)
                yield line, last_when, code, row, parser
    except _READ_ERRORS as exc:
        raise DataFileError(path, line, None, "a readable UTF-8 CSV file (gzip-compressed when named .gz)",
                            f"{type(exc).__name__}: {exc}") from exc


def _parse_time(path: Path, line: int, text: str) -> dt.datetime:
    try:
        return parse_local_time(text)
    except ValueError:
        raise DataFileError(path, line, "time",
                            "a local time YYYY-MM-DD HH:MM:SS or YYYY-MM-DD HH:MM:SS.fff", text) from None


def _check_code(path: Path, line: int, code: str) -> None:
    if not _CODE_RE.match(code):
        raise DataFileError(path, line, "code", "an xtquant code such as 600000.SH", code)


class _TickRowParser:
    """Turns one validated-width row into an xtdata tick dict, or a precise DataFileError."""

    def __init__(self, path: Path, header: list[str] | None) -> None:
        index = header_indexes(path, header, TICK_COLUMNS)
        self.path = path
        self.width = len(header or ())
        self.i_time, self.i_code = index["time"], index["code"]
        self.floats = [(name, index[name]) for name in _FLOAT_FIELDS]
        self.ints = [(name, index[name]) for name in TICK_INT_FIELDS]
        self.book = [(price_key, [index[c] for c in price_cols], vol_key, [index[c] for c in vol_cols])
                     for price_key, price_cols, vol_key, vol_cols in _BOOK]

    def record(self, row: list[str], line: int, when: dt.datetime) -> dict:
        """The xtdata dict of one row (``time`` in ms epoch)."""
        record: dict = {"time": local_to_epoch_ms(when)}
        try:
            for name, i in self.floats:
                value = float(row[i])
                if not 0.0 <= value < _INF:
                    raise ValueError(name)
                record[name] = value
            for name, i in self.ints:
                value = int(row[i])
                if value < 0:
                    raise ValueError(name)
                record[name] = value
            for price_key, price_ix, vol_key, vol_ix in self.book:
                prices = [float(row[i]) for i in price_ix]
                volumes = [int(row[i]) for i in vol_ix]
                for price, volume in zip(prices, volumes):
                    if not (0.0 < price < _INF and volume >= 0) and not (price == 0.0 and volume == 0):
                        raise ValueError(price_key)
                record[price_key] = prices
                record[vol_key] = volumes
        except ValueError:
            raise self._diagnose(row, line) from None
        return record

    def _diagnose(self, row: list[str], line: int) -> DataFileError:
        """Find the first bad column of a row that failed to parse."""
        for name, i in self.floats:
            if _as_float(row[i]) is None:
                return DataFileError(self.path, line, name, "a non-negative number", row[i])
        for name, i in self.ints:
            if _as_int(row[i]) is None:
                return DataFileError(self.path, line, name, "a non-negative integer", row[i])
        for price_key, price_ix, vol_key, vol_ix in self.book:
            for level, (pi, vi) in enumerate(zip(price_ix, vol_ix), start=1):
                price, volume = _as_float(row[pi]), _as_int(row[vi])
                if price is None:
                    return DataFileError(self.path, line, f"{price_key}{level}",
                                         "a non-negative price (0 for an empty level)", row[pi])
                if volume is None:
                    return DataFileError(self.path, line, f"{vol_key}{level}",
                                         "a non-negative integer volume in lots", row[vi])
                if price == 0.0 and volume != 0:
                    return DataFileError(self.path, line, f"{vol_key}{level}",
                                         f"0 for an empty level ({price_key}{level} is 0)", row[vi])
        return DataFileError(self.path, line, None, "a well-formed tick row", ",".join(row))


def _as_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 0.0 <= value < _INF else None


def _as_int(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value >= 0 else None


def _code_filter(codes: Collection[str] | str | None) -> frozenset[str] | None:
    if codes is None:
        return None
    if isinstance(codes, str):
        return frozenset((codes,))
    return frozenset(codes)


def _bound(value: dt.datetime | dt.date | str | None, name: str, *, at_end: bool) -> dt.datetime | None:
    """Normalise a start/end filter to a naive local datetime (a date covers its whole day)."""
    if value is None or isinstance(value, dt.datetime):
        if value is not None and value.tzinfo is not None:
            raise ValueError(f"{name} must be a naive Asia/Shanghai time, got {value!r}")
        return value
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{name} must be YYYY-MM-DD or YYYY-MM-DD HH:MM:SS, got {value!r}") from None
        if len(value) == 10:
            value = parsed.date()
        else:
            return _bound(parsed, name, at_end=at_end)
    if isinstance(value, dt.date):
        midnight = dt.datetime.combine(value, dt.time())
        return midnight + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if at_end else midnight
    raise TypeError(f"{name} must be a datetime, a date or a string, got {type(value).__name__}")
