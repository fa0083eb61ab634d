"""The latest quote of one instrument, and the liquidity the simulator's orders have used.

A :class:`Book` is built from an xtdata tick dict (volumes in lots, converted
to shares here). Our own fills consume displayed volume and traded volume of
that tick, so two orders cannot both take the same 500 shares at ask1; a new
tick resets what is available.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..clock import epoch_ms_to_local, local_to_epoch_ms
from ..models.money import to_decimal
from .errors import SimDataError

__all__ = ["Book", "book_from_tick", "tick_time"]


def tick_time(ms: object, where: str) -> dt.datetime:
    """xtdata ``time`` (ms since the epoch) as naive Asia/Shanghai time."""
    if isinstance(ms, dt.datetime):
        return ms
    if not isinstance(ms, (int, float)) or ms <= 0:
        raise SimDataError(f"{where}: time={ms!r} must be milliseconds since the epoch")
    return epoch_ms_to_local(int(ms))


def ms_from_local(when: dt.datetime) -> int:
    """Naive Asia/Shanghai time -> xtdata ``time`` (ms since the epoch)."""
    return local_to_epoch_ms(when)


def _levels(prices: object, vols: object, lot: int, where: str) -> list[tuple[Decimal, int]]:
    prices = list(prices or [])
    vols = list(vols or [])
    if len(vols) < len(prices):
        raise SimDataError(f"{where}: {len(prices)} prices but only {len(vols)} volumes")
    out: list[tuple[Decimal, int]] = []
    for p, v in zip(prices, vols):
        if not p or not v or p <= 0 or v <= 0:
            continue
        out.append((to_decimal(float(p)), int(v) * lot))
    return out


@dataclass
class Book:
    """Best-first ask/bid levels in shares, last price, and per-tick consumption."""

    code: str
    time: dt.datetime
    last: Decimal | None
    prev_close: Decimal | None
    asks: list[tuple[Decimal, int]] = field(default_factory=list)
    bids: list[tuple[Decimal, int]] = field(default_factory=list)
    volume: int = 0           # cumulative shares traded today
    traded_delta: int = 0     # shares traded since the previous tick
    used_levels: dict[tuple[str, Decimal], int] = field(default_factory=dict)
    used_traded: int = 0
    is_bar: bool = False
    bar: dict | None = None

    def side_levels(self, opposite_of_buy: bool) -> list[tuple[Decimal, int]]:
        """Levels a buy takes (asks) when True, a sell takes (bids) when False."""
        return self.asks if opposite_of_buy else self.bids

    def available(self, side: str, price: Decimal, shown: int) -> int:
        return max(0, shown - self.used_levels.get((side, price), 0))

    def take(self, side: str, price: Decimal, qty: int) -> None:
        key = (side, price)
        self.used_levels[key] = self.used_levels.get(key, 0) + qty

    def traded_available(self, participation: Decimal) -> int:
        cap = int(Decimal(self.traded_delta) * participation)
        return max(0, cap - self.used_traded)

    def best(self, asks: bool) -> Decimal | None:
        levels = self.asks if asks else self.bids
        return levels[0][0] if levels else None


def book_from_tick(code: str, tick: dict, lot: int, previous: Book | None) -> Book:
    """Build a :class:`Book` from an xtdata tick dict; ``previous`` gives the traded delta."""
    where = f"tick {code}"
    if not isinstance(tick, dict):
        raise SimDataError(f"{where}: expected a dict, got {type(tick).__name__}")
    when = tick_time(tick.get("time"), where)
    last = tick.get("lastPrice")
    pvol = tick.get("pvolume")
    cum = int(pvol) if pvol not in (None, 0) else int(tick.get("volume") or 0) * lot
    prev_cum = previous.volume if previous is not None and previous.time.date() == when.date() else 0
    return Book(
        code=code, time=when,
        last=to_decimal(float(last)) if last else None,
        prev_close=to_decimal(float(tick["lastClose"])) if tick.get("lastClose") else None,
        asks=_levels(tick.get("askPrice"), tick.get("askVol"), lot, where + " ask"),
        bids=_levels(tick.get("bidPrice"), tick.get("bidVol"), lot, where + " bid"),
        volume=cum, traded_delta=max(0, cum - prev_cum),
    )


def book_from_bar(code: str, bar: dict, lot: int) -> Book:
    """A bar as a book without levels: fills use the bar prices (see SimCounter.publish_bars)."""
    where = f"bar {code}"
    if not isinstance(bar, dict):
        raise SimDataError(f"{where}: expected a dict, got {type(bar).__name__}")
    for key in ("open", "high", "low", "close"):
        v = bar.get(key)
        if not isinstance(v, (int, float)) or v <= 0:
            raise SimDataError(f"{where}: {key}={v!r} must be a positive number")
    when = tick_time(bar.get("time"), where)
    pvol = bar.get("pvolume")
    vol = int(pvol) if pvol else int(bar.get("volume") or 0) * lot
    pre = bar.get("preClose")
    return Book(code=code, time=when, last=to_decimal(float(bar["close"])),
                prev_close=to_decimal(float(pre)) if pre else None, volume=vol,
                traded_delta=vol, is_bar=True, bar=bar)


def book_from_replay_bar(bar, pre_close: float | None) -> Book:
    """An engine :class:`~engine.models.Bar` from a backtest's reader (already validated there)
    as the same book :func:`book_from_bar` makes of its xtdata record."""
    return Book(code=bar.code, time=bar.time, last=to_decimal(float(bar.close)),
                prev_close=to_decimal(float(pre_close)) if pre_close else None, volume=bar.volume,
                traded_delta=bar.volume, is_bar=True,
                bar={"open": bar.open, "high": bar.high, "low": bar.low, "close": bar.close})
