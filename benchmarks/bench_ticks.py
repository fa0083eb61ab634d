"""Tick dispatch through the live pipeline, and tick-to-order latency, against floors in the same process.

    python benchmarks/bench_ticks.py [--codes 200] [--snapshots 100] [--latency-orders 500] [--quick]

Dispatch: whole snapshots of ``--codes`` codes are published to the simulator's
``xtdata`` (per-code ``subscribe_quote``, as ``live.codes`` does); its
market-data thread calls the engine's callbacks, which normalise and hand each
push to the engine queue; the engine thread calls ``on_tick`` of 1 and then 3
strategies (each orders 100 shares every 1,000th tick of a code: risk rules,
durable audit intent, simulator). Figure: ticks per second from the first
publish to the last ``on_tick``. Floor: a bare loop calling the same strategy
function on the same (already normalised) ticks.

Latency: one tick at a time (codes in turn), a strategy that orders on every 20th tick. For
each order: (SDK callback entered -> strategy entered) + (``ctx.buy`` called ->
``order_stock_async`` entered), i.e. the engine's part without the strategy's
own code; p50, p99 and max, with and without the durable audit commit of the
order intent (the one wait for the disk on that path).
"""

from __future__ import annotations

import argparse
import functools
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import header, line, peak_rss_mb, quantile, quiet_logs  # noqa: E402
from benchmarks.live_rig import LiveRig, codes, snapshots  # noqa: E402
from engine import hookimpl  # noqa: E402
from engine.clock import local_to_epoch_ms  # noqa: E402
from engine.marketdata import tick_from_xtdata  # noqa: E402


def signal(state: dict, tick, every: int) -> bool:
    """The strategy's own work: a per-code EMA of the last price; True on every ``every``-th tick of a code."""
    entry = state.get(tick.code)
    if entry is None:
        entry = state[tick.code] = [tick.last_price, 0]
    entry[0] = entry[0] * 0.9 + tick.last_price * 0.1
    entry[1] += 1
    return entry[1] % every == 0


