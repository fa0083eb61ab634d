"""Issue 20 item 9: ticks of the right shape with impossible values are refused, counted and logged.

A price far past any limit band, a crossed book in the continuous auction and a
day's cumulative volume going back reach no strategy. Well-formed true ticks
(limit-up, an IPO day without a limit, the call auction's touching book, a new
day's volume starting again) pass.
"""

from __future__ import annotations

import datetime as dt

import pytest
from loguru import logger

from engine.marketdata.normalize import ticks_from_records, ticks_from_xtdata
from engine.marketdata.tick_checks import TickChecks

from .test_normalize import SDK_EXAMPLE  # 000001.SZ-like push, 2024-12-02 13:55:54 local, pre-close 11.38

DAY_MS = 86_400_000


def record(**changes) -> dict:
    return dict(SDK_EXAMPLE, **changes)


@pytest.fixture
def log_lines():
    lines: list[str] = []
    sink = logger.add(lambda message: lines.append(str(message)), level="WARNING", format="{message}")
    yield lines
    logger.remove(sink)


def test_true_ticks_pass_and_nothing_is_counted(log_lines) -> None:
    checks = TickChecks()
    limit_up = record(lastPrice=12.52, high=12.52, bidPrice=[12.52, 12.51, 0.0, 0.0, 0.0],
                      askPrice=[0.0] * 5, pvolume=SDK_EXAMPLE["pvolume"] + 100)
    ticks = ticks_from_records([("000001.SZ", SDK_EXAMPLE), ("000001.SZ", limit_up)], checks=checks)
    assert [t.last_price for t in ticks] == [11.39, 12.52]
    assert not checks.rejected and not log_lines


def test_a_price_far_past_the_band_is_refused_with_a_logged_counted_reason(log_lines) -> None:
    checks = TickChecks()
    # 000001.SZ is main board (10 %): the widest limit-up is 12.518; 50 % past it is 18.78
    wild = record(lastPrice=19.0, high=19.0, pvolume=SDK_EXAMPLE["pvolume"] + 100)
    low = record(lastPrice=4.0, low=4.0, pvolume=SDK_EXAMPLE["pvolume"] + 200)
    ticks = ticks_from_records([("000001.SZ", SDK_EXAMPLE), ("000001.SZ", wild), ("000001.SZ", low)],
                               checks=checks)
    assert [t.last_price for t in ticks] == [11.39]
    assert checks.rejected == {"price_past_band": 2}
    assert len(log_lines) == 1  # once per code, reason and day
    assert "price_past_band" in log_lines[0] and "000001.SZ" in log_lines[0] and "19.0" in log_lines[0]
    # ChiNext's band is 20 %: 17.5 on a pre-close of 11.38 is past 10 % but inside 20 % * 1.5
    assert ticks_from_records([("300750.SZ", record(lastPrice=17.5, high=17.5))], checks=checks)


def test_a_day_without_a_limit_is_recognised_by_its_open() -> None:
    checks = TickChecks()
    ipo = record(lastClose=10.0, open=30.0, high=45.0, lastPrice=42.0)  # a STAR IPO's first day
    assert ticks_from_records([("688999.SH", ipo)], checks=checks)
    assert not checks.rejected


def test_a_crossed_book_is_refused_in_the_continuous_auction_only() -> None:
    checks = TickChecks()
    crossed = record(bidPrice=[11.42, 11.38, 11.37, 11.36, 11.35])  # bid1 11.42 > ask1 11.40, 13:55
    assert ticks_from_records([("000001.SZ", crossed)], checks=checks) == []
    assert checks.rejected == {"crossed_book": 1}
    auction_ms = SDK_EXAMPLE["time"] - (13 * 3600 + 55 * 60 + 54 - (9 * 3600 + 20 * 60)) * 1000  # 09:20:00
    in_auction = record(time=auction_ms, bidPrice=[11.42] + [0.0] * 4, pvolume=0, volume=0)
    assert ticks_from_records([("000002.SZ", in_auction)], checks=checks)
    assert checks.rejected == {"crossed_book": 1}


def test_cumulative_volume_going_back_within_a_day_is_refused(log_lines) -> None:
    checks = TickChecks()
    pushes = [{"000001.SZ": record(pvolume=1000)}, {"000001.SZ": record(pvolume=900)},
              {"000001.SZ": record(pvolume=1000)}, {"000001.SZ": record(pvolume=1200)},
              {"000001.SZ": record(pvolume=500, time=SDK_EXAMPLE["time"] + DAY_MS)}]  # the next day starts again
    volumes = [t.volume for push in pushes for t in ticks_from_xtdata(push, checks=checks)]
    assert volumes == [1000, 1000, 1200, 500]
    assert checks.rejected == {"volume_went_back": 1}
    assert any("volume_went_back" in line and "900 < 1000" in line for line in log_lines)


def test_without_checks_every_well_formed_record_is_converted() -> None:
    assert len(ticks_from_records([("000001.SZ", record(lastPrice=19.0)), ("000001.SZ", record(pvolume=1))])) == 2


def test_repeats_are_counted_and_named_in_the_next_days_first_line(log_lines) -> None:
    checks = TickChecks()
    for n in range(5):
        ticks_from_records([("000001.SZ", record(lastPrice=30.0, pvolume=10 + n))], checks=checks)
    ticks_from_records([("000001.SZ", record(lastPrice=30.0, time=SDK_EXAMPLE["time"] + DAY_MS))], checks=checks)
    assert checks.rejected == {"price_past_band": 6}
    assert len(log_lines) == 2 and "4 more refused for this reason on 2024-12-02" in log_lines[1]


def test_the_engine_feed_drops_refused_ticks_from_its_pushes() -> None:
    """XtMarketData (every mode's quote feed) applies its TickChecks to each push before the engine sees it."""
    from engine.broker.market_data import XtMarketData

    class PushingXtData:  # the two xtdata calls the feed makes; the test pushes as MiniQMT would
        def subscribe_whole_quote(self, codes, callback):
            self.push = callback
            return 1

    xtdata, queued = PushingXtData(), []
    feed = XtMarketData(xtdata, queued.append)
    feed.subscribe_whole_market(["SZ"])
    xtdata.push({"000001.SZ": SDK_EXAMPLE, "000002.SZ": record(lastPrice=99.0, high=99.0)})
    assert [[t.code for t in ticks] for _, ticks in queued] == [["000001.SZ"]]
    assert feed.tick_checks.rejected == {"price_past_band": 1}


def test_a_resubscription_forgets_the_volumes() -> None:
    checks = TickChecks()
    assert ticks_from_records([("000001.SZ", record(pvolume=1000))], checks=checks)
    checks.forget_volumes()
    assert ticks_from_records([("000001.SZ", record(pvolume=900))], checks=checks)
    assert not checks.rejected
