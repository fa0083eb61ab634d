"""Run the engine's live gateway against a broker backend, and drive the market from a second thread.

Two backends serve the same scenarios (:func:`build_broker`):

* ``"xtquant"``: the real ``xtquant.xttrader.XtQuantTrader`` and ``xtquant.xtdata``
  over the native doubles, served by a :class:`~.doubles.miniqmt.MiniQmtDouble`;
* ``"sim"``: ``SimXtQuantTrader`` and ``SimXtData`` straight from ``engine.sim``.

Both trade on one ``SimCounter`` whose ``ManualClock`` is also the engine's clock.

:class:`LiveRun` runs ``Engine.run()`` on the calling (main) thread, as the CLI
does, while a scenario script runs on a driver thread: it publishes ticks,
moves the clock, asks the engine thread to act (:meth:`LiveRun.on_engine`)
and waits for conditions. (The engine stays on the main thread because
``XtQuantTrader.__del__`` reads ``self.oldloop``, which only exists when the
trader was built on the thread named ``MainThread``.)
"""

from __future__ import annotations

import datetime as dt
import functools
import queue
import textwrap
import threading
import time
import types
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from engine import hookimpl
from engine.audit import open_audit_db
from engine.clock import ManualClock
from engine.config import load_config
from engine.core import Engine
from engine.runtime.live import LiveRuntime
from engine.sim import FaultConfig, SimConfig, SimCounter, SimXtData, SimXtQuantTrader, make_tick
from engine.xt import constants as xtc
from engine.xt.records import StockAccount

from .doubles import datacenter, miniqmt
from .doubles.miniqmt import ApiCall

ACCOUNT = "T0001"
CODE = "600000.SH"
START = dt.datetime(2026, 3, 10, 10, 0)  # a Tuesday, continuous auction
INSTRUMENTS = [{"code": CODE, "name": "浦发银行", "listing_date": "1999-11-10", "is_st": 0, "t0": 0, "kind": "stock"}]
BACKENDS = ("xtquant", "sim")
WAIT_SECONDS = 5.0


class ScenarioError(AssertionError):
    """A scenario step did not happen in time; the message says which."""


def quote(clock: ManualClock, last: float = 10.0, *, ask_lots: int = 5, bid_lots: int = 8,
          volume_lots: int = 100) -> dict:
    """One tick of ``CODE`` at the clock's time: best ask ``last``, best bid one tick lower."""
    return {CODE: make_tick(clock.now(), last, pre_close=9.9, asks=[(last, ask_lots)],
                            bids=[(round(last - 0.01, 2), bid_lots)], volume_lots=volume_lots)}


# -- backends ------------------------------------------------------------------------------


class CallLog:
    """Every SDK call of the ``"sim"`` backend, with its thread (the double keeps its own)."""

    def __init__(self) -> None:
        self.calls: list[ApiCall] = []
        self._lock = threading.Lock()

    def record_call(self, api: str, method: str) -> None:
        current = threading.current_thread()
        with self._lock:
            self.calls.append(ApiCall(api, method, current.ident or 0, current.name))


class Recording:
    """Proxy that records each public method call on ``log`` before forwarding it."""

    def __init__(self, target: Any, api: str, log: CallLog) -> None:
        self._target, self._api, self._log = target, api, log

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value) or name.startswith("_"):
            return value

        @functools.wraps(value)
        def recorded(*args, **kwargs):
            self._log.record_call(self._api, name)
            return value(*args, **kwargs)

        return recorded


@dataclass
class Broker:
    """A backend: the counter and market side every engine of a test trades on."""

    kind: str
    clock: ManualClock
    counter: SimCounter
    md: SimXtData
    sdk: tuple
    userdata: Path
    native: miniqmt.MiniQmtDouble | None = None
    log: Any = None
    sim_sessions: list[int] = field(default_factory=list)

    @property
    def calls(self) -> list[ApiCall]:
        return list(self.log.calls)

    @property
    def sessions(self) -> list[int]:
        """Session ids of every trader built so far."""
        return self.native.sessions if self.native is not None else list(self.sim_sessions)

    def close(self) -> None:
        if self.native is not None:
            miniqmt.unregister(self.native)
            datacenter.detach()
        self.counter.close()


