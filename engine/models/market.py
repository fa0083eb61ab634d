"""Market data as the engine hands it to strategies: volumes in shares, prices as float."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Tick:
    """One snapshot of one instrument (MiniQMT pushes one about every 3 s).

    ``time`` is exchange-local (Asia/Shanghai) naive time. ``volume`` and
    ``amount`` are cumulative for the day; ``volume`` and the book volumes are in
    shares (the SDK's lots are normalised by the gateway). Book levels are best
    first; empty levels are omitted, so ``ask_prices`` may be shorter than five.
    """

    code: str
    time: dt.datetime
    last_price: float
    open: float = 0.0
    high: float = 0.0
    low: float = 0.0
    pre_close: float = 0.0
    volume: int = 0
    amount: float = 0.0
    bid_prices: tuple[float, ...] = ()
    bid_volumes: tuple[int, ...] = ()
    ask_prices: tuple[float, ...] = ()
    ask_volumes: tuple[int, ...] = ()

    @property
    def bid1(self) -> float | None:
        return self.bid_prices[0] if self.bid_prices else None

    @property
    def ask1(self) -> float | None:
        return self.ask_prices[0] if self.ask_prices else None


@dataclass(frozen=True, slots=True)
class Bar:
    """One OHLCV bar; ``time`` is the bar's END time (exchange-local), volume in shares."""

    code: str
    time: dt.datetime
    open: float
    high: float
    low: float
    close: float
    volume: int = 0
    amount: float = 0.0
    pre_close: float = 0.0
    period: str = field(default="1m")
