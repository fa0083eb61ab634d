"""The public interface of execution algorithms: a parent order worked as child orders, one live at a time.

Subclass :class:`ExecAlgorithm` and implement :meth:`ExecAlgorithm.on_start`,
:meth:`ExecAlgorithm.on_time` and :meth:`ExecAlgorithm.on_child_final`; start it
with ``ctx.execute(algo)``. The built-in ``execution`` plugin calls it on the
engine thread: every order update and fill of its children, every tick of its code
and every heartbeat. The base class keeps the rules every algorithm must follow:

* each child goes through ``ctx.order`` (``check_order``, the journal, the broker),
  with ``parent=<parent id>`` in its note (journaled with the order);
* **never two live children**: :meth:`send_child` refuses while a child is open,
  and :meth:`replace_child` asks the broker to cancel and sends the new child only
  when the broker has confirmed the cancel (the child's final status);
* cancelling the parent (:meth:`cancel`) cancels its live child and sends no more.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import TYPE_CHECKING

from ..instruments import price_tick
from ..models.enums import OrderStatus, Side
from ..models.money import round_to_tick, to_decimal
from ..models.orders import child_note
from .inputs import quote_from_detail

if TYPE_CHECKING:
    from ..context import StrategyContext
    from ..models import Order

__all__ = ["PRICE_RULES", "AlgorithmError", "ExecAlgorithm", "as_limit", "check_rule", "price_by_rule"]

WORKING, DONE, CANCELLED, FAILED = "working", "done", "cancelled", "failed"
PRICE_RULES = ("bid", "ask", "last", "mid")
_ids = itertools.count(1)


class AlgorithmError(ValueError):
    """Bad algorithm parameters, or a rule broken (a second live child); the message names the parent."""


def price_by_rule(ctx: StrategyContext, code: str, side: Side, rule: str, offset_ticks: int = 0,
                  limit: Decimal | None = None) -> Decimal | None:
    """A child's limit price: the best ``bid`` / ``ask``, ``last`` or ``mid`` of the last tick, ``offset_ticks``
    more aggressive (up for buys, down for sells), within ``limit`` and today's limit prices; None without a price."""
    tick = ctx.last_tick(code)
    last = ctx.last_price(code)
    bid = (tick.bid1 or 0.0) if tick is not None else 0.0
    ask = (tick.ask1 or 0.0) if tick is not None else 0.0
    chosen = {"bid": bid, "ask": ask, "last": last, "mid": (bid + ask) / 2 if bid and ask else 0.0}[rule] or last
    if not chosen:
        return None
    step = price_tick(code)
    price = round_to_tick(chosen, step) + (step * offset_ticks if side is Side.BUY else -step * offset_ticks)
    if limit is not None:
        price = min(price, limit) if side is Side.BUY else max(price, limit)
    quote = quote_from_detail(code, price, ctx.instrument(code))
    if quote.limit_up is not None:
        price = min(price, quote.limit_up)
    if quote.limit_down is not None:
        price = max(price, quote.limit_down)
    return max(price, step)


