"""The "MiniQMT process" behind the native doubles: a simulator counter plus scenario switches.

A real ``XtQuantAsyncClient`` talks to the MiniQMT client whose ``userdata_mini``
folder it was given. Here a :class:`MiniQmtDouble` registered under a path
plays that client: every ``XtQuantAsyncClient`` built with the path trades on
its ``SimCounter``; a client built with an unregistered path cannot connect.

Switches (set them on the instance at any time):

* ``error_before_response``: an async order response is held until the
  counter's next push that is not about that order (the order's own pushes and
  its ``on_order_error`` go first); a refused cancel's response is held until
  its ``on_cancel_error`` has gone. ``xttrader`` must then hold the error back.
* ``connect_result``: ``connect()`` returns this instead of asking the counter.
* ``refuse_connect_until``: ``connect()`` returns -1 while the counter's clock
  is before this time.
* ``api_refuses_orders``: a message; while set, every order is answered at the
  API level (async response with ``order_id`` -1 and this ``error_msg``, as the
  SDK does for an order it cannot send) and never reaches the counter.
* ``drop_after_next_order``: the next order reaches the counter, then the
  connection breaks before any answer or push about it gets out (an order "in
  flight" when the link died); the client gets a disconnect push.
* :meth:`drop_connections`: every connected client gets a disconnect push, or
  with ``push=False`` goes silent (nothing more is delivered or answered).

Every API call any client receives is appended to :attr:`calls` with the
calling thread, so tests can prove the engine never called the SDK from a
callback thread.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass

from engine.sim import SimCounter

__all__ = ["ApiCall", "MiniQmtDouble", "lookup", "register", "unregister"]


@dataclass(frozen=True)
class ApiCall:
    """One call into a native double: which API, which method, on which thread."""

    api: str
    method: str
    thread_id: int
    thread_name: str


class MiniQmtDouble:
    """A simulator counter served at ``userdata_path`` to ``xtpythonclient`` doubles.

    :param counter: the counter (its ``delivery`` must be ``'thread'``: pushes
        come from a worker thread, as MiniQMT's do).
    :param userdata_path: the path clients must be built with.
    """

    def __init__(self, counter: SimCounter, userdata_path: str | os.PathLike) -> None:
        if counter.config.delivery != "thread":
            raise ValueError(f"MiniQmtDouble needs SimConfig(delivery='thread'), got {counter.config.delivery!r}: "
                             "MiniQMT pushes from its own threads")
        self.counter = counter
        self.path = os.fspath(userdata_path)
        self.error_before_response = False
        self.connect_result: int | None = None
        self.refuse_connect_until: dt.datetime | None = None
        self.api_refuses_orders: str | None = None
        self.drop_after_next_order = False
        #: the counter takes the next order but its answer and every push after it are lost; the
        #: connection stays up and queries still answer (an accepted order the engine never hears of)
        self.mute_after_next_order = False
        self.clients: list = []
        self.calls: list[ApiCall] = []
        self._lock = threading.Lock()

    def record_call(self, api: str, method: str) -> None:
        current = threading.current_thread()
        with self._lock:
            self.calls.append(ApiCall(api, method, current.ident or 0, current.name))

    def connect_refusal(self) -> int | None:
        """The result a ``connect()`` must return because of a switch, or None to ask the counter."""
        if self.connect_result is not None:
            return self.connect_result
        if self.refuse_connect_until is not None and self.counter.now() < self.refuse_connect_until:
            return -1
        return None

    def add_client(self, client) -> None:
        with self._lock:
            self.clients.append(client)

    def drop_connections(self, reason: str = "MiniQMT closed the connection", *, push: bool = True) -> int:
        """Disconnect every connected client; returns how many.

        :param push: False drops them silently: no disconnect push, and nothing
            queued is delivered any more (the silent disconnect users fear most).
        """
        with self._lock:
            connected = [c for c in self.clients if c.connected]
        for client in connected:
            client.drop(reason, push=push)
        return len(connected)

    def take_drop_after_order(self) -> bool:
        """True once after ``drop_after_next_order`` was set (the switch resets itself)."""
        with self._lock:
            due, self.drop_after_next_order = self.drop_after_next_order, False
            return due

    def take_mute_after_order(self) -> bool:
        """True once after ``mute_after_next_order`` was set (the switch resets itself)."""
        with self._lock:
            due, self.mute_after_next_order = self.mute_after_next_order, False
            return due

    @property
    def sessions(self) -> list[int]:
        """Session ids of every client built so far, in order."""
        with self._lock:
            return [c.session for c in self.clients]


_LOCK = threading.Lock()
_BACKENDS: dict[str, MiniQmtDouble] = {}


def _key(path: str | os.PathLike) -> str:
    return os.path.normcase(os.path.normpath(os.fspath(path)))


def register(backend: MiniQmtDouble) -> None:
    """Serve ``backend`` to clients built with its path."""
    with _LOCK:
        _BACKENDS[_key(backend.path)] = backend


def unregister(backend: MiniQmtDouble) -> None:
    with _LOCK:
        if _BACKENDS.get(_key(backend.path)) is backend:
            del _BACKENDS[_key(backend.path)]


def lookup(path: str) -> MiniQmtDouble | None:
    """The backend serving ``path``, or None (nobody listens there: connect() fails)."""
    with _LOCK:
        return _BACKENDS.get(_key(path))
