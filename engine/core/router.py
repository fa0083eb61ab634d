"""The only way to the broker: request -> risk hooks -> durable intent -> gateway.

Every ``ctx.buy`` / ``ctx.sell`` / ``ctx.order`` lands in :meth:`OrderRouter.submit`
on the engine thread. Each ``check_order`` answer is recorded; one denial (or a
risk plugin that raises: fail closed) blocks the order. An order that passed
is journalled as a durable ``OrderIntent`` before the gateway sees it; if the
journal cannot write it, the order is not sent.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any

from loguru import logger

from ..events import CancelRequested, OrderDenied, OrderIntent, OrderSubmitted, RiskDecisionMade
from ..models import Order, OrderRequest, RiskDecision, Side, TradingState
from ..models.money import round_to_tick, to_decimal
from ..xt import constants as xtc
from ..instruments import price_tick
from ..broker.gateway import BrokerError
from .reconcile import resolve_unknown_submit

if TYPE_CHECKING:
    from .engine import Engine

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


class JournalError(Exception):
    """The audit journal could not durably record an order intent; the order was not sent."""


class OrderRouter:
    def __init__(self, engine: Engine, id_prefix: str) -> None:
        self._engine = engine
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
        engine = self._engine
        engine.require_engine_thread("placing an order")
        request = self._request(strategy, code, side, volume, price, price_type, note)
        denial = self._run_risk(request)
        if denial is not None:
            engine.emit(OrderDenied(
                client_order_id=request.client_order_id, strategy=strategy, code=code, side=side.value,
                volume=volume, price=_text(request.price), rule=denial.rule, plugin=denial.plugin, reason=denial.reason,
            ))
            engine.stats.denials += 1
            logger.warning("order denied by {}/{}: {} {} {} x{} @ {}: {}", denial.plugin, denial.rule, strategy, side.value, code, volume, request.price, denial.reason)
            return None
        order = Order(
            client_order_id=request.client_order_id, strategy=strategy, code=code, side=side, volume=volume,
            price=request.price, price_type=request.price_type, created_at=engine.clock.now(), updated_at=engine.clock.now(),
            note=request.note,
        )
        try:
            engine.emit(OrderIntent(
                client_order_id=order.client_order_id, strategy=strategy, code=code, side=side.value,
                volume=volume, price=_text(order.price), price_type=order.price_type, note=request.note,
            ))
        except JournalError as exc:
            logger.error("order {} not sent: {}", order.client_order_id, exc)
            engine.stats.journal_failures += 1
            return None
        engine.orders.add(order)
        engine.stats.orders += 1
        if side is Side.SELL:
            engine.ledger.sell_sent(code, order.client_order_id, volume)
        engine.gateway.authorize(order.client_order_id)
        try:
            result, detail = engine.gateway.submit(order), ""
        except Exception as exc:  # noqa: BLE001 - the SDK raised: the outcome is unknown, not a failure
            result, detail = -1, f"order_stock_async raised {type(exc).__name__}: {exc}"
            logger.error("order {}: {}", order.client_order_id, detail)
        if result > 0:
            engine.orders.bind_seq(order, result)
        elif not detail:
            detail = "order_stock_async returned -1"
        engine.emit(OrderSubmitted(client_order_id=order.client_order_id, request_seq=result if result > 0 else None,
                                   result=result, detail=detail))
        if result <= 0:
            resolve_unknown_submit(engine, order, detail)
        return order

    def cancel(self, strategy: str, order: Order) -> bool:
        """Ask the broker to cancel ``order``; the order is cancelled when the broker says so."""
        engine = self._engine
        engine.require_engine_thread("cancelling an order")
        if not order.is_open:
            return False
        if order.order_id is None:
            engine.broker_events.cancel_when_acknowledged.add(order.client_order_id)  # sent when the id arrives
            engine.emit(CancelRequested(client_order_id=order.client_order_id, order_id=None, strategy=strategy, result=None))
            return True
        if not engine.broker_connected:
            return self._queue_cancel(strategy, order)
        return self._send_cancel(strategy, order)

    def _queue_cancel(self, strategy: str, order: Order) -> bool:
        """No live trader: keep the cancel (recorded with no result) and send it after the reconnect."""
        self._queued_cancels[order.client_order_id] = strategy
        self._engine.emit(CancelRequested(client_order_id=order.client_order_id, order_id=order.order_id,
                                          strategy=strategy, result=None))
        logger.warning("cancel of {} queued: the broker is not connected; sent once it is", order.client_order_id)
        return True

    def _send_cancel(self, strategy: str, order: Order) -> bool:
        engine = self._engine
        try:
            result = engine.gateway.cancel(order)
        except BrokerError:  # the trader went away since: send it after the reconnect
            return self._queue_cancel(strategy, order)
        engine.emit(CancelRequested(client_order_id=order.client_order_id, order_id=order.order_id, strategy=strategy, result=result))
        return result > 0

    @property
    def queued_cancels(self) -> tuple[str, ...]:
        """Client ids of cancels waiting for a live trader."""
        return tuple(self._queued_cancels)

    def send_queued_cancels(self) -> int:
        """After a reconnect: send every queued cancel whose order is still open; returns how many were sent."""
        engine, sent = self._engine, 0
        queued, self._queued_cancels = self._queued_cancels, {}
        for client_id, strategy in queued.items():
            order = engine.orders.by_client_id.get(client_id)
            if order is None or not order.is_open:
                continue
            if order.order_id is None:
                engine.broker_events.cancel_when_acknowledged.add(client_id)
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
                price = self._engine.last_price(code)
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
            price=price, price_type=price_type, created_at=self._engine.clock.now(), note=note,
        )

    def _run_risk(self, request: OrderRequest) -> RiskDecision | None:
        """Ask every risk plugin; record every answer; return the first denial, if any.

        Every answer is recorded (one ``risk_decision`` event each, in order, after all
        plugins answered); only the first denial is turned into a :class:`RiskDecision`.
        """
        engine = self._engine
        answers: list[tuple[Any, str, str, Any, Any, str]] = []  # (allowed, rule, reason, value, limit, plugin)
        state = engine.trading_state_for(request.strategy)
        if state is TradingState.HALTED:
            answers.append((False, "trading_state", f"trading is HALTED ({engine.trading.describe(None) or engine.trading.describe(request.strategy)})", state.value, "ACTIVE", "engine"))
        elif state is TradingState.REDUCING and not engine.reduces_position(request):
            answers.append((False, "trading_state", "trading is REDUCING: only sells within the sellable volume",
                            state.value, "ACTIVE", "engine"))
        dispatch = engine.dispatch
        faulted = dispatch.faulted
        if faulted:
            for impl in dispatch.implementations("check_order"):
                if impl.plugin in faulted:  # fail closed: a broken risk rule still says no
                    answers.append((False, "plugin_faulted", f"risk plugin {impl.plugin!r} is FAULTED after repeated errors; "
                                    "orders stay blocked until the engine restarts with it fixed", None, None, impl.plugin))
        for plugin, result, failure in dispatch.collect("check_order", request=request):
            if failure is not None:
                answers.append((False, "plugin_error", f"risk plugin {plugin!r} raised {type(failure.error).__name__}: "
                                f"{failure.error}", None, None, plugin))
            elif isinstance(result, RiskDecision) and type(result.allowed) is bool:
                answers.append((result.allowed, result.rule, result.reason, result.value, result.limit, plugin))
            elif isinstance(result, RiskDecision):  # RiskDecision("no"), RiskDecision(nan): not a real allow
                answers.append((False, "bad_decision", f"check_order returned RiskDecision(allowed={result.allowed!r}, "
                                f"rule={result.rule!r}): allowed must be True or False; treated as a denial",
                                None, None, plugin))
            elif result is not None:
                answers.append((False, "bad_decision", f"check_order returned {type(result).__name__}, expected "
                                "RiskDecision or None", None, None, plugin))
        denial = None
        emit, client_order_id, strategy, code = engine.emit, request.client_order_id, request.strategy, request.code
        side, volume, price = request.side.value, request.volume, _text(request.price)
        for allowed, rule, reason, value, limit, plugin in answers:
            emit(RiskDecisionMade(
                client_order_id=client_order_id, strategy=strategy, code=code, side=side, volume=volume, price=price,
                allowed=allowed, rule=rule, plugin=plugin, reason=reason, value=_text(value), limit=_text(limit),
            ))
            if denial is None and not allowed:
                denial = RiskDecision(allowed, rule, reason, value, limit, plugin)
        return denial


#: What ``price_type="market"`` means per exchange: best five levels, the rest cancelled.
DEFAULT_MARKET_PRICE_TYPE = {
    "SH": xtc.MARKET_SH_CONVERT_5_CANCEL, "BJ": xtc.MARKET_SH_CONVERT_5_CANCEL, "SZ": xtc.MARKET_SZ_CONVERT_5_CANCEL,
}
_PRICE_TYPE_NAMES = {value: name for name, value in vars(xtc).items()
                     if name == "LATEST_PRICE" or name == "FIX_PRICE" or name.startswith("MARKET_") and isinstance(value, int)
                     and not name.startswith("MARKET_ENUM")}


def resolve_price_type(code: str, price_type: int | str) -> int:
    """``"limit"``/``"market"`` aliases to xtconstant values, and a check that the exchange accepts the type.

    :raises ValueError: naming the type, the exchange and the types it accepts.
    """
    exchange = code.rpartition(".")[2].upper()
    if price_type == "limit":
        return xtc.FIX_PRICE
    if price_type == "market":
        if exchange not in DEFAULT_MARKET_PRICE_TYPE:
            raise ValueError(f"{code}: no market order type for exchange {exchange!r}")
        return DEFAULT_MARKET_PRICE_TYPE[exchange]
    if not isinstance(price_type, int) or isinstance(price_type, bool):
        raise ValueError(f"price_type must be an xtconstant value, 'limit' or 'market'; got {price_type!r}")
    if price_type in xtc.LIMIT_PRICE_TYPES:
        return price_type
    accepted = xtc.MARKET_PRICE_TYPES.get(exchange, frozenset())
    if price_type not in accepted:
        name = _PRICE_TYPE_NAMES.get(price_type, "unknown")
        allowed = ", ".join(f"{t} ({_PRICE_TYPE_NAMES.get(t, '?')})" for t in sorted(accepted)) or "none"
        raise ValueError(f"{code}: price type {price_type} ({name}) is not accepted on {exchange or 'this exchange'}; "
                         f"market types there: {allowed}")
    return price_type


_PLAIN = frozenset({type(None), int, float, str, bool})


def _text(value):
    """Decimals as exact strings for the audit; other values unchanged."""
    if type(value) in _PLAIN or isinstance(value, (int, float, str, bool)):
        return value
    return str(value)


__all__ = ["JournalError", "OrderRouter", "client_id_prefix", "resolve_price_type"]
