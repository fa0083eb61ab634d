"""The figures against an independent computation: empyrical-reloaded on the same daily returns, and
hand-computed fixtures. Tolerances are stated per assertion (floating point only: 1e-9 relative)."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from decimal import Decimal
from types import SimpleNamespace

import empyrical as ep
import numpy as np
import pandas as pd
import pytest

from engine.results import compute_results
from engine.results import metrics as m
from engine.results.trades import round_trips, trade_figures

from .conftest import run_engine

REL = 1e-9  # same formulas on the same floats: only rounding differences


def series(seed: int, n: int = 250, mean: float = 0.0006, sd: float = 0.012) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(rng.normal(mean, sd, n), index=pd.bdate_range("2025-01-02", periods=n))


@pytest.mark.parametrize("rf_year", [0.0, 0.025])
def test_return_and_risk_figures_match_empyrical(rf_year):
    r = series(1)
    rf = rf_year / 252
    assert m.total_return(r) == pytest.approx(ep.cum_returns_final(r), rel=REL)
    assert m.annual_return(r, 252) == pytest.approx(ep.annual_return(r, annualization=252), rel=REL)
    assert m.annual_volatility(r, 252) == pytest.approx(ep.annual_volatility(r, annualization=252), rel=REL)
    assert m.sharpe(r, rf, 252) == pytest.approx(ep.sharpe_ratio(r, risk_free=rf, annualization=252), rel=REL)
    assert m.sortino(r, rf, 252) == pytest.approx(ep.sortino_ratio(r, required_return=rf, annualization=252), rel=REL)


def test_drawdown_and_calmar_match_empyrical_with_the_start_value_as_first_peak():
    r = series(2, mean=-0.0002)
    equity = pd.concat([pd.Series([1.0], index=[r.index[0] - pd.Timedelta(days=1)]), (1 + r).cumprod()])
    # empyrical's first peak is the first day's value; a 0.0 return before it makes the start the first peak
    with_start = pd.concat([pd.Series([0.0], index=equity.index[:1]), r])
    dd = m.drawdown(equity)
    assert dd.max_drawdown == pytest.approx(ep.max_drawdown(with_start), rel=REL)
    assert m.calmar(m.annual_return(r, 252), dd.max_drawdown) == pytest.approx(
        ep.annual_return(r) / abs(ep.max_drawdown(with_start)), rel=REL)


def test_benchmark_figures_match_empyrical():
    r, b = series(3), series(4, mean=0.0003)
    rf = 0.02 / 252
    figures = m.benchmark_figures(r, b, rf, 252)
    alpha, beta = ep.alpha_beta(r, b, risk_free=rf, annualization=252)
    assert figures["beta"] == pytest.approx(beta, rel=REL)
    assert figures["alpha"] == pytest.approx(alpha, rel=REL)
    assert figures["information_ratio"] == pytest.approx(ep.excess_sharpe(r, b) * math.sqrt(252), rel=REL)
    assert figures["excess_return"] == pytest.approx(ep.cum_returns_final(r) - ep.cum_returns_final(b), rel=REL)


def test_drawdown_dates_and_duration_by_hand():
    days = pd.date_range("2026-01-05", periods=8, freq="B")
    # start 100 -> peak 110 on day 1, trough 88 on day 3 (-20%), back to 110 on day 6
    equity = pd.Series([110, 99, 88, 95, 104, 110, 111, 105], index=days, dtype=float)
    dd = m.drawdown(equity)
    assert dd.max_drawdown == pytest.approx(-0.2, abs=1e-12)
    assert (dd.peak, dd.trough, dd.recovery) == (days[0], days[2], days[5])
    assert dd.duration_days == 5  # peak day 0 -> recovered day 5
    assert dd.longest_days == 4  # days 1-4 under water
    assert m.sharpe(pd.Series([0.01, 0.01]), 0.0, 252) is None  # no variation: no ratio, not inf


def _fill(ts, strategy, side, volume, price, fee):
    price = Decimal(price)
    return SimpleNamespace(ts=dt.datetime.fromisoformat(ts), strategy=strategy, code="600000.SH", side=side,
                           volume=volume, amount=price * volume, commission=Decimal(fee))


def test_round_trips_by_hand():
    days = [dt.date(2026, 1, d) for d in (5, 6, 7, 8, 9)]
    fills = [
        _fill("2026-01-05T10:00", "a", "buy", 200, "10.00", "5"),   # trip 1 opens
        _fill("2026-01-05T10:30", "a", "buy", 100, "10.30", "5"),   # scales in: 300 @ 10.10
        _fill("2026-01-06T10:00", "a", "sell", 100, "10.50", "5.53"),
        _fill("2026-01-07T10:00", "a", "sell", 200, "10.60", "6.06"),  # flat: closes after 2 days
        _fill("2026-01-07T11:00", "b", "sell", 100, "10.60", "5.53"),  # b never bought: unmatched
        _fill("2026-01-08T10:00", "a", "buy", 100, "10.80", "5"),   # trip 2 opens
        _fill("2026-01-09T10:00", "a", "sell", 100, "10.20", "5.51"),  # loses
        _fill("2026-01-09T10:05", "a", "buy", 100, "10.00", "5"),   # trip 3, open at the end
    ]
    result = round_trips(fills, days, {"600000.SH": Decimal("10.10")})
    first, second, third = result.trips
    assert (first.volume, first.entry_price, first.exit_price, first.holding_days) == (
        300, Decimal("10.1000"), Decimal("10.5667"), 2)
    assert first.pnl == Decimal("3170.00") - Decimal("3030.00") - Decimal("21.59")
    assert second.pnl == Decimal("1020") - Decimal("1080") - Decimal("10.51") and second.holding_days == 1
    assert third.open and third.pnl == Decimal("1010") - Decimal("1000") - Decimal("5")
    assert result.unmatched_sell_volume == 100
    figures = trade_figures(result.trips)
    assert figures["round_trips"] == 2 and figures["open_trips"] == 1 and figures["win_rate"] == 0.5
    assert figures["profit_factor"] == pytest.approx(118.41 / 70.51, rel=REL)
    assert (figures["average_win"], figures["average_loss"]) == ("118.41", "-70.51")


def test_a_backtest_run_matches_empyrical_on_the_returns_of_its_audit_view(backtest_folder):
    folder = backtest_folder()
    run_engine(folder)
    results = compute_results(folder / "audit.db")
    conn = sqlite3.connect(folder / "audit.db")
    try:  # an independent path to the same returns: the SQL view's REAL columns
        rows = conn.execute("SELECT trading_day, return_num FROM equity_daily WHERE run_id = ? ORDER BY trading_day",
                            [results.run_id]).fetchall()
    finally:
        conn.close()
    r = pd.Series([v for _, v in rows], index=pd.to_datetime([d for d, _ in rows]))
    figures = results.metrics
    assert figures["trading_days"] == 20 and len(r) == 20
    assert figures["sharpe"] == pytest.approx(ep.sharpe_ratio(r), rel=1e-9)
    assert figures["sortino"] == pytest.approx(ep.sortino_ratio(r), rel=1e-9)
    assert figures["volatility"] == pytest.approx(ep.annual_volatility(r), rel=1e-9)
    assert figures["annual_return"] == pytest.approx(ep.annual_return(r), rel=1e-9)
    with_start = pd.concat([pd.Series([0.0], index=[r.index[0] - pd.Timedelta(days=1)]), r])
    assert figures["max_drawdown"] == pytest.approx(ep.max_drawdown(with_start), rel=1e-9)
    index = pd.read_csv(folder / "index.csv", parse_dates=["date"]).set_index("date")["close"]
    bench = index.pct_change().reindex(r.index)
    alpha, beta = ep.alpha_beta(r, bench)
    assert figures["beta"] == pytest.approx(beta, rel=1e-9)
    assert figures["alpha"] == pytest.approx(alpha, rel=1e-9)
    assert figures["information_ratio"] == pytest.approx(ep.excess_sharpe(r, bench) * math.sqrt(252), rel=1e-9)
    # money is exact: the P&L is the end equity minus the start, to the cent, and the strategies add up to it
    assert Decimal(figures["pnl"]) == Decimal(figures["end_equity"]) - Decimal(figures["start_equity"])
    by_name = {row["strategy"]: Decimal(row["pnl"]) for row in results.strategies}
    assert set(by_name) == {"swing_a", "swing_b", "(unattributed)"} and by_name["(unattributed)"] == 0
    assert sum(by_name.values()) == Decimal(figures["pnl"])
    assert figures["round_trips"] > 10 and 0 <= figures["win_rate"] <= 1
    assert Decimal(figures["fees"]) > Decimal(figures["stamp_duty"]) > 0
