"""The data store: bars read from Parquet vs the same bars from CSV files, and a whole-universe daily backtest.

    python benchmarks/bench_data.py [--codes 1000] [--days 750] [--quick]

1. **Read**: the same synthetic daily bars of ``--codes`` codes x ``--days`` days, written
   once as one CSV file per code (the ``backtest.bars`` folder format) and once as the
   store (``bars/1d/<code>.parquet``), then streamed as engine bars merged by time, as a
   backtest reads them: ``iter_bar_batches`` (CSV) and ``iter_store_batches`` (store), in
   this process, one after the other. Prints bars/s of each and the ratio.
2. **Backtest** (run first, so the peak memory is the backtest's): ``mode: backtest`` over the whole store universe with a cross-sectional
   strategy (``on_bars``: rank every code by its 20-day return each month via ``ctx.history``,
   hold the top 10): bars/s through the whole engine and the peak memory, sampled over the
   run (flat: the bars are streamed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import RssSampler, engine_config, header, line, peak_rss_mb, quiet_logs  # noqa: E402
from engine import hookimpl  # noqa: E402


def synthetic(codes: int, days: int):
    """``({code: rows}, trading days)``: random walks inside +-10%, whole lots."""
    from engine.calendar import TradingCalendar

    sessions = TradingCalendar().trading_days(dt.date(2021, 1, 4), dt.date(2025, 12, 31))[:days]
    rng = random.Random(14)
    data = {}
    for i in range(codes):
        code = f"{600000 + i:06d}.SH" if i % 2 == 0 else f"{1 + i:06d}.SZ"
        price, rows = 5 + rng.random() * 40, []
        for day in sessions:
            o = round(price * (1 + (rng.random() - 0.5) * 0.02), 2)
            c = round(price * (1 + (rng.random() - 0.5) * 0.08), 2)
            h, lo = round(max(o, c) * (1 + rng.random() * 0.01), 2), round(min(o, c) * (1 - rng.random() * 0.01), 2)
            rows.append((dt.datetime.combine(day, dt.time(15)), o, h, lo, c, int(1000 + rng.random() * 9000) * 100))
            price = c
        data[code] = rows
    return data, sessions


def write_both(data, folder: Path) -> tuple[Path, Path]:
    from engine.datastore import bar_table, write_bars

    csv_dir, store = folder / "csv", folder / "store"
    csv_dir.mkdir()
    for code, rows in data.items():
        lines = ["datetime,open,high,low,close,volume"] + [f"{t:%Y-%m-%d %H:%M:%S},{o},{h},{lo},{c},{v}"
                                                           for t, o, h, lo, c, v in rows]
        (csv_dir / f"{code}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        write_bars(store, "1d", code, bar_table({"time": t, "open": o, "high": h, "low": lo, "close": c, "volume": v}
                                                for t, o, h, lo, c, v in rows))
    return csv_dir, store


def timed_read(batches) -> tuple[int, float]:
    start = time.perf_counter()
    count = sum(len(bars) for _, bars in batches)
    return count, time.perf_counter() - start


class TopMomentum:
    """Monthly: rank every code by its 20-bar return, hold the top 10 (orders at the close +-2%)."""

    def __init__(self) -> None:
        self.month = None
        self.calls = 0

    @hookimpl
    def on_start(self, ctx) -> None:
        ctx.history("000000.SH", 21)

    @hookimpl
    def on_bars(self, ctx, bars) -> None:
        self.calls += 1
        month = bars[0].time.month
        if month == self.month:
            return
        self.month = month
        scores = []
        for bar in bars:
            closes = ctx.history(bar.code, 21, "close")
            if len(closes) == 21:
                scores.append((closes[-1] / closes[0], bar.code, bar.close))
        top = sorted(scores, reverse=True)[:10]
        keep = {code for _, code, _ in top}
        for code, position in ctx.positions.items():
            if code not in keep and position.can_use_volume:
                ctx.sell(code, position.can_use_volume, price=position.last_price * 0.98)
        budget = float(ctx.account.cash) / max(1, len(top)) * 0.9
        for _, code, close in top:
            if not ctx.position(code).volume and int(budget / (close * 102)) > 0:
                ctx.buy(code, int(budget / (close * 102)) * 100, price=close * 1.02)


def backtest(store: Path, folder: Path) -> None:
    from engine.core import Engine
    from engine.runtime.backtest import BacktestRuntime
    from engine.runtime.backtest_settings import BacktestSettings

    config = engine_config(folder, "backtest", results={"mark_every": None})
    settings = BacktestSettings(store=store, period="1d", initial_cash=10_000_000, calendar="exchange")
    strategy = TopMomentum()
    engine = Engine(config, runtime_factory=lambda e: BacktestRuntime(e, settings),
                    extra_plugins=(("top_momentum", strategy),), load_entrypoints=False)
    with RssSampler() as rss:
        start = time.perf_counter()
        summary = engine.run()
        elapsed = time.perf_counter() - start
    bars = engine.runtime.feed.bars_published
    line("bars through the engine", f"{bars:,} ({strategy.calls:,} on_bars calls)")
    line("orders / fills", f"{summary.orders:,} / {summary.fills:,}")
    line("backtest bars/s", f"{bars / elapsed:,.0f} ({elapsed:.2f} s)")
    tenths = rss.by_tenths()
    line("RSS by tenths (MB)", " ".join(f"{x:.0f}" for x in tenths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--codes", type=int, default=1000)
    parser.add_argument("--days", type=int, default=750)
    parser.add_argument("--quick", action="store_true", help="20 codes x 60 days")
    args = parser.parse_args(argv)
    codes, days = (20, 60) if args.quick else (args.codes, args.days)
    quiet_logs()
    from engine.marketdata.bars import iter_bars_csv  # noqa: F401 - the CSV reader of backtest.bars
    from engine.runtime.backtest import iter_bar_batches
    from engine.runtime.store_bars import iter_store_batches

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        data, sessions = synthetic(codes, days)
        csv_dir, store = write_both(data, folder)
        universe = sorted(data)
        del data  # the generated rows are on disk now; the backtest's memory is its own
        header(f"daily whole-universe backtest: {codes} codes x {len(sessions)} days, monthly top-10 rotation")
        run_dir = folder / "run"
        run_dir.mkdir()
        backtest(store, run_dir)
        line("peak RSS after the backtest (MB)", f"{peak_rss_mb():.0f}")
        header(f"data store read: {codes} codes x {len(sessions)} daily bars")
        files = {p.name[:-4]: p for p in sorted(csv_dir.glob("*.csv"))}
        csv_count, csv_time = timed_read(iter_bar_batches(files, "1d"))
        store_count, store_time = timed_read(iter_store_batches(store, "1d", universe))
        assert csv_count == store_count == codes * len(sessions), (csv_count, store_count)
        line("CSV bars/s", f"{csv_count / csv_time:,.0f} ({csv_time:.2f} s)")
        line("store (Parquet) bars/s", f"{store_count / store_time:,.0f} ({store_time:.2f} s)")
        line("ratio store / CSV", f"{csv_time / store_time:.2f}x")
        size_csv = sum(p.stat().st_size for p in csv_dir.glob("*.csv"))
        size_store = sum(p.stat().st_size for p in store.glob("**/*.parquet"))
        line("size CSV / store (MB)", f"{size_csv / 1e6:.1f} / {size_store / 1e6:.1f}")
    line("peak RSS (MB)", f"{peak_rss_mb():.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
