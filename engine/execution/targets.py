"""The thin executor of a plan: sells first, buys once the sells are final and their cash is usable.

A :class:`TargetRun` is what ``ctx.order_target`` and ``ctx.rebalance`` return. It
sends the plan's sells through ``ctx.order`` (so every order passes ``check_order``
and the journal like any other); when every sell has reached a final status
and its fills are booked, so their cash is usable (the built-in ``execution``
plugin forwards ``on_order`` and ``on_trade``), it plans the buys again at the next
price update (``on_tick`` / ``on_bars``) from the account as it is then (real cash
after the fills, fresh prices) and sends them. Whatever could not be done is in :attr:`TargetRun.skipped`, and logged.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Callable, Mapping

from ..models.enums import Side
from ..models.money import ZERO
from ..sim.config import FeeProfile
from .book import Book
from .inputs import book_from_context
from .planner import Plan, Skip, plan

if TYPE_CHECKING:
    from ..context import StrategyContext
    from ..models import Order

__all__ = ["TargetRun"]

SELLING, READY, DONE, SUPERSEDED = "selling", "ready", "done", "superseded"


class TargetRun:
    """One ``order_target`` or ``rebalance``: its plan, the orders sent and what was skipped.

    :ivar status: ``selling`` (waiting for the sells), ``ready`` (sold; the buys go at the next price update),
        ``done`` or ``superseded`` (a newer rebalance replaced it first).
    :ivar plan: the first plan (sells and the buys as estimated before the sells filled).
    :ivar orders: the orders sent (sells, then buys).
    :ivar skipped: what could not be done, each with its reason.
    """

    def __init__(self, ctx: StrategyContext, label: str, codes: list[str],
                 make_targets: Callable[[Book], Mapping[str, int]], *, fees: FeeProfile,
                 cash_buffer: Decimal = ZERO, slack: Decimal = ZERO, tolerance: Decimal = ZERO,
                 prices: Mapping[str, float | Decimal] | None = None) -> None:
        self.ctx, self.label, self.codes = ctx, label, codes
        self.make_targets, self.fees = make_targets, fees
        self.cash_buffer, self.slack, self.tolerance, self.prices = cash_buffer, slack, tolerance, prices
        self.status = SELLING
        #: what ``ctx.rebalance`` was called with, as JSON values (kept in ``ctx.state`` while the run waits for its
        #: sells, so a restart can issue it again); None for ``order_target``
        self.resume_params: dict | None = None
        self.plan: Plan | None = None
        self.orders: list[Order] = []
        self.skipped: list[Skip] = []
        self._sells: dict[str, Order] = {}

    @property
    def strategy(self) -> str:
        return self.ctx.name

    @property
    def active(self) -> bool:
        return self.status in (SELLING, READY)

    def start(self) -> TargetRun:
        """Plan against the account now and send the sells (or, with no sells, the buys)."""
        book = self._book(self.prices)
        first = plan(book, self._within_tolerance(book, self.make_targets(book)), cash_buffer=self.cash_buffer)
        self.plan = first
        if not first.sells:
            self._finish(first)
            return self
        self.skipped.extend(s for s in first.skipped if s.side is Side.SELL or s.side is None)
        for order in first.sells:
            sent = self._send(order.code, order.side, order.volume, order.price)
            if sent is not None:
                self._sells[sent.client_order_id] = sent
        if not first.buys and not any(s.side is Side.BUY for s in first.skipped):
            self._finish(Plan())  # nothing to buy once the sells are done
            return self
        self._check_sold()
        return self

    def on_order(self, order: Order | dict) -> None:
        """An order changed (or filled): once every sell is final and its fills are booked, send the buys."""
        cid = order["client_order_id"] if isinstance(order, dict) else order.client_order_id
        if self.status == SELLING and cid in self._sells:
            self._check_sold()

    def on_prices(self) -> None:
        """Prices moved (a tick, or a moment's bars): a run whose sells are done plans and sends its buys."""
        if self.status == READY:
            self._release()

    def supersede(self) -> None:
        """A newer rebalance of the same strategy replaces this one: its buys are never sent."""
        if self.active:
            self.status = SUPERSEDED
            self.ctx.log.info("{}: superseded by a newer rebalance before its buys were sent", self.label)

    # -- internals --------------------------------------------------------------------------

    def _sell_orders(self) -> list[Order]:
        """The sells as the engine sees them now (the order sent, once the engine no longer keeps it)."""
        return [self.ctx.get_order(cid) or sent for cid, sent in self._sells.items()]

    def _check_sold(self) -> None:
        if any(o.is_open or o.fill_volume < o.traded_volume for o in self._sell_orders()):
            return  # a sell is still open, or its fills (and so its cash) are not booked yet
        self.status = READY
        if not self._sells:
            self._release()  # every sell was refused: nothing to wait for

    def _release(self) -> None:
        for o in self._sell_orders():
            if o.traded_volume < o.volume:
                self.skipped.append(Skip(o.code, Side.SELL, o.volume - o.traded_volume,
                                         f"the sell {o.client_order_id} ended {o.status.name} with "
                                         f"{o.traded_volume} of {o.volume} filled"))
        book = self._book(None)
        second = plan(book, self._within_tolerance(book, self.make_targets(book)),
                      cash_buffer=self.cash_buffer, sells=False)
        second.skipped = [s for s in second.skipped if s.side is Side.BUY]
        self._finish(second)

    def _finish(self, planned: Plan) -> None:
        self.skipped.extend(planned.skipped)
        for order in planned.buys:
            self._send(order.code, order.side, order.volume, order.price)
        self.status = DONE
        for skip in self.skipped:
            self.ctx.log.info("{}: could not {}", self.label, skip)

    def _send(self, code: str, side: Side, volume: int, price: Decimal) -> Order | None:
        try:
            sent = self.ctx.order(code, side, volume, price, note=self.label)
        except Exception as exc:  # noqa: BLE001 - a refused order is reported with the run, the run goes on
            self.skipped.append(Skip(code, side, volume, f"the order was refused: {exc}"))
            return None
        if sent is None:
            self.skipped.append(Skip(code, side, volume, "denied by risk (the reason is in the audit database)"))
            return None
        self.orders.append(sent)
        return sent

    def _book(self, prices: Mapping[str, float | Decimal] | None) -> Book:
        return book_from_context(self.ctx, self.codes, fees=self.fees, slack=self.slack, prices=prices)

    def _within_tolerance(self, book: Book, targets: Mapping[str, int]) -> dict[str, int]:
        """Drop adjustments worth less than ``tolerance`` x total asset (closing a position is never dropped)."""
        if not self.tolerance:
            return dict(targets)
        floor = self.tolerance * book.total_asset
        kept = {}
        for code, target in targets.items():
            quote = book.quotes.get(code)
            delta = abs(target - book.holding(code).effective)
            if target != 0 and quote is not None and quote.price and delta * quote.price < floor:
                continue
            kept[code] = target
        return kept

    def __repr__(self) -> str:
        return f"TargetRun({self.label!r}, {self.status}, orders={len(self.orders)}, skipped={len(self.skipped)})"
