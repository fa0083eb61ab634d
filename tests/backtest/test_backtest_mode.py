"""Backtest mode: bars through the simulator on the engine thread, with every rule, risk check and audit row."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from engine import hookimpl
from engine.config import ConfigError
from engine.marketdata import DataFileError
from engine.runtime.backtest import WeekdayCalendar, iter_bar_batches

from .conftest import Recorder, day_bars, write_bars

CODE = "600000.SH"
TUE, WED = dt.date(2026, 3, 10), dt.date(2026, 3, 11)


def at(day, hh, mm):
    return dt.datetime.combine(day, dt.time(hh, mm))


def audit(tmp_path, sql):
    db = sqlite3.connect(tmp_path / "audit.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_an_order_fills_at_the_next_bar_open_and_is_audited(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", [
        (at(TUE, 9, 31), 10.0, 10.0, 10.0, 10.0, 5000),
        (at(TUE, 9, 32), 9.98, 10.05, 9.95, 10.02, 5000),
        (at(TUE, 9, 33), 10.02, 10.02, 10.02, 10.02, 5000),
    ])
    rec = Recorder({at(TUE, 9, 31): lambda ctx: ctx.buy(CODE, 300, price=10.0)})
    summary = backtest(plugins=(("rec", rec),), bars=bars, code=CODE).run()
    assert [b.time.minute for b in rec.bars] == [31, 32, 33]
    assert [(str(f.price), f.volume, f.time) for f in rec.fills] == [("9.98", 300, at(TUE, 9, 32))]
    assert summary.orders == 1 and summary.fills == 1
    assert audit(tmp_path, "SELECT count(*) FROM order_intents")[0][0] == 1
    assert audit(tmp_path, "SELECT price, volume FROM fills") == [("9.98", 300)]
    assert audit(tmp_path, "SELECT count(*) FROM risk_decisions")[0][0] >= 1


def test_fills_are_capped_by_the_bar_volume_and_the_rest_waits(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(TUE, [10.0, 10.0, 10.0], volume=200))
    rec = Recorder({at(TUE, 9, 31): lambda ctx: ctx.buy(CODE, 300, price=10.0)})
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE, participation=1).run()
    assert [f.volume for f in rec.fills] == [200, 100]


def test_t_plus_one_shares_bought_today_are_sold_tomorrow(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(TUE, [10.0] * 4) + day_bars(WED, [10.1] * 3))
    sold = []

    def sell_all(ctx):
        position = ctx.position(CODE)
        sold.append((ctx.now, position.volume, position.can_use_volume))
        if position.can_use_volume:
            ctx.sell(CODE, position.can_use_volume, price=10.1)

    rec = Recorder({at(TUE, 9, 31): lambda ctx: ctx.buy(CODE, 500, price=10.0),
                    at(TUE, 9, 33): sell_all, at(WED, 9, 31): sell_all})
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE).run()
    assert sold == [(at(TUE, 9, 33), 500, 0), (at(WED, 9, 31), 500, 500)]
    assert [(f.side.value, f.volume, f.time) for f in rec.fills] == [("buy", 500, at(TUE, 9, 32)),
                                                                      ("sell", 500, at(WED, 9, 32))]


def test_an_order_on_the_closing_bar_is_accepted_and_waits_for_the_next_bar(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(TUE, [10.0, 10.0], start=dt.time(14, 59)))
    rec = Recorder({at(TUE, 15, 0): lambda ctx: ctx.buy(CODE, 100, price=10.0)})
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE).run()
    assert rec.fills == [] and rec.errors == []  # bar clock: not 当前时间不允许交易; no next bar came
    assert [status for _, _, status in rec.orders][-1] == "REPORTED"


def test_an_order_beyond_the_daily_limit_never_reaches_the_market(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(TUE, [10.0, 10.0]) + day_bars(WED, [10.5, 10.5]))
    rec = Recorder({at(WED, 9, 31): lambda ctx: ctx.buy(CODE, 100, price=11.02)})  # limit up is 11.00
    backtest(plugins=(("rec", rec),), bars=bars, code=CODE).run()
    assert rec.fills == []
    denials = audit(tmp_path, "SELECT rule, reason FROM order_denials")
    assert len(denials) == 1 and "11.0" in denials[0][1], denials


def test_a_folder_of_codes_is_merged_by_time(tmp_path, backtest):
    folder = tmp_path / "bars"
    folder.mkdir()
    write_bars(folder / "600000.SH.csv", day_bars(TUE, [10.0, 10.1, 10.2]))
    write_bars(folder / "000001.SZ.csv", day_bars(TUE, [20.0, 20.1], start=dt.time(9, 32)))
    rec = Recorder()
    backtest(plugins=(("rec", rec),), bars=folder).run()
    assert [(b.time.minute, b.code) for b in rec.bars] == [
        (31, "600000.SH"), (32, "000001.SZ"), (32, "600000.SH"), (33, "000001.SZ"), (33, "600000.SH")]
    assert all(b.period == "1m" and b.volume == 100_000 for b in rec.bars)


def test_scheduled_jobs_run_between_bars_at_their_time(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(TUE, [10.0, 10.0]) + day_bars(TUE, [10.0], start=dt.time(13, 1)))

    class Job:
        ran = []

        @hookimpl
        def on_schedule(self, ctx, job, params):
            self.ran.append(ctx.now)

    job = {"name": "noon", "target": "job", "at": "12:00"}
    backtest(plugins=(("job", Job()),), jobs=[job], bars=bars, code=CODE).run()
    assert Job.ran == [at(TUE, 12, 0)]
    assert audit(tmp_path, "SELECT job, outcome FROM job_runs WHERE job = 'noon'") == [("noon", "ok")]


def test_bars_on_a_closed_exchange_day_are_skipped_unless_weekdays(tmp_path, backtest):
    holiday = dt.date(2026, 1, 1)  # New Year's Day, a Thursday
    rows = day_bars(holiday, [10.0]) + day_bars(dt.date(2026, 1, 5), [10.0])
    bars = write_bars(tmp_path / "bars.csv", rows)
    rec = Recorder()
    engine = backtest(plugins=(("rec", rec),), bars=bars, code=CODE)
    engine.run()
    assert [b.time.date() for b in rec.bars] == [dt.date(2026, 1, 5)]
    assert engine.runtime.feed.bars_skipped == 1
    rec2 = Recorder()
    backtest(plugins=(("rec2", rec2),), bars=bars, code=CODE, calendar="weekdays").run()
    assert len(rec2.bars) == 2


def test_data_before_the_exchange_calendar_names_the_weekdays_setting(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(dt.date(2005, 1, 4), [10.0]))
    with pytest.raises(ConfigError, match="backtest.calendar: weekdays"):
        backtest(bars=bars, code=CODE)


@pytest.mark.parametrize("settings, message", [
    ({"code": CODE}, "backtest.bars"),
    ({"bars": "missing.csv", "code": CODE}, "does not exist"),
])
def test_bad_settings_are_config_errors(tmp_path, backtest, settings, message):
    with pytest.raises(ConfigError, match=message):
        backtest(**settings)


def test_a_single_file_needs_its_code(tmp_path, backtest):
    bars = write_bars(tmp_path / "bars.csv", day_bars(TUE, [10.0]))
    with pytest.raises(ConfigError, match="backtest.code"):
        backtest(bars=bars)


def test_bars_stream_a_bad_row_fails_only_when_reached(tmp_path, backtest):
    rows = day_bars(TUE, [10.0, 10.0, 10.0])
    path = write_bars(tmp_path / "bars.csv", rows)
    path.write_text(path.read_text() + "2026-03-10 09:40:00,10,9,11,10,100\n")  # high below low
    batches = iter_bar_batches({CODE: path}, "1m")
    assert [next(batches)[0] for _ in range(3)] == [r[0] for r in rows]  # read lazily, one at a time
    with pytest.raises(DataFileError, match="line 5"):
        next(batches)
    rec = Recorder()
    with pytest.raises(DataFileError):
        backtest(plugins=(("rec", rec),), bars=path, code=CODE).run()
    assert len(rec.bars) == 3


def test_weekday_calendar():
    cal = WeekdayCalendar()
    assert cal.is_trading_day(dt.date(2026, 1, 1)) and not cal.is_trading_day(dt.date(2026, 1, 3))
    assert cal.next_trading_day(dt.date(2026, 1, 2)) == dt.date(2026, 1, 5)
    assert cal.previous_trading_day(dt.date(2026, 1, 5)) == dt.date(2026, 1, 2)
    assert cal.trading_day_number(dt.date(2026, 1, 1), dt.date(2026, 1, 12)) == 8
    assert len(cal.trading_days(dt.date(2026, 1, 1), dt.date(2026, 1, 12))) == 8
