"""A risk rule's verdict on one order request."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RiskDecision:
    """Allow or deny, with the rule, the measured value, the limit and a readable reason.

    Return one from ``check_order`` (or ``None`` for "no opinion"). ``plugin`` is
    filled in by the engine with the name of the plugin that returned it.
    """

    allowed: bool
    rule: str
    reason: str = ""
    value: Any = None
    limit: Any = None
    plugin: str = ""

    @classmethod
    def allow(cls, rule: str, reason: str = "", value: Any = None, limit: Any = None) -> "RiskDecision":
        return cls(True, rule, reason, value, limit)

    @classmethod
    def deny(cls, rule: str, reason: str, value: Any = None, limit: Any = None) -> "RiskDecision":
        return cls(False, rule, reason, value, limit)
