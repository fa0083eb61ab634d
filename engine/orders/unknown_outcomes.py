"""Orders whose submission outcome is unknown, resolved whole at the broker by their client id.

An order whose request returned -1 or raised while connected, or that got no
answer within ``engine.submit_timeout_seconds``, is looked up among the broker's
orders by the client id in ``order_remark`` before anything else happens:
found, it takes the broker's id and status and brings in its trades (an order
that filled while unanswered is filled with its fills, not just its status);
not found, it is rejected locally. It is never sent a second time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

from ..events import ReconciliationDifference
from ..models import Order, OrderStatus
from .differences import DifferenceRecorder

if TYPE_CHECKING:
    from .book import OrderBook
    from .broker_events import BrokerEventHandler
    from .inputs import OrderDeskInputs

__all__ = ["UnknownOutcomes"]


class UnknownOutcomes:
    def __init__(self, inputs: OrderDeskInputs, book: OrderBook, events: BrokerEventHandler) -> None:
        self._inputs, self._book, self._events = inputs, book, events

    def resolve_submit(self, order: Order, why: str) -> None:
        """Find ``order`` at the broker by its client id (see the module docstring)."""
        try:
            records = self._inputs.gateway.query_orders()
        except Exception as exc:  # noqa: BLE001 - cannot ask: leave it unknown, reconciliation will settle it
            logger.error("order {}: outcome unknown ({}) and the broker cannot be asked: {}", order.client_order_id, why, exc)
            return
        match = next((r for r in records if r.order_remark == order.client_order_id), None)
        if match is None:
            self._events.reject_locally(order, f"{why}; not found at the broker, so not sent (never re-sent)")
            return
        self._inputs.emit(ReconciliationDifference(
            kind="order_status", subject=order.client_order_id, engine_value=f"unknown ({why})",
            broker_value=str(int(match.order_status)), action="found at the broker by client id; adopted"))
        self._book.bind_order_id(order, match.order_id)
        self._events.on_order_push(match)
        if int(match.traded_volume or 0) > 0:
            self.bring_in_trades(order, match.order_id)

    def bring_in_trades(self, order: Order, order_id: int) -> int:
        """Apply the broker's trades of one order that the engine has not seen; returns how many."""
        try:
            trades = self._inputs.gateway.query_trades()
        except Exception as exc:  # noqa: BLE001 - cannot ask now: the next reconcile brings them
            logger.error("order {}: its trades cannot be queried: {}", order.client_order_id, exc)
            return 0
        differ = DifferenceRecorder(self._inputs.emit, "resolve")
        for record in trades:
            if record.order_id == order_id and str(record.traded_id) not in self._book.trade_ids:
                differ("fill_missed", str(record.traded_id), "absent", f"{record.stock_code} x{record.traded_volume}",
                       f"applied the fill of {order.client_order_id}")
                self._events.on_trade_push(record)
        return differ.count

    def stale_submissions(self, older_than_seconds: float) -> list[Order]:
        """Orders sent but never acknowledged (no broker order id) for longer than the limit."""
        waiting = self._book.unacknowledged
        if not waiting:
            return []
        now = self._inputs.clock.now()
        return [
            order for order in list(waiting.values())
            if order.is_open and order.order_id is None and order.status is OrderStatus.UNREPORTED and not order.external
            and order.created_at is not None and (now - order.created_at).total_seconds() > older_than_seconds
        ]

    def settle_unanswered(self, timeout_seconds: float) -> None:
        """Look up at the broker every order sent longer than ``timeout_seconds`` ago and never answered."""
        for order in self.stale_submissions(timeout_seconds):
            self.resolve_submit(order, f"no answer from the broker within {timeout_seconds:g} s")
