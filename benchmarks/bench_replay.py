"""Replay (backtest) throughput: 1,000,000 one-minute bars through the whole engine vs a bare loop.

    python benchmarks/bench_replay.py [--bars 1000000] [--data DIR] [--quick]

The engine side is ``mode: backtest``: bars streamed from the CSV, published to
the simulator (``SimXtData.publish_bars``, inline delivery), ``on_bar`` through
the guarded dispatcher, orders through every risk rule, the durable audit
intent, the gateway and the simulated counter (A-share sessions, T+1, daily
limits, lots, fees), pushes back through the engine queue, the order state
machine, the audit writer and the trading-day jobs. The floor is
:func:`benchmarks.ma_crossover.bare_replay`: one plain loop over the same bars
(pre-loaded into a list, not timed) computing the same signals and fills.
Both must end with the same fills and the same cash, to the cent.

Data: ``/work/shared/bench/gen_bars.py`` output, generated once into the cache
folder (``$QMT_BENCH_DATA`` or ``~/.cache/qmt-engine-bench``); the md5 of
``bars_100k.csv`` is checked.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, RssSampler, engine_config, header, line, peak_rss_mb, quiet_logs  # noqa: E402
from benchmarks.ma_crossover import MaCrossover, bare_replay, load_rows  # noqa: E402
from engine import hookimpl  # noqa: E402

CODE = "600000.SH"
BARS_100K_MD5 = "cce13d26e075cb03821bdae250805639"
INITIAL_CASH = 100_000_000  # the strategy loses to fees over 16 years; no order may be refused for funds
SLIPPAGE_BPS = 5


def data_folder(given: str | None) -> Path:
    import os

    return Path(given or os.environ.get("QMT_BENCH_DATA") or Path.home() / ".cache" / "qmt-engine-bench")


def generator() -> Path:
    for candidate in (REPO.parent / "shared" / "bench" / "gen_bars.py", Path("/work/shared/bench/gen_bars.py")):
        if candidate.exists():
            return candidate
    raise SystemExit("gen_bars.py not found (expected ../shared/bench/gen_bars.py beside the repository)")


def ensure_bars(folder: Path) -> Path:
    """bars_1m.csv in ``folder``, generated on first use; the 100k subset's md5 must match."""
    full, subset = folder / "bars_1m.csv", folder / "bars_100k.csv"
    if not full.exists() or not subset.exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"  generating the benchmark bars into {folder} (once) ...", flush=True)
        subprocess.run([sys.executable, str(generator()), str(folder)], check=True, stdout=subprocess.DEVNULL)
    digest = hashlib.md5(subset.read_bytes()).hexdigest()
    if digest != BARS_100K_MD5:
        raise SystemExit(f"{subset}: md5 {digest}, expected {BARS_100K_MD5}: regenerate with gen_bars.py")
    return full


def first_bars(source: Path, count: int, folder: Path) -> Path:
    """A file with the first ``count`` bars of ``source`` (the whole file when it has no more)."""
    target = folder / f"bars_{count}.csv"
    with open(source) as src, open(target, "w") as dst:
        for number, text in enumerate(src):
            if number > count:
                break
            dst.write(text)
    return target


