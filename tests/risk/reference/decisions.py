"""What the rule families share: one check's outcome, and how a family turns its outcomes into one decision.

A family runs its checks in a fixed order. The first failed check becomes the
family's :class:`RiskDecision` (deny, with that check's rule, value, limit and
reason). When every check passed, the family answers with one allow decision
named after the family: its reason lists every check, and its value and limit
are those of the check closest to its limit, so the audit shows the headroom.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable

from engine.models import OrderRequest, RiskDecision
from engine.models.money import ZERO, round_cents, to_decimal

__all__ = ["Check", "decide", "order_price", "passed", "failed", "cny"]


@dataclass(frozen=True, slots=True)
class Check:
    """One check on one request: passed or not, with the measured value and the limit."""

    rule: str
    passed: bool
    reason: str
    value: Any = None
    limit: Any = None

    @property
    def usage(self) -> float | None:
        """How close the value is to its limit (1.0 = at the limit); None when either is not a number."""
        numbers = (int, float, Decimal)
        if isinstance(self.value, bool) or isinstance(self.limit, bool):
            return None
        if isinstance(self.value, numbers) and isinstance(self.limit, numbers) and self.limit:
            return float(self.value) / float(self.limit)
        return None


def passed(rule: str, reason: str, value: Any = None, limit: Any = None) -> Check:
    """A check that passed: ``reason`` says what was measured against what."""
    return Check(rule, True, reason, value, limit)


def failed(rule: str, reason: str, value: Any = None, limit: Any = None) -> Check:
    """A check that failed: ``reason`` is what the operator reads in ``qmt-engine audit denials``."""
    return Check(rule, False, reason, value, limit)


def decide(family: str, checks: Iterable[Check]) -> RiskDecision:
    """The first failed check as a denial, else one allow decision summarising every check."""
    done: list[Check] = []
    for check in checks:
        if not check.passed:
            return RiskDecision.deny(check.rule, check.reason, check.value, check.limit)
        done.append(check)
    if not done:
        return RiskDecision.allow(family, "no check applies to this order")
    reason = "; ".join(c.reason for c in done)
    measured = [c for c in done if c.usage is not None]
    if not measured:
        return RiskDecision.allow(family, reason)
    closest = max(measured, key=lambda c: c.usage)
    return RiskDecision.allow(family, f"closest to its limit: {closest.rule}. {reason}", closest.value, closest.limit)


def cny(amount: Decimal) -> Decimal:
    """An amount rounded half-up to 0.01 CNY, as shown in decisions."""
    return round_cents(amount)


def order_price(ctx, request: OrderRequest) -> Decimal:
    """The price an order is valued at: its limit price, else (market orders) the last price, else 0."""
    if request.price is not None:
        return request.price
    last = ctx.last_price(request.code)
    return to_decimal(last) if last else ZERO
