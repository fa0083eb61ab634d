"""The simulated trader's callback inside the ``xtpythonclient`` double: simulator pushes -> native pushes.

Runs on the simulator's worker thread. Each push becomes its native form (see
:mod:`.native_types`) and is queued on the client's native thread; the
simulator's request seqs are mapped back to xttrader's. Applies the backend's
``error_before_response`` switch, and loses everything once the link is cut.
"""

from __future__ import annotations

import threading
from typing import Any

from loguru import logger

from engine.xt.records import XtQuantTraderCallback

from .native_types import AccountStatusPush, CancelOrderStockResp, OrderStockResp, native_record

__all__ = ["SimLink"]


class SimLink(XtQuantTraderCallback):
    """The simulated trader's callback: converts each push to its native form and queues it.

    Runs on the simulator's worker thread. Keeps the simulator-seq -> xttrader-seq
    maps, and applies the backend's ``error_before_response`` switch.
    """

    def __init__(self, client) -> None:
        self._client = client
        self.map_lock = threading.RLock()
        self.order_seqs: dict[int, int] = {}
        self.cancel_seqs: dict[int, int] = {}
        self._held_orders: dict[int, tuple[int, Any]] = {}    # order_id -> (seq, response)
        self._held_cancels: dict[int, tuple[int, Any]] = {}   # order_id -> (seq, response)
        self.cut = False                                      # the link died: everything is lost

    def _post(self, key: str, *args: Any) -> None:
        if self.cut:
            logger.debug("xtpythonclient double session {}: {} lost (connection cut)", self._client.session, key)
            return
        self._client._native.post(key, *args)

    def _holding(self) -> bool:
        backend = self._client.backend
        return backend is not None and backend.error_before_response

    def release_all(self, *, keep_order: int | None = None) -> None:
        """Post every held response (except the one of ``keep_order``) before the next push."""
        with self.map_lock:
            orders = [(oid, held) for oid, held in self._held_orders.items() if oid != keep_order]
            for oid, _ in orders:
                del self._held_orders[oid]
            cancels = list(self._held_cancels.values())
            self._held_cancels.clear()
        for _, (seq, response) in orders:
            self._post("OnOrderStockResp", seq, response)
        for seq, response in cancels:
            self._post("OnCancelOrderStockResp", seq, response)

    # -- async responses ----------------------------------------------------------

    def on_order_stock_async_response(self, response) -> None:
        with self.map_lock:
            seq = self.order_seqs.get(response.seq)
        if seq is None:
            logger.error("xtpythonclient double: order response for unknown simulator seq {}", response.seq)
            return
        native = OrderStockResp(m_strAccountID=response.account_id, m_nOrderID=response.order_id,
                                m_strStrategyName=response.strategy_name, m_strOrderRemark=response.order_remark,
                                m_strErrorMsg=response.error_msg or "")
        self.release_all()
        if self._holding():
            with self.map_lock:
                self._held_orders[response.order_id] = (seq, native)
            return
        self._post("OnOrderStockResp", seq, native)

    def on_cancel_order_stock_async_response(self, response) -> None:
        with self.map_lock:
            seq = self.cancel_seqs.get(response.seq)
        if seq is None:
            logger.error("xtpythonclient double: cancel response for unknown simulator seq {}", response.seq)
            return
        native = CancelOrderStockResp(m_strAccountID=response.account_id, m_nCancelResult=response.cancel_result,
                                      m_nOrderID=response.order_id, m_strOrderSysID=response.order_sysid or "",
                                      m_strErrorMsg=response.error_msg or "")
        self.release_all()
        if self._holding() and response.cancel_result != 0:
            with self.map_lock:
                self._held_cancels[response.order_id] = (seq, native)
            return
        self._post("OnCancelOrderStockResp", seq, native)

    # -- pushes -------------------------------------------------------------------

    def on_stock_order(self, order) -> None:
        self.release_all(keep_order=order.order_id)
        self._post("OnStockOrder", native_record("XtOrder", order))

    def on_order_error(self, error) -> None:
        self.release_all(keep_order=error.order_id)
        with self.map_lock:
            seq = self.order_seqs.get(getattr(error, "seq", 0), 0)
            held = self._held_orders.pop(error.order_id, None)
        self._post("OnOrderError", native_record("XtOrderError", error, seq=seq))
        if held is not None:
            self._post("OnOrderStockResp", *held)

    def on_cancel_error(self, error) -> None:
        with self.map_lock:
            held = self._held_cancels.pop(error.order_id, None)
        self.release_all()
        self._post("OnCancelError", native_record("XtCancelError", error))
        if held is not None:
            self._post("OnCancelOrderStockResp", *held)

    def on_stock_trade(self, trade) -> None:
        self.release_all()
        self._post("OnStockTrade", native_record("XtTrade", trade))

    def on_stock_position(self, position) -> None:
        self.release_all()
        self._post("OnStockPosition", native_record("XtPosition", position))

    def on_stock_asset(self, asset) -> None:
        self.release_all()
        self._post("OnStockAsset", native_record("XtAsset", asset))

    def on_account_status(self, status) -> None:
        self.release_all()
        self._post("OnUpdateAccountStatus", AccountStatusPush(
            m_strAccountID=status.account_id, m_nAccountType=status.account_type, m_nStatus=status.status))

    def on_disconnected(self) -> None:
        self._client.connected = False
        self.release_all()
        self._post("OnDisconnected")
