"""The built-in execution algorithms on the public :class:`~engine.execution.algorithm.ExecAlgorithm` interface.

* :class:`Chase` (追单): a limit order at a price rule; when it has not filled after
  ``wait_seconds`` it is cancelled and, once the broker confirmed the cancel, the rest
  is reposted at the rule's new price, up to ``max_reposts`` times (the last child then
  works until it fills or the day ends).
* :class:`TWAP`: the volume in ``slices`` equal parts (whole lots) at even times from
  ``start`` to ``end``; a slice time with the previous child still open replaces that
  child by one for everything due so far (after its cancel is confirmed).
* :class:`VWAP`: TWAP's schedule with each slice sized by a volume profile: given, or
  built from the 1-minute bars the engine holds for the code (the same time-of-day
  windows on earlier days); with no such bars, even slices (logged).
* :class:`Iceberg`: a large order at one limit price shown ``display`` shares at a time;
  each child is sent once the one before it filled.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from typing import Sequence

from ..models.enums import Side
from .algorithm import AlgorithmError, ExecAlgorithm, as_limit, check_rule, price_by_rule
from .lots import buy_volume

__all__ = ["BUILTIN_ALGORITHMS", "TWAP", "VWAP", "Chase", "Iceberg", "volume_profile"]


class Chase(ExecAlgorithm):
    """Cancel-and-repost a limit order until filled.

    :param price: the price rule, ``bid``, ``ask``, ``last`` or ``mid`` of the last tick.
    :param offset_ticks: ticks more aggressive than the rule's price (up for buys).
    :param wait_seconds: engine-clock seconds a child may rest unfilled before it is replaced.
    :param max_reposts: how many times at most a child is replaced.
    :param limit: the worst price a child may have (a cap for buys, a floor for sells).
    """

    kind = "chase"

    def __init__(self, code: str, side: Side | str, volume: int, *, price: str = "bid", offset_ticks: int = 0,
                 wait_seconds: float = 10, max_reposts: int = 5, limit: float | Decimal | None = None) -> None:
        super().__init__(code, side, volume)
        check_rule(self.kind, code, price)
        if wait_seconds <= 0 or not isinstance(max_reposts, int) or max_reposts < 0:
            raise AlgorithmError(f"chase {code}: wait_seconds must be > 0 and max_reposts an int >= 0")
        self.rule, self.offset_ticks, self.limit = price, offset_ticks, as_limit(limit)
        self.wait = dt.timedelta(seconds=wait_seconds)
        self.max_reposts = max_reposts
        self.reposts = 0
        self._child_since: dt.datetime | None = None

    def _price(self) -> Decimal | None:
        return price_by_rule(self.ctx, self.code, self.side, self.rule, self.offset_ticks, self.limit)

    def on_start(self, now: dt.datetime) -> None:
        self._child_since = now
        self.send_child(self.volume, self._price())

    def on_time(self, now: dt.datetime) -> None:
        if self._child_since is None or now - self._child_since < self.wait or self.reposts >= self.max_reposts:
            return
        if not self.live_children:
            return
        self.reposts += 1
        self._child_since = None  # set again when the replacement goes out
        self.ctx.log.info("{}: child {} unfilled after {}s; repost {} of {}", self.parent_id, len(self.children),
                          self.wait.total_seconds(), self.reposts, self.max_reposts)
        self.replace_child(self._price())

    def send_child(self, volume, price):
        child = super().send_child(volume, price)
        if child is not None:
            self._child_since = self.ctx.now
        return child

    def params_state(self) -> dict:
        return {"price": self.rule, "offset_ticks": self.offset_ticks, "limit": None if self.limit is None else
                str(self.limit), "wait_seconds": self.wait.total_seconds(), "max_reposts": self.max_reposts,
                "reposts": self.reposts}

    def restore_params(self, state: dict) -> None:
        self.reposts = int(state["reposts"])
        self._child_since = self.ctx.now if self.live_children else None  # the wait starts again

    @classmethod
    def from_state(cls, state: dict) -> Chase:
        p = state["params"]
        return cls(state["code"], state["side"], state["volume"], price=p["price"], offset_ticks=p["offset_ticks"],
                   wait_seconds=p["wait_seconds"], max_reposts=p["max_reposts"], limit=p["limit"])

    def on_child_final(self, child) -> None:
        # cancelled or expired by someone else: the parent ends with what it has
        self._end("cancelled", f"child {child.client_order_id} ended {child.status.label}; "
                               f"filled {self.filled} of {self.volume}")


class TWAP(ExecAlgorithm):
    """Time-weighted slices from ``start`` to ``end`` (engine clock), each a limit order at the price rule."""

    kind = "twap"

    def __init__(self, code: str, side: Side | str, volume: int, *, start: dt.datetime, end: dt.datetime,
                 slices: int = 10, price: str = "bid", offset_ticks: int = 0,
                 limit: float | Decimal | None = None) -> None:
        super().__init__(code, side, volume)
        check_rule(self.kind, code, price)
        if end <= start or not isinstance(slices, int) or slices < 1:
            raise AlgorithmError(f"twap {code}: needs start < end and slices an int >= 1")
        self.rule, self.offset_ticks, self.limit = price, offset_ticks, as_limit(limit)
        self.start_at, self.end_at, self.slices = start, end, slices
        self.schedule = self._schedule([1.0] * slices)
        self.next_slice = 0
        self._args = {"start": start.isoformat(), "end": end.isoformat(), "slices": slices, "price": price,
                      "offset_ticks": offset_ticks, "limit": None if limit is None else str(limit)}

    def params_state(self) -> dict:
        return {**self._args, "next_slice": self.next_slice}

    def restore_params(self, state: dict) -> None:
        self.next_slice = int(state["next_slice"])

    @classmethod
    def from_state(cls, state: dict) -> TWAP:
        p = state["params"]
        return cls(state["code"], state["side"], state["volume"], start=dt.datetime.fromisoformat(p["start"]),
                   end=dt.datetime.fromisoformat(p["end"]), slices=p["slices"], price=p["price"],
                   offset_ticks=p["offset_ticks"], limit=p["limit"])

    def _schedule(self, weights: Sequence[float]) -> list[tuple[dt.datetime, int]]:
        """(time, shares due by then) per slice: cumulative ``weights`` of the volume, in whole lots."""
        step = (self.end_at - self.start_at) / self.slices
        total, running, schedule = float(sum(weights)), 0.0, []
        for i, weight in enumerate(weights):
            running += weight
            schedule.append((self.start_at + step * i, self._due(running / total, last=i == len(weights) - 1)))
        return schedule

    def _due(self, fraction: float, *, last: bool) -> int:
        """Shares due once ``fraction`` of the volume is (whole lots; all of it after the last slice)."""
        if last:
            return self.volume
        exact = int(self.volume * fraction + 1e-9)
        return buy_volume(self.code, exact) if self.side is Side.BUY else exact // 100 * 100

    def on_start(self, now: dt.datetime) -> None:
        self.on_time(now)

    def on_time(self, now: dt.datetime) -> None:
        due = None
        while self.next_slice < len(self.schedule) and self.schedule[self.next_slice][0] <= now:
            due = self.schedule[self.next_slice][1]
            self.next_slice += 1
        if due is None:
            return
        price = price_by_rule(self.ctx, self.code, self.side, self.rule, self.offset_ticks, self.limit)
        # everything due so far: the live child (if any) is replaced by one for the shortfall
        self.replace_child(price, upto=due)

    def on_child_final(self, child) -> None:
        """A slice ended (filled or expired): the next slice time sends what is due."""


def volume_profile(bars, start: dt.datetime, end: dt.datetime, slices: int) -> list[float] | None:
    """Average traded volume per slice window of ``start``..``end``, by time of day, over ``bars`` of earlier
    days (1-minute bars: a bar stamped at its end counts in the window it closes); None when no bar falls in
    any window."""
    step = (end - start) / slices
    first, span = _seconds(start.time()), step.total_seconds()
    sums, days = [0.0] * slices, set()
    for bar in bars:
        if bar.time.date() >= start.date():
            continue  # today's bars are what the schedule is for, not its profile
        offset = _seconds(bar.time.time()) - first - 1e-9
        if 0 <= offset < span * slices:
            sums[int(offset // span)] += float(bar.volume)
            days.add(bar.time.date())
    if not days or not any(sums):
        return None
    return [total / len(days) for total in sums]


def _seconds(moment: dt.time) -> float:
    return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6


class VWAP(TWAP):
    """Volume-weighted slices from ``start`` to ``end``: TWAP's schedule, each slice sized by ``profile``.

    :param profile: ``slices`` relative volumes (e.g. average volume per window from your own data), or None:
        built at the start from the 1-minute bars the engine holds for ``code`` (``ctx.history``; up to
        ``lookback_bars`` of them), earlier days only; even slices when there are none (logged).
    """

    kind = "vwap"

    def __init__(self, code: str, side: Side | str, volume: int, *, start: dt.datetime, end: dt.datetime,
                 slices: int = 10, profile: Sequence[float] | None = None, lookback_bars: int = 1200,
                 price: str = "bid", offset_ticks: int = 0, limit: float | Decimal | None = None) -> None:
        super().__init__(code, side, volume, start=start, end=end, slices=slices, price=price,
                         offset_ticks=offset_ticks, limit=limit)
        if profile is not None:
            profile = [float(w) for w in profile]
            if len(profile) != slices or any(w < 0 for w in profile) or not any(profile):
                raise AlgorithmError(f"vwap {code}: profile needs {slices} non-negative weights, not all zero; "
                                     f"got {profile!r}")
        self.profile, self.lookback_bars = profile, lookback_bars
        self._args["lookback_bars"] = lookback_bars
        if profile is not None:
            self.schedule = self._schedule(profile)

    def on_start(self, now: dt.datetime) -> None:
        if self.profile is None:
            bars = self.ctx.history(self.code, self.lookback_bars, period="1m")
            self.profile = volume_profile(bars, self.start_at, self.end_at, self.slices)
            if self.profile is None:
                self.ctx.log.warning("{}: no 1-minute bars of earlier days for {} in {}-{}; even slices",
                                     self.parent_id, self.code, self.start_at.time(), self.end_at.time())
            else:
                self.schedule = self._schedule(self.profile)
        super().on_start(now)

    def params_state(self) -> dict:
        return {**super().params_state(), "profile": self.profile}

    @classmethod
    def from_state(cls, state: dict) -> VWAP:
        p = state["params"]
        return cls(state["code"], state["side"], state["volume"], start=dt.datetime.fromisoformat(p["start"]),
                   end=dt.datetime.fromisoformat(p["end"]), slices=p["slices"], profile=p.get("profile"),
                   lookback_bars=p.get("lookback_bars", 1200), price=p["price"], offset_ticks=p["offset_ticks"],
                   limit=p["limit"])


class Iceberg(ExecAlgorithm):
    """``volume`` shares at one limit ``price``, shown ``display`` shares (whole lots) at a time.

    Each child is sent when the one before it filled; a child cancelled or expired by someone else ends the
    parent with what it has. The last child carries the remainder.
    """

    kind = "iceberg"

    def __init__(self, code: str, side: Side | str, volume: int, *, price: float | Decimal, display: int) -> None:
        super().__init__(code, side, volume)
        self.price = as_limit(price)
        if self.price is None or self.price <= 0:
            raise AlgorithmError(f"iceberg {code}: price must be a positive limit price, got {price!r}")
        shown = buy_volume(code, display) if Side(side) is Side.BUY else int(display) // 100 * 100
        if not isinstance(display, int) or shown <= 0 or display > volume:
            raise AlgorithmError(f"iceberg {code}: display={display!r} must be whole lots, at most the volume {volume}")
        self.display = shown

    def _next(self) -> None:
        left = self.volume - self.filled
        # the last child takes the remainder when less than half a display would be left after this one
        self.send_child(left if left - self.display < self.display // 2 else self.display, self.price)

    def on_start(self, now: dt.datetime) -> None:
        self._next()

    def on_child_final(self, child) -> None:
        if child.traded_volume >= child.volume:
            self._next()
            return
        self._end("cancelled", f"child {child.client_order_id} ended {child.status.label}; "
                               f"filled {self.filled} of {self.volume}")

    def params_state(self) -> dict:
        return {"price": str(self.price), "display": self.display}

    def restore_params(self, state: dict) -> None:
        """Nothing beyond the children: the next one follows the live one's fill."""

    @classmethod
    def from_state(cls, state: dict) -> Iceberg:
        p = state["params"]
        return cls(state["code"], state["side"], state["volume"], price=Decimal(p["price"]), display=p["display"])


#: Algorithms :meth:`ExecutionService.resume` can rebuild, by ``kind``.
BUILTIN_ALGORITHMS: dict[str, type] = {"chase": Chase, "twap": TWAP, "vwap": VWAP, "iceberg": Iceberg}
