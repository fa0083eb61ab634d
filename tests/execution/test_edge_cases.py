"""Edge cases of the execution layer: a superseded rebalance, the plugin disabled, a locked sell, a denied child."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.execution import Chase
from tests.backtest.conftest import write_bars

from .helpers import AtBars

A, B = "600000.SH", "000001.SZ"
DAYS = [dt.date(2026, 3, d) for d in (9, 10, 11, 12)]


def close_of(day):
    return dt.datetime.combine(day, dt.time(15, 0))


def bars(tmp_path, closes):
    folder = tmp_path / "bars"
    folder.mkdir()
    for code, rows in closes.items():
        write_bars(folder / f"{code}.csv", [(d.isoformat(), *row, 1_000_000) for d, row in zip(DAYS, rows)])
    return folder


def flat(p):
    return (p, p, p, p)


def test_a_newer_rebalance_supersedes_one_waiting_for_its_sells(tmp_path, backtest):
    runs = []
    rec = AtBars({close_of(DAYS[0]): lambda ctx: (runs.append(ctx.rebalance({B: 0.5})),
                                                  runs.append(ctx.rebalance({}, cash_buffer=0.1)))})
    backtest(plugins=(("rec", rec),), bars=bars(tmp_path, {A: [flat(10)] * 4, B: [flat(10)] * 4}), period="1d",
             initial_cash="1000", positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    first, second = runs
    assert first.status == "superseded" and [o.side.value for o in first.orders] == ["sell"]
    assert second.status == "done"   # its own sell plan saw the first one's open sell as pending: nothing more
    assert [o.side.value for o in second.orders] == []
    assert {f.code for f in rec.fills} == {A}   # B was never bought


def test_a_sell_locked_at_limit_down_is_reported_and_the_buys_use_only_the_cash_there_is(tmp_path, backtest):
    runs = []
    rec = AtBars({close_of(DAYS[0]): lambda ctx: runs.append(ctx.rebalance({B: 0.9}))})
    # day 2 is a one-price limit-down day for A: the sell cannot fill; it expires at day 3's roll
    closes = {A: [flat(10), flat(9), flat(9), flat(9)], B: [flat(10)] * 4}
    backtest(plugins=(("rec", rec),), bars=bars(tmp_path, closes), period="1d", risk={"order": {"price_band_pct": None}},
             initial_cash="50000", positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (run,) = runs
    assert run.status == "done"
    reasons = [s.reason for s in run.skipped]
    assert any("ended CANCELED with 0 of 1000 filled" in r for r in reasons)
    buys = [o for o in run.orders if o.side.value == "buy"]
    # 90% of 59000 is 5300 shares; 50000 CNY of cash with fees reserved buys 4900
    assert [o.volume for o in buys] == [4900]
    assert any("not enough cash" in r for r in reasons)


def test_without_the_execution_plugin_rebalance_says_what_is_missing(tmp_path, backtest):
    errors, runs = [], []

    def act(ctx):
        with pytest.raises(RuntimeError, match="built-in plugin 'execution'") as info:
            ctx.rebalance({A: 0.5})
        errors.append(str(info.value))
        runs.append(ctx.order_target(A, volume=100))

    rec = AtBars({close_of(DAYS[0]): act})
    engine = backtest(plugins=(("rec", rec),), bars=bars(tmp_path, {A: [flat(10)] * 4}), period="1d")
    # as `plugins.disabled: [execution]` would leave it
    engine.plugins[:] = [p for p in engine.plugins if p.name != "execution"]
    engine.pm.unregister(name="execution")
    engine.run()
    assert len(errors) == 1 and [o.volume for o in runs[0].orders] == [100]


def test_a_child_denied_by_risk_ends_the_parent_as_failed(tmp_path, backtest):
    algos = []
    rec = AtBars({close_of(DAYS[0]): lambda ctx: algos.append(ctx.execute(Chase(A, "buy", 5000, price="last")))})
    backtest(plugins=(("rec", rec),), bars=bars(tmp_path, {A: [flat(10)] * 4}), period="1d",
             risk={"order": {"max_order_value": 10000}}).run()
    (algo,) = algos
    assert algo.status == "failed" and "denied by risk" in algo.reason and algo.children == []
