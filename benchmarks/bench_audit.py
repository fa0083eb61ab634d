"""Benchmark the audit writer against bare sqlite3 doing the same writes, in the same process.

    python benchmarks/bench_audit.py [--events 20000] [--durable 300]

Prints:

* batched events/second through ``AuditWriter.track_event`` + ``flush()``, against
  a bare ``sqlite3`` ``executemany`` of the same rows, 500 rows per transaction;
* the caller-side cost of one batched ``track_event`` (what the engine thread pays);
* mean and p99 latency of one durable event (``order_intent``), against a bare
  single-row INSERT + COMMIT.

Both sides use the same file settings (WAL, synchronous=FULL, foreign keys), so the
ratios show the writer's own overhead: building rows from events, the queue,
the thread hand-off. The absolute numbers depend mostly on the disk's fsync.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.audit import AuditWriter, open_audit_db  # noqa: E402
from engine.audit.tables import event_row, insert_sql  # noqa: E402
from engine.events import OrderIntent, OrderUpdated, RunStarted  # noqa: E402

RUN_ID = "bench-run"
BATCH = 500


class Stamper:
    """Stamps run_id, seq and ts as the engine does."""

    def __init__(self) -> None:
        self.seq = 0
        self.clock = dt.datetime(2025, 1, 2, 9, 30)

    def __call__(self, event):
        self.seq += 1
        self.clock += dt.timedelta(milliseconds=10)
        event.run_id, event.seq, event.ts = RUN_ID, self.seq, self.clock.isoformat()
        return event


def update_event(stamp: Stamper, i: int) -> OrderUpdated:
    return stamp(OrderUpdated(
        client_order_id=f"c-{i}", order_id=1000 + i, order_sysid=f"S{i}", status=55,
        status_label="partly filled", previous_status=50, traded_volume=100,
    ))


def intent_event(stamp: Stamper, i: int) -> OrderIntent:
    return stamp(OrderIntent(
        client_order_id=f"i-{i}", strategy="bench", code="600000.SH", side="buy", volume=100,
        price="10.50", price_type=11,
    ))


def fresh_file(folder: Path, name: str) -> Path:
    """A migrated audit file holding the bench run's ``runs`` row."""
    path = folder / name
    db = open_audit_db(path)
    db.conn.execute(insert_sql(RunStarted), event_row(Stamper()(RunStarted(mode="paper"))))
    db.conn.commit()
    db.close()
    return path


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def bench_batched_writer(folder: Path, count: int) -> tuple[float, float]:
    """(events/second end to end, mean caller-side microseconds per track_event)."""
    stamp = Stamper()
    stamp.seq = 1  # seq 1 is the run_started row
    events = [update_event(stamp, i) for i in range(count)]
    with AuditWriter(fresh_file(folder, "writer.db"), batch_size=BATCH, flush_interval=0.2) as audit:
        start = time.perf_counter()
        for event in events:
            audit.track_event(event)
        queued = time.perf_counter()
        audit.flush()
        done = time.perf_counter()
    return count / (done - start), (queued - start) / count * 1e6


def bench_batched_baseline(folder: Path, count: int) -> float:
    """Rows/second of bare executemany, BATCH rows per transaction, rows built in advance."""
    stamp = Stamper()
    stamp.seq = 1
    rows = [event_row(update_event(stamp, i)) for i in range(count)]
    sql = insert_sql(OrderUpdated)
    conn = bare_connection(fresh_file(folder, "baseline.db"))
    try:
        start = time.perf_counter()
        for offset in range(0, count, BATCH):
            conn.execute("BEGIN")
            conn.executemany(sql, rows[offset:offset + BATCH])
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    return count / elapsed


def bench_durable_writer(folder: Path, count: int) -> list[float]:
    """Seconds per durable track_event, one sample per event."""
    stamp = Stamper()
    stamp.seq = 1
    samples = []
    with AuditWriter(fresh_file(folder, "durable.db")) as audit:
        for i in range(count):
            event = intent_event(stamp, i)
            start = time.perf_counter()
            audit.track_event(event)
            samples.append(time.perf_counter() - start)
    return samples


def bench_durable_baseline(folder: Path, count: int) -> list[float]:
    """Seconds per bare single-row INSERT + COMMIT of the same row."""
    stamp = Stamper()
    stamp.seq = 1
    sql = insert_sql(OrderIntent)
    conn = bare_connection(fresh_file(folder, "durable-baseline.db"))
    samples = []
    try:
        for i in range(count):
            row = event_row(intent_event(stamp, i))
            start = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute(sql, row)
            conn.execute("COMMIT")
            samples.append(time.perf_counter() - start)
    finally:
        conn.close()
    return samples


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000, help="batched events to write")
    parser.add_argument("--durable", type=int, default=300, help="durable events to time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        folder = Path(tmp)
        writer_rate, caller_us = bench_batched_writer(folder, args.events)
        base_rate = bench_batched_baseline(folder, args.events)
        durable = bench_durable_writer(folder, args.durable)
        durable_base = bench_durable_baseline(folder, args.durable)
    mean_ms, base_mean_ms = statistics.fmean(durable) * 1e3, statistics.fmean(durable_base) * 1e3
    p99_ms, base_p99_ms = p99(durable) * 1e3, p99(durable_base) * 1e3
    print(f"audit writer benchmark (sqlite {sqlite3.sqlite_version}, WAL, synchronous=FULL)")
    print(f"batched: {writer_rate:12,.0f} events/s   baseline executemany {base_rate:12,.0f} rows/s"
          f"   ratio {writer_rate / base_rate:.2f}x")
    print(f"batched: {caller_us:12.1f} us per track_event on the caller's thread (queue only)")
    print(f"durable: mean {mean_ms:8.3f} ms   baseline insert+commit {base_mean_ms:8.3f} ms"
          f"   ratio {mean_ms / base_mean_ms:.2f}x")
    print(f"durable: p99  {p99_ms:8.3f} ms   baseline insert+commit {base_p99_ms:8.3f} ms"
          f"   ratio {p99_ms / base_p99_ms:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
