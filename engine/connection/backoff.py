"""The wait between two connection attempts: exponential, capped, jittered (seeded, so runs repeat)."""

from __future__ import annotations

import random

from ..config.models import ConnectionSettings


class Backoff:
    """``delay(n)`` is the wait after the ``n``-th failed attempt (0 = before the first retry)."""

    def __init__(self, settings: ConnectionSettings, seed: int = 0) -> None:
        self._settings = settings
        self._jitter = random.Random(seed)

    def delay(self, attempt: int) -> float:
        s = self._settings
        base = min(s.backoff_first_seconds * s.backoff_factor ** attempt, s.backoff_cap_seconds)
        return base * (1 + self._jitter.uniform(-s.backoff_jitter, s.backoff_jitter))
