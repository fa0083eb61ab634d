"""The 1-minute bar reader: the benchmark's CSV format, streamed as :class:`engine.models.Bar`.

This is the backtest's hot path (a million bars per run), so the loop is plain
``csv`` + ``float``/``int`` with one combined validity test per row; the
per-column diagnosis only runs once a row has already failed.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator

from ..models.market import Bar, new_bar
from .formats import BAR_COLUMNS, DataFileError, PathLike, header_indexes, open_text_read

_INF = float("inf")
_READ_ERRORS = (OSError, EOFError, csv.Error, UnicodeDecodeError)


def iter_bars_csv(path: PathLike, code: str, *, period: str = "1m") -> Iterator[Bar]:
    """Yield the bars of one bar file, in file order, without reading ahead.

    :param path: a CSV (or ``.csv.gz``) with columns ``datetime,open,high,low,close,volume``;
        ``datetime`` is the bar's END time (exchange-local ``YYYY-MM-DD HH:MM:SS``),
        prices in CNY, ``volume`` in shares. Daily bars (``period='1d'``) may be labelled
        with the date only (``YYYY-MM-DD``) or midnight: they are read as 15:00 of that date.
    :param code: the instrument the file holds (the format has no code column).
    :param period: stored on each bar (``"1m"`` for the benchmark files).
    :raises DataFileError: for a bad header, a malformed row (file, line, column, expectation),
        prices that do not satisfy ``0 < low <= open, close <= high``, or times not strictly increasing.
    """
    line = 1
    try:
        with open_text_read(path) as handle:
            reader = csv.reader(handle)
            index = header_indexes(path, next(reader, None), BAR_COLUMNS)
            width = len(index)
            i_t, i_o, i_h, i_l, i_c, i_v = (index[name] for name in BAR_COLUMNS)
            parse_time = dt.datetime.fromisoformat
            previous = dt.datetime.min
            daily = period == "1d"
            for row in reader:
                line = reader.line_num
                try:
                    when = parse_time(row[i_t])
                    if daily and not (when.hour or when.minute or when.second):
                        when = when.replace(hour=15)  # a date-only daily bar ends at the close
                    op, hi, lo, cl = float(row[i_o]), float(row[i_h]), float(row[i_l]), float(row[i_c])
                    volume = int(row[i_v])
                except (ValueError, IndexError):
                    raise _diagnose(path, line, row, index, previous) from None
                if (len(row) != width or not (0.0 < lo <= op <= hi < _INF and lo <= cl <= hi)
                        or volume < 0 or when.tzinfo is not None or when <= previous):
                    raise _diagnose(path, line, row, index, previous)
                previous = when
                yield new_bar(code, when, op, hi, lo, cl, volume, 0.0, 0.0, period)
    except _READ_ERRORS as exc:
        raise DataFileError(path, line, None, "a readable UTF-8 CSV file (gzip-compressed when named .gz)",
                            f"{type(exc).__name__}: {exc}") from exc


def _diagnose(path: PathLike, line: int, row: list[str], index: dict[str, int],
              previous: dt.datetime) -> DataFileError:
    """Name the first bad column of a bar row that failed the fast checks."""
    if len(row) != len(index):
        return DataFileError(path, line, None, f"{len(index)} fields as in the header", f"{len(row)} fields")
    text = row[index["datetime"]]
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return DataFileError(path, line, "datetime", "a local time YYYY-MM-DD HH:MM:SS", text)
    if when.tzinfo is not None:
        return DataFileError(path, line, "datetime", "a local time without a UTC offset", text)
    if when <= previous:
        return DataFileError(path, line, "datetime",
                             f"times strictly increasing: a time after {previous} (the previous row)", text)
    prices = {}
    for name in ("open", "high", "low", "close"):
        raw = row[index[name]]
        try:
            prices[name] = float(raw)
        except ValueError:
            return DataFileError(path, line, name, "a price in CNY", raw)
        if not 0.0 < prices[name] < _INF:
            return DataFileError(path, line, name, "a positive finite price", raw)
    raw = row[index["volume"]]
    try:
        volume = int(raw)
    except ValueError:
        return DataFileError(path, line, "volume", "an integer number of shares", raw)
    if volume < 0:
        return DataFileError(path, line, "volume", "a non-negative number of shares", raw)
    for name in ("open", "close", "low"):
        if prices[name] > prices["high"]:
            return DataFileError(path, line, "high", f"a high at or above {name} {row[index[name]]}",
                                 row[index["high"]])
    return DataFileError(path, line, "low", "a low at or below open and close", row[index["low"]])
