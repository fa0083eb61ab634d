"""Kill the engine with SIGKILL at random points in a burst of orders, many times, and restart it.

After every kill and at the end: nothing the audit database had committed is
lost, no order reached the (persistent, simulated) broker twice, and every
order at the broker has its journalled intent.
"""

from __future__ import annotations

import json
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
strategies:
  - {name: burst, path: burst.py, class: Burst}
"""

TABLES = ("runs", "order_intents", "order_submissions", "order_updates", "fills", "risk_decisions",
          "cancel_requests", "order_errors", "reconciliation_diffs", "run_stops")


def start(config: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "engine", "run", "--config", str(config), "--no-progress", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def committed_rows(db_path: Path) -> dict[tuple[str, str], int]:
    """Rows per (table, run_id) that a fresh reader sees (what has been committed)."""
    if not db_path.exists():
        return {}
    conn = sqlite3.connect(db_path)
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
    conn = sqlite3.connect(paper_db)
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
    rng = random.Random(20261125)
    after_kills = []
    for _ in range(5):
        process = start(config)
        time.sleep(rng.uniform(1.0, 2.3))  # interpreter start-up is about 1 s; the replay then bursts orders
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        after_kills.append(committed_rows(audit_db))
    final = subprocess.run([sys.executable, "-m", "engine", "run", "--config", str(config), "--no-progress", "-q"],
                           capture_output=True, text=True, timeout=300)
    assert final.returncode == 0, final.stderr[-3000:]
    at_end = committed_rows(audit_db)

    # the campaign really killed runs in the middle of their work
    killed_runs = {run for (table, run) in after_kills[-1] if table == "runs"} - {
        run for (table, run) in at_end if table == "run_stops"}
    assert len(killed_runs) >= 3
    assert any(after_kills[-1].get(("order_intents", run), 0) > 0 for run in killed_runs)

    # 1. nothing committed is ever lost (a killed run's rows stay exactly as they were)
    for snapshot in after_kills:
        for key, count in snapshot.items():
            assert at_end.get(key, 0) >= count, key

    # 2. no order reached the broker twice, and each one has its journalled intent
    remarks = broker_order_remarks(paper_db)
    assert remarks and len(remarks) == len(set(remarks))
    conn = sqlite3.connect(audit_db)
    intents = {r[0] for r in conn.execute("SELECT client_order_id FROM order_intents")}
    submissions = [r[0] for r in conn.execute("SELECT client_order_id FROM order_submissions")]
    conn.close()
    assert set(remarks) <= intents
    assert len(submissions) == len(set(submissions))  # each intent submitted at most once, across all runs
    conn = sqlite3.connect(audit_db)
    findings = {r[0] for r in conn.execute("SELECT kind FROM reconciliation_diffs")}
    conn.close()
    assert "previous_run_unfinished" in findings  # each restart after a kill said so

    # 3. the database passes verification
    from engine.audit import open_audit_db

    verify = pytest.importorskip("engine.audit.verify")
    db = open_audit_db(audit_db)
    try:
        report = verify.verify_chain(db)
    finally:
        db.close()
    assert report.ok, report
