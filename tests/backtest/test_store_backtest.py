"""Backtests from the data store: several codes, on_bars, ctx.history, corporate actions, adjusted prices."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from engine import hookimpl
from engine.config import ConfigError
from engine.datastore import DIVIDEND_SCHEMA, bar_table, write_bars, write_dividends
from engine.runtime.store_bars import iter_store_batches

from .conftest import Recorder

A, B, C = "600000.SH", "000001.SZ", "601398.SH"
DAYS = [dt.date(2026, 3, d) for d in (9, 10, 11, 12, 13, 16, 17, 18)]


def close_of(day):
    return dt.datetime.combine(day, dt.time(15, 0))


def daily(prices, volume=1_000_000, skip=()):
    return bar_table({"time": close_of(day), "open": p, "high": p, "low": p, "close": p, "volume": volume}
                     for i, (day, p) in enumerate(zip(DAYS, prices)) if i not in skip)


def dividend(ex_date, cash=0.0, bonus=0.0, transfer=0.0, factor=0.0):
    return pa.Table.from_pylist([{"ex_date": ex_date, "cash": cash, "bonus_shares": bonus, "transfer_shares": transfer,
                                  "allot_shares": 0.0, "allot_price": 0.0, "factor": factor}], schema=DIVIDEND_SCHEMA)


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "store"
    write_bars(root, "1d", A, daily([10.0, 10.1, 10.2, 10.3, 10.4, 10.5, 10.6, 10.7]))
    write_bars(root, "1d", B, daily([20.0, 19.0, 18.0, 17.0, 16.0, 15.5, 15.0, 14.5], skip={3}))  # 03-12 suspended
    write_bars(root, "1d", C, daily([5.0, 5.1, 5.2, 5.3, 5.4, 5.5, 5.6, 5.7]))
    return root


class CrossSection:
    """Records each on_bars call and the history it sees."""

    def __init__(self):
        self.calls, self.histories = [], []

    @hookimpl
    def on_bars(self, ctx, bars):
        self.calls.append((bars[0].time, [b.code for b in bars]))
        self.histories.append(ctx.history(A, 3, "close"))


def test_on_bars_gets_every_code_of_a_moment_and_history_the_recent_closes(store, backtest):
    strategy = CrossSection()
    backtest(plugins=(("xs", strategy),), store=store, period="1d").run()
    assert len(strategy.calls) == 8
    assert strategy.calls[0] == (close_of(DAYS[0]), [B, A, C])  # in code order
    assert strategy.calls[3] == (close_of(DAYS[3]), [A, C])  # B suspended that day: no bar
    assert strategy.histories[0] == [10.0] and strategy.histories[4] == [10.2, 10.3, 10.4]


def test_the_universe_can_be_a_list_a_file_or_a_sector(store, backtest, tmp_path):
    strategy = CrossSection()
    backtest(plugins=(("xs", strategy),), store=store, period="1d", codes=[A]).run()
    assert {tuple(codes) for _, codes in strategy.calls} == {(A,)}
    listing = tmp_path / "codes.txt"
    listing.write_text(f"# two banks\n{A}\n\n{C}\n", encoding="utf-8")
    strategy = CrossSection()
    backtest(plugins=(("xs", strategy),), store=store, period="1d", codes_file=listing).run()
    assert strategy.calls[0][1] == [A, C]
    (store / "sectors").mkdir()
    (store / "sectors" / "银行.txt").write_text(f"{B}\n{C}\n", encoding="utf-8")
    strategy = CrossSection()
    backtest(plugins=(("xs", strategy),), store=store, period="1d", sector="银行").run()
    assert strategy.calls[0][1] == [B, C]
    with pytest.raises(ConfigError, match="no 1d bars in the store for 688981.SH"):
        backtest(store=store, period="1d", codes=["688981.SH"])


def watch_position(code, log):
    def record(ctx):
        pos = ctx.position(code)
        log.append((ctx.now.date(), pos.volume, pos.can_use_volume, round(float(pos.avg_price), 4),
                    ctx.account.cash))
    return record


def test_a_cash_dividend_and_bonus_shares_on_the_ex_date(store, backtest):
    # 10 shares bonus + 2 transferred per 10, and 0.30 CNY cash per share, ex-date 2026-03-12
    write_dividends(store, A, dividend(DAYS[3], cash=0.3, bonus=0.1, transfer=0.2))
    log = []
    rec = Recorder({close_of(day): watch_position(A, log) for day in DAYS[2:5]})
    backtest(plugins=(("rec", rec),), store=store, period="1d", codes=[A], initial_cash="100000",
             positions=[{"code": A, "volume": 1000, "avg_price": "9.10"}]).run()
    before, ex_day, after = log
    assert before == (DAYS[2], 1000, 1000, 9.1, Decimal("100000.00"))
    # cash: 1000 x 0.30 = 300.00; shares: 1000 x 0.3 = 300 new, sellable from the next trading day;
    # total cost 9,100 unchanged over 1,300 shares
    assert ex_day[:3] == (DAYS[3], 1300, 1000) and ex_day[3] == round(9100 / 1300, 4)
    assert Decimal(str(ex_day[4])) == Decimal("100300.00")
    assert after[:3] == (DAYS[4], 1300, 1300)


def test_the_ex_date_limits_come_from_the_ex_right_price(store, backtest):
    # 10-for-10 bonus: the price halves; the limits of the ex-date are around 10.2 / 2 = 5.10
    write_bars(store, "1d", A, daily([10.0, 10.1, 10.2, 5.15, 5.2, 5.25, 5.3, 5.35]))
    write_dividends(store, A, dividend(DAYS[3], bonus=1.0))
    orders = []
    rec = Recorder({close_of(DAYS[3]): lambda ctx: orders.append(ctx.buy(A, 100, price=5.2))})
    backtest(plugins=(("rec", rec),), store=store, period="1d", codes=[A],
             risk={"order": {"price_band_pct": None}}).run()
    assert rec.errors == [] and [(str(f.price), f.volume) for f in rec.fills] == [("5.20", 100)]


def test_adjusted_prices_from_the_dividend_factors(store):
    write_dividends(store, A, dividend(DAYS[3], cash=0.3, bonus=0.1, transfer=0.2))
    # dr = close before / ex-right price = 10.2 / ((10.2 - 0.3) / 1.3)
    dr = 10.2 / ((10.2 - 0.3) / 1.3)
    raw = [b.close for _, bars in iter_store_batches(store, "1d", [A]) for b in bars]
    front = [b.close for _, bars in iter_store_batches(store, "1d", [A], adjust="front") for b in bars]
    back = [b.close for _, bars in iter_store_batches(store, "1d", [A], adjust="back") for b in bars]
    assert front[3:] == raw[3:] and front[:3] == [round(p / dr, 3) for p in raw[:3]]
    assert back[:3] == raw[:3] and back[3:] == [round(p * dr, 3) for p in raw[3:]]
    assert front[2] == pytest.approx(raw[3] * 0 + 10.2 / dr, abs=0.001)


def test_adjusted_backtests_apply_no_corporate_action(store, backtest):
    write_dividends(store, A, dividend(DAYS[3], cash=0.3, bonus=0.1, transfer=0.2))
    log = []
    rec = Recorder({close_of(DAYS[3]): watch_position(A, log)})
    backtest(plugins=(("rec", rec),), store=store, period="1d", codes=[A], adjust="front",
             positions=[{"code": A, "volume": 1000, "avg_price": "9.10"}]).run()
    assert log[0][1:3] == (1000, 1000)
