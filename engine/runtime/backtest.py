"""Backtest mode: the simulator behind the live gateway, fed by bars, everything on the engine thread.

The assembly is paper mode's (:mod:`engine.runtime.paper`) with three differences:

* market data are bars read from files (streamed, never loaded whole); the
  feed, on the engine thread, hands each batch to the simulated counter
  (``SimCounter.on_replay_bars``: resting orders fill by the fill rule) and then
  to the engine (``Engine.deliver``: the fills' pushes first, then ``on_bar``),
  with no xtdata record or queue hand-off in between;
* the simulator delivers every push inline (``delivery='sync'``), so there are
  no worker threads and a run is deterministic;
* a :class:`~engine.clock.ManualClock` is set to each bar's END time.

Orders still go ``ctx.buy`` -> risk -> durable intent -> gateway ->
``order_stock_async`` -> simulated counter (A-share rules, fees, T+1, price
limits, sessions) -> pushes -> engine queue -> order state machine -> hooks and
audit, exactly as in paper and live mode.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from loguru import logger

from ..broker import XtGateway, XtMarketData
from ..calendar import CalendarError
from ..clock import ManualClock
from ..config import ConfigError
from ..marketdata import DataFileError, iter_bars_csv, load_instruments
from ..models import Bar
from ..sim import FeeProfile, InitialPosition, SimConfig, SimCounter, SimXtData, SimXtQuantTrader
from ..datastore import StoreError, held_range, read_instruments
from ..sim.corporate_actions import ex_right_price
from .backtest_settings import BacktestSettings
from .store_bars import iter_store_batches, store_actions, store_codes
from .base import Runtime
from .replay import SteppedReplay

if TYPE_CHECKING:
    from ..core.engine import Engine

__all__ = ["BacktestRuntime", "BarFeed", "WeekdayCalendar"]

SIM_USERDATA_PATH = "backtest://userdata_mini"
_BAR_SUFFIXES = (".csv", ".csv.gz")


class WeekdayCalendar:
    """Every Monday-Friday is a trading day: for synthetic data that ignores exchange holidays.

    Same interface as :class:`engine.calendar.TradingCalendar` (``backtest.calendar: weekdays``).
    """

    first_known_day = dt.date(1990, 12, 19)
    last_known_day = dt.date(9999, 12, 31)

    def is_trading_day(self, day: dt.date | dt.datetime) -> bool:
        return day.weekday() < 5

    def next_trading_day(self, day: dt.date | dt.datetime) -> dt.date:
        return self._step(day, 1)

    def previous_trading_day(self, day: dt.date | dt.datetime) -> dt.date:
        return self._step(day, -1)

    def trading_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        days, day = [], _as_date(start)
        while day <= _as_date(end):
            if day.weekday() < 5:
                days.append(day)
            day += dt.timedelta(days=1)
        return days

    def trading_day_number(self, first_day: dt.date, day: dt.date) -> int:
        first, last = _as_date(first_day), _as_date(day)
        if last < first:
            return 0
        weeks, rest = divmod((last - first).days + 1, 7)
        return weeks * 5 + sum(1 for i in range(rest) if (first + dt.timedelta(days=i)).weekday() < 5)

    @staticmethod
    def _step(day: dt.date | dt.datetime, direction: int) -> dt.date:
        current = _as_date(day) + dt.timedelta(days=direction)
        while current.weekday() >= 5:
            current += dt.timedelta(days=direction)
        return current


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# -- bar files ---------------------------------------------------------------------------------


def bar_files(settings: BacktestSettings, where: str) -> dict[str, Path]:
    """``{code: path}`` of the bar files the settings name; ConfigError naming the setting otherwise."""
    try:
        path = settings.bars_path()
    except ValueError as exc:
        raise ConfigError(where, [str(exc)]) from None
    if not path.exists():
        raise ConfigError(where, [f"backtest.bars: {path} does not exist"])
    if path.is_file():
        if not settings.code:
            raise ConfigError(where, [f"backtest.code: {path.name} has no code column; name its instrument "
                                      f"(e.g. code: 600000.SH)"])
        return {settings.code: path}
    files = {}
    for item in sorted(path.iterdir()):
        name = item.name
        suffix = next((s for s in _BAR_SUFFIXES if name.endswith(s)), None)
        if suffix and name != "instruments.csv":
            files[name[: -len(suffix)]] = item
    if settings.codes:
        missing = [c for c in settings.codes if c not in files]
        if missing:
            raise ConfigError(where, [f"backtest.codes: no bar file for {', '.join(missing)} in {path}"])
        files = {c: files[c] for c in settings.codes}
    if not files:
        raise ConfigError(where, [f"backtest.bars: no <code>.csv bar files in {path}"])
    return files


def iter_bar_batches(files: dict[str, Path], period: str) -> Iterator[tuple[dt.datetime, list[Bar]]]:
    """Every file's bars merged by time, as ``(time, [bars of that time])``; streams (nothing read ahead)."""
    if len(files) == 1:
        (code, path), = files.items()
        for bar in iter_bars_csv(path, code, period=period):
            yield bar.time, [bar]
        return
    streams = [_keyed(code, path, period) for code, path in files.items()]
    for moment, group in itertools.groupby(heapq.merge(*streams), key=lambda item: item[0]):
        yield moment, [bar for _, _, bar in group]


