"""Broker pushes, handled on the engine thread: order updates, fills, errors, account.

Each handler takes the SDK's record as it arrived (the real SDK's native object
or the simulator's ``engine.xt.records`` instance; only attributes are read),
resolves it to an engine order by the client id in ``order_remark``, then the
broker order id, then the request seq, and turns it into engine state, an
audit event and a hook call. Orders the engine did not place (typed into the
QMT client by hand) become external orders instead of being dropped.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterator

from loguru import logger

from ..events import (
    AlertRaised, CancelErrorRecorded, CancelRequested, FillRecorded, OrderErrorRecorded, OrderIntent, OrderUpdated,
)
from ..models import CancelError, Fill, Order, OrderError, OrderStatus, Side
from ..instruments import price_tick
from ..models.money import round_to_tick, to_decimal
from ..xt import constants as xtc
from .book import status_advances

if TYPE_CHECKING:
    from .book import OrderBook
    from .inputs import OrderDeskInputs

EXTERNAL_STRATEGY = "external"


class BrokerEventHandler:
    def __init__(self, inputs: OrderDeskInputs, book: OrderBook) -> None:
        self._inputs, self._book = inputs, book
        self._parked_cancels: set[str] = set()  # client ids to cancel once the broker's id arrives
        #: True while recovering at start-up: state and audit are updated, hooks are not called
        #: (strategies have not started yet).
        self._silent = False

    @contextmanager
    def silently(self) -> Iterator[None]:
        """Start-up recovery: state and audit are updated, hooks are not called (strategies have not started)."""
        self._silent = True
        try:
            yield
        finally:
            self._silent = False

    def cancel_when_acknowledged(self, client_order_id: str) -> None:
        """Park a cancel asked for before the broker gave the order an id; sent when the id arrives."""
        self._parked_cancels.add(client_order_id)

    # -- responses ---------------------------------------------------------

    def on_order_response(self, response) -> None:
        """``on_order_stock_async_response``: the broker order id for a request seq."""
        book = self._book
        order = book.find(remark=response.order_remark, seq=response.seq)
        if order is None:
            logger.warning("order response for unknown seq {} / remark {!r}", response.seq, response.order_remark)
            return
        book.bind_order_id(order, response.order_id)
        if response.order_id is not None and response.order_id <= 0 and order.is_open:
            self.reject_locally(order, response.error_msg or "order rejected by the API (order_id <= 0)")
            return
        self._send_parked_cancel(order)

    def _send_parked_cancel(self, order: Order) -> None:
        """A cancel asked for before the broker knew the order goes out as soon as the order has an id,
        whichever way the id arrived (async response, order push, reconciliation)."""
        if order.client_order_id in self._parked_cancels and order.is_open and order.order_id:
            self._parked_cancels.discard(order.client_order_id)
            result = self._inputs.gateway.cancel(order)
            self._inputs.emit(CancelRequested(client_order_id=order.client_order_id, order_id=order.order_id,
                                              strategy=order.strategy, result=result))

    def on_cancel_response(self, response) -> None:
        """``on_cancel_order_stock_async_response``: the cancel request's result (not the cancel itself)."""
        if response.cancel_result not in (0, None):
            logger.info("cancel request for order {} answered {} {}", response.order_id, response.cancel_result, response.error_msg or "")

    # -- order state -------------------------------------------------------

    def on_order_push(self, record) -> None:
        """``on_stock_order``: apply the status if it moves the order forward."""
        order = self._book.find(remark=record.order_remark, order_id=record.order_id)
        if order is None:
            order = self.adopt(record)
        self._book.bind_order_id(order, record.order_id)
        if record.order_sysid:
            order.order_sysid = str(record.order_sysid)
        status = _status(record.order_status)
        traded = int(record.traded_volume or 0)
        if status_advances(order, status, traded):
            if traded > order.volume:
                logger.error("order {} reports {} traded, more than its volume {}", order.client_order_id, traded, order.volume)
            self._set_status(order, status, traded, record.status_msg or "")
        self._send_parked_cancel(order)

    def reject_locally(self, order: Order, message: str) -> None:
        """Mark an order rejected by the API (request returned -1) as junk."""
        self._set_status(order, OrderStatus.JUNK, order.traded_volume, message)

    def _set_status(self, order: Order, status: OrderStatus, traded: int, message: str) -> None:
        inputs = self._inputs
        previous = order.status
        if order.side is Side.SELL and previous is OrderStatus.UNREPORTED:
            inputs.ledger.sell_acknowledged(order.code, order.client_order_id)
        order.status = status
        order.traded_volume = max(order.traded_volume, traded)
        order.status_msg = message
        order.updated_at = inputs.clock.now()
        if status.is_final:
            self._book.closed(order)
            self._parked_cancels.discard(order.client_order_id)
        inputs.emit(OrderUpdated(
            client_order_id=order.client_order_id, order_id=order.order_id, order_sysid=order.order_sysid,
            status=int(status), status_label=status.label, previous_status=int(previous),
            traded_volume=order.traded_volume, status_msg=message,
        ))
        if not self._silent:
            inputs.notify("on_order", order=order.detached())  # a copy: a hook cannot change engine state

    def journal_adopted_status(self, order: Order, journalled_status: int | None, message: str) -> None:
        """Record the status an order silently adopted at start-up has at the broker, when the journal's last
        status differs: a later restart then knows it (a filled order stays filled after the broker's day rolls)."""
        if journalled_status is not None and int(journalled_status) == int(order.status):
            return
        previous = OrderStatus.UNREPORTED if journalled_status is None else _status(journalled_status)
        self._inputs.emit(OrderUpdated(
            client_order_id=order.client_order_id, order_id=order.order_id, order_sysid=order.order_sysid,
            status=int(order.status), status_label=order.status.label, previous_status=int(previous),
            traded_volume=order.traded_volume, status_msg=message,
        ))

    def close_past_day_order(self, order: Order, status: OrderStatus, message: str) -> None:
        """Give a journalled order of an earlier trading day its final ``status`` (its day is over)."""
        self._set_status(order, status, order.traded_volume, message)

    def adopt(self, record, *, announce: bool = True) -> Order:
        """Make an engine order of a broker order the engine did not know.

        An order with a client id in ``order_remark`` was placed by an earlier
        run of the engine (a restart): it keeps its id and strategy. One without
        is external (typed into the QMT client by hand). ``announce`` records it
        in the audit (pushes, reconnects); the start-up snapshot adopts silently.
        """
        inputs = self._inputs
        remark = record.order_remark or ""
        # Announced orders start unreported so the push that follows moves them (and is recorded);
        # a silent adoption takes the broker's status as it is.
        silent = not announce
        order = Order(
            client_order_id=remark or f"ext-{record.order_id}",
            strategy=(getattr(record, "strategy_name", "") or EXTERNAL_STRATEGY) if remark else EXTERNAL_STRATEGY,
            code=record.stock_code, side=Side.from_xt(record.order_type), volume=int(record.order_volume),
            price=to_decimal(record.price) if record.price else None, price_type=int(record.price_type),
            status=_status(getattr(record, "order_status", OrderStatus.UNREPORTED)) if silent else OrderStatus.UNREPORTED,
            order_id=record.order_id, order_sysid=str(getattr(record, "order_sysid", "") or ""),
            traded_volume=int(getattr(record, "traded_volume", 0) or 0) if silent else 0,
            created_at=inputs.clock.now(), external=not remark,
        )
        self._book.add(order)
        if announce:
            inputs.emit(OrderIntent(
                client_order_id=order.client_order_id, strategy=order.strategy, code=order.code,
                side=order.side.value, volume=order.volume, price=None if order.price is None else str(order.price),
                price_type=order.price_type, external=order.external,
            ))
            logger.info("{} order {} ({} {} x{}) adopted", "external" if order.external else "earlier",
                        record.order_id, order.side.value, order.code, order.volume)
        return order

    # -- fills -------------------------------------------------------------

    def on_trade_push(self, record) -> None:
        """``on_stock_trade``: de-duplicate by trade id, update order and position, call ``on_trade``."""
        inputs, book = self._inputs, self._book
        trade_id = str(record.traded_id)
        if trade_id in book.trade_ids:
            return
        book.trade_ids.add(trade_id)
        order = book.find(remark=record.order_remark, order_id=record.order_id)
        if order is None:
            order = self.adopt(_order_like(record))
        fill = Fill(
            trade_id=trade_id, client_order_id=order.client_order_id, order_id=record.order_id,
            strategy=order.strategy, code=record.stock_code, side=Side.from_xt(record.order_type),
            price=round_to_tick(record.traded_price, price_tick(record.stock_code)), volume=int(record.traded_volume),
            amount=to_decimal(record.traded_amount).quantize(to_decimal("0.01")),
            commission=to_decimal(record.commission or 0), time=inputs.clock.now(),
        )
        order.trade_ids.add(trade_id)
        order.fill_volume += fill.volume
        order.traded_amount += fill.price * fill.volume
        order.fees += fill.commission
        if order.fill_volume > order.volume and not order.overfilled:
            order.overfilled = True
            detail = f"fills of order {order.client_order_id} add up to {order.fill_volume}, more than its volume {order.volume}"
            logger.error(detail)
            inputs.emit(AlertRaised(kind="overfilled_order", detail=detail))
        inputs.ledger.apply_fill(fill)
        inputs.stats.record_fill(fill)
        inputs.emit(FillRecorded(
            trade_id=trade_id, client_order_id=order.client_order_id, order_id=record.order_id,
            strategy=order.strategy, code=fill.code, side=fill.side.value, price=str(fill.price),
            volume=fill.volume, amount=str(fill.amount), commission=str(fill.commission),
            traded_time=str(record.traded_time or ""),
        ))
        if not self._silent:
            inputs.notify("on_trade", fill=fill)

    # -- errors ------------------------------------------------------------

    def on_order_error(self, record) -> None:
        inputs = self._inputs
        order = self._book.find(remark=record.order_remark, order_id=record.order_id, seq=getattr(record, "seq", None))
        error = OrderError(
            client_order_id=order.client_order_id if order else None, order_id=record.order_id,
            strategy=order.strategy if order else (record.strategy_name or ""),
            error_id=record.error_id, error_msg=record.error_msg or "",
        )
        inputs.stats.order_errors += 1
        inputs.emit(OrderErrorRecorded(
            client_order_id=error.client_order_id, order_id=error.order_id, strategy=error.strategy,
            error_id=error.error_id, error_msg=error.error_msg,
        ))
        logger.warning("order error {} ({}): {}", error.client_order_id or record.order_id, error.strategy, error.error_msg)
        if order is not None and order.is_open:
            self._set_status(order, OrderStatus.JUNK, order.traded_volume, error.error_msg)
        inputs.notify("on_order_error", error=error)

    def on_cancel_error(self, record) -> None:
        inputs = self._inputs
        order = self._book.find(order_id=record.order_id)
        error = CancelError(
            client_order_id=order.client_order_id if order else None, order_id=record.order_id,
            strategy=order.strategy if order else "", error_id=record.error_id, error_msg=record.error_msg or "",
        )
        inputs.emit(CancelErrorRecorded(
            client_order_id=error.client_order_id, order_id=error.order_id, strategy=error.strategy,
            error_id=error.error_id, error_msg=error.error_msg,
        ))
        logger.warning("cancel refused for {}: {}", error.client_order_id or record.order_id, error.error_msg)
        inputs.notify("on_cancel_error", error=error)

    # -- account -----------------------------------------------------------

    def on_asset(self, record) -> None:
        self._inputs.ledger.apply_asset(record)

    def on_position(self, record) -> None:
        self._inputs.ledger.apply_position(record)


def _status(value) -> OrderStatus:
    try:
        return OrderStatus(int(value))
    except ValueError:
        return OrderStatus.UNKNOWN


class _order_like:
    """An XtOrder-shaped view of an XtTrade, to adopt an external order seen first through a fill."""

    def __init__(self, trade) -> None:
        self.order_id = trade.order_id
        self.order_remark = trade.order_remark
        self.strategy_name = trade.strategy_name
        self.stock_code = trade.stock_code
        self.order_type = trade.order_type
        self.order_volume = trade.traded_volume
        self.price = trade.traded_price
        self.price_type = xtc.FIX_PRICE
