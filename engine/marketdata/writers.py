"""Writers for the three file formats; ``.gz`` output is reproducible byte for byte.

Use :class:`TickFileWriter` to record xtdata pushes (``subscribe_whole_quote``
callbacks, ``get_full_tick`` polls, ``get_market_data_ex(period='tick')``
frames turned into dicts) into the replay format.
"""

from __future__ import annotations

import csv
import datetime as dt
import numbers
from collections.abc import Iterable
from types import TracebackType

from ..models import Bar
from .formats import (
    BAR_COLUMNS, BOOK_LEVELS, INSTRUMENT_COLUMNS, TICK_COLUMNS, DataFileError, PathLike,
    epoch_ms_to_local, format_local_time, open_text_write,
)

_BOOK_KEYS = ("askPrice", "askVol", "bidPrice", "bidVol")


def format_number(value: float | int) -> str:
    """Shortest text for a price or amount: binary noise removed (4 decimals kept), no trailing ``.0``.

    ``11.370000000000001 -> "11.37"``, ``4.0 -> "4"``, ``3.456 -> "3.456"``.
    """
    text = repr(round(float(value), 4))
    return text[:-2] if text.endswith(".0") else text


class TickFileWriter:
    """Write xtdata tick dicts as tick-file rows; rows must arrive sorted by (time, code).

    ``with TickFileWriter("ticks-2026-03-09.csv.gz") as out: out.write("600000.SH", record)``.
    ``record`` is an xtdata tick dict; its ``time`` may be ms epoch or a naive
    local ``datetime``. Missing ``pvolume`` is taken as ``volume * lot_size``;
    missing ``transactionNum``/``stockStatus`` as 0; book lists are cut or padded to 5 levels.
    """

    def __init__(self, path: PathLike, *, lot_size: int = 100) -> None:
        self.path = path
        self.lot_size = lot_size
        self.rows_written = 0
        self._last: tuple[dt.datetime, str] | None = None
        self._handle = open_text_write(path)
        self._csv = csv.writer(self._handle, lineterminator="\n")
        self._csv.writerow(TICK_COLUMNS)

    def write(self, code: str, record: dict) -> None:
        """Append one snapshot; raises :class:`DataFileError` if it is out of (time, code) order."""
        line = self.rows_written + 2
        when = _record_time(self.path, line, record)
        if self._last is not None and (when, code) <= self._last:
            raise DataFileError(self.path, line, "time",
                                f"rows sorted by time then code, after {self._last[0]} {self._last[1]}",
                                f"{when} {code}")
        self._csv.writerow(self._row(line, when, code, record))
        self._last = (when, code)
        self.rows_written += 1

    def write_batch(self, batch: dict[str, dict]) -> None:
        """Append one ``{code: record}`` batch of a single timestamp, in code order."""
        for code in sorted(batch):
            self.write(code, batch[code])

    def _row(self, line: int, when: dt.datetime, code: str, record: dict) -> list[str]:
        try:
            volume = int(record["volume"])
            row = [format_local_time(when), code]
            row += [format_number(record[key]) for key in ("lastPrice", "open", "high", "low", "lastClose")]
            row.append(format_number(round(float(record["amount"]), 2)))
            pvolume = record.get("pvolume")
            row += [str(volume), str(int(pvolume) if pvolume is not None else volume * self.lot_size),
                    str(int(record.get("transactionNum", 0))), str(int(record.get("stockStatus", 0)))]
            for key in _BOOK_KEYS:
                levels = list(record[key])[:BOOK_LEVELS]
                levels += [0] * (BOOK_LEVELS - len(levels))
                fmt = format_number if key.endswith("Price") else _format_int
                row += [fmt(value) for value in levels]
        except KeyError as exc:
            raise DataFileError(self.path, line, exc.args[0], "the key in the xtdata record", "missing") from None
        except (TypeError, ValueError) as exc:
            raise DataFileError(self.path, line, None, f"numbers in the xtdata record for {code}",
                                str(exc)) from None
        return row

    def close(self) -> None:
        """Flush and close the file."""
        self._handle.close()

    def __enter__(self) -> "TickFileWriter":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _format_int(value: float | int) -> str:
    return str(int(value))


def _record_time(path: PathLike, line: int, record: dict) -> dt.datetime:
    value = record.get("time")
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # also numpy scalars
        return epoch_ms_to_local(float(value))
    raise DataFileError(path, line, "time", "ms epoch or a naive local datetime in the record", value)


def write_instruments(path: PathLike, instruments: Iterable[dict]) -> None:
    """Write an instruments file from dicts shaped like :func:`load_instruments` returns."""
    with open_text_write(path) as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(INSTRUMENT_COLUMNS)
        for item in instruments:
            listing = item["listing_date"]
            out.writerow([item["code"], item["name"], item["kind"],
                          listing.isoformat() if isinstance(listing, dt.date) else str(listing),
                          int(bool(item["is_st"])), int(bool(item["t0"]))])


def write_bars_csv(path: PathLike, bars: Iterable[Bar]) -> int:
    """Write bars in the benchmark bar format (bar END time); returns the number written."""
    count = 0
    with open_text_write(path) as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(BAR_COLUMNS)
        for bar in bars:
            out.writerow((format_local_time(bar.time), format_number(bar.open), format_number(bar.high),
                          format_number(bar.low), format_number(bar.close), bar.volume))
            count += 1
    return count
