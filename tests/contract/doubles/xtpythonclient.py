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

import collections
import functools
import itertools
import threading
from typing import Any, Callable

from loguru import logger

from engine.sim import SimXtQuantTrader
from engine.xt import constants as xc
from engine.xt.records import StockAccount, XtQuantTraderCallback

from . import miniqmt
from .native_types import (REQUEST_DEFAULTS, AccountStatusPush, CancelOrderStockResp, OrderStockResp,
                           account_status_record, native_record, request_class)

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


class NativeThread:
    """The client's own thread: invokes bound callbacks for queued ``(key, args)``, in order."""

    def __init__(self, name: str, callbacks: dict[str, Callable]) -> None:
        self.name = name
        self._callbacks = callbacks
        self._queue: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []
        self.delivered: list[tuple[str, tuple]] = []   # (callback key, args), in delivery order

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
            self._thread.start()

    def post(self, key: str, *args: Any) -> None:
        with self._cond:
            self._queue.append((key, args))
            self._cond.notify_all()

    def stop(self) -> None:
        """Deliver what is queued, then end the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    return
                key, args = self._queue.popleft()
            callback = self._callbacks.get(key)
            if callback is None:
                logger.warning("{}: no callback bound for {}; dropped", self.name, key)
                continue
            self.delivered.append((key, args))
            try:
                callback(*args)
            except BaseException as exc:  # the native library must survive a failing callback
                self.errors.append(exc)
                logger.opt(exception=exc).error("{}: callback {} raised", self.name, key)


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
        self.link = _SimLink(self)
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

    def drop(self, reason: str) -> None:
        """The connection broke (switch of the backend): stop trading, push a disconnect."""
        logger.info("xtpythonclient double session {}: {}", self.session, reason)
        self.connected = False
        if self._sim is not None:
            self._sim.stop()
        self.link.release_all()
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
        with self.link.map_lock:
            sim_seq = -1
            if self._sim is not None and account is not None and refusal is None:
                sim_seq = self._sim.order_stock_async(account, req.m_strStockCode, req.m_nOrderType, req.m_nOrderVolume,
                                                      req.m_nPriceType, req.m_dPrice, req.m_strStrategyName,
                                                      req.m_strOrderRemark)
            if sim_seq > 0:
                self.link.order_seqs[sim_seq] = seq
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


class _SimLink(XtQuantTraderCallback):
    """The simulated trader's callback: converts each push to its native form and queues it.

    Runs on the simulator's worker thread. Keeps the simulator-seq -> xttrader-seq
    maps, and applies the backend's ``error_before_response`` switch.
    """

    def __init__(self, client: XtQuantAsyncClient) -> None:
        self._client = client
        self.map_lock = threading.RLock()
        self.order_seqs: dict[int, int] = {}
        self.cancel_seqs: dict[int, int] = {}
        self._held_orders: dict[int, tuple[int, Any]] = {}    # order_id -> (seq, response)
        self._held_cancels: dict[int, tuple[int, Any]] = {}   # order_id -> (seq, response)

    @property
    def _post(self) -> Callable[..., None]:
        return self._client._native.post

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
