"""A whole-market snapshot (5,500 codes) normalised and dispatched through 3 plugins.

    python benchmarks/bench_snapshot.py [--codes 5500] [--snapshots 20] [--prices spread|flat] [--quick]

The engine subscribes the whole market (``subscribe_whole_quote``, as
``live.whole_market`` does). For each snapshot: from the moment the simulator's
market-data thread enters the engine's callback (one ``{code: tick}`` dict with
every code) until the third plugin has handled the last code's ``on_tick``:
normalisation to :class:`~engine.models.Tick`, the queue hand-off, the engine's
bookkeeping (last ticks, marks, counters) and three guarded ``on_tick`` calls
per code. The second plugin reads ``bid1``/``ask1`` of every tick, so every
book is converted too (on the engine thread, at that first read). The
simulator's own matching of the snapshot happens before the callback and is not
counted.

Prices: ``spread`` (the default) gives each code its own price between 2 and
200 CNY on the 0.01 grid, moving a tick or two per snapshot, with xtdata-like
binary noise (``11.370000000000001``), ``time`` values spread over the 3 s
window, and 2 % of the codes at limit-up (no asks). ``flat`` is the older data
of ``live_rig.snapshots`` (every code near 10.00 with the same book), which
flatters anything that remembers prices.

Floors in the same process: the three plugin functions called directly on the
already-normalised ticks, the normalisation alone (``ticks_from_xtdata``, as the
callback does it) and the conversion of every book on its first read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import SESSION_TIME, header, line, peak_rss_mb, quantile, quiet_logs  # noqa: E402
from benchmarks.live_rig import LiveRig, codes, snapshots  # noqa: E402
from engine import hookimpl  # noqa: E402
from engine.clock import local_to_epoch_ms  # noqa: E402
from engine.marketdata import ticks_from_xtdata  # noqa: E402


def last_price_book(state: dict, tick) -> None:
    state[tick.code] = tick.last_price


def spread_watch(state: dict, tick) -> None:
    if tick.ask1 is not None and tick.bid1 is not None and tick.ask1 - tick.bid1 > 0.05:
        state[tick.code] = tick.ask1 - tick.bid1


def volume_delta(state: dict, tick) -> None:
    state[tick.code] = tick.volume - state.get(tick.code, tick.volume)


FUNCTIONS = (last_price_book, spread_watch, volume_delta)


class SnapshotPlugin:
    """Calls one of :data:`FUNCTIONS` per tick; the last plugin also notes when a snapshot is done."""

    def __init__(self, function, last_code: str | None = None) -> None:
        self.function = function
        self.state: dict = {}
        self.last_code = last_code
        self.done_at: list[float] = []

    @hookimpl
    def on_tick(self, tick) -> None:
        self.function(self.state, tick)
        if tick.code == self.last_code:
            self.done_at.append(time.perf_counter())


def spread_snapshots(code_list: list[str], count: int, seed: int = 8) -> list[dict[str, dict]]:
    """``count`` whole-market pushes with each code at its own price (see the module docstring)."""
    rng = random.Random(seed)
    cents = {code: rng.randint(200, 20_000) for code in code_list}
    out = []
    for n in range(count):
        push_ms = local_to_epoch_ms(SESSION_TIME + dt.timedelta(seconds=3 * n))
        push = {}
        for i, code in enumerate(code_list):
            cents[code] += rng.randint(-2, 2)
            price = cents[code]
            limit_up = i % 50 == 0
            push[code] = {
                "time": push_ms - rng.randrange(3000), "lastPrice": price * 0.01, "open": (price - 3) / 100,
                "high": (price + 5) / 100, "low": (price - 7) / 100, "lastClose": (price - 1) / 100,
                "amount": 1e6 + 1000.0 * n, "volume": 1000 + 10 * n, "pvolume": (1000 + 10 * n) * 100,
                "stockStatus": 13, "transactionNum": 100 + n,
                "askPrice": [0.0] * 5 if limit_up else [(price + k) / 100 for k in range(1, 6)],
                "askVol": [0] * 5 if limit_up else [rng.randint(1, 500) for _ in range(5)],
                "bidPrice": [(price - k) * 0.01 for k in range(5)],  # 0.01 * k: xtdata-like binary noise
                "bidVol": [rng.randint(1, 500) for _ in range(5)],
            }
        out.append(push)
    return out


def run(folder: Path, code_list: list[str], pushes: list[dict]) -> list[float]:
    """Seconds per snapshot, callback entered -> last on_tick of the third plugin."""
    plugins = (("p1", SnapshotPlugin(FUNCTIONS[0])), ("p2", SnapshotPlugin(FUNCTIONS[1])),
               ("p3", SnapshotPlugin(FUNCTIONS[2], last_code=code_list[-1])))
    last = plugins[-1][1]
    started: list[float] = []
    with LiveRig(folder, code_list, plugins, whole_market=True) as rig:
        for index, (kind, items, period, callback) in list(rig.xtdata._subs.items()):
            def stamped(data, callback=callback):
                started.append(time.perf_counter())
                callback(data)
            rig.xtdata._subs[index] = (kind, items, period, stamped)
        for number, push in enumerate(pushes, start=1):
            rig.xtdata.publish(push)
            rig.wait_until(lambda: len(last.done_at) >= number)
    return [done - begin for begin, done in zip(started, last.done_at)]


def floors(pushes: list[dict], repeat: int = 5) -> tuple[float, float, float]:
    """Best of ``repeat`` (seconds): normalise one snapshot; convert its books on first read;
    the 3 functions over one normalised snapshot."""
    normalise = books = plugins = float("inf")
    for n in range(repeat):
        push = pushes[n % len(pushes)]
        start = time.perf_counter()
        ticks = ticks_from_xtdata(push, lot_size=None)
        normalise = min(normalise, time.perf_counter() - start)
        start = time.perf_counter()
        for tick in ticks:
            tick.bid1
        books = min(books, time.perf_counter() - start)
        states = [{} for _ in FUNCTIONS]
        start = time.perf_counter()
        for tick in ticks:
            for function, state in zip(FUNCTIONS, states):
                function(state, tick)
        plugins = min(plugins, time.perf_counter() - start)
        gc.collect()
    return normalise, books, plugins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codes", type=int, default=5500)
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--prices", choices=("spread", "flat"), default="spread")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    quiet_logs()
    n_codes, n_push = (200, 3) if args.quick else (args.codes, args.snapshots)
    code_list = codes(n_codes)
    pushes = (spread_snapshots if args.prices == "spread" else snapshots)(code_list, n_push)
    header(f"whole-market snapshot: {n_codes:,} codes through 3 plugins, {n_push} snapshots, {args.prices} prices")
    with tempfile.TemporaryDirectory(prefix="bench-snapshot-") as tmp:
        seconds = run(Path(tmp), code_list, pushes)
    normalise, books, plugins = floors(pushes)
    p50 = quantile(seconds, 0.5)
    line("engine: callback -> 3 plugins", f"p50 {p50 * 1e3:8.2f} ms   max {max(seconds) * 1e3:8.2f} ms"
                                            f"   ({p50 / n_codes * 1e6:.2f} us per code)")
    line("floor: 3 functions, bare loop", f"{plugins * 1e3:8.2f} ms   ratio {p50 / plugins:.1f}x")
    line("normalisation alone", f"{normalise * 1e3:8.2f} ms   ({normalise / n_codes * 1e6:.2f} us per code,"
                                f" {normalise / p50:.0%} of the engine's time)")
    line("books, converted on first read", f"{books * 1e3:8.2f} ms   ({books / n_codes * 1e6:.2f} us per code,"
                                           f" {books / p50:.0%} of the engine's time)")
    line("target", "5,500 codes through 3 plugins in under 30 ms")
    line("peak RSS (MB)", f"{peak_rss_mb():.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
