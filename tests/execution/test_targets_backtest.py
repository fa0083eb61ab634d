"""``ctx.rebalance`` / ``ctx.order_target`` in backtests on the simulator: cash ordering, T+1, limit-up, STAR."""

from __future__ import annotations

import datetime as dt
import sqlite3

from tests.backtest.conftest import write_bars

from .helpers import AtBars

A, B, STAR = "600000.SH", "000001.SZ", "688981.SH"
MON, TUE, WED, THU = (dt.date(2026, 3, d) for d in (9, 10, 11, 12))
DAYS = (MON, TUE, WED, THU)


def close_of(day):
    return dt.datetime.combine(day, dt.time(15, 0))


def bars_dir(tmp_path, closes: dict[str, list[float]]):
    folder = tmp_path / "bars"
    folder.mkdir()
    for code, prices in closes.items():
        write_bars(folder / f"{code}.csv", [(day.isoformat(), p, p, p, p, 1_000_000) for day, p in zip(DAYS, prices)])
    return folder


def run(tmp_path, backtest, closes, actions, **settings):
    rec = AtBars(actions)
    engine = backtest(plugins=(("rec", rec),), bars=bars_dir(tmp_path, closes), period="1d", **settings)
    engine.run()
    return rec, engine


def test_rebalance_sells_first_and_buys_once_the_sells_cash_is_usable(tmp_path, backtest):
    runs = []
    rec, engine = run(tmp_path, backtest, {A: [10] * 4, B: [10] * 4},
                      {close_of(MON): lambda ctx: runs.append(ctx.rebalance({B: 0.9}))},
                      initial_cash="1000", positions=[{"code": A, "volume": 1000, "avg_price": "10"}])
    (result,) = runs
    assert result.status == "done" and result.skipped == []
    sides = [(o.side.value, o.code, o.volume) for o in result.orders]
    # total asset 11000: 90% is 9900 CNY = 990 shares -> 900 in whole lots
    assert sides == [("sell", A, 1000), ("buy", B, 900)]
    sell_id, buy_id = (o.client_order_id for o in result.orders)
    statuses = [(cid, status) for cid, _, status in rec.orders]
    # the buy appeared only after the sell had filled (its cash usable): never with only 1000 CNY
    assert statuses.index((sell_id, "SUCCEEDED")) < min(i for i, (cid, _) in enumerate(statuses) if cid == buy_id)
    assert [(f.side.value, f.code, f.time.date()) for f in rec.fills] == [("sell", A, TUE), ("buy", B, WED)]
    assert engine.ledger.positions[B].volume == 900 and A not in {c for c, p in engine.ledger.positions.items() if p.volume}
    db = sqlite3.connect(tmp_path / "audit.db")
    try:
        intents = db.execute("SELECT side, code, volume FROM order_intents WHERE strategy = 'rec' ORDER BY seq").fetchall()
    finally:
        db.close()
    assert intents == [("sell", A, 1000), ("buy", B, 900)]   # journaled like any order, under the strategy's name


def test_shares_bought_today_are_not_sold_and_the_run_says_t1(tmp_path, backtest):
    runs = []
    rec, _ = run(tmp_path, backtest, {A: [10] * 4},
                 {close_of(MON): lambda ctx: runs.append(ctx.order_target(A, volume=1000)),
                  close_of(TUE): lambda ctx: runs.append(ctx.order_target(A, volume=0)),
                  close_of(WED): lambda ctx: runs.append(ctx.order_target(A, volume=0))})
    bought, too_early, sold = runs
    assert [o.volume for o in bought.orders] == [1000]
    assert too_early.orders == [] and len(too_early.skipped) == 1
    assert "T+1" in too_early.skipped[0].reason and too_early.skipped[0].volume == 1000
    assert [(o.side.value, o.volume) for o in sold.orders] == [("sell", 1000)]
    assert [(f.side.value, f.time.date()) for f in rec.fills] == [("buy", TUE), ("sell", THU)]


def test_a_code_at_its_limit_up_is_not_bought_and_the_reason_is_given(tmp_path, backtest):
    runs = []
    run(tmp_path, backtest, {A: [10, 11, 11, 11]},
        {close_of(TUE): lambda ctx: runs.append(ctx.rebalance({A: 0.5}))},
        risk={"order": {"price_band_pct": None}})
    (result,) = runs
    assert result.orders == []
    assert [s.reason for s in result.skipped] == ["at its limit-up price 11.00: cannot be bought"]


def test_star_buys_in_single_shares_above_the_200_minimum(tmp_path, backtest):
    runs = []
    rec, engine = run(tmp_path, backtest, {STAR: [100] * 4},
                      {close_of(MON): lambda ctx: runs.append(ctx.order_target(STAR, value=15000)),
                       close_of(TUE): lambda ctx: runs.append(ctx.order_target(STAR, percent=0.9))},
                      initial_cash="30000")
    too_small, bought = runs
    assert too_small.orders == [] and "minimum buy lot" in too_small.skipped[0].reason
    assert [o.volume for o in bought.orders] == [270]   # 0.9 x 30000 / 100: not a multiple of 100
    assert engine.ledger.positions[STAR].volume == 270
