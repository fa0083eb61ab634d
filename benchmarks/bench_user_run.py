"""A backtest as a user runs it: ``qmt-engine run --config config.yaml`` on the shipped defaults, against the
bare loop and the tuned in-process configuration of ``bench_replay.py``, with a profile split by component.

    python benchmarks/bench_user_run.py [--bars 200000] [--profile-bars 100000] [--no-profile] [--quick]

Three figures, measured one after the other in this process on the same first ``--bars`` bars of the
replay benchmark's data (``bench_replay.ensure_bars``):

* ``user run``: a fresh ``python -m engine run --config <tmp>/config.yaml --no-progress``. The config is what a
  user writes: ``mode: backtest``, the bars file, the benchmark strategy as a strategy file, the order-size
  limit raised to the strategy's 1,000,000 CNY per entry, and nothing else: every default plugin (console
  included), the default INFO log file, the default audit settings. Bars/s counts the run's own time (the
  ``runs`` row's start to its stop) and, separately, the process's wall time (start-up included);
* ``tuned``: ``bench_replay.run_engine`` in this process (console plugin off, no log file);
* ``bare loop``: ``ma_crossover.bare_replay`` over the same bars, pre-loaded.

The profile (``cProfile`` over a second user run of ``--profile-bars`` bars, in its own process) adds each
function's self time into a component by the file it lives in: data reading and bar construction,
dispatch (pluggy and the guarded caller), strategy, simulator, engine bookkeeping (orders, fills,
positions, accounts), risk, audit, logging and console, clock / scheduler / monitor, results, start-up
(imports), other. Shares only: cProfile slows small functions more than large ones.
"""

from __future__ import annotations

import argparse
import cProfile  # noqa: F401 - run as ``python -m cProfile`` below; imported to fail early if missing
import json
import os
import pstats
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_replay import CODE, INITIAL_CASH, SLIPPAGE_BPS, data_folder, ensure_bars, first_bars, run_engine  # noqa: E402
from benchmarks.common import REPO, header, line, quiet_logs  # noqa: E402
from benchmarks.ma_crossover import bare_replay, load_rows  # noqa: E402

STRATEGY = f'''"""The replay benchmark's MA 10/30 crossover, as a user's strategy file."""
from benchmarks.ma_crossover import MaCrossover


class Strategy(MaCrossover):
    def __init__(self):
        super().__init__("{CODE}")
'''

CONFIG = f"""mode: backtest
account_id: BENCH001
backtest:
  bars: {{bars}}
  code: {CODE}
  initial_cash: {INITIAL_CASH}
  slippage_bps: {SLIPPAGE_BPS}
  participation: 1
  calendar: weekdays
risk:
  order: {{{{max_order_value: 2000000}}}}
strategies:
  - {{{{name: ma_crossover, path: strategy.py, class: Strategy}}}}
"""

#: (component, substrings of a profiled function's file name), first match wins
COMPONENTS = (
    ("strategy", ("benchmarks/ma_crossover",)),
    ("data reading, bar construction", ("engine/marketdata", "engine/datastore", "runtime/store_bars", "csv")),
    ("simulator", ("engine/sim/",)),
    ("risk", ("engine/builtin/risk",)),
    ("audit", ("engine/audit", "engine/builtin/audit", "sqlite3", "hashlib")),
    ("logging, console", ("loguru", "engine/builtin/console", "engine/logs", "logging")),
    ("clock, scheduler, monitor", ("engine/scheduling", "engine/clock", "engine/runtime", "schedule",
                                   "engine/core/monitor", "engine/core/heartbeat", "engine/calendar", "exchange_calendars")),
    ("dispatch", ("pluggy", "engine/dispatch")),
    ("results", ("engine/results", "engine/builtin/results")),
    ("engine bookkeeping", ("engine/core", "engine/models", "engine/context", "engine/events", "decimal")),
    ("start-up (imports)", ("<frozen", "importlib", "pydantic", "typer", "click", "rich", "yaml", "re/_", "sysconfig")),
)

OTHER = "other (built-ins and stdlib called from everywhere)"

#: built-ins (cProfile's file name ``~``) by their name
BUILTINS = (
    ("start-up (imports)", ("compile", "marshal", "__build_class__", "_imp.", "builtins.exec", "gc.collect")),
    ("waiting (locks, queues, threads)", ("acquire", "wait", "sleep", "join")),
    ("audit", ("sqlite3", "_hashlib", "commit", "execute")),
)


def write_user_folder(folder: Path, bars: Path) -> Path:
    (folder / "strategy.py").write_text(STRATEGY, encoding="utf-8")
    config = folder / "config.yaml"
    config.write_text(CONFIG.format(bars=bars), encoding="utf-8")
    return config


