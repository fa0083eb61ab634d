"""Fees of a fill by the configured :class:`FeeProfile` (ashare_rules.md §6).

Each item is computed on the order's cumulative turnover and rounded half-up to
0.01 CNY; a fill pays the difference to what the order has paid so far. So an
order filled in pieces pays exactly what one fill of the same total would, the
commission minimum is charged once per order, and the cash frozen for a buy
(an estimate on the full amount at the freeze price) always covers the real fees.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models.money import ZERO, round_cents
from .config import FeeProfile
from ..instruments import Instrument

__all__ = ["Fees", "fees_for_amount", "fill_fees"]


@dataclass(frozen=True)
class Fees:
    """Fee items in CNY, each rounded to 0.01."""

    commission: Decimal = ZERO
    stamp_duty: Decimal = ZERO
    transfer_fee: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.commission + self.stamp_duty + self.transfer_fee

    def __sub__(self, other: Fees) -> Fees:
        return Fees(self.commission - other.commission, self.stamp_duty - other.stamp_duty,
                    self.transfer_fee - other.transfer_fee)

    def __add__(self, other: Fees) -> Fees:
        return Fees(self.commission + other.commission, self.stamp_duty + other.stamp_duty,
                    self.transfer_fee + other.transfer_fee)


def fees_for_amount(profile: FeeProfile, inst: Instrument, is_sell: bool, amount: Decimal) -> Fees:
    """Fees of one order whose total turnover is ``amount`` (zero amount: no fees)."""
    if amount <= 0:
        return Fees()
    commission = round_cents(amount * profile.commission_rate)
    waive_min = profile.etf_no_min and inst.kind in ("etf", "lof")
    if not waive_min:
        commission = max(commission, profile.min_commission)
    stamp = round_cents(amount * profile.stamp_duty_rate) if (is_sell and inst.pays_stamp_and_transfer) else ZERO
    transfer = round_cents(amount * profile.transfer_fee_rate) if inst.pays_stamp_and_transfer else ZERO
    return Fees(commission, stamp, transfer)


def fill_fees(profile: FeeProfile, inst: Instrument, is_sell: bool, amount_before: Decimal,
              fill_amount: Decimal, paid_before: Fees) -> Fees:
    """Fees of one fill of an order that had ``amount_before`` turnover and paid ``paid_before``."""
    if profile.min_commission_per == "fill":
        return fees_for_amount(profile, inst, is_sell, fill_amount)
    return fees_for_amount(profile, inst, is_sell, amount_before + fill_amount) - paid_before
