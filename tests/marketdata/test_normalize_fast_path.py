"""The fast tick normaliser gives what the one before issue #8 gave; errors name the code and the key."""

from __future__ import annotations

import copy
import datetime as dt
import math
import pickle

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.clock import epoch_ms_to_local
from engine.marketdata import TickRecordError, tick_from_xtdata, ticks_from_xtdata
from engine.marketdata import memo
from engine.marketdata.normalize import ticks_from_records
from engine.models import Tick

from .reference_normalize import reference_tick
from .test_normalize import SDK_EXAMPLE

PRICE_FIELDS = ("last_price", "open", "high", "low", "pre_close")

# -- generated records ----------------------------------------------------------------------------

grid_prices = st.integers(1, 300_000).map(lambda cents: cents / 100)
noisy_prices = st.integers(1, 300_000).map(lambda cents: cents * 0.01)  # 11.370000000000001 and the like
fund_prices = st.integers(1, 3_000_000).map(lambda mills: mills * 0.001)
any_finite = st.floats(min_value=-1e6, max_value=1e9, allow_nan=False, allow_infinity=False)
scalar_prices = st.one_of(grid_prices, noisy_prices, fund_prices, any_finite, st.just(0.0), st.just(-0.0),
                          st.integers(0, 5000))
level_prices = st.one_of(grid_prices, noisy_prices, fund_prices, any_finite, st.just(0.0), st.just(math.nan),
                         st.just(math.inf), st.integers(-5, 5000))
level_volumes = st.one_of(st.integers(0, 10**7), st.floats(min_value=0, max_value=1e7))
times = st.one_of(st.integers(0, 4_102_444_800_000), st.integers(-10**10, 10**10),
                  st.floats(min_value=0, max_value=4e12, allow_nan=False),
                  st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 1, 1)))


@st.composite
def records(draw) -> dict:
    record = {"time": draw(times), "lastPrice": draw(scalar_prices)}
    for key, values in (("open", scalar_prices), ("high", scalar_prices), ("low", scalar_prices),
                        ("lastClose", scalar_prices), ("amount", st.one_of(any_finite, st.integers(0, 10**9))),
                        ("volume", st.integers(0, 10**8)), ("pvolume", st.integers(0, 10**10))):
        if draw(st.booleans()):
            record[key] = draw(values)
    for key, values in (("bidPrice", level_prices), ("askPrice", level_prices),
                        ("bidVol", level_volumes), ("askVol", level_volumes)):
        choice = draw(st.integers(0, 5))
        if choice == 0:
            continue  # the key is missing
        record[key] = None if choice == 1 else draw(st.lists(values, max_size=6))
    return record


def assert_same_tick(fast: Tick, reference: Tick) -> None:
    assert fast == reference
    for name in PRICE_FIELDS:
        assert type(getattr(fast, name)) is float, name
        assert math.copysign(1, getattr(fast, name)) == math.copysign(1, getattr(reference, name)), name
    assert all(type(price) is float for price in fast.bid_prices + fast.ask_prices)
    assert all(type(volume) is int for volume in fast.bid_volumes + fast.ask_volumes)
    assert type(fast.volume) is int and type(fast.amount) is float


@settings(max_examples=400, deadline=None)
@given(record=records(), lot_size=st.sampled_from([100, 10]))
def test_same_ticks_as_before_the_fast_path(record, lot_size):
    assert_same_tick(tick_from_xtdata("600000.SH", record, lot_size=lot_size),
                     reference_tick("600000.SH", record, lot_size=lot_size))


@settings(max_examples=100, deadline=None)
@given(batch=st.lists(records(), min_size=1, max_size=8))
def test_a_push_gives_what_each_record_gives(batch):
    data = {f"{600000 + i:06d}.SH": record for i, record in enumerate(batch)}
    assert ticks_from_xtdata(data) == [tick_from_xtdata(code, record) for code, record in data.items()]
    assert ticks_from_records(data.items(), lot_size=100) == ticks_from_xtdata(data)


def test_each_code_gets_its_own_lot_without_a_lot_size():
    record = dict(SDK_EXAMPLE, pvolume=0)
    bond, stock = ticks_from_xtdata({"113050.SH": record, "600000.SH": record}, lot_size=None)
    assert (bond.volume, bond.bid_volumes[0]) == (7586130, 24290)
    assert (stock.volume, stock.bid_volumes[0]) == (75861300, 242900)


