"""Benchmark the audit writer (with its hash chain) against bare sqlite3 doing the same writes, in one process.

    python benchmarks/bench_audit.py [--events 20000] [--durable 2000] [--mixed 500] [--verify 100000]

Prints:

* batched events/second through ``AuditWriter.track_event`` + ``flush()`` (rows
  converted to their stored form, hashed, linked and one ``audit_chain`` block
  per commit), against a bare ``sqlite3`` ``executemany`` of the same rows, 500
  rows per transaction, with no chain;
* the caller-side cost of one batched ``track_event`` (what the engine thread pays);
* the writer thread's CPU cost of chaining one row (stored form + content hash
  + link), measured alone;
* p50, p99 and mean latency of one durable event (``order_intent``: its own
  commit with its chain block, plus the head file), against a bare single-row
  INSERT + COMMIT; p99.9, max and the checkpoints run meanwhile;
* the same for intents among batched events (``--mixed``: 100 batched events
  queued before each intent) and with ``synchronous=NORMAL`` (the backtest default);
* rows/second of ``verify_chain`` over a file of ``--verify`` chained events.

Both sides use the same file settings (WAL, synchronous=FULL, foreign keys), so the
ratios show the writer's own overhead: building rows from events, the queue,
the thread hand-off and the chain. The absolute numbers depend mostly on the
disk's fsync and on what else the machine is doing: run it more than once.
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
from engine.audit.chain import GENESIS, BlockBuilder  # noqa: E402
from engine.audit.chain_writer import ChainWriter  # noqa: E402
from engine.audit.row_plans import RowPlanner  # noqa: E402
from engine.audit.tables import event_row, insert_sql  # noqa: E402
from engine.audit.verify import verify_chain  # noqa: E402
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
    """A migrated audit file holding the bench run's ``runs`` row (written, and chained, by the writer)."""
    path = folder / name
    with AuditWriter(path) as audit:
        audit.track_event(Stamper()(RunStarted(mode="paper")))
    return path


def bare_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def bench_batched_writer(folder: Path, count: int) -> tuple[float, float, float, int]:
    """(events/second end to end, mean caller-side microseconds per track_event, rows per commit,
    back-pressure waits: the queue is bounded, see ``AuditWriter.max_backlog``)."""
    stamp = Stamper()
    stamp.seq = 1  # seq 1 is the run_started row
    events = [update_event(stamp, i) for i in range(count)]
    path = fresh_file(folder, "writer.db")
    with AuditWriter(path, batch_size=BATCH, flush_interval=0.2) as audit:
        start = time.perf_counter()
        for event in events:
            audit.track_event(event)
        queued = time.perf_counter()
        audit.flush()
        done = time.perf_counter()
        waits = audit.backlog_waits
    conn = sqlite3.connect(path)
    try:
        blocks = conn.execute("SELECT count(*) FROM audit_chain WHERE block > 1").fetchone()[0]
    finally:
        conn.close()
    return count / (done - start), (queued - start) / count * 1e6, count / max(1, blocks), waits


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


def bench_durable_writer(folder: Path, count: int, synchronous: str = "full",
                         batched_between: int = 0) -> tuple[list[float], int]:
    """(seconds per durable track_event, one sample per event; checkpoints the writer ran).

    ``batched_between`` non-durable events are queued before each intent (intents among
    batched events); only the intents are timed.
    """
    stamp = Stamper()
    stamp.seq = 1
    samples = []
    with AuditWriter(fresh_file(folder, f"durable-{synchronous}-{batched_between}.db"),
                     synchronous=synchronous) as audit:
        for i in range(count):
            for j in range(batched_between):
                audit.track_event(update_event(stamp, i * batched_between + j))
            event = intent_event(stamp, i)
            start = time.perf_counter()
            audit.track_event(event)
            samples.append(time.perf_counter() - start)
        checkpoints = audit._wal.checkpoints
    return samples, checkpoints


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


def bench_chain_cpu(folder: Path, count: int) -> float:
    """Microseconds of writer-thread CPU to chain one row: stored form, content hash, link, block entry.

    The writer's own calls, BATCH rows per block as in the batched benchmark.
    """
    stamp = Stamper()
    stamp.seq = 1
    db = open_audit_db(fresh_file(folder, "chain-cpu.db"))
    try:
        chain = ChainWriter(db.conn, folder / "chain-cpu.db")
        planner = RowPlanner(chain.layouts)
        rows = [(*planner.row(update_event(stamp, i)), None) for i in range(count)]
        start = time.perf_counter()
        for offset in range(0, count, BATCH):
            batch = rows[offset:offset + BATCH]
            block = BlockBuilder(GENESIS)
            stored, digests = chain.stored_rows(batch)
            block.extend([plan.table for plan, _, _ in batch], [values[0] for values in stored],
                         [values[1] for values in stored], digests)
            block.insert_values("now")
        elapsed = time.perf_counter() - start
    finally:
        db.close()
    return elapsed / count * 1e6


