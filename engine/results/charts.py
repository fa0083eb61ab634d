"""The report's charts as plotly figures (rendered to HTML by :mod:`.html`, JavaScript embedded once)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

if TYPE_CHECKING:
    from .run_results import RunResults

__all__ = ["comparison_figures", "run_figures"]

_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_LAYOUT = dict(template="plotly_white", height=340, margin=dict(l=60, r=20, t=40, b=40),
               legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1), hovermode="x unified")


def _intraday(results: RunResults) -> bool:
    return len(results.intraday) > len(results.equity) + 1


def _x(results: RunResults):
    """Daily points on the time axis: at their mark's time when intraday marks are drawn too."""
    return results.equity["time"] if _intraday(results) else results.equity.index


def _trading_axis(fig: go.Figure, intraday: bool) -> go.Figure:
    """Hide weekends, and with intraday data the night and the lunch break, from the time axis."""
    breaks = [dict(bounds=["sat", "mon"])]
    if intraday:
        breaks += [dict(bounds=[15.2, 9.3], pattern="hour"), dict(bounds=[11.55, 12.95], pattern="hour")]
    fig.update_xaxes(rangebreaks=breaks)
    return fig


def _figure(title: str, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(title=dict(text=title, x=0, font=dict(size=15)), **{**_LAYOUT, **layout})
    return fig


def equity_figure(results: RunResults) -> go.Figure:
    fig = _figure("Equity (CNY)", yaxis=dict(tickformat=",.0f"))
    intraday = results.intraday
    if len(intraday) > len(results.equity) + 1:
        fig.add_trace(go.Scatter(x=intraday.index, y=intraday["total_asset"], mode="lines", name="equity (marks)",
                                 line=dict(width=1, color="#9bb7d4")))
    daily = results.equity
    fig.add_trace(go.Scatter(x=_x(results), y=daily["total_asset"], mode="lines+markers", name="equity at the close",
                             line=dict(width=2, color="#1f5fa8"), marker=dict(size=4)))
    if "benchmark_equity" in daily:
        fig.add_trace(go.Scatter(x=_x(results), y=daily["benchmark_equity"], mode="lines",
                                 name=f"{results.benchmark_name} (same start)", line=dict(width=2, color="#d9822b", dash="dot")))
    return _trading_axis(fig, _intraday(results))


def underwater_figure(results: RunResults) -> go.Figure:
    fig = _figure("Drawdown from the peak", yaxis=dict(tickformat=".2%"))
    intraday = results.intraday
    if len(intraday) > 1:
        values = intraday["total_asset"].astype(float)
        under = values / values.cummax() - 1.0
        fig.add_trace(go.Scatter(x=intraday.index, y=under, mode="lines", fill="tozeroy", name="intraday",
                                 line=dict(width=1, color="#c0392b"), fillcolor="rgba(192,57,43,0.25)"))
    if "drawdown" in results.equity and len(results.equity):
        fig.add_trace(go.Scatter(x=_x(results), y=results.equity["drawdown"], mode="lines+markers",
                                 name="at the close", line=dict(width=2, color="#7b241c"), marker=dict(size=4)))
    return _trading_axis(fig, _intraday(results))


def monthly_figure(results: RunResults) -> go.Figure:
    table = results.monthly
    fig = _figure("Monthly returns", height=max(180, 90 + 40 * max(len(table), 1)), hovermode="closest")
    if table.empty:
        return fig
    z = table.to_numpy(dtype=float) * 100
    text = [[("" if pd.isna(v) else f"{v:+.2f}%") for v in row] for row in z]
    fig.add_trace(go.Heatmap(z=z, x=_MONTHS, y=[str(y) for y in table.index], text=text, texttemplate="%{text}",
                             colorscale="RdYlGn", zmid=0, hoverongaps=False, colorbar=dict(title="%"),
                             hovertemplate="%{y}-%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(type="category", autorange="reversed")
    return fig


def exposure_figure(results: RunResults) -> go.Figure:
    fig = _figure("Exposure: market value / total asset, by code", yaxis=dict(tickformat=".0%"))
    frame = results.exposure
    for code in frame.columns:
        fig.add_trace(go.Scatter(x=frame.index, y=frame[code], mode="lines", stackgroup="codes", name=code,
                                 line=dict(width=0.5)))
    if frame.empty and len(results.intraday):
        fig.add_trace(go.Scatter(x=results.intraday.index, y=results.intraday["exposure"], mode="lines", name="exposure"))
    return _trading_axis(fig, _intraday(results))


def daily_pnl_figure(results: RunResults) -> go.Figure:
    fig = _figure("Daily P&L by strategy (CNY)", barmode="relative", yaxis=dict(tickformat=",.0f"))
    frame = results.strategy_daily
    for name in frame.columns:
        fig.add_trace(go.Bar(x=frame.index, y=frame[name], name=name))
    if frame.empty and len(results.equity):
        fig.add_trace(go.Bar(x=results.equity.index, y=results.equity["pnl"], name="account"))
    return _trading_axis(fig, False)


def run_figures(results: RunResults) -> list[tuple[str, go.Figure]]:
    """``(id, figure)`` for every chart of a run's report, in page order."""
    return [("equity", equity_figure(results)), ("drawdown", underwater_figure(results)),
            ("monthly", monthly_figure(results)), ("exposure", exposure_figure(results)),
            ("daily-pnl", daily_pnl_figure(results))]


def comparison_figures(runs: list[RunResults]) -> list[tuple[str, go.Figure]]:
    """Equity (each run from 1.0) and drawdown of several runs on one time axis."""
    growth = _figure("Growth of 1 CNY", yaxis=dict(tickformat=".3f"))
    under = _figure("Drawdown from the peak", yaxis=dict(tickformat=".2%"))
    for results in runs:
        daily = results.equity
        if daily.empty:
            continue
        start = float(results.metrics["start_equity"]) or 1.0
        label = results.run_id
        first = daily.index[0] - pd.Timedelta(days=1)  # the start, drawn the day before the first close
        x = [first, *daily.index]
        growth.add_trace(go.Scatter(x=x, y=[1.0, *(daily["total_asset"] / start)], mode="lines+markers", name=label,
                                    marker=dict(size=4)))
        under.add_trace(go.Scatter(x=x, y=[0.0, *daily["drawdown"]], mode="lines", name=label))
    return [("compare-equity", growth), ("compare-drawdown", under)]
