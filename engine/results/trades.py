"""Round-trip trades from fills: each time a strategy's holding in a code goes from flat to flat.

A round trip opens with the buy that takes a (strategy, code) holding above zero
and closes with the sell that brings it back to zero; buys and sells in between
belong to it (scaling in and out). Its figures:

* ``entry`` / ``exit``: the first buy's and the closing sell's times; ``entry_price`` /
  ``exit_price`` the volume-weighted prices of its buys and sells;
* ``holding_days``: trading days from the entry day to the exit day (a buy on
  Monday sold on Tuesday held 1 day), counted on the run's trading days;
* ``pnl = sold - bought - fees`` (every fee of its fills); ``return = pnl / bought``.

A trip still open at the end is valued at the last mark's prices (``open = True``)
and left out of win rate, profit factor and the average win and loss. Sells
beyond the holding (a position older than the data) are counted in
``unmatched_sell_volume`` and open no trip.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Mapping

__all__ = ["RoundTrip", "round_trips", "trade_figures"]

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class RoundTrip:
    strategy: str
    code: str
    entry: dt.datetime
    exit: dt.datetime | None = None
    volume: int = 0  # shares bought in the trip
    held: int = 0
    bought: Decimal = ZERO
    sold: Decimal = ZERO
    fees: Decimal = ZERO
    sold_volume: int = 0
    holding_days: int = 0
    open: bool = True
    pnl: Decimal = ZERO
    fills: int = 0

    @property
    def entry_price(self) -> Decimal | None:
        return (self.bought / self.volume).quantize(Decimal("0.0001")) if self.volume else None

    @property
    def exit_price(self) -> Decimal | None:
        return (self.sold / self.sold_volume).quantize(Decimal("0.0001")) if self.sold_volume else None

    @property
    def ret(self) -> float | None:
        return float(self.pnl / self.bought) if self.bought else None

    def as_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "code": self.code, "entry": self.entry.isoformat(),
                "exit": self.exit.isoformat() if self.exit else None, "volume": self.volume,
                "entry_price": _text(self.entry_price), "exit_price": _text(self.exit_price),
                "bought": _text(self.bought.quantize(CENT)), "sold": _text(self.sold.quantize(CENT)),
                "fees": _text(self.fees.quantize(CENT)), "pnl": _text(self.pnl.quantize(CENT)),
                "return": self.ret, "holding_days": self.holding_days, "open": self.open, "fills": self.fills}


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class _Result:
    trips: list[RoundTrip] = field(default_factory=list)
    unmatched_sell_volume: int = 0


def _day_count(days: list[dt.date], start: dt.date, end: dt.date) -> int:
    if start in days and end in days:
        return bisect.bisect_left(days, end) - bisect.bisect_left(days, start)
    return (end - start).days


def round_trips(fills: Iterable, days: list[dt.date], last_prices: Mapping[str, Decimal | None]) -> _Result:
    """The round trips of ``fills`` (time order; objects with ts, strategy, code, side, volume, amount,
    commission); ``days`` the run's trading days (sorted), ``last_prices`` to value open trips."""
    result = _Result()
    open_trips: dict[tuple[str, str], RoundTrip] = {}
    for fill in fills:
        key = (fill.strategy, fill.code)
        trip = open_trips.get(key)
        if fill.side == "sell":
            if trip is None:
                result.unmatched_sell_volume += fill.volume
                continue
            volume = min(fill.volume, trip.held)
            result.unmatched_sell_volume += fill.volume - volume
            share = Decimal(volume) / Decimal(fill.volume) if fill.volume else ZERO
            trip.sold += fill.amount * share
            trip.fees += fill.commission * share
            trip.sold_volume += volume
            trip.held -= volume
            trip.fills += 1
            if trip.held == 0:
                trip.exit, trip.open = fill.ts, False
                trip.pnl = trip.sold - trip.bought - trip.fees
                trip.holding_days = _day_count(days, trip.entry.date(), fill.ts.date())
                result.trips.append(trip)
                del open_trips[key]
            continue
        if trip is None:
            trip = open_trips[key] = RoundTrip(fill.strategy, fill.code, fill.ts)
        trip.volume += fill.volume
        trip.held += fill.volume
        trip.bought += fill.amount
        trip.fees += fill.commission
        trip.fills += 1
    end = days[-1] if days else None
    for trip in open_trips.values():
        price = last_prices.get(trip.code) or ZERO
        trip.pnl = trip.sold + price * trip.held - trip.bought - trip.fees
        trip.holding_days = _day_count(days, trip.entry.date(), end) if end else 0
        result.trips.append(trip)
    result.trips.sort(key=lambda t: (t.entry, t.strategy, t.code))
    return result


def trade_figures(trips: list[RoundTrip]) -> dict[str, Any]:
    """Win rate, profit factor, average win and loss, average holding days over closed trips."""
    closed = [t for t in trips if not t.open]
    wins = [t.pnl for t in closed if t.pnl > 0]
    losses = [t.pnl for t in closed if t.pnl < 0]
    gross_win, gross_loss = sum(wins, ZERO), -sum(losses, ZERO)
    return {
        "round_trips": len(closed), "open_trips": len(trips) - len(closed),
        "win_rate": len(wins) / len(closed) if closed else None,
        "profit_factor": float(gross_win / gross_loss) if gross_loss else None,
        "average_win": str((gross_win / len(wins)).quantize(CENT)) if wins else None,
        "average_loss": str((-gross_loss / len(losses)).quantize(CENT)) if losses else None,
        "average_holding_days": sum(t.holding_days for t in closed) / len(closed) if closed else None,
        "closed_trip_pnl": str(sum((t.pnl for t in closed), ZERO).quantize(CENT)),
    }
