"""Run the real engine (paper mode: simulator + replay + SQLite audit) inside a test."""

from __future__ import annotations

import textwrap

import pytest

import datetime as dt
import threading
import time
import types

from engine import hookimpl
from engine.clock import ManualClock
from engine.config import load_config
from engine.core import Engine
from engine.marketdata import SAMPLE_DIR, load_instruments
from engine.runtime.live import LiveRuntime
from engine.sim import SimConfig, SimCounter, SimXtData, SimXtQuantTrader

BASE_CONFIG = """
mode: paper
account_id: T0001
logging: {{file: null}}
audit: {{path: audit.db}}
paper:
  codes: {codes}
  initial_cash: 1000000
{paper}plugins:
  load_entrypoints: false
  disabled: {disabled}
"""


@pytest.fixture
def engine_factory(tmp_path):
    """Build an Engine on a config written to tmp_path; ``extra`` is YAML appended to the base."""

    def build(extra: str = "", *, codes=("600000.SH",), disabled=("console",), plugins=(), paper: str = ""):
        paper_lines = textwrap.indent(textwrap.dedent(paper), "  ")
        text = BASE_CONFIG.format(codes=list(codes), disabled=list(disabled), paper=paper_lines) + textwrap.dedent(extra)
        path = tmp_path / "config.yaml"
        path.write_text(text, encoding="utf-8")
        return Engine(load_config(path, environ={}), extra_plugins=tuple(plugins), load_entrypoints=False)

    return build



class EventLog:
    def __init__(self):
        self.events = []
        self.started = threading.Event()

    @hookimpl
    def on_start(self):
        self.started.set()

    @hookimpl
    def track_event(self, event):
        self.events.append(event)

    def of(self, name):
        return [e for e in self.events if e.name == name]


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


class MonitorSteps:
    """Counts the engine's monitor steps (wraps ``runtime.monitor``, which the engine thread calls at
    the end of every monitor step), so a test can wait until the engine has looked at the clock."""

    def __init__(self, runtime):
        self._monitor, self._done, self._cond = runtime.monitor, 0, threading.Condition()
        runtime.monitor = self._step

    def _step(self, now):
        try:
            self._monitor(now)
        finally:
            with self._cond:
                self._done += 1
                self._cond.notify_all()

    def wait(self, engine, timeout: float = 20.0) -> None:
        """Return once a monitor step that began after this call has ended.

        A step in progress now may have read the clock before the caller moved
        it, so this waits for two more completed steps: the second began after
        the first ended. An inbound message wakes the loop at once.
        """
        with self._cond:
            target = self._done + 2
        engine.inbound.put(("call", lambda: None))
        with self._cond:
            assert self._cond.wait_for(lambda: self._done >= target, timeout), "the engine ran no monitor step"


def engine_steps(engine, timeout: float = 20.0) -> None:
    """Wait until the engine thread's monitor step has seen everything set before this call (the clock
    included): an observable point, not a guess of time. Engines from ``live_engine`` only."""
    engine.monitor_steps.wait(engine, timeout)


@pytest.fixture
def live_engine(tmp_path):
    started = []
    counters: dict = {}  # one broker counter for the whole test: a restarted engine finds its state

    def start(now: dt.datetime, extra: str = "", plugins: tuple = (), jobs_yaml: str = ""):
        """Start a live-mode engine (LiveRuntime over the simulator) on its own thread; return
        (engine, clock, event_log, xtdata). Engines are stopped at the end of the test."""
        clock = ManualClock(now)
        counter = counters.setdefault("counter", SimCounter(SimConfig(account_id="T0001"), clock=clock))
        counter.clock = clock
        xtdata = SimXtData(counter)
        xtdata.load_instruments(load_instruments(SAMPLE_DIR / "instruments.csv"))
        sdk = types.SimpleNamespace(XtQuantTrader=lambda path, session: SimXtQuantTrader(path, session, counter=counter))
        path = tmp_path / "config.yaml"
        path.write_text(
            "mode: live\naccount_id: T0001\nlogging: {file: null}\naudit: {path: audit.db}\n"
            "plugins: {load_entrypoints: false, disabled: [console]}\n"
            f"{jobs_yaml}live:\n  userdata_path: {tmp_path}\n  codes: ['600000.SH']\n{extra}", encoding="utf-8")
        log = EventLog()
        engine = Engine(load_config(path, environ={}), extra_plugins=(*plugins, ("log", log)),
                        runtime_factory=lambda e: LiveRuntime(e, sdk=(sdk, xtdata), clock=clock))
        engine.monitor_steps = MonitorSteps(engine.runtime)
        thread = threading.Thread(target=engine.run, name="engine")
        thread.start()
        started.append((engine, thread))
        assert log.started.wait(20), "the engine did not start"
        return engine, clock, log, xtdata

    def stop(engine):
        for running, thread in started:
            if running is engine:
                engine.stop()
                thread.join(10)
                assert not thread.is_alive()

    start.stop = stop
    yield start
    for engine, thread in started:
        engine.stop()
        thread.join(10)
        assert not thread.is_alive()

