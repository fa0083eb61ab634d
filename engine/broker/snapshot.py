"""What the broker answers to the readiness queries: asset, positions, today's orders and trades."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class BrokerSnapshot:
    """The answers to the start-up (and reconnect) queries, as SDK records."""

    asset: Any
    positions: list[Any] = field(default_factory=list)
    orders: list[Any] = field(default_factory=list)
    trades: list[Any] = field(default_factory=list)
