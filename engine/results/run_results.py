"""One run's results from its audit database: :func:`compute_results` (everything) and :func:`run_metrics`.

Everything is computed from the audit file alone (the run's settings, equity
marks and fills), so a live day, a paper run and a backtest get the same
figures, and a report can be made long after the run, on another machine.
The conventions (risk-free rate, days per year, benchmark) are the run's own
``results:`` settings unless the caller passes others.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
from sqlite_utils import Database

from ..instruments import InstrumentError, kind_from_prefix
from . import metrics as m
from .benchmark import BenchmarkError, benchmark_returns, load_benchmark
from .load import RunData, load_run, open_db, resolve_run_id
from .pnl import daily_strategy_pnl
from .series import daily_equity, day_closes, exposure_by_code, intraday_equity, monthly_returns
from .settings import ResultsSettings
from .trades import RoundTrip, round_trips, trade_figures

__all__ = ["RunResults", "compute_results", "load_results", "run_metrics"]

CENT = Decimal("0.01")
ZERO = Decimal("0")


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, ROUND_HALF_UP))


@dataclass
class RunResults:
    """A run's results. DataFrames: ``equity`` (daily), ``intraday``, ``monthly``, ``exposure``;
    ``trades`` (round trips), ``strategies`` (attribution rows), ``metrics`` (the figures)."""

    run: dict[str, Any]
    settings: ResultsSettings
    metrics: dict[str, Any]
    equity: pd.DataFrame
    intraday: pd.DataFrame
    monthly: pd.DataFrame
    exposure: pd.DataFrame
    trades: list[RoundTrip]
    strategies: list[dict[str, Any]]
    strategy_daily: pd.DataFrame
    drawdown: m.Drawdown | None = None
    benchmark_name: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return self.run["run_id"]

    def trades_frame(self) -> pd.DataFrame:
        """The round trips as a DataFrame (one row per trip)."""
        columns = ["strategy", "code", "entry", "exit", "volume", "entry_price", "exit_price", "bought", "sold",
                   "fees", "pnl", "return", "holding_days", "open", "fills"]
        frame = pd.DataFrame([t.as_dict() for t in self.trades], columns=columns)
        for column in ("entry", "exit"):
            frame[column] = pd.to_datetime(frame[column])
        for column in ("entry_price", "exit_price", "bought", "sold", "fees", "pnl"):
            frame[column] = pd.to_numeric(frame[column])
        return frame

    def as_dict(self) -> dict[str, Any]:
        """Everything as JSON-friendly data (the ``--json`` report)."""
        from .json_report import results_dict

        return results_dict(self)


def _stamp_duty(data: RunData) -> Decimal:
    """Stamp duty the run's stock sells paid, estimated per order from the configured rate (fills carry one fee total)."""
    config = data.settings.get("config") or {}
    section = config.get("backtest" if data.mode == "backtest" else "paper") or {}
    rate = Decimal(str((section.get("fees") or {}).get("stamp_duty_rate", "0.0005")))
    per_order: dict[str, Decimal] = {}
    for fill in data.own_fills:
        try:
            stock = kind_from_prefix(fill.code) == "stock"
        except InstrumentError:
            stock = False
        if fill.side == "sell" and stock:
            per_order[fill.client_order_id or str(fill.seq)] = per_order.get(fill.client_order_id or str(fill.seq), ZERO) + fill.amount
    return sum(((amount * rate).quantize(CENT, ROUND_HALF_UP) for amount in per_order.values()), ZERO)


def _settings_of(data: RunData, given: ResultsSettings | None) -> ResultsSettings:
    if given is not None:
        return given
    stored = (data.settings.get("config") or {}).get("results")
    try:
        return ResultsSettings.model_validate(stored) if stored else ResultsSettings()
    except ValueError:
        return ResultsSettings()


