"""Seeded fault injection: disconnects, push latency, duplicates, reordering, random rejections.

All random choices come from one ``random.Random(seed)`` owned by the counter and
drawn under the counter's lock in event order, so the same inputs and seed make
the same faults.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from .config import FaultConfig

__all__ = ["FaultInjector", "Push"]


@dataclass
class Push:
    """One push for a trader: ``kind`` is the callback name without ``on_``."""

    kind: str
    record: object = None
    origin: object = None      # the trader whose request caused it (async response / error seq)
    latency: float = 0.0


class FaultInjector:
    """Applies a :class:`FaultConfig` with a seeded RNG."""

    def __init__(self, config: FaultConfig, seed: int) -> None:
        self.config = config
        self.rng = random.Random(seed)
        self._pending_disconnects = list(config.disconnect_at)
        self.disconnected_at: dt.datetime | None = None

    def _roll(self, p: float) -> bool:
        return p > 0 and self.rng.random() < p

    def should_reject(self) -> bool:
        return self._roll(self.config.reject_prob)

    def disconnect_due(self, now: dt.datetime, tick_batch: bool) -> bool:
        """True when a scheduled (or, on a tick batch, random) disconnect happens now."""
        due = False
        while self._pending_disconnects and self._pending_disconnects[0] <= now:
            self._pending_disconnects.pop(0)
            due = True
        if tick_batch and self._roll(self.config.disconnect_prob):
            due = True
        if due:
            self.disconnected_at = now
        return due

    def connect_allowed(self, now: dt.datetime) -> bool:
        if self.disconnected_at is None:
            return True
        wait = dt.timedelta(seconds=self.config.reconnect_after_s)
        if now >= self.disconnected_at + wait:
            self.disconnected_at = None
            return True
        return False

    def mangle(self, pushes: list[Push]) -> list[Push]:
        """Reorder a fill's trade before its order update, duplicate pushes, add latency."""
        cfg = self.config
        if not cfg.any_push_fault:
            return pushes
        out = list(pushes)
        if cfg.reorder_prob > 0:
            for i in range(len(out) - 1):
                if out[i].kind == "stock_order" and out[i + 1].kind == "stock_trade" \
                        and self._roll(cfg.reorder_prob):
                    out[i], out[i + 1] = out[i + 1], out[i]
        if cfg.duplicate_prob > 0:
            doubled: list[Push] = []
            for p in out:
                doubled.append(p)
                if p.kind.startswith("stock_") and self._roll(cfg.duplicate_prob):
                    doubled.append(Push(p.kind, p.record, p.origin))
            out = doubled
        lo, hi = cfg.push_latency_s
        if hi > 0:
            for p in out:
                p.latency = self.rng.uniform(lo, hi)
        return out
