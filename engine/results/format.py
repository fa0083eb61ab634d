"""How figures are shown (terminal and HTML alike): percentages, ratios, money, labels."""

from __future__ import annotations

from typing import Any

__all__ = ["HEADLINE", "METRIC_LABELS", "show"]

#: metric key -> (label, kind); kind: pct (signed), share (unsigned %), ratio, money, int, text
METRIC_LABELS: dict[str, tuple[str, str]] = {
    "pnl": ("P&L (CNY)", "money"), "total_return": ("total return", "pct"), "annual_return": ("annual return", "pct"),
    "volatility": ("volatility (annual)", "share"), "sharpe": ("Sharpe", "ratio"), "sortino": ("Sortino", "ratio"),
    "max_drawdown": ("max drawdown", "pct"), "max_drawdown_peak": ("  drawdown peak", "text"),
    "max_drawdown_trough": ("  drawdown trough", "text"), "max_drawdown_recovery": ("  recovered on", "text"),
    "max_drawdown_days": ("  days under water", "int"), "longest_drawdown_days": ("longest drawdown (days)", "int"),
    "max_drawdown_intraday": ("max drawdown, intraday", "pct"), "calmar": ("Calmar", "ratio"),
    "start_equity": ("start equity (CNY)", "money"), "end_equity": ("end equity (CNY)", "money"),
    "first_day": ("first day", "text"), "last_day": ("last day", "text"), "trading_days": ("trading days", "int"),
    "best_day": ("best day", "pct"), "worst_day": ("worst day", "pct"),
    "round_trips": ("round trips (closed)", "int"), "open_trips": ("open at the end", "int"),
    "win_rate": ("win rate", "share"), "profit_factor": ("profit factor", "ratio"),
    "average_win": ("average win (CNY)", "money"), "average_loss": ("average loss (CNY)", "money"),
    "average_holding_days": ("average holding (days)", "ratio"), "orders": ("orders", "int"),
    "fills": ("fills", "int"), "denials": ("risk denials", "int"), "traded_amount": ("traded (CNY)", "money"),
    "turnover": ("turnover (x average equity)", "ratio"), "annual_turnover": ("turnover a year", "ratio"),
    "fees": ("fees paid (CNY)", "money"), "stamp_duty": ("  of which stamp duty (est.)", "money"),
    "exposure_average": ("average exposure at the close", "share"), "time_in_market": ("days holding", "share"),
    "unattributed_pnl": ("P&L not from a strategy", "money"),
    "benchmark": ("benchmark", "text"), "benchmark_total_return": ("benchmark return", "pct"),
    "excess_return": ("excess return", "pct"), "alpha": ("alpha (annual)", "pct"), "beta": ("beta", "ratio"),
    "information_ratio": ("information ratio", "ratio"), "tracking_error": ("tracking error", "share"),
}

#: the figures shown first (terminal summary, report cards, comparison)
HEADLINE = ("pnl", "total_return", "annual_return", "sharpe", "sortino", "max_drawdown", "calmar", "win_rate",
            "profit_factor", "round_trips", "fees", "excess_return")


def show(key: str, value: Any) -> str:
    """``value`` of metric ``key`` as text (``-`` when it is None)."""
    if value is None:
        return "-"
    kind = METRIC_LABELS.get(key, (key, "text"))[1]
    try:
        if kind == "pct":
            return f"{float(value) * 100:+.2f}%"
        if kind == "share":
            return f"{float(value) * 100:.2f}%"
        if kind == "ratio":
            return f"{float(value):.2f}"
        if kind == "money":
            return f"{float(value):,.2f}"
        if kind == "int":
            return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
    return str(value)


def label(key: str) -> str:
    return METRIC_LABELS.get(key, (key, "text"))[0]