def _attribution(data: RunData, account_pnl: Decimal) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    closes = day_closes(data.marks)
    if not closes:
        return [], pd.DataFrame()
    start_prices = {code: price for code, (_, price) in data.marks[0].positions.items()}
    days = daily_strategy_pnl(data.fills, [(c.day, {k: p for k, (_, p) in c.positions.items()}) for c in closes],
                              start_prices)
    totals: dict[str, dict[str, Any]] = {}
    daily: dict[pd.Timestamp, dict[str, float]] = {}
    for day, rows in days.items():
        daily[pd.Timestamp(day)] = {name: float(pnl) for name, (pnl, _) in rows.items()}
        for name, (pnl, flows) in rows.items():
            row = totals.setdefault(name, {"strategy": name, "pnl": ZERO, "bought": ZERO, "sold": ZERO, "fees": ZERO,
                                           "fills": 0})
            row["pnl"] += pnl
            row["bought"] += flows.bought
            row["sold"] += flows.sold
            row["fees"] += flows.fees
            row["fills"] += flows.fills
    attributed = sum((row["pnl"] for row in totals.values()), ZERO)
    out = [{k: _money(v) if isinstance(v, Decimal) else v for k, v in row.items()} for row in totals.values()]
    out.sort(key=lambda row: row["strategy"])
    out.append({"strategy": "(unattributed)", "pnl": _money(account_pnl - attributed), "bought": "0.00",
                "sold": "0.00", "fees": "0.00", "fills": 0})
    return out, pd.DataFrame.from_dict(daily, orient="index").fillna(0.0).sort_index()


def compute_results(db: Database | str | Path, run: str | None = None, *,
                    settings: ResultsSettings | None = None) -> RunResults:
    """Every figure of one run (default: the latest) from the audit database ``db`` (a path or an open one).

    :raises AuditRunNotFoundError: no such run.
    """
    database, opened = open_db(db)
    try:
        data = load_run(database, resolve_run_id(database, run))
    finally:
        if opened:
            database.close()
    return results_of(data, settings)


def results_of(data: RunData, settings: ResultsSettings | None = None) -> RunResults:
    """The results of a loaded run."""
    conv = _settings_of(data, settings)
    notes: list[str] = []
    if not data.marks:
        notes.append("no equity marks recorded for this run (plugin 'results' disabled, or a file older than m006): "
                     "no equity curve or return figures")
    equity = daily_equity(data.marks)
    intraday = intraday_equity(data.marks)
    start_value = data.marks[0].total_asset if data.marks else ZERO
    end_value = data.marks[-1].total_asset if data.marks else ZERO
    account_pnl = end_value - start_value
    returns = equity["return"].dropna().astype(float)
    periods, rf = conv.days_per_year, conv.daily_risk_free
    curve = pd.concat([pd.Series([float(start_value)], index=[data.marks[0].ts]) if data.marks else pd.Series(dtype=float),
                       equity["total_asset"]]) if data.marks else pd.Series(dtype=float)
    dd = m.drawdown(curve)
    equity["drawdown"] = dd.underwater.iloc[1:].to_numpy() if len(curve) > 1 else []
    intraday_dd = m.drawdown(intraday["total_asset"]) if not intraday.empty else None
    days = [ts.date() for ts in equity.index]
    last_prices = {code: price for code, (_, price) in data.marks[-1].positions.items()} if data.marks else {}
    trips = round_trips(data.own_fills, days, last_prices)
    strategies, strategy_daily = _attribution(data, account_pnl)
    own = data.own_fills
    traded = sum((f.amount for f in own), ZERO)
    fees = sum((f.commission for f in own), ZERO)
    stamp = _stamp_duty(data)
    mean_equity = float(equity["total_asset"].mean()) if not equity.empty else 0.0
    annual = m.annual_return(returns, periods)
    figures: dict[str, Any] = {
        "start_equity": _money(start_value), "end_equity": _money(end_value), "pnl": _money(account_pnl),
        "first_day": days[0].isoformat() if days else None, "last_day": days[-1].isoformat() if days else None,
        "trading_days": len(days),
        "total_return": float(end_value / start_value - 1) if start_value > 0 else None,
        "annual_return": annual, "volatility": m.annual_volatility(returns, periods),
        "sharpe": m.sharpe(returns, rf, periods), "sortino": m.sortino(returns, rf, periods),
        "max_drawdown": dd.max_drawdown,
        "max_drawdown_peak": dd.peak.date().isoformat() if dd.peak is not None else None,
        "max_drawdown_trough": dd.trough.date().isoformat() if dd.trough is not None else None,
        "max_drawdown_recovery": dd.recovery.date().isoformat() if dd.recovery is not None else None,
        "max_drawdown_days": dd.duration_days, "longest_drawdown_days": dd.longest_days,
        "max_drawdown_intraday": intraday_dd.max_drawdown if intraday_dd is not None else None,
        "calmar": m.calmar(annual, dd.max_drawdown),
        "best_day": float(returns.max()) if not returns.empty else None,
        "worst_day": float(returns.min()) if not returns.empty else None,
        **trade_figures(trips.trips),
        "unmatched_sell_volume": trips.unmatched_sell_volume,
        "orders": data.orders, "fills": len(own), "denials": data.denials,
        "traded_amount": _money(traded), "fees": _money(fees), "stamp_duty": _money(stamp),
        "turnover": float(traded) / 2 / mean_equity if mean_equity else None,
        "annual_turnover": float(traded) / 2 / mean_equity * periods / len(days) if mean_equity and days else None,
        "exposure_average": float(equity["exposure"].dropna().mean()) if equity["exposure"].notna().any() else None,
        "time_in_market": float((equity["held_codes"] > 0).mean()) if not equity.empty else None,
        "unattributed_pnl": strategies[-1]["pnl"] if strategies else None,
        "risk_free_rate": conv.risk_free_rate, "days_per_year": periods,
        "benchmark": None, "alpha": None, "beta": None, "excess_return": None, "information_ratio": None,
        "tracking_error": None, "benchmark_total_return": None, "benchmark_annual_return": None,
    }
    bench_name = _add_benchmark(conv, equity, returns, figures, notes, float(start_value))
    return RunResults(run=_run_info(data), settings=conv, metrics=figures, equity=equity, intraday=intraday,
                      monthly=monthly_returns(returns), exposure=exposure_by_code(data.marks), trades=trips.trips,
                      strategies=strategies, strategy_daily=strategy_daily, drawdown=dd, benchmark_name=bench_name,
                      notes=notes)


