"""History from MiniQMT into the local store: ``xtdata`` downloads, read back and written as Parquet.

Per code, for the range asked and not yet covered:

1. ``xtdata.download_history_data2([code], period, start, end, callback, incrementally=False)``
   makes MiniQMT fetch the history into its local data folder (blocking until done);
2. ``xtdata.get_local_data([], [code], period, start, end, dividend_type='none')`` reads it
   back (raw prices: the store keeps raw prices and the dividend factors, adjusted
   prices are computed from them);
3. the rows go into the store (:mod:`engine.datastore`), then the code's covered range is
   written to ``state/download-<period>.json``.

So a re-run fetches only what is missing (incremental), and a run that stopped
part-way (a crash, Ctrl-C, a dropped connection) resumes at the first code it had not
finished. Each code's dividend factors (``get_divid_factors``) and instrument details
(``get_instrument_detail``: name, listing date, ST in the name) are stored too.

The xtdata calls run on the calling thread, never inside an xtdata callback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ..clock import epoch_ms_to_local
from ..datastore import (BAR_SCHEMA, DIVIDEND_SCHEMA, INSTRUMENT_SCHEMA, TICK_SCHEMA, StoreLayout, write_bars,
                         write_dividends, write_instruments, write_ticks)
from ..instruments import InstrumentError, board_of, kind_from_prefix, parse_code, shares_per_lot

__all__ = ["DownloadReport", "HistoryDownload", "missing_ranges"]

_DAILY_CLOSE = dt.time(15, 0)
_ONE_DAY = dt.timedelta(days=1)


@dataclass
class DownloadReport:
    """What one download did."""

    period: str
    codes: list[str]
    fetched: dict[str, list[tuple[dt.date, dt.date]]] = field(default_factory=dict)  # code -> ranges fetched
    rows: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # already covered

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def missing_ranges(covered: tuple[dt.date, dt.date] | None, start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The parts of ``[start, end]`` outside the ``covered`` range (inclusive dates)."""
    if covered is None:
        return [(start, end)]
    lo, hi = covered
    ranges = []
    if start < lo:
        ranges.append((start, min(end, lo - _ONE_DAY)))
    if end > hi:
        ranges.append((max(start, hi + _ONE_DAY), end))
    return [(a, b) for a, b in ranges if a <= b]


