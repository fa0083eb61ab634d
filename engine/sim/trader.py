"""``SimXtQuantTrader``: the public interface of ``xtquant.xttrader.XtQuantTrader`` on the simulator.

Same method names, signatures, return values and callbacks as the SDK (wheel
250807). Pushes and async responses run on the trader's own single worker
thread (``delivery='thread'``), or inline in the calling thread after the call
has done its work (``delivery='sync'``, deterministic, for backtests). The SDK's
hold-back of an ``on_order_error`` / ``on_cancel_error`` that arrives before its
async response is reproduced (see :mod:`engine.sim.delivery`).

A synchronous call (``order_stock``, ``cancel_order_stock``, ``subscribe``,
``query_*``) made from inside a callback deadlocks the real SDK, because its
answer is delivered on the very thread that is waiting; here it raises
:class:`~engine.sim.errors.SimCallbackThreadError` (a RuntimeError) instead.
"""

from __future__ import annotations

import itertools
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from ..xt import constants as xc
from ..xt.records import XtCancelOrderResponse, XtOrderResponse
from . import registry
from .counter import SimCounter
from .delivery import PushDelivery
from .errors import SimCallbackThreadError
from ..instruments import CODE_RE

__all__ = ["SimXtQuantTrader"]

ORDER_TYPES = frozenset({xc.STOCK_BUY, xc.STOCK_SELL})
PRICE_TYPES = xc.LIMIT_PRICE_TYPES | frozenset().union(*xc.MARKET_PRICE_TYPES.values())


