"""Run every benchmark, each in its own process (so each peak-memory figure is its own).

    python -m benchmarks            # full sizes (the replay takes a few minutes)
    python -m benchmarks --quick    # tiny sizes: checks that every benchmark still runs

Benchmarks: replay (backtest, 1,000,000 bars), tick dispatch and tick-to-order
latency, whole-market snapshot, audit writer, the data store
(Parquet vs CSV reads, a daily whole-universe backtest), the command's start-up, a backtest run as a user runs it (`qmt-engine run`, profiled), parameter sweeps (1 vs 2 local workers). Each prints its figures, its ratio
to a floor measured in the same process, and its peak memory.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: (script, arguments for --quick)
BENCHMARKS = (
    ("bench_replay.py", ["--quick"]),
    ("bench_ticks.py", ["--quick"]),
    ("bench_snapshot.py", ["--quick"]),
    ("bench_notify.py", ["--quick"]),
    ("bench_data.py", ["--quick"]),
    ("bench_cli_startup.py", ["--quick"]),
    ("bench_user_run.py", ["--quick"]),
    ("bench_sweep.py", ["--quick"]),
    ("bench_audit.py", ["--events", "2000", "--durable", "20", "--verify", "2000"]),
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the test suite")
    parser.add_argument("--only", help="run only the benchmarks whose file name contains this")
    args = parser.parse_args(argv)
    failed = []
    for script, quick_args in BENCHMARKS:
        if args.only and args.only not in script:
            continue
        command = [sys.executable, str(HERE / "with_memory.py"), str(HERE / script), *(quick_args if args.quick else [])]
        if script != "bench_audit.py":  # the others print their own peak memory
            command = [sys.executable, str(HERE / script), *(quick_args if args.quick else [])]
        result = subprocess.run(command, cwd=HERE.parent)
        if result.returncode != 0:
            failed.append(script)
    if failed:
        print(f"\nFAILED: {', '.join(failed)}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
