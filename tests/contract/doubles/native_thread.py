"""The native library's own thread: it invokes the callbacks xttrader bound, one after another."""

from __future__ import annotations

import collections
import threading
from typing import Any, Callable

from loguru import logger

__all__ = ["NativeThread"]


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

    def discard_queued(self) -> None:
        """Forget everything not delivered yet (the connection died with it)."""
        with self._cond:
            self._queue.clear()

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
