"""Kill the engine with SIGKILL at random points in a burst of orders, many times, and restart it.

After every kill and at the end: nothing the audit database had committed is
lost, no order reached the (persistent, simulated) broker twice, and every
order at the broker has its journalled intent.

Kill points are chosen by what the run has done, never by wall-clock guesses:
the test watches the audit database (read-only) until the new run's row and
its first committed order intent are there, then kills once a random number of
further intents has been committed. A slow or loaded machine only makes the
campaign take longer; every kill still lands in the middle of the burst.

``QMT_CRASH_KILLS`` (default 5) sets the number of kills, ``QMT_CRASH_SEED``
the seed of the kill points (docs/audit.md, "Crash campaign").
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

BURST = '''
from engine import hookimpl


class Burst:
    """Every tick: cancel the oldest open order, or place a new one (resting or marketable)."""

    def __init__(self):
        self.n = 0

    @hookimpl
    def on_tick(self, ctx, tick):
        if not (tick.ask1 and tick.bid1) or tick.time.minute == 25:
            return
        self.n += 1
        open_orders = ctx.open_orders(tick.code)
        if len(open_orders) >= 3:
            ctx.cancel(open_orders[0])
        elif ctx.position(tick.code).can_use_volume >= 100 and self.n % 5 == 0:
            ctx.sell(tick.code, 100, price=tick.bid1)
        else:
            ctx.buy(tick.code, 100, price=tick.ask1 if self.n % 2 else tick.bid1)
'''

CONFIG = """
mode: paper
account_id: CRASH001
logging: {file: null, level: WARNING}
audit: {path: var/audit.db}
engine: {control_path: var/control.db}
paper:
  codes: ['600000.SH', '000001.SZ']
  account_db: var/paper.db
plugins: {load_entrypoints: false, disabled: [console]}
# Each run replays the same three days against the persisted account, so the daily loss rule would
# see the rewind as a loss and leave the account REDUCING for good: the campaign is about the order
# path, not that rule.
risk: {loss: {enabled: false}}
strategies:
  - {name: burst, path: burst.py, class: Burst}
"""

TABLES = ("runs", "order_intents", "order_submissions", "order_updates", "fills", "risk_decisions",
          "cancel_requests", "order_errors", "reconciliation_diffs", "run_stops")

#: a full run of the burst commits about 2,700 intents; kills land within its first 1,200
MAX_FURTHER_INTENTS = 1200
#: generous bounds for a slow machine; reaching one is a failure with the engine's stderr, not a guess
START_LIMIT_SECONDS = 180.0
RUN_LIMIT_SECONDS = 600.0


def start(config: Path, stderr_path: Path) -> subprocess.Popen:
    # stderr goes to a file: an unread pipe fills up and blocks the engine's WARNING lines
    with open(stderr_path, "wb") as stderr:
        return subprocess.Popen([sys.executable, "-m", "engine", "run", "--config", str(config), "--no-progress", "-q"],
                                cwd=config.parent, stdout=subprocess.DEVNULL, stderr=stderr)


def read_only(db_path: Path) -> sqlite3.Connection:
    """A reader that can never checkpoint, truncate or delete the engine's write-ahead log."""
    return sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)


class RunEnded(Exception):
    """The engine exited before the run committed the intents waited for."""

    def __init__(self, returncode: int, count: int, stderr: str):
        super().__init__(f"the engine exited ({returncode}) after {count} committed intents:\n{stderr}")
        self.returncode, self.count = returncode, count


class RunWatcher:
    """Polls the audit database of a running engine (read-only) for what its new run has committed."""

    def __init__(self, db_path: Path, process: subprocess.Popen, stderr_path: Path, known_runs: set[str]):
        self.db_path, self.process, self.stderr_path = db_path, process, stderr_path
        self.known_runs = known_runs
        self.run_id: str | None = None

    def _query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if not self.db_path.exists():
            return []
        try:
            conn = read_only(self.db_path)
        except sqlite3.OperationalError:  # the engine has not created the file (or its WAL) yet
            return []
        try:
            return conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError:  # tables not migrated yet
            return []
        finally:
            conn.close()

    def intents(self) -> int:
        if self.run_id is None:
            new = {r for (r,) in self._query("SELECT run_id FROM runs")} - self.known_runs
            if not new:
                return -1
            [self.run_id] = new
        return self._query("SELECT count(*) FROM order_intents WHERE run_id = ?", (self.run_id,))[0][0]

    def wait_for_intents(self, at_least: int, limit: float) -> int:
        """Block until the new run has committed ``at_least`` intents; fail if the engine exits or stalls."""
        deadline = time.monotonic() + limit
        while True:
            count = self.intents()
            if count >= at_least:
                return count
            if self.process.poll() is not None:
                count = self.intents()  # all it committed before it exited
                if count >= at_least:
                    return count
                raise RunEnded(self.process.returncode, count, self.stderr_path.read_text(errors="replace")[-3000:])
            if time.monotonic() > deadline:
                pytest.fail(f"the run had committed {count} of {at_least} intents after {limit:.0f} s")
            time.sleep(0.002)


