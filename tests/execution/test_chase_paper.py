"""Chase in paper mode on the simulator: cancel-and-repost, one live child, under duplicated, reordered
and delayed pushes (the simulator's fault injection)."""

from __future__ import annotations

import datetime as dt

import pytest

from engine import hookimpl
from engine.config.models import EngineConfig
from engine.core import Engine
from engine.execution import TWAP, Chase

CODE = "600000.SH"
DAY = dt.date(2026, 3, 10)
COLUMNS = ("time,code,lastPrice,open,high,low,lastClose,amount,volume,pvolume,transactionNum,stockStatus,"
           + ",".join(f"askPrice{i}" for i in range(1, 6)) + "," + ",".join(f"askVol{i}" for i in range(1, 6)) + ","
           + ",".join(f"bidPrice{i}" for i in range(1, 6)) + "," + ",".join(f"bidVol{i}" for i in range(1, 6)))


def write_ticks(folder, quotes):
    """quotes: (time, bid, ask) every 3 s; the last trade is at the ask, so a resting buy at the bid waits."""
    folder.mkdir()
    lines = [COLUMNS]
    for i, (when, bid, ask) in enumerate(quotes):
        asks = [round(ask + 0.01 * k, 2) for k in range(5)]
        bids = [round(bid - 0.01 * k, 2) for k in range(5)]
        lines.append(",".join(map(str, [when.strftime("%Y-%m-%d %H:%M:%S"), CODE, ask, 10.0, ask, 10.0, 10.0,
                                        1000000 + i, 1000 + i, 100000 + 100 * i, i, 3, *asks, *[50] * 5,
                                        *bids, *[50] * 5])))
    (folder / "ticks.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "instruments.csv").write_text("code,name,kind,listing_date,is_st,t0\n"
                                            f"{CODE},SYN Bank,stock,1999-11-10,0,0\n", encoding="utf-8")
    return folder / "ticks.csv"


