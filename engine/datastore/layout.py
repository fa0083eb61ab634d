"""Where the store keeps what, and the column schemas of its Parquet files.

::

    <root>/
      bars/<period>/<code>.parquet     one file per period and code: 1d, 1m, 5m, 15m, 30m, 1h
      ticks/<code>/<YYYYMMDD>.parquet  one file per code and trading day
      dividends/<code>.parquet         ex-dividend dates and per-share amounts (xtdata.get_divid_factors)
      instruments.parquet              name, kind, board, listing date, ST flag (xtdata.get_instrument_detail)
      state/download-<period>.json     what each code's download has covered (incremental, resumable)

Times are exchange-local (Asia/Shanghai) without a zone, as everywhere in the
engine; a bar's ``time`` is its END time (daily bars: 15:00 of the day). Prices
are CNY, volumes in shares. pandas, polars and DuckDB read these files directly
(``duckdb.sql("select * from 'store/bars/1d/*.parquet'")``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

__all__ = [
    "BAR_PERIODS", "BAR_SCHEMA", "DIVIDEND_SCHEMA", "INSTRUMENT_SCHEMA", "PERIODS", "TICK_SCHEMA", "StoreLayout",
]

BAR_PERIODS = ("1m", "5m", "15m", "30m", "1h", "1d")
PERIODS = ("tick",) + BAR_PERIODS

BAR_SCHEMA = pa.schema([
    ("time", pa.timestamp("ms")), ("open", pa.float64()), ("high", pa.float64()), ("low", pa.float64()),
    ("close", pa.float64()), ("volume", pa.int64()), ("amount", pa.float64()), ("pre_close", pa.float64()),
    ("suspended", pa.bool_()),
])

_LEVELS = [(f"{side}{kind}{i}", pa.float64() if kind == "Price" else pa.int64())
           for side in ("ask", "bid") for kind in ("Price", "Vol") for i in range(1, 6)]
TICK_SCHEMA = pa.schema([
    ("time", pa.timestamp("ms")), ("lastPrice", pa.float64()), ("open", pa.float64()), ("high", pa.float64()),
    ("low", pa.float64()), ("lastClose", pa.float64()), ("amount", pa.float64()), ("volume", pa.int64()),
    ("pvolume", pa.int64()), ("transactionNum", pa.int64()), ("stockStatus", pa.int64()), *_LEVELS,
])

#: per share: cash (CNY, before tax), bonus shares and transferred shares (送股, 转增), rights issue
DIVIDEND_SCHEMA = pa.schema([
    ("ex_date", pa.date32()), ("cash", pa.float64()), ("bonus_shares", pa.float64()),
    ("transfer_shares", pa.float64()), ("allot_shares", pa.float64()), ("allot_price", pa.float64()),
    ("factor", pa.float64()),
])

INSTRUMENT_SCHEMA = pa.schema([
    ("code", pa.string()), ("name", pa.string()), ("kind", pa.string()), ("board", pa.string()),
    ("listing_date", pa.date32()), ("is_st", pa.bool_()), ("t0", pa.bool_()),
])


class StoreLayout:
    """The paths of one store root."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def bars(self, period: str, code: str) -> Path:
        return self.root / "bars" / period / f"{code}.parquet"

    def bar_dir(self, period: str) -> Path:
        return self.root / "bars" / period

    def tick_dir(self, code: str) -> Path:
        return self.root / "ticks" / code

    def ticks(self, code: str, day: str) -> Path:
        return self.tick_dir(code) / f"{day}.parquet"

    def dividends(self, code: str) -> Path:
        return self.root / "dividends" / f"{code}.parquet"

    @property
    def instruments(self) -> Path:
        return self.root / "instruments.parquet"

    def state(self, period: str) -> Path:
        return self.root / "state" / f"download-{period}.json"

    def bar_codes(self, period: str) -> list[str]:
        folder = self.bar_dir(period)
        return sorted(p.name[: -len(".parquet")] for p in folder.glob("*.parquet")) if folder.is_dir() else []

    def tick_codes(self) -> list[str]:
        folder = self.root / "ticks"
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    def periods_held(self) -> list[str]:
        held = [p for p in BAR_PERIODS if self.bar_codes(p)]
        return (["tick"] if self.tick_codes() else []) + held