def user_run(folder: Path, config: Path, profile_to: Path | None = None) -> tuple[float, float, int]:
    """Run ``qmt-engine run`` in a fresh process; returns (wall seconds, the run's own seconds, fills)."""
    prefix = [sys.executable] + (["-m", "cProfile", "-o", str(profile_to)] if profile_to else [])
    env = {**os.environ, "PYTHONPATH": f"{REPO}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    start = time.perf_counter()
    subprocess.run([*prefix, "-m", "engine", "run", "--config", str(config), "--no-progress"], cwd=folder,
                   env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    with sqlite3.connect(f"file:{folder / 'var' / 'audit.db'}?mode=ro", uri=True) as con:
        (summary,) = con.execute("SELECT summary FROM run_overview ORDER BY started_at DESC LIMIT 1").fetchone()
    summary = json.loads(summary)
    if summary.get("reason") != "completed" or summary.get("denials"):
        raise SystemExit(f"the user run did not complete cleanly: {summary}")
    return wall, float(summary["elapsed_seconds"]), int(summary["fills"])


def components(profile: Path) -> list[tuple[str, float]]:
    stats = pstats.Stats(str(profile))
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, name), (_cc, _nc, self_time, _cum, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename == "~":  # a built-in: sort by what it is
            component = next((label for label, parts in BUILTINS if any(p in name for p in parts)), OTHER)
        else:
            component = next((label for label, parts in COMPONENTS if any(p in filename for p in parts)), OTHER)
        totals[component] += self_time
    whole = sum(totals.values()) or 1.0
    return sorted(((label, seconds / whole) for label, seconds in totals.items()), key=lambda item: -item[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bars", type=int, default=200_000)
    parser.add_argument("--profile-bars", type=int, default=100_000)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--data", help="cache folder of the generated bars")
    parser.add_argument("--quick", action="store_true", help="3,000 bars, profile of 3,000 bars")
    args = parser.parse_args(argv)
    quiet_logs()
    count = 3_000 if args.quick else args.bars
    profile_count = 3_000 if args.quick else args.profile_bars
    source = ensure_bars(data_folder(args.data))
    header(f"user run: {count:,} one-minute bars of {CODE} through `qmt-engine run` on the defaults")
    with tempfile.TemporaryDirectory(prefix="bench-user-run-") as tmp:
        folder = Path(tmp)
        path = first_bars(source, count, folder)
        user_folder = folder / "user"
        user_folder.mkdir()
        wall, run_seconds, user_fills = user_run(user_folder, write_user_folder(user_folder, path))
        tuned_folder = folder / "tuned"
        tuned_folder.mkdir()
        tuned_seconds, engine, *_ = run_engine(path, tuned_folder, count)
        tuned_bars = engine.runtime.feed.bars_published
        rows = load_rows(path)
        start = time.perf_counter()
        bare = bare_replay(rows, initial_cash_cents=INITIAL_CASH * 100, slippage_bps=SLIPPAGE_BPS)
        floor = time.perf_counter() - start
        shares = []
        if not args.no_profile:
            profile_folder = folder / "profile"
            profile_folder.mkdir()
            profile_path = first_bars(source, profile_count, folder) if profile_count != count else path
            user_run(profile_folder, write_user_folder(profile_folder, profile_path), folder / "run.prof")
            shares = components(folder / "run.prof")
    bars = len(rows)
    user_rate, tuned_rate, bare_rate = bars / run_seconds, tuned_bars / tuned_seconds, len(rows) / floor
    line("user run (run time)", f"{user_rate:12,.0f} bars/s  {run_seconds:8.2f} s")
    line("user run (process wall)", f"{bars / wall:12,.0f} bars/s  {wall:8.2f} s  (start-up and shut-down "
                                     f"{wall - run_seconds:.2f} s)")
    line("tuned (bench_replay config)", f"{tuned_rate:12,.0f} bars/s  {tuned_seconds:8.2f} s")
    line("bare loop", f"{bare_rate:12,.0f} bars/s  {floor:8.2f} s")
    line("fills user / tuned / bare", f"{user_fills:,} / {engine.stats.fills:,} / {len(bare['fills']):,}")
    line("user / tuned", f"{tuned_rate / user_rate:12.2f} x slower  (target: within 1.2x)")
    line("user / bare loop", f"{bare_rate / user_rate:12.1f} x slower  (stretch target: within 10x)")
    if shares:
        print(f"  profile of a {profile_count:,}-bar user run, self time by component:", flush=True)
        for label, share in shares:
            print(f"    {label:<52} {share:6.1%}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
