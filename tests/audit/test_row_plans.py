"""The writer's fast paths produce exactly what the definitions produce.

* ``RowPlanner.row`` against ``tables.event_row``: same values, same errors,
  on the first event of a shape (slow path) and on every later one (cached plan);
* ``ChainWriter.stored_rows`` / ``stored_row`` against ``ChainWriter.prepare``:
  same stored values, same content digests.
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.audit import AuditEventError, open_audit_db
from engine.audit.chain_writer import ChainWriter
from engine.audit.row_plans import RowPlanner
from engine.audit.tables import event_fields, event_row
from engine.events import EVENT_TYPES, OrderUpdated, RiskDecisionMade

from .conftest import SAMPLE_FIELDS, EventFactory


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory):
    path = tmp_path_factory.mktemp("plans") / "audit.db"
    db = open_audit_db(path)
    writer = ChainWriter(db.conn, path)
    try:
        yield writer
    finally:
        writer.close()
        db.close()


def _same(a: tuple, b: tuple) -> bool:
    """Equal values of equal types (NaN equals NaN; True is not 1)."""
    return len(a) == len(b) and all(
        type(x) is type(y) and (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)))
        for x, y in zip(a, b))


def _outcome(call, event):
    try:
        return "ok", call(event)
    except AuditEventError as exc:
        return "error", str(exc)


def _check(planner: RowPlanner, chain: ChainWriter, event) -> None:
    expected = _outcome(event_row, event)
    for _ in range(3):  # the first call may take the slow path and learn the shape; the others use the plan
        got = _outcome(lambda e: planner.row(e), event)
        if expected[0] == "error":
            assert got == expected
            continue
        plan, values = got[1]
        assert got[0] == "ok" and _same(values, expected[1]), (values, expected[1])
        try:
            reference = chain.prepare(event.name, expected[1])
        except (OverflowError, ValueError, TypeError) as exc:  # SQLite cannot store it: both paths refuse it
            with pytest.raises(type(exc)):
                chain.stored_row(plan, values)
            with pytest.raises(type(exc)):
                chain.stored_rows([(plan, values, None)])
            continue
        stored, digest = chain.stored_row(plan, values)
        assert _same(stored, reference[1]) and digest == reference[2] and plan.table == reference[0]
        stored_many, digests = chain.stored_rows([(plan, values, None)])
        assert _same(stored_many[0], reference[1]) and digests == [reference[2]]


@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
def test_every_sample_event_matches_event_row(name: str, chain: ChainWriter) -> None:
    _check(RowPlanner(chain.layouts), chain, EventFactory()(name))


_VALUES = st.one_of(
    st.none(), st.booleans(), st.text(max_size=6), st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=2**63, max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([Decimal("10.50"), {"a": 1}, [1, "x"], "12", "2.0", ""]),
)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["order_update", "risk_decision", "job_run", "fill", "plugin_error"]),
       data=st.data())
def test_any_field_values_match_event_row(name: str, data: st.DataObject, chain: ChainWriter) -> None:
    event_type = EVENT_TYPES[name]
    values = {field: data.draw(_VALUES, label=field) for field in event_fields(event_type)}
    event = EventFactory()(name, **values)
    _check(RowPlanner(chain.layouts), chain, event)


@settings(max_examples=200, deadline=None)
@given(run_id=st.sampled_from(["", "run-1", 5, None]), seq=st.sampled_from([0, 1, -3, True, 2.0, "4", 9]),
       ts=st.sampled_from(["", "2025-01-02T09:30:00", None, 7]))
def test_bad_envelopes_fail_like_event_row_after_the_shape_is_known(run_id, seq, ts, chain: ChainWriter) -> None:
    planner = RowPlanner(chain.layouts)
    good = EventFactory()("order_update")
    planner.row(good)  # the shape is now cached: the envelope is still checked on every event
    bad = dataclasses.replace(good)
    bad.run_id, bad.seq, bad.ts = run_id, seq, ts
    _check(planner, chain, bad)


def test_bools_are_stored_as_ints_on_the_fast_path(chain: ChainWriter) -> None:
    planner = RowPlanner(chain.layouts)
    events = EventFactory()
    planner.row(events("risk_decision", allowed=True))
    plan, values = planner.row(events("risk_decision", allowed=False))
    assert plan.bools and values[plan.bools[0]] == 0 and type(values[plan.bools[0]]) is int


def test_subclasses_and_unusual_values_take_the_slow_path(chain: ChainWriter) -> None:
    @dataclasses.dataclass(kw_only=True)
    class LoudUpdate(OrderUpdated):
        pass

    planner = RowPlanner(chain.layouts)
    event = EventFactory().stamp(LoudUpdate(**SAMPLE_FIELDS["order_update"]))
    assert planner.row(event)[1] == event_row(event)
    decision = EventFactory()("risk_decision", value=Decimal("1.50"))
    assert planner.row(decision)[1] == event_row(decision)
    assert not planner._plans[RiskDecisionMade]  # a Decimal shape is never cached


def test_shapes_per_class_are_bounded(chain: ChainWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    import engine.audit.row_plans as row_plans

    monkeypatch.setattr(row_plans, "MAX_SHAPES_PER_CLASS", 2)
    planner = RowPlanner(chain.layouts)
    events = EventFactory()
    for order_id in (1, None, "x", 2.5):
        event = events("order_update", order_id=order_id)
        assert planner.row(event)[1] == event_row(event)
    assert len(planner._plans[OrderUpdated]) == 2


def test_a_writer_file_written_through_the_fast_path_verifies(tmp_path: Path) -> None:
    from engine.audit import AuditWriter
    from engine.audit.verify import verify_chain

    path = tmp_path / "audit.db"
    events = EventFactory()
    with AuditWriter(path, flush_interval=30.0) as audit:
        audit.track_event(events("run_started"))
        for name in sorted(SAMPLE_FIELDS):
            if name not in ("run_started", "run_stopped"):
                for _ in range(3):
                    audit.track_event(events(name, client_order_id=f"c-{events.seq}")
                                      if "client_order_id" in SAMPLE_FIELDS[name] else events(name))
        audit.track_event(events("order_update", order_id=2.0, order_sysid=12))  # converted on the writer thread
        audit.track_event(events("job_run", duration_ms=float("nan")))
        audit.track_event(events("run_stopped"))
    db = open_audit_db(path, create=False)
    try:
        report = verify_chain(db)
        assert report.ok, report.problems
        assert db.execute("SELECT order_sysid FROM order_updates WHERE order_id = 2").fetchone()[0] == "12"
    finally:
        db.close()