def build_broker(kind: str, tmp_path: Path, real=None, *, faults: FaultConfig | None = None) -> Broker:
    """A counter at ``START`` with ``CODE`` listed and quoted, served through backend ``kind``."""
    clock = ManualClock(START)
    counter = SimCounter(SimConfig(account_id=ACCOUNT, faults=faults or FaultConfig()), clock=clock)
    md = SimXtData(counter)
    md.load_instruments(INSTRUMENTS)
    md.publish(quote(clock))
    userdata = tmp_path / "userdata_mini"
    userdata.mkdir(exist_ok=True)
    if kind == "xtquant":
        if real is None:
            raise ValueError("the xtquant backend needs the real SDK modules (fixture real_xtquant)")
        native = miniqmt.MiniQmtDouble(counter, userdata)
        miniqmt.register(native)
        datacenter.attach(md, native)
        return Broker(kind, clock, counter, md, (real.xttrader, real.xtdata), userdata, native=native, log=native)
    if kind == "sim":
        log = CallLog()
        broker = Broker(kind, clock, counter, md, (), userdata, log=log)

        def trader(path, session):
            broker.sim_sessions.append(session)
            return Recording(SimXtQuantTrader(path, session, counter=counter), "xttrader", log)

        broker.sdk = (types.SimpleNamespace(XtQuantTrader=trader), Recording(md, "xtdata", log))
        return broker
    raise ValueError(f"unknown backend {kind!r}; expected one of {BACKENDS}")


# -- the engine side -----------------------------------------------------------------------


