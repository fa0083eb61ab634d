"""The orders' one owner: the order book, the router, the risk gate and the broker's answers.

:class:`OrderDesk` is what the rest of the engine calls for anything about
orders: strategies place and cancel through it (``ctx.buy`` -> :meth:`submit`),
the operator's kill switch cancels through it, the broker's pushes arrive at the
handlers of :meth:`inbound_handlers`, reconnect reconciliation and start-up
recovery apply the broker's records through it. Its parts (``book.py``,
``router.py``, ``risk_gate.py``, ``broker_events.py``, ``unknown_outcomes.py``)
see only :class:`~engine.orders.inputs.OrderDeskInputs`, never the engine.
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from typing import Any, Callable

from loguru import logger

from ..models import Order, OrderStatus, Side
from .book import OrderBook
from .broker_events import BrokerEventHandler
from .inputs import OrderDeskInputs
from .risk_gate import RiskGate
from .router import OrderRouter
from .unknown_outcomes import UnknownOutcomes

__all__ = ["OrderDesk"]


class OrderDesk:
    """Every order of the run and every way to change one.

    :param inputs: the desk's collaborators (clock, gateway, ledger, audit, hooks, trading states).
    :param id_prefix: the run's client order id prefix (:func:`engine.orders.router.client_id_prefix`).
    """

    def __init__(self, inputs: OrderDeskInputs, id_prefix: str) -> None:
        self._book = OrderBook()
        self._events = BrokerEventHandler(inputs, self._book)
        self._unknown = UnknownOutcomes(inputs, self._book, self._events)
        self._router = OrderRouter(inputs, self._book, RiskGate(inputs), self._events, self._unknown, id_prefix)

    # -- strategies and the operator ----------------------------------------------

    def submit(self, strategy: str, code: str, side: Side, volume: int, price, price_type: int | str,
               note: str = "") -> Order | None:
        """Risk gate, durable intent, gateway (engine thread only). Returns the order, or None when denied."""
        return self._router.submit(strategy, code, side, volume, price, price_type, note)

    def cancel(self, strategy: str, order: Order) -> bool:
        """Ask the broker to cancel ``order`` (queued while disconnected, parked until the broker's id arrives)."""
        return self._router.cancel(strategy, order)

    def cancel_all_open(self, by: str, strategy: str | None = None) -> int:
        """Cancel every open order of the account, or of one strategy; cancels are never blocked.
        Returns how many were asked (queued ones count)."""
        asked = sum(1 for order in self._book.open_orders(strategy=strategy) if self._router.cancel(by, order))
        logger.warning("kill switch: cancel requested for {} open order(s)", asked)
        return asked

    @property
    def queued_cancels(self) -> tuple[str, ...]:
        """Client ids of cancels waiting for a live trader."""
        return self._router.queued_cancels

    def send_queued_cancels(self) -> int:
        """After a reconnect: send the queued cancels of orders still open; returns how many were sent."""
        return self._router.send_queued_cancels()

    # -- readers ------------------------------------------------------------------

    def get(self, client_order_id: str) -> Order | None:
        """The order with this client id, if this run knows it (today's and the previous day's)."""
        return self._book.by_client_id.get(client_order_id)

    def find(self, *, remark: str | None = None, order_id: int | None = None, seq: int | None = None) -> Order | None:
        """Resolve a broker record to an order: the client id in ``order_remark`` first, then ids."""
        return self._book.find(remark=remark, order_id=order_id, seq=seq)

    def open_orders(self, code: str | None = None, strategy: str | None = None) -> list[Order]:
        return self._book.open_orders(code=code, strategy=strategy)

    def orders_of_day(self, day: dt.date) -> list[Order]:
        return self._book.orders_of_day(day)

    def known(self) -> int:
        """How many orders the book holds (memory stays flat: two trading days and the open ones)."""
        return len(self._book.by_client_id)

    def has_trade(self, trade_id: str) -> bool:
        return trade_id in self._book.trade_ids

    # -- the broker's answers -----------------------------------------------------

    def inbound_handlers(self) -> dict[str, Callable[[Any], None]]:
        """The handlers of the broker's pushes, by inbound message kind (engine thread)."""
        events = self._events
        return {"order": events.on_order_push, "trade": events.on_trade_push, "order_error": events.on_order_error,
                "cancel_error": events.on_cancel_error, "order_response": events.on_order_response,
                "cancel_response": events.on_cancel_response, "asset": events.on_asset, "position": events.on_position}

    def apply_order(self, record) -> None:
        """An ``XtOrder`` from a query answer: applied as its push would be (unknown orders adopted)."""
        self._events.on_order_push(record)

    def apply_trade(self, record) -> None:
        """An ``XtTrade`` from a query answer: applied as its push would be (a seen trade id is ignored)."""
        self._events.on_trade_push(record)

    def settle_unanswered(self, timeout_seconds: float) -> None:
        """Look up at the broker every order sent longer than ``timeout_seconds`` ago and never answered."""
        self._unknown.settle_unanswered(timeout_seconds)

    def reject_locally(self, order: Order, message: str) -> None:
        """The broker never received ``order`` (it is never re-sent): JUNK with ``message``."""
        self._events.reject_locally(order, message)

    # -- start-up: the broker's snapshot and the journal ----------------------------

    def recovering(self) -> AbstractContextManager[None]:
        """While recovering at start-up: state and audit are updated, hooks are not called."""
        return self._events.silently()

    def adopt_silently(self, record) -> Order:
        """An order of the broker's snapshot the engine did not know: adopted with the broker's status, unrecorded
        (an earlier run recorded it, or it is external)."""
        return self._events.adopt(record, announce=False)

    def load_snapshot(self, orders, trades) -> None:
        """The broker's orders and trades of today at start-up or the day roll: unknown orders adopted
        silently, every trade id marked seen (a re-pushed trade is not counted twice)."""
        for record in orders:
            if self._book.find(remark=record.order_remark, order_id=record.order_id) is None:
                self._events.adopt(record, announce=False)
        for record in trades:
            self._book.trade_ids.add(str(record.traded_id))

    def recover_trade(self, record) -> None:
        """A trade of a recovered intent that the journal lacks: applied and recorded even though the start-up
        snapshot marked its id seen."""
        self._book.trade_ids.discard(str(record.traded_id))
        self._events.on_trade_push(record)

    def journal_adopted_status(self, order: Order, journalled_status: int | None, message: str) -> None:
        """Record the broker's status of an order adopted at start-up when the journal's last status differs."""
        self._events.journal_adopted_status(order, journalled_status, message)

    def close_past_day_order(self, order: Order, status: OrderStatus, message: str) -> None:
        """Give a journalled order of an earlier trading day its final ``status`` (its day is over)."""
        self._events.close_past_day_order(order, status, message)

    # -- the day ------------------------------------------------------------------

    def roll_day(self, keep_from: dt.date) -> None:
        """A new trading day: forget finished orders created before ``keep_from`` and start a new generation
        of trade ids (the audit keeps every one)."""
        self._book.retire_before(keep_from)
        self._book.trade_ids.new_day()