class TickStrategy:
    """``on_tick`` = :func:`signal`, plus a 100-share buy at the ask when it fires."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.state: dict = {}
        self.ticks = 0

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        self.ticks += 1
        if signal(self.state, tick, self.every):
            ctx.buy(tick.code, 100, price=tick.ask1)


def dispatch(folder: Path, code_list: list[str], pushes: list[dict], strategies: int) -> tuple[float, float]:
    """(ticks/s through the engine, ticks/s of the bare loop) for ``strategies`` strategies."""
    plugins = tuple((f"s{i}", TickStrategy(1000)) for i in range(strategies))
    total = len(code_list) * len(pushes)
    with LiveRig(folder, code_list, plugins) as rig:
        last = plugins[-1][1]
        start = time.perf_counter()
        for push in pushes:
            rig.xtdata.publish(push)
        rig.wait_until(lambda: last.ticks >= total)
        engine_seconds = time.perf_counter() - start
    ticks = [tick_from_xtdata(code, record) for push in pushes for code, record in push.items()]
    states = [{} for _ in range(strategies)]
    start = time.perf_counter()
    for tick in ticks:
        for state in states:
            if signal(state, tick, 1000):
                pass
    floor_seconds = time.perf_counter() - start
    return total / engine_seconds, total / floor_seconds


class LatencyProbe:
    """Orders on every ``every``-th tick it sees (one tick per push, so never a burst).

    Per order sent it keeps ``(tick key, strategy entered, buy called, broker call entered, journal calls)``;
    the broker and journal wrappers of :func:`latency` fill ``broker_at`` and ``journal`` (the (start, end)
    of each durable journal call) during the buy.
    """

    def __init__(self, every: int) -> None:
        self.every = every
        self.state: dict = {}
        self.ticks = 0
        self.denied = 0
        self.broker_at: float | None = None
        self.journal: list[tuple[float, float]] = []
        self.samples: list[tuple] = []
        self.handled = threading.Event()

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        entered = time.perf_counter()
        self.ticks += 1
        signal(self.state, tick, self.every)
        if self.ticks % self.every == 0:
            self.broker_at, self.journal = None, []
            buy_at = time.perf_counter()
            order = ctx.buy(tick.code, 100, price=tick.ask1)
            if order is None or self.broker_at is None:
                self.denied += 1
            else:
                self.samples.append(((tick.code, tick.time), entered, buy_at, self.broker_at, self.journal))
        self.handled.set()


def latency(folder: Path, code_list: list[str], orders: int, every: int = 20,
            plugins: tuple = ()) -> dict[str, list[float]]:
    """Per order (seconds): ``to_strategy`` (SDK callback entered -> strategy entered), split into
    ``normalise`` (callback -> message queued) and ``handoff`` (queued -> strategy entered); ``to_broker``
    (``ctx.buy`` -> ``order_stock_async`` entered, minus the durable wait), split into ``before_journal``
    (``ctx.buy`` -> the journal called: request, risk, decisions) and ``after_journal`` (journal returned ->
    broker call); ``durable`` (the audit journal's call for the intent: its row and the wait for its
    commit); ``engine`` = to_strategy + to_broker; ``total`` = engine + durable. ``plugins`` are registered too
    (``benchmarks/bench_notify.py`` adds the notifier)."""
    probe = LatencyProbe(every)
    pushes = [{code: record} for push in snapshots(code_list, orders * every // len(code_list) + 1)
              for code, record in push.items()]  # one tick per push: nothing queued ahead of it
    callback_at: dict = {}
    queued_at: dict = {}
    with LiveRig(folder, code_list, (*plugins, ("probe", probe))) as rig:
        trader = rig.engine.gateway.trader
        original_send = trader.order_stock_async

        def timed_send(*args, **kwargs):
            probe.broker_at = time.perf_counter()
            return original_send(*args, **kwargs)

        trader.order_stock_async = timed_send

        rig.time_durable_journal(lambda started, ended: probe.journal.append((started, ended)))
        market = rig.engine.runtime.market
        original_put = market._put

        def stamped_put(message):
            now = time.perf_counter()
            for tick in message[1]:
                queued_at[(tick.code, tick.time)] = now
            return original_put(message)

        market._put = stamped_put
        for index, (kind, items, period, callback) in list(rig.xtdata._subs.items()):
            def stamped(data, callback=callback):
                now = time.perf_counter()
                for code, records in data.items():
                    for record in records:
                        callback_at[(code, record["time"])] = now
                callback(data)
            rig.xtdata._subs[index] = (kind, items, period, stamped)
        for push in pushes:
            probe.handled.clear()
            rig.clock.advance_to(_push_time(push))
            rig.xtdata.publish(push)
            if not probe.handled.wait(60):
                raise RuntimeError("the engine did not handle a tick within 60 s")
    out: dict[str, list[float]] = {key: [] for key in ("normalise", "handoff", "to_strategy", "to_broker", "engine",
                                                        "before_journal", "after_journal", "durable", "total")}
    for (code, when), entered, buy_at, sent, journal in probe.samples:
        called = callback_at[(code, local_to_epoch_ms(when))]
        queued = queued_at[(code, when)]
        waited = sum(ended - started for started, ended in journal)
        to_broker = sent - buy_at - waited
        for key, value in (("normalise", queued - called), ("handoff", entered - queued),
                           ("to_strategy", entered - called), ("to_broker", to_broker),
                           ("before_journal", journal[0][0] - buy_at), ("after_journal", sent - journal[-1][1]),
                           ("engine", entered - called + to_broker), ("durable", waited),
                           ("total", entered - called + sent - buy_at)):
            out[key].append(value)
    out["denied"] = [probe.denied]
    return out


def handoff_floor(kind: str, count: int) -> list[float]:
    """Seconds from ``put`` on one thread to the return of a blocked ``get`` on another: the bare
    thread hand-off, with nothing else running. ``kind``: how the consumer waits."""
    if kind == "Queue.get(timeout=0.2)":
        inbound = queue.Queue()
        take = functools.partial(inbound.get, timeout=0.2)
    elif kind == "SimpleQueue.get(timeout=0.2)":
        inbound = queue.SimpleQueue()
        take = functools.partial(inbound.get, timeout=0.2)
    else:
        inbound = queue.SimpleQueue()
        take = inbound.get
    seen: list[float] = []
    ack = threading.Event()

    def consume() -> None:
        for _ in range(count):
            stamp = take()
            seen.append(time.perf_counter() - stamp)
            ack.set()

    consumer = threading.Thread(target=consume, name="handoff-consumer")
    consumer.start()
    for _ in range(count):
        ack.clear()
        time.sleep(0.0002)  # the consumer is blocked in get() when the put comes, as the engine is between ticks
        inbound.put(time.perf_counter())
        ack.wait()
    consumer.join()
    return seen


def _push_time(push: dict):
    from engine.clock import epoch_ms_to_local

    return epoch_ms_to_local(next(iter(push.values()))["time"])


def _quantiles(samples: list[float]) -> str:
    return (f"p50 {quantile(samples, 0.5) * 1e6:8.1f} us   p99 {quantile(samples, 0.99) * 1e6:8.1f} us   "
            f"max {max(samples) * 1e6:8.1f} us")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codes", type=int, default=200)
    parser.add_argument("--snapshots", type=int, default=100, help="pushes of every code in the dispatch run")
    parser.add_argument("--latency-orders", type=int, default=500)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    quiet_logs()
    n_codes, n_push, n_orders = (20, 5, 20) if args.quick else (args.codes, args.snapshots, args.latency_orders)
    code_list = codes(n_codes)
    pushes = snapshots(code_list, n_push)
    header(f"tick dispatch: {n_codes} codes x {n_push} pushes through the live pipeline (simulator, thread delivery)")
    for count in (1, 3):
        with tempfile.TemporaryDirectory(prefix="bench-ticks-") as tmp:
            engine_rate, floor_rate = dispatch(Path(tmp), code_list, pushes, count)
        line(f"{count} strateg{'y' if count == 1 else 'ies'}: engine", f"{engine_rate:12,.0f} ticks/s  ({1e6 / engine_rate:.1f} us/tick)")
        line(f"{count} strateg{'y' if count == 1 else 'ies'}: bare loop", f"{floor_rate:12,.0f} ticks/s  ratio {floor_rate / engine_rate:.1f}x")
    header(f"tick-to-order latency: an order every 20th tick, {n_orders} orders")
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        result = latency(Path(tmp), codes(min(n_codes, 20)), n_orders)
    line("orders", f"{len(result['engine'])} sent, {result['denied'][0]} denied")
    for label, key in (("(a) callback -> strategy", "to_strategy"), ("    normalise + queue.put", "normalise"),
                       ("    queue -> strategy", "handoff"), ("(b) ctx.buy -> broker call", "to_broker"),
                       ("    ctx.buy -> journal", "before_journal"), ("    journal -> broker call", "after_journal"),
                       ("(a)+(b) engine overhead", "engine"), ("(c) durable intent wait", "durable"),
                       ("(d) total (a)+(b)+(c)", "total")):
        line(label, _quantiles(result[key]))
    line("note", "(b) excludes (c): the audit journal's call for the durable intent, measured and subtracted")
    line("target", "(a)+(b) < 50 us at p99 (SDK callback -> broker call, excluding strategy code and the commit)")
    header("floor: the bare thread hand-off (put -> a blocked get returns), same process")
    for kind in ("Queue.get(timeout=0.2)", "SimpleQueue.get(timeout=0.2)", "SimpleQueue.get()"):
        line(kind, _quantiles(handoff_floor(kind, 20 if args.quick else 2000)))
    line("peak RSS (MB)", f"{peak_rss_mb():.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