# -- rounding and times ---------------------------------------------------------------------------


@settings(max_examples=2000, deadline=None)
@given(price=st.one_of(st.floats(allow_nan=False), noisy_prices, fund_prices), digits=st.sampled_from([2, 3, 4]))
def test_remembered_rounding_is_round(price, digits):
    table = memo.rounded_prices(digits)
    expected = round(price, digits)
    for _ in range(2):  # computed, then remembered
        got = table[price]
        assert got == expected and math.copysign(1, got) == math.copysign(1, expected)


def test_remembered_rounding_of_other_numbers_is_a_float():
    table = memo.rounded_prices(3)
    table[12.0]  # remembered as a float key
    assert type(table[12]) is float and table[12] == 12.0
    assert math.isnan(table[math.nan]) and math.copysign(1, table[-0.0]) == -1.0


@settings(max_examples=2000, deadline=None)
@given(ms=st.integers(-62_135_596_800_000 + 86_400_000, 253_402_271_999_999 - 86_400_000))
def test_remembered_times_are_epoch_ms_to_local(ms):
    assert memo.local_time_of_ms(ms) == epoch_ms_to_local(ms)
    assert memo.LOCAL_TIMES[ms] == epoch_ms_to_local(ms)


def test_the_tables_stay_bounded(monkeypatch):
    monkeypatch.setattr(memo, "PRICE_LIMIT", 3)
    monkeypatch.setattr(memo, "TIME_LIMIT", 3)
    table = memo.RoundedPrices(3)
    for price in (1.0, 2.0, 3.0, 4.0, 5.0):
        assert table[price] == price
    assert len(table) <= 3
    for ms in range(1000, 9000, 1000):
        memo.local_time_of_ms(ms)
    assert len(memo.LOCAL_TIMES) <= 3


# -- the lazy book ---------------------------------------------------------------------------------


def eager_copy(tick: Tick) -> Tick:
    return Tick(tick.code, tick.time, tick.last_price, tick.open, tick.high, tick.low, tick.pre_close,
                tick.volume, tick.amount, tick.bid_prices, tick.bid_volumes, tick.ask_prices, tick.ask_volumes)


def test_a_normalised_tick_is_an_ordinary_tick_value():
    tick = tick_from_xtdata("000001.SZ", SDK_EXAMPLE)
    eager = eager_copy(tick_from_xtdata("000001.SZ", SDK_EXAMPLE))
    assert type(tick) is Tick
    assert repr(tick) == repr(eager) and hash(tick) == hash(eager) and tick == eager
    for clone in (pickle.loads(pickle.dumps(tick)), copy.copy(tick), copy.deepcopy(tick)):
        assert clone == tick and repr(clone) == repr(tick)
    match tick_from_xtdata("000001.SZ", SDK_EXAMPLE):
        case Tick(code, when, price):
            assert (code, when.hour, price) == ("000001.SZ", 13, 11.39)
    with pytest.raises(AttributeError):
        tick.last_price = 1.0
    with pytest.raises(AttributeError):
        tick.bid_prices = ()
    with pytest.raises(AttributeError):
        del tick.code


@pytest.mark.parametrize("first_read", ["bid_prices", "bid_volumes", "ask_prices", "ask_volumes", "bid1", "ask1"])
def test_any_book_read_gives_the_converted_book(first_read):
    tick = tick_from_xtdata("000001.SZ", SDK_EXAMPLE)
    getattr(tick, first_read)
    assert tick == reference_tick("000001.SZ", SDK_EXAMPLE)


def test_the_book_does_not_share_the_records_lists():
    record = copy.deepcopy(SDK_EXAMPLE)
    tick = tick_from_xtdata("000001.SZ", record)
    record["bidPrice"][0] = 99.0
    record["askVol"].clear()
    assert tick == reference_tick("000001.SZ", SDK_EXAMPLE)


def test_the_fast_book_and_the_careful_book_agree():
    # limit-up (no asks), a short side, a NaN level, float volumes, ints: each takes the level-by-level path
    record = dict(SDK_EXAMPLE, askPrice=[0.0] * 5, askVol=[0] * 5, bidPrice=[11.39, math.nan, 11.37, 12],
                  bidVol=[1.0, 2, 3, 4, 5])
    tick = tick_from_xtdata("000001.SZ", record)
    assert tick.ask_prices == () and tick.ask1 is None
    assert tick.bid_prices == (11.39, 11.37, 12.0) and tick.bid_volumes == (100, 300, 400)
    assert tick == reference_tick("000001.SZ", record)