class ExecAlgorithm:
    """A parent order of ``volume`` shares of ``code`` on ``side``, worked as child limit orders.

    :ivar parent_id: set by ``ctx.execute``; every child's note carries ``parent=<parent_id>``.
    :ivar status: ``working``, ``done`` (all filled), ``cancelled`` or ``failed`` (see ``reason``).
    :ivar children: the child orders sent, oldest first.
    """

    kind = "algo"

    def __init__(self, code: str, side: Side | str, volume: int) -> None:
        if not isinstance(volume, int) or volume <= 0:
            raise AlgorithmError(f"{self.kind} {code}: volume={volume!r} must be an int > 0")
        self.code, self.side, self.volume = code, Side(side), volume
        self.parent_id = ""
        self.status = WORKING
        self.reason = ""
        self.children: list[Order] = []
        self.ctx: StrategyContext | None = None
        self._replacement: tuple[int | None, Decimal] | None = None
        self._cancel_sent_for: str | None = None
        self._filled_before = 0  # filled by children an earlier run sent and the engine no longer keeps

    # -- what subclasses implement ------------------------------------------------------------

    def on_start(self, now: dt.datetime) -> None:
        """The parent starts (send the first child here)."""

    def on_time(self, now: dt.datetime) -> None:
        """The engine clock moved (a tick of the code, or a heartbeat)."""

    def on_child_final(self, child: Order) -> None:
        """A child reached a final status and was not being replaced (decide what comes next)."""

    # -- what the engine calls (through the execution service) ---------------------------------

    def start(self, ctx: StrategyContext) -> ExecAlgorithm:
        self.ctx = ctx
        self.parent_id = f"{self.kind}-{ctx.now:%H%M%S}-{next(_ids)}"
        ctx.log.info("{} started: {} {} {}", self.parent_id, self.side.value, self.volume, self.code)
        self.on_start(ctx.now)
        return self

    def child_changed(self, cid: str) -> None:
        """An order update or fill of one of the children."""
        child = self.ctx.get_order(cid) or next((c for c in self.children if c.client_order_id == cid), None)
        if child is None or child.is_open or child.fill_volume < child.traded_volume:
            return
        if self.filled >= self.volume:
            self._end(DONE, f"filled {self.filled} of {self.volume}")
            return
        if not self.active:
            return
        if self._replacement is not None and cid == self._cancel_sent_for:
            upto, price = self._replacement
            self._replacement = self._cancel_sent_for = None
            self.send_child(self._volume_upto(upto), price)
            return
        if child.status == OrderStatus.JUNK:
            self._end(FAILED, f"child {cid} was rejected: {child.status_msg}")
            return
        self.on_child_final(child)

    def cancel(self) -> None:
        """Cancel the parent: the live child is cancelled and no child follows."""
        if not self.active:
            return
        self._replacement = None
        for child in self.live_children:
            self.ctx.cancel(child)
        self._end(CANCELLED, "cancelled")

    # -- surviving a restart ------------------------------------------------------------------

    def params_state(self) -> dict:
        """The subclass's own parameters and progress as JSON values (override to make it resumable)."""
        raise NotImplementedError

    def restore_params(self, state: dict) -> None:
        """Take back what :meth:`params_state` saved (override with it)."""
        raise NotImplementedError

    def to_state(self) -> dict:
        """A JSON-able record of the parent (kept in the strategy's ``ctx.state``), or {} when not resumable."""
        try:
            own = self.params_state()
        except NotImplementedError:
            return {}
        replacement = None
        if self._replacement is not None:
            upto, price = self._replacement
            replacement = [upto, None if price is None else str(price), self._cancel_sent_for]
        return {"kind": self.kind, "code": self.code, "side": self.side.value, "volume": self.volume,
                "parent_id": self.parent_id, "status": self.status, "reason": self.reason,
                "filled": self.filled, "children": [c.client_order_id for c in self.children],
                "replacement": replacement, "params": own}

    def resume(self, ctx: StrategyContext, state: dict) -> ExecAlgorithm:
        """Continue a parent saved by :meth:`to_state`: its children re-found by client id (the engine
        adopts today's orders from the broker at start-up), a cancel confirmed while the engine was down
        followed by its replacement."""
        self.ctx = ctx
        self.parent_id, self.status, self.reason = state["parent_id"], state["status"], state["reason"]
        self.children = [o for o in (ctx.get_order(cid) for cid in state["children"]) if o is not None]
        self._filled_before = int(state["filled"]) - sum(c.traded_volume for c in self.children)
        if state.get("replacement"):
            upto, price, cid = state["replacement"]
            self._replacement = (upto, None if price is None else Decimal(price))
            self._cancel_sent_for = cid
        self.restore_params(state["params"])
        ctx.log.info("{} resumed: filled {} of {}, {} live child(ren)", self.parent_id, self.filled, self.volume,
                     len(self.live_children))
        if self._cancel_sent_for is not None and not self.live_children:
            self.child_changed(self._cancel_sent_for)
        return self

    # -- helpers for subclasses ----------------------------------------------------------------

    @property
    def active(self) -> bool:
        return self.status == WORKING

    @property
    def live_children(self) -> list[Order]:
        return [o for o in (self.ctx.get_order(c.client_order_id) or c for c in self.children) if o.is_open]

    @property
    def filled(self) -> int:
        return self._filled_before + sum((self.ctx.get_order(c.client_order_id) or c).traded_volume
                                         for c in self.children)

    @property
    def remaining(self) -> int:
        """Shares still to do: volume minus filled, minus what the live child may still fill."""
        live = sum(o.remaining for o in self.live_children)
        return max(self.volume - self.filled - live, 0)

    def send_child(self, volume: int, price: Decimal | None) -> Order | None:
        """Send one child; refuses (AlgorithmError) while another child is live."""
        if self.live_children:
            raise AlgorithmError(f"{self.parent_id}: a child is still live; replace_child waits for its cancel")
        if volume <= 0 or price is None:
            return None
        note = child_note(self.parent_id, self.kind, len(self.children) + 1)
        child = self.ctx.order(self.code, self.side, volume, price, note=note)
        if child is None:
            self._end(FAILED, f"child {len(self.children) + 1} denied by risk (see the audit database)")
            return None
        self.children.append(child)
        return child

    def _volume_upto(self, upto: int | None) -> int:
        """The next child's volume: what brings the filled total to ``upto`` (None: the whole volume)."""
        return min(max((self.volume if upto is None else upto) - self.filled, 0), self.remaining)

    def replace_child(self, price: Decimal | None, upto: int | None = None) -> None:
        """Cancel the live child; once the broker confirms the cancel, send a child that brings the filled
        total to ``upto`` (None: the whole volume) at ``price``. With no live child it goes at once."""
        live = self.live_children
        if not live:
            self.send_child(self._volume_upto(upto), price)
            return
        child = live[0]
        if self._cancel_sent_for == child.client_order_id:
            return  # the cancel is on its way; its confirmation sends the replacement
        self._replacement = (upto, price)  # sent by child_changed when the cancel is confirmed
        self._cancel_sent_for = child.client_order_id
        if not self.ctx.cancel(child):
            self._replacement = self._cancel_sent_for = None

    def cancel_refused(self, cid: str) -> None:
        """The broker refused a child's cancel (it filled meanwhile): no replacement for it."""
        if cid == self._cancel_sent_for:
            self._replacement = self._cancel_sent_for = None

    def _end(self, status: str, reason: str) -> None:
        self.status, self.reason = status, reason
        self.ctx.log.info("{} {}: {}", self.parent_id, status, reason)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.parent_id or 'not started'}, {self.side.value} {self.volume} {self.code}, "
                f"{self.status}, filled={self.filled if self.ctx else 0}, children={len(self.children)})")


def check_rule(kind: str, code: str, rule: str) -> None:
    """Raise :class:`AlgorithmError` for a price rule not in :data:`PRICE_RULES`."""
    if rule not in PRICE_RULES:
        raise AlgorithmError(f"{kind} {code}: price={rule!r} is not one of {', '.join(PRICE_RULES)}")


def as_limit(value) -> Decimal | None:
    return None if value is None else to_decimal(value)
