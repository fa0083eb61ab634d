"""The ``notify`` plugin: engine events in on the engine thread, messages out on one worker thread.

The engine thread does one thing per event: a set look-up of its name and,
for the kinds some channel wants, a non-blocking ``submit`` onto the bounded
queue of a :class:`~engine.background.BackgroundWorker`. Everything else
(turning events into notices, grouping, rate limits, apprise, retries with
back-off) happens on the worker thread, so a slow or dead channel never
delays an order. A message that still fails after its last retry, and events
dropped because the queue was full, are recorded as ``alerts`` rows on the
engine thread at the next heartbeat (and logged at once).
"""

from __future__ import annotations

import sqlite3
import time
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from loguru import logger

from ...audit.chain import read_head
from ...background import BackgroundWorker, RetryPolicy
from ...events import Event
from ...hookspecs import hookimpl
from .grouping import ChannelRoute, Grouper
from .messages import EVENT_NAMES, Message, Notice, notice_for
from .settings import NotifySettings


@dataclass(frozen=True)
class _Delivery:
    channel: str
    message: Message


_CLOSING = object()


class Notifier:
    """Built-in plugin ``notify`` (see :mod:`engine.builtin.notify`).

    :param channels: channel name -> an object with ``send(message)`` that raises on failure.
    :param audit_path: the audit database, read (read-only) for the chain head.
    :param clock: the worker's time source (tests pass one they control).
    """

    def __init__(self, settings: NotifySettings, channels: dict[str, Any], *, audit_path: Path | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.channels = channels
        self.audit_path = audit_path
        routes = [ChannelRoute(c.name, frozenset(c.events), c.max_per_minute) for c in settings.channels]
        self._wanted = frozenset(kind for route in routes for kind in route.events)
        self.grouper = Grouper(routes, language=settings.language, group_seconds=settings.group_seconds,
                               repeat_seconds=settings.repeat_seconds, resolve=self._resolve)
        self.worker: BackgroundWorker = BackgroundWorker(
            "notify", self._handle, maxsize=settings.queue_size,
            retry=RetryPolicy(settings.retry_attempts, settings.retry_backoff_seconds, settings.retry_max_backoff_seconds),
            on_give_up=self._gave_up, on_tick=self._tick, clock=clock)
        self._clock = clock
        self._failures: deque[str] = deque(maxlen=200)
        self._dropped_recorded = 0
        #: messages delivered, per channel
        self.sent: Counter[str] = Counter()

    # -- the engine thread --------------------------------------------------------------

    @hookimpl(trylast=True)
    def track_event(self, event: Event) -> None:
        # trylast: after the audit writer, so a durable event (a statement) is committed when we read the chain
        if event.name in EVENT_NAMES:
            self.worker.submit(event)

    @hookimpl
    def on_heartbeat(self, ctx) -> None:
        self._record_failures(ctx)

    @hookimpl
    def on_stop(self, ctx) -> None:
        self._record_failures(ctx)

    def close(self) -> None:
        """The end of the run (after the audit writer closed): the chain head, then what is queued."""
        if "chain_head" in self._wanted:
            self.worker.submit(_CLOSING)
        self.worker.close(self.settings.close_timeout_seconds)

    def _record_failures(self, ctx) -> None:
        while self._failures:
            ctx.emit_alert("notify_failed", self._failures.popleft())
        dropped = self.worker.stats.dropped
        if dropped > self._dropped_recorded:
            ctx.emit_alert("notify_dropped", f"{dropped - self._dropped_recorded} event(s) not notified: the "
                           f"notifier's queue ({self.settings.queue_size}) was full")
            self._dropped_recorded = dropped

    # -- the worker thread --------------------------------------------------------------

    def _handle(self, item: Any) -> None:
        if isinstance(item, _Delivery):
            self.channels[item.channel].send(item.message)
            self.sent[item.channel] += 1
            return
        if item is _CLOSING:
            notices = [Notice("chain_head", "chain:close", "at the end of the run", "chain head")]
        else:
            notices = notice_for(item, chain_line=self._chain_line)
        now = self._clock()
        for notice in notices:
            if notice.kind in self._wanted:
                self.grouper.add(notice, now)

    def _tick(self, now: float) -> float | None:
        for channel, message in self.grouper.due(now):
            self.worker.later(_Delivery(channel, message))
        return self.grouper.next_wait(now)

    def _gave_up(self, item: Any, error: BaseException) -> None:
        if isinstance(item, _Delivery):
            self._failures.append(f"channel {item.channel}: message {item.message.title!r} not delivered after "
                                  f"{self.settings.retry_attempts} attempt(s): {error}")

    def _resolve(self, notice: Notice) -> Notice:
        if notice.kind != "chain_head":
            return notice
        return Notice(notice.kind, notice.key, f"{self._chain_line()} ({notice.line})", notice.label, notice.at)

    def _chain_line(self) -> str:
        if self.audit_path is None or not Path(self.audit_path).exists():
            return "no audit database"
        try:
            conn = sqlite3.connect(f"{Path(self.audit_path).resolve().as_uri()}?mode=ro", uri=True, timeout=5)
            try:
                return read_head(conn).label()
            finally:
                conn.close()
        except sqlite3.Error as exc:
            logger.warning("notify: cannot read the audit chain head: {}", exc)
            return f"chain head unreadable ({exc})"
