"""``qmt-engine data import``: bar CSV files from other tools into the store.

Columns are recognised by name, in any order, with the aliases other tools use
(tushare ``trade_date``/``ts_code``/``vol``, Chinese headers such as ``日期``/``收盘``...).
The encoding is UTF-8 (with or without a byte-order mark) or GBK, told apart by
trying UTF-8 first. Volumes are shares unless ``volume_unit='lots'`` (tushare's
``vol`` is in lots). A file without a code column takes its code from ``code=`` or
from its name (``600000.SH.csv``). Every row is validated; a bad row is reported
as ``file:line: column: expected ..., got ...`` and nothing of that file is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..instruments import InstrumentError, parse_code, shares_per_lot
from .store import bar_table, write_bars

__all__ = ["ALIASES", "ImportError_", "ImportResult", "import_csv"]

ALIASES = {
    "time": ("datetime", "date", "trade_date", "time", "trade_time", "日期", "时间", "交易日期"),
    "code": ("code", "ts_code", "symbol", "stock_code", "代码", "证券代码", "股票代码"),
    "open": ("open", "开盘", "开盘价"),
    "high": ("high", "最高", "最高价"),
    "low": ("low", "最低", "最低价"),
    "close": ("close", "收盘", "收盘价"),
    "volume": ("volume", "vol", "成交量"),
    "amount": ("amount", "turnover", "成交额", "成交金额"),
    "pre_close": ("pre_close", "preclose", "前收盘", "昨收"),
}
_REQUIRED = ("time", "open", "high", "low", "close", "volume")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d", "%Y%m%d%H%M%S", "%Y/%m/%d",
                 "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M")


class ImportError_(ValueError):  # noqa: N801 - not the builtin ImportError
    """A file that cannot be imported; the message names the file, line and column."""


@dataclass
class ImportResult:
    path: Path
    encoding: str
    rows: dict[str, int]  # code -> rows written


def _read_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding), "utf-8" if encoding == "utf-8-sig" else encoding
        except UnicodeDecodeError:
            continue
    raise ImportError_(f"{path}: neither UTF-8 nor GBK text")


def _header_map(path: Path, header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, name in enumerate(header):
        key = name.strip().lower()
        for field, names in ALIASES.items():
            if key in names:
                if field in found:
                    raise ImportError_(f"{path}:1: columns {header[found[field]]!r} and {name!r} both mean {field}")
                found[field] = i
    missing = [f for f in _REQUIRED if f not in found]
    if missing:
        raise ImportError_(f"{path}:1: no column for {', '.join(missing)} (accepted names: "
                           + "; ".join(f"{f}: {', '.join(ALIASES[f])}" for f in missing) + ")")
    return found


def _parse_time(text: str, period: str) -> dt.datetime | None:
    text = text.strip()
    for fmt in _TIME_FORMATS:
        try:
            when = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        if period == "1d":
            when = dt.datetime.combine(when.date(), dt.time(15, 0))
        return when
    return None


def import_csv(path: Path | str, root: Path | str, *, period: str = "1d", code: str | None = None,
               volume_unit: str = "shares") -> ImportResult:
    """Import one CSV file of bars into the store at ``root``.

    :raises ImportError_: unreadable text, missing columns, a bad row (file:line: column).
    """
    path = Path(path)
    if volume_unit not in ("shares", "lots"):
        raise ImportError_(f"volume unit {volume_unit!r}: expected shares or lots")
    text, encoding = _read_text(path)
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise ImportError_(f"{path}:1: empty file, expected a header row")
    cols = _header_map(path, header)
    if "code" not in cols:
        code = code or path.name.split(".csv")[0]
        try:
            parse_code(code)
        except InstrumentError:
            raise ImportError_(f"{path}: no code column and no code given (name the file <code>.csv or pass --code)") from None
    rows: dict[str, list[dict]] = {}
    for row in reader:
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        bar_code = row[cols["code"]].strip() if "code" in cols else code
        rows.setdefault(bar_code, []).append(_bar_row(path, line, row, cols, bar_code, period, volume_unit))
    written = {}
    for bar_code, bars in rows.items():
        bars.sort(key=lambda b: b["time"])
        for a, b in zip(bars, bars[1:]):
            if a["time"] == b["time"]:
                raise ImportError_(f"{path}:{b['_line']}: time: expected one row per time of {bar_code}, got "
                                   f"{b['time']} again (line {a['_line']})")
        write_bars(root, period, bar_code, bar_table(bars))
        written[bar_code] = len(bars)
    return ImportResult(path, encoding, written)


def _number(path: Path, line: int, row: list[str], cols: dict[str, int], field: str) -> float:
    raw = row[cols[field]].strip() if cols[field] < len(row) else ""
    try:
        value = float(raw.replace(",", ""))
    except ValueError:
        raise ImportError_(f"{path}:{line}: {field}: expected a number, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ImportError_(f"{path}:{line}: {field}: expected a non-negative finite number, got {raw!r}")
    return value


def _bar_row(path, line, row, cols, code, period, volume_unit) -> dict:
    try:
        parse_code(code)
    except InstrumentError as exc:
        raise ImportError_(f"{path}:{line}: code: {exc}") from None
    raw = row[cols["time"]] if cols["time"] < len(row) else ""
    when = _parse_time(raw, period)
    if when is None:
        raise ImportError_(f"{path}:{line}: time: expected a date or time such as 2026-03-09 or 20260309, got {raw!r}")
    op, hi, lo, cl = (_number(path, line, row, cols, f) for f in ("open", "high", "low", "close"))
    if not (0 < lo <= min(op, cl) and max(op, cl) <= hi):
        raise ImportError_(f"{path}:{line}: low/high: expected 0 < low <= open, close <= high, got "
                           f"open {op} high {hi} low {lo} close {cl}")
    volume = _number(path, line, row, cols, "volume")
    shares = int(round(volume * (shares_per_lot(code) if volume_unit == "lots" else 1)))
    amount = _number(path, line, row, cols, "amount") if "amount" in cols else 0.0
    pre = _number(path, line, row, cols, "pre_close") if "pre_close" in cols else 0.0
    return {"time": when, "open": op, "high": hi, "low": lo, "close": cl, "volume": shares, "amount": amount,
            "pre_close": pre, "suspended": False, "_line": line}


def import_files(paths: Iterable[Path | str], root: Path | str, **options) -> list[ImportResult]:
    return [import_csv(p, root, **options) for p in paths]
