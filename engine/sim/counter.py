"""The simulated broker counter: one account, its orders, matching, T+1 and fees.

A :class:`SimCounter` outlives trader sessions: a reconnect builds a new
:class:`~engine.sim.trader.SimXtQuantTrader` against the same counter. All state
changes happen under one lock, in the order requests and market data arrive;
pushes are handed to the subscribed traders (listeners) in that same order.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal

from ..calendar import TradingCalendar
from ..models.money import ZERO, round_cents, to_decimal
from ..xt import constants as xc
from . import errors as E
from . import records as R
from .book import Book, book_from_replay_bar
from ..clock import WallClock
from .config import SimConfig
from .faults import FaultInjector, Push
from .fees import fees_for_amount, fill_fees
from ..instruments import Instrument, PriceLimits, instrument_from_row, price_limits
from .ledger import Ledger, SimOrder
from .matcher import MatchResult, match_arrival
from .rules import OrderContext, check_order
from .sessions import CONTINUOUS, SessionPolicy, phase_at
from .counter_cancels import CancelMixin
from .counter_market import MarketSideMixin
from .counter_queries import QueryMixin
from .corporate_actions import AppliedAction, CorporateAction, apply_action
from .store import AccountStore

__all__ = ["SimCounter"]

EXPIRED_MSG = "[COUNTER][SIM-EXPIRE][日终未成交委托自动撤单]"


class SimCounter(MarketSideMixin, CancelMixin, QueryMixin):
    """The broker counter behind :class:`SimXtQuantTrader` and :class:`SimXtData`.

    :param config: accounts, rules, fees, faults; defaults per ashare_rules.md §10.
    :param calendar: a :class:`~engine.calendar.TradingCalendar` (built when None).
    :param clock: any object with ``now() -> datetime`` (exchange-local, naive);
        None means the wall clock in Asia/Shanghai.
    :param corporate_actions: ex-dates known from the start (:meth:`load_corporate_actions`); given here, they
        also apply to the roll of an account reopened from ``config.account_db`` past their ex-dates.
    """

    def __init__(self, config: SimConfig | None = None, *, calendar: TradingCalendar | None = None,
                 clock: object | None = None, corporate_actions: Iterable[CorporateAction] = ()) -> None:
        self.config = config or SimConfig()
        self.calendar = calendar or TradingCalendar()
        self.clock = clock or WallClock()
        if not callable(getattr(self.clock, "now", None)):
            raise E.SimConfigError(f"clock: {self.clock!r} has no now() method")
        self.policy = SessionPolicy(self.config.outside_session)
        self.faults = FaultInjector(self.config.faults, self.config.seed)
        self.ledger = Ledger(self.config.account_id, self.config.initial_cash)
        self.instruments: dict[str, Instrument] = {}
        self._derived: dict[str, Instrument] = {}  # instruments known only from their code prefix
        self._limits: dict[str, tuple] = {}  # code -> (day, prev_close, instrument, PriceLimits)
        #: open orders (not final, reported or held) by code, in order-id order, and held orders:
        #: matching and validation look at these, never at the whole day's order list
        self._open_by_code: dict[str, dict[int, SimOrder]] = {}
        self._held: dict[int, SimOrder] = {}
        self.books: dict[str, Book] = {}  # read through book(): replayed bars become books on demand
        self._bar_books: dict[str, tuple] = {}  # code -> (Bar, previous close) not yet made a Book
        self._prev_close: dict[str, tuple[dt.date, Decimal]] = {}
        self._actions: dict[str, list[CorporateAction]] = {}  # code -> ex-dates (dividends, bonus shares)
        self.applied_actions: list[AppliedAction] = []
        self._lock = threading.RLock()
        self._listeners: list = []
        self._out: list[Push] = []
        self._dirty: dict[int, SimOrder] = {}
        self._new_trades: list = []
        self.store = AccountStore(self.config.account_db) if self.config.account_db else None
        self.load_corporate_actions(corporate_actions)
        self._open_account()

    # -- set-up ------------------------------------------------------------------------

    def _open_account(self) -> None:
        today = self.now().date()
        if self.store is not None and self.store.load(self.ledger):
            for order in sorted(self.ledger.orders.values(), key=lambda o: o.order_id):
                self._index(order)
            if today > self.ledger.trading_day and self.calendar.is_trading_day(today):
                self._roll_to(today)
            self._persist()
            return
        self.ledger.trading_day = today
        for p in self.config.positions:
            pos = self.ledger.position(p.code)
            pos.volume = pos.yesterday = p.volume
            pos.can_use = p.can_use_volume
            pos.cost = pos.open_cost = round_cents(p.cost_price * p.volume)
        self._persist(force=True)

    @property
    def account_id(self) -> str:
        return self.config.account_id

    def now(self) -> dt.datetime:
        return self.clock.now()

    def add_listener(self, listener: object) -> None:
        """Register a trader: ``accept(pushes)`` under the lock, ``drain()`` after each operation."""
        with self._lock:
            if listener not in self._listeners:
                self._listeners.append(listener)

    def remove_listener(self, listener: object) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def _emit(self, kind: str, record: object, origin: object = None) -> None:
        self._out.append(Push(kind, record, origin))

    def _flush(self) -> list:
        pushes, self._out = self.faults.mangle(self._out), []
        listeners = list(self._listeners)
        if pushes:
            for listener in listeners:
                listener.accept(pushes)
            if any(p.kind == "disconnected" for p in pushes):
                self._listeners.clear()
        self._persist()
        return listeners

    def _run(self, op: Callable[[], object], tick_batch: bool = False) -> object:
        """Run ``op`` under the lock after advancing time; deliver its pushes; drain sync traders."""
        with self._lock:
            try:
                self._advance(tick_batch)
                result = op()
            finally:
                # nothing emitted and nothing to persist (most market data): no delivery round
                listeners = self._flush() if self._out or self._dirty or self._new_trades else ()
        for listener in listeners:
            listener.drain()
        return result

    # -- instruments and prices --------------------------------------------------------

    def load_instruments(self, rows: Iterable[dict]) -> int:
        """Load metadata rows (code, name, listing_date, is_st, t0, kind[, prev_close, suspended])."""
        with self._lock:
            n = 0
            for i, row in enumerate(rows):
                inst = instrument_from_row(row, f"instrument row {i + 1}")
                self.instruments[inst.code] = inst
                if row.get("prev_close") not in (None, ""):
                    self._prev_close[inst.code] = (self.ledger.trading_day, to_decimal(row["prev_close"]))
                n += 1
            return n

    def instrument(self, code: str) -> Instrument:
        """The instrument of ``code``: from the table, else from the code prefix (§1)."""
        inst = self.instruments.get(code) or self._derived.get(code)
        if inst is None:
            inst = self._derived[code] = instrument_from_row({"code": code}, f"code {code}")
        return inst

    def set_suspended(self, code: str, suspended: bool = True) -> None:
        with self._lock:
            self.instruments[code] = self.instrument(code).with_status(suspended=bool(suspended))

    def prev_close(self, code: str) -> Decimal | None:
        entry = self._prev_close.get(code)
        return entry[1] if entry and entry[0] == self.ledger.trading_day else None

    def limits(self, code: str) -> PriceLimits | None:
        """Today's limit prices of ``code``; None while its previous close is unknown."""
        pc = self.prev_close(code)
        if pc is None:
            return None
        inst = self.instrument(code)
        day = self.ledger.trading_day
        cached = self._limits.get(code)
        if cached is not None and cached[0] == day and cached[1] == pc and cached[2] is inst:
            return cached[3]
        number = (self.calendar.trading_day_number(inst.listing_date, day)
                  if inst.listing_date and inst.listing_date <= day else None)
        limits = price_limits(inst, pc, day, number)
        self._limits[code] = (day, pc, inst, limits)
        return limits

    def last_price(self, code: str) -> Decimal | None:
        book = self.book(code)
        return book.last if book else None

    def book(self, code: str) -> Book | None:
        """The latest book of ``code`` (a replayed bar's book is built on first use)."""
        pending = self._bar_books.pop(code, None) if self._bar_books else None
        if pending is not None:
            self.books[code] = book_from_replay_bar(*pending)
        return self.books.get(code)

    # -- time: day roll, held orders, disconnects --------------------------------------

    def poll(self) -> None:
        """Let the counter see the clock (releases held orders, rolls the day, faults)."""
        self._run(lambda: None)

    def set_trading_day(self, day: dt.date) -> None:
        """Start-of-day roll to ``day``: expire open orders, statement, release T+1 volume."""
        self._run(lambda: self._roll_to(day) if day != self.ledger.trading_day else None)

    def _advance(self, tick_batch: bool) -> None:
        now = self.now()
        if now.date() > self.ledger.trading_day and self.calendar.is_trading_day(now.date()):
            self._roll_to(now.date())
        if self._held:
            for order in sorted(self._held.values(), key=lambda o: o.order_id):
                if now.time() >= order.held_until:
                    self._report(order, self.instrument(order.code), now)
        if self.faults.disconnect_due(now, tick_batch):
            self._emit("disconnected", None)

    def _roll_to(self, day: dt.date) -> None:
        old = self.ledger.trading_day
        carried = []
        for order in self.ledger.open_orders():
            if self.config.bar_orders and order.bar_wait and not order.is_final:
                carried.append(order)  # placed on the day's last bar: it waits for the next one
            else:
                self._finish_cancel(order, EXPIRED_MSG)
        if self.store is not None and old is not None:
            self.store.save_statement(old, self.ledger, self._market_value(), self._statement_positions())
        self.ledger.roll_day(day)
        self._apply_corporate_actions(old, day)
        self._open_by_code.clear()
        self._held.clear()
        for order in carried:
            self._carry_over(order, day)
        self._persist(force=True)

    def load_corporate_actions(self, actions: Iterable[CorporateAction]) -> int:
        """Ex-dates to apply on the day rolls (:mod:`engine.sim.corporate_actions`); returns how many."""
        with self._lock:
            n = 0
            for action in actions:
                self._actions.setdefault(action.code, []).append(action)
                n += 1
            for rows in self._actions.values():
                rows.sort(key=lambda a: a.ex_date)
            return n

    def _apply_corporate_actions(self, old: dt.date | None, day: dt.date) -> None:
        """Every ex-date in ``(old, day]`` of a code held (after the roll: new shares are not yet sellable)."""
        if not self._actions or old is None:
            return
        for code in sorted(self._actions):
            for action in self._actions[code]:
                if old < action.ex_date <= day:
                    applied = apply_action(self.ledger, action)
                    if applied is not None:
                        self.applied_actions.append(applied)

    def _carry_over(self, order: SimOrder, day: dt.date) -> None:
        """Re-book an order placed after the previous day's last bar as one of ``day`` (bar clock):
        it joins the day's order list and freezes its cash or shares again."""
        order.trading_day = day
        self.ledger.orders[order.order_id] = order
        inst = self.instrument(order.code)
        order.frozen_cash = ZERO
        if not order.is_buy and order.volume > self.ledger.position(order.code).can_use:
            self._finish_cancel(order, EXPIRED_MSG)
            return
        self._freeze(order, inst)
        self._index(order)
        self._dirty[order.order_id] = order

    def connect_allowed(self) -> bool:
        with self._lock:
            return self.faults.connect_allowed(self.now())

    # -- orders ------------------------------------------------------------------------

    def submit_order(self, code: str, is_buy: bool, volume: int, price_type: int, price: float,
                     strategy_name: str = "", order_remark: str = "", *, seq: int = 0,
                     origin: object = None,
                     on_accepted: Callable[[SimOrder], None] | None = None) -> int:
        """Take a well-formed order; returns its order_id. Rejections are pushed (57 + error)."""
        return self._run(lambda: self._submit(code, is_buy, volume, price_type, price, strategy_name,
                                              order_remark, seq, origin, on_accepted))

    def _submit(self, code, is_buy, volume, price_type, price, strategy_name, order_remark, seq,
                origin, on_accepted) -> int:
        now = self.now()
        inst = self.instrument(code)
        book = self.book(code)
        px = to_decimal(price) if price_type in xc.LIMIT_PRICE_TYPES else ZERO
        if price_type == xc.LATEST_PRICE:
            px = book.last if book and book.last else ZERO
        order = SimOrder(self.ledger.new_order_id(), code, is_buy, volume, price_type, px, now,
                         self.ledger.trading_day, strategy_name, order_remark, seq)
        self.ledger.orders[order.order_id] = order
        self._dirty[order.order_id] = order
        if on_accepted is not None:
            on_accepted(order)
        rejection = self._validate(order, inst, book, now)
        if rejection is None and self.faults.should_reject():
            rejection = E.sim_rejection("FAULT", "模拟柜台随机拒单", order_id=order.order_id)
        if rejection is not None:
            self._reject(order, rejection, inst, origin)
            return order.order_id
        self._freeze(order, inst)
        disposition = "accept" if self._bar_clock(book) else self.policy.order_disposition(phase_at(inst, now))
        if disposition == "hold":
            order.held_until = self.policy.release_time(phase_at(inst, now))
            self._set_status(order, xc.ORDER_WAIT_REPORTING, inst)
            self._emit_balances(order, inst)
        else:
            self._report(order, inst, now)
        return order.order_id

    def _validate(self, order: SimOrder, inst: Instrument, book: Book | None, now: dt.datetime):
        limits = self.limits(order.code)
        order.freeze_price = (order.price if not order.is_market
                              else (limits.up if limits and limits.up else ZERO))
        pos = self.ledger.positions.get(order.code)
        st_open = sum(o.remaining for o in self._open_by_code.get(order.code, {}).values() if o.is_buy)
        rem_value, est = self._freeze_need(order, inst) if order.is_buy else (ZERO, None)
        ctx = OrderContext(
            inst=inst, is_buy=order.is_buy, volume=order.volume, price_type=order.price_type,
            price=order.price, now=now, is_trading_day=self.calendar.is_trading_day(now.date()),
            phase=phase_at(inst, now), limits=limits, book=book if book and not book.is_bar else book,
            can_use=pos.can_use if pos else 0, available_cash=self.ledger.available,
            required_cash=rem_value + (est.total if est else ZERO),
            st_bought_and_open=(pos.bought_today if pos else 0) + st_open,
            account_id=self.account_id, bar_mode=self._bar_clock(book))
        if order.price_type == xc.LATEST_PRICE and order.price <= 0:
            return E.sim_rejection("PX", "无最新价，无法以最新价委托", stock_code=order.code)
        return check_order(ctx, self.config, self.policy)

    def _bar_clock(self, book: Book | None) -> bool:
        """True when orders on this book follow the bar clock (``SimConfig.bar_orders``)."""
        return self.config.bar_orders and book is not None and book.is_bar

    def _freeze_need(self, order: SimOrder, inst: Instrument):
        rem_value = round_cents(order.freeze_price * order.remaining)
        profile = self.config.fee
        if profile.min_commission_per == "fill":
            est = fees_for_amount(profile, inst, False, rem_value)
        else:
            est = fees_for_amount(profile, inst, False, order.traded_amount + rem_value) - order.fees_paid
        return rem_value, est

    def _freeze(self, order: SimOrder, inst: Instrument) -> None:
        if order.is_buy:
            rem_value, est = self._freeze_need(order, inst)
            self.ledger.set_buy_freeze(order, est, rem_value)
        else:
            self.ledger.freeze_sell(order)

    def _reject(self, order: SimOrder, rejection: E.Rejection, inst: Instrument, origin) -> None:
        self._set_status(order, xc.ORDER_REPORTED, inst)
        order.status_msg = rejection.message
        self._set_status(order, xc.ORDER_JUNK, inst)
        self._emit("order_error", R.order_error_record(order, self.account_id), origin)

    def _report(self, order: SimOrder, inst: Instrument, now: dt.datetime) -> None:
        order.held_until = None
        self._set_status(order, xc.ORDER_REPORTED, inst)
        self._emit_balances(order, inst)
        book = self.book(order.code)
        if book is not None and book.is_bar:
            order.bar_wait = True
            return
        if phase_at(inst, now) != CONTINUOUS:
            return
        if book is not None and not order.is_market and not self._in_cage(order, inst, book):
            return  # cage_mode='hold': kept aside until the market comes within range
        self._apply_match(order, inst, match_arrival(order, book), now)

    # -- status changes and fills -----------------------------------------------------

    def _set_status(self, order: SimOrder, status: int, inst: Instrument) -> None:
        order.status = status
        self._index(order)
        self._dirty[order.order_id] = order
        self._emit("stock_order", R.order_record(order, self.account_id, inst.name))

    def _index(self, order: SimOrder) -> None:
        """Keep the open-order and held-order indexes in step with ``order.status``."""
        oid, status = order.order_id, order.status
        by_id = self._open_by_code.get(order.code)
        if status == xc.ORDER_UNREPORTED or status in xc.FINAL_ORDER_STATUSES:
            if by_id is not None:
                by_id.pop(oid, None)
        elif by_id is None:
            self._open_by_code[order.code] = {oid: order}
        else:
            by_id[oid] = order
        if status == xc.ORDER_WAIT_REPORTING and order.held_until is not None:
            self._held[oid] = order
        else:
            self._held.pop(oid, None)

    def _emit_balances(self, order: SimOrder, inst: Instrument) -> None:
        if not order.is_buy or order.traded_volume:
            pos = self.ledger.position(order.code)
            self._emit("stock_position", R.position_record(pos, self.account_id,
                                                           self.last_price(order.code), inst.name))
        self._emit("stock_asset", R.asset_record(self.ledger, self._market_value()))

    def _apply_match(self, order: SimOrder, inst: Instrument, result: MatchResult,
                     when: dt.datetime) -> None:
        for price, qty in result.fills:
            self._fill(order, inst, price, qty, when)
        if result.rest_price is not None and not order.is_final and order.is_market:
            order.price = result.rest_price
        if result.cancel_rest and order.remaining > 0 and not order.is_final:
            self._finish_cancel(order, "")

    def _fill(self, order: SimOrder, inst: Instrument, price: Decimal, qty: int, when: dt.datetime) -> None:
        amount = round_cents(price * qty)
        fees = fill_fees(self.config.fee, inst, not order.is_buy, order.traded_amount, amount,
                         order.fees_paid)
        trade = self.ledger.apply_fill(order, price, qty, fees, when, inst.t0)
        self._new_trades.append(trade)
        if order.is_buy:
            if order.remaining == 0:
                self.ledger.release_buy(order)
            else:
                self._freeze(order, inst)
        status = xc.ORDER_SUCCEEDED if order.remaining == 0 else xc.ORDER_PART_SUCC
        self._set_status(order, status, inst)
        self._emit("stock_trade", R.trade_record(trade, order, self.account_id, inst.name))
        self._emit_balances(order, inst)

    # -- persistence -------------------------------------------------------------------

    def _persist(self, force: bool = False) -> None:
        if self.store is None:  # nothing to write: drop the change lists, or they grow with every order
            if self._dirty or self._new_trades:
                self._dirty = {}
                self._new_trades = []
            return
        if not (force or self._dirty or self._new_trades):
            return
        self.store.save(self.ledger, list(self._dirty.values()), self._new_trades)
        self._dirty = {}
        self._new_trades = []

    def close(self) -> None:
        """Close the account file (the counter keeps working in memory)."""
        if self.store is not None:
            self.store.close()
            self.store = None