def rising_bid(minutes=3, meet_at=None):
    """The bid rises a tick every 15 s from 10.00, the ask two ticks above it; at ``meet_at`` the ask drops to the
    bid of 15 s before (a resting child at that price fills)."""
    start = dt.datetime.combine(DAY, dt.time(10, 0))
    quotes = []
    for k in range(minutes * 20):
        when = start + dt.timedelta(seconds=3 * k)
        bid = round(10.00 + 0.01 * (k // 5), 2)
        ask = round(bid + 0.02, 2)
        if meet_at is not None and when >= meet_at:
            ask = round(bid - 0.01, 2)
        quotes.append((when, bid, ask))
    return quotes


class Watch:
    """Starts the algorithm on the first tick; at every request checks that no other order of the code is open."""

    def __init__(self, make):
        self.make, self.algo = make, None
        self.requests, self.violations = [], []

    @hookimpl
    def on_tick(self, ctx, tick):
        if self.algo is None:
            self.algo = ctx.execute(self.make())

    @hookimpl(tryfirst=True)
    def check_order(self, ctx, request):
        live = [o.client_order_id for o in ctx.open_orders(CODE, all_strategies=True)]
        self.requests.append((request.client_order_id, str(request.price), request.note))
        if live:
            self.violations.append((request.client_order_id, live))


def run(tmp_path, make, quotes, faults=None, delivery="thread", watch=None):
    data = write_ticks(tmp_path / "data", quotes)
    watch = watch or Watch(make)
    config = EngineConfig.model_validate({
        "mode": "paper", "account_id": "CH0001", "logging": {"file": None},
        "audit": {"path": str(tmp_path / "audit.db")}, "engine": {"control_path": str(tmp_path / "control.db")},
        "paper": {"data": str(data), "initial_cash": "1000000", "delivery": delivery, "faults": faults or {}},
        "risk": {"order": {"price_band_pct": None}},
        "plugins": {"load_entrypoints": False, "disabled": ["console", "trading_day"]},
    })
    Engine(config, extra_plugins=(("watch", watch),), load_entrypoints=False).run()
    return watch


FAULTS = {
    "clean": {},
    "duplicated-reordered-delayed": {"duplicate_prob": 1.0, "reorder_prob": 1.0, "push_latency_s": [0.0, 0.01]},
}


@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
def test_chase_reposts_after_confirmed_cancels_and_never_holds_two_live_children(tmp_path, faults):
    meet = dt.datetime.combine(DAY, dt.time(10, 1, 30))
    watch = run(tmp_path, lambda: Chase(CODE, "buy", 1000, price="bid", wait_seconds=10, max_reposts=20),
                rising_bid(meet_at=meet), faults)
    algo = watch.algo
    assert watch.violations == []
    assert algo.status == "done" and algo.filled == 1000
    assert len(algo.children) >= 5
    # every child names its parent; the prices follow the rising bid
    assert all(note.startswith(f"parent={algo.parent_id} chase child ") for _, _, note in watch.requests)
    prices = [float(price) for _, price, _ in watch.requests]
    assert prices == sorted(prices) and prices[0] == 10.0
    statuses = [c.status.name for c in algo.children]
    assert statuses[-1] == "SUCCEEDED" and set(statuses[:-1]) == {"CANCELED"}


def test_chase_stops_reposting_after_max_reposts(tmp_path):
    watch = run(tmp_path, lambda: Chase(CODE, "buy", 1000, price="bid", wait_seconds=10, max_reposts=2),
                rising_bid(), delivery="sync")
    algo = watch.algo
    assert len(algo.children) == 3 and algo.reposts == 2 and algo.filled == 0
    assert watch.violations == []


def test_cancelling_the_parent_cancels_its_live_child(tmp_path):
    class CancelLater(Watch):
        @hookimpl
        def on_tick(self, ctx, tick):
            super().on_tick(ctx, tick)
            if tick.time >= dt.datetime.combine(DAY, dt.time(10, 0, 30)) and self.algo.active:
                self.algo.cancel()

    watch = run(tmp_path, None, rising_bid(minutes=1), watch=CancelLater(lambda: Chase(CODE, "buy", 1000,
                                                                                         wait_seconds=60)))
    algo = watch.algo
    assert algo.status == "cancelled" and [c.status.name for c in algo.children] == ["CANCELED"]


def test_twap_sends_whole_lot_slices_on_schedule(tmp_path):
    start = dt.datetime.combine(DAY, dt.time(10, 0))
    watch = run(tmp_path, lambda: TWAP(CODE, "buy", 1000, start=start, end=start + dt.timedelta(minutes=1),
                                        slices=4, price="ask", offset_ticks=2),  # through the ask: fills at once
                rising_bid(minutes=2), FAULTS["duplicated-reordered-delayed"])
    algo = watch.algo
    assert watch.violations == []
    assert algo.status == "done" and algo.filled == 1000
    assert [c.volume for c in algo.children] == [200, 300, 200, 300]   # due: 200, 500, 700 (whole lots), 1000
    assert [c.created_at.time() for c in algo.children] == [dt.time(10, 0), dt.time(10, 0, 15), dt.time(10, 0, 30),
                                                            dt.time(10, 0, 45)]


def test_twap_replaces_an_unfilled_slice_by_one_for_all_that_is_due(tmp_path):
    start = dt.datetime.combine(DAY, dt.time(10, 0))
    watch = run(tmp_path, lambda: TWAP(CODE, "buy", 1000, start=start, end=start + dt.timedelta(minutes=1),
                                        slices=2, price="bid"),
                rising_bid(minutes=2, meet_at=start + dt.timedelta(seconds=33)), FAULTS["duplicated-reordered-delayed"])
    algo = watch.algo
    assert watch.violations == []
    # slice 1 (500 at the bid) rests; at 10:00:30 it is cancelled and, once confirmed, 1000 go for everything due
    assert [(c.volume, c.status.name) for c in algo.children] == [(500, "CANCELED"), (1000, "SUCCEEDED")]
    assert algo.status == "done"
