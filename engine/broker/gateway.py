"""Drive an ``XtQuantTrader``-compatible trader: the real SDK's or the simulator's.

The gateway is given a factory ``(session_id) -> trader``; it never needs to
know which kind it drives. Every method runs on the engine thread; a call from
the SDK's callback thread is refused (it would deadlock the real SDK).
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any, Callable

from loguru import logger

from .snapshot import BrokerSnapshot
from ..models import Order
from ..xt.records import StockAccount
from .callback import GatewayCallback


class BrokerError(Exception):
    """The broker could not be reached or made ready; the message says which step failed.

    ``code`` is MiniQMT's return code when it gave one, ``step`` the call that failed."""

    def __init__(self, message: str, *, code: int | None = None, step: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.step = step


class XtGateway:
    """One code path for live MiniQMT and the simulator.

    :param trader_factory: builds a trader for a session id, e.g.
        ``lambda s: XtQuantTrader(userdata_path, s)``.
    :param account_id: the fund account.
    :param put: the engine queue's ``put``; pushes are handed over through it.
    """

    def __init__(self, trader_factory: Callable[[int], Any], account_id: str, put: Callable[[tuple], None],
                 *, first_session_id: int | None = None, sync_timeout_ms: int = 0) -> None:
        self._factory = trader_factory
        self.account = StockAccount(account_id)
        self._put = put
        start = first_session_id if first_session_id is not None else int(time.time()) % 1_000_000_000
        self._session_ids = itertools.count(start)
        self._sync_timeout_ms = sync_timeout_ms
        self._authorized: set[str] = set()
        self.trader: Any = None
        self.callback: GatewayCallback | None = None
        self.session_id: int | None = None
        self._engine_thread: int | None = None

    # -- connection ---------------------------------------------------------

    def connect(self) -> None:
        """Build a trader with a fresh session id, register, start, connect and subscribe."""
        self.session_id = next(self._session_ids)
        self._engine_thread = threading.get_ident()  # the engine connects; its own thread may call the SDK
        self.trader = self._factory(self.session_id)
        try:
            self.callback = GatewayCallback(self._put)
            self.trader.register_callback(self.callback)
            self.trader.start()
            if self._sync_timeout_ms:
                self.trader.set_timeout(self._sync_timeout_ms)
            result = self.trader.connect()
            if result != 0:
                raise BrokerError(f"connect() returned {result} for session {self.session_id}: "
                                  "is MiniQMT running and logged in?", code=result, step="connect")
            result = self.trader.subscribe(self.account)
            if result != 0:
                raise BrokerError(f"subscribe() returned {result} for the account: check account_id and that "
                                  "MiniQMT shows it logged in", code=result, step="subscribe")
        except BaseException:
            self.close()  # no half-open trader stays behind: nothing is sent to a session that never connected
            raise
        logger.info("broker connected (session {})", self.session_id)

    def load_snapshot(self) -> BrokerSnapshot:
        """Query asset, positions, today's orders and trades (the readiness gate)."""
        self._require_engine_side("querying the broker")
        asset = self.trader.query_stock_asset(self.account)
        if asset is None:
            raise BrokerError("query_stock_asset returned nothing: the account is not ready at the broker")
        return BrokerSnapshot(
            asset=asset,
            positions=list(self.trader.query_stock_positions(self.account) or []),
            orders=list(self.trader.query_stock_orders(self.account, False) or []),
            trades=list(self.trader.query_stock_trades(self.account) or []),
        )

    def query_asset(self):
        """The liveness query: ``query_stock_asset``'s answer, or None when it raises or returns nothing."""
        if self.trader is None:
            return None
        try:
            return self.trader.query_stock_asset(self.account)
        except Exception as exc:  # noqa: BLE001 - any failure means the connection is not usable
            logger.warning("liveness query failed: {}", exc)
            return None

    def is_alive(self) -> bool:
        """A cheap sync query answers (``query_stock_asset``); False when it raises or returns nothing."""
        return self.query_asset() is not None

    def query_orders(self) -> list:
        """Today's orders at the broker (``query_stock_orders``); raises BrokerError when it cannot answer."""
        self._require_engine_side("querying orders")
        records = self.trader.query_stock_orders(self.account, False)
        if records is None:
            raise BrokerError("query_stock_orders returned nothing: not connected or not subscribed")
        return list(records)

    def query_trades(self) -> list:
        """Today's trades at the broker (``query_stock_trades``); raises BrokerError when it cannot answer."""
        self._require_engine_side("querying trades")
        records = self.trader.query_stock_trades(self.account)
        if records is None:
            raise BrokerError("query_stock_trades returned nothing: not connected or not subscribed")
        return list(records)

    def close(self) -> None:
        if self.trader is not None:
            self._stop_quietly()
            self.trader = None

    def _stop_quietly(self) -> None:
        try:
            self.trader.stop()
        except Exception as exc:  # noqa: BLE001 - stopping a broken trader must not hide the first error
            logger.warning("stopping the old trader (session {}) failed: {}: {}", self.session_id,
                           type(exc).__name__, exc)
        # The real XtQuantTrader opens an asyncio loop per instance that stop() never closes;
        # a reconnect builds a new trader, so close the old loop rather than leak one per attempt.
        loop = getattr(self.trader, "loop", None)
        if loop is not None and hasattr(loop, "is_closed") and not loop.is_closed() and not loop.is_running():
            loop.close()

    # -- orders -------------------------------------------------------------

    def authorize(self, client_order_id: str) -> None:
        """Called by the engine's order router once an order passed risk and was journalled."""
        self._authorized.add(client_order_id)

    def submit(self, order: Order) -> int:
        """``order_stock_async`` with the client order id in ``order_remark``; returns the seq or -1.

        Only an order the router authorised (risk passed, intent journalled) is sent, once.
        """
        self._require_engine_side("sending an order")
        if order.client_order_id not in self._authorized:
            raise PermissionError(f"order {order.client_order_id} did not come through the engine's risk path; not sent")
        self._authorized.discard(order.client_order_id)
        price = float(order.price) if order.price is not None else 0.0
        return int(self.trader.order_stock_async(
            self.account, order.code, order.side.xt_order_type, order.volume, order.price_type, price,
            order.strategy, order.client_order_id,
        ))

    def cancel(self, order: Order) -> int:
        """``cancel_order_stock_async``; the result only says the request was sent."""
        self._require_engine_side("cancelling an order")
        return int(self.trader.cancel_order_stock_async(self.account, order.order_id))

    def _require_engine_side(self, action: str) -> None:
        if self.trader is None:
            raise BrokerError(f"{action}: the broker is not connected")
        caller = threading.get_ident()
        # With inline delivery (simulator, delivery='sync') the engine thread itself runs the callbacks;
        # only an SDK worker thread is forbidden.
        if self.callback is not None and caller in self.callback.thread_ids and caller != self._engine_thread:
            raise RuntimeError(f"{action} from the SDK's callback thread would deadlock; hand it to the engine thread")
