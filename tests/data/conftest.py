"""The real ``xtquant.xtdata`` over the native doubles, with a HistoryServer behind it."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.clock import ManualClock
from engine.sim import SimConfig, SimCounter, SimXtData
from tests.contract.doubles import datacenter
from tests.contract.doubles.history_server import HistoryServer, daily_record
from tests.contract.doubles.install import XtquantMissing, load_real_xtquant


@pytest.fixture(scope="package")
def real_xtdata():
    try:
        real = load_real_xtquant()
    except XtquantMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    yield real.xtdata
    real.unload()


def daily_history(code: str, first: dt.date, days: int, start_price: float = 10.0) -> list[dict]:
    """``days`` weekday bars of a gently rising price from ``first``."""
    records, day, price = [], first, start_price
    while len(records) < days:
        if day.weekday() < 5:
            o = round(price, 2)
            c = round(price * 1.01, 2)
            records.append(daily_record(day, o, round(c * 1.01, 2), round(o * 0.99, 2), c, 1000 + len(records)))
            price = c
        day += dt.timedelta(days=1)
    return records


@pytest.fixture
def history(real_xtdata):
    """``(xtdata, server)``: the real xtdata module connected to a fresh HistoryServer."""
    server = HistoryServer()
    counter = SimCounter(SimConfig(), clock=ManualClock(dt.datetime(2026, 3, 10, 16)))
    datacenter.attach(SimXtData(counter), None)
    datacenter.attach_history(server)
    yield real_xtdata, server
    datacenter.detach()
    counter.close()
