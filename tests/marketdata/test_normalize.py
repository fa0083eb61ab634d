"""xtdata tick dicts -> engine Ticks: units, empty levels, time conversion, errors."""

from __future__ import annotations

import datetime as dt
import pytest

from engine.marketdata import TickRecordError, iter_tick_batches, tick_from_xtdata, ticks_from_xtdata
from engine.models import Tick

from .helpers import tick_line, write_tick_file

# The whole-market push shown in xtquant's own subscribe_whole_quote docstring.
SDK_EXAMPLE = {
    "time": 1733118954000, "lastPrice": 11.39, "open": 11.39, "high": 11.4, "low": 11.31,
    "lastClose": 11.38, "amount": 862127800.0, "volume": 758613, "pvolume": 75861284, "stockStatus": 3,
    "openInt": 13, "transactionNum": 37062, "lastSettlementPrice": 11.38, "settlementPrice": 0.0,
    "pe": 0.0, "askPrice": [11.4, 11.41, 11.42, 11.43, 11.44],
    "bidPrice": [11.39, 11.38, 11.370000000000001, 11.36, 11.35],
    "askVol": [10929, 12401, 6671, 4555, 6708], "bidVol": [2429, 7127, 7146, 9111, 12189],
    "volRatio": 0.0, "speed1Min": 0.0, "speed5Min": 0.0,
}


def test_sdk_example_push():
    tick = tick_from_xtdata("000001.SZ", SDK_EXAMPLE)
    assert tick == Tick(
        code="000001.SZ", time=dt.datetime(2024, 12, 2, 13, 55, 54), last_price=11.39, open=11.39,
        high=11.4, low=11.31, pre_close=11.38, volume=75861284, amount=862127800.0,
        bid_prices=(11.39, 11.38, 11.37, 11.36, 11.35), bid_volumes=(242900, 712700, 714600, 911100, 1218900),
        ask_prices=(11.4, 11.41, 11.42, 11.43, 11.44), ask_volumes=(1092900, 1240100, 667100, 455500, 670800),
    )
    assert tick.bid1 == 11.39 and tick.ask1 == 11.4


def test_volume_from_lots_when_pvolume_is_absent_or_zero():
    record = {key: value for key, value in SDK_EXAMPLE.items() if key != "pvolume"}
    assert tick_from_xtdata("000001.SZ", record).volume == 75861300
    assert tick_from_xtdata("000001.SZ", dict(record, pvolume=0)).volume == 75861300
    assert tick_from_xtdata("113050.SH", record, lot_size=10).volume == 7586130


def test_empty_levels_are_dropped_and_volumes_scaled():
    record = dict(SDK_EXAMPLE, askPrice=[11.4, 11.41, 0.0, 0.0, 0.0], askVol=[5, 6, 0, 0, 0],
                  bidPrice=[0.0, 0.0, 0.0, 0.0, 0.0], bidVol=[0, 0, 0, 0, 0])
    tick = tick_from_xtdata("000001.SZ", record)
    assert tick.ask_prices == (11.4, 11.41) and tick.ask_volumes == (500, 600)
    assert tick.bid_prices == () and tick.bid_volumes == () and tick.bid1 is None


def test_missing_book_gives_empty_sides():
    record = {"time": 1733118954000, "lastPrice": 11.39}
    tick = tick_from_xtdata("000001.SZ", record)
    assert (tick.ask_prices, tick.bid_prices, tick.volume, tick.pre_close) == ((), (), 0, 0.0)


def test_fund_prices_keep_three_decimals():
    record = dict(SDK_EXAMPLE, lastPrice=3.9120000000000004, askPrice=[3.913, 3.914, 0, 0, 0])
    tick = tick_from_xtdata("510300.SH", record)
    assert tick.last_price == 3.912 and tick.ask_prices == (3.913, 3.914)


@pytest.mark.parametrize("when", [
    dt.datetime(2024, 12, 2, 13, 55, 54),
    dt.datetime(2024, 12, 2, 5, 55, 54, tzinfo=dt.timezone.utc),
    dt.datetime(2024, 12, 2, 13, 55, 54, tzinfo=dt.timezone(dt.timedelta(hours=8))),
    dt.datetime(2024, 12, 2, 1, 55, 54, tzinfo=dt.timezone(dt.timedelta(hours=-4))),
    1733118954000,
    1733118954000.0,
])
def test_time_forms_give_naive_shanghai_time(when):
    tick = tick_from_xtdata("000001.SZ", dict(SDK_EXAMPLE, time=when))
    assert tick.time == dt.datetime(2024, 12, 2, 13, 55, 54) and tick.time.tzinfo is None


def test_milliseconds_are_kept():
    assert tick_from_xtdata("000001.SZ", dict(SDK_EXAMPLE, time=1733118954123)).time.microsecond == 123000


@pytest.mark.parametrize(("record", "message"), [
    ({"lastPrice": 1.0}, "tick record for X.SH: key 'time': expected ms since the epoch or a datetime, got None"),
    ({"time": "2024-12-02", "lastPrice": 1.0},
     "key 'time': expected ms since the epoch or a datetime, got '2024-12-02'"),
    ({"time": True, "lastPrice": 1.0}, "key 'time'"),
    ({"time": 1733118954000}, "tick record for X.SH: key 'lastPrice': expected a price, got None"),
    ({"time": 1733118954000, "lastPrice": "11.39"}, "key 'lastPrice': expected a price, got '11.39'"),
])
def test_unusable_records_are_named(record, message):
    with pytest.raises(TickRecordError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tick_from_xtdata("X.SH", record)


def test_whole_market_push():
    ticks = ticks_from_xtdata({"000001.SZ": SDK_EXAMPLE, "600000.SH": dict(SDK_EXAMPLE, lastPrice=10.0)})
    assert [(t.code, t.last_price) for t in ticks] == [("000001.SZ", 11.39), ("600000.SH", 10.0)]


def test_replayed_rows_normalise_to_ticks(tmp_path):
    path = write_tick_file(tmp_path / "ticks.csv", [tick_line("2026-03-09 09:30:10.500")])
    [(when, batch)] = list(iter_tick_batches(path))
    tick = tick_from_xtdata("600000.SH", batch["600000.SH"])
    assert tick.time == when == dt.datetime(2026, 3, 9, 9, 30, 10, 500000)
    assert (tick.last_price, tick.pre_close, tick.volume, tick.amount) == (10.05, 10.02, 100000, 1005000.5)
    assert tick.ask_prices == (10.06, 10.07, 10.08) and tick.ask_volumes == (1100, 1200, 1300)
    assert tick.bid_volumes == (2100, 2200, 2300, 2400, 2500)


def test_numpy_scalars_from_dataframes_are_accepted():
    np = pytest.importorskip("numpy")
    record = {"time": np.int64(1733118954123), "lastPrice": np.float64(11.39), "volume": np.int64(5),
              "askPrice": [np.float64(11.4)], "askVol": [np.int64(2)]}
    tick = tick_from_xtdata("000001.SZ", record)
    assert tick.time == dt.datetime(2024, 12, 2, 13, 55, 54, 123000)
    assert (tick.last_price, tick.volume, tick.ask_volumes) == (11.39, 500, (200,))