# -- errors -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "value"), [
    ("bidPrice", [11.39, "11.38"]), ("askPrice", [None, 11.4]), ("bidVol", [1, "two", 3, 4, 5]),
    ("askVol", [1, 2, None, 4, 5]), ("bidPrice", 11.39), ("askVol", "100"), ("askPrice", {"a": 1}),
])
def test_a_malformed_book_raises_when_read(key, value):
    tick = tick_from_xtdata("000001.SZ", dict(SDK_EXAMPLE, **{key: value}))  # arrives without error
    assert tick.last_price == 11.39
    # (bid1/ask1 read only the best level of a raw book: see test_bid1_and_ask1_on_a_raw_book...)
    for read in (lambda: tick.bid_prices, lambda: tick.ask_volumes, lambda: tick == tick, lambda: pickle.dumps(tick)):
        with pytest.raises(TickRecordError, match=f"tick record for 000001.SZ: key '{key}'") as caught:
            read()
        assert (caught.value.code, caught.value.key) == ("000001.SZ", key)
    assert "book=<unreadable: tick record for 000001.SZ" in repr(tick)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("open", "11.3", "a price"), ("high", [1], "a price"), ("low", b"1", "a price"), ("lastClose", {"a": 1}, "a price"),
    ("lastPrice", 10**400, "a price"), ("pvolume", "many", "a whole number"), ("volume", 1.5e400, "a whole number"),
    ("volume", [5], "a whole number"), ("amount", "lots", "a number"), ("time", 10**20, "ms since the epoch"),
    ("time", math.nan, "ms since the epoch"),
])
def test_a_bad_scalar_raises_on_arrival_naming_the_key(key, value, expected):
    record = {**SDK_EXAMPLE, "pvolume": 0, key: value}  # without pvolume, volume is read
    with pytest.raises(TickRecordError, match=f"tick record for 000001.SZ: key '{key}': expected {expected}"):
        ticks_from_xtdata({"600000.SH": SDK_EXAMPLE, "000001.SZ": record})


@settings(max_examples=400, deadline=None)
@given(record=records())
def test_bid1_and_ask1_on_a_raw_book_equal_the_converted_book(record):
    """bid1/ask1 read the best level only while the book is raw: the same value as the full book,
    whenever the full book converts (a malformed book may raise at bid1, or only at the book)."""
    [raw] = ticks_from_xtdata({"600000.SH": record})
    [converted] = ticks_from_xtdata({"600000.SH": record})
    try:
        bids, asks = converted.bid_prices, converted.ask_prices
    except TickRecordError:
        return
    expected = (bids[0] if bids else None, asks[0] if asks else None)
    assert (raw.bid1, raw.ask1) == expected
    assert raw.bid_prices == bids  # the raw tick still converts its whole book afterwards


def test_new_bar_is_an_ordinary_frozen_bar():
    from dataclasses import FrozenInstanceError

    from engine.models import Bar
    from engine.models.market import new_bar

    when = dt.datetime(2026, 3, 2, 9, 31)
    fast, plain = new_bar("600000.SH", when, 10.0, 10.2, 9.9, 10.1, 500, 0.0, 0.0, "1m"), \
        Bar("600000.SH", when, 10.0, 10.2, 9.9, 10.1, 500, 0.0, 0.0, "1m")
    assert type(fast) is Bar and fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert pickle.loads(pickle.dumps(fast)) == plain and copy.copy(fast) == plain
    with pytest.raises(FrozenInstanceError):
        fast.close = 11.0


def test_bid1_and_ask1_are_read_once_from_a_raw_book():
    [tick] = ticks_from_xtdata({"000001.SZ": SDK_EXAMPLE})
    first = (tick.bid1, tick.ask1)
    assert tick._tops == first and tick._book is None  # remembered; the book itself still raw
    assert (tick.bid1, tick.ask1) == first == (tick.bid_prices[0], tick.ask_prices[0])
    assert pickle.loads(pickle.dumps(tick)) == tick and copy.copy(tick) == tick
