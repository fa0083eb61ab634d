"""Background I/O for plugins: one worker thread behind a bounded queue, so hooks never wait on the network.

Every hook runs on the engine thread. A plugin that posts to a webhook, sends
mail or writes to a slow disk from a hook makes the whole engine wait for it,
orders included. :class:`BackgroundWorker` is the piece that keeps that work off
the engine thread:

* :meth:`~BackgroundWorker.submit` (any thread, usually a hook) puts an item on a
  bounded queue and returns at once. It never blocks: when the queue is full the
  item is dropped and counted (``stats.dropped``), and ``submit`` returns False.
* One daemon thread (started on the first ``submit``) calls ``handle(item)`` for
  each item, in order.
* ``handle`` may raise: the item is tried again after a back-off (``retry``:
  ``attempts`` in all, the delay doubling from ``backoff_seconds`` up to
  ``max_backoff_seconds``) while later items go on; after the last attempt
  ``on_give_up(item, error)`` is called and the failure is logged and counted.
* ``on_tick(now)`` (optional) runs on the worker thread after every item and
  whenever the time it asked for comes: it returns the seconds until it wants
  to run again, or None. Timers such as "send what was grouped in the last two
  seconds" live there.
* :meth:`~BackgroundWorker.close` (call it from the plugin's ``close()``, which the
  engine calls at the end of a run) lets the queued items finish within a
  timeout, then stops the thread.

A notifier in twenty lines (docs/notifications.md has it with its config)::

    import json, urllib.request
    from engine import hookimpl
    from engine.background import BackgroundWorker

    class FillsToWebhook:
        def __init__(self, url):
            self.url = url
            self.worker = BackgroundWorker("fills-webhook", self.post, maxsize=500)

        @hookimpl
        def on_trade(self, fill):
            self.worker.submit({"text": f"{fill.strategy} {fill.side.value} {fill.code} "
                                        f"{fill.volume} @ {fill.price}"})

        def post(self, payload):
            request = urllib.request.Request(self.url, json.dumps(payload).encode(),
                                             {"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=5).close()

        def close(self):
            self.worker.close()

The built-in ``notify`` plugin (:mod:`engine.builtin.notify`) is built on it.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Generic, TypeVar

from loguru import logger

__all__ = ["BackgroundWorker", "RetryPolicy", "WorkerStats", "running_workers"]

T = TypeVar("T")

_STOP = object()
_MAX_WAIT = 0.25  # seconds the worker sleeps at most between looks at its timers
_WORKERS: "weakref.WeakSet[BackgroundWorker]" = weakref.WeakSet()


@dataclass(frozen=True)
class RetryPolicy:
    """How a failing ``handle`` is tried again: ``attempts`` in all, the delay doubling up to a cap."""

    attempts: int = 5
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 300.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait before try number ``attempt + 1`` (``attempt`` >= 1 tries already failed)."""
        return min(self.max_backoff_seconds, self.backoff_seconds * 2 ** (attempt - 1))


NO_RETRY = RetryPolicy(attempts=1)


@dataclass
class WorkerStats:
    """Counts since the worker was made (read from any thread; each is one int)."""

    submitted: int = 0
    handled: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0


