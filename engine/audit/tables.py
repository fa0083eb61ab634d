"""Where each engine event lands: the one event-to-table map, and event -> row conversion.

:data:`EVENT_TABLES` maps every ``Event.name`` in :data:`engine.events.EVENT_TYPES`
to its table. A row is the envelope (``run_id``, ``seq``, ``ts``) followed by
the event's own fields, in dataclass order, under the same names (except the
few renames listed on the entry). Values are stored as:

* ``None`` -> NULL; ``bool`` -> 0/1; ``int``/``float``/``str`` as they are
  (Decimals already arrive as strings from ``Event.properties()``);
* ``dict``/``list`` -> JSON text (keys sorted, UTF-8 kept readable).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any, Mapping

from ..events import (
    EVENT_TYPES, CancelErrorRecorded, CancelRequested, ConnectionChanged, Event, FillRecorded,
    JobRan, OrderDenied, OrderErrorRecorded, OrderIntent, OrderSubmitted, OrderUpdated,
    PluginFailed, ReconciliationDifference, RiskDecisionMade, RunStarted, RunStopped, TradingStateChanged,
)
from ..events import AlertRaised, DailyStatementWritten, EquityMarked, StrategyStateSaved
from .errors import AuditEventError

ENVELOPE: tuple[str, ...] = ("run_id", "seq", "ts")


@dataclass(frozen=True)
class EventTable:
    """One event type's destination: the table and any field -> column renames."""

    table: str
    renames: Mapping[str, str] = field(default_factory=dict)

    def column(self, field_name: str) -> str:
        """The column that stores ``field_name``."""
        return self.renames.get(field_name, field_name)


#: Event name -> destination table. The single place that says where an event goes.
EVENT_TABLES: dict[str, EventTable] = {
    RunStarted.name: EventTable("runs"),
    RunStopped.name: EventTable("run_stops"),
    RiskDecisionMade.name: EventTable("risk_decisions", {"limit": "limit_value"}),
    OrderDenied.name: EventTable("order_denials"),
    OrderIntent.name: EventTable("order_intents"),
    OrderSubmitted.name: EventTable("order_submissions"),
    OrderUpdated.name: EventTable("order_updates"),
    FillRecorded.name: EventTable("fills"),
    OrderErrorRecorded.name: EventTable("order_errors"),
    CancelRequested.name: EventTable("cancel_requests"),
    CancelErrorRecorded.name: EventTable("cancel_errors"),
    ConnectionChanged.name: EventTable("connection_events"),
    PluginFailed.name: EventTable("plugin_errors"),
    JobRan.name: EventTable("job_runs"),
    TradingStateChanged.name: EventTable("trading_states"),
    ReconciliationDifference.name: EventTable("reconciliation_diffs"),
    AlertRaised.name: EventTable("alerts"),
    DailyStatementWritten.name: EventTable("daily_statements"),
    EquityMarked.name: EventTable("equity_marks"),
    StrategyStateSaved.name: EventTable("strategy_states"),
}


def event_fields(event_type: type[Event]) -> list[str]:
    """The event's own field names (no envelope), in declaration order."""
    return [f.name for f in fields(event_type) if f.name not in ENVELOPE]


def table_columns(event_type: type[Event]) -> list[str]:
    """The columns an event of this type fills, envelope first."""
    entry = EVENT_TABLES[event_type.name]
    return [*ENVELOPE, *(entry.column(name) for name in event_fields(event_type))]


def insert_sql(event_type: type[Event]) -> str:
    """The parameterised INSERT for one event type (columns in :func:`table_columns` order)."""
    columns = table_columns(event_type)
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO [{EVENT_TABLES[event_type.name].table}] ({names}) VALUES ({marks})"


def mask_account(account: str) -> str:
    """Keep only the last 4 characters of an account id; already-masked values pass unchanged."""
    if not account or "*" in account or len(account) <= 4:
        return account
    return "*" * (len(account) - 4) + account[-4:]


def event_row(event: Event) -> tuple[Any, ...]:
    """The row values for ``event`` in :func:`table_columns` order.

    Values are those of ``event.properties()``. Fast path: when every field is
    already a plain ``str``/``int``/``float``/``bool``/``None`` (the common case),
    the fields are read directly, skipping the deep copy ``properties()`` makes.

    :raises AuditEventError: unknown event type, missing envelope, or a value
        SQLite cannot store; the message names the event and the field.
    """
    event_type = _known_type(event)
    _check_envelope(event)
    names = _FIELD_NAMES[event_type.name]
    raw = [getattr(event, name) for name in names]
    types = set(map(type, raw))
    if types <= _PLAIN_TYPES and not isinstance(event, RunStarted):  # the hot path: no per-value calls
        if bool in types:
            raw = [int(value) if type(value) is bool else value for value in raw]
        return (event.run_id, event.seq, event.ts, *raw)
    if not types <= _PLAIN_TYPES:
        props = event.properties()
        raw = [props.get(name) for name in names]
    if isinstance(event, RunStarted):
        index = names.index("account")
        raw[index] = mask_account(raw[index] or "")
    values: list[Any] = [event.run_id, event.seq, event.ts]
    values.extend(_column_value(event, name, value) for name, value in zip(names, raw))
    return tuple(values)


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_FIELD_NAMES: dict[str, list[str]] = {name: event_fields(cls) for name, cls in EVENT_TYPES.items()}


def _known_type(event: Event) -> type[Event]:
    if not isinstance(event, Event):
        raise AuditEventError(f"audit: expected an engine.events.Event, got {type(event).__name__}")
    event_type = EVENT_TYPES.get(event.name)
    if event_type is None or event.name not in EVENT_TABLES:
        raise AuditEventError(
            f"audit: event type {type(event).__name__} (name {event.name!r}) has no audit table; "
            "add a migration and an EVENT_TABLES entry"
        )
    return event_type


def _check_envelope(event: Event) -> None:
    where = f"audit: {event.name} event"
    if not isinstance(event.run_id, str) or not event.run_id:
        raise AuditEventError(f"{where} has no run_id (the engine stamps run_id/seq/ts before track_event)")
    if isinstance(event.seq, bool) or not isinstance(event.seq, int) or event.seq <= 0:
        raise AuditEventError(f"{where} of run {event.run_id} has seq {event.seq!r}; expected an int >= 1")
    if not isinstance(event.ts, str) or not event.ts:
        raise AuditEventError(f"{where} run {event.run_id} seq {event.seq} has no ts (ISO 8601 string)")


def _column_value(event: Event, name: str, value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float)):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, (dict, list)):
        try:
            return json.dumps(value, sort_keys=True, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise AuditEventError(
                f"audit: {event.name} run {event.run_id} seq {event.seq}: field {name!r} is not "
                f"JSON-serialisable ({exc})"
            ) from exc
    raise AuditEventError(
        f"audit: {event.name} run {event.run_id} seq {event.seq}: field {name!r} has a "
        f"{type(value).__name__} value ({value!r:.80}); store str, int, float, bool, Decimal, "
        "dict or list"
    )
