"""Test double of ``xtquant.xtpythonclient`` (the Windows-only trading client), backed by the simulator.

Put this module at ``sys.modules["xtquant.xtpythonclient"]`` before importing
``xtquant.xttrader``; the real ``XtQuantTrader`` then runs unchanged on top of it.

How a client works (one per ``XtQuantTrader``, i.e. per session):

* ``XtQuantAsyncClient(path_bytes, name, session)`` finds the
  :class:`~.miniqmt.MiniQmtDouble` registered for the path; ``start()`` builds
  a ``SimXtQuantTrader`` (worker-thread delivery) on its counter and starts the
  client's own *native thread*.
* ``*WithSeq(seq, req)`` calls run on the caller's thread: they read the
  request's ``m_*`` fields and call the simulated trader. Query/subscribe
  answers go back as ``on_common_resp_callback(seq, answer)``; order and cancel
  answers come later as the async-response pushes ``(seq, resp)`` with native
  ``m_*`` field names, the simulator's request seqs mapped back to xttrader's.
* Every push the simulator delivers (on its worker) is converted to a native
  record and queued; the native thread invokes the callbacks xttrader bound
  with ``bind*Callback``, in the order the counter produced them, as the
  native library calls them from its own threads.
"""

from __future__ import annotations

import functools
import itertools
import threading
from typing import Any, Callable

from loguru import logger

from engine.sim import SimXtQuantTrader
from engine.xt import constants as xc
from engine.xt.records import StockAccount

from . import miniqmt
from .native_thread import NativeThread
from .native_types import (REQUEST_DEFAULTS, AccountStatusPush, CancelOrderStockResp, OrderStockResp,
                           account_status_record, native_record, request_class)
from .sim_link import SimLink

__all__ = ["XtQuantAsyncClient", *REQUEST_DEFAULTS]

globals().update({name: request_class(name) for name in REQUEST_DEFAULTS})


def __getattr__(name: str):
    """Any other request class xttrader may build (``QueryCreditDetailReq``...) exists as an attribute bag."""
    if name.endswith(("Req", "Param")):
        return request_class(name)
    raise AttributeError(f"module 'xtquant.xtpythonclient' (test double) has no attribute {name!r}")


def _api(method: Callable) -> Callable:
    """Record the call (method name and calling thread) on the backend before running it."""

    @functools.wraps(method)
    def recorded(self: XtQuantAsyncClient, *args, **kwargs):
        if self.backend is not None:
            self.backend.record_call("xttrader", method.__name__)
        return method(self, *args, **kwargs)

    return recorded