class DownloadState:
    """``{code: [first day covered, last day covered]}`` per period, in a JSON file rewritten atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.covered: dict[str, tuple[dt.date, dt.date]] = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise ValueError(f"{path}: the download state is unreadable ({exc}); delete it to download again") from None
            self.covered = {code: (dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for code, (a, b) in
                            raw.get("covered", {}).items()}

    def get(self, code: str) -> tuple[dt.date, dt.date] | None:
        return self.covered.get(code)

    def extend(self, code: str, start: dt.date, end: dt.date) -> None:
        old = self.covered.get(code)
        self.covered[code] = (min(start, old[0]), max(end, old[1])) if old else (start, end)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({"covered": {c: [a.isoformat(), b.isoformat()] for c, (a, b) in
                                               sorted(self.covered.items())}}, indent=1), encoding="utf-8")
        os.replace(tmp, self.path)


def _xt_time(day: dt.date, end: bool) -> str:
    return day.strftime("%Y%m%d") + ("150000" if end else "000000")


class HistoryDownload:
    """Downloads history through an ``xtdata`` module (the real ``xtquant.xtdata``, or a double in tests).

    :param xtdata: the module (or any object with its functions).
    :param root: the store folder.
    :param today: the last day a download may ask for (default: today); a range ending later
        is cut there, so "up to today" stays incremental tomorrow.
    """

    def __init__(self, xtdata: Any, root: Path | str, *, today: dt.date | None = None) -> None:
        self.xtdata = xtdata
        self.root = Path(root)
        self.layout = StoreLayout(self.root)
        self.today = today or dt.date.today()

    # -- the universe --------------------------------------------------------------------

    def sector_codes(self, sector: str) -> list[str]:
        """``get_stock_list_in_sector`` (e.g. ``沪深A股``), after ``download_sector_data`` refreshed the lists."""
        download = getattr(self.xtdata, "download_sector_data", None)
        if download is not None:
            download()
        codes = sorted(self.xtdata.get_stock_list_in_sector(sector) or [])
        if not codes:
            raise ValueError(f"sector {sector!r}: xtdata.get_stock_list_in_sector returned no codes")
        path = self.root / "sectors" / f"{sector}.txt"  # backtest.sector reads it
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {sector}: xtdata.get_stock_list_in_sector on {self.today}\n" + "\n".join(codes) + "\n",
                        encoding="utf-8")
        return codes

    # -- the download ---------------------------------------------------------------------

    def run(self, codes: Iterable[str], period: str, start: dt.date, end: dt.date, *,
            on_code: Callable[[str, int, int], None] | None = None, details: bool = True) -> DownloadReport:
        """Download ``period`` data of ``codes`` for ``[start, end]`` (only what the store lacks).

        :param on_code: progress callback ``(code, done, total)`` after each code.
        :param details: also store the dividend factors and instrument details of each code.
        """
        codes = list(dict.fromkeys(codes))
        for code in codes:
            parse_code(code)
        end = min(end, self.today)
        if start > end:
            raise ValueError(f"download: start {start} is after end {end}")
        state = DownloadState(self.layout.state(period))
        report = DownloadReport(period, codes)
        for done, code in enumerate(codes, 1):
            ranges = missing_ranges(state.get(code), start, end)
            if not ranges:
                report.skipped.append(code)
            for first, last in ranges:
                rows = self._fetch(code, period, first, last)
                report.fetched.setdefault(code, []).append((first, last))
                report.rows[code] = report.rows.get(code, 0) + rows
                if details:
                    self._details(code, first, last)
                state.extend(code, first, last)  # only now: an interrupted code is fetched again
            if on_code is not None:
                on_code(code, done, len(codes))
        return report

    def _fetch(self, code: str, period: str, first: dt.date, last: dt.date) -> int:
        start, end = _xt_time(first, False), _xt_time(last, True)
        self.xtdata.download_history_data2([code], period, start, end, None, False)
        frames = self.xtdata.get_local_data([], [code], period, start, end, -1, "none", False)
        frame = (frames or {}).get(code)
        if frame is None or len(frame) == 0:
            return 0
        records = frame.to_dict("records")
        if period == "tick":
            return self._store_ticks(code, records)
        table = bars_from_records(code, period, records)
        write_bars(self.root, period, code, table)
        return table.num_rows

    def _store_ticks(self, code: str, records: list[dict]) -> int:
        by_day: dict[dt.date, list[dict]] = {}
        for record in records:
            row = tick_row(record)
            by_day.setdefault(row["time"].date(), []).append(row)
        for day, rows in by_day.items():
            write_ticks(self.root, code, day, pa.Table.from_pylist(rows, schema=TICK_SCHEMA))
        return sum(len(rows) for rows in by_day.values())

    def _details(self, code: str, first: dt.date, last: dt.date) -> None:
        factors = self.xtdata.get_divid_factors(code, first.strftime("%Y%m%d"), last.strftime("%Y%m%d"))
        rows = dividend_rows(factors)
        if rows:
            write_dividends(self.root, code, pa.Table.from_pylist(rows, schema=DIVIDEND_SCHEMA))
        detail = self.xtdata.get_instrument_detail(code)
        if detail:
            write_instruments(self.root, pa.Table.from_pylist([instrument_row(code, detail)], schema=INSTRUMENT_SCHEMA))


# -- conversions ---------------------------------------------------------------------------


def _local(ms: Any) -> dt.datetime:
    if isinstance(ms, dt.datetime):
        return ms
    return epoch_ms_to_local(int(ms))


def bars_from_records(code: str, period: str, records: list[dict]) -> pa.Table:
    """xtdata bar records (``time`` ms, prices, ``volume`` in lots, ``preClose``, ``suspendFlag``) as a
    :data:`BAR_SCHEMA` table: daily bars at 15:00 of their day, volumes in shares."""
    lot = shares_per_lot(code)
    columns: dict[str, list] = {name: [] for name in BAR_SCHEMA.names}
    for record in records:
        when = _local(record["time"])
        if period == "1d":
            when = dt.datetime.combine(when.date(), _DAILY_CLOSE)
        columns["time"].append(when)
        for name in ("open", "high", "low", "close"):
            columns[name].append(float(record[name]))
        columns["volume"].append(int(record.get("volume") or 0) * lot)
        columns["amount"].append(float(record.get("amount") or 0.0))
        columns["pre_close"].append(float(record.get("preClose") or 0.0))
        columns["suspended"].append(bool(record.get("suspendFlag") or 0))
    return pa.table(columns, schema=BAR_SCHEMA)


def tick_row(record: dict) -> dict:
    """One xtdata tick record (level lists) as a :data:`TICK_SCHEMA` row (levels 1-5 as columns)."""
    row = {"time": _local(record["time"])}
    for name in ("lastPrice", "open", "high", "low", "lastClose", "amount"):
        row[name] = float(record.get(name) or 0.0)
    for name in ("volume", "pvolume", "transactionNum", "stockStatus"):
        row[name] = int(record.get(name) or 0)
    for side in ("ask", "bid"):
        prices, vols = list(record.get(f"{side}Price") or []), list(record.get(f"{side}Vol") or [])
        for i in range(5):
            row[f"{side}Price{i + 1}"] = float(prices[i]) if i < len(prices) else 0.0
            row[f"{side}Vol{i + 1}"] = int(vols[i]) if i < len(vols) else 0
    return row


def dividend_rows(frame: Any) -> list[dict]:
    """``get_divid_factors`` (a DataFrame indexed by ex-date, columns ``time, interest, stockBonus,
    stockGift, allotNum, allotPrice, gugai, dr``) as :data:`DIVIDEND_SCHEMA` rows."""
    if frame is None or len(frame) == 0:
        return []
    rows = []
    for record in frame.to_dict("records"):
        when = record.get("time")
        day = _local(when).date() if isinstance(when, (int, float)) and when > 10**11 else \
            dt.datetime.strptime(str(when)[:8], "%Y%m%d").date()
        rows.append({"ex_date": day, "cash": float(record.get("interest") or 0.0),
                     "bonus_shares": float(record.get("stockBonus") or 0.0),
                     "transfer_shares": float(record.get("stockGift") or 0.0),
                     "allot_shares": float(record.get("allotNum") or 0.0),
                     "allot_price": float(record.get("allotPrice") or 0.0),
                     "factor": float(record.get("dr") or 1.0)})
    return rows


def instrument_row(code: str, detail: dict) -> dict:
    """``get_instrument_detail`` as an instruments row (kind from the code prefix; ST from the name)."""
    name = str(detail.get("InstrumentName") or "")
    try:
        kind = kind_from_prefix(code) or "stock"
    except InstrumentError:
        kind = "stock"
    opened = str(detail.get("OpenDate") or "")
    listing = dt.datetime.strptime(opened[:8], "%Y%m%d").date() if opened[:8].isdigit() and len(opened) >= 8 \
        and opened[:8] != "00000000" else None
    return {"code": code, "name": name, "kind": kind, "board": board_of(code, kind), "listing_date": listing,
            "is_st": "ST" in name.upper(), "t0": False}
