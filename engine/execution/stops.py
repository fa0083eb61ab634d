"""Protective orders: stop-loss, take-profit and trailing stops attached to a position.

A :class:`ProtectiveOrder` watches one code's price on the engine thread (the
built-in ``execution`` plugin calls :meth:`ProtectiveOrder.on_price` on every tick
and every bar of the code; on a bar the close is the price). When a level is hit
it sells the protected volume through the strategy's ``ctx.sell`` (risk, journal,
broker as any order), a limit order ``slack`` below the price and never below
today's limit-down. It respects T+1: shares bought today are sold when they become
sellable, and the wait is logged and recorded as an ``alerts`` row
(``protective_order``). One order at a time: the next sell goes only after the
previous one is final.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..instruments import price_tick
from ..models.money import round_to_tick, to_decimal
from .inputs import quote_from_detail
from .lots import sell_volume

if TYPE_CHECKING:
    from ..context import StrategyContext
    from ..models import Order

__all__ = ["ProtectiveOrder", "StopError", "StopLevels"]

ARMED, TRIGGERED, DONE, CANCELLED = "armed", "triggered", "done", "cancelled"
_ids = itertools.count(1)


class StopError(ValueError):
    """Protective-order levels the engine cannot use; the message names the code and the field."""


@dataclass(frozen=True)
class StopLevels:
    """Trigger levels; each None is off. ``trail_amount`` (CNY) or ``trail_pct`` (fraction) below the peak."""

    stop_loss: Decimal | None = None
    take_profit: Decimal | None = None
    trail_amount: Decimal | None = None
    trail_pct: Decimal | None = None

    @classmethod
    def build(cls, code: str, reference: Decimal, *, stop_loss=None, take_profit=None, stop_loss_pct=None,
              take_profit_pct=None, trail=None, trail_pct=None) -> StopLevels:
        """Levels from prices or from fractions of ``reference`` (the cost price); raises :class:`StopError`."""
        def dec(name, value, *, fraction=False):
            if value is None:
                return None
            d = to_decimal(value)
            if not d.is_finite() or d <= 0 or (fraction and d >= 1):
                bound = "in (0, 1)" if fraction else "> 0"
                raise StopError(f"attach_stop({code}): {name}={value!r} must be {bound}")
            return d

        sl, tp = dec("stop_loss", stop_loss), dec("take_profit", take_profit)
        sl_pct, tp_pct = dec("stop_loss_pct", stop_loss_pct, fraction=True), dec("take_profit_pct", take_profit_pct)
        if sl is not None and sl_pct is not None or tp is not None and tp_pct is not None:
            raise StopError(f"attach_stop({code}): give a price or a percent for each level, not both")
        if (sl_pct or tp_pct) and reference <= 0:
            raise StopError(f"attach_stop({code}): percent levels need a cost price (the position has none)")
        tick = price_tick(code)
        sl, tp = (None if v is None else round_to_tick(v, tick) for v in (sl, tp))
        if sl_pct is not None:
            sl = round_to_tick(reference * (1 - sl_pct), tick)
        if tp_pct is not None:
            tp = round_to_tick(reference * (1 + tp_pct), tick)
        amount = dec("trail", trail)
        levels = cls(sl, tp, None if amount is None else round_to_tick(amount, tick),
                     dec("trail_pct", trail_pct, fraction=True))
        if not any((levels.stop_loss, levels.take_profit, levels.trail_amount, levels.trail_pct)):
            raise StopError(f"attach_stop({code}): give at least one of stop_loss, take_profit, trail, trail_pct "
                            "(or their _pct forms)")
        if levels.trail_amount is not None and levels.trail_pct is not None:
            raise StopError(f"attach_stop({code}): give trail (CNY) or trail_pct, not both")
        return levels


class ProtectiveOrder:
    """One protective order on ``code`` for ``volume`` shares (None: the whole position when it triggers).

    :ivar status: ``armed``, ``triggered`` (selling), ``done`` or ``cancelled``.
    :ivar reason: what triggered it (``stop-loss 9.50 hit at 9.48``...).
    :ivar peak: the highest price seen since it was attached (trailing stops trail it).
    :ivar orders: the sells sent.
    """

    def __init__(self, ctx: StrategyContext, code: str, levels: StopLevels, *, volume: int | None,
                 slack: Decimal, price: Decimal | None) -> None:
        self.id = f"stop-{ctx.now:%m%d%H%M%S}-{next(_ids)}"
        self.ctx, self.code, self.levels, self.volume, self.slack = ctx, code, levels, volume, slack
        self.status = ARMED
        self.reason = ""
        self.peak = price
        self.orders: list[Order] = []
        self._sold_before = 0  # sold by sells of an earlier run (restored)
        self._said: set[str] = set()

    @property
    def active(self) -> bool:
        return self.status in (ARMED, TRIGGERED)

    @property
    def trail_stop(self) -> Decimal | None:
        """The trailing stop's level now (peak minus the trail), or None."""
        if self.peak is None:
            return None
        if self.levels.trail_amount is not None:
            return self.peak - self.levels.trail_amount
        if self.levels.trail_pct is not None:
            return round_to_tick(self.peak * (1 - self.levels.trail_pct), price_tick(self.code))
        return None

    def cancel(self) -> None:
        """Stop watching (an open sell it sent stays; cancel it with ``ctx.cancel``)."""
        if self.active:
            self.status = CANCELLED

    def on_price(self, price: float | Decimal) -> None:
        """A new price of the code: trail the peak, check the levels, and sell while triggered."""
        if not self.active:
            return
        p = to_decimal(price)
        if self.status == ARMED:
            self.reason = self._hit(p)
            if not self.reason:
                self.peak = p if self.peak is None else max(self.peak, p)
                return
            self.status = TRIGGERED
            self.ctx.log.info("{} on {} triggered: {}", self.id, self.code, self.reason)
        self._sell(p)

    def _hit(self, p: Decimal) -> str:
        lv = self.levels
        if lv.stop_loss is not None and p <= lv.stop_loss:
            return f"stop-loss {lv.stop_loss} hit at {p}"
        if lv.take_profit is not None and p >= lv.take_profit:
            return f"take-profit {lv.take_profit} hit at {p}"
        trail = self.trail_stop
        if trail is not None and p <= trail:
            return f"trailing stop {trail} (peak {self.peak}) hit at {p}"
        return ""

    def _sell(self, p: Decimal) -> None:
        live = [o for o in self.orders if o.is_open]
        if live:
            return  # one sell at a time
        position = self.ctx.position(self.code)
        wanted = position.volume if self.volume is None else min(self.volume - self.sold_volume(), position.volume)
        if wanted <= 0:
            self.status = DONE
            self.ctx.log.info("{} on {} done: {} sold", self.id, self.code, self.sold_volume())
            return
        quote = quote_from_detail(self.code, p, self.ctx.instrument(self.code))
        if quote.at_limit_down:
            self._say("limit_down", f"{self.id} on {self.code}: at its limit-down {quote.limit_down}, waiting to sell")
            return
        volume = sell_volume(self.code, wanted, position.can_use_volume)
        if volume < wanted:
            waiting = wanted - volume
            self._say(f"t1-{position.can_use_volume}",
                      f"{self.id} on {self.code} ({self.reason}): {waiting} of {wanted} shares are not sellable "
                      f"today (T+1); they are sold when they become sellable")
        if volume <= 0:
            return
        limit = p * (1 - self.slack)
        if quote.limit_down is not None:
            limit = max(limit, quote.limit_down)
        tick = price_tick(self.code)
        sent = self.ctx.sell(self.code, volume, max(round_to_tick(limit, tick), tick), note=f"{self.id}: {self.reason}")
        if sent is not None:
            self.orders.append(sent)

    def sold_volume(self) -> int:
        """Shares sold so far by this protective order's sells."""
        return self._sold_before + sum((self.ctx.get_order(o.client_order_id) or o).traded_volume
                                       for o in self.orders)

    # -- surviving a restart ---------------------------------------------------------------

    def to_state(self) -> dict:
        """A JSON-able record of this protective order (kept in the strategy's ``ctx.state``)."""
        lv = self.levels
        text = (lambda v: None if v is None else str(v))
        return {"id": self.id, "code": self.code, "status": self.status, "reason": self.reason,
                "stop_loss": text(lv.stop_loss), "take_profit": text(lv.take_profit),
                "trail_amount": text(lv.trail_amount), "trail_pct": text(lv.trail_pct),
                "volume": self.volume, "slack": str(self.slack), "peak": text(self.peak),
                "sold": self.sold_volume(), "orders": [o.client_order_id for o in self.orders if o.is_open]}

    @classmethod
    def from_state(cls, ctx: StrategyContext, state: dict) -> ProtectiveOrder:
        """Rebuild a protective order saved by :meth:`to_state` (its open sell re-found by client id)."""
        dec = (lambda v: None if v is None else Decimal(v))
        levels = StopLevels(dec(state["stop_loss"]), dec(state["take_profit"]), dec(state["trail_amount"]),
                            dec(state["trail_pct"]))
        stop = cls(ctx, state["code"], levels, volume=state["volume"], slack=Decimal(state["slack"]),
                   price=dec(state["peak"]))
        stop.id, stop.status, stop.reason = state["id"], state["status"], state["reason"]
        stop.orders = [o for o in (ctx.get_order(cid) for cid in state["orders"]) if o is not None]
        stop._sold_before = int(state["sold"]) - sum(o.traded_volume for o in stop.orders)
        return stop

    def _say(self, key: str, detail: str) -> None:
        """Log and record a wait once per cause."""
        if key in self._said:
            return
        self._said.add(key)
        self.ctx.log.info(detail)
        self.ctx.emit_alert("protective_order", detail)

    def __repr__(self) -> str:
        return f"ProtectiveOrder({self.id}, {self.code}, {self.status}, sold={self.sold_volume()})"


