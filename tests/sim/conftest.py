"""Fixtures for the simulator tests: a recording callback and a small harness around a counter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine.calendar import TradingCalendar
from engine.sim import (InitialPosition, ManualClock, SimConfig, SimCounter, SimXtData,
                        SimXtQuantTrader, make_tick)
from engine.xt import constants as xc
from engine.xt.records import StockAccount, XtQuantTraderCallback

ACCOUNT = "SIMTEST1"


class Recorder(XtQuantTraderCallback):
    """Records every callback as ``(name, record)``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def __getattribute__(self, name):
        if name.startswith("on_"):
            calls = object.__getattribute__(self, "calls")
            return lambda *args: calls.append((name, args[0] if args else None))
        return object.__getattribute__(self, name)

    def names(self) -> list[str]:
        return [n for n, _ in self.calls]

    def of(self, name: str) -> list:
        return [r for n, r in self.calls if n == name]

    def statuses(self, order_id: int | None = None) -> list[int]:
        return [o.order_status for o in self.of("on_stock_order")
                if order_id is None or o.order_id == order_id]


class Harness:
    """A counter, its market side and one connected, subscribed trader."""

    def __init__(self, when: dt.datetime, *, calendar: TradingCalendar, cash=1_000_000,
                 positions=(), delivery="sync", **config) -> None:
        self.clock = ManualClock(when)
        self.config = SimConfig(account_id=ACCOUNT, initial_cash=Decimal(str(cash)),
                                positions=tuple(positions), delivery=delivery, **config)
        self.counter = SimCounter(self.config, calendar=calendar, clock=self.clock)
        self.md = SimXtData(self.counter)
        self.cb = Recorder()
        self.acc = StockAccount(ACCOUNT)
        self.trader = self.new_trader(1)

    def new_trader(self, session: int) -> SimXtQuantTrader:
        trader = SimXtQuantTrader("/sim/userdata_mini", session, self.cb, counter=self.counter)
        trader.start()
        if trader.connect() == 0:
            trader.subscribe(self.acc)
        return trader

    def instrument(self, code: str, **row) -> None:
        row.setdefault("listing_date", "2010-01-04")
        self.md.load_instruments([{"code": code, **row}])

    def quote(self, code: str, last: float, *, pre_close: float, ask=None, bid=None,
              ask_lots: int = 100_000, bid_lots: int = 100_000, volume_lots: int = 0,
              asks=None, bids=None, when: dt.datetime | None = None) -> None:
        asks = asks if asks is not None else ([(ask, ask_lots)] if ask else [])
        bids = bids if bids is not None else ([(bid, bid_lots)] if bid else [])
        self.md.publish({code: make_tick(when or self.clock.now(), last, pre_close=pre_close,
                                         asks=asks, bids=bids, volume_lots=volume_lots)})
        self.idle()

    def buy(self, code: str, volume: int, price: float, price_type: int = xc.FIX_PRICE) -> int:
        return self._order(code, xc.STOCK_BUY, volume, price, price_type)

    def sell(self, code: str, volume: int, price: float, price_type: int = xc.FIX_PRICE) -> int:
        return self._order(code, xc.STOCK_SELL, volume, price, price_type)

    def _order(self, code, side, volume, price, price_type) -> int:
        seq = self.trader.order_stock_async(self.acc, code, side, volume, price_type, price, "t", "r")
        self.idle()
        if seq < 0:
            return seq
        resp = [r for r in self.cb.of("on_order_stock_async_response") if r.seq == seq]
        return resp[-1].order_id

    def cancel(self, order_id: int) -> int:
        result = self.trader.cancel_order_stock(self.acc, order_id)
        self.idle()
        return result

    def idle(self) -> None:
        assert self.trader.wait_idle(5.0)

    def order(self, order_id: int):
        return self.trader.query_stock_order(self.acc, order_id)

    def status(self, order_id: int) -> int:
        return self.order(order_id).order_status

    def asset(self):
        return self.trader.query_stock_asset(self.acc)

    def position(self, code: str):
        return self.trader.query_stock_position(self.acc, code)

    def errors_for(self, order_id: int) -> list:
        return [e for e in self.cb.of("on_order_error") if e.order_id == order_id]

    def close(self) -> None:
        self.trader.stop()


@pytest.fixture(scope="session")
def calendar() -> TradingCalendar:
    return TradingCalendar()


@pytest.fixture
def make_harness(calendar):
    made: list[Harness] = []

    def factory(when=dt.datetime(2026, 3, 10, 10, 0), **kwargs) -> Harness:
        h = Harness(when, calendar=calendar, **kwargs)
        made.append(h)
        return h

    yield factory
    for h in made:
        h.close()


@pytest.fixture
def h(make_harness) -> Harness:
    """A sync-delivery harness at 2026-03-10 10:00 with 1,000,000 CNY."""
    return make_harness()


def position(code: str, volume: int, can_use: int | None = None, cost: str = "10") -> InitialPosition:
    return InitialPosition(code, volume, Decimal(cost), can_use)
