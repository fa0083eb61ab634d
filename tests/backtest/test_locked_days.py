"""Honest fills on daily bars: nothing fills on the locked side of a limit-locked bar, and a fill takes at most
``participation`` of the bar's volume (default 10%); the rest of a day order expires at that day's end."""

from __future__ import annotations

import datetime as dt

from .conftest import Recorder, write_bars

CODE = "600000.SH"  # Shanghai main board: +-10% daily limits
NO_PRICE_BAND = {"order": {"price_band_pct": None}}  # orders at the limit price are the point here
MON, TUE, WED = dt.date(2026, 3, 9), dt.date(2026, 3, 10), dt.date(2026, 3, 11)


def close_of(day):
    return dt.datetime.combine(day, dt.time(15, 0))


def run(tmp_path, backtest, tuesday, action, **settings):
    rows = [(MON.isoformat(), 10.00, 10.00, 10.00, 10.00, 1_000_000), (TUE.isoformat(), *tuesday),
            (WED.isoformat(), 10.50, 10.60, 10.40, 10.50, 1_000_000)]
    bars = write_bars(tmp_path / "daily.csv", rows)
    rec = Recorder({close_of(MON): action})
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE, period="1d", risk=NO_PRICE_BAND, **settings).run()
    return rec


def final_statuses(rec):
    last = {}
    for cid, _, status in rec.orders:
        last[cid] = status
    return list(last.values())


def test_no_buy_fills_on_a_one_price_limit_up_day(tmp_path, backtest):
    # Monday closes 10.00: Tuesday's limit-up is 11.00, and Tuesday trades only at 11.00 (一字涨停)
    rec = run(tmp_path, backtest, (11.00, 11.00, 11.00, 11.00, 2_000_000),
              lambda ctx: ctx.buy(CODE, 1000, price=11.00))
    assert rec.fills == []
    assert final_statuses(rec) == ["CANCELED"]  # met Tuesday's bar unfilled; expired at Wednesday's roll


def test_a_buy_fills_when_the_limit_up_day_opens_up(tmp_path, backtest):
    rec = run(tmp_path, backtest, (11.00, 11.00, 10.60, 10.80, 2_000_000),
              lambda ctx: ctx.buy(CODE, 1000, price=11.00))
    assert [(str(f.price), f.volume, f.time) for f in rec.fills] == [("11.00", 1000, close_of(TUE))]


def test_no_sell_fills_on_a_one_price_limit_down_day(tmp_path, backtest):
    rec = run(tmp_path, backtest, (9.00, 9.00, 9.00, 9.00, 2_000_000),
              lambda ctx: ctx.sell(CODE, 1000, price=9.00),
              positions=[{"code": CODE, "volume": 1000, "avg_price": "10"}])
    assert rec.fills == []
    assert final_statuses(rec) == ["CANCELED"]


def test_a_fill_takes_at_most_the_participation_share_of_the_bars_volume(tmp_path, backtest):
    # 10% of Tuesday's 12,000 shares is 1,200; the other 1,300 expire with the day
    rec = run(tmp_path, backtest, (10.20, 10.30, 10.10, 10.25, 12_000),
              lambda ctx: ctx.buy(CODE, 2500, price=10.30))
    assert [(str(f.price), f.volume) for f in rec.fills] == [("10.20", 1200)]
    assert final_statuses(rec) == ["PART_CANCEL"]


def test_the_participation_share_is_a_setting(tmp_path, backtest):
    rec = run(tmp_path, backtest, (10.20, 10.30, 10.10, 10.25, 12_000),
              lambda ctx: ctx.buy(CODE, 2500, price=10.30), participation="0.5")
    assert [f.volume for f in rec.fills] == [2500]


def test_a_suspended_day_fills_nothing(tmp_path, backtest):
    rec = run(tmp_path, backtest, (10.00, 10.00, 10.00, 10.00, 0), lambda ctx: ctx.buy(CODE, 1000, price=10.30))
    assert rec.fills == []
