"""Property tests of the accounting: only fills and fees move value; nothing goes negative."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from engine.xt import constants as xc

from .conftest import Harness, position

CODES = ("600519.SH", "688981.SH", "510300.SH")
START = dt.datetime(2026, 3, 10, 9, 31)

prices = st.integers(min_value=985, max_value=1015).map(lambda c: c / 100)
buys = st.tuples(st.just("buy"), st.sampled_from(CODES), st.integers(1, 30).map(lambda n: n * 100), prices)
ops = st.lists(st.one_of(
    buys, buys, buys,
    st.tuples(st.just("sell"), st.sampled_from(CODES), st.integers(1, 30).map(lambda n: n * 50), prices),
    st.tuples(st.just("market"), st.sampled_from(CODES), st.integers(1, 10).map(lambda n: n * 200),
              st.sampled_from([42, 43, 44, 45])),
    st.tuples(st.just("cancel"), st.integers(1, 40)),
    st.tuples(st.just("tick"), st.sampled_from(CODES), prices, st.integers(0, 50)),
    st.tuples(st.just("next_day"),),
), min_size=3, max_size=30)


def check_invariants(h: Harness, initial_cash: Decimal, initial_volume: dict) -> None:
    led = h.counter.ledger
    assert led.balance >= 0 and led.available >= 0 and led.frozen >= 0
    assert led.frozen == sum((o.frozen_cash for o in led.orders.values()), Decimal(0))
    for pos in led.positions.values():
        assert min(pos.volume, pos.can_use, pos.frozen, pos.yesterday) >= 0
        assert pos.can_use + pos.frozen <= pos.volume
    if not led.open_orders():
        assert led.frozen == 0 and all(p.frozen == 0 for p in led.positions.values())
    cash = initial_cash
    volume = dict(initial_volume)
    for t in h.all_trades:
        sign = -1 if t.is_buy else 1
        cash += sign * t.amount - t.fees.total
        volume[t.code] = volume.get(t.code, 0) - sign * t.volume
    assert led.balance == cash
    for code, vol in volume.items():
        assert led.positions.get(code, position(code, 1)).volume == vol or vol == 0


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=ops, cash=st.sampled_from([50_000, 200_000, 5_000, 0]))
def test_accounting_invariants(calendar, ops, cash):
    h = Harness(START, calendar=calendar, cash=cash, positions=[position("600519.SH", 1000)])
    h.all_trades = []
    h.md.load_instruments([{"code": c} for c in CODES])
    for code in CODES:
        h.md.publish({code: _tick(h, code, 10.0, 0)})
    initial = {"600519.SH": 1000}
    volumes = {c: 0 for c in CODES}
    for op in ops:
        before = len(h.counter.ledger.trades)
        _apply(h, op, volumes)
        h.all_trades.extend(h.counter.ledger.trades[before:] if op[0] != "next_day" else [])
        check_invariants(h, Decimal(cash), initial)
    event(f"fills: {'some' if h.all_trades else 'none'}")
    h.close()


def _tick(h, code, px, lots):
    from engine.sim import make_tick
    return make_tick(h.clock.now(), px, pre_close=10.0, asks=[(px, 5), (round(px + 0.01, 2), 5)],
                     bids=[(round(px - 0.01, 2), 5)], volume_lots=lots)


def _apply(h, op, volumes) -> None:
    kind = op[0]
    if kind in ("buy", "sell"):
        side = xc.STOCK_BUY if kind == "buy" else xc.STOCK_SELL
        h.trader.order_stock_async(h.acc, op[1], side, op[2], xc.FIX_PRICE, op[3])
    elif kind == "market":
        pt = op[3] if op[1].endswith(".SH") else 47
        h.trader.order_stock_async(h.acc, op[1], xc.STOCK_BUY, op[2], pt, 0)
    elif kind == "cancel":
        h.trader.cancel_order_stock(h.acc, op[1])
    elif kind == "tick":
        h.clock.advance(3)
        volumes[op[1]] += op[3]
        h.md.publish({op[1]: _tick(h, op[1], op[2], volumes[op[1]])})
    else:
        day = calendar_next(h)
        h.clock.set(dt.datetime.combine(day, START.time()))
        h.counter.poll()
        for code in CODES:
            volumes[code] = 0
            h.md.publish({code: _tick(h, code, 10.0, 0)})
    h.idle()


def calendar_next(h):
    return h.counter.calendar.next_trading_day(h.clock.now().date())
