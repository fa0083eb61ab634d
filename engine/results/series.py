"""Equity series from a run's marks: intraday, daily (with returns and P&L), exposure, monthly returns.

The daily series has one row per trading day with marks: the day's last mark
(the ``close`` mark, or the ``stop`` mark of a run that ended after it). A day's
P&L and return compare it with the previous day's row; the first day compares
with the run's first mark (``start``). This is :func:`engine.results.pnl.day_pnl`
for the whole account, and the audit view ``equity_daily`` computes the same.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from .load import Mark
from .pnl import day_pnl

__all__ = ["daily_equity", "exposure_by_code", "intraday_equity", "monthly_returns"]


def intraday_equity(marks: list[Mark]) -> pd.DataFrame:
    """Every mark: ``kind, cash, market_value, total_asset, exposure, return`` (float), indexed by time."""
    if not marks:
        return pd.DataFrame(columns=["kind", "cash", "market_value", "total_asset", "exposure", "return"])
    frame = pd.DataFrame({
        "kind": [m.kind for m in marks],
        "cash": [float(m.cash + m.frozen_cash) for m in marks],
        "market_value": [float(m.market_value) for m in marks],
        "total_asset": [float(m.total_asset) for m in marks],
    }, index=pd.DatetimeIndex([m.ts for m in marks], name="time"))
    frame["exposure"] = (frame["market_value"] / frame["total_asset"]).where(frame["total_asset"] > 0)
    frame["return"] = frame["total_asset"].pct_change()
    return frame


def day_closes(marks: list[Mark]) -> list[Mark]:
    """The last mark of each day, in day order."""
    last: dict[dt.date, Mark] = {}
    for mark in marks:
        last[mark.day] = mark
    return [last[day] for day in sorted(last)]


def daily_equity(marks: list[Mark]) -> pd.DataFrame:
    """One row per day: ``time`` (of its mark), ``total_asset, cash, market_value, pnl`` (floats), ``return, exposure``.

    ``pnl_exact`` keeps the exact Decimal P&L. Indexed by ``date`` (a Timestamp at midnight).
    """
    closes = day_closes(marks)
    rows = []
    previous = marks[0].total_asset if marks else Decimal(0)
    for mark in closes:
        pnl = day_pnl(previous, mark.total_asset)
        rows.append({"date": pd.Timestamp(mark.day), "time": pd.Timestamp(mark.ts), "total_asset": float(mark.total_asset),
                     "cash": float(mark.cash + mark.frozen_cash), "market_value": float(mark.market_value),
                     "pnl": float(pnl), "pnl_exact": pnl,
                     "return": float(mark.total_asset / previous - 1) if previous > 0 else None,
                     "exposure": float(mark.market_value / mark.total_asset) if mark.total_asset > 0 else None,
                     "held_codes": sum(1 for v, _ in mark.positions.values() if v)})
        previous = mark.total_asset
    frame = pd.DataFrame(rows, columns=["date", "time", "total_asset", "cash", "market_value", "pnl", "pnl_exact", "return",
                                        "exposure", "held_codes"])
    return frame.set_index("date")


def exposure_by_code(marks: list[Mark]) -> pd.DataFrame:
    """Each held code's market value as a share of the total asset, per mark (columns = codes)."""
    rows = []
    for mark in marks:
        total = float(mark.total_asset) or 1.0
        rows.append({code: float(price) * volume / total for code, (volume, price) in mark.positions.items()
                     if volume and price is not None})
    frame = pd.DataFrame(rows, index=pd.DatetimeIndex([m.ts for m in marks], name="time")).fillna(0.0)
    return frame.reindex(sorted(frame.columns), axis=1)


def monthly_returns(daily_returns: pd.Series) -> pd.DataFrame:
    """Compounded returns per calendar month: rows are years, columns 1-12 (NaN where no trading)."""
    if daily_returns.empty:
        return pd.DataFrame(columns=list(range(1, 13)))
    grouped = (1.0 + daily_returns.astype(float)).groupby([daily_returns.index.year, daily_returns.index.month]).prod() - 1.0
    table = grouped.unstack(level=1)
    table.index.name, table.columns.name = "year", "month"
    return table.reindex(columns=list(range(1, 13)))
