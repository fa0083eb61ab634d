"""VWAP and Iceberg in paper mode on the simulator: schedules, fills, one live child, saved state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from engine import hookimpl
from engine.execution import VWAP, AlgorithmError, Iceberg, volume_profile
from engine.execution.algos import BUILTIN_ALGORITHMS
from engine.models import Bar

from .test_chase_paper import CODE, DAY, FAULTS, Watch, rising_bid, run

START = dt.datetime.combine(DAY, dt.time(10, 0))


def test_the_profile_is_the_average_volume_per_window_of_earlier_days():
    def bar(day, minute, volume):
        return Bar(CODE, dt.datetime.combine(day, dt.time(10, minute)), 10, 10, 10, 10, volume)

    d1, d2 = DAY - dt.timedelta(days=2), DAY - dt.timedelta(days=1)
    bars = [bar(d1, 1, 100), bar(d1, 2, 300), bar(d1, 3, 600),   # windows (10:00, 10:01], (10:01, 10:02], ...
            bar(d2, 1, 300), bar(d2, 2, 100), bar(d2, 3, 200),
            bar(d2, 0, 9999), bar(d2, 4, 9999),                   # outside 10:00-10:03: not counted
            bar(DAY, 1, 9999)]                                    # today: what the schedule is for
    assert volume_profile(bars, START, START + dt.timedelta(minutes=3), 3) == [200.0, 200.0, 400.0]
    assert volume_profile(bars[-1:], START, START + dt.timedelta(minutes=3), 3) is None


def test_vwap_sizes_each_slice_by_the_profile(tmp_path):
    watch = run(tmp_path, lambda: VWAP(CODE, "buy", 1000, start=START, end=START + dt.timedelta(minutes=1), slices=4,
                                        profile=[1, 3, 4, 2], price="ask", offset_ticks=2),   # through the ask
                rising_bid(minutes=2), FAULTS["duplicated-reordered-delayed"])
    algo = watch.algo
    assert watch.violations == []
    assert algo.status == "done" and algo.filled == 1000
    # due after each slice: 10%, 40%, 80%, all -> 100, 400, 800, 1000 shares
    assert [c.volume for c in algo.children] == [100, 300, 400, 200]
    assert [c.created_at.time() for c in algo.children] == [dt.time(10, 0), dt.time(10, 0, 15), dt.time(10, 0, 30),
                                                            dt.time(10, 0, 45)]
    assert all(note.startswith(f"parent={algo.parent_id} vwap child ") for _, _, note in watch.requests)


def test_vwap_with_no_history_falls_back_to_even_slices_and_says_so(tmp_path):
    watch = run(tmp_path, lambda: VWAP(CODE, "buy", 1000, start=START, end=START + dt.timedelta(minutes=1), slices=4,
                                        price="ask", offset_ticks=2), rising_bid(minutes=2), delivery="sync")
    assert watch.algo.profile is None
    assert [c.volume for c in watch.algo.children] == [200, 300, 200, 300]   # TWAP's whole-lot slices


def test_bad_vwap_and_iceberg_parameters_are_refused_with_what_is_wrong():
    with pytest.raises(AlgorithmError, match="profile needs 3 non-negative weights"):
        VWAP(CODE, "buy", 1000, start=START, end=START + dt.timedelta(minutes=3), slices=3, profile=[1, 2])
    with pytest.raises(AlgorithmError, match="display=50 must be whole lots"):
        Iceberg(CODE, "buy", 1000, price=10, display=50)
    with pytest.raises(AlgorithmError, match="price must be a positive limit price"):
        Iceberg(CODE, "buy", 1000, price=0, display=100)


def test_an_iceberg_shows_one_display_at_a_time_and_the_last_carries_the_rest(tmp_path):
    watch = run(tmp_path, lambda: Iceberg(CODE, "buy", 1000, price=Decimal("10.10"), display=300),
                rising_bid(minutes=1), FAULTS["duplicated-reordered-delayed"])
    algo = watch.algo
    assert watch.violations == []                        # never two live children
    assert algo.status == "done" and algo.filled == 1000
    assert [(c.volume, c.status.name) for c in algo.children] == [(300, "SUCCEEDED"), (300, "SUCCEEDED"),
                                                                 (400, "SUCCEEDED")]
    assert {price for _, price, _ in watch.requests} == {"10.10"}


def test_an_iceberg_below_the_market_waits_with_one_child_and_its_cancel_ends_the_parent(tmp_path):
    class CancelLater(Watch):
        @hookimpl
        def on_tick(self, ctx, tick):
            super().on_tick(ctx, tick)
            if tick.time >= START + dt.timedelta(seconds=30) and self.algo.active:
                ctx.cancel(self.algo.live_children[0])   # someone else cancels the shown part

    watch = run(tmp_path, None, rising_bid(minutes=1),
                watch=CancelLater(lambda: Iceberg(CODE, "buy", 1000, price=Decimal("9.50"), display=200)))
    algo = watch.algo
    assert [(c.volume, c.status.name) for c in algo.children] == [(200, "CANCELED")]
    assert algo.status == "cancelled" and "filled 0 of 1000" in algo.reason


@pytest.mark.parametrize("make", [
    lambda: VWAP(CODE, "sell", 900, start=START, end=START + dt.timedelta(minutes=2), slices=3, profile=[2, 1, 1]),
    lambda: Iceberg(CODE, "sell", 900, price=Decimal("10.10"), display=200),
], ids=["vwap", "iceberg"])
def test_vwap_and_iceberg_state_rebuilds_the_same_algorithm(make):
    algo = make()
    algo.parent_id = f"{algo.kind}-100000-1"
    state = algo.to_state()
    again = BUILTIN_ALGORITHMS[state["kind"]].from_state(state)
    assert again.params_state() == algo.params_state()
    assert (again.code, again.side, again.volume) == (algo.code, algo.side, algo.volume)


def test_audit_order_of_a_parent_tells_every_childs_story(tmp_path):
    import json

    from typer.testing import CliRunner

    from engine.audit import open_audit_db
    from engine.audit.queries import parent_story
    from engine.cli import app

    watch = run(tmp_path, lambda: Iceberg(CODE, "buy", 1000, price=Decimal("10.10"), display=300),
                rising_bid(minutes=1), delivery="sync")
    algo = watch.algo
    children = [c.client_order_id for c in algo.children]
    db = open_audit_db(tmp_path / "audit.db", read_only=True)
    try:
        story = parent_story(db, algo.parent_id)
    finally:
        db.close()
    assert [i["child"] for i in story if i["event"] == "order_intent"] == children
    assert sum(1 for i in story if i["event"] == "fill") >= 3
    assert {i["child"] for i in story if i["event"] == "fill"} == set(children)

    result = CliRunner().invoke(app, ["audit", "order", algo.parent_id, "--db", str(tmp_path / "audit.db"), "--json"])
    assert result.exit_code == 0, result.output
    rows = []
    decoder, text = json.JSONDecoder(), result.output.strip()
    while text:   # one JSON object per row, pretty-printed
        row, end = decoder.raw_decode(text)
        rows.append(row)
        text = text[end:].strip()
    assert {row["child"] for row in rows} == set(children) and any(row["event"] == "fill" for row in rows)


def test_cancelling_by_the_parent_id_cancels_the_algorithm_and_its_live_child(tmp_path):
    asked = []

    class CancelByParent(Watch):
        @hookimpl
        def on_tick(self, ctx, tick):
            super().on_tick(ctx, tick)
            if tick.time >= START + dt.timedelta(seconds=30) and self.algo.active:
                asked.append(ctx.cancel(self.algo.parent_id))

    watch = run(tmp_path, None, rising_bid(minutes=1),
                watch=CancelByParent(lambda: Iceberg(CODE, "buy", 1000, price=Decimal("9.50"), display=200)))
    assert asked == [True]
    assert watch.algo.status == "cancelled" and [c.status.name for c in watch.algo.children] == ["CANCELED"]
