"""Grouping, de-duplication and per-channel rate limits (the notifier's worker thread only).

* Notices of one subject (``Notice.key``) for one channel within
  ``group_seconds`` of the first become one message with counts.
* After a message about a repeating subject (a disconnect, one risk rule's
  denials, an alert), the subject is quiet for ``repeat_seconds``: what comes
  in that window is collected and sent as one summary when it ends. A storm of
  100 disconnects is one message, and at most one more per window while it lasts.
* Each channel has a token bucket of ``max_per_minute`` messages; a message
  without a token waits, and everything waiting goes as one digest when the
  next token comes.

Time is whatever ``now`` the caller passes (the worker's clock); ``now = inf``
flushes everything (the end of a run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .messages import Message, Notice, digest, render


@dataclass
class _Group:
    notices: list[Notice]
    due: float


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    at: float = 0.0
    held: list[Message] = field(default_factory=list)

    def take(self, now: float) -> bool:
        self._refill(now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def seconds_to_token(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.per_second

    def _refill(self, now: float) -> None:
        if now > self.at:
            self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
            self.at = now


@dataclass(frozen=True)
class ChannelRoute:
    """Which notice kinds a channel takes, and its rate limit."""

    name: str
    events: frozenset[str]
    max_per_minute: int


class Grouper:
    """Turns notices into per-channel messages; see the module docstring."""

    def __init__(self, routes: list[ChannelRoute], *, language: str, group_seconds: float, repeat_seconds: float,
                 resolve: Callable[[Notice], Notice] = lambda notice: notice) -> None:
        self.routes = routes
        self.language, self.group_seconds, self.repeat_seconds = language, group_seconds, repeat_seconds
        self._resolve = resolve
        self._groups: dict[tuple[str, str], _Group] = {}
        self._quiet_until: dict[tuple[str, str], float] = {}
        self._buckets = {r.name: _Bucket(r.max_per_minute, r.max_per_minute / 60.0, float(r.max_per_minute))
                         for r in routes}
        #: notices folded into a message that was not the first of its subject (for tests and metrics)
        self.grouped = 0

    def add(self, notice: Notice, now: float) -> None:
        for route in self.routes:
            if notice.kind not in route.events:
                continue
            key = (route.name, notice.key)
            group = self._groups.get(key)
            if group is None:
                due = max(now + self.group_seconds, self._quiet_until.get(key, now))
                self._groups[key] = _Group([notice], due)
            else:
                group.notices.append(notice)
                self.grouped += 1

    def due(self, now: float) -> list[tuple[str, Message]]:
        """Messages to send now, as (channel name, message)."""
        out: list[tuple[str, Message]] = []
        for key in [k for k, g in self._groups.items() if g.due <= now]:
            group = self._groups.pop(key)
            message = render([self._resolve(n) for n in group.notices], self.language)
            if group.notices[0].repeats:
                self._quiet_until[key] = now + self.repeat_seconds
            self._through_limit(key[0], message, now, out)
        for name, bucket in self._buckets.items():
            if bucket.held and bucket.take(now):
                held, bucket.held = bucket.held, []
                out.append((name, held[0] if len(held) == 1 else digest(held, self.language)))
        return out

    def next_wait(self, now: float) -> float | None:
        """Seconds until :meth:`due` has something (None: nothing pending)."""
        waits = [g.due - now for g in self._groups.values()]
        waits += [b.seconds_to_token(now) for b in self._buckets.values() if b.held]
        return max(0.0, min(waits)) if waits else None

    @property
    def pending(self) -> int:
        return len(self._groups) + sum(len(b.held) for b in self._buckets.values())

    def _through_limit(self, channel: str, message: Message, now: float, out: list) -> None:
        bucket = self._buckets[channel]
        if not bucket.held and bucket.take(now):
            out.append((channel, message))
        else:
            bucket.held.append(message)
