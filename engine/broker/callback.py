"""The SDK callback object: converts nothing, calls nothing, only enqueues.

MiniQMT delivers every push and async answer on one worker thread. A sync SDK
call (``query_stock_*``, ``order_stock``, ``cancel_order_stock``) made from that
thread waits for an answer that thread itself must deliver: a deadlock. So
these methods never touch the trader; they put ``(kind, record)`` on the engine
queue and return at once, which also keeps the SDK's thread free.
"""

from __future__ import annotations

import threading
from typing import Callable

from ..xt.records import XtQuantTraderCallback


class GatewayCallback(XtQuantTraderCallback):
    """Hands every push to ``put`` (the engine queue's ``put``), tagged with its kind."""

    def __init__(self, put: Callable[[tuple], None]) -> None:
        self._put = put
        self.thread_ids: set[int] = set()

    def _hand_over(self, kind: str, payload) -> None:
        self.thread_ids.add(threading.get_ident())
        self._put((kind, payload))

    def on_connected(self):
        self._hand_over("connected", None)

    def on_disconnected(self):
        self._hand_over("disconnected", "the SDK reported on_disconnected")

    def on_account_status(self, status):
        self._hand_over("account_status", status)

    def on_stock_asset(self, asset):
        self._hand_over("asset", asset)

    def on_stock_order(self, order):
        self._hand_over("order", order)

    def on_stock_trade(self, trade):
        self._hand_over("trade", trade)

    def on_stock_position(self, position):
        self._hand_over("position", position)

    def on_order_error(self, order_error):
        self._hand_over("order_error", order_error)

    def on_cancel_error(self, cancel_error):
        self._hand_over("cancel_error", cancel_error)

    def on_order_stock_async_response(self, response):
        self._hand_over("order_response", response)

    def on_cancel_order_stock_async_response(self, response):
        self._hand_over("cancel_response", response)
