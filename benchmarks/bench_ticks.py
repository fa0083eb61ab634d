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
import sys
import tempfile
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
    """Orders on every ``every``-th tick it sees (one order at a time, never a burst); per order sent, records (tick key, strategy entered, buy called,
    broker call entered, durable intent seconds) from the stamps the wrappers leave in ``broker_at``/``journal``."""

    def __init__(self, every: int) -> None:
        self.every = every
        self.state: dict = {}
        self.ticks = 0
        self.denied = 0
        self.broker_at: list[float] = []
        self.journal: list[float] = []
        self.samples: list[tuple] = []

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        entered = time.perf_counter()
        self.ticks += 1
        signal(self.state, tick, self.every)
        if self.ticks % self.every == 0:
            buy_at = time.perf_counter()
            sent_before = len(self.broker_at)
            order = ctx.buy(tick.code, 100, price=tick.ask1)
            if order is None or len(self.broker_at) == sent_before:
                self.denied += 1
                return
            self.samples.append(((tick.code, tick.time), entered, buy_at, self.broker_at[-1], self.journal[-1]))


def latency(folder: Path, code_list: list[str], orders: int, every: int = 20) -> dict:
    """Per-order engine overhead (seconds) from the SDK callback to the broker call."""
    probe = LatencyProbe(every)
    pushes = [{code: record} for push in snapshots(code_list, orders * every // len(code_list) + 1)
              for code, record in push.items()]  # one tick per push: nothing queued ahead of it
    callback_at: dict = {}
    with LiveRig(folder, code_list, (("probe", probe),)) as rig:
        engine, trader = rig.engine, rig.engine.gateway.trader
        original_send = trader.order_stock_async

        def timed_send(*args, **kwargs):
            probe.broker_at.append(time.perf_counter())
            return original_send(*args, **kwargs)

        trader.order_stock_async = timed_send
        original_emit = engine.emit

        def timed_emit(event):
            if not event.durable:
                return original_emit(event)
            start = time.perf_counter()
            try:
                return original_emit(event)
            finally:
                probe.journal.append(time.perf_counter() - start)

        engine.emit = timed_emit
        for index, (kind, items, period, callback) in list(rig.xtdata._subs.items()):
            def stamped(data, callback=callback):
                now = time.perf_counter()
                for code, records in data.items():
                    for record in records:
                        callback_at[(code, record["time"])] = now
                callback(data)
            rig.xtdata._subs[index] = (kind, items, period, stamped)
        total = 0
        for push in pushes:
            total += len(push)
            rig.clock.advance_to(_push_time(push))
            rig.xtdata.publish(push)
            rig.wait_until(lambda: probe.ticks >= total)
    overhead, without_journal = [], []
    for (code, when), entered, buy_at, sent, journalled in probe.samples:
        value = (entered - callback_at[(code, local_to_epoch_ms(when))]) + (sent - buy_at)
        overhead.append(value)
        without_journal.append(value - journalled)
    return {"orders": len(overhead), "denied": probe.denied, "with": overhead, "without": without_journal,
            "journal": [sample[4] for sample in probe.samples]}


def _push_time(push: dict):
    from engine.clock import epoch_ms_to_local

    return epoch_ms_to_local(next(iter(push.values()))["time"])


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
    for label, key in (("with durable intent", "with"), ("without the commit", "without")):
        samples = result[key]
        line(label, f"p50 {quantile(samples, 0.5) * 1e6:8.1f} us   p99 {quantile(samples, 0.99) * 1e6:8.1f} us   "
                    f"max {max(samples) * 1e6:8.1f} us   ({result['orders']} orders, {result['denied']} denied)")
    commits = result["journal"]
    line("the durable intent alone", f"p50 {quantile(commits, 0.5) * 1e6:8.1f} us   p99 {quantile(commits, 0.99) * 1e6:8.1f} us")
    line("target", "SDK callback -> broker call < 50 us at p99 (excluding strategy code)")
    line("peak RSS (MB)", f"{peak_rss_mb():.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
