"""``qmt-engine data check``: every row of every file, and gaps against the trading calendar.

The validation reads all rows (batch by batch, not a sample of the first ones),
so a bad row deep in a file is reported before a long backtest meets it. Each
problem names the file, the 1-based row and the column, e.g.::

    store/bars/1d/600000.SH.parquet:9001: high: expected a high at or above open 10.52, got 10.31
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from .layout import BAR_SCHEMA, StoreLayout

__all__ = ["Gap", "Problem", "check_bar_file", "find_gaps", "check_store"]

READ_ROWS = 65_536


@dataclass(frozen=True)
class Problem:
    """One bad row (or a file that cannot be read: row 0)."""

    path: Path
    row: int
    column: str | None
    expected: str
    got: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.row}" + (f": {self.column}" if self.column else "")
        return f"{where}: expected {self.expected}, got {self.got}"


@dataclass(frozen=True)
class Gap:
    """Trading days with no bar (and no suspended row) between a code's first and last bar."""

    code: str
    period: str
    first: dt.date
    last: dt.date
    days: int

    def __str__(self) -> str:
        span = str(self.first) if self.first == self.last else f"{self.first} .. {self.last}"
        return f"{self.code} {self.period}: no bars on {self.days} trading day(s) {span}"


def _finite_positive(value) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value) and value > 0


def check_bar_file(path: Path, max_problems: int = 100) -> list[Problem]:
    """Every row of one bar file: schema, times strictly increasing, ``0 < low <= open, close <= high``,
    volume a non-negative integer; at most ``max_problems`` reported."""
    problems: list[Problem] = []
    try:
        handle = pq.ParquetFile(path)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one problem
        return [Problem(path, 0, None, "a readable Parquet file", f"{type(exc).__name__}: {exc}")]
    missing = [n for n in BAR_SCHEMA.names if n not in handle.schema_arrow.names]
    if missing:
        return [Problem(path, 0, None, f"the columns {', '.join(BAR_SCHEMA.names)}", f"no {', '.join(missing)}")]
    row, previous = 0, None
    for batch in handle.iter_batches(batch_size=READ_ROWS, columns=["time", "open", "high", "low", "close", "volume",
                                                                      "suspended"]):
        data = batch.to_pydict()
        for i, when in enumerate(data["time"]):
            row += 1
            problem = _check_row(path, row, when, previous, {k: data[k][i] for k in data})
            if problem is not None:
                problems.append(problem)
                if len(problems) >= max_problems:
                    return problems
            if when is not None:
                previous = when
    return problems


def _check_row(path: Path, row: int, when, previous, values: dict) -> Problem | None:
    if when is None:
        return Problem(path, row, "time", "a time", "null")
    if previous is not None and when <= previous:
        return Problem(path, row, "time", f"times strictly increasing: after {previous} (the previous row)", str(when))
    for name in ("open", "high", "low", "close"):
        if not _finite_positive(values[name]):
            return Problem(path, row, name, "a positive finite price", repr(values[name]))
    volume = values["volume"]
    if volume is None or volume < 0:
        return Problem(path, row, "volume", "a non-negative number of shares", repr(volume))
    op, hi, lo, cl = values["open"], values["high"], values["low"], values["close"]
    for name, value in (("open", op), ("close", cl), ("low", lo)):
        if value > hi:
            return Problem(path, row, "high", f"a high at or above {name} {value}", repr(hi))
    for name, value in (("open", op), ("close", cl)):
        if lo > value:
            return Problem(path, row, "low", f"a low at or below {name} {value}", repr(lo))
    return None


def find_gaps(root: Path | str, period: str, code: str, calendar) -> list[Gap]:
    """Runs of trading days between the first and the last bar of ``code`` without any row.

    :param calendar: anything with ``trading_days(start, end)`` (:class:`engine.calendar.TradingCalendar`).
    """
    path = StoreLayout(root).bars(period, code)
    days = sorted({t.date() for t in pq.read_table(path, columns=["time"])["time"].to_pylist()})
    if not days:
        return []
    held = set(days)
    gaps, run = [], []
    for day in calendar.trading_days(days[0], days[-1]):
        if day in held:
            if run:
                gaps.append(Gap(code, period, run[0], run[-1], len(run)))
                run = []
        else:
            run.append(day)
    if run:
        gaps.append(Gap(code, period, run[0], run[-1], len(run)))
    return gaps


def check_store(root: Path | str, calendar, periods: list[str] | None = None,
                codes: list[str] | None = None) -> Iterator[tuple[str, str, list[Problem], list[Gap]]]:
    """``(period, code, problems, gaps)`` for every bar file held (or the ones asked for)."""
    layout = StoreLayout(root)
    for period in periods or [p for p in layout.periods_held() if p != "tick"]:
        for code in layout.bar_codes(period):
            if codes and code not in codes:
                continue
            path = layout.bars(period, code)
            problems = check_bar_file(path)
            gaps = find_gaps(root, period, code, calendar) if not problems else []
            yield period, code, problems, gaps
