"""What the rule families share: how a family turns its checks into one decision.

A family runs its checks in a fixed order. The first failed check becomes the
family's :class:`RiskDecision` (deny, with that check's rule, value, limit and
reason). When every check passed, the family answers with one allow decision
named after the family: its reason lists every check, and its value and limit
are those of the check closest to its limit, so the audit shows the headroom.

Every order passes here, so the representation is lean: a family appends each
passed check to a list as a plain ``(rule, reason, value, limit)`` tuple (see
:data:`Passed`) and returns a denial as soon as a check fails; :func:`allow`
then summarises the list. No objects are built that the decision does not use.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...models import OrderRequest, RiskDecision
from ...models.money import ZERO, round_cents, to_decimal

__all__ = ["DecimalMemo", "Passed", "allow", "cny", "deny", "order_price", "usage"]

#: One passed check: (rule, reason, measured value, limit).
Passed = tuple[str, str, Any, Any]

NO_CHECK = "no check applies to this order"
_NUMBERS = frozenset({int, float, Decimal})


def usage(value: Any, limit: Any) -> float | None:
    """How close ``value`` is to ``limit`` (1.0 = at the limit); None when either is not a number or the limit is 0.

    Booleans are not numbers here.
    """
    if type(value) in _NUMBERS and type(limit) in _NUMBERS:  # the common case, without isinstance chains
        return float(value) / float(limit) if limit else None
    if isinstance(value, bool) or isinstance(limit, bool):
        return None
    if isinstance(value, (int, float, Decimal)) and isinstance(limit, (int, float, Decimal)) and limit:
        return float(value) / float(limit)
    return None


def deny(rule: str, reason: str, value: Any = None, limit: Any = None) -> RiskDecision:
    """A failed check as the family's decision: ``reason`` is what the operator reads in ``qmt-engine audit denials``."""
    return RiskDecision(False, rule, reason, value, limit)


def allow(family: str, passed: list[Passed]) -> RiskDecision:
    """One allow decision summarising every passed check, in order.

    Its reason joins every check's reason; its value and limit are those of the
    check with the highest :func:`usage` (the first of equals), prefixed by
    ``closest to its limit: <rule>.``. With no check: ``no check applies``.
    """
    if not passed:
        return RiskDecision(True, family, NO_CHECK)
    reason = "; ".join([check[1] for check in passed])
    closest = None
    highest = 0.0
    for check in passed:
        value, limit = check[2], check[3]
        if type(value) in _NUMBERS and type(limit) in _NUMBERS:  # = usage(value, limit), inlined
            if not limit:
                continue
            measured = float(value) / float(limit)
        elif value is None or limit is None:
            continue
        else:
            measured = usage(value, limit)
            if measured is None:
                continue
        if closest is None or measured > highest:
            closest, highest = check, measured
    if closest is None:
        return RiskDecision(True, family, reason)
    return RiskDecision(True, family, f"closest to its limit: {closest[0]}. {reason}", closest[2], closest[3])


class DecimalMemo:
    """Decimals of market-data numbers (floats from ticks and instrument details), remembered per code
    and field for as long as the number object stays the same; :func:`to_decimal` converts the others."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[str, dict[str, tuple[Any, Decimal]]] = {}

    def of(self, field: str, code: str, number: Any) -> Decimal:
        """``to_decimal(number)``, converted once per new ``number`` object for ``code``'s ``field``."""
        seen = self._seen.get(field)
        if seen is None:
            seen = self._seen[field] = {}
        known = seen.get(code)
        if known is not None and known[0] is number:  # the same object: the same Decimal (numbers are immutable)
            return known[1]
        value = to_decimal(number)
        seen[code] = (number, value)
        return value


def cny(amount: Decimal) -> Decimal:
    """An amount rounded half-up to 0.01 CNY, as shown in decisions."""
    return round_cents(amount)


def order_price(ctx, request: OrderRequest) -> Decimal:
    """The price an order is valued at: its limit price, else (market orders) the last price, else 0."""
    if request.price is not None:
        return request.price
    last = ctx.last_price(request.code)
    return to_decimal(last) if last else ZERO


