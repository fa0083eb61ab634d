"""The counter's market side: books from ticks and bars, and matching resting orders.

A mixin of :class:`~engine.sim.counter.SimCounter`; runs under the counter's lock.
"""

from __future__ import annotations

import datetime as dt

from ..xt import constants as xc
from .book import Book, book_from_bar, book_from_tick
from ..instruments import Instrument
from ..models.money import to_decimal
from .ledger import SimOrder
from .matcher import match_arrival, match_auction, match_bar, match_resting
from .rules import cage_bounds
from .sessions import CLOSED, CONTINUOUS, PRE_OPEN, phase_at

__all__ = ["MarketSideMixin"]

LIVE_STATUSES = frozenset({xc.ORDER_REPORTED, xc.ORDER_PART_SUCC})


class MarketSideMixin:
    """Tick and bar intake for :class:`SimCounter`."""

    # -- market data -------------------------------------------------------------------

    def on_ticks(self, ticks: dict[str, dict]) -> None:
        """Take a batch of xtdata ticks ``{code: tick}``: update books, match resting orders."""
        self._run(lambda: self._on_ticks(ticks), tick_batch=True)

    def _note_prev_close(self, book: Book) -> None:
        day = book.time.date()
        entry = self._prev_close.get(book.code)
        if book.prev_close is not None and (entry is None or entry[0] != day):
            self._prev_close[book.code] = (day, book.prev_close)

    def _on_ticks(self, ticks: dict[str, dict]) -> None:
        for code, tick in ticks.items():
            inst = self.instrument(code)
            book = book_from_tick(code, tick, inst.shares_per_lot, self.book(code))
            self._note_prev_close(book)
            self.books[code] = book
            self._match_book(inst, book)

    def _resting(self, code: str) -> list[SimOrder]:
        """Reported orders of ``code`` that can match, in order-id order (from the counter's open index)."""
        by_id = self._open_by_code.get(code)
        if not by_id:
            return []
        return [o for o in by_id.values() if o.status in LIVE_STATUSES]

    def _match_book(self, inst: Instrument, book: Book) -> None:
        phase = phase_at(inst, book.time)
        auction = phase == PRE_OPEN or (phase == CLOSED and book.time.time() >= dt.time(15, 0))
        if phase != CONTINUOUS and not auction:
            return
        part = self.config.participation
        for order in self._resting(inst.code):
            if order.bar_wait or (order.is_market and order.price <= 0):
                order.bar_wait = False
                if phase == CONTINUOUS:
                    self._apply_match(order, inst, match_arrival(order, book), book.time)
                continue
            if auction:
                result = match_auction(order, book, part)
            else:
                result = match_resting(order, book, part, self._in_cage(order, inst, book))
            self._apply_match(order, inst, result, book.time)

    def _in_cage(self, order: SimOrder, inst: Instrument, book: Book) -> bool:
        if self.config.cage_mode != "hold":
            return True
        cap, floor = cage_bounds(inst, book, book.prev_close, self.config)
        if order.is_buy:
            return cap is None or order.price <= cap
        return floor is None or order.price >= floor

    def on_bars(self, bars: dict[str, dict]) -> None:
        """Take a batch of bars ``{code: bar}``: every order resting now fills by the fill rule."""
        self._run(lambda: self._on_bars(bars), tick_batch=True)

    def _on_bars(self, bars: dict[str, dict]) -> None:
        for code, bar in bars.items():
            inst = self.instrument(code)
            book = book_from_bar(code, bar, inst.shares_per_lot)
            self._note_prev_close(book)
            self._bar_books.pop(code, None)
            self.books[code] = book
            if bar.get("suspendFlag"):
                continue
            self._match_bar_book(inst, book)

    def on_replay_bars(self, bars: list, pre_close: dict[str, float]) -> None:
        """A backtest's batch of engine :class:`~engine.models.Bar` s (validated by the bar reader),
        with each code's previous close: the same intake as :meth:`on_bars`, without the xtdata
        record. A bar becomes a :class:`Book` only when an order needs it (matching, a market
        order's price, a query)."""
        self._run(lambda: self._on_replay_bars(bars, pre_close), tick_batch=True)

    def _on_replay_bars(self, bars: list, pre_close: dict[str, float]) -> None:
        pending, open_by_code, prev = self._bar_books, self._open_by_code, self._prev_close
        for bar in bars:
            code = bar.code
            pc = pre_close.get(code)
            pending[code] = (bar, pc)
            if pc:
                day = bar.time.date()
                entry = prev.get(code)
                if entry is None or entry[0] != day:
                    prev[code] = (day, to_decimal(float(pc)))
            if open_by_code.get(code):
                self._match_bar_book(self.instrument(code), self.book(code))

    def _match_bar_book(self, inst: Instrument, book: Book) -> None:
        """Fill every order of the book's code resting now, by the fill rule."""
        resting = self._resting(inst.code)
        if not resting:
            return
        cfg = self.config
        lim = self.limits(inst.code)
        for order in resting:
            order.bar_wait = False
            result = match_bar(order, book, cfg.fill_rule, cfg.slippage_bps, cfg.participation,
                               inst.tick, lim.up if lim else None, lim.down if lim else None)
            self._apply_match(order, inst, result, book.time)

