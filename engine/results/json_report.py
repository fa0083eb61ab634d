"""A run's results as JSON-friendly data (``qmt-engine report --json``) and files."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from .run_results import RunResults

__all__ = ["results_dict", "write_json"]

#: the version of this JSON layout (a key added later keeps it; a key changed or removed bumps it)
FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return _plain(value.item())
    return value


def _frame_rows(frame: pd.DataFrame, index_name: str) -> list[dict[str, Any]]:
    if frame.empty:
        return []
    out = frame.reset_index().rename(columns={frame.index.name or "index": index_name})
    return [_plain(row) for row in out.to_dict(orient="records")]


def results_dict(results: RunResults) -> dict[str, Any]:
    """Run, metrics, daily equity, strategies, trades, monthly returns and notes."""
    equity = results.equity.drop(columns=["pnl_exact"], errors="ignore").copy()
    equity["pnl"] = [str(v) for v in results.equity["pnl_exact"]] if "pnl_exact" in results.equity else []
    monthly = {f"{year}-{month:02d}": value for year, row in results.monthly.iterrows()
               for month, value in row.items() if not pd.isna(value)}
    return _plain({
        "format_version": FORMAT_VERSION,
        "run": {k: v for k, v in results.run.items() if k != "config"},
        "config": results.run.get("config"),
        "conventions": {"risk_free_rate": results.settings.risk_free_rate,
                        "days_per_year": results.settings.days_per_year, "benchmark": results.benchmark_name},
        "metrics": results.metrics,
        "daily": _frame_rows(equity, "date"),
        "monthly_returns": monthly,
        "strategies": results.strategies,
        "trades": [t.as_dict() for t in results.trades],
        "notes": results.notes,
    })


def write_json(data: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path
