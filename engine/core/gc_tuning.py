"""Garbage-collector settings for the run: fewer, shorter collector pauses on the engine's hot paths.

CPython's cyclic collector runs its young generation every 700 net allocations
and, every so often, a full collection that walks every tracked object. A
whole-market push allocates some 20,000 objects (ticks, tuples, dicts), and a
long-lived engine holds hundreds of thousands (plugins, configuration, caches,
instruments): full collections then take tens to hundreds of milliseconds, in
the middle of a snapshot. During the run the engine therefore

* freezes what start-up built (``gc.freeze()``: the collector no longer walks it;
  it is still freed by reference counting as usual), and
* runs the young generation every ``young_threshold`` allocations (default
  50,000) instead of 700.

Cycles are still collected; only less often. Both are undone when the run ends.
``engine.gc_tuning: false`` leaves the collector alone.
"""

from __future__ import annotations

import gc

from loguru import logger


class GcTuning:
    """Apply with :meth:`start` after start-up; :meth:`stop` restores the previous settings."""

    def __init__(self, young_threshold: int = 50_000) -> None:
        self.young_threshold = young_threshold
        self._previous: tuple[int, int, int] | None = None

    def start(self) -> None:
        if self._previous is not None:
            return
        gc.collect()  # what start-up left as garbage goes now, not into the frozen generation
        gc.freeze()
        self._previous = gc.get_threshold()
        gc.set_threshold(self.young_threshold, *self._previous[1:])
        logger.debug("garbage collector: {} start-up objects frozen, young generation every {} allocations",
                     gc.get_freeze_count(), self.young_threshold)

    def stop(self) -> None:
        if self._previous is None:
            return
        gc.set_threshold(*self._previous)
        gc.unfreeze()
        self._previous = None
