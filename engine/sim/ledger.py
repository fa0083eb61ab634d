"""The paper account: cash, positions, today's orders and trades, and how fills change them.

Cash is kept as a balance that includes what is frozen for open buys;
``available = balance - frozen``. A buy freezes its value at the freeze price
plus the fees of that amount; every fill re-computes the freeze of the rest, so
the freeze returns to zero when nothing is open. Sells move shares from
``can_use_volume`` to ``frozen_volume``; proceeds are usable at once (T+0 cash).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..models.money import ZERO, round_cents
from ..xt import constants as xc
from .fees import Fees

__all__ = ["Ledger", "Position", "SimOrder", "SimTrade"]


@dataclass
class Position:
    """One holding. ``cost`` includes fees (for avg_price); ``open_cost`` is buy turnover only."""

    code: str
    volume: int = 0
    can_use: int = 0
    frozen: int = 0
    yesterday: int = 0
    cost: Decimal = ZERO
    open_cost: Decimal = ZERO
    bought_today: int = 0

    @property
    def avg_price(self) -> Decimal:
        return self.cost / self.volume if self.volume else ZERO

    @property
    def open_price(self) -> Decimal:
        return self.open_cost / self.volume if self.volume else ZERO


@dataclass
class SimOrder:
    """One order as the counter keeps it."""

    order_id: int
    code: str
    is_buy: bool
    volume: int
    price_type: int
    price: Decimal               # the order price (0 for market orders until it rests)
    order_time: dt.datetime
    trading_day: dt.date
    strategy_name: str = ""
    order_remark: str = ""
    seq: int = 0
    status: int = xc.ORDER_UNREPORTED
    status_msg: str = ""
    traded_volume: int = 0
    traded_amount: Decimal = ZERO
    fees_paid: Fees = field(default_factory=Fees)
    freeze_price: Decimal = ZERO
    frozen_cash: Decimal = ZERO
    held_until: dt.time | None = None
    bar_wait: bool = False       # rests until the next bar (bar mode)

    @property
    def sysid(self) -> str:
        return f"S{self.order_id:09d}"

    @property
    def remaining(self) -> int:
        return self.volume - self.traded_volume

    @property
    def is_final(self) -> bool:
        return self.status in xc.FINAL_ORDER_STATUSES

    @property
    def is_market(self) -> bool:
        return self.price_type not in xc.LIMIT_PRICE_TYPES

    @property
    def avg_price(self) -> Decimal:
        return self.traded_amount / self.traded_volume if self.traded_volume else ZERO


@dataclass(frozen=True)
class SimTrade:
    """One fill."""

    trade_id: int
    order_id: int
    code: str
    is_buy: bool
    price: Decimal
    volume: int
    amount: Decimal
    fees: Fees
    time: dt.datetime
    trading_day: dt.date


class LedgerError(RuntimeError):
    """An accounting invariant would break (a bug, not a user error)."""


class Ledger:
    """Cash, positions, orders and trades of one account, with the fill arithmetic."""

    def __init__(self, account_id: str, cash: Decimal) -> None:
        self.account_id = account_id
        self.balance = cash
        self.frozen = ZERO
        self.proceeds_today = ZERO
        self.positions: dict[str, Position] = {}
        self.orders: dict[int, SimOrder] = {}
        self.trades: list[SimTrade] = []
        self.trading_day: dt.date | None = None
        self.next_order_id = 1
        self.next_trade_id = 1

    @property
    def available(self) -> Decimal:
        return self.balance - self.frozen

    def position(self, code: str) -> Position:
        pos = self.positions.get(code)
        if pos is None:
            pos = self.positions[code] = Position(code)
        return pos

    def new_order_id(self) -> int:
        oid = self.next_order_id
        self.next_order_id += 1
        return oid

    def open_orders(self) -> list[SimOrder]:
        return [o for o in self.orders.values() if not o.is_final and o.status != xc.ORDER_UNREPORTED]

    # -- buys: cash freeze -------------------------------------------------------------

    def set_buy_freeze(self, order: SimOrder, amount_fees: Fees | None, remaining_value: Decimal) -> None:
        """Freeze ``remaining_value`` plus the estimated fees still to pay for a buy."""
        extra = amount_fees.total if amount_fees is not None else ZERO
        new = round_cents(remaining_value) + extra if order.remaining > 0 else ZERO
        self.frozen += new - order.frozen_cash
        order.frozen_cash = new

    def release_buy(self, order: SimOrder) -> None:
        self.frozen -= order.frozen_cash
        order.frozen_cash = ZERO

    # -- sells: volume freeze ----------------------------------------------------------

    def freeze_sell(self, order: SimOrder) -> None:
        pos = self.position(order.code)
        if order.volume > pos.can_use:
            raise LedgerError(f"sell {order.volume} of {order.code} exceeds can_use {pos.can_use}")
        pos.can_use -= order.volume
        pos.frozen += order.volume

    def release_sell(self, order: SimOrder) -> None:
        pos = self.position(order.code)
        pos.frozen -= order.remaining
        pos.can_use += order.remaining

    # -- fills -------------------------------------------------------------------------

    def apply_fill(self, order: SimOrder, price: Decimal, qty: int, fees: Fees, when: dt.datetime,
                   t0: bool) -> SimTrade:
        """Move cash and shares for one fill; the caller re-freezes the rest of a buy."""
        amount = round_cents(price * qty)
        pos = self.position(order.code)
        if order.is_buy:
            self.balance -= amount + fees.total
            pos.volume += qty
            pos.cost += amount + fees.total
            pos.open_cost += amount
            pos.bought_today += qty
            if t0:
                pos.can_use += qty
        else:
            if qty > pos.frozen or qty > pos.volume:
                raise LedgerError(f"sell fill {qty} of {order.code} exceeds frozen {pos.frozen}")
            share = qty / Decimal(pos.volume)
            pos.cost -= pos.cost * share
            pos.open_cost -= pos.open_cost * share
            pos.volume -= qty
            pos.frozen -= qty
            pos.yesterday = min(pos.yesterday, pos.volume)
            self.balance += amount - fees.total
            self.proceeds_today += amount - fees.total
        order.traded_volume += qty
        order.traded_amount += amount
        order.fees_paid = order.fees_paid + fees
        trade = SimTrade(self.next_trade_id, order.order_id, order.code, order.is_buy, price, qty,
                         amount, fees, when, self.trading_day or when.date())
        self.next_trade_id += 1
        self.trades.append(trade)
        return trade

    # -- day roll ----------------------------------------------------------------------

    def roll_day(self, new_day: dt.date) -> None:
        """Start of a new trading day: all holdings become sellable, today's lists clear."""
        self.trading_day = new_day
        for code in [c for c, p in self.positions.items() if p.volume == 0]:
            del self.positions[code]
        for pos in self.positions.values():
            pos.frozen = 0
            pos.can_use = pos.volume
            pos.yesterday = pos.volume
            pos.bought_today = 0
        self.orders.clear()
        self.trades.clear()
        self.frozen = ZERO
        self.proceeds_today = ZERO
