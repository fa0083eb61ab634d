"""T+1, cash, fees, and the paper account persisted in SQLite across runs and days."""

from __future__ import annotations

import datetime as dt
import sqlite3
from decimal import Decimal

import pytest

from engine.sim import FeeProfile, SimConfig, SimConfigError, SimCounter
from engine.sim.fees import fees_for_amount
from engine.instruments import instrument_from_row
from engine.xt import constants as xc

from .conftest import position

T = dt.datetime.fromisoformat
CODE = "600519.SH"


def market(h, code=CODE, px=10.0, **row):
    h.instrument(code, **row)
    h.quote(code, px, pre_close=px, ask=px, bid=px)


def test_bought_today_is_not_sellable_until_the_next_trading_day(make_harness):
    h = make_harness(when=T("2026-09-24 10:00"))
    market(h)
    h.buy(CODE, 100, 10.0)
    pos = h.position(CODE)
    assert (pos.volume, pos.can_use_volume, pos.yesterday_volume) == (100, 0, 0)
    oid = h.sell(CODE, 100, 10.0)
    assert "[251005][证券可用数量不足]" in h.errors_for(oid)[0].error_msg
    h.clock.set(T("2026-09-28 09:31"))                  # next trading day (weekend + 09-25 closed)
    h.counter.poll()
    pos = h.position(CODE)
    assert (pos.volume, pos.can_use_volume, pos.yesterday_volume) == (100, 100, 100)


def test_t0_fund_can_be_sold_the_same_day(make_harness):
    h = make_harness()
    market(h, "511880.SH", 100.0, kind="etf", t0=1)
    h.buy("511880.SH", 100, 100.0)
    assert h.position("511880.SH").can_use_volume == 100
    assert h.status(h.sell("511880.SH", 100, 100.0)) == xc.ORDER_SUCCEEDED


def test_sale_proceeds_are_usable_the_same_day_but_not_withdrawable(make_harness):
    h = make_harness(cash=0, positions=[position(CODE, 100)])
    market(h)
    h.sell(CODE, 100, 10.0)
    asset = h.asset()
    assert asset.cash == 994.49 and asset.fetch_balance == 0.0
    assert h.status(h.buy(CODE, 100, 9.89)) == xc.ORDER_REPORTED   # 989.00 + 5.00 + 0.01 <= 994.49


@pytest.mark.parametrize("side,volume,price,commission,stamp,transfer", [
    ("buy", 100, 10.0, "5.00", "0", "0.01"), ("sell", 100, 10.0, "5.00", "0.50", "0.01"),
    ("buy", 10_000, 20.0, "50.00", "0", "2.00"), ("sell", 10_000, 20.0, "50.00", "100.00", "2.00"),
    ("sell", 100, 37.05, "5.00", "1.85", "0.04"),
])
def test_fee_examples(side, volume, price, commission, stamp, transfer):
    inst = instrument_from_row({"code": CODE})
    fees = fees_for_amount(FeeProfile(), inst, side == "sell", Decimal(str(price)) * volume)
    assert (fees.commission, fees.stamp_duty, fees.transfer_fee) == (
        Decimal(commission), Decimal(stamp), Decimal(transfer))


def test_etf_fees_and_the_no_minimum_profile():
    etf = instrument_from_row({"code": "510300.SH"})
    assert fees_for_amount(FeeProfile(), etf, True, Decimal("3000")).total == Decimal("5.00")
    assert fees_for_amount(FeeProfile.named("etf_no_min"), etf, True, Decimal("3000")).total == Decimal("0.75")


def test_commission_minimum_is_charged_once_per_order(h):
    h.instrument(CODE)
    h.quote(CODE, 10.0, pre_close=10.0, asks=[(10.0, 1), (10.01, 1), (10.02, 1)])
    oid = h.buy(CODE, 300, 10.02)
    trades = [t for t in h.cb.of("on_stock_trade") if t.order_id == oid]
    assert [t.commission for t in trades] == [5.01, 0.01, 0.01]      # cumulative rounding
    order = h.counter.ledger.orders[oid]
    assert order.fees_paid == fees_for_amount(FeeProfile(), instrument_from_row({"code": CODE}),
                                              False, order.traded_amount)


