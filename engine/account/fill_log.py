"""This run's fills, by trading day, for the daily statement; older days are dropped at the day roll.

The audit database keeps every fill (``fills`` table); the engine only needs the
current and the previous trading day in memory, so a run of years stays flat.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Iterator

from ..models import Fill


class FillLog:
    """Fills in arrival order, grouped by the day of their time (``None``: no time)."""

    def __init__(self) -> None:
        self._by_day: dict[dt.date | None, list[Fill]] = {}

    def append(self, fill: Fill) -> None:
        day = fill.time.date() if fill.time is not None else None
        self._by_day.setdefault(day, []).append(fill)

    def of_day(self, day: dt.date) -> list[Fill]:
        """The fills of ``day`` (a copy)."""
        return list(self._by_day.get(day, ()))

    def retire_before(self, day: dt.date) -> int:
        """Drop the fills of days before ``day`` (and those with no time); returns how many."""
        old = [d for d in self._by_day if d is None or d < day]
        dropped = sum(len(self._by_day[d]) for d in old)
        for d in old:
            del self._by_day[d]
        return dropped

    def __iter__(self) -> Iterator[Fill]:
        return itertools.chain.from_iterable(self._by_day.values())

    def __len__(self) -> int:
        return sum(len(fills) for fills in self._by_day.values())
