"""A live-like engine for the tick benchmarks: ``mode: live`` over the simulator in thread delivery.

Everything a live run has is on: the engine thread with its queue, the
simulator's market-data thread calling ``XtMarketData``'s callbacks (as
``xtdata`` does), the trader's worker thread for broker pushes, the built-in
audit, risk and trading-day plugins. Only the exchange is simulated.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import types
from pathlib import Path

from benchmarks.common import SESSION_TIME, engine_config
from engine import hookimpl
from engine.clock import ManualClock, local_to_epoch_ms
from engine.core import Engine
from engine.runtime.live import LiveRuntime
from engine.sim import SimConfig, SimCounter, SimXtData, SimXtQuantTrader


def codes(count: int) -> list[str]:
    """``count`` SH main-board codes (600000.SH, 600001.SH, ...)."""
    return [f"{600000 + i:06d}.SH" for i in range(count)]


def tick_record(when: dt.datetime, price: float, volume_lots: int) -> dict:
    """An xtdata tick dict with five levels a side."""
    asks = [round(price + 0.01 * i, 2) for i in range(1, 6)]
    bids = [round(price - 0.01 * i, 2) for i in range(5)]
    return {"time": local_to_epoch_ms(when), "lastPrice": price, "open": 10.0, "high": 10.5, "low": 9.5,
            "lastClose": 10.0, "amount": volume_lots * 1000.0, "volume": volume_lots, "pvolume": volume_lots * 100,
            "stockStatus": 0, "transactionNum": volume_lots, "askPrice": asks, "bidPrice": bids,
            "askVol": [50, 40, 30, 20, 10], "bidVol": [50, 40, 30, 20, 10]}


def snapshots(code_list: list[str], count: int) -> list[dict[str, dict]]:
    """``count`` whole-market pushes ``{code: tick}``, prices walking a little, volume growing."""
    out = []
    for n in range(count):
        when = SESSION_TIME + dt.timedelta(seconds=3 * n)
        out.append({code: tick_record(when, round(10.0 + ((n + i) % 7 - 3) * 0.01, 2), 1000 + 10 * n)
                    for i, code in enumerate(code_list)})
    return out


class Started:
    """Sets an event once the engine called ``on_start`` (the run is live)."""

    def __init__(self) -> None:
        self.event = threading.Event()

    @hookimpl
    def on_start(self) -> None:
        self.event.set()


class LiveRig:
    """Builds and runs the engine on its own thread; ``xtdata.publish`` feeds it like MiniQMT would."""

    def __init__(self, folder: Path, code_list: list[str], plugins: tuple, *, whole_market: bool = False) -> None:
        self.clock = ManualClock(SESSION_TIME)
        self.counter = SimCounter(SimConfig(account_id="BENCH001", initial_cash=100_000_000), clock=self.clock)
        self.xtdata = SimXtData(self.counter)
        self.xtdata.load_instruments([{"code": c, "name": c, "kind": "stock", "prev_close": 10.0} for c in code_list])
        counter = self.counter
        sdk = types.SimpleNamespace(XtQuantTrader=lambda path, session: SimXtQuantTrader(path, session, counter=counter))
        live = {"userdata_path": str(folder), "codes": code_list, "whole_market": whole_market,
                "data_timeout_seconds": 3600, "liveness_seconds": 3600, "daily_reinit": None}
        self.started = Started()
        config = engine_config(folder, "live", live=live, engine={"control_path": str(folder / "control.db"),
                                                                  "heartbeat_seconds": 5.0})
        self.engine = Engine(config, extra_plugins=(*plugins, ("bench_started", self.started)),
                             runtime_factory=lambda e: LiveRuntime(e, sdk=(sdk, self.xtdata), clock=self.clock),
                             load_entrypoints=False)
        self.thread = threading.Thread(target=self.engine.run, name="engine")

    def __enter__(self) -> LiveRig:
        self.thread.start()
        if not self.started.event.wait(30):
            raise RuntimeError("the engine did not start within 30 s")
        return self

    def __exit__(self, *exc) -> None:
        self.engine.stop()
        self.thread.join(60)

    def time_durable_journal(self, record) -> None:
        """Call ``record(started, ended)`` (``perf_counter`` stamps) around each durable event's call of the
        audit journal's ``track_event`` (building its row, then waiting for its commit). Call before the first order."""
        for impl in self.engine.pm.hook.track_event.get_hookimpls():
            if getattr(impl.plugin, "AUDIT_JOURNAL", False):
                impl.function = _timed_journal(impl.function, record)
        refresh = getattr(self.engine.dispatch, "refresh", None)
        if refresh is not None:  # the dispatcher may have cached the hook's functions
            refresh()

    def wait_until(self, condition, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise RuntimeError("the engine did not finish the benchmark's ticks in time")
            time.sleep(0.0005)


def _timed_journal(track_event, record):
    """``track_event`` that reports the start and end of each durable call to ``record``."""

    def timed(event):
        if not event.durable:
            return track_event(event)
        start = time.perf_counter()
        try:
            return track_event(event)
        finally:
            record(start, time.perf_counter())

    return timed
