"""Delivering pushes and responses to a trader's callback, as the SDK's worker does.

One FIFO holds pushes and answers in the order the counter produced them. In
``thread`` mode a single worker thread delivers them (the SDK's
``ThreadPoolExecutor(max_workers=1)``); in ``sync`` mode the thread that made a
call delivers everything queued before the call returns.

The SDK's bookkeeping is reproduced: an ``on_order_error`` whose request seq is
still waiting for its async response is held back and delivered right after the
response; an ``on_cancel_error`` waits for its cancel response the same way
(xttrader.py ``on_push_OrderError`` / ``on_push_CancelError``). Exceptions
raised by callbacks are logged and swallowed, as the SDK's executor does; the
last ones are kept in ``callback_errors``.
"""

from __future__ import annotations

import collections
import copy
import threading
import time
from collections.abc import Callable

from loguru import logger

from .faults import Push

__all__ = ["PushDelivery"]

_SIMPLE = {"stock_order": "on_stock_order", "stock_trade": "on_stock_trade",
           "stock_position": "on_stock_position", "stock_asset": "on_stock_asset",
           "account_status": "on_account_status"}


class PushDelivery:
    """The queue and worker of one trader."""

    def __init__(self, trader, *, sync: bool, name: str) -> None:
        self.trader = trader
        self.sync = sync
        self.name = name
        self._queue: collections.deque = collections.deque()
        self._cond = threading.Condition()
        self._busy = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._worker_ident: int | None = None
        self._drain_lock = threading.RLock()
        self._tls = threading.local()
        self.running = False
        self.callback_errors: collections.deque = collections.deque(maxlen=50)
        # the SDK's hold-back state
        self._book = threading.Lock()
        self.queuing_order_seq: set[int] = set()
        self.handled_order_ids: set[int] = set()
        self.errors_by_seq: dict[int, object] = {}
        self.errors_by_id: dict[int, object] = {}
        self.handled_cancel_ids: set[int] = set()
        self.handled_cancel_sysids: set[str] = set()
        self.cancel_errors_by_id: dict[int, object] = {}
        self.cancel_errors_by_sysid: dict[str, object] = {}

    # -- life cycle --------------------------------------------------------------------

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self._stopping = False
        if not self.sync:
            self._thread = threading.Thread(target=self._work, name=self.name, daemon=True)
            self._thread.start()

    def stop(self) -> None:
        if not self.running:
            return
        if self.sync:
            self.drain()
        else:
            with self._cond:
                self._stopping = True
                self._cond.notify_all()
            if self._thread is not None and threading.get_ident() != self._worker_ident:
                self._thread.join()
        self.running = False

    def on_callback_thread(self) -> bool:
        if not self.sync and self._worker_ident is not None and threading.get_ident() == self._worker_ident:
            return True
        return getattr(self._tls, "depth", 0) > 0

    # -- queueing ----------------------------------------------------------------------

    def accept(self, pushes: list[Push]) -> None:
        """Queue counter pushes (called under the counter lock; never calls back)."""
        with self._cond:
            for p in pushes:
                record = copy.copy(p.record)
                if p.kind == "order_error" and p.origin is not self.trader:
                    record.seq = 0
                self._queue.append(("push", p.kind, record, None, p.latency))
            self._cond.notify_all()

    def queue_response(self, kind: str, record, fn: Callable) -> None:
        with self._cond:
            self._queue.append((kind, kind, record, fn, 0.0))
            self._cond.notify_all()

    def queue_cancel_response(self, record, fn: Callable) -> None:
        self.queue_response("cancel_response", record, fn)

    def expect_order_response(self, seq: int) -> None:
        with self._book:
            self.queuing_order_seq.add(seq)

    # -- delivery ----------------------------------------------------------------------

    def drain(self) -> None:
        """Sync mode: deliver everything queued, in this thread (re-entrant calls return)."""
        if not self.sync or not self.running:
            return
        if getattr(self._tls, "draining", False):
            return
        with self._drain_lock:
            self._tls.draining = True
            try:
                while True:
                    with self._cond:
                        if not self._queue:
                            self._cond.notify_all()
                            return
                        item = self._queue.popleft()
                    self._deliver(item)
            finally:
                self._tls.draining = False

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """True once everything queued so far has been delivered."""
        if self.sync:
            self.drain()
            return not self._queue
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._queue or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or not self.running:
                    return False
                self._cond.wait(left)
            return True

    def _work(self) -> None:
        self._worker_ident = threading.get_ident()
        while True:
            with self._cond:
                while not self._queue and not self._stopping:
                    self._cond.wait()
                if not self._queue:
                    return
                item = self._queue.popleft()
                self._busy = True
            try:
                if item[4] > 0:
                    time.sleep(item[4])
                self._deliver(item)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _deliver(self, item) -> None:
        self._tls.depth = getattr(self._tls, "depth", 0) + 1
        try:
            self._dispatch(item)
        except Exception as exc:  # the SDK's executor swallows callback errors too
            self.callback_errors.append(exc)
            logger.opt(exception=exc).error("{}: callback raised while delivering {}", self.name, item[1])
        finally:
            self._tls.depth -= 1

    def _callback(self, name: str) -> Callable | None:
        cb = self.trader.callback
        return getattr(cb, name, None) if cb is not None else None

    def _dispatch(self, item) -> None:
        tag, kind, record, fn, _ = item
        if tag == "order_stock_async_response":
            self._order_response(record, fn)
        elif tag == "cancel_response":
            self._cancel_response(record, fn)
        elif tag == "query_response":
            fn(record)
        elif kind == "order_error":
            self._order_error(record)
        elif kind == "cancel_error":
            self._cancel_error(record)
        elif kind == "disconnected":
            self.trader.connected = False
            self._call("on_disconnected")
        else:
            self._call(_SIMPLE[kind], record)

    def _call(self, name: str, *args) -> None:
        method = self._callback(name)
        if method is not None:
            method(*args)

    def _order_response(self, resp, fn: Callable) -> None:
        fn(resp)
        with self._book:
            self.queuing_order_seq.discard(resp.seq)
            err = self.errors_by_seq.pop(resp.seq, None) or self.errors_by_id.pop(resp.order_id, None)
            if err is None:
                self.handled_order_ids.add(resp.order_id)
        if err is not None:
            self._call("on_order_error", err)

    def _order_error(self, err) -> None:
        with self._book:
            deliver = err.seq not in self.queuing_order_seq or err.order_id in self.handled_order_ids
            if deliver:
                self.handled_order_ids.discard(err.order_id)
            else:
                self.errors_by_seq[err.seq] = err
                self.errors_by_id[err.order_id] = err
        if deliver:
            self._call("on_order_error", err)

    def _cancel_response(self, resp, fn: Callable) -> None:
        fn(resp)
        with self._book:
            if not resp.order_sysid:
                err = self.cancel_errors_by_id.pop(resp.order_id, None)
                (self.handled_cancel_ids.discard if err is not None else self.handled_cancel_ids.add)(
                    resp.order_id)
            else:
                err = self.cancel_errors_by_sysid.pop(resp.order_sysid, None)
                (self.handled_cancel_sysids.discard if err is not None else self.handled_cancel_sysids.add)(
                    resp.order_sysid)
        if err is not None:
            self._call("on_cancel_error", err)

    def _cancel_error(self, err) -> None:
        with self._book:
            if err.order_id in self.handled_cancel_ids:
                self.handled_cancel_ids.discard(err.order_id)
                deliver = True
            elif err.order_sysid in self.handled_cancel_sysids:
                self.handled_cancel_sysids.discard(err.order_sysid)
                deliver = True
            else:
                self.cancel_errors_by_id[err.order_id] = err
                self.cancel_errors_by_sysid[err.order_sysid] = err
                deliver = False
        if deliver:
            self._call("on_cancel_error", err)
