"""An interrupted sweep resumes: trials already finished are kept, only the rest run."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from engine.cli import app

from .conftest import trial_rows, write_sweep

ROOT = Path(__file__).resolve().parents[2]


def _sweep(*args: str):
    return CliRunner().invoke(app, ["sweep", *args], env={"COLUMNS": "200"})


def test_a_smaller_budget_then_the_whole_grid_runs_only_the_rest(tmp_path):
    path = write_sweep(tmp_path)
    first = _sweep(str(path), "--budget", "2", "--quiet")
    assert first.exit_code == 0, first.output
    before = {r["key"]: r for r in trial_rows(tmp_path / "out" / "sweep.db")}
    assert len(before) == 2 and {r["status"] for r in before.values()} == {"done"}
    second = _sweep(str(path), "--quiet")
    assert second.exit_code == 0, second.output
    assert "sweep: 2 trial(s) run on local, 2 processes, 2 already finished" in second.output
    after = {r["key"]: r for r in trial_rows(tmp_path / "out" / "sweep.db")}
    assert len(after) == 4 and {r["status"] for r in after.values()} == {"done"}
    for key, row in before.items():  # not run again: same run, same audit database
        assert after[key]["run_id"] == row["run_id"] and after[key]["finished_at"] == row["finished_at"]


def _done(store: Path) -> int:
    if not store.exists():
        return 0
    conn = sqlite3.connect(store, timeout=10)
    try:
        return conn.execute("SELECT COUNT(*) FROM trials WHERE status = 'done'").fetchone()[0]
    except sqlite3.OperationalError:  # the driver is still creating the tables
        return 0
    finally:
        conn.close()


def test_ctrl_c_then_a_rerun_completes_only_the_rest(tmp_path):
    """Ctrl-C (SIGINT) to the driver after its first recorded trial; the rerun finishes the grid."""
    path = write_sweep(tmp_path)
    store = tmp_path / "out" / "sweep.db"
    driver = subprocess.Popen([sys.executable, "-m", "engine", "sweep", str(path), "--jobs", "1", "--quiet"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 180  # a safety net only: the loop ends as soon as a trial is recorded
        while _done(store) < 1:
            assert driver.poll() is None, driver.communicate()[0]
            assert time.monotonic() < deadline, "no trial recorded in 180 s"
            time.sleep(0.05)
        driver.send_signal(signal.SIGINT)
        output = driver.communicate(timeout=120)[0]
    finally:
        if driver.poll() is None:
            driver.kill()
            driver.wait()
    assert driver.returncode != 0, output
    before = {r["key"]: r for r in trial_rows(store)}
    finished = {k: r for k, r in before.items() if r["status"] == "done"}
    assert 1 <= len(finished) < 4, before
    rerun = _sweep(str(path), "--quiet")
    assert rerun.exit_code == 0, rerun.output
    assert f"sweep: {4 - len(finished)} trial(s) run on local" in rerun.output
    assert f"{len(finished)} already finished" in rerun.output
    after = {r["key"]: r for r in trial_rows(store)}
    assert len(after) == 4 and {r["status"] for r in after.values()} == {"done"}
    for key, row in finished.items():
        assert after[key]["run_id"] == row["run_id"]
