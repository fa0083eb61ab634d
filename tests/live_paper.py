"""A paper run on pushed quotes, in the test's process, for tests that watch a live engine from outside
(tests/web, tests/notify): ``paper.feed: xtdata`` as on a MiniQMT machine, with a clock the test moves.

    run = LivePaperRun(folder)          # folder/config.yaml: mode paper, paper.feed xtdata, paper.codes [600000.SH]
    run.start()
    run.tick(expect={"alpha": "intent", "beta": "denial"})   # one quote; waits for each strategy's outcome
    run.stop()
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from pathlib import Path

from engine import hookimpl
from engine.clock import ManualClock
from engine.config import load_config
from engine.core import Engine
from engine.runtime.paper_live import PaperLiveDataRuntime
from engine.sim import make_tick

CODE = "600000.SH"
TEN = dt.datetime(2026, 3, 10, 10, 0, 0)

#: a strategy file: buys one lot on every tick (an order a tick, easy to count)
STRATEGY = '''
from engine import hookimpl


class Pulse:
    """Buys one lot on every tick: an order a tick, easy to count."""

    @hookimpl
    def on_tick(self, ctx, tick):
        if tick.ask1:
            ctx.buy(tick.code, 100, price=tick.ask1)
'''


def wait_for(condition, timeout: float = 20.0) -> bool:
    """Poll ``condition`` (something the engine or a server did) until it holds or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Quotes:
    """The ``xtdata`` calls the quote bridge makes; the test pushes quotes as MiniQMT's thread would."""

    def __init__(self):
        self.callbacks = {}

    def get_instrument_detail(self, code, iscomplete=False):
        return {"InstrumentName": "浦发银行", "OpenDate": "19991110"} if code == CODE else None

    def subscribe_quote(self, code, period="1d", start_time="", end_time="", count=0, callback=None):
        self.callbacks[code] = callback
        return len(self.callbacks)

    def unsubscribe_quote(self, seq):
        pass


class Probe:
    """Counts what the engine emitted, per strategy (what the test waits on)."""

    def __init__(self):
        self.started = threading.Event()
        self.intents, self.denials = {}, {}
        self.lock = threading.Lock()

    @hookimpl
    def on_start(self):
        self.started.set()

    @hookimpl
    def track_event(self, event):
        with self.lock:
            if event.name == "order_intent":
                self.intents[event.strategy] = self.intents.get(event.strategy, 0) + 1
            elif event.name == "order_denied":
                self.denials[event.strategy] = self.denials.get(event.strategy, 0) + 1

    def counts(self):
        with self.lock:
            return dict(self.intents), dict(self.denials)


class LivePaperRun:
    def __init__(self, folder: Path, plugins: tuple = ()):
        self.folder, self.quotes, self.probe = folder, Quotes(), Probe()
        self.clock = ManualClock(TEN)
        self.ticks = 0
        config = load_config(folder / "config.yaml", environ={})
        self.engine = Engine(config, extra_plugins=(*plugins, ("probe", self.probe)), load_entrypoints=False,
                             runtime_factory=lambda e: PaperLiveDataRuntime(e, xtdata=self.quotes, clock=self.clock))
        self.thread = threading.Thread(target=self.engine.run, name="engine")

    def start(self):
        self.thread.start()
        assert self.probe.started.wait(30), "the engine did not start"
        assert wait_for(lambda: CODE in self.quotes.callbacks)

    def tick(self, *, expect: dict[str, str]):
        """One quote; waits until each strategy in ``expect`` got its order ("intent") or its denial ("denial")."""
        before = self.probe.counts()
        self.ticks += 1
        self.clock.advance(seconds=3)
        price = round(10.0 + 0.01 * (self.ticks % 7), 2)
        record = make_tick(self.clock.now(), price, pre_close=10.0, asks=[(round(price + 0.01, 2), 500)],
                           bids=[(price, 500)], volume_lots=1000 + self.ticks)
        self.quotes.callbacks[CODE]({CODE: [record]})

        def done():
            intents, denials = self.probe.counts()
            return all((intents if what == "intent" else denials).get(name, 0) >
                       (before[0] if what == "intent" else before[1]).get(name, 0) for name, what in expect.items())

        assert wait_for(done), f"tick {self.ticks}: expected {expect}, saw {self.probe.counts()}"

    def on_engine_thread(self, fn):
        """Run ``fn()`` on the engine thread (where events are emitted) and return its result."""
        box = []
        self.engine.inbound.put(("call", lambda: box.append(fn())))
        assert wait_for(lambda: box), "the engine thread did not run the call"
        return box[0]

    def stop(self):
        self.engine.stop()
        self.thread.join(30)
        assert not self.thread.is_alive(), "the engine did not stop"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
