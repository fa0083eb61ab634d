"""Engine events: small dataclasses that the engine emits through ``track_event``.

Every fact the audit database stores arrives as one of these (datasette's
``track_event`` pattern): the audit writer is just a plugin implementing
``track_event``. The engine stamps ``run_id``, a per-run monotonic ``seq`` and
``ts`` (engine clock, ISO 8601) on each event before dispatching it.

``durable = True`` marks events that must be on disk before the engine acts on
them (an order intent is committed before the order leaves the engine); the
others may be written in batches.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any, ClassVar


@dataclass(kw_only=True)
class Event:
    """Base class. ``name`` identifies the kind of event (and the audit table it lands in)."""

    name: ClassVar[str] = "event"
    durable: ClassVar[bool] = False

    run_id: str = ""
    seq: int = 0
    ts: str = ""

    def properties(self) -> dict[str, Any]:
        """The event's own fields (without the envelope), JSON-friendly."""
        data = asdict(self)
        for key in ("run_id", "seq", "ts"):
            data.pop(key)
        return {k: _plain(v) for k, v in data.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@dataclass(kw_only=True)
class RunStarted(Event):
    """A run began: mode (paper/live/backtest), config file, account (masked)."""

    name: ClassVar[str] = "run_started"
    durable: ClassVar[bool] = True
    mode: str
    config_path: str = ""
    account: str = ""
    engine_version: str = ""
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class RunStopped(Event):
    """A run ended; ``reason`` says why (completed, signal, error) and ``summary`` holds the totals."""

    name: ClassVar[str] = "run_stopped"
    durable: ClassVar[bool] = True
    reason: str
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class _OrderRequestEvent(Event):
    """Fields every event about one order request carries."""

    client_order_id: str
    strategy: str
    code: str
    side: str
    volume: int
    price: str | None


@dataclass(kw_only=True)
class RiskDecisionMade(_OrderRequestEvent):
    """One rule's decision on one order request (allowed ones too)."""

    name: ClassVar[str] = "risk_decision"
    allowed: bool
    rule: str
    plugin: str
    reason: str = ""
    value: Any = None
    limit: Any = None


@dataclass(kw_only=True)
class OrderDenied(_OrderRequestEvent):
    """An order request was blocked before it left the engine (the first denying decision)."""

    name: ClassVar[str] = "order_denied"
    rule: str
    plugin: str
    reason: str


@dataclass(kw_only=True)
class OrderIntent(_OrderRequestEvent):
    """An order that passed risk, committed before it is handed to the broker."""

    name: ClassVar[str] = "order_intent"
    durable: ClassVar[bool] = True
    price_type: int
    external: bool = False
    note: str = ""


@dataclass(kw_only=True)
class OrderSubmitted(Event):
    """The broker call returned: ``seq`` (async request number) or ``-1`` (API-level failure)."""

    name: ClassVar[str] = "order_submitted"
    client_order_id: str
    request_seq: int | None = None
    result: int
    detail: str = ""


@dataclass(kw_only=True)
class OrderUpdated(Event):
    """An order's status or fill state changed (one row per change: the status history)."""

    name: ClassVar[str] = "order_update"
    client_order_id: str
    order_id: int | None
    order_sysid: str
    status: int
    status_label: str
    previous_status: int | None
    traded_volume: int
    status_msg: str = ""


@dataclass(kw_only=True)
class FillRecorded(Event):
    """One execution, after de-duplication by ``trade_id``."""

    name: ClassVar[str] = "fill"
    trade_id: str
    client_order_id: str
    order_id: int | None
    strategy: str
    code: str
    side: str
    price: str
    volume: int
    amount: str
    commission: str
    traded_time: str = ""


@dataclass(kw_only=True)
class _BrokerRefusalEvent(Event):
    """Fields of a broker refusal (an order or a cancel); the client id is None for unknown orders."""

    client_order_id: str | None
    order_id: int | None
    strategy: str
    error_id: int | None
    error_msg: str


@dataclass(kw_only=True)
class OrderErrorRecorded(_BrokerRefusalEvent):
    """The broker refused an order (``on_order_error``)."""

    name: ClassVar[str] = "order_error"


@dataclass(kw_only=True)
class CancelRequested(Event):
    """A strategy asked to cancel an order; ``result`` is the broker call's return."""

    name: ClassVar[str] = "cancel_request"
    client_order_id: str
    order_id: int | None
    strategy: str
    result: int | None = None


@dataclass(kw_only=True)
class CancelErrorRecorded(_BrokerRefusalEvent):
    """The broker refused a cancel (``on_cancel_error``)."""

    name: ClassVar[str] = "cancel_error"


@dataclass(kw_only=True)
class ConnectionChanged(Event):
    """Connection life: ``kind`` is connected, disconnected, reconnecting, reconnected, failed."""

    name: ClassVar[str] = "connection"
    kind: str
    session_id: int | None = None
    detail: str = ""


@dataclass(kw_only=True)
class PluginFailed(Event):
    """A plugin raised inside a hook. The engine went on; ``faulted`` says if it is now skipped."""

    name: ClassVar[str] = "plugin_error"
    plugin: str
    hook: str
    error_type: str
    error: str
    traceback: str
    hook_input: str
    consecutive_failures: int
    faulted: bool = False


@dataclass(kw_only=True)
class JobRan(Event):
    """A scheduled job ran: target plugin, outcome (ok, error, skipped) and duration."""

    name: ClassVar[str] = "job_run"
    job: str
    target: str
    scheduled_for: str
    outcome: str
    duration_ms: float
    error: str = ""


@dataclass(kw_only=True)
class TradingStateChanged(Event):
    """The account's or one strategy's trading state changed (ACTIVE/REDUCING/HALTED)."""

    name: ClassVar[str] = "trading_state"
    scope: str  # "account" or "strategy:<name>"
    previous: str
    current: str
    cause: str


@dataclass(kw_only=True)
class ReconciliationDifference(Event):
    """Engine state and the broker disagreed after a reconnect or restart; the broker's view won.

    ``kind``: order_status, order_unknown_to_broker, order_adopted, fill_missed,
    position, cash. ``subject`` names the order (client id) or the code.
    """

    name: ClassVar[str] = "reconciliation"
    kind: str
    subject: str
    engine_value: str
    broker_value: str
    action: str


@dataclass(kw_only=True)
class AlertRaised(Event):
    """Something an operator should look at: a silent market-data feed, an overfilled order..."""

    name: ClassVar[str] = "alert"
    kind: str
    detail: str


@dataclass(kw_only=True)
class DailyStatementWritten(Event):
    """The post-close statement of one trading day: per strategy and for the account (JSON)."""

    name: ClassVar[str] = "daily_statement"
    durable: ClassVar[bool] = True
    day: str
    statement: dict[str, Any] = field(default_factory=dict)


@dataclass(kw_only=True)
class EquityMarked(Event):
    """The account's value at one moment (built-in plugin ``results``, :mod:`engine.results.marks`): the
    points every run report is computed from, and the equity curve and positions page of ``qmt-engine serve``.

    ``kind``: ``start`` (the run began), ``intraday`` (every ``results.mark_every`` in
    trading hours, when something changed), ``close`` (after the close, once a trading
    day), ``stop`` (the run ended). Money as decimal strings. ``pnl_today``: total asset
    against the trading day's loss baseline. ``positions`` is JSON text mapping each held
    code to ``{"volume": int, "price": str}`` (the last price the engine had) plus, for the
    positions page, ``name``, ``can_use_volume``, ``avg_price``, ``holding_days``,
    ``market_value``, ``pnl`` and ``pnl_pct``; ``strategies`` is JSON text mapping each
    strategy to its P&L today.
    """

    name: ClassVar[str] = "equity_mark"
    kind: str
    cash: str
    frozen_cash: str
    market_value: str
    total_asset: str
    pnl_today: str | None = None
    positions: str = "{}"
    strategies: str = "{}"


@dataclass(kw_only=True)
class StrategyStateSaved(Event):
    """A strategy's ``ctx.state``, saved when it changed and at the stop, as JSON text (``state``).

    The next run on the same account restores each strategy's latest (issue 13).
    """

    name: ClassVar[str] = "strategy_state"
    strategy: str
    state: str


#: Every event type, by name; the audit schema has a table for each.
EVENT_TYPES: dict[str, type[Event]] = {
    cls.name: cls
    for cls in (
        RunStarted, RunStopped, RiskDecisionMade, OrderDenied, OrderIntent, OrderSubmitted,
        OrderUpdated, FillRecorded, OrderErrorRecorded, CancelRequested, CancelErrorRecorded,
        ConnectionChanged, PluginFailed, JobRan, TradingStateChanged, ReconciliationDifference,
        AlertRaised, DailyStatementWritten, EquityMarked, StrategyStateSaved,
    )
}


class JournalError(Exception):
    """An audit journal could not durably record a durable event (an order intent: the order was not sent)."""
