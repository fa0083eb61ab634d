"""Protective orders and algorithms saved in ``ctx.state`` are taken over by the next run (ctx.resume_execution)."""

from __future__ import annotations

import copy
import datetime as dt
import json

from engine import hookimpl
from engine.execution import Chase

from .test_chase_paper import CODE, DAY, Watch, rising_bid, run
from .test_stops_backtest import A, DAYS, at, daily
from .helpers import AtBars


def test_a_trailing_stop_saved_by_one_run_is_resumed_by_the_next(tmp_path, backtest):
    saved = {}

    def attach(ctx):
        ctx.attach_stop(A, trail_pct=0.05, slack=0.01)

    class First(AtBars):
        @hookimpl
        def on_stop(self, ctx):
            saved.update(copy.deepcopy(ctx.state))

    first = First({at(DAYS[0]): attach})
    backtest(plugins=(("rec", first),), bars=daily(tmp_path, [10, 11, 12]), code=A, period="1d",
             positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (state,) = saved["_execution"]["stops"]
    json.dumps(saved)                              # what the engine saves to the audit database is JSON
    assert state["peak"] == "12.0" and state["status"] == "armed"

    # the next run: ctx.state restored as the engine does before on_start; the stop goes on from peak 12
    reports = []

    class Second(AtBars):
        @hookimpl
        def on_start(self, ctx):
            ctx.state.update(copy.deepcopy(saved))
            reports.append(ctx.resume_execution())

    second = Second()
    (tmp_path / "second").mkdir()
    backtest(plugins=(("rec", second),), bars=daily(tmp_path / "second", [11.5, 11.3, 11.3]), code=A, period="1d",
             positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (report,) = reports
    (stop,) = report.stops
    assert stop.id == state["id"] and stop.reason == "trailing stop 11.40 (peak 12.0) hit at 11.3"
    assert [(f.side.value, f.volume) for f in second.fills] == [("sell", 1000)]


def test_resume_can_end_what_an_earlier_run_left(tmp_path, backtest):
    reports = []

    class Later(AtBars):
        @hookimpl
        def on_start(self, ctx):
            ctx.state["_execution"] = {"stops": [], "algorithms": [
                {"kind": "chase", "parent_id": "chase-100000-9", "code": A, "side": "buy", "volume": 100}]}
            reports.append(ctx.resume_execution(algorithms=False))
            reports.append(dict(ctx.state))

    backtest(plugins=(("rec", Later()),), bars=daily(tmp_path, [10, 10]), code=A, period="1d").run()
    report, state = reports
    assert report.ended == [("algorithm", "chase-100000-9", "resume_execution(algorithms=False)")]
    assert "_execution" not in state   # nothing active is left to save


def test_a_chase_keeps_its_state_in_ctx_state_while_it_works(tmp_path):
    seen = []

    class Look(Watch):
        @hookimpl
        def on_order(self, ctx, order):
            record = ctx.state.get("_execution")
            if record:
                seen.append(copy.deepcopy(record["algorithms"][0]))

    watch = run(tmp_path, None, rising_bid(meet_at=dt.datetime.combine(DAY, dt.time(10, 1, 30))),
                watch=Look(lambda: Chase(CODE, "buy", 1000, wait_seconds=10, max_reposts=20)), delivery="sync")
    assert watch.algo.status == "done"
    assert seen and all(s["parent_id"] == watch.algo.parent_id for s in seen)
    assert max(s["params"]["reposts"] for s in seen) >= 3
    assert any(s["replacement"] for s in seen)   # a cancel in flight is saved with its replacement


def test_a_rebalance_waiting_for_its_sells_is_saved_and_issued_again_by_the_next_run(tmp_path, backtest):
    from .test_targets_backtest import MON, B, bars_dir, close_of

    saved, while_selling = {}, []

    class First(AtBars):
        @hookimpl
        def on_order(self, ctx, order):
            while_selling.append(copy.deepcopy((ctx.state.get("_execution") or {}).get("rebalance")))

        @hookimpl
        def on_stop(self, ctx):
            saved.update(copy.deepcopy(ctx.state))

    # out of A into B; the sell is priced at 10.40 (a stale quote the bars never reach): it rests, the buys wait
    first = First({close_of(MON): lambda ctx: ctx.rebalance({B: 0.5}, cash_buffer=0.1, prices={A: 10.4, B: 10.0})})
    backtest(plugins=(("rec", first),), bars=bars_dir(tmp_path, {A: [10] * 4, B: [10] * 4}), period="1d",
             initial_cash="1000", positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    waiting = {"weights": {B: "0.5"}, "cash_buffer": "0.1", "slack": "0", "tolerance": "0"}
    assert while_selling[0] == waiting           # kept in ctx.state while the sell is working
    assert "_execution" not in saved              # the day's close ended the sell, and with it the rebalance
    json.dumps(waiting)                           # what the engine saves to the audit database is JSON

    # the next run, as after a kill while the sell was working: the state restored as the engine does before
    # on_start; resume issues the rebalance again, planned from the account as it is (the last prices),
    # and this time it sells A and buys B
    saved = {"_execution": {"stops": [], "algorithms": [], "rebalance": waiting}}
    reports = []

    class Second(AtBars):
        @hookimpl
        def on_start(self, ctx):
            ctx.state.update(copy.deepcopy(saved))

        @hookimpl
        def on_bars(self, ctx, bars):
            if not reports:
                reports.append(ctx.resume_execution())

    second = Second()
    (tmp_path / "second").mkdir()
    backtest(plugins=(("rec", second),), bars=bars_dir(tmp_path / "second", {A: [10] * 4, B: [10] * 4}),
             period="1d", initial_cash="1000", positions=[{"code": A, "volume": 1000, "avg_price": "10"}]).run()
    (report,) = reports
    assert report.rebalance is not None and report.rebalance.status == "done"
    assert [(f.side.value, f.code) for f in second.fills] == [("sell", A), ("buy", B)]


def test_resume_can_end_a_waiting_rebalance(tmp_path, backtest):
    reports = []

    class Later(AtBars):
        @hookimpl
        def on_start(self, ctx):
            ctx.state["_execution"] = {"stops": [], "algorithms": [], "rebalance": {
                "weights": {A: "0"}, "cash_buffer": "0", "slack": "0", "tolerance": "0"}}
            reports.append(ctx.resume_execution(rebalance=False))
            reports.append(dict(ctx.state))

    backtest(plugins=(("rec", Later()),), bars=daily(tmp_path, [10, 10]), code=A, period="1d").run()
    report, state = reports
    assert report.rebalance is None and report.ended == [("rebalance", A, "resume_execution(rebalance=False)")]
    assert "_execution" not in state
