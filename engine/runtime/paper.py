"""Paper mode: the MiniQMT simulator behind the live gateway, fed by a tick replay.

The engine thread drives the replay (:class:`ReplayFeed`): it publishes the
next batch of ticks to the simulator's market side only when everything the
previous batch caused (simulator pushes, quote callbacks) has been delivered
and the engine queue is empty. So a run is deterministic, while the
simulator still pushes from its own worker thread as MiniQMT does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Iterator

from loguru import logger

from ..broker import XtGateway, XtMarketData
from ..config import ConfigError
from ..clock import ManualClock
from ..marketdata import DataFileError, iter_tick_batches, load_instruments
from ..sim import FaultConfig, FeeProfile, InitialPosition, SimConfig, SimCounter, SimXtData, SimXtQuantTrader
from .base import Runtime

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..core.engine import Engine

SIM_USERDATA_PATH = "paper://userdata_mini"


def sim_config_from(config: EngineConfig) -> SimConfig:
    """Map ``paper:`` settings onto the simulator's configuration."""
    paper = config.paper
    return SimConfig(
        account_id=config.account_id.get_secret_value(),
        initial_cash=paper.initial_cash,
        positions=tuple(InitialPosition(code=p.code, volume=p.volume, cost_price=p.avg_price) for p in paper.positions),
        fee=FeeProfile(**paper.fees.model_dump()),
        outside_session=paper.outside_session,
        seed=paper.seed,
        delivery=paper.delivery,
        account_db=paper.account_db,
        faults=FaultConfig(**{**paper.faults.model_dump(), "disconnect_at": tuple(paper.faults.disconnect_at)}),
    )


class PaperRuntime(Runtime):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        config = engine.config
        self._engine = engine
        self._paper = config.paper
        where = str(config.source_path or "config")
        try:
            self._instruments = load_instruments(self._paper.instruments_path())
            batches = iter_tick_batches(self._paper.data_path(), codes=self._paper.codes)
            first = next(batches, None)
        except (DataFileError, FileNotFoundError) as exc:
            raise ConfigError(where, [f"paper.data: {exc}"]) from None
        if first is None:
            raise ConfigError(where, [f"paper.data: no ticks in {self._paper.data_path()}"])
        self.clock = ManualClock(first[0])
        self.counter = SimCounter(sim_config_from(config), calendar=engine.calendar, clock=self.clock)
        self.xtdata = SimXtData(self.counter)
        self.xtdata.load_instruments(self._instruments)
        self.gateway = XtGateway(lambda session: SimXtQuantTrader(SIM_USERDATA_PATH, session, counter=self.counter),
                                 config.account_id.get_secret_value(), engine.inbound.put, first_session_id=1)
        self.market = XtMarketData(self.xtdata, engine.inbound.put)
        data = self._paper.data_path()
        files = [f for f in data.iterdir() if ".csv" in f.name and f.name != "instruments.csv"] if data.is_dir() else [data]
        self.feed = ReplayFeed(self, itertools.chain([first], batches), expected_days=max(len(files), 1))

    def subscribe(self) -> None:
        codes = self._paper.codes or [row["code"] for row in self._instruments if row.get("kind") != "index"]
        self.market.subscribe_ticks(codes)

    def stop(self) -> None:
        try:
            super().stop()
        finally:
            self.counter.close()


class ReplayFeed:
    """Publishes tick batches to the simulator, one at a time, when the engine is idle."""

    def __init__(self, runtime: PaperRuntime, batches: Iterator[tuple[dt.datetime, dict[str, dict]]],
                 expected_days: int = 1) -> None:
        self._runtime = runtime
        self._batches = batches
        self._expected_days = expected_days
        self._days_seen = 0
        self._day: dt.date | None = None
        self._pending: tuple[dt.datetime, dict[str, dict]] | None = None
        self._counter_day: dt.date | None = None  # the day the counter was last rolled to
        self.batches_published = 0
        self.first_time: dt.datetime | None = None
        self.current_time: dt.datetime | None = None

    def settle(self) -> bool:
        """Wait until the simulator delivered everything; True if the engine has messages to handle."""
        trader = self._runtime.gateway.trader
        if trader is not None and not trader.wait_idle(timeout=10.0):
            logger.warning("simulator still busy after 10 s; continuing")
        self._runtime.xtdata.wait_idle(timeout=10.0)
        return not self._runtime._engine.inbound.empty()

    def advance(self) -> bool:
        """Do the next step of the replay; False when it is over.

        A step is one of: rolling the simulated counter to a new trading day (expiring day
        orders, releasing T+1 shares; the engine handles those pushes before anything else);
        one scheduled-job time (the clock stops there when a job is due before the next tick,
        so a 12:00 job runs at 12:00 although no tick comes in the lunch break); or publishing
        the next batch of ticks. After the last batch the clock runs to the end of that day,
        so after-close jobs fire.
        """
        if self._pending is None:
            self._pending = next(self._batches, None)
        due = self._runtime._engine.scheduler.next_due_at
        if self._pending is None:
            if self._day is not None and due is not None and due <= dt.datetime.combine(self._day, dt.time(23, 59, 59)):
                return self._roll_counter(due) or self._step_clock(due)
            return False
        moment, ticks = self._pending
        if due is not None and due < moment:
            return self._roll_counter(due) or self._step_clock(due)
        if self._roll_counter(moment):
            return True
        self._pending = None
        self._step_clock(moment, run_jobs=False)
        self.current_time = moment
        self.first_time = self.first_time or moment
        self._runtime.xtdata.publish(ticks)
        self.batches_published += 1
        return True

    def _roll_counter(self, moment: dt.datetime) -> bool:
        """First step of a new trading day: roll the counter (True: rolled now; the engine settles next)."""
        day = moment.date()
        if day in (self._counter_day, self._day) or not self._runtime._engine.calendar.is_trading_day(day):
            return False
        self._counter_day = day
        # The clock stays on the old day: the engine's monitor must not begin the new day (and
        # take its account snapshot) before the pushes of this roll have been handled.
        self._runtime.counter.set_trading_day(day)
        return True

    def _step_clock(self, moment: dt.datetime, *, run_jobs: bool = True) -> bool:
        """Second step: the engine's day begins (its account snapshot now shows the rolled counter)."""
        engine = self._runtime._engine
        if moment.date() != self._day and engine.calendar.is_trading_day(moment.date()):
            self._day = moment.date()
            self._days_seen += 1
            self._runtime.clock.advance_to(moment)
            engine.begin_trading_day(self._day)
        self._runtime.clock.advance_to(moment)
        if run_jobs:
            engine.run_due_jobs()
        return True

    @property
    def progress(self) -> float:
        """Rough share of the replay done: whole days seen plus the time of day (09:15-15:00)."""
        if self.current_time is None:
            return 0.0
        start = self.current_time.replace(hour=9, minute=15, second=0, microsecond=0)
        in_day = max(0.0, min(1.0, (self.current_time - start).total_seconds() / (5.75 * 3600)))
        return min(1.0, (self._days_seen - 1 + in_day) / self._expected_days)
