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
from .replay import SteppedReplay

if TYPE_CHECKING:
    from ..config import EngineConfig
    from ..core.engine import Engine

SIM_USERDATA_PATH = "paper://userdata_mini"
#: on_bar strategies in paper mode get 1-minute bars built from the replayed ticks
PAPER_BAR_PERIOD = "1m"


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
        actions = []
        if self._paper.corporate_actions_store is not None:  # pyarrow only when a store is used
            from .store_bars import paper_corporate_actions

            actions = paper_corporate_actions(self._paper.corporate_actions_store,
                                              self._paper.codes or [row["code"] for row in self._instruments], where)
        self.counter = SimCounter(sim_config_from(config), calendar=engine.calendar, clock=self.clock,
                                  corporate_actions=actions)
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
        if wants_bars(self._engine):  # the simulator builds bars from the replayed ticks, as MiniQMT does
            self.market.subscribe_bars(codes, PAPER_BAR_PERIOD)

    def stop(self) -> None:
        self.counter.close()


def wants_bars(engine: Engine) -> bool:
    """True when some plugin implements ``on_bar`` or ``on_bars``."""
    hooks = engine.pm.hook
    return bool(hooks.on_bar.get_hookimpls() or hooks.on_bars.get_hookimpls())


class ReplayFeed(SteppedReplay):
    """Publishes tick batches to the simulator, one step at a time, when the engine is idle."""

    def __init__(self, runtime: PaperRuntime, batches: Iterator[tuple[dt.datetime, dict[str, dict]]],
                 expected_days: int = 1) -> None:
        super().__init__(runtime._engine, runtime.counter, runtime.clock, batches)
        self._runtime = runtime
        self._expected_days = expected_days
        self._days_seen = 0
        self.batches_published = 0

    def settle(self) -> bool:
        """Wait until the simulator delivered everything; True if the engine has messages to handle."""
        trader = self._runtime.gateway.trader
        if trader is not None and not trader.wait_idle(timeout=10.0):
            logger.warning("simulator still busy after 10 s; continuing")
        self._runtime.xtdata.wait_idle(timeout=10.0)
        return super().settle()

    def _publish(self, moment: dt.datetime, ticks: dict[str, dict]) -> None:
        self._runtime.market.flush_bars(moment)  # bars this moment finished, before its ticks
        self._runtime.xtdata.publish(ticks)
        self.batches_published += 1

    def _day_began(self, day: dt.date) -> None:
        self._days_seen += 1

    @property
    def progress(self) -> float:
        """Rough share of the replay done: whole days seen plus the time of day (09:15-15:00)."""
        if self.current_time is None:
            return 0.0
        start = self.current_time.replace(hour=9, minute=15, second=0, microsecond=0)
        in_day = max(0.0, min(1.0, (self.current_time - start).total_seconds() / (5.75 * 3600)))
        return min(1.0, (self._days_seen - 1 + in_day) / self._expected_days)
