"""Parameter sweeps: trials per minute with 1 and 2 local worker processes, and the cost of a trial beyond
its backtest.

    python benchmarks/bench_sweep.py [--trials 8] [--months 6] [--quick]

The sweep is a grid of ``--trials`` parameter sets of the momentum rotation (engine/examples/momentum.py)
on the bundled daily sample (40 codes, ``--months`` months from 2024-01-02), measured one after the other
in this process:

* ``backtest alone`` (the floor): each parameter set's ``Engine(config).run()`` in this process, one
  after the other, with the same configuration a trial builds (own audit and control databases);
* ``sweep, 1 worker`` and ``sweep, 2 workers``: ``run_sweep`` with the local executor (a fresh ``spawn``
  process pool each, so the pool's start-up is counted), each in a fresh sweep folder. Trials per
  minute are the sweep's wall time, start to the last recorded trial; the ratio of the two shows the
  scaling on this machine (2 cores shared with everything else running);
* ``overhead per trial``: (1-worker wall time - the floor) / trials: the pool, loading and overriding the
  configuration, the data fingerprint, reading the metrics back, verifying the audit chain, the store;
  and, of it, what the workers measured inside a trial beyond ``Engine.run()``.

Both sweeps must rank the same parameter sets with the same fills digests (the benchmark fails otherwise).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import REPO, header, line, peak_rss_mb, quiet_logs  # noqa: E402

BASE = """
mode: backtest
account_id: BENCH001
logging: {{file: null}}
audit: {{path: audit.db}}
engine: {{control_path: control.db}}
backtest:
  store: {store}
  period: 1d
  start: 2024-01-02
  end: {end}
  fill_rule: next_open
  initial_cash: 1000000
trading_day: {{report_files: false}}
plugins: {{load_entrypoints: false}}
strategies:
  - name: momentum
    module: engine.examples.momentum
    class: Momentum
    params: {{lookback: 20, top: 5, slack: 0.03, invest: 0.9}}
"""

SWEEP = """
base: base.yaml
folder: {folder}
space:
  strategies.momentum.params.lookback: {{values: {lookbacks}}}
  strategies.momentum.params.top: {{values: [3, 6]}}
objective: {{metric: sharpe}}
executor: {{kind: local, jobs: {jobs}}}
"""


def write_files(folder: Path, trials: int, months: int, jobs: int, name: str) -> Path:
    end = (dt.date(2024, 1, 1) + dt.timedelta(days=int(months * 30.5))).isoformat()
    (folder / "base.yaml").write_text(BASE.format(store=REPO / "engine" / "data" / "daily_sample", end=end),
                                      encoding="utf-8")
    lookbacks = [5 + 5 * i for i in range((trials + 1) // 2)]
    path = folder / f"{name}.yaml"
    path.write_text(SWEEP.format(folder=name, lookbacks=lookbacks, jobs=jobs), encoding="utf-8")
    return path


def alone(spec) -> float:
    """The floor: each parameter set's backtest in this process, as a trial configures it."""
    from engine.core import Engine
    from engine.sweep.driver import make_task
    from engine.sweep.samplers import grid_points
    from engine.sweep.trial import load_trial_config
    from engine.sweep.walk_forward import periods

    total = 0.0
    with tempfile.TemporaryDirectory(prefix="bench-alone-") as scratch:
        for number, params in enumerate(grid_points(spec.space)):
            work = Path(scratch) / str(number)
            work.mkdir()
            config = load_trial_config(make_task(spec, number, params, periods(spec)[0], out_dir=work), work)
            began = time.perf_counter()
            Engine(config).run()
            total += time.perf_counter() - began
    return total


def sweep(path: Path):
    from engine.sweep.driver import run_sweep
    from engine.sweep.spec import load_sweep_spec

    spec = load_sweep_spec(path)
    results = []
    began = time.perf_counter()
    outcome = run_sweep(spec, on_result=lambda result, *_: results.append(result))
    wall = time.perf_counter() - began
    if outcome.errors or outcome.failed:
        raise SystemExit(f"bench_sweep: {outcome.errors} error(s), {outcome.failed} failed trial(s)")
    return wall, results, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=8, help="parameter sets in the grid (even)")
    parser.add_argument("--months", type=int, default=6, help="months of daily bars per backtest")
    parser.add_argument("--quick", action="store_true", help="2 trials of 1 month: checks that it runs")
    args = parser.parse_args(argv)
    trials, months = (2, 1) if args.quick else (max(2, args.trials // 2 * 2), args.months)
    quiet_logs()
    from engine.sweep.spec import load_sweep_spec

    header(f"sweep: {trials} momentum trials on the daily sample, {months} month(s) each, local executor")
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        folder = Path(scratch)
        one, two = write_files(folder, trials, months, 1, "one"), write_files(folder, trials, months, 2, "two")
        floor = alone(load_sweep_spec(one))
        quiet_logs()
        wall_one, results_one, outcome_one = sweep(one)
        wall_two, _, outcome_two = sweep(two)
    digests = [[c.params, c.trials[0]["fills_digest"]] for c in outcome_one.candidates]
    if digests != [[c.params, c.trials[0]["fills_digest"]] for c in outcome_two.candidates]:
        raise SystemExit("bench_sweep: 1 and 2 workers ranked other parameter sets or got other fills")
    inside = sum(r.elapsed_seconds - r.run_seconds for r in results_one) / trials
    runs = sum(r.run_seconds for r in results_one) / trials
    line("backtest alone (floor)", f"{floor / trials:.2f} s per backtest, {60 * trials / floor:.1f} per minute")
    line("sweep, 1 worker", f"{wall_one:.2f} s, {60 * trials / wall_one:.1f} trials/minute")
    line("sweep, 2 workers", f"{wall_two:.2f} s, {60 * trials / wall_two:.1f} trials/minute")
    line("ratio 2 / 1 workers", f"{wall_one / wall_two:.2f}x the trials per minute")
    line("ratio 1 worker / floor", f"{wall_one / floor:.2f}x the floor's time")
    line("overhead per trial", f"{(wall_one - floor) / trials:.2f} s beyond the backtest (pool start-up included)")
    line("  of which inside the trial", f"{inside:.2f} s (config, data fingerprint, metrics, audit verify); "
                                        f"Engine.run in the worker {runs:.2f} s")
    line("same ranking and fills", "yes (1 and 2 workers)")
    line("peak RSS (MB)", f"{peak_rss_mb():.0f} (the driver; each worker is its own process)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
