"""Orders through their life: request -> (risk) -> order at the broker -> fills."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal

from ..xt import constants as xtc
from .enums import OrderStatus, Side
from .money import ZERO


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """What a strategy asked for, before risk checks.

    ``price`` is ``None`` for market price types. ``client_order_id`` is assigned
    by the engine when the request is made and later travels in the SDK's
    ``order_remark``, so every push and query resolves to this request.

    Frozen: what every risk plugin approved is what is sent. A rule that wants a
    different order denies this one with a reason (the strategy then sends another).
    ``note`` is the strategy's free text (``ctx.buy(..., note=...)``), journalled with the
    intent and shown by ``qmt-engine audit order``.
    """

    client_order_id: str
    strategy: str
    code: str
    side: Side
    volume: int
    price: Decimal | None
    price_type: int = xtc.FIX_PRICE
    created_at: dt.datetime | None = None
    note: str = ""

    @property
    def is_market(self) -> bool:
        return self.price_type not in xtc.LIMIT_PRICE_TYPES

    @property
    def notional(self) -> Decimal:
        """Price x volume (zero for a market order, whose price is unknown)."""
        return (self.price or ZERO) * self.volume


@dataclass(slots=True)
class Order:
    """An order that passed risk and was handed to the broker; mutated only by the engine thread.

    ``traded_volume`` is what the broker's order pushes say; ``fill_volume`` and
    ``traded_amount`` add up the de-duplicated fills; ``overfilled`` flags an
    order whose fills exceed its volume.
    """

    client_order_id: str
    strategy: str
    code: str
    side: Side
    volume: int
    price: Decimal | None
    price_type: int
    status: OrderStatus = OrderStatus.UNREPORTED
    order_id: int | None = None
    order_sysid: str = ""
    seq: int | None = None
    traded_volume: int = 0
    fill_volume: int = 0
    traded_amount: Decimal = ZERO
    fees: Decimal = ZERO
    status_msg: str = ""
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None
    external: bool = False
    overfilled: bool = False
    trade_ids: set[str] = field(default_factory=set, repr=False)
    note: str = ""

    def detached(self) -> "Order":
        """A copy for hooks (``on_order``): changing it changes nothing in the engine."""
        return replace(self, trade_ids=set(self.trade_ids))

    @property
    def is_open(self) -> bool:
        return not self.status.is_final

    @property
    def remaining(self) -> int:
        return max(self.volume - self.traded_volume, 0)

    @property
    def avg_price(self) -> Decimal:
        if not self.fill_volume:
            return ZERO
        return self.traded_amount / self.fill_volume

    def snapshot(self) -> dict:
        """A plain-dict view for hooks that must not mutate engine state and for the audit."""
        return {
            "client_order_id": self.client_order_id, "strategy": self.strategy, "code": self.code,
            "side": self.side.value, "volume": self.volume,
            "price": None if self.price is None else str(self.price), "price_type": self.price_type,
            "status": int(self.status), "status_label": self.status.label, "order_id": self.order_id,
            "order_sysid": self.order_sysid, "traded_volume": self.traded_volume,
            "traded_amount": str(self.traded_amount), "fees": str(self.fees),
            "status_msg": self.status_msg, "external": self.external,
        }


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution (an ``XtTrade``), de-duplicated by ``trade_id``."""

    trade_id: str
    client_order_id: str
    order_id: int | None
    strategy: str
    code: str
    side: Side
    price: Decimal
    volume: int
    amount: Decimal
    commission: Decimal
    time: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class OrderError:
    """The broker refused an order (``on_order_error``); ``error_msg`` is the counter's text."""

    client_order_id: str | None
    order_id: int | None
    strategy: str
    error_id: int | None
    error_msg: str


@dataclass(frozen=True, slots=True)
class CancelError:
    """The broker refused a cancel (``on_cancel_error``); the order stays as it was."""

    client_order_id: str | None
    order_id: int | None
    strategy: str
    error_id: int | None
    error_msg: str


def child_note(parent_id: str, kind: str, number: int) -> str:
    """The note of an execution algorithm's ``number``-th child order: ``parent=<parent_id> <kind> child <n>``."""
    return f"parent={parent_id} {kind} child {number}"


def parent_of(note: str) -> str | None:
    """The parent id in a child order's note (:func:`child_note`), or None for any other note."""
    if not note.startswith("parent="):
        return None
    return note.split(" ", 1)[0][len("parent="):] or None
