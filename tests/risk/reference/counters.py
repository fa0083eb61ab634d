"""Counters for the flow rules, on the engine clock: a sliding window, a per-day count, recent orders.

They are fed with what actually left the engine (order intents and cancel
requests, at the event's engine time) and asked with the engine clock, so a
replay counts exactly as the live run did. Every operation is O(1) amortised:
old entries leave from the front of a deque as time moves on.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass
from typing import Hashable

__all__ = ["DailyCount", "RecentOrders", "SlidingWindow"]


class SlidingWindow:
    """How many actions happened in the ``seconds`` before a given time (the window ``(now - seconds, now]``)."""

    def __init__(self, seconds: float = 1.0) -> None:
        self.span = dt.timedelta(seconds=seconds)
        self._times: deque[dt.datetime] = deque()

    def add(self, when: dt.datetime) -> None:
        self._times.append(when)
        self._expire(when)

    def count(self, now: dt.datetime) -> int:
        self._expire(now)
        return len(self._times)

    def _expire(self, now: dt.datetime) -> None:
        horizon = now - self.span
        times = self._times
        while times and times[0] <= horizon:
            times.popleft()


class DailyCount:
    """Actions on one trading day; the count starts from zero when the date changes."""

    def __init__(self) -> None:
        self.day: dt.date | None = None
        self._count = 0

    def add(self, when: dt.datetime) -> None:
        if when.date() != self.day:
            if self.day is not None and when.date() < self.day:
                return  # a late event from a previous day does not reopen it
            self.day, self._count = when.date(), 0
        self._count += 1

    def count(self, now: dt.datetime) -> int:
        return self._count if now.date() == self.day else 0


@dataclass(frozen=True, slots=True)
class Sent:
    """One order that left the engine: when, and its client order id."""

    when: dt.datetime
    client_order_id: str


class RecentOrders:
    """The latest order sent for each key during the last ``seconds`` (the duplicate guard's memory)."""

    def __init__(self, seconds: float) -> None:
        self.span = dt.timedelta(seconds=seconds)
        self._latest: dict[Hashable, Sent] = {}
        self._order: deque[tuple[dt.datetime, Hashable]] = deque()

    def add(self, key: Hashable, when: dt.datetime, client_order_id: str) -> None:
        self._latest[key] = Sent(when, client_order_id)
        self._order.append((when, key))
        self._expire(when)

    def get(self, key: Hashable, now: dt.datetime) -> Sent | None:
        """The latest order with ``key`` sent less than ``seconds`` before ``now``, or None."""
        self._expire(now)
        sent = self._latest.get(key)
        if sent is None or now - sent.when >= self.span:
            return None
        return sent

    def __len__(self) -> int:
        return len(self._latest)

    def _expire(self, now: dt.datetime) -> None:
        horizon = now - self.span
        entries = self._order
        while entries and entries[0][0] <= horizon:
            when, key = entries.popleft()
            sent = self._latest.get(key)
            if sent is not None and sent.when == when:
                del self._latest[key]
