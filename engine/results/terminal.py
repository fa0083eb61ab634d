"""The terminal summary of a run (``qmt-engine report``) and the side-by-side comparison (rich tables)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from .format import HEADLINE, METRIC_LABELS, label, show

if TYPE_CHECKING:
    from .run_results import RunResults

__all__ = ["print_comparison", "print_summary"]

#: the figures of the summary, after the headline
_DETAIL = ("first_day", "last_day", "trading_days", "volatility", "max_drawdown_peak", "max_drawdown_trough",
           "max_drawdown_recovery", "max_drawdown_days", "average_win", "average_loss", "average_holding_days",
           "open_trips", "orders", "fills", "denials", "traded_amount", "turnover", "stamp_duty", "exposure_average",
           "benchmark", "alpha", "beta", "information_ratio")


def _coloured(key: str, text: str) -> str:
    if METRIC_LABELS.get(key, ("", ""))[1] in ("pct", "money") and key not in ("fees", "stamp_duty", "traded_amount"):
        if text.startswith("-") and text != "-":
            return f"[red]{text}[/]"
        if text[:1].isdigit() or text.startswith("+"):
            return f"[green]{text}[/]"
    return text


def print_summary(results: RunResults, console: Console) -> None:
    """Headline figures, details, P&L by strategy and the notes of one run."""
    run = results.run
    table = Table(title=f"run {results.run_id} ({run.get('mode')}, {run.get('stop_reason') or 'no stop recorded'})",
                  show_header=False, title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key in (*HEADLINE, *_DETAIL):
        if key in results.metrics and (key not in ("benchmark", "alpha", "beta", "information_ratio", "excess_return")
                                         or results.benchmark_name):
            table.add_row(label(key).strip(), _coloured(key, show(key, results.metrics[key])))
    console.print(table)
    if results.strategies:
        by_strategy = Table(title="P&L by strategy (mark-to-market, fees included)", title_justify="left")
        for column in ("strategy", "pnl", "fills", "fees"):
            by_strategy.add_column(column, justify="left" if column == "strategy" else "right")
        for row in results.strategies:
            by_strategy.add_row(row["strategy"], _coloured("pnl", row["pnl"]), str(row["fills"]), row["fees"])
        console.print(by_strategy)
    for note in results.notes:
        console.print(f"[yellow]note:[/] {note}", highlight=False)


def print_comparison(runs: list[RunResults], console: Console) -> None:
    """The runs side by side: settings, then every headline and detail figure."""
    table = Table(title=f"{len(runs)} runs side by side", title_justify="left")
    table.add_column("")
    for results in runs:
        table.add_column(results.run_id, justify="right")
    table.add_row("mode", *(r.run.get("mode") or "" for r in runs))
    table.add_row("config", *((r.run.get("config_fingerprint") or "-")[:12] for r in runs))
    table.add_row("data", *((r.run.get("data_fingerprint") or "-")[:12] for r in runs))
    for name in sorted({s for r in runs for s in (r.run.get("strategies") or {})}):
        table.add_row(f"{name} params", *(_params(r, name) for r in runs))
    table.add_section()
    for key in (*HEADLINE, *_DETAIL):
        if any(key in r.metrics for r in runs):
            table.add_row(label(key).strip(), *(_coloured(key, show(key, r.metrics.get(key))) for r in runs))
    console.print(table)


def _params(results: RunResults, name: str) -> str:
    params = ((results.run.get("strategies") or {}).get(name) or {}).get("params")
    if params is None:
        return "-"
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items())) or "{}"