def _keyed(code: str, path: Path, period: str) -> Iterator[tuple[dt.datetime, str, Bar]]:
    """``(time, code, bar)``: merge order is time, then code (a file never repeats a time)."""
    for bar in iter_bars_csv(path, code, period=period):
        yield bar.time, code, bar


# -- the runtime -------------------------------------------------------------------------------


def sim_config_for(settings: BacktestSettings, account_id: str) -> SimConfig:
    """The simulator's configuration for a backtest (inline delivery, the bar fill rule)."""
    return SimConfig(
        account_id=account_id, initial_cash=settings.initial_cash,
        positions=tuple(InitialPosition(code=p.code, volume=p.volume, cost_price=p.avg_price) for p in settings.positions),
        fee=FeeProfile(**settings.fees.model_dump()), outside_session=settings.outside_session,
        fill_rule=settings.fill_rule, slippage_bps=settings.slippage_bps, participation=settings.participation,
        seed=settings.seed, delivery="sync", bar_orders=True,
    )


def check_strategies_take_bars(engine: Engine, where: str) -> None:
    """A backtest feeds bars: a strategy with ``on_tick`` and neither ``on_bar`` nor ``on_bars`` would never
    be called with market data, so it is a start-up error rather than a silent run without orders."""
    tick_only = []
    for plugin in engine.plugins:
        if plugin.kind != "strategy":
            continue
        hooks = {caller.name for caller in engine.pm.get_hookcallers(plugin.obj) or ()}
        if "on_tick" in hooks and not hooks & {"on_bar", "on_bars"}:
            tick_only.append(plugin.name)
    if tick_only:
        raise ConfigError(where, [f"strategies: {', '.join(tick_only)} implement on_tick only; a backtest feeds bars "
                                  f"(give them on_bar or on_bars, or run them in paper mode on ticks)"])


class BacktestRuntime(Runtime):
    """Simulator + gateway + bar feed for ``mode: backtest``.

    :param engine: the engine being built.
    :param settings: the ``backtest:`` settings (default: ``engine.config.backtest``).
    :raises ConfigError: missing or unreadable bar files, or data the calendar cannot place.
    """

    def __init__(self, engine: Engine, settings: BacktestSettings | None = None) -> None:
        super().__init__()
        config = engine.config
        self._engine = engine
        self.settings = settings = settings if settings is not None else config.backtest
        where = str(config.source_path or "config")
        check_strategies_take_bars(engine, where)
        if settings.calendar == "weekdays":
            engine.calendar = WeekdayCalendar()  # before the scheduler is built from it
        self.calendar = engine.calendar
        self.actions: dict = {}  # code -> corporate actions applied on ex-dates (store, raw prices)
        if settings.store is not None:
            files = {}
            self.codes = store_codes(settings, where)
            try:
                instruments = (load_instruments(settings.instruments) if settings.instruments
                               else read_instruments(settings.store))
                if settings.corporate_actions and settings.adjust == "none":
                    self.actions = store_actions(settings.store, self.codes)
                batches = iter_store_batches(settings.store, settings.period, self.codes, start=settings.start,
                                             end=settings.end, adjust=settings.adjust)
                first = next(batches, None)
            except (DataFileError, FileNotFoundError, StoreError) as exc:
                raise ConfigError(where, [f"backtest.store: {exc}"]) from None
            source = f"the store {settings.store}"
        else:
            files = bar_files(settings, where)
            self.codes = list(files)
            try:
                instruments = load_instruments(settings.instruments) if settings.instruments else []
                batches = iter_bar_batches(files, settings.period)
                first = next(batches, None)
            except (DataFileError, FileNotFoundError) as exc:
                raise ConfigError(where, [f"backtest.bars: {exc}"]) from None
            source = str(settings.bars)
        if first is None:
            raise ConfigError(where, [f"backtest: no bars in {source}"])
        self._check_calendar_covers(first[0], where)
        self.clock = ManualClock(first[0])
        account = config.account_id.get_secret_value()
        self.counter = SimCounter(sim_config_for(settings, account), calendar=self.calendar, clock=self.clock)
        self.xtdata = SimXtData(self.counter)
        if instruments:
            self.xtdata.load_instruments(instruments)
        if self.actions:
            self.counter.load_corporate_actions(a for actions in self.actions.values() for a in actions)
        self.gateway = XtGateway(lambda session: SimXtQuantTrader(SIM_USERDATA_PATH, session, counter=self.counter),
                                 account, engine.inbound.put, first_session_id=1)
        self.market = XtMarketData(self.xtdata, engine.inbound.put)
        if settings.store is not None:
            spans = [held_range(settings.store, settings.period, code) for code in self.codes]
            ends = [span[1] for span in spans if span]
            last = max(ends) if ends else None
            if last is not None and settings.end is not None:
                last = min(last, dt.datetime.combine(settings.end, dt.time(23, 59)))
            self.last_time = last
        else:
            ends = [last_bar_time(path) for path in files.values()]
            self.last_time = max(ends) if ends and None not in ends else None
        self.feed = BarFeed(self, itertools.chain([first], batches))

    def _check_calendar_covers(self, first: dt.datetime, where: str) -> None:
        try:
            self.calendar.is_trading_day(first.date())
        except CalendarError as exc:
            raise ConfigError(where, [f"backtest.bars: the first bar ({first}) is outside the trading calendar: {exc}; "
                                      f"use backtest.calendar: weekdays for synthetic data"]) from None

    def subscribe(self) -> None:
        """Nothing to subscribe: the feed hands each bar to the counter and to the engine itself
        (an xtdata record in between would only be converted there and back)."""

    def stop(self) -> None:
        self.counter.close()