class SimXtQuantTrader:
    """Drop-in for ``XtQuantTrader(path, session, callback=None)`` on a :class:`SimCounter`.

    :param path: the ``userdata_mini`` path; used to find a registered counter
        (:func:`engine.sim.register_counter`) when ``counter`` is None.
    :param session: the session id (an int; a reconnect needs a new trader).
    :param counter: the counter to trade on.
    """

    def __init__(self, path, session, callback=None, *, counter: SimCounter | None = None) -> None:
        self.path = path
        self.session = session
        self.callback = callback
        self.counter = counter if counter is not None else registry.lookup_counter(path)
        self.connected = False
        self._started = False
        self._subscribed: set[str] = set()
        self._seq = itertools.count(1)
        self._timeout_ms = 0
        self._delivery = PushDelivery(self, sync=self.counter.config.delivery == "sync",
                                      name=f"SimXtQuantTrader-{session}")

    # -- life cycle --------------------------------------------------------------------

    def register_callback(self, callback) -> None:
        self.callback = callback

    def start(self) -> None:
        """Start the worker thread (the SDK's single-thread executor)."""
        self._delivery.start()
        self._started = True

    def stop(self) -> None:
        """Stop delivering; waits for pushes already queued, like ``executor.shutdown(wait=True)``."""
        self.counter.remove_listener(self)
        self.connected = False
        self._delivery.stop()
        self._started = False

    def connect(self) -> int:
        """0 when connected; -1 before ``start()`` or while a fault keeps the counter unreachable."""
        if not self._started or not self.counter.connect_allowed():
            self.connected = False
            return -1
        self.connected = True
        return 0

    def set_timeout(self, timeout=0) -> None:
        """Timeout of sync calls in ms (0 = wait forever); a timed-out query returns None."""
        self._timeout_ms = int(timeout)

    def set_relaxed_response_order_enabled(self, enabled) -> None:
        """Accepted for compatibility; responses always share the push thread here."""

    def subscribe(self, account) -> int:
        self._check_sync_call("subscribe")
        if not self.connected or getattr(account, "account_id", None) != self.counter.account_id:
            return -1
        self._subscribed.add(account.account_id)
        self.counter.add_listener(self)
        return self._sync_answer(0)

    def unsubscribe(self, account) -> int:
        self._check_sync_call("unsubscribe")
        if account.account_id not in self._subscribed:
            return -1
        self._subscribed.discard(account.account_id)
        self.counter.remove_listener(self)
        return self._sync_answer(0)

    # -- listener protocol (called by the counter) -------------------------------------

    def accept(self, pushes) -> None:
        self._delivery.accept(pushes)

    def drain(self) -> None:
        self._delivery.drain()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True when every push queued so far has been delivered (non-SDK; for replays)."""
        return self._delivery.wait_idle(timeout)

    # -- orders ------------------------------------------------------------------------

    def _usable(self, account) -> bool:
        return (self.connected and getattr(account, "account_id", None) in self._subscribed)

    def _order_args_ok(self, stock_code, order_type, order_volume, price_type, price) -> bool:
        return (isinstance(stock_code, str) and CODE_RE.match(stock_code) is not None
                and order_type in ORDER_TYPES and price_type in PRICE_TYPES
                and isinstance(order_volume, int) and not isinstance(order_volume, bool)
                and order_volume > 0 and isinstance(price, (int, float)) and price >= 0)

    def order_stock_async(self, account, stock_code, order_type, order_volume, price_type, price,
                          strategy_name='', order_remark='') -> int:
        """Request seq (> 0), or -1 for API-level failures; the order id arrives in the response."""
        if not self._usable(account) or not self._order_args_ok(stock_code, order_type, order_volume,
                                                                price_type, price):
            return -1
        seq = next(self._seq)
        self._delivery.expect_order_response(seq)

        def respond(order) -> None:
            resp = XtOrderResponse(account.account_id, order.order_id, strategy_name, order_remark, "", seq)
            self._delivery.queue_response("order_stock_async_response", resp,
                                          self._callback_method("on_order_stock_async_response"))

        self.counter.submit_order(stock_code, order_type == xc.STOCK_BUY, order_volume, price_type,
                                  price, strategy_name, order_remark, seq=seq, origin=self,
                                  on_accepted=respond)
        return seq

    def order_stock(self, account, stock_code, order_type, order_volume, price_type, price,
                    strategy_name='', order_remark='') -> int:
        """Blocks until the counter answers; the order id (> 0), or -1."""
        self._check_sync_call("order_stock")
        if not self._usable(account) or not self._order_args_ok(stock_code, order_type, order_volume,
                                                                price_type, price):
            return -1
        seq = next(self._seq)
        self._delivery.expect_order_response(seq)
        future: Future = Future()

        def respond(order) -> None:
            resp = XtOrderResponse(account.account_id, order.order_id, strategy_name, order_remark, "", seq)
            self._delivery.queue_response("order_stock_async_response", resp, future.set_result)

        self.counter.submit_order(stock_code, order_type == xc.STOCK_BUY, order_volume, price_type,
                                  price, strategy_name, order_remark, seq=seq, origin=self,
                                  on_accepted=respond)
        resp = self._wait(future)
        return resp.order_id if resp is not None else -1

    def cancel_order_stock(self, account, order_id) -> int:
        """0 when the cancel was accepted, -1 refused/finished, -2 unknown order; watch 53/54."""
        self._check_sync_call("cancel_order_stock")
        if not self._usable(account):
            return -1
        future: Future = Future()
        seq = next(self._seq)

        def respond(result, order, msg) -> None:
            resp = self._cancel_response(account, result, order_id, order, seq, msg)
            self._delivery.queue_cancel_response(resp, future.set_result)

        self.counter.cancel_order(order_id, origin=self, on_result=respond)
        resp = self._wait(future)
        return resp.cancel_result if resp is not None else -1

    def cancel_order_stock_async(self, account, order_id) -> int:
        """Request seq (> 0) or -1; the answer arrives in ``on_cancel_order_stock_async_response``."""
        if not self._usable(account):
            return -1
        seq = next(self._seq)

        def respond(result, order, msg) -> None:
            resp = self._cancel_response(account, result, order_id, order, seq, msg)
            self._delivery.queue_cancel_response(
                resp, self._callback_method("on_cancel_order_stock_async_response"))

        self.counter.cancel_order(order_id, origin=self, on_result=respond)
        return seq

    @staticmethod
    def _cancel_response(account, result, order_id, order, seq, msg):
        return XtCancelOrderResponse(account.account_id, result, order_id,
                                     order.sysid if order is not None else "", seq, msg)

    # -- queries -----------------------------------------------------------------------

    def query_stock_asset(self, account):
        return self._query("query_stock_asset", account, self.counter.query_asset)

    def query_stock_orders(self, account, cancelable_only=False):
        return self._query("query_stock_orders", account,
                           lambda: self.counter.query_orders(cancelable_only))

    def query_stock_order(self, account, order_id):
        return self._query("query_stock_order", account, lambda: self.counter.query_order(order_id))

    def query_stock_trades(self, account):
        return self._query("query_stock_trades", account, self.counter.query_trades)

    def query_stock_positions(self, account):
        return self._query("query_stock_positions", account, self.counter.query_positions)

    def query_stock_position(self, account, stock_code):
        return self._query("query_stock_position", account,
                           lambda: self.counter.query_position(stock_code))

    def query_account_status(self):
        self._check_sync_call("query_account_status")
        return self._sync_answer([self.counter.account_status()]) if self.connected else None

    def query_stock_asset_async(self, account, callback) -> None:
        self._query_async(account, self.counter.query_asset, callback)

    def query_stock_orders_async(self, account, callback, cancelable_only=False) -> int:
        return self._query_async(account, lambda: self.counter.query_orders(cancelable_only), callback)

    def query_stock_trades_async(self, account, callback) -> int:
        return self._query_async(account, self.counter.query_trades, callback)

    def query_stock_positions_async(self, account, callback) -> int:
        return self._query_async(account, self.counter.query_positions, callback)

    def _query(self, name, account, fetch):
        """A sync query: None when not connected/subscribed (the SDK gives no answer then)."""
        self._check_sync_call(name)
        if not self._usable(account):
            return None
        return self._sync_answer(fetch())

    def _query_async(self, account, fetch, callback) -> int:
        if not self._usable(account):
            return -1
        seq = next(self._seq)
        self._delivery.queue_response("query_response", fetch(), callback)
        self.drain()
        return seq

    # -- helpers -----------------------------------------------------------------------

    def _callback_method(self, name):
        def call(record) -> None:
            method = getattr(self.callback, name, None) if self.callback is not None else None
            if method is not None:
                method(record)
        return call

    def _check_sync_call(self, name: str) -> None:
        if self._delivery.on_callback_thread():
            raise SimCallbackThreadError(
                f"sync SDK call from the callback thread: XtQuantTrader.{name}() was called inside a "
                f"callback; the real SDK delivers its answer on this same thread and deadlocks. "
                f"Use the _async form or hand the work to another thread.")

    def _sync_answer(self, value):
        """Route a sync answer through the worker, after the pushes queued before it."""
        future: Future = Future()
        self._delivery.queue_response("query_response", value, future.set_result)
        return self._wait(future)

    def _wait(self, future: Future):
        self.drain()
        timeout = self._timeout_ms / 1000 if self._timeout_ms > 0 else None
        if not self._delivery.running and not future.done():
            return None
        try:
            return future.result(timeout=timeout)
        except FutureTimeout:
            return None

    def __repr__(self) -> str:
        return f"SimXtQuantTrader(path={self.path!r}, session={self.session!r})"

    # ensures a pending listener is dropped if the trader is garbage-collected mid-run
    def __del__(self) -> None:  # pragma: no cover - best effort
        try:
            self.counter.remove_listener(self)
        except Exception:
            pass
