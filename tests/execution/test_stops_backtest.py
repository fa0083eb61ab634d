"""Protective orders in backtests on the simulator: stops across T+1, trailing-stop paths, take-profit."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from engine.execution import StopError
from tests.backtest.conftest import day_bars, write_bars

from .helpers import AtBars

A = "600000.SH"
DAYS = [dt.date(2026, 3, d) for d in (9, 10, 11, 12, 13, 16, 17)]


def at(day: dt.date, hhmm: str = "15:00") -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def daily(tmp_path, closes):
    return write_bars(tmp_path / "a.csv", [(d.isoformat(), p, p, p, p, 1_000_000) for d, p in zip(DAYS, closes)])


def test_a_stop_on_shares_bought_today_waits_for_t1_and_says_so(tmp_path, backtest):
    d1, d2 = DAYS[:2]
    bars = write_bars(tmp_path / "a.csv", day_bars(d1, [10, 10, 10, 9.4, 9.3]) + day_bars(d2, [9.3, 9.3, 9.3]))
    stops = []
    rec = AtBars({at(d1, "09:31"): lambda ctx: ctx.buy(A, 1000, price=10.0),
                  at(d1, "09:33"): lambda ctx: stops.append(ctx.attach_stop(A, stop_loss=9.5, slack=0.01))})
    backtest(plugins=(("rec", rec),), bars=bars, code=A, period="1m").run()
    (stop,) = stops
    assert stop.status == "done" and stop.reason == "stop-loss 9.50 hit at 9.4"
    # triggered at 09:34 on day 1, but the shares were bought that day: sold on day 2 (T+1)
    assert [(f.side.value, f.volume, f.time) for f in rec.fills] == [("buy", 1000, at(d1, "09:32")),
                                                                       ("sell", 1000, at(d2, "09:32"))]
    db = sqlite3.connect(tmp_path / "audit.db")
    try:
        alerts = [row[0] for row in db.execute("SELECT detail FROM alerts WHERE kind = 'protective_order'")]
    finally:
        db.close()
    assert len(alerts) == 1 and "1000 of 1000 shares are not sellable today (T+1)" in alerts[0]


def test_a_trailing_stop_trails_the_peak_and_sells_on_the_pullback(tmp_path, backtest):
    stops = []
    rec = AtBars({at(DAYS[0]): lambda ctx: stops.append(ctx.attach_stop(A, trail_pct=0.05, slack=0.01))})
    backtest(plugins=(("rec", rec),), bars=daily(tmp_path, [10, 11, 12, 11.5, 11.3, 11.3]), code=A, period="1d",
             positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (stop,) = stops
    # peak 12 on day 3: the stop is 11.40; 11.5 on day 4 holds, 11.3 on day 5 triggers
    assert stop.reason == "trailing stop 11.40 (peak 12.0) hit at 11.3"
    assert stop.peak == Decimal("12.0") and stop.status == "done"
    assert [(f.side.value, f.volume, f.time.date()) for f in rec.fills] == [("sell", 1000, DAYS[5])]


def test_a_stop_sell_the_market_gapped_past_is_sent_again_next_day(tmp_path, backtest):
    stops = []
    rec = AtBars({at(DAYS[0]): lambda ctx: stops.append(ctx.attach_stop(A, take_profit=11.5, slack=0.01))})
    backtest(plugins=(("rec", rec),), bars=daily(tmp_path, [10, 11, 12, 11.5, 11.5, 11.5]), code=A, period="1d",
             positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (stop,) = stops
    # day 3: sell at 11.88; day 4 opens 11.5 (unfilled; the day order expires at day 5's roll);
    # day 5's close sends 11.39 (one sell at a time), filled at day 6's open
    assert [(str(o.price), o.status.name) for o in stop.orders] == [("11.88", "CANCELED"), ("11.39", "SUCCEEDED")]
    assert [(f.volume, f.time.date()) for f in rec.fills] == [(1000, DAYS[5])]


def test_a_trailing_stop_by_amount_and_a_take_profit_from_the_cost(tmp_path, backtest):
    stops = []

    def attach(ctx):
        stops.append(ctx.attach_stop(A, trail=1.5, volume=400, slack=0.01))
        stops.append(ctx.attach_stop(A, take_profit_pct=0.15, volume=600, slack=0.01))

    rec = AtBars({at(DAYS[0]): attach})
    backtest(plugins=(("rec", rec),), bars=daily(tmp_path, [10, 11, 12, 12, 11, 10.4, 10.4]), code=A,
             period="1d", positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    trailing, take_profit = stops
    assert take_profit.reason == "take-profit 11.50 hit at 12.0"
    assert trailing.reason == "trailing stop 10.50 (peak 12.0) hit at 10.4"
    assert [(f.side.value, f.volume, f.time.date()) for f in rec.fills] == [("sell", 600, DAYS[3]),
                                                                            ("sell", 400, DAYS[6])]


def test_a_cancelled_stop_never_sells(tmp_path, backtest):
    stops = []
    rec = AtBars({at(DAYS[0]): lambda ctx: stops.append(ctx.attach_stop(A, stop_loss=9.5)),
                  at(DAYS[1]): lambda ctx: [s.cancel() for s in ctx.protective_orders(A)]})
    backtest(plugins=(("rec", rec),), bars=daily(tmp_path, [10, 10, 9, 9, 9, 9]), code=A, period="1d",
             positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    assert stops[0].status == "cancelled" and rec.fills == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "at least one of"),
    ({"stop_loss": -1}, "stop_loss=-1 must be > 0"),
    ({"stop_loss": 9, "stop_loss_pct": 0.1}, "not both"),
    ({"trail_pct": 1.5}, r"trail_pct=1.5 must be in \(0, 1\)"),
])
def test_bad_stop_levels_are_refused_naming_the_field(tmp_path, backtest, kwargs, message):
    errors = []

    def attach(ctx):
        try:
            ctx.attach_stop(A, **kwargs)
        except StopError as exc:
            errors.append(str(exc))

    rec = AtBars({at(DAYS[0]): attach})
    backtest(plugins=(("rec", rec),), bars=daily(tmp_path, [10] * 6), code=A, period="1d",
             positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (error,) = errors
    assert error.startswith(f"attach_stop({A})") and __import__("re").search(message, error)
