"""The market data file formats: column names, units, time conversion and the file error.

Three CSV formats, all UTF-8 with a required header row, optionally gzip
compressed (a name ending in ``.gz``); ``docs/data-format.md`` is the reference.

* **Tick file** (:data:`TICK_COLUMNS`): one xtdata snapshot per row, in
  xtdata's own vocabulary (``lastPrice``, ``askPrice1`` ...), volumes in lots
  as xtdata reports them, rows sorted by time then code.
* **Instruments file** (:data:`INSTRUMENT_COLUMNS`): ``instruments.csv``.
* **Bar file** (:data:`BAR_COLUMNS`): the benchmark's 1-minute bars, bar END time.

Times in files are exchange-local (Asia/Shanghai) wall-clock times without an
offset. China has had no daylight saving time since 1991, so the conversion to
the epoch milliseconds xtdata uses is a fixed +08:00 offset; no time-zone
database lookup is needed.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import os
from pathlib import Path
from typing import IO, Union

from ..clock import CHINA_TZ, epoch_ms_to_local, local_to_epoch_ms  # noqa: F401 (re-exported)

PathLike = Union[str, "os.PathLike[str]"]

#: Number of order-book levels per side in a tick file.
BOOK_LEVELS = 5

ASK_PRICE_COLUMNS = tuple(f"askPrice{i}" for i in range(1, BOOK_LEVELS + 1))
ASK_VOL_COLUMNS = tuple(f"askVol{i}" for i in range(1, BOOK_LEVELS + 1))
BID_PRICE_COLUMNS = tuple(f"bidPrice{i}" for i in range(1, BOOK_LEVELS + 1))
BID_VOL_COLUMNS = tuple(f"bidVol{i}" for i in range(1, BOOK_LEVELS + 1))

#: Scalar price/amount columns of a tick file (CNY, floats).
TICK_PRICE_FIELDS = ("lastPrice", "open", "high", "low", "lastClose")
#: Scalar integer columns of a tick file: cumulative volume (lots), cumulative
#: volume (shares), cumulative number of trades, trading-phase code.
TICK_INT_FIELDS = ("volume", "pvolume", "transactionNum", "stockStatus")

#: The tick file's columns, in the order the writer emits them.
TICK_COLUMNS: tuple[str, ...] = (
    "time", "code", *TICK_PRICE_FIELDS, "amount", *TICK_INT_FIELDS,
    *ASK_PRICE_COLUMNS, *ASK_VOL_COLUMNS, *BID_PRICE_COLUMNS, *BID_VOL_COLUMNS,
)

#: The instruments file's columns.
INSTRUMENT_COLUMNS: tuple[str, ...] = ("code", "name", "kind", "listing_date", "is_st", "t0")
#: Allowed values of the instruments file's ``kind`` column.
INSTRUMENT_KINDS = frozenset({"stock", "etf", "lof", "bond", "index"})

#: The bar file's columns (the benchmark format of /work/shared/bench/gen_bars.py).
BAR_COLUMNS: tuple[str, ...] = ("datetime", "open", "high", "low", "close", "volume")

#: Name of the instruments file inside a data directory.
INSTRUMENTS_FILE = "instruments.csv"
#: Tick files inside a data directory: ``ticks*.csv`` or ``ticks*.csv.gz``.
TICK_FILE_PREFIX = "ticks"

# xtdata ``stockStatus`` codes (xtdata.md, "证券状态") used by the sample data.
STOCK_STATUS_UNKNOWN = 0
STOCK_STATUS_PRE_OPEN = 11
STOCK_STATUS_CALL_AUCTION = 12
STOCK_STATUS_CONTINUOUS = 13
STOCK_STATUS_BREAK = 14
STOCK_STATUS_CLOSED = 15
STOCK_STATUS_HALTED = 17
STOCK_STATUS_CLOSING_AUCTION = 18

#: Local midnight of 1970-01-01 in Beijing time is epoch second -8 h.
SHANGHAI_TZ = CHINA_TZ


class DataFileError(ValueError):
    """A market data file is unusable: says which file, line and column, and what was expected.

    ``line`` is 1-based and counts the header (the first data row is line 2);
    ``line`` and ``column`` are ``None`` when the problem is the whole file.
    """

    def __init__(self, path: PathLike, line: int | None, column: str | None,
                 expected: str, got: object = None) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.expected = expected
        self.got = got
        where = self.path
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column {column!r}"
        message = f"{where}: expected {expected}"
        if got is not None:
            message += f", got {got!r}"
        super().__init__(message)


def parse_local_time(text: str) -> dt.datetime:
    """Parse ``YYYY-MM-DD HH:MM:SS`` or ``YYYY-MM-DD HH:MM:SS.fff`` (no offset).

    Raises ``ValueError`` for anything else, including times with an offset.
    """
    if len(text) not in (19, 23) or text[10] != " ":
        raise ValueError(text)
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is not None:
        raise ValueError(text)
    return value


def format_local_time(when: dt.datetime) -> str:
    """Format a naive local time as the files store it (milliseconds only when non-zero)."""
    if when.microsecond:
        return when.isoformat(sep=" ", timespec="milliseconds")
    return when.isoformat(sep=" ", timespec="seconds")


def open_text_read(path: PathLike) -> IO[str]:
    """Open a data file for reading as text; a name ending in ``.gz`` is decompressed on the fly."""
    name = os.fspath(path)
    if name.endswith(".gz"):
        return gzip.open(name, "rt", encoding="utf-8", newline="")
    return open(name, "r", encoding="utf-8", newline="")


def open_text_write(path: PathLike) -> IO[str]:
    """Open a data file for writing; ``.gz`` output is reproducible (no name, mtime 0).

    Two runs that write the same rows give byte-identical files.
    """
    name = os.fspath(path)
    if not name.endswith(".gz"):
        return open(name, "w", encoding="utf-8", newline="")
    raw = open(name, "wb")
    try:
        packed = gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0)
    except BaseException:
        raw.close()
        raise
    return _OwningTextWrapper(packed, raw)


class _OwningTextWrapper(io.TextIOWrapper):
    """A text wrapper over a GzipFile that also closes the underlying raw file."""

    def __init__(self, packed: gzip.GzipFile, raw: IO[bytes]) -> None:
        super().__init__(packed, encoding="utf-8", newline="")
        self._raw_file = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw_file.close()


def header_indexes(path: PathLike, header: list[str] | None, required: tuple[str, ...],
                   optional: tuple[str, ...] = ()) -> dict[str, int]:
    """Map column name -> index from a header row; every required column must be present.

    Unknown or duplicated columns are errors too, so a typo (``lastprice``)
    never silently becomes a missing value.
    """
    if header is None:
        raise DataFileError(path, 1, None, "a header row (" + ",".join(required) + ")", "an empty file")
    indexes: dict[str, int] = {}
    known = set(required) | set(optional)
    for position, raw_name in enumerate(header):
        name = raw_name.strip()
        if position == 0:
            name = name.lstrip("\ufeff")
        if name not in known:
            raise DataFileError(path, 1, name, "one of the known columns " + ",".join((*required, *optional)),
                                "an unknown column")
        if name in indexes:
            raise DataFileError(path, 1, name, "each column once", "a duplicate")
        indexes[name] = position
    for name in required:
        if name not in indexes:
            raise DataFileError(path, 1, name, "this column in the header", "it is missing")
    return indexes


def list_tick_files(path: PathLike) -> list[Path]:
    """The tick files a path names: the file itself, or a directory's ``ticks*.csv[.gz]`` by name."""
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.iterdir() if p.is_file() and is_tick_file_name(p.name))
        if not files:
            raise DataFileError(root, None, None,
                                f"a directory holding {TICK_FILE_PREFIX}*.csv or {TICK_FILE_PREFIX}*.csv.gz files",
                                "none")
        return files
    if not root.is_file():
        raise DataFileError(root, None, None, "an existing tick file or directory", "no such path")
    return [root]


def is_tick_file_name(name: str) -> bool:
    """True for ``ticks*.csv`` and ``ticks*.csv.gz`` names."""
    return name.startswith(TICK_FILE_PREFIX) and (name.endswith(".csv") or name.endswith(".csv.gz"))
