"""How long the ``qmt-engine`` command takes to start, against a bare interpreter and the eager import.

    python benchmarks/bench_cli_startup.py [--repeat 7] [--quick]

Each figure is the median wall time of ``--repeat`` fresh interpreters (``subprocess``), measured one after
the other in this process:

* ``python -c pass``: the floor (interpreter start-up);
* ``qmt-engine --help`` and ``--version``: only the top-level group and the command table are imported
  (``engine.cli.LazyCommands``);
* ``qmt-engine audit --help``: one subcommand's module (the audit layer, sqlite-utils and pandas);
* ``eager import``: every subcommand module imported at start, as the command did before it became lazy.

The target (issue #19) is ``--help`` under 0.3 s. Figures in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

EAGER = ("import engine.cli as cli, importlib\n"
         "for entry in cli.COMMANDS.values(): importlib.import_module('engine.cli.' + entry.module)\n")


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="two runs each (the test suite's smoke run)")
    args = parser.parse_args(argv)
    repeat = 2 if args.quick else args.repeat
    cli = [sys.executable, "-m", "engine"]
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("qmt-engine --help", [*cli, "--help"]),
        ("qmt-engine --version", [*cli, "--version"]),
        ("qmt-engine audit --help", [*cli, "audit", "--help"]),
        ("eager import of every subcommand", [sys.executable, "-c", EAGER]),
    ]
    print(f"== CLI start-up: median of {repeat} fresh interpreters ==", flush=True)
    floor = None
    for label, command in cases:
        seconds = median_seconds(command, repeat)
        floor = floor or seconds
        print(f"{label:<36} {seconds * 1000:8.0f} ms   {seconds / floor:5.1f}x the bare interpreter", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
