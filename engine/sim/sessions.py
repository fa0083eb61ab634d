"""Trading sessions per exchange and instrument kind (ashare_rules.md §4).

Windows are half-open ``[start, end)``: 09:30:00 is continuous, 11:30:00 is
the lunch break, 14:57:00 is the closing call auction, 15:00:00 is closed.
"""

from __future__ import annotations

import datetime as dt

from ..instruments import Instrument

__all__ = [
    "CLOSED", "CLOSE_AUCTION", "CONTINUOUS", "LUNCH", "OPEN_AUCTION", "OPEN_AUCTION_FROZEN",
    "PRE_OPEN", "SessionPolicy", "phase_at",
]

OPEN_AUCTION = "open_auction"            # 09:15-09:20: limit orders, cancels allowed
OPEN_AUCTION_FROZEN = "open_auction_frozen"  # 09:20-09:25: limit orders, no cancels
PRE_OPEN = "pre_open"                    # 09:25-09:30: no matching, no cancels
CONTINUOUS = "continuous"
LUNCH = "lunch"                          # 11:30-13:00
CLOSE_AUCTION = "close_auction"          # 14:57-15:00: limit orders, no cancels
CLOSED = "closed"

SH_FUND_CLOSING_AUCTION_FROM = dt.date(2026, 7, 6)

_T = dt.time


def has_closing_auction(inst: Instrument, day: dt.date) -> bool:
    """SZ/BJ: everything. SH: stocks; funds from 2026-07-06; SH bonds are treated as continuous."""
    if inst.exchange != "SH" or inst.kind == "stock":
        return True
    if inst.kind in ("etf", "lof"):
        return day >= SH_FUND_CLOSING_AUCTION_FROM
    return False


def phase_at(inst: Instrument, when: dt.datetime) -> str:
    """The trading phase of ``inst`` at exchange-local time ``when`` (calendar not checked)."""
    t = when.time()
    if t < _T(9, 15) or t >= _T(15, 0):
        return CLOSED
    if t < _T(9, 20):
        return OPEN_AUCTION
    if t < _T(9, 25):
        return OPEN_AUCTION_FROZEN
    if t < _T(9, 30):
        return PRE_OPEN
    if t < _T(11, 30):
        return CONTINUOUS
    if t < _T(13, 0):
        return LUNCH
    if t < _T(14, 57) or not has_closing_auction(inst, when.date()):
        return CONTINUOUS
    return CLOSE_AUCTION


class SessionPolicy:
    """What the counter does with orders and cancels in each phase.

    ``outside_session='hold'`` accepts orders during 09:25-09:30 and the lunch break
    as status 49 and reports them when matching resumes; ``'reject'`` rejects them.
    """

    ORDER_PHASES = frozenset({OPEN_AUCTION, OPEN_AUCTION_FROZEN, CONTINUOUS, CLOSE_AUCTION})
    HOLD_PHASES = frozenset({PRE_OPEN, LUNCH})
    MARKET_ORDER_PHASES = frozenset({CONTINUOUS})
    NO_CANCEL_PHASES = frozenset({OPEN_AUCTION_FROZEN, PRE_OPEN, CLOSE_AUCTION, CLOSED})

    def __init__(self, outside_session: str = "hold") -> None:
        self.hold = outside_session == "hold"

    def order_disposition(self, phase: str) -> str:
        """``accept``, ``hold`` (status 49 until matching resumes) or ``reject``."""
        if phase in self.ORDER_PHASES:
            return "accept"
        if phase in self.HOLD_PHASES and self.hold:
            return "hold"
        return "reject"

    def cancel_allowed(self, phase: str) -> bool:
        return phase not in self.NO_CANCEL_PHASES

    @staticmethod
    def release_time(phase: str) -> dt.time | None:
        """When a held order of ``phase`` is reported."""
        return {PRE_OPEN: _T(9, 30), LUNCH: _T(13, 0)}.get(phase)
