"""Every scenario of ashare_scenarios_examples.jsonl, run against the simulator."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine.instruments import board_of
from engine.sim import FeeProfile
from engine.xt import constants as xc

from .conftest import position

#: The reference scenarios beside the project (shared/reference/), newest; else the copy kept with the
#: tests (tests/sim/data/), so the proof never silently skips in a checkout without shared/.
_SHARED = Path(__file__).parents[2].parent / "shared/reference/ashare_scenarios_examples.jsonl"
SCENARIOS = _SHARED if _SHARED.exists() else Path(__file__).parent / "data" / "ashare_scenarios_examples.jsonl"

#: The scenario file's board names -> the simulator's boards.
BOARDS = {"SH_MAIN": "SH_MAIN", "SZ_MAIN": "SZ_MAIN", "STAR": "STAR", "CHINEXT": "CHINEXT",
          "BSE": "BSE", "SH_CB": "BOND", "SZ_CB": "BOND", "SH_ETF": "FUND", "SZ_ETF": "FUND"}


def _load() -> list:
    rows = [json.loads(line) for line in SCENARIOS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [pytest.param(r, id=r["id"]) for r in rows]


def _at(date: str, time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{date}T{time}")


def _listing_date(calendar, day: dt.date, number: int) -> dt.date:
    d = day if calendar.is_trading_day(day) else calendar.next_trading_day(day)
    for _ in range(number - 1):
        d = calendar.previous_trading_day(d)
    return d


def build(make_harness, calendar, sc):
    setup = sc["setup"]
    day = dt.date.fromisoformat(setup["date"])
    inst = setup["instrument"]
    h = make_harness(
        when=_at(setup["date"], setup["time"]), cash=setup["cash"],
        positions=[position(p["code"], p["volume"], p.get("can_use_volume"))
                   for p in setup.get("positions", [])],
        fee=FeeProfile.named(setup.get("fee_profile", "default")))
    assert board_of(inst["code"]) == BOARDS[inst["board"]], "scenario board must match classification"
    listing = _listing_date(calendar, day, inst.get("listing_day", 1000))
    h.instrument(inst["code"], listing_date=listing.isoformat(), is_st=int(inst.get("is_st", False)),
                 suspended=int(inst.get("suspended", False)), prev_close=inst["prev_close"])
    quote = setup.get("quote")
    if quote:
        lots = quote.get("ask1_volume", 10_000_000) // 100
        h.quote(inst["code"], quote["last"], pre_close=inst["prev_close"], ask=quote.get("ask1"),
                bid=quote.get("bid1"), ask_lots=lots)
    ids = {}
    for o in setup.get("open_orders", []):
        h.clock.set(_at(setup["date"], o["placed"]))
        place = h.buy if o["side"] == "buy" else h.sell
        ids[o["order_id"]] = place(o["code"], o["volume"], o["price"])
        assert h.status(ids[o["order_id"]]) == o["status"]
    h.clock.set(_at(setup["date"], setup["time"]))
    return h, ids


@pytest.mark.parametrize("sc", _load())
def test_scenario(make_harness, calendar, sc):
    h, ids = build(make_harness, calendar, sc)
    action, detail = sc["action"], sc.get("expect_detail", {})
    if action["side"] == "cancel":
        oid = ids[action["order_id"]]
        before = len(h.cb.of("on_cancel_error"))
        result = h.cancel(oid)
        if sc["expect"] == "rejected":
            assert result == -1
            assert h.status(oid) == xc.ORDER_REPORTED
            assert len(h.cb.of("on_cancel_error")) == before + 1
        else:
            assert result == 0 and h.status(oid) == xc.ORDER_CANCELED
        return
    place = h.buy if action["side"] == "buy" else h.sell
    oid = place(action["code"], action["volume"], action["price"],
                getattr(xc, action["price_type"]))
    assert oid > 0, "business rejections are asynchronous, never -1"
    if sc["expect"] == "rejected":
        assert h.status(oid) == xc.ORDER_JUNK
        assert h.cb.statuses(oid) == [xc.ORDER_REPORTED, xc.ORDER_JUNK]
        errors = h.errors_for(oid)
        assert len(errors) == 1 and errors[0].error_msg.startswith("[COUNTER]")
        if "xt_status" in detail:
            assert h.status(oid) == detail["xt_status"]
        if "error_hint" in detail:
            assert errors[0].error_msg.startswith(detail["error_hint"].split("[fund_account")[0])
        assert h.asset().frozen_cash == 0
        return
    then = action.get("then", {})
    if "cancel_at" in then:
        h.clock.set(_at(sc["setup"]["date"], then["cancel_at"]))
        assert h.cancel(oid) == 0
    if "xt_status_sequence" in detail:
        assert h.cb.statuses(oid) == detail["xt_status_sequence"]
        return
    assert h.status(oid) == xc.ORDER_SUCCEEDED
    trades = [t for t in h.cb.of("on_stock_trade") if t.order_id == oid]
    if "fill_price" in detail:
        assert trades[0].traded_price == detail["fill_price"]
    if "amount" in detail:
        assert sum(t.traded_amount for t in trades) == detail["amount"]
    fees = ("commission", "stamp_duty", "transfer_fee")
    if any(k in detail for k in fees):
        assert round(sum(t.commission for t in trades), 2) == round(sum(detail.get(k, 0) for k in fees), 2)
        order = h.counter.ledger.orders[oid]
        for k in fees:
            if k in detail:
                assert float(getattr(order.fees_paid, k)) == detail[k]
    if "cash_after" in detail:
        assert h.asset().cash == detail["cash_after"]