class BarFeed(SteppedReplay):
    """Publishes bar batches to the simulator, one step at a time, from the engine thread.

    The steps are those of every replay (:class:`engine.runtime.replay.SteppedReplay`).
    Bars dated on a day the calendar says is closed are skipped and logged once per day.
    Each code's previous close (the last close of its previous trading day; the first
    day: that day's first open) goes out as the bar's ``preClose``, from which the
    counter derives the daily price limits. Pushes are delivered inline, so there is no
    thread to wait for.
    """

    def __init__(self, runtime: BacktestRuntime, batches: Iterator[tuple[dt.datetime, list[Bar]]]) -> None:
        super().__init__(runtime._engine, runtime.counter, runtime.clock, batches)
        self._runtime = runtime
        self._closed_day: dt.date | None = None
        self._open_day: dt.date | None = None  # the last day the calendar said is open
        self._pre_close: dict[str, float] = {}
        self._last_close: dict[str, float] = {}
        self.bars_published = 0
        self.bars_skipped = 0

    def _accept(self, moment: dt.datetime, bars: list[Bar]) -> bool:
        day = moment.date()
        if day == self._open_day:
            return True
        if self._engine.calendar.is_trading_day(day):
            self._open_day = day
            return True
        self.bars_skipped += len(bars)
        if self._closed_day != day:
            self._closed_day = day
            logger.warning("backtest: bars dated {} are skipped: the exchange is closed that day", day)
        return False

    def _day_began(self, day: dt.date) -> None:
        self._pre_close.update(self._last_close)
        for code, actions in self._runtime.actions.items():  # the ex-right reference price on an ex-date
            close = self._last_close.get(code)
            for action in actions:
                if action.ex_date == day and close:
                    self._pre_close[code] = ex_right_price(close, action)

    def _publish(self, moment: dt.datetime, bars: list[Bar]) -> None:
        pre_close, last_close = self._pre_close, self._last_close
        for bar in bars:
            if bar.code not in pre_close:
                pre_close[bar.code] = bar.open
            last_close[bar.code] = bar.close
        self._counter.on_replay_bars(bars, pre_close)  # fills of resting orders: pushes queue first
        self._engine.deliver("bars", bars)
        self.bars_published += len(bars)

    @property
    def progress(self) -> float:
        """Share of the replay's time span done (0.0 when the last bar's time is unknown, e.g. gzip files)."""
        last = self._runtime.last_time
        if self.current_time is None or self.first_time is None or last is None or last <= self.first_time:
            return 0.0
        return min(1.0, (self.current_time - self.first_time) / (last - self.first_time))


def last_bar_time(path: Path) -> dt.datetime | None:
    """The time of a plain CSV bar file's last row, read from its end (None when it cannot be told)."""
    if path.name.endswith(".gz"):
        return None
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 512))
            lines = handle.read().decode("utf-8", "replace").strip().splitlines()
        return dt.datetime.fromisoformat(lines[-1].split(",", 1)[0]) if lines else None
    except (OSError, ValueError):
        return None
