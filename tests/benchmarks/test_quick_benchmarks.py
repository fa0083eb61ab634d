"""The benchmarks keep working: ``python -m benchmarks --quick`` runs every one at tiny sizes.

No timing is asserted (speed belongs in the benchmarks' own output); the run
must succeed, print each benchmark's figures, and the replay's engine and bare
loop must agree on every fill and on the cash.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("bench-data")
    cached = Path.home() / ".cache" / "qmt-engine-bench"
    env = {**os.environ, "QMT_BENCH_DATA": str(cached if (cached / "bars_100k.csv").exists() else data)}
    return subprocess.run([sys.executable, "-m", "benchmarks", "--quick"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_every_benchmark_runs_and_prints_its_figures(quick_run):
    assert quick_run.returncode == 0, quick_run.stdout[-3000:] + quick_run.stderr[-3000:]
    out = quick_run.stdout
    for title in ("== replay:", "== tick dispatch:", "== tick-to-order latency:", "== whole-market snapshot:",
                  "audit writer benchmark", "== data store read:", "== daily whole-universe backtest:"):
        assert title in out, f"{title!r} missing from the quick benchmark output"
    assert "ratio" in out and "peak RSS" in out


def test_replay_engine_and_bare_loop_agree(quick_run):
    verdict = [row for row in quick_run.stdout.splitlines() if "same fills and cash" in row]
    assert verdict and verdict[0].split()[4] == "True", verdict