class BackgroundWorker(Generic[T]):
    """One daemon thread working through a bounded queue; see the module docstring.

    :param name: names the thread (``bg-<name>``) and the log lines.
    :param handle: called on the worker thread with each item; may raise (then retried).
    :param maxsize: items that may wait; ``submit`` drops beyond it.
    :param retry: the retry policy for items whose ``handle`` raised (``RetryPolicy(attempts=1)``: never retry).
    :param on_give_up: ``(item, error)`` after the last failed attempt (worker thread).
    :param on_tick: ``(now) -> seconds until next call | None``, on the worker thread.
    :param clock: the time source for back-offs and ticks (``time.monotonic``).
    """

    def __init__(self, name: str, handle: Callable[[T], Any], *, maxsize: int = 1000,
                 retry: RetryPolicy = RetryPolicy(), on_give_up: Callable[[T, BaseException], Any] | None = None,
                 on_tick: Callable[[float], float | None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if maxsize < 1:
            raise ValueError(f"BackgroundWorker {name!r}: maxsize must be at least 1, not {maxsize}")
        self.name = name
        self.stats = WorkerStats()
        self._handle, self._retry, self._on_give_up, self._on_tick = handle, retry, on_give_up, on_tick
        self._clock = clock
        #: SimpleQueue (as the engine's own inbound queue): its put is cheaper for the hook that calls submit;
        #: the bound is kept by submit itself (one consumer; concurrent producers may overshoot by a few)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self.maxsize = maxsize
        self._later: list[tuple[float, int, int, Any]] = []  # (due, order, attempt, item), worker thread only
        self._order = itertools.count()
        self._tick_due: float | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        self._deadline = float("inf")  # set by close(): retries due after it are given up
        self._busy = threading.Event()  # set while handle() runs (tests and metrics can look)
        _WORKERS.add(self)

    # -- any thread ---------------------------------------------------------------------

    def submit(self, item: T) -> bool:
        """Queue ``item`` for the worker; never blocks. False (and counted as dropped) when full or closed."""
        if self._closed:
            self.stats.dropped += 1
            return False
        if self._thread is None:
            self._start()
        if self._queue.qsize() >= self.maxsize:
            self.stats.dropped += 1
            return False
        self._queue.put(item)
        self.stats.submitted += 1
        return True

    @property
    def depth(self) -> int:
        """Items waiting in the queue (not counting those waiting for a retry)."""
        return self._queue.qsize()

    @property
    def waiting_retries(self) -> int:
        return len(self._later)

    @property
    def busy(self) -> bool:
        """True while ``handle`` is running."""
        return self._busy.is_set()

    def close(self, timeout: float = 5.0) -> bool:
        """Stop taking items, let the queued ones (and retries due within ``timeout``) finish, stop the thread.

        :return: True when the thread ended within ``timeout`` (it is a daemon: one stuck in a slow
            ``handle`` does not keep the process alive).
        """
        if self._closed:
            return self._thread is None or not self._thread.is_alive()
        self._closed = True
        if self._thread is None:
            return True
        self._deadline = self._clock() + timeout
        deadline = time.monotonic() + timeout
        self._queue.put(_STOP)  # behind what is queued: that is handled first
        self._thread.join(max(0.0, deadline - time.monotonic()) + 0.5)
        ended = not self._thread.is_alive()
        if not ended:
            logger.warning("background worker {}: still busy {} s after close; left behind (daemon)", self.name, timeout)
        return ended

    # -- the worker thread ----------------------------------------------------------------

    def later(self, item: T, delay: float = 0.0) -> None:
        """From the worker thread (``handle`` or ``on_tick``): run ``handle(item)`` after ``delay`` seconds."""
        heapq.heappush(self._later, (self._clock() + delay, next(self._order), 0, item))

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"bg-{self.name}", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        stopping, fresh = False, True
        while True:
            now = self._clock()
            self._run_due(now)
            self._tick(now, force=fresh)  # after new work on_tick runs at once (it may have new timers)
            fresh = False
            if stopping and (not self._later or self._later[0][0] > self._deadline):
                self._tick(float("inf"), force=True)  # a last tick: let on_tick flush what it holds
                self._run_due(self._clock())  # and run what that tick handed over
                self._abandon_retries()
                return
            try:
                item = self._queue.get(timeout=self._wait_seconds())
            except queue.Empty:
                continue
            fresh = True
            if item is _STOP:
                stopping = True
                self._drain_rest()
                continue
            self._attempt(item, 1)

    def _drain_rest(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP:
                self._attempt(item, 1)

    def _wait_seconds(self) -> float:
        now = self._clock()
        due = [d for d in (self._later[0][0] if self._later else None, self._tick_due) if d is not None]
        wait = min(due) - now if due else _MAX_WAIT
        return min(max(wait, 0.001), _MAX_WAIT)

    def _run_due(self, now: float) -> None:
        while self._later and self._later[0][0] <= now:
            _due, _order, attempt, item = heapq.heappop(self._later)
            self._attempt(item, attempt + 1)

    def _tick(self, now: float, *, force: bool = False) -> None:
        if self._on_tick is None or (not force and self._tick_due is not None and now < self._tick_due):
            return
        try:
            wait = self._on_tick(now)
        except Exception:  # noqa: BLE001 - the worker must go on
            logger.exception("background worker {}: on_tick raised", self.name)
            wait = 1.0
        self._tick_due = None if wait is None else self._clock() + max(0.0, wait)

    def _attempt(self, item: Any, attempt: int) -> None:
        self._busy.set()
        try:
            self._handle(item)
        except Exception as error:  # noqa: BLE001 - a failing item is retried, never fatal
            if attempt < self._retry.attempts and not (self._closed and self._clock() > self._deadline):
                self.stats.retried += 1
                delay = self._retry.delay(attempt)
                logger.warning("background worker {}: attempt {} failed ({}: {}); again in {:.1f} s",
                               self.name, attempt, type(error).__name__, error, delay)
                heapq.heappush(self._later, (self._clock() + delay, next(self._order), attempt, item))
            else:
                self._give_up(item, error, attempt)
        else:
            self.stats.handled += 1
        finally:
            self._busy.clear()

    def _give_up(self, item: Any, error: BaseException, attempts: int) -> None:
        self.stats.failed += 1
        logger.error("background worker {}: gave up after {} attempt(s): {}: {}", self.name, attempts,
                     type(error).__name__, error)
        if self._on_give_up is not None:
            try:
                self._on_give_up(item, error)
            except Exception:  # noqa: BLE001
                logger.exception("background worker {}: on_give_up raised", self.name)

    def _abandon_retries(self) -> None:
        while self._later:
            _due, _order, attempt, item = heapq.heappop(self._later)
            self._give_up(item, RuntimeError("the worker closed before the next retry was due"), attempt)


def running_workers() -> list[BackgroundWorker]:
    """Every worker alive in this process (the metrics plugin exports their queue depths)."""
    return [worker for worker in list(_WORKERS) if not worker._closed]
