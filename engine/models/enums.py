"""Small enumerations shared across the engine."""

from __future__ import annotations

import enum

from ..xt import constants as xtc


class Side(str, enum.Enum):
    """Order side; maps to the SDK's ``order_type`` (23 buy, 24 sell)."""

    BUY = "buy"
    SELL = "sell"

    @property
    def xt_order_type(self) -> int:
        return xtc.STOCK_BUY if self is Side.BUY else xtc.STOCK_SELL

    @classmethod
    def from_xt(cls, order_type: int) -> "Side":
        if order_type == xtc.STOCK_BUY:
            return cls.BUY
        if order_type == xtc.STOCK_SELL:
            return cls.SELL
        raise ValueError(f"unknown xtquant order_type {order_type!r} (expected 23 or 24)")


class OrderStatus(enum.IntEnum):
    """MiniQMT order statuses (``xtconstant.ORDER_*``), used unchanged by the engine."""

    UNREPORTED = xtc.ORDER_UNREPORTED
    WAIT_REPORTING = xtc.ORDER_WAIT_REPORTING
    REPORTED = xtc.ORDER_REPORTED
    REPORTED_CANCEL = xtc.ORDER_REPORTED_CANCEL
    PARTSUCC_CANCEL = xtc.ORDER_PARTSUCC_CANCEL
    PART_CANCEL = xtc.ORDER_PART_CANCEL
    CANCELED = xtc.ORDER_CANCELED
    PART_SUCC = xtc.ORDER_PART_SUCC
    SUCCEEDED = xtc.ORDER_SUCCEEDED
    JUNK = xtc.ORDER_JUNK
    UNKNOWN = xtc.ORDER_UNKNOWN

    @property
    def is_final(self) -> bool:
        return self.value in xtc.FINAL_ORDER_STATUSES

    @property
    def label(self) -> str:
        return xtc.ORDER_STATUS_NAMES[self.value]


class TradingState(str, enum.Enum):
    """Trading state of the account or of one strategy (NautilusTrader's vocabulary).

    ACTIVE: any order may go. REDUCING: only orders that reduce a position.
    HALTED: no new orders; cancels still go.
    """

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"