def bench_verify(folder: Path, count: int) -> float:
    """Rows/second of verify_chain over a file of ``count`` chained order updates."""
    stamp = Stamper()
    stamp.seq = 1
    path = fresh_file(folder, "verify.db")
    with AuditWriter(path, batch_size=5000, flush_interval=1.0) as audit:
        for i in range(count):
            audit.track_event(update_event(stamp, i))
    db = open_audit_db(path, create=False)
    try:
        start = time.perf_counter()
        report = verify_chain(db)
        elapsed = time.perf_counter() - start
    finally:
        db.close()
    if not report.ok:
        raise SystemExit(f"verify found problems in the benchmark file: {report.problems[:3]}")
    return report.chained_rows / elapsed


def quantile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20000, help="batched events to write")
    parser.add_argument("--durable", type=int, default=2000, help="durable events to time (back to back)")
    parser.add_argument("--mixed", type=int, default=500,
                        help="durable events to time with 100 batched events queued before each")
    parser.add_argument("--verify", type=int, default=100000, help="events in the file verify_chain reads (0: skip)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        folder = Path(tmp)
        writer_rate, caller_us, rows_per_commit, backlog_waits = bench_batched_writer(folder, args.events)
        base_rate = bench_batched_baseline(folder, args.events)
        chain_us = bench_chain_cpu(folder, args.events)
        durable, durable_checkpoints = bench_durable_writer(folder, args.durable)
        mixed, mixed_checkpoints = bench_durable_writer(folder, args.mixed, batched_between=100)
        normal, _ = bench_durable_writer(folder, args.durable, synchronous="normal")
        durable_base = bench_durable_baseline(folder, args.durable)
        verify_rate = bench_verify(folder, args.verify) if args.verify > 0 else 0.0
    print(f"audit writer benchmark (sqlite {sqlite3.sqlite_version}, WAL, synchronous=FULL, hash chain on)")
    print(f"batched: {writer_rate:12,.0f} events/s   baseline executemany {base_rate:12,.0f} rows/s"
          f"   ratio {writer_rate / base_rate:.2f}x")
    print(f"batched: {caller_us:12.1f} us per track_event on the caller's thread (queueing, and"
          f" {backlog_waits} back-pressure wait(s) for the writer); {rows_per_commit:,.0f} rows per commit")
    print(f"chain:   {chain_us:12.1f} us of writer-thread CPU per row (stored form + sha256 content + link + entry)")
    for label, q in (("p50 ", 0.5), ("p99 ", 0.99)):
        mine, base = quantile(durable, q) * 1e3, quantile(durable_base, q) * 1e3
        print(f"durable: {label} {mine:8.3f} ms   baseline insert+commit {base:8.3f} ms   ratio {mine / base:.2f}x")
    mean, base_mean = statistics.fmean(durable) * 1e3, statistics.fmean(durable_base) * 1e3
    print(f"durable: mean {mean:8.3f} ms   baseline insert+commit {base_mean:8.3f} ms   ratio {mean / base_mean:.2f}x")
    print(f"durable: p99.9 {quantile(durable, 0.999) * 1e3:7.3f} ms   max {max(durable) * 1e3:.3f} ms"
          f"   ({len(durable):,} intents back to back, {durable_checkpoints} checkpoints)")
    print(f"mixed:   p50 {quantile(mixed, 0.5) * 1e3:8.3f} ms   p99 {quantile(mixed, 0.99) * 1e3:.3f} ms"
          f"   mean {statistics.fmean(mixed) * 1e3:.3f} ms   ({len(mixed):,} intents, 100 batched events"
          f" before each, {mixed_checkpoints} checkpoints)")
    print(f"normal:  p50 {quantile(normal, 0.5) * 1e3:8.3f} ms   p99 {quantile(normal, 0.99) * 1e3:.3f} ms"
          f"   mean {statistics.fmean(normal) * 1e3:.3f} ms   (synchronous=NORMAL, the backtest default)")
    if verify_rate:
        print(f"verify:  {verify_rate:12,.0f} rows/s   ({args.verify:,} events, one read transaction)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