def test_per_fill_minimum_profile(make_harness):
    h = make_harness(fee=FeeProfile(min_commission_per="fill"))
    h.instrument(CODE)
    h.quote(CODE, 10.0, pre_close=10.0, asks=[(10.0, 1), (10.01, 1)])
    oid = h.buy(CODE, 200, 10.01)
    assert [t.commission for t in h.cb.of("on_stock_trade") if t.order_id == oid] == [5.01, 5.01]


def test_config_errors_name_the_key():
    with pytest.raises(SimConfigError, match="odd_lot_mode"):
        SimConfig(odd_lot_mode="sometimes")
    with pytest.raises(SimConfigError, match="initial_cash"):
        SimConfig(initial_cash="lots")
    with pytest.raises(SimConfigError, match="participation"):
        SimConfig(participation=0)
    with pytest.raises(SimConfigError, match="positions"):
        SimConfig(positions=(position(CODE, 100), position(CODE, 200)))


def test_paper_account_persists_across_runs_and_days(tmp_path, calendar):
    from engine.sim import ManualClock
    db = tmp_path / "paper.sqlite"
    clock = ManualClock(T("2026-03-10 10:00"))
    cfg = SimConfig(account_id="P1", initial_cash=Decimal("100000"), account_db=db, delivery="sync")
    c1 = SimCounter(cfg, calendar=calendar, clock=clock)
    c1.load_instruments([{"code": CODE}])
    c1.on_ticks({CODE: _tick(clock.now(), 10.0)})
    c1.submit_order(CODE, True, 200, xc.FIX_PRICE, 10.0)      # fills
    c1.submit_order(CODE, True, 100, xc.FIX_PRICE, 9.5)       # rests
    assert len(c1.ledger.open_orders()) == 1
    c1.close()

    clock.set(T("2026-03-11 09:20"))                           # next run, next day
    c2 = SimCounter(cfg, calendar=calendar, clock=clock)
    assert c2.ledger.trading_day == dt.date(2026, 3, 11)
    pos = c2.ledger.positions[CODE]
    assert (pos.volume, pos.can_use, pos.yesterday) == (200, 200, 200)
    assert c2.ledger.frozen == 0 and not c2.ledger.open_orders()
    assert c2.ledger.balance == Decimal("100000") - Decimal("2005.02")
    assert c2.submit_order(CODE, False, 100, xc.FIX_PRICE, 10.0) == 3   # ids continue
    [statement] = c2.statements()
    assert statement["trading_day"] == "2026-03-10" and statement["orders"] == 2
    assert statement["positions"][0]["volume"] == 200
    c2.close()
    rows = sqlite3.connect(db).execute("SELECT order_id, trading_day FROM orders ORDER BY 1").fetchall()
    assert rows == [(1, "2026-03-10"), (2, "2026-03-10"), (3, "2026-03-11")]
    expired = _order_body(db, 2)
    assert '"status": 54' in expired and "SIM-EXPIRE" in expired


def test_account_file_of_another_account_is_refused(tmp_path, calendar):
    db = tmp_path / "a.sqlite"
    SimCounter(SimConfig(account_id="A", account_db=db), calendar=calendar).close()
    with pytest.raises(ValueError, match="holds account 'A'"):
        SimCounter(SimConfig(account_id="B", account_db=db), calendar=calendar)


def test_initial_positions_from_config(make_harness):
    h = make_harness(positions=[position(CODE, 300, can_use=200, cost="8.5")])
    pos = h.position(CODE)
    assert (pos.volume, pos.can_use_volume, pos.open_price) == (300, 200, 8.5)


def _tick(when, px):
    from engine.sim import make_tick
    return make_tick(when, px, pre_close=px, asks=[(px, 1000)], bids=[(px - 0.01, 1000)], volume_lots=10)


def _order_body(db, order_id) -> str:
    return sqlite3.connect(db).execute("SELECT body FROM orders WHERE order_id=?", (order_id,)).fetchone()[0]
