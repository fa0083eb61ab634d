"""Performance figures from a daily return series and an equity curve (pure functions, pandas/numpy).

Conventions (docs/results.md; the tests compare each with empyrical):

* ``returns`` are simple daily returns; ``periods`` (``days_per_year``) annualises;
  ``rf`` is the risk-free return of one day (``risk_free_rate / days_per_year``).
* total return ``prod(1 + r) - 1``; annual return ``(1 + total) ** (periods / n) - 1``;
  volatility ``std(r, ddof=1) * sqrt(periods)``;
* Sharpe ``mean(r - rf) / std(r - rf, ddof=1) * sqrt(periods)``;
* Sortino ``mean(r - rf) * periods / (sqrt(mean(min(r - rf, 0) ** 2)) * sqrt(periods))``;
* max drawdown: the deepest fall of the equity from its running peak, the run's
  start value included as the first peak; Calmar = annual return / |max drawdown|;
* against a benchmark's daily returns ``b`` on the same days: beta
  ``cov(r, b) / var(b)``; alpha ``(1 + mean((r - rf) - beta (b - rf))) ** periods - 1``;
  excess return = total return - the benchmark's; information ratio
  ``mean(r - b) / std(r - b, ddof=1) * sqrt(periods)``.

A figure that cannot be computed (too few days, no variation) is ``None``, never NaN.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Drawdown", "annual_return", "annual_volatility", "benchmark_figures", "calmar", "drawdown",
           "sharpe", "sortino", "total_return"]


def _clean(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def total_return(returns: pd.Series) -> float | None:
    if returns.empty:
        return None
    return _clean(np.prod(1.0 + returns.to_numpy(dtype=float)) - 1.0)


def annual_return(returns: pd.Series, periods: int) -> float | None:
    total = total_return(returns)
    if total is None or total <= -1.0:
        return None if total is None else -1.0
    return _clean((1.0 + total) ** (periods / len(returns)) - 1.0)


def annual_volatility(returns: pd.Series, periods: int) -> float | None:
    if len(returns) < 2:
        return None
    return _clean(np.std(returns.to_numpy(dtype=float), ddof=1) * math.sqrt(periods))


def sharpe(returns: pd.Series, rf: float, periods: int) -> float | None:
    if len(returns) < 2:
        return None
    excess = returns.to_numpy(dtype=float) - rf
    spread = np.std(excess, ddof=1)
    if spread == 0:
        return None
    return _clean(np.mean(excess) / spread * math.sqrt(periods))


def sortino(returns: pd.Series, rf: float, periods: int) -> float | None:
    if len(returns) < 2:
        return None
    excess = returns.to_numpy(dtype=float) - rf
    downside = math.sqrt(np.mean(np.square(np.minimum(excess, 0.0)))) * math.sqrt(periods)
    if downside == 0:
        return None
    return _clean(np.mean(excess) * periods / downside)


@dataclass(frozen=True)
class Drawdown:
    """The deepest drawdown of an equity curve, and the longest time under water."""

    max_drawdown: float  # <= 0, a fraction of the peak
    peak: pd.Timestamp | None
    trough: pd.Timestamp | None
    recovery: pd.Timestamp | None  # back at the peak's value; None: not recovered by the end
    duration_days: int  # trading days from the peak to its recovery (or to the end)
    longest_days: int  # the longest such span of any drawdown
    underwater: pd.Series  # equity / running peak - 1, per point


def drawdown(equity: pd.Series, start_value: float | None = None) -> Drawdown:
    """The drawdown of ``equity`` (indexed by time); ``start_value`` is the peak before the first point."""
    values = equity.astype(float)
    if values.empty:
        return Drawdown(0.0, None, None, None, 0, 0, values)
    peaks = values.cummax()
    if start_value is not None:
        peaks = np.maximum(peaks, float(start_value))
    underwater = values / peaks - 1.0
    trough_pos = int(np.argmin(underwater.to_numpy()))
    deepest = float(underwater.iloc[trough_pos])
    index = list(values.index)
    if deepest >= 0:
        return Drawdown(0.0, None, None, None, 0, _longest(underwater), underwater)
    peak_value = float(peaks.iloc[trough_pos])
    peak_pos = next((i for i in range(trough_pos, -1, -1) if values.iloc[i] >= peak_value), None)
    recovery_pos = next((i for i in range(trough_pos, len(values)) if values.iloc[i] >= peak_value), None)
    end = recovery_pos if recovery_pos is not None else len(values) - 1
    start = peak_pos if peak_pos is not None else -1  # -1: the start value was the peak
    return Drawdown(deepest, index[peak_pos] if peak_pos is not None else None, index[trough_pos],
                    index[recovery_pos] if recovery_pos is not None else None, end - start,
                    _longest(underwater), underwater)


def _longest(underwater: pd.Series) -> int:
    longest = current = 0
    for value in underwater.to_numpy():
        current = current + 1 if value < 0 else 0
        longest = max(longest, current)
    return longest


def calmar(annual: float | None, max_drawdown: float) -> float | None:
    if annual is None or max_drawdown >= 0:
        return None
    return _clean(annual / abs(max_drawdown))


def benchmark_figures(returns: pd.Series, bench: pd.Series, rf: float, periods: int) -> dict[str, float | None]:
    """Alpha, beta, excess return and information ratio of ``returns`` against ``bench`` (same days)."""
    joined = pd.concat([returns.rename("r"), bench.rename("b")], axis=1, join="inner").dropna()
    r, b = joined["r"].to_numpy(dtype=float), joined["b"].to_numpy(dtype=float)
    figures: dict[str, float | None] = {"benchmark_total_return": total_return(joined["b"]),
                                        "benchmark_annual_return": annual_return(joined["b"], periods) if len(b) else None}
    run_total = total_return(joined["r"])
    figures["excess_return"] = (_clean(run_total - figures["benchmark_total_return"])
                                if run_total is not None and figures["benchmark_total_return"] is not None else None)
    if len(r) < 2 or np.var(b) == 0:
        figures.update(alpha=None, beta=None, information_ratio=None, tracking_error=None)
        return figures
    beta = float(np.mean((b - b.mean()) * (r - rf)) / np.mean((b - b.mean()) ** 2))
    alpha = (1.0 + np.mean((r - rf) - beta * (b - rf))) ** periods - 1.0
    active = r - b
    tracking = np.std(active, ddof=1)
    figures.update(alpha=_clean(alpha), beta=_clean(beta),
                   tracking_error=_clean(tracking * math.sqrt(periods)),
                   information_ratio=_clean(np.mean(active) / tracking * math.sqrt(periods)) if tracking else None)
    return figures
