"""What every replay (ticks in paper mode, bars in backtests) does to move simulated time.

The engine loop drives a replay with two calls (``settle()`` then ``advance()``)
whenever it has nothing else to do, on the engine thread. One ``advance()`` is
one step:

1. **rolling the simulated counter** to a new trading day (day orders expire, T+1
   shares are released). The clock stays on the old day: the engine handles the
   pushes of the roll first, and only then begins its own day (and takes its
   account snapshot), so no stale push can overwrite the new day's account;
2. **a scheduled job's time**, when a job is due before the next batch (a 12:00
   job runs at 12:00 although no data comes in the lunch break);
3. **publishing the next batch** of market data.

After the last batch the clock runs on to the end of that day, so after-close
jobs fire. Subclasses say how to publish a batch and may drop batches.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from ..core.engine import Engine

_END_OF_DAY = dt.time(23, 59, 59)


class SteppedReplay:
    """Base of the replay feeds: the step logic shared by paper and backtest mode."""

    def __init__(self, engine: Engine, counter: Any, clock: Any, batches: Iterator[tuple[dt.datetime, Any]]) -> None:
        self._engine = engine
        self._counter = counter
        self._clock = clock
        self._batches = batches
        self._pending: tuple[dt.datetime, Any] | None = None
        self._day: dt.date | None = None  # the trading day the engine is in
        self._counter_day: dt.date | None = None  # the day the counter was last rolled to
        self.first_time: dt.datetime | None = None
        self.current_time: dt.datetime | None = None

    def settle(self) -> bool:
        """True when the engine has messages to handle (subclasses first wait for their threads)."""
        return self._engine.inbound.qsize() > 0

    def advance(self) -> bool:
        """Do the next step of the replay; False when it is over."""
        if self._pending is None:
            self._pending = next(self._batches, None)
        due = self._engine.scheduler.next_due_at
        if self._pending is None:
            if self._day is not None and due is not None and due <= dt.datetime.combine(self._day, _END_OF_DAY):
                return self._roll_counter(due) or self._step_clock(due)
            return False
        moment, payload = self._pending
        if due is not None and due < moment:
            return self._roll_counter(due) or self._step_clock(due)
        if not self._accept(moment, payload):
            self._pending = None
            return True
        if self._roll_counter(moment):
            return True
        self._pending = None
        self._step_clock(moment, run_jobs=False)
        self.current_time = moment
        self.first_time = self.first_time or moment
        self._publish(moment, payload)
        return True

    # -- for subclasses ------------------------------------------------------------------

    def _publish(self, moment: dt.datetime, payload: Any) -> None:
        raise NotImplementedError

    def _accept(self, moment: dt.datetime, payload: Any) -> bool:
        """False drops the batch (e.g. bars dated on a closed day)."""
        return True

    def _day_began(self, day: dt.date) -> None:
        """Called once per trading day, when the engine's day begins."""

    # -- the two steps of a new day ------------------------------------------------------

    def _roll_counter(self, moment: dt.datetime) -> bool:
        day = moment.date()
        if day in (self._counter_day, self._day) or not self._engine.calendar.is_trading_day(day):
            return False
        self._counter_day = day
        self._counter.set_trading_day(day)  # the clock stays: see the module docstring
        return True

    def _step_clock(self, moment: dt.datetime, *, run_jobs: bool = True) -> bool:
        engine = self._engine
        if moment.date() != self._day and engine.calendar.is_trading_day(moment.date()):
            self._day = moment.date()
            self._clock.advance_to(moment)
            self._day_began(self._day)
            engine.begin_trading_day(self._day)
        self._clock.advance_to(moment)
        if run_jobs:
            engine.run_due_jobs()
        return True
