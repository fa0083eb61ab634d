"""The only way to the broker: request -> risk gate -> durable intent -> gateway.

Every ``ctx.buy`` / ``ctx.sell`` / ``ctx.order`` lands in :meth:`OrderRouter.submit`
on the engine thread. An order that passed the risk gate is journalled as a
durable ``OrderIntent`` before the gateway sees it; if the journal cannot write
it, the order is not sent. Cancels go out at once when the broker knows the
order and is connected; before the broker's id arrives they are parked with the
broker-event handler, and while the broker is not connected they are queued
and sent after the reconnect.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING

from loguru import logger

from ..broker.gateway import BrokerError
from ..events import CancelRequested, JournalError, OrderDenied, OrderIntent, OrderSubmitted
from ..instruments import price_tick
from ..models import Order, OrderRequest, Side
from ..models.money import round_to_tick, to_decimal
from ..xt import constants as xtc
from .price_types import resolve_price_type
from .text import audit_text

if TYPE_CHECKING:
    from .book import OrderBook
    from .broker_events import BrokerEventHandler
    from .inputs import OrderDeskInputs
    from .risk_gate import RiskGate
    from .unknown_outcomes import UnknownOutcomes

#: order_remark holds at most 24 ASCII characters on the mini client.
MAX_CLIENT_ID_LENGTH = 24


def client_id_prefix(started: dt.datetime, run_number: int) -> str:
    """``q`` + date + the run number in base 36: unique per control file, short enough for
    ``order_remark`` (24 ASCII characters) with a five-digit order counter."""
    digits, n = "", run_number
    while True:
        n, r = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + digits
        if not n:
            break
    return f"q{started:%y%m%d}{digits}-"


class OrderRouter:
    def __init__(self, inputs: OrderDeskInputs, book: OrderBook, gate: RiskGate, events: BrokerEventHandler,
                 unknown: UnknownOutcomes, id_prefix: str) -> None:
        self._inputs, self._book, self._gate, self._events, self._unknown = inputs, book, gate, events, unknown
        self._prefix = id_prefix
        self._counter = itertools.count(1)
        self._queued_cancels: dict[str, str] = {}  # client order id -> who asked

    def next_client_id(self) -> str:
        client_id = f"{self._prefix}{next(self._counter):05d}"
        if len(client_id) > MAX_CLIENT_ID_LENGTH:
            raise ValueError(f"client order id {client_id!r} is longer than {MAX_CLIENT_ID_LENGTH} characters")
        return client_id

    def submit(self, strategy: str, code: str, side: Side, volume: int, price, price_type: int, note: str = "") -> Order | None:
        """Build the request, run risk, journal, send. Returns the order, or None when denied."""
        inputs = self._inputs
        inputs.require_engine_thread("placing an order")
        request = self._request(strategy, code, side, volume, price, price_type, note)
        denial = self._gate.check(request)
        if denial is not None:
            inputs.emit(OrderDenied(
                client_order_id=request.client_order_id, strategy=strategy, code=code, side=side.value,
                volume=volume, price=audit_text(request.price), rule=denial.rule, plugin=denial.plugin, reason=denial.reason,
            ))
            inputs.stats.denials += 1
            logger.warning("order denied by {}/{}: {} {} {} x{} @ {}: {}", denial.plugin, denial.rule, strategy, side.value, code, volume, request.price, denial.reason)
            return None
        now = inputs.clock.now()
        order = Order(
            client_order_id=request.client_order_id, strategy=strategy, code=code, side=side, volume=volume,
            price=request.price, price_type=request.price_type, created_at=now, updated_at=now, note=request.note,
        )
        try:
            inputs.emit(OrderIntent(
                client_order_id=order.client_order_id, strategy=strategy, code=code, side=side.value,
                volume=volume, price=audit_text(order.price), price_type=order.price_type, note=request.note,
            ))
        except JournalError as exc:
            logger.error("order {} not sent: {}", order.client_order_id, exc)
            inputs.stats.journal_failures += 1
            return None
        self._book.add(order)
        inputs.stats.orders += 1
        if side is Side.SELL:
            inputs.ledger.sell_sent(code, order.client_order_id, volume)
        gateway = inputs.gateway
        gateway.authorize(order.client_order_id)
        try:
            result, detail = gateway.submit(order), ""
        except Exception as exc:  # noqa: BLE001 - the SDK raised: the outcome is unknown, not a failure
            result, detail = -1, f"order_stock_async raised {type(exc).__name__}: {exc}"
            logger.error("order {}: {}", order.client_order_id, detail)
        if result > 0:
            self._book.bind_seq(order, result)
        elif not detail:
            detail = "order_stock_async returned -1"
        inputs.emit(OrderSubmitted(client_order_id=order.client_order_id, request_seq=result if result > 0 else None,
                                   result=result, detail=detail))
        if result <= 0:
            self._unknown.resolve_submit(order, detail)
        return order

    def cancel(self, strategy: str, order: Order) -> bool:
        """Ask the broker to cancel ``order``; the order is cancelled when the broker says so."""
        self._inputs.require_engine_thread("cancelling an order")
        if not order.is_open:
            return False
        if order.order_id is None:
            self._events.cancel_when_acknowledged(order.client_order_id)  # sent when the id arrives
            self._inputs.emit(CancelRequested(client_order_id=order.client_order_id, order_id=None, strategy=strategy,
                                              result=None))
            return True
        if not self._inputs.broker_connected():
            return self._queue_cancel(strategy, order)
        return self._send_cancel(strategy, order)

    def _queue_cancel(self, strategy: str, order: Order) -> bool:
        """No live trader: keep the cancel (recorded with no result) and send it after the reconnect."""
        self._queued_cancels[order.client_order_id] = strategy
        self._inputs.emit(CancelRequested(client_order_id=order.client_order_id, order_id=order.order_id,
                                          strategy=strategy, result=None))
        logger.warning("cancel of {} queued: the broker is not connected; sent once it is", order.client_order_id)
        return True

    def _send_cancel(self, strategy: str, order: Order) -> bool:
        try:
            result = self._inputs.gateway.cancel(order)
        except BrokerError:  # the trader went away since: send it after the reconnect
            return self._queue_cancel(strategy, order)
        self._inputs.emit(CancelRequested(client_order_id=order.client_order_id, order_id=order.order_id,
                                          strategy=strategy, result=result))
        return result > 0

    @property
    def queued_cancels(self) -> tuple[str, ...]:
        """Client ids of cancels waiting for a live trader."""
        return tuple(self._queued_cancels)

    def send_queued_cancels(self) -> int:
        """After a reconnect: send every queued cancel whose order is still open; returns how many were sent."""
        sent = 0
        queued, self._queued_cancels = self._queued_cancels, {}
        for client_id, strategy in queued.items():
            order = self._book.by_client_id.get(client_id)
            if order is None or not order.is_open:
                continue
            if order.order_id is None:
                self._events.cancel_when_acknowledged(client_id)
                continue
            sent += self._send_cancel(strategy, order)
        if queued:
            logger.warning("sent {} of {} queued cancel(s) after the reconnect", sent, len(queued))
        return sent

    def _request(self, strategy: str, code: str, side: Side, volume: int, price, price_type: int, note: str) -> OrderRequest:
        if not isinstance(volume, int) or isinstance(volume, bool) or volume <= 0:
            raise ValueError(f"order volume must be a positive whole number of shares, got {volume!r}")
        price_type = resolve_price_type(code, price_type)
        if price_type in xtc.LIMIT_PRICE_TYPES:
            if price is None:
                price = self._inputs.last_price(code)
                if price is None:
                    raise ValueError(f"no price given and no tick seen yet for {code}")
            price = round_to_tick(to_decimal(price), price_tick(code))
            if price <= 0:
                raise ValueError(f"limit price must be positive, got {price}")
            price_type = xtc.FIX_PRICE
        else:
            price = None
        return OrderRequest(
            client_order_id=self.next_client_id(), strategy=strategy, code=code, side=side, volume=volume,
            price=price, price_type=price_type, created_at=self._inputs.clock.now(), note=note,
        )


__all__ = ["JournalError", "OrderRouter", "client_id_prefix"]