class XtQuantAsyncClient:
    """Drop-in for the native ``XtQuantAsyncClient(path_bytes, name, session)``."""

    def __init__(self, path: bytes, name: str, session: int) -> None:
        if not isinstance(path, bytes):
            raise TypeError(f"XtQuantAsyncClient: path must be bytes (xttrader encodes it as gb18030), got {type(path).__name__}")
        self.path = path.decode("gb18030")
        self.name = name
        self.session = session
        self.backend = miniqmt.lookup(self.path)
        self.connected = False
        self._callbacks: dict[str, Callable] = {}
        self._native = NativeThread(f"xtpythonclient-{session}", self._callbacks)
        self._seqs = itertools.count(1)
        self._seq_lock = threading.Lock()
        self._sim: SimXtQuantTrader | None = None
        self._timeout_ms = 0
        self.link = SimLink(self)
        if self.backend is not None:
            self.backend.add_client(self)

    def __getattr__(self, name: str):
        if name.startswith("bind") and name.endswith("Callback"):
            key = name[len("bind"):-len("Callback")]
            return lambda callback: self._callbacks.__setitem__(key, callback)
        if name.endswith("WithSeq"):
            def unsupported(seq, *args):
                raise NotImplementedError(f"XtQuantAsyncClient.{name}: not modelled by the test double "
                                          "(the simulator has stock accounts only)")
            return unsupported
        raise AttributeError(f"XtQuantAsyncClient (test double) has no attribute {name!r}")

    # -- life cycle -----------------------------------------------------------

    @_api
    def init(self) -> None:
        """Nothing to prepare; the real client loads its configuration here."""

    @_api
    def start(self) -> None:
        if self.backend is not None and self._sim is None:
            self._sim = SimXtQuantTrader(self.path, self.session, self.link, counter=self.backend.counter)
            self._sim.set_timeout(self._timeout_ms)
            self._sim.start()
        self._native.start()

    @_api
    def stop(self) -> None:
        self.connected = False
        if self._sim is not None:
            self._sim.stop()
        self.link.release_all()
        self._native.stop()

    @_api
    def connect(self) -> int:
        if self.backend is None or self._sim is None:
            return -1
        forced = self.backend.connect_refusal()
        result = forced if forced is not None else self._sim.connect()
        self.connected = result == 0
        return result

    @_api
    def nextSeq(self) -> int:  # noqa: N802 - the native name
        with self._seq_lock:
            return next(self._seqs)

    @_api
    def setTimeout(self, timeout: int) -> None:  # noqa: N802
        self._timeout_ms = int(timeout)
        if self._sim is not None:
            self._sim.set_timeout(self._timeout_ms)

    @property
    def delivered(self) -> list[tuple[str, tuple]]:
        """Every native callback invoked so far: (key such as ``OnOrderError``, args), in order."""
        return list(self._native.delivered)

    def drop(self, reason: str, *, push: bool = True, lose_in_flight: bool = False) -> None:
        """The connection broke (switch of the backend): stop trading, push a disconnect.

        :param push: False: no disconnect push, and nothing in flight is delivered.
        :param lose_in_flight: answers and pushes not yet delivered are lost.
        """
        logger.info("xtpythonclient double session {}: {}", self.session, reason)
        self.connected = False
        if not push or lose_in_flight:
            self.link.cut = True
            self._native.discard_queued()
        if self._sim is not None:
            self._sim.stop()
        self.link.release_all()
        if push:
            self._native.post("OnDisconnected")

    # -- requests ---------------------------------------------------------------

    def _account(self, req) -> StockAccount | None:
        if req.m_nAccountType != xc.SECURITY_ACCOUNT:
            return None
        return StockAccount(req.m_strAccountID)

    def _answer(self, key: str, seq: int, answer: Any) -> None:
        self._native.post(key, seq, answer)

    @_api
    def subscribeWithSeq(self, seq: int, req) -> None:  # noqa: N802
        account = self._account(req)
        result = self._sim.subscribe(account) if self._sim is not None and account is not None else -1
        self._answer("OnSubscribeResp", seq, result)
        if result == 0:
            status = self._sim.query_account_status()
            for record in status or ():
                self._native.post("OnUpdateAccountStatus", AccountStatusPush(
                    m_strAccountID=record.account_id, m_nAccountType=record.account_type, m_nStatus=record.status))

    @_api
    def unsubscribeWithSeq(self, seq: int, req) -> None:  # noqa: N802
        account = self._account(req)
        result = self._sim.unsubscribe(account) if self._sim is not None and account is not None else -1
        self._answer("OnUnsubscribeResp", seq, result)

    @_api
    def orderStockWithSeq(self, seq: int, req) -> None:  # noqa: N802
        account = self._account(req)
        refusal = self.backend.api_refuses_orders if self.backend is not None else None
        usable = self._sim is not None and account is not None and refusal is None
        cut_after = usable and self.backend.take_drop_after_order()
        if usable and self.backend.take_mute_after_order():
            self.link.cut = True            # answers and pushes lost from now on; the session stays connected
        if cut_after:
            self.link.cut = True            # nothing the counter answers about this order gets out
        with self.link.map_lock:
            sim_seq = -1
            if usable:
                sim_seq = self._sim.order_stock_async(account, req.m_strStockCode, req.m_nOrderType, req.m_nOrderVolume,
                                                      req.m_nPriceType, req.m_dPrice, req.m_strStrategyName,
                                                      req.m_strOrderRemark)
            if sim_seq > 0:
                self.link.order_seqs[sim_seq] = seq
        if cut_after:
            self.drop("the connection broke with an order in flight", lose_in_flight=True)
        if sim_seq > 0 or cut_after:
            return
        self._native.post("OnOrderStockResp", seq, OrderStockResp(
            m_strAccountID=req.m_strAccountID, m_nOrderID=-1, m_strStrategyName=req.m_strStrategyName,
            m_strOrderRemark=req.m_strOrderRemark,
            m_strErrorMsg=refusal or "order refused by the API: not connected, account not subscribed or malformed request"))

    @_api
    def cancelOrderStockWithSeq(self, seq: int, req) -> None:  # noqa: N802
        account = self._account(req)
        with self.link.map_lock:
            sim_seq = -1
            if self._sim is not None and account is not None and not req.m_strOrderSysID:
                sim_seq = self._sim.cancel_order_stock_async(account, req.m_nOrderID)
            if sim_seq > 0:
                self.link.cancel_seqs[sim_seq] = seq
                return
        why = ("cancel by order_sysid is not modelled by the simulator" if req.m_strOrderSysID
               else "cancel refused by the API: not connected or account not subscribed")
        self._native.post("OnCancelOrderStockResp", seq, CancelOrderStockResp(
            m_strAccountID=req.m_strAccountID, m_nCancelResult=-1, m_nOrderID=req.m_nOrderID,
            m_strOrderSysID=req.m_strOrderSysID, m_strErrorMsg=why))

    @_api
    def queryStockAssetWithSeq(self, seq: int, req) -> None:  # noqa: N802
        record = self._query(lambda account: self._sim.query_stock_asset(account), req)
        self._answer("OnQueryStockAsset", seq, None if record is None else [native_record("XtAsset", record)])

    @_api
    def queryStockOrdersWithSeq(self, seq: int, req) -> None:  # noqa: N802
        if req.m_nOrderID > 0:
            found = self._query(lambda account: self._sim.query_stock_order(account, req.m_nOrderID), req)
            records = [] if found is None else [found]
        else:
            records = self._query(lambda account: self._sim.query_stock_orders(account, bool(req.m_bCanCancel)), req)
        self._answer("OnQueryStockOrders", seq, self._natives("XtOrder", records))

    @_api
    def queryStockTradesWithSeq(self, seq: int, req) -> None:  # noqa: N802
        records = self._query(lambda account: self._sim.query_stock_trades(account), req)
        self._answer("OnQueryStockTrades", seq, self._natives("XtTrade", records))

    @_api
    def queryStockPositionsWithSeq(self, seq: int, req) -> None:  # noqa: N802
        if req.m_strStockCode:
            found = self._query(lambda account: self._sim.query_stock_position(account, req.m_strStockCode), req)
            records = [] if found is None else [found]
        else:
            records = self._query(lambda account: self._sim.query_stock_positions(account), req)
        self._answer("OnQueryStockPositions", seq, self._natives("XtPosition", records))

    @_api
    def queryAccountStatusWithSeq(self, seq: int, req) -> None:  # noqa: N802
        records = self._sim.query_account_status() if self._sim is not None else None
        self._answer("OnQueryAccountStatus", seq,
                     None if records is None else [account_status_record(r) for r in records])

    @_api
    def queryAccountInfosWithSeq(self, seq: int, req) -> None:  # noqa: N802
        records = self._sim.query_account_status() if self._sim is not None else None
        self._answer("OnQueryAccountInfos", seq,
                     None if records is None else [account_status_record(r) for r in records])

    def _query(self, ask: Callable[[StockAccount], Any], req) -> Any:
        account = self._account(req)
        if self._sim is None or account is None:
            return None
        return ask(account)

    @staticmethod
    def _natives(kind: str, records) -> list | None:
        return None if records is None else [native_record(kind, r) for r in records]

    def __repr__(self) -> str:
        return f"<XtQuantAsyncClient double path={self.path!r} session={self.session} connected={self.connected}>"
