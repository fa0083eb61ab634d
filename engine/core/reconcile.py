"""Bring engine state in line with the broker after a reconnect, and resolve unknown submits.

After a disconnect the engine may have missed pushes: status changes, fills,
position and cash updates, even the answer to an order it had just sent. On
reconnect it queries the broker and compares. Every disagreement is recorded
as a ``reconciliation`` event; the broker's view then wins. Missed status
changes and fills go through the normal push handlers, so strategies see them
as ``on_order`` / ``on_trade`` and the audit has them in order. Positions are
compared after the missed fills were applied, so a ``position`` row is a
difference that no fill explains (a corporate action, a trade outside the
account's view); ``cash`` rows show the cash the engine had before the broker's
figure replaced it.

An order whose submission outcome is unknown (the request returned -1 or
raised while connected, or no answer came back) is looked up at the broker by
its client id in ``order_remark`` before anything else happens; it is never
sent a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from loguru import logger

from ..events import ReconciliationDifference
from ..models import Order, OrderStatus
from ..models.money import to_decimal
from .snapshot import BrokerSnapshot

if TYPE_CHECKING:
    from .engine import Engine


def reconcile_with_broker(engine: Engine, snapshot: BrokerSnapshot) -> int:
    """Compare and adopt the broker's state; return the number of differences recorded."""
    differ = DifferenceRecorder(engine, "reconcile")

    seen_orders: set[str] = set()
    for record in snapshot.orders:
        order = engine.orders.find(remark=record.order_remark, order_id=record.order_id)
        if order is None:
            differ("order_adopted", record.order_remark or f"order {record.order_id}", "unknown",
                   int(record.order_status), "adopted as an engine order")
        elif int(order.status) != int(record.order_status) or order.traded_volume != int(record.traded_volume or 0):
            differ("order_status", order.client_order_id, f"{int(order.status)}/{order.traded_volume}",
                   f"{int(record.order_status)}/{int(record.traded_volume or 0)}", "applied the broker's status")
        engine.broker_events.on_order_push(record)
        adopted = engine.orders.find(remark=record.order_remark, order_id=record.order_id)
        if adopted is not None:
            seen_orders.add(adopted.client_order_id)

    for order in list(engine.orders.open_orders()):
        if order.client_order_id in seen_orders or order.external:
            continue
        if order.order_id is None:
            differ("order_unknown_to_broker", order.client_order_id, int(order.status), "absent",
                   "marked rejected: the broker never received it; not re-sent")
            engine.broker_events.reject_locally(order, "not received by the broker (lost while disconnected); not re-sent")
        else:
            differ("order_unknown_to_broker", order.client_order_id, int(order.status), "absent",
                   "left as it is; check the QMT client")

    for record in snapshot.trades:
        if str(record.traded_id) not in engine.orders.trade_ids:
            differ("fill_missed", str(record.traded_id), "absent", f"{record.stock_code} x{record.traded_volume}",
                   "applied the fill")
            engine.broker_events.on_trade_push(record)

    broker_positions = {record.stock_code: record for record in snapshot.positions}
    for code in sorted(set(broker_positions) | set(engine.ledger.positions)):
        held = engine.ledger.position(code)
        engine_volume = held.volume if held else 0
        record = broker_positions.get(code)
        broker_volume = int(record.volume) if record is not None else 0
        if engine_volume != broker_volume:
            differ("position", code, engine_volume, broker_volume, "took the broker's position")
        if record is not None:
            engine.ledger.apply_position(record)
        elif held is not None:
            engine.ledger.drop_position(code)

    engine_cash = engine.ledger.account.cash
    if to_decimal(snapshot.asset.cash) != engine_cash:
        differ("cash", "account", engine_cash, snapshot.asset.cash, "took the broker's cash")
    engine.ledger.apply_asset(snapshot.asset)
    return differ.count


class DifferenceRecorder:
    """Records one ``reconciliation`` event (and a log line) per difference, and counts them."""

    def __init__(self, engine: Engine, label: str) -> None:
        self._engine, self._label = engine, label
        self.count = 0

    def __call__(self, kind: str, subject: str, engine_value: Any, broker_value: Any, action: str) -> None:
        self.count += 1
        self._engine.emit(ReconciliationDifference(kind=kind, subject=subject, engine_value=str(engine_value),
                                                   broker_value=str(broker_value), action=action))
        logger.warning("{} {} {}: engine {} / broker {} -> {}", self._label, kind, subject, engine_value,
                       broker_value, action)


def resolve_unknown_submit(engine: Engine, order: Order, why: str) -> None:
    """Find an order whose submission outcome is unknown at the broker by its client id.

    Found: adopt the broker's id and status, and the order's trades the engine has not seen (an
    order that filled while unanswered is filled with its fills, not just its status). Not found:
    the order is rejected locally. Either way it is never sent again.
    """
    try:
        records = engine.gateway.query_orders()
    except Exception as exc:  # noqa: BLE001 - cannot ask: leave it unknown, reconciliation will settle it
        logger.error("order {}: outcome unknown ({}) and the broker cannot be asked: {}", order.client_order_id, why, exc)
        return
    match = next((r for r in records if r.order_remark == order.client_order_id), None)
    if match is None:
        engine.broker_events.reject_locally(order, f"{why}; not found at the broker, so not sent (never re-sent)")
        return
    engine.emit(ReconciliationDifference(kind="order_status", subject=order.client_order_id,
                                         engine_value=f"unknown ({why})", broker_value=str(int(match.order_status)),
                                         action="found at the broker by client id; adopted"))
    engine.orders.bind_order_id(order, match.order_id)
    engine.broker_events.on_order_push(match)
    if int(match.traded_volume or 0) > 0:
        bring_in_trades(engine, order, match.order_id)


def bring_in_trades(engine: Engine, order: Order, order_id: int) -> int:
    """Apply the broker's trades of one order that the engine has not seen; returns how many."""
    try:
        trades = engine.gateway.query_trades()
    except Exception as exc:  # noqa: BLE001 - cannot ask now: the next reconcile brings them
        logger.error("order {}: its trades cannot be queried: {}", order.client_order_id, exc)
        return 0
    differ = DifferenceRecorder(engine, "resolve")
    for record in trades:
        if record.order_id == order_id and str(record.traded_id) not in engine.orders.trade_ids:
            differ("fill_missed", str(record.traded_id), "absent", f"{record.stock_code} x{record.traded_volume}",
                   f"applied the fill of {order.client_order_id}")
            engine.broker_events.on_trade_push(record)
    return differ.count


def stale_submissions(engine: Engine, older_than_seconds: float) -> list[Order]:
    """Orders sent but never acknowledged (no broker order id) for longer than the limit."""
    waiting = engine.orders.unacknowledged
    if not waiting:
        return []
    now = engine.clock.now()
    return [
        order for order in list(waiting.values())
        if order.is_open and order.order_id is None and order.status is OrderStatus.UNREPORTED and not order.external
        and order.created_at is not None and (now - order.created_at).total_seconds() > older_than_seconds
    ]


def settle_unanswered_submits(engine: Engine, timeout_seconds: float) -> None:
    """Look up at the broker every order sent longer than ``timeout_seconds`` ago and never answered."""
    for order in stale_submissions(engine, timeout_seconds):
        resolve_unknown_submit(engine, order, f"no answer from the broker within {timeout_seconds:g} s")
