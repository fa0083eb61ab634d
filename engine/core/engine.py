"""The engine: one thread runs every hook; everything else reaches it through one queue.

``Engine.run()`` runs on the calling thread, which becomes the engine thread.
Broker pushes (SDK worker thread) and market data (xtdata or replay callbacks)
are put on :attr:`Engine.inbound` as ``(kind, payload)`` tuples and handled
here in arrival order. The monitor step after each message checks the
connection, rolls the trading day, runs scheduled jobs and beats the heartbeat.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
import time
from pathlib import Path
from typing import Any, Callable

from loguru import logger

from .. import __version__
from ..calendar import CalendarError
from ..config import EngineConfig
from ..context import StrategyContext
from ..dispatch import HookDispatcher
from ..marketdata.history import BarHistory, bars_by_time
from ..events import AlertRaised, ConnectionChanged, Event, JournalError, RunStarted
from ..models import Tick, TradingState
from ..orders import OrderDesk, OrderDeskInputs
from ..orders.risk_gate import reduces_position
from ..orders.router import client_id_prefix
from ..plugin_manager import LoadedPlugin, close_loaded, load_plugins, make_plugin_manager
from ..results.run_settings import run_settings
from ..account import AccountLedger
from ..audit.storage_watch import watch_audit_storage
from ..control import ControlStore
from ..connection import BrokerConnection, LiveSupervisor
from ..connection.broker_connection import StartAborted
from .gc_tuning import GcTuning
from .run_stats import RunStats, RunSummary
from .jobs import build_scheduler, run_due_jobs
from .lifecycle import PluginFailureRecorder, close_plugins, shutdown
from .journal_recovery import recover_from_journal
from .reconcile import reconcile_with_broker
from .operator import OperatorCommands
from .trading_states import DISCONNECT, TradingStates
from .snapshot import load_broker_snapshot
from .day_record import DayRecord, continues_the_account, read_day_record
from .day_restore import restore_day
from .strategy_states import StrategyStates


class Engine:
    """Owns the plugin manager, engine state and the run loop.

    :param config: the validated configuration.
    :param runtime_factory: ``(engine) -> Runtime`` building the clock, broker
        gateway and market data for the configured mode (default:
        :func:`engine.runtime.build_runtime`).
    :param extra_plugins: ``(name, plugin)`` pairs registered after the configured ones.
    """

    def __init__(self, config: EngineConfig, *, runtime_factory: Callable[["Engine"], Any] | None = None,
                 extra_plugins: tuple[tuple[str, Any], ...] = (), load_entrypoints: bool | None = None) -> None:
        from ..runtime import build_runtime

        self.config = config
        self.control = ControlStore(config.engine.control_path)
        started, number = dt.datetime.now(), self.control.next_run_number()
        self.run_id = f"{started:%Y%m%dT%H%M%S}-{number}"
        #: SimpleQueue: its get() wakes the engine thread sooner than Queue's condition variable
        self.inbound: queue.SimpleQueue = queue.SimpleQueue()
        self.pm = make_plugin_manager()
        self.plugins: list[LoadedPlugin] = load_plugins(self.pm, config, load_entrypoints=load_entrypoints, extra=extra_plugins)
        try:
            self._params = {p.name: p.params for p in self.plugins}
            #: plugins that must durably record order intents before an order is sent
            self._journals = {p.name for p in self.plugins if getattr(p.obj, "AUDIT_JOURNAL", False)}
            self._contexts: dict[str, StrategyContext] = {}
            self.stats = RunStats()
            self.dispatch = HookDispatcher(
                self.pm, context_for=self.context_for, on_failure=PluginFailureRecorder(self.emit, self.stats),
                max_consecutive_failures=config.engine.max_consecutive_failures,
                trace=config.engine.trace_hooks or os.environ.get("ENGINE_TRACE_HOOKS") == "1",
            )
            #: the account's one owner: cash, positions, strategy book, fill log, loss baseline
            self.ledger = AccountLedger(config.account_id.get_secret_value())
            self._instruments: dict[str, dict | None] = {}
            self.last_ticks: dict[str, Tick] = {}
            self.bar_history = BarHistory()  # ctx.history
            self.trading = TradingStates(self.emit, self.control)
            #: restart-proof state (issue 13): only a run that continues an account restores and saves it
            self.continues_account = continues_the_account(config)
            self.plugin_states = StrategyStates(
                lambda: ((name, ctx.state) for name, ctx in self._contexts.items()), self.emit,
                enabled=self.continues_account)
            self._seq = 0
            self._engine_thread: int | None = None
            self._stop_reason: str | None = None
            self._accepting_orders = False
            self._next_control_poll = 0.0
            self.calendar = config.calendar.make_calendar()
            self.runtime = (runtime_factory or build_runtime)(self)
            self.clock = self.runtime.clock
            self.gateway = self.runtime.gateway
            self.connection = self._connection_for(self.runtime)
            #: the orders' one owner: book, router, risk gate, broker answers
            self.orders = OrderDesk(OrderDeskInputs(
                emit=self.emit, notify=self.notify, clock=self.clock, gateway=self.gateway, ledger=self.ledger,
                stats=self.stats, trading=self.trading, dispatch=self.dispatch,
                require_engine_thread=self.require_engine_thread, broker_connected=lambda: self.connection.connected,
                last_price=self.last_price), id_prefix=client_id_prefix(started, number))
            self.operator = OperatorCommands(self.control, self.trading, self.orders, self.emit, self.run_id,
                                             self.strategy_names)
            self.scheduler = build_scheduler(config, self.clock, self.calendar, self.dispatch)
            self._handlers = self._message_handlers()
            self._next_heartbeat: dt.datetime | None = None
            self._heartbeat_every = dt.timedelta(seconds=config.engine.heartbeat_seconds)
            self._trading_day: dt.date | None = None
            self._queue_warned = False
            self._gc = GcTuning(config.engine.gc_young_threshold)
            self.last_data_at: dt.datetime | None = None
        except BaseException:
            close_loaded(self.plugins)  # a bad runtime or job setting must not keep the audit lock
            raise

    # -- public ------------------------------------------------------------

    def run(self) -> RunSummary:
        """Connect, run until the replay ends or :meth:`stop` is called, shut down. Returns the summary."""
        self._engine_thread = threading.get_ident()
        logger.configure(extra={"run_id": self.run_id})
        wall_start = time.perf_counter()
        try:
            self.emit(RunStarted(mode=self.config.mode, config_path=str(self.config.source_path or ""),
                                 account=self.config.masked_account(), engine_version=__version__,
                                 settings=run_settings(self.config, self.plugins, self.runtime)))
        except JournalError:
            self._close_plugins()
            raise
        logger.info("run {} starting in {} mode with plugins: {}", self.run_id, self.config.mode, ", ".join(p.name for p in self.plugins))
        reason = "error"
        try:
            snapshot = self.connection.open()
            load_broker_snapshot(self.ledger, self.orders, snapshot)
            record = (read_day_record(self.audit_path, self.config.mode, self.run_id, self.clock.now())
                      if self.continues_account else DayRecord(self.clock.now().date()))
            restore_day(record, ledger=self.ledger, plugin_states=self.plugin_states,
                        state_of=lambda name: self.context_for(name).state, instrument=self.instrument,
                        calendar=self.calendar)
            recover_from_journal(self.orders, self.emit, self.config, self.run_id, self.clock.now().date(), snapshot)
            self.stats.start_equity = self.ledger.account.total_asset
            self.ledger.set_day_baseline(record.opening_equity)
            self._trading_day = self.clock.now().date()
            self.emit(ConnectionChanged(kind="connected", session_id=self.gateway.session_id, detail="ready"))
            self._accepting_orders = True
            self.operator.restore()
            self._announce_trading_day()
            self.notify("on_restore", record=record)
            self.notify("on_start")
            if self.config.engine.gc_tuning:
                self._gc.start()
            self._loop()
            reason = self._stop_reason or "completed"
        except KeyboardInterrupt:
            reason = "signal"
        except StartAborted as exc:
            logger.warning(str(exc))
            reason = exc.reason
        finally:
            self._gc.stop()
            summary = self._shutdown(reason, time.perf_counter() - wall_start)
        return summary

    def stop(self, reason: str = "requested") -> None:
        """Ask the loop to end; safe from any thread (the loop finishes its current message, or the
        start-up connect stops waiting for its next attempt)."""
        self.connection.interrupt(reason)
        self.inbound.put(("stop", reason))

    def emit(self, event: Event) -> None:
        """Stamp and dispatch an event through ``track_event``.

        :raises JournalError: a durable event could not be written by an audit journal.
        """
        self._seq += 1
        event.run_id, event.seq = self.run_id, self._seq
        event.ts = self.clock.now().isoformat(timespec="microseconds")
        if not event.durable:
            self.dispatch.notify("track_event", event=event)
            return
        recorded = set()
        for plugin, _result, failure in self.dispatch.collect("track_event", event=event):
            if plugin in self._journals:
                if failure is not None:
                    raise JournalError(f"audit journal {plugin!r} failed to record {event.name}: {failure.error}")
                recorded.add(plugin)
        missing = self._journals - recorded
        if missing:  # a FAULTED journal is skipped by the dispatcher: fail closed, never act unjournaled
            raise JournalError(f"audit journal {', '.join(sorted(missing))} is faulted; {event.name} was not recorded")

    def deliver(self, kind: str, payload: Any) -> None:
        """Handle a message now, after everything already queued: for replay feeds, which run on
        the engine thread and so need no queue hand-off."""
        self.drain()
        self._handlers[kind](payload)

    def drain(self) -> None:
        """Handle every message waiting on :attr:`inbound` (engine thread)."""
        # The engine thread is the queue's only consumer, so a non-zero size means get_nowait()
        # succeeds; checking it first saves an Empty exception per drain.
        size, take, handle = self.inbound.qsize, self.inbound.get_nowait, self._handle
        while size():
            handle(take())

    def handle_next(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for one inbound message and handle it (engine thread);
        False when none came."""
        try:
            message = self.inbound.get(timeout=timeout)
        except queue.Empty:
            return False
        self._handle(message)
        return True

    def close_order_gate(self) -> None:
        """The run is stopping: from now on ``ctx.buy`` / ``ctx.sell`` / ``ctx.cancel`` raise."""
        self._accepting_orders = False

    def summary(self, reason: str, elapsed: float) -> RunSummary:
        """The run's summary now: counters, faulted plugins and the account."""
        return self.stats.summary(run_id=self.run_id, mode=self.config.mode, reason=reason, elapsed=elapsed,
                                  ledger=self.ledger, faulted=self.dispatch.faulted, audit_path=str(self.audit_path))

    def notify(self, hook: str, **kwargs: Any) -> None:
        """Call a notification hook on every plugin, guarded."""
        self.dispatch.notify(hook, **kwargs)

    def context_for(self, plugin: str) -> StrategyContext:
        ctx = self._contexts.get(plugin)
        if ctx is None:
            ctx = self._contexts[plugin] = StrategyContext(self, plugin, self._params.get(plugin, {}))
        return ctx

    def require_engine_thread(self, action: str) -> None:
        if threading.get_ident() != self._engine_thread:
            raise RuntimeError(f"{action} must happen on the engine thread, inside a hook (not from another thread)")
        if not self._accepting_orders:
            raise RuntimeError(f"{action} is not possible now: the run has not started or is stopping")

    def last_price(self, code: str) -> float | None:
        tick = self.last_ticks.get(code)
        return tick.last_price if tick is not None else self.ledger.last_prices.get(code)

    def run_due_jobs(self) -> None:
        """Run the scheduled jobs due at the engine clock's time (the replay calls it between ticks)."""
        run_due_jobs(self.scheduler, self.dispatch, self.emit)

    def instrument(self, code: str) -> dict | None:
        """``get_instrument_detail`` for ``code`` (name, limit prices, pre-close), cached for the day."""
        if code not in self._instruments:
            try:
                self._instruments[code] = self.runtime.market.instrument(code)
            except Exception:  # noqa: BLE001 - unknown to the data source: callers treat None as "no data"
                logger.exception("get_instrument_detail({}) failed", code)
                self._instruments[code] = None
        return self._instruments[code]

    def trading_state_for(self, strategy: str) -> TradingState:
        """The more restrictive of the account's state and the strategy's own."""
        return self.trading.for_strategy(strategy)

    @property
    def account_state(self) -> TradingState:
        """The account's trading state (its causes: :attr:`trading`)."""
        return self.trading.account

    @property
    def strategy_states(self) -> dict[str, TradingState]:
        """Each strategy's own trading state (only strategies that ever had a cause)."""
        return self.trading.strategies()

    @property
    def strategy_names(self) -> frozenset[str]:
        """Names of every loaded plugin: what ``halt --strategy`` / ``resume --strategy`` may name."""
        return frozenset(p.name for p in self.plugins)

    @property
    def broker_connected(self) -> bool:
        """True while a live trader exists and no reconnect is pending."""
        return self.connection.connected

    def reduces_position(self, request) -> bool:
        """A sell within the T+1 sellable volume: risk-reducing, never blocked by exposure or loss rules."""
        return reduces_position(self.ledger, request)

    # -- loop --------------------------------------------------------------

    def _loop(self) -> None:
        feed = self.runtime.feed
        while self._stop_reason is None:
            self.drain()
            if self._stop_reason is not None:
                break
            if feed is not None:
                if feed.settle():
                    continue
                if not feed.advance():
                    feed.settle()
                    self.drain()
                    self._stop_reason = self._stop_reason or "completed"
                    break
            else:
                self.handle_next(timeout=0.2)
            self._monitor()

    def _handle(self, message: tuple[str, Any]) -> None:
        kind, payload = message
        handler = self._handlers.get(kind)
        if handler is None:
            logger.error("unknown inbound message kind {!r}", kind)
            return
        handler(payload)

    def _message_handlers(self) -> dict[str, Callable[[Any], None]]:
        return {
            "ticks": self._on_ticks, "bars": self._on_bars, **self.orders.inbound_handlers(),
            "disconnected": self._on_disconnected, "account_status": self._on_account_status,
            "stop": self._on_stop_message, "call": lambda fn: fn(),
        }

    def _announce_trading_day(self) -> None:
        today = self.clock.now().date()
        if not self.calendar.is_trading_day(today):
            detail = (f"{today} is not a trading day (next: {self.calendar.next_trading_day(today)}); "
                      "idling: only jobs that run on every day will fire")
            logger.warning(detail)
            self.emit(AlertRaised(kind="non_trading_day", detail=detail))

    def _on_ticks(self, ticks: list[Tick]) -> None:
        # one push is one moment: book every price of it first, then call on_tick tick by tick
        self.last_data_at = self.clock.now()
        last_ticks, mark = self.last_ticks, self.ledger.mark
        for tick in ticks:
            last_ticks[tick.code] = tick
            mark(tick.code, tick.last_price)
        self.stats.ticks += len(ticks)
        self.dispatch.notify_each("on_tick", "tick", ticks)

    def _on_bars(self, bars) -> None:
        history = self.bar_history
        for bar in bars:
            history.add(bar)
            self.ledger.mark(bar.code, bar.close)
            self.notify("on_bar", bar=bar)
        for moment_bars in bars_by_time(bars):  # issue 14: cross-sectional strategies
            self.notify("on_bars", bars=moment_bars)

    def _on_stop_message(self, reason: str) -> None:
        self._stop_reason = reason

    def _on_account_status(self, record) -> None:
        logger.info("account status {}", getattr(record, "status", record))

    def _on_disconnected(self, detail: str) -> None:
        self.trading.impose(DISCONNECT, TradingState.HALTED, "disconnect")
        self.connection.lost(detail or "")
        logger.error("broker disconnected: {}", detail or "(no detail)")
        self.notify("on_disconnect", reason=detail or "disconnected")

    def _reconnected(self, snapshot, attempts: int) -> None:
        """A new session is up: align with the broker, then let trading and queued cancels go on."""
        differences = reconcile_with_broker(self.orders, self.ledger, self.emit, snapshot)
        self.emit(ConnectionChanged(kind="reconnected", session_id=self.gateway.session_id,
                                    detail=f"after {attempts} attempt(s); {differences} difference(s) reconciled"))
        self.trading.release(DISCONNECT, "reconnected")
        self.orders.send_queued_cancels()
        self.notify("on_reconnect", attempts=attempts)

    def _connection_for(self, runtime) -> BrokerConnection:
        connection = BrokerConnection(runtime.gateway, runtime.market, subscribe=runtime.subscribe, clock=runtime.clock,
                                      emit=self.emit, settings=self.config.connection,
                                      on_reconnected=self._reconnected)
        if runtime.supervised is not None:
            connection.supervisor = LiveSupervisor(
                connection, runtime.gateway, runtime.market, settings=runtime.supervised, clock=runtime.clock,
                emit=self.emit, put=lambda message: self.inbound.put(message),
                last_data_at=lambda: self.last_data_at, calendar=self.calendar)
        return connection

    def begin_trading_day(self, day: dt.date) -> None:
        """A new day: age the holdings and reload asset and positions (T+1 volume is released overnight
        and the broker pushes nothing for it). Idempotent per day; the replay calls it before the
        day's first tick, the monitor step when the clock crosses midnight."""
        if self._trading_day == day:
            return
        first = self._trading_day is None
        self._trading_day = day
        if first:
            return
        # memory stays flat: keep the previous trading day (its statement) and today; the audit has the rest
        try:
            keep_from = self.calendar.previous_trading_day(day)
        except CalendarError:  # before the calendar's first day: keep from yesterday
            keep_from = day - dt.timedelta(days=1)
        self.ledger.roll_day(keep_from)
        self.orders.roll_day(keep_from)
        self._instruments.clear()  # limit prices and names are per day
        try:
            load_broker_snapshot(self.ledger, self.orders, self.gateway.load_snapshot())
        except Exception:  # noqa: BLE001 - a failed refresh is logged; the next query or push corrects it
            logger.exception("start-of-day refresh of the account failed")
        self.ledger.set_day_baseline()
        self.plugin_states.save_changed()

    def _monitor(self) -> None:
        now = self.clock.now()
        if self._trading_day != now.date():
            self.begin_trading_day(now.date())
        waiting = self.inbound.qsize()
        if waiting >= self.config.engine.queue_warn_size and not self._queue_warned:
            self._queue_warned = True
            logger.warning("{} inbound messages are waiting: hooks are slower than the market data", waiting)
        elif waiting < self.config.engine.queue_warn_size // 2:
            self._queue_warned = False
        if self._next_heartbeat is None or now >= self._next_heartbeat:
            self._next_heartbeat = now + self._heartbeat_every
            self.notify("on_heartbeat", now=now)
        if self.scheduler.has_work(now):
            self.run_due_jobs()
        self.connection.monitor()
        if not self.connection.reconnecting:
            self.orders.settle_unanswered(self.config.engine.submit_timeout_seconds)
        self.runtime.monitor(now)
        self.plugin_states.tick()
        watch_audit_storage(self.plugins, self.trading)  # halt while the audit cannot write (issue 20)
        if time.monotonic() >= self._next_control_poll:
            self._next_control_poll = time.monotonic() + self.config.engine.control_poll_seconds
            self.operator.apply_pending()

    # -- failures and shutdown (engine/core/lifecycle.py) ---------------------

    def _shutdown(self, reason: str, elapsed: float) -> RunSummary:
        return shutdown(self, reason, elapsed)

    def _close_plugins(self) -> None:
        close_plugins(self)

    @property
    def audit_path(self) -> Path:
        return self.config.audit.path


__all__ = ["Engine", "JournalError", "RunSummary"]