def _add_benchmark(conv: ResultsSettings, equity: pd.DataFrame, returns: pd.Series, figures: dict[str, Any],
                   notes: list[str], start_value: float) -> str | None:
    if conv.benchmark is None or equity.empty:
        return None
    try:
        closes = load_benchmark(conv.benchmark)
    except BenchmarkError as exc:
        notes.append(f"benchmark left out: {exc}")
        return None
    days = [ts.date() for ts in equity.index]
    bench = benchmark_returns(closes, days)
    bench.index = equity.index
    equity["benchmark_return"] = bench
    equity["benchmark_equity"] = start_value * (1.0 + bench.fillna(0.0)).cumprod()
    if bench.isna().all():
        notes.append(f"benchmark {conv.benchmark.label}: no closes on the run's days")
    figures["benchmark"] = conv.benchmark.label
    figures.update(m.benchmark_figures(returns, bench.dropna(), conv.daily_risk_free, conv.days_per_year))
    return conv.benchmark.label


def _run_info(data: RunData) -> dict[str, Any]:
    s = data.settings
    return {"run_id": data.run_id, "mode": data.mode, "scope": data.scope, "started_at": data.started_at,
            "stopped_at": data.stopped_at, "stop_reason": data.stop_reason, "data": s.get("data"),
            "strategies": s.get("strategies") or {}, "plugin_settings": s.get("plugin_settings") or {},
            "plugins": s.get("plugins") or [], "config": s.get("config"),
            "config_fingerprint": s.get("config_fingerprint"), "data_fingerprint": s.get("data_fingerprint"),
            "summary": data.summary, "database": data.database}


def load_results(db: Database | str | Path, run: str | None = None, **kwargs: Any) -> RunResults:
    """Alias of :func:`compute_results` (reads better in a notebook: ``load_results("var/audit.db")``)."""
    return compute_results(db, run, **kwargs)


def run_metrics(db: Database | str | Path, run: str | None = None, *,
                settings: ResultsSettings | None = None) -> dict[str, Any]:
    """The figures of one run as a plain dict (floats, ints, decimal strings, ISO dates; None where
    a figure cannot be computed): the objective a parameter sweep ranks runs by."""
    return dict(compute_results(db, run, settings=settings).metrics)


