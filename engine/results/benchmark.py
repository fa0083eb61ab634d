"""The benchmark index series: daily closes from a file (CSV or Parquet: ``date, close``) or the data store.

:func:`load_benchmark` returns the closes as a float Series indexed by day
(``datetime.date``), sorted; :func:`benchmark_returns` the daily returns on a
run's trading days: the close of each day over the close of the trading day
before it in the series (a day missing from the series carries the last close
forward). A run's first day needs the index's previous close, so give the file
a row before the run starts; without one the first day has no benchmark return.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .settings import BenchmarkSettings

__all__ = ["BenchmarkError", "benchmark_returns", "load_benchmark"]


class BenchmarkError(Exception):
    """The benchmark series cannot be read; the message names the file (and line) or the code."""


def load_benchmark(settings: BenchmarkSettings) -> pd.Series:
    """The index closes the settings name. :raises BenchmarkError: unreadable, or without date/close."""
    if settings.file is not None:
        return _from_file(Path(settings.file))
    return _from_store(str(settings.code), settings.store)


def _from_file(path: Path) -> pd.Series:
    if not path.is_file():
        raise BenchmarkError(f"results.benchmark.file: {path} does not exist")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(path, dtype=str)
    except ImportError as exc:
        raise BenchmarkError(f"results.benchmark.file: reading {path.name} needs pyarrow (pip install pyarrow): "
                             f"{exc}") from None
    except Exception as exc:  # noqa: BLE001 - any parse failure becomes one clear message
        raise BenchmarkError(f"results.benchmark.file: {path} is not a readable CSV/Parquet file: {exc}") from None
    columns = {c.lower().strip(): c for c in frame.columns}
    missing = [c for c in ("date", "close") if c not in columns]
    if missing:
        raise BenchmarkError(f"results.benchmark.file: {path} has no column {', '.join(missing)} "
                             f"(expected date, close; found {', '.join(map(str, frame.columns))})")
    closes: dict[dt.date, float] = {}
    for line, (day, close) in enumerate(zip(frame[columns["date"]], frame[columns["close"]]), start=2):
        try:
            when = pd.Timestamp(str(day)).date()
            value = float(close)
        except (ValueError, TypeError):
            raise BenchmarkError(f"results.benchmark.file: {path} line {line}: expected a date and a close price, "
                                 f"got {day!r}, {close!r}") from None
        if not value > 0:
            raise BenchmarkError(f"results.benchmark.file: {path} line {line}: close must be > 0, got {close!r}")
        closes[when] = value
    if not closes:
        raise BenchmarkError(f"results.benchmark.file: {path} has no rows")
    return pd.Series(closes, dtype=float).sort_index()


def _from_store(code: str, root: Path | None) -> pd.Series:
    """Daily closes of ``code`` from the Parquet data store (``engine.datastore``; default: its bundled sample)."""
    try:
        from .. import datastore  # the local market-data store, where this version has one
    except ImportError:
        raise BenchmarkError(f"results.benchmark.code: {code}: this qmt-engine has no data store to read it from; "
                             "give results.benchmark.file (a CSV with date, close) instead") from None
    root = root or getattr(datastore, "DAILY_SAMPLE_DIR", None)
    try:
        frame = datastore.read_bars(root, "1d", codes=[code], columns=["time", "close"]).to_pandas()
    except Exception as exc:  # noqa: BLE001 - a missing code or store becomes one clear message
        raise BenchmarkError(f"results.benchmark.code: {code} in the store {root}: {exc}") from None
    if frame.empty:
        raise BenchmarkError(f"results.benchmark.code: the store {root} has no daily bars of {code}")
    return pd.Series(frame["close"].astype(float).to_numpy(),
                     index=[pd.Timestamp(v).date() for v in frame["time"]]).sort_index()


def benchmark_returns(closes: pd.Series, days: list[dt.date]) -> pd.Series:
    """Daily returns of ``closes`` on ``days`` (NaN for a first day with no earlier close)."""
    if not days:
        return pd.Series(dtype=float)
    index = sorted(set(closes.index) | set(days))
    filled = closes.reindex(index).ffill()
    returns = filled / filled.shift(1) - 1.0
    return returns.reindex(days)