class TenthsProbe:
    """An ``on_bar`` plugin timing each tenth of the run: if the work per bar (or per order) grew
    with the history of orders and fills, the later tenths would be slower."""

    def __init__(self, bars: int) -> None:
        self.every = max(1, bars // 10)
        self.seen = 0
        self.marks: list[float] = []

    @hookimpl
    def on_bar(self, bar) -> None:
        self.seen += 1
        if self.seen % self.every == 0 or self.seen == 1:
            self.marks.append(time.perf_counter())

    def us_per_bar(self) -> list[float]:
        return [(b - a) / self.every * 1e6 for a, b in zip(self.marks, self.marks[1:])]


def run_engine(path: Path, folder: Path, bars: int):
    """Run the backtest; returns (seconds, engine, strategy, memory sampler, probe)."""
    from engine.core import Engine
    from engine.runtime.backtest import BacktestRuntime
    from engine.runtime.backtest_settings import BacktestSettings

    settings = BacktestSettings(bars=path, code=CODE, initial_cash=INITIAL_CASH, calendar="weekdays",
                                slippage_bps=SLIPPAGE_BPS, participation=1)  # the bare loop takes whole bars
    strategy, probe = MaCrossover(CODE), TenthsProbe(bars)
    engine = Engine(engine_config(folder, "backtest"), runtime_factory=lambda e: BacktestRuntime(e, settings),
                    extra_plugins=(("ma_crossover", strategy), ("tenths_probe", probe)), load_entrypoints=False)
    with RssSampler() as memory:
        start = time.perf_counter()
        engine.run()
        seconds = time.perf_counter() - start
    return seconds, engine, strategy, memory, probe


def audit_fills(audit_path: Path) -> list[tuple]:
    """The run's fills as the audit database recorded them: (time, side, price in cents, volume).

    The engine keeps only the last two trading days' fills in memory; the audit has all of them,
    so the comparison with the bare loop is made on the record itself."""
    import datetime as dt
    import sqlite3
    from decimal import Decimal

    with sqlite3.connect(audit_path) as con:
        rows = con.execute("SELECT ts, side, price, volume FROM fills ORDER BY run_id, seq").fetchall()
    return [(dt.datetime.fromisoformat(ts), side, int(Decimal(price) * 100), volume) for ts, side, price, volume in rows]


def read_floor(path: Path) -> float:
    """Seconds to stream the file through the engine's own CSV reader and nothing else."""
    from engine.marketdata import iter_bars_csv

    start = time.perf_counter()
    for _ in iter_bars_csv(path, CODE):
        pass
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bars", type=int, default=1_000_000, help="bars to replay (first N of bars_1m.csv)")
    parser.add_argument("--data", help="cache folder of the generated bars")
    parser.add_argument("--quick", action="store_true", help="3,000 bars")
    args = parser.parse_args(argv)
    quiet_logs()
    count = 3_000 if args.quick else args.bars
    source = ensure_bars(data_folder(args.data))
    header(f"replay: {count:,} one-minute bars of {CODE}, MA 10/30 crossover, 1,000,000 CNY per entry")
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        folder = Path(tmp)
        path = source if count >= 1_000_000 else first_bars(source, count, folder)
        seconds, engine, strategy, memory, probe = run_engine(path, folder, count)
        engine_peak = peak_rss_mb()
        feed = engine.runtime.feed
        bars = feed.bars_published
        ledger = engine.runtime.counter.ledger
        fills = audit_fills(engine.audit_path)
        csv_seconds = read_floor(path)
        rows = load_rows(path)
        start = time.perf_counter()
        bare = bare_replay(rows, initial_cash_cents=INITIAL_CASH * 100, slippage_bps=SLIPPAGE_BPS)
        floor = time.perf_counter() - start
    same = fills == bare["fills"] and int(ledger.balance * 100) == bare["cash"]
    line("engine (everything on)", f"{bars / seconds:12,.0f} bars/s  {seconds:8.2f} s  {seconds / bars * 1e6:7.1f} us/bar")
    line("floor: bare loop", f"{len(rows) / floor:12,.0f} bars/s  {floor:8.2f} s  {floor / len(rows) * 1e6:7.2f} us/bar")
    line("ratio engine / floor", f"{seconds / floor:12.1f} x   (target: within 10x)")
    line("reading the CSV alone", f"{len(rows) / csv_seconds:12,.0f} bars/s  ({csv_seconds / seconds:.0%} of the engine's time)")
    line("signals / orders / fills", f"{strategy.signals:,} / {engine.stats.orders:,} / {engine.stats.fills:,}"
                                      f"  (bare loop: {bare['signals']:,} / {bare['orders']:,} / {len(bare['fills']):,})")
    line("same fills and cash", f"{same}  (the audit's {len(fills):,} fills; cash {ledger.balance} CNY)")
    line("us per bar by tenth of run", " ".join(f"{v:.1f}" for v in probe.us_per_bar()))
    line("orders / fills in memory", f"{engine.orders.known():,} / {engine.ledger.fills_in_memory():,} at the end "
                                      "(the current and previous trading day; the audit has all)")
    tenths = memory.by_tenths()
    line("RSS at 10%..100% of run (MB)", " ".join(f"{v:.0f}" for v in tenths))
    line("peak RSS engine run (MB)", f"{engine_peak:.0f}")
    if not same:
        print("  MISMATCH: the engine and the bare loop disagree; the benchmark is invalid", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
