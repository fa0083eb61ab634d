"""The recent bars of each code, for ``ctx.history``: bounded, so memory stays flat over a run.

The engine adds every finished bar before calling ``on_bar`` / ``on_bars``. Each
code keeps its last :attr:`BarHistory.depth` bars per period (60 by default). A
request for more bars than are kept raises the depth from then on (the answer has
what is held so far), so a strategy that needs 120 bars asks once in ``on_start``
(``ctx.history(code, 120)``) and is served in full from its 120th bar on.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from ..models import Bar

__all__ = ["BAR_FIELDS", "BarHistory", "bars_by_time"]

BAR_FIELDS = ("open", "high", "low", "close", "volume", "amount", "pre_close")


class BarHistory:
    """``{(code, period): deque of Bar}`` with one depth for all."""

    def __init__(self, depth: int = 60) -> None:
        if depth < 1:
            raise ValueError(f"history depth {depth} must be at least 1")
        self.depth = depth
        self._bars: dict[tuple[str, str], deque] = {}

    def add(self, bar: Bar) -> None:
        key = (bar.code, bar.period)
        kept = self._bars.get(key)
        if kept is None:
            kept = self._bars[key] = deque(maxlen=self.depth)
        kept.append(bar)

    def extend(self, bars: Iterable[Bar]) -> None:
        for bar in bars:
            self.add(bar)

    def recent(self, code: str, n: int, period: str | None = None, field: str | None = None) -> list:
        """The last ``n`` bars of ``code`` (oldest first), or their ``field`` values.

        :param period: the bars' period; None: the only (or the first) period held for the code.
        :raises ValueError: ``n`` < 1 or an unknown field name.
        """
        if n < 1:
            raise ValueError(f"history: n={n} must be at least 1")
        if field is not None and field not in BAR_FIELDS:
            raise ValueError(f"history: field {field!r} is not one of {', '.join(BAR_FIELDS)}")
        if n > self.depth:
            self._deepen(n)
        kept = self._bars.get((code, period)) if period else next(
            (bars for (c, _), bars in self._bars.items() if c == code), None)
        if not kept:
            return []
        bars = list(kept)[-n:]
        return bars if field is None else [getattr(bar, field) for bar in bars]

    def _deepen(self, depth: int) -> None:
        self.depth = depth
        for key, kept in self._bars.items():
            self._bars[key] = deque(kept, maxlen=depth)


def bars_by_time(bars: list[Bar]) -> list[list[Bar]]:
    """A batch of bars split by time (one list per moment, in time order), each ordered by code."""
    if not bars:
        return []
    first = bars[0].time
    if all(bar.time == first for bar in bars):
        return [sorted(bars, key=lambda bar: bar.code)] if len(bars) > 1 else [list(bars)]
    groups: dict = {}
    for bar in bars:
        groups.setdefault(bar.time, []).append(bar)
    return [sorted(groups[t], key=lambda bar: bar.code) for t in sorted(groups)]
