"""The built-in execution algorithms on the public :class:`~engine.execution.algorithm.ExecAlgorithm` interface.

* :class:`Chase` (追单): a limit order at a price rule; when it has not filled after
  ``wait_seconds`` it is cancelled and, once the broker confirmed the cancel, the rest
  is reposted at the rule's new price, up to ``max_reposts`` times (the last child then
  works until it fills or the day ends).
* :class:`TWAP`: the volume in ``slices`` equal parts (whole lots) at even times from
  ``start`` to ``end``; a slice time with the previous child still open replaces that
  child by one for everything due so far (after its cancel is confirmed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..models.enums import Side
from .algorithm import AlgorithmError, ExecAlgorithm, as_limit, check_rule, price_by_rule
from .lots import buy_volume

__all__ = ["BUILTIN_ALGORITHMS", "TWAP", "Chase"]


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
        step = (end - start) / slices
        self.schedule = [(start + step * i, self._due(i + 1, slices)) for i in range(slices)]
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

    def _due(self, k: int, n: int) -> int:
        """Shares due after slice ``k`` of ``n`` (whole lots; all of it after the last)."""
        if k == n:
            return self.volume
        exact = self.volume * k // n
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


#: Algorithms :meth:`ExecutionService.resume` can rebuild, by ``kind``.
BUILTIN_ALGORITHMS: dict[str, type] = {"chase": Chase, "twap": TWAP}
