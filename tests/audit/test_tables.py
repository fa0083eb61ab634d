"""The event -> table map is complete, and event -> row conversion validates its input."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from sqlite_utils import Database

from engine.audit import EVENT_TABLES, AuditEventError
from engine.audit.tables import ENVELOPE, event_fields, event_row, mask_account, table_columns
from engine.events import EVENT_TYPES, Event, OrderIntent, RiskDecisionMade, RunStarted

from .conftest import SAMPLE_FIELDS, EventFactory


def test_every_event_type_has_a_table() -> None:
    missing = sorted(set(EVENT_TYPES) - set(EVENT_TABLES))
    assert not missing, f"event types without an audit table (add a migration + EVENT_TABLES entry): {missing}"
    assert not set(EVENT_TABLES) - set(EVENT_TYPES), "EVENT_TABLES names an event that no longer exists"


def test_every_event_field_has_a_column(audit_db: Database) -> None:
    problems = []
    for name, event_type in EVENT_TYPES.items():
        table = EVENT_TABLES[name].table
        if table not in audit_db.table_names():
            problems.append(f"{name}: table {table} does not exist")
            continue
        columns = set(audit_db[table].columns_dict)
        for column in table_columns(event_type):
            if column not in columns:
                problems.append(f"{name}: no column {table}.{column}")
    assert not problems, "event fields without a column (add a migration):\n" + "\n".join(problems)


def test_tables_are_distinct_and_carry_the_envelope(audit_db: Database) -> None:
    tables = [entry.table for entry in EVENT_TABLES.values()]
    assert len(tables) == len(set(tables))
    for table in tables:
        assert list(audit_db[table].columns_dict)[:3] == list(ENVELOPE)


def test_every_event_type_has_sample_fields() -> None:
    # keeps the round-trip tests covering every event type
    assert set(SAMPLE_FIELDS) == set(EVENT_TYPES)


def test_limit_is_stored_as_limit_value() -> None:
    assert "limit_value" in table_columns(RiskDecisionMade)
    assert "limit" in event_fields(RiskDecisionMade)


@pytest.mark.parametrize(
    ("account", "masked"),
    [("8800001234", "******1234"), ("****1234", "****1234"), ("1234", "1234"), ("", "")],
)
def test_mask_account(account: str, masked: str) -> None:
    assert mask_account(account) == masked


def test_event_row_values(events: EventFactory) -> None:
    event = events("run_started")
    row = dict(zip(table_columns(RunStarted), event_row(event)))
    assert row["account"] == "******1234"
    assert row["settings"] == '{"max_order_value": "50000.00"}'
    assert (row["run_id"], row["seq"]) == ("run-1", 1)
    decision = dict(zip(table_columns(RiskDecisionMade), event_row(events("risk_decision", value=3, limit=None))))
    assert decision["allowed"] == 1 and decision["value"] == 3 and decision["limit_value"] is None


def test_unstamped_event_is_refused() -> None:
    event = OrderIntent(**SAMPLE_FIELDS["order_intent"])
    with pytest.raises(AuditEventError, match="order_intent event has no run_id"):
        event_row(event)
    event.run_id, event.seq = "run-1", 0
    with pytest.raises(AuditEventError, match="seq 0"):
        event_row(event)
    event.seq = 3
    with pytest.raises(AuditEventError, match="no ts"):
        event_row(event)


def test_unknown_event_type_is_refused() -> None:
    @dataclass(kw_only=True)
    class MarginCall(Event):
        name: ClassVar[str] = "margin_call"

    with pytest.raises(AuditEventError, match="MarginCall.*no audit table"):
        event_row(MarginCall(run_id="r", seq=1, ts="t"))
    with pytest.raises(AuditEventError, match="expected an engine.events.Event"):
        event_row({"name": "order_intent"})  # type: ignore[arg-type]


def test_unstorable_value_names_the_field(events: EventFactory) -> None:
    with pytest.raises(AuditEventError, match="risk_decision run run-1 seq 1: field 'value' has a object"):
        event_row(events("risk_decision", value=object()))
    with pytest.raises(AuditEventError, match="field 'summary' is not JSON-serialisable"):
        event_row(events("run_stopped", summary={"x": {1, 2}}))


def test_engine_values_are_stored_like_properties_says(events: EventFactory) -> None:
    """Decimals, enums and datetimes take the properties() path and land as plain values."""
    import datetime as dt
    from decimal import Decimal

    from engine.events import FillRecorded, OrderUpdated
    from engine.models.enums import OrderStatus, Side

    fill = events("fill", price=Decimal("10.50"), amount=Decimal("1050.00"), commission=Decimal("5.00"),
                  side=Side.SELL, traded_time=dt.datetime(2025, 1, 2, 9, 31))
    row = dict(zip(table_columns(FillRecorded), event_row(fill)))
    assert (row["price"], row["amount"], row["commission"]) == ("10.50", "1050.00", "5.00")
    assert row["side"] == "sell" and row["traded_time"] == "2025-01-02T09:31:00"
    update = events("order_update", status=OrderStatus.PART_SUCC, previous_status=OrderStatus.REPORTED)
    row = dict(zip(table_columns(OrderUpdated), event_row(update)))
    assert (row["status"], row["previous_status"]) == (55, 50)
    assert all(type(value) in (str, int, float, type(None)) for value in row.values())