class Recorder:
    """A plugin implementing every engine hook; records (hook, detail, thread id)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, int]] = []
        self.events: list[Any] = []
        self.started = threading.Event()
        self.at_start: dict[str, Any] = {}

    def _record(self, hook: str, detail: Any = None) -> None:
        self.calls.append((hook, detail, threading.get_ident()))

    def hooks(self, *names: str) -> list[tuple[str, Any]]:
        return [(hook, detail) for hook, detail, _ in self.calls if not names or hook in names]

    def of(self, event_name: str) -> list[Any]:
        return [e for e in list(self.events) if e.name == event_name]

    @hookimpl
    def on_start(self, ctx):
        """Record what a strategy sees when it starts (the readiness gate's result)."""
        self._record("on_start")
        self.at_start = {
            "cash": ctx.account.cash,
            "positions": {code: p.volume for code, p in ctx.positions.items()},
            "open_orders": {o.client_order_id: (int(o.status), o.traded_volume, o.external)
                            for o in ctx.open_orders(all_strategies=True)},
            "instrument": ctx.instrument(CODE),
        }
        self.started.set()

    @hookimpl
    def on_stop(self, ctx, reason):
        self._record("on_stop", reason)

    @hookimpl
    def on_heartbeat(self, now):
        self._record("on_heartbeat", now)

    @hookimpl
    def on_tick(self, tick):
        self._record("on_tick", (tick.code, tick.last_price))

    @hookimpl
    def check_order(self, request):
        self._record("check_order", request.client_order_id)

    @hookimpl
    def on_order(self, order):
        self._record("on_order", (order.client_order_id, int(order.status), order.traded_volume))

    @hookimpl
    def on_trade(self, fill):
        self._record("on_trade", (fill.client_order_id, fill.trade_id, fill.volume))

    @hookimpl
    def on_order_error(self, error):
        self._record("on_order_error", (error.client_order_id, error.error_msg))

    @hookimpl
    def on_cancel_error(self, error):
        self._record("on_cancel_error", (error.client_order_id, error.error_msg))

    @hookimpl
    def on_disconnect(self, reason):
        self._record("on_disconnect", reason)

    @hookimpl
    def on_reconnect(self, attempts):
        self._record("on_reconnect", attempts)

    @hookimpl
    def track_event(self, event):
        self._record("track_event", event.name)
        self.events.append(event)


class EngineStopped(ScenarioError):
    """The engine ended while the scenario still needed it."""


class _RecordingQueue(queue.SimpleQueue):
    """The engine's inbound queue, noting the kind of every message put on it."""

    def __init__(self, kinds: list[str]) -> None:
        super().__init__()
        self.kinds = kinds

    def put(self, item, block: bool = True, timeout: float | None = None) -> None:
        self.kinds.append(item[0])
        super().put(item, block, timeout)


class LiveRun:
    """One ``Engine`` in live mode on ``broker``; :meth:`run` runs it with a scenario script.

    :param audit: the audit file name inside ``tmp_path`` (a restart reuses it).
    :param account: the fund account in the config (the counter's is ``ACCOUNT``).
    :param live: more ``live:`` settings, one ``key: value`` per line.
    :param extra: YAML appended to the config (e.g. a ``risk:`` section).
    :param connection: the ``connection:`` settings, one ``key: value`` per line (default: one
        start-up attempt, so a refused start fails at once).
    """

    def __init__(self, tmp_path: Path, broker: Broker, *, audit: str = "audit.db", live: str = "",
                 extra: str = "", config_name: str = "config.yaml", account: str = ACCOUNT,
                 connection: str = "connect_retry_seconds: 0") -> None:
        self.broker = broker
        self.audit_path = tmp_path / audit
        text = textwrap.dedent(f"""\
            mode: live
            account_id: {account}
            logging: {{file: null}}
            audit: {{path: {self.audit_path.as_posix()}}}
            plugins: {{load_entrypoints: false, disabled: [console]}}
            live:
              userdata_path: {broker.userdata.as_posix()}
              codes: ['{CODE}']
            """) + textwrap.indent(textwrap.dedent(live), "  ") + "connection:\n" + textwrap.indent(
            textwrap.dedent(connection), "  ") + "\n" + textwrap.dedent(extra)
        path = tmp_path / config_name
        path.write_text(text, encoding="utf-8")
        self.recorder = Recorder()
        self.inbound_kinds: list[str] = []
        self.engine = Engine(load_config(path, environ={}), extra_plugins=(("recorder", self.recorder),),
                             load_entrypoints=False, runtime_factory=self._runtime)
        self.engine_thread: int | None = None
        self._finished = threading.Event()

    def _runtime(self, engine: Engine) -> LiveRuntime:
        engine.inbound = _RecordingQueue(self.inbound_kinds)  # sees every message's kind, in order
        return LiveRuntime(engine, sdk=self.broker.sdk, clock=self.broker.clock)

    @property
    def ctx(self):
        """The recorder's strategy context (use it inside :meth:`on_engine`)."""
        return self.engine.context_for("recorder")

    # -- running -------------------------------------------------------------------------

    def run(self, script: Callable[[LiveRun], None], timeout: float = 20.0):
        """Run the engine here and ``script(self)`` on a driver thread; returns the run summary.

        The script starts once ``on_start`` ran; the engine is stopped when it
        returns. An exception in the script is re-raised here.
        """
        failure: list[BaseException] = []

        def drive() -> None:
            try:
                while not self.recorder.started.wait(0.02):
                    if self._finished.is_set():
                        return
                script(self)
            except BaseException as exc:  # re-raised on the test's thread
                failure.append(exc)
            finally:
                self.engine.stop("scenario done")

        driver = threading.Thread(target=drive, name="scenario-driver", daemon=True)
        driver.start()
        self.engine_thread = threading.get_ident()
        try:
            summary = self.engine.run()
        finally:
            self._finished.set()
            driver.join(timeout)
        if driver.is_alive():
            raise ScenarioError(f"the scenario script did not finish within {timeout} s")
        if failure:
            raise failure[0]
        return summary

    # -- driver-side helpers ---------------------------------------------------------------

    def on_engine(self, fn: Callable[[], Any], what: str = "engine call") -> Any:
        """Run ``fn`` on the engine thread (an inbound ``call`` message) and return its result."""
        future: Future = Future()

        def call() -> None:
            try:
                future.set_result(fn())
            except BaseException as exc:
                future.set_exception(exc)

        self.engine.inbound.put(("call", call))
        deadline = time.monotonic() + WAIT_SECONDS
        while not future.done():
            if self._finished.is_set():
                raise EngineStopped(f"{what}: the engine stopped first")
            if time.monotonic() > deadline:
                raise ScenarioError(f"{what}: the engine thread did not run it within {WAIT_SECONDS} s")
            time.sleep(0.005)
        return future.result()

    def wait_for(self, condition: Callable[[], Any], what: str, timeout: float = WAIT_SECONDS) -> Any:
        """Poll ``condition`` until it is truthy; its value, or ScenarioError naming ``what``."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if self._finished.is_set():
                raise EngineStopped(f"waiting for {what}: the engine stopped")
            if time.monotonic() > deadline:
                raise ScenarioError(f"waiting for {what}: not within {timeout} s")
            time.sleep(0.01)

    def publish(self, last: float = 10.0, **levels: int) -> None:
        """Publish one tick of ``CODE`` (see :func:`quote`)."""
        self.broker.md.publish(quote(self.broker.clock, last, **levels))

    def advance(self, **delta: float) -> None:
        """Move the shared clock, let the counter see it, and wake the engine's monitor step."""
        self.broker.clock.advance(**delta)
        self.broker.counter.poll()
        self.engine.inbound.put(("call", lambda: None))

    def order(self, client_order_id: str):
        return self.engine.orders.get(client_order_id)


def place_by_hand(broker, volume: int, price: float, remark: str = "") -> int:
    """An order typed into the QMT client (another session on the same counter); returns its id."""
    manual = SimXtQuantTrader("qmt-client", 999, counter=broker.counter)
    manual.start()
    assert manual.connect() == 0 and manual.subscribe(StockAccount(ACCOUNT)) == 0
    order_id = manual.order_stock(StockAccount(ACCOUNT), CODE, xtc.STOCK_BUY, volume, xtc.FIX_PRICE, price,
                                  "manual", remark)
    manual.stop()
    return order_id


def audit_rows(path: Path, table: str, where: str = "1=1", params: tuple = ()) -> list[dict]:
    """Rows of one audit table, in (run, seq) order."""
    db = open_audit_db(path, create=False)
    try:
        return list(db.query(f"SELECT * FROM [{table}] WHERE {where} ORDER BY rowid", params))
    finally:
        db.close()