def committed_rows(db_path: Path) -> dict[tuple[str, str], int]:
    """Rows per (table, run_id) that a fresh reader sees (what has been committed)."""
    if not db_path.exists():
        return {}
    conn = read_only(db_path)
    try:
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        counts = {}
        for table in TABLES:
            if table in names:
                for run_id, n in conn.execute(f"SELECT run_id, count(*) FROM {table} GROUP BY run_id"):
                    counts[(table, run_id)] = n
        return counts
    finally:
        conn.close()


def broker_order_remarks(paper_db: Path) -> list[str]:
    conn = read_only(paper_db)
    try:
        return [json.loads(body)["order_remark"] for (body,) in conn.execute("SELECT body FROM orders")]
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_at_random_points_loses_nothing_and_sends_nothing_twice(tmp_path):
    (tmp_path / "burst.py").write_text(BURST, encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    audit_db, paper_db = tmp_path / "var" / "audit.db", tmp_path / "var" / "paper.db"
    kills = int(os.environ.get("QMT_CRASH_KILLS", "5"))
    seed = int(os.environ.get("QMT_CRASH_SEED", "20261125"))
    rng = random.Random(seed)
    after_kills, killed_runs, kill_points, completed_early = [], [], [], []
    further = MAX_FURTHER_INTENTS
    attempt = 0
    while len(killed_runs) < kills:
        attempt += 1
        assert attempt <= 3 * kills, (f"only {len(killed_runs)} of {kills} kills landed in {attempt - 1} runs; "
                                      f"runs that ended first committed {completed_early} intents")
        known = {run for (table, run) in committed_rows(audit_db) if table == "runs"}
        stderr_path = tmp_path / f"engine-{attempt}.stderr"
        process = start(config, stderr_path)
        try:
            watcher = RunWatcher(audit_db, process, stderr_path, known)
            first = watcher.wait_for_intents(1, START_LIMIT_SECONDS)  # the run has started and is sending
            reached = watcher.wait_for_intents(first + rng.randint(0, further), RUN_LIMIT_SECONDS)
        except RunEnded as ended:
            # The run finished its replay before the kill point: the persisted account decides how many
            # orders a run sends. Not a failure; kill the next runs earlier.
            assert ended.returncode == 0, ended
            completed_early.append(ended.count)
            further = max(1, min(further, ended.count // 2))
            continue
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        assert process.returncode == -signal.SIGKILL
        killed_runs.append(watcher.run_id)
        kill_points.append(reached)
        after_kills.append(committed_rows(audit_db))
    print(f"crash campaign (seed {seed}): {kills} kills after {kill_points} committed intents; "
          f"{len(completed_early)} runs ended before their kill point ({completed_early} intents)")

    final = subprocess.run([sys.executable, "-m", "engine", "run", "--config", str(config), "--no-progress", "-q"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=RUN_LIMIT_SECONDS)
    assert final.returncode == 0, final.stderr[-3000:]
    at_end = committed_rows(audit_db)

    # the campaign really killed runs in the middle of their work: none of them recorded a stop
    assert len(set(killed_runs)) == kills
    assert not {run for (table, run) in at_end if table == "run_stops"} & set(killed_runs)
    for run, snapshot in zip(killed_runs, after_kills):
        assert snapshot.get(("order_intents", run), 0) > 0

    # 1. nothing committed is ever lost (a killed run's rows stay exactly as they were)
    for snapshot in after_kills:
        for key, count in snapshot.items():
            assert at_end.get(key, 0) >= count, key
            if key[1] in killed_runs:
                assert at_end[key] == count or key[0] == "runs", key  # nobody writes a dead run's rows

    # 2. no order reached the broker twice, and each one has its journalled intent
    remarks = broker_order_remarks(paper_db)
    assert remarks and len(remarks) == len(set(remarks))
    conn = read_only(audit_db)
    try:
        intents = {r[0] for r in conn.execute("SELECT client_order_id FROM order_intents")}
        submissions = [r[0] for r in conn.execute("SELECT client_order_id FROM order_submissions")]
        findings = [r[0] for r in conn.execute("SELECT kind FROM reconciliation_diffs")]
    finally:
        conn.close()
    assert set(remarks) <= intents
    assert len(submissions) == len(set(submissions))  # each intent submitted at most once, across all runs
    assert findings.count("previous_run_unfinished") >= kills  # each restart after a kill said so

    # 3. the database passes verification
    from engine.audit import open_audit_db

    verify = pytest.importorskip("engine.audit.verify")
    db = open_audit_db(audit_db)
    try:
        report = verify.verify_chain(db)
    finally:
        db.close()
    assert report.ok, report
