"""How the writer cuts its queue into transactions: small batches when quiet, larger ones under backlog."""

from __future__ import annotations

import queue
from concurrent.futures import Future

from engine.audit.batches import BatchGatherer


class _IdleWal:
    """A WAL keeper with nothing to checkpoint."""

    pending = False
    idle_seconds = 0.05

    def checkpoint(self) -> None:  # pragma: no cover - never pending
        raise AssertionError("no checkpoint expected")


def _rows(count: int) -> list[tuple]:
    return [("plan", (i,), None) for i in range(count)]


def _gatherer(items: queue.SimpleQueue, batch_size: int = 4, flush_interval: float = 0.0) -> BatchGatherer:
    return BatchGatherer(items, batch_size, flush_interval, _IdleWal())


def test_a_backlog_is_taken_in_transactions_of_up_to_eight_batches() -> None:
    items: queue.SimpleQueue = queue.SimpleQueue()
    for row in _rows(40):
        items.put(row)
    gatherer = _gatherer(items)
    assert [len(gatherer.next_batch()) for _ in range(2)] == [32, 8]
    assert items.empty()


def test_a_quiet_queue_gives_small_batches() -> None:
    items: queue.SimpleQueue = queue.SimpleQueue()
    for row in _rows(3):
        items.put(row)
    assert len(_gatherer(items).next_batch()) == 3  # fewer than batch_size, nothing more waiting


def test_a_full_batch_without_backlog_stops_at_batch_size() -> None:
    items: queue.SimpleQueue = queue.SimpleQueue()
    for row in _rows(4):
        items.put(row)
    gatherer = _gatherer(items)
    assert len(gatherer.next_batch()) == 4 and items.empty()


def test_a_durable_row_ends_a_backlog_batch_and_is_counted() -> None:
    items: queue.SimpleQueue = queue.SimpleQueue()
    gatherer = _gatherer(items)
    durable = ("plan", ("d",), Future())
    for row in _rows(10):
        items.put(row)
    gatherer.durable_queued += 1
    items.put(durable)
    for row in _rows(10):
        items.put(row)
    assert gatherer.durable_waiting
    batch = gatherer.next_batch()
    assert len(batch) == 11 and batch[-1] is durable and not gatherer.durable_waiting
    assert len(gatherer.next_batch()) == 10


def test_a_durable_row_first_is_a_batch_of_its_own() -> None:
    items: queue.SimpleQueue = queue.SimpleQueue()
    gatherer = _gatherer(items)
    durable = ("plan", ("d",), Future())
    gatherer.durable_queued += 1
    items.put(durable)
    items.put(_rows(1)[0])
    assert gatherer.next_batch() == [durable] and not gatherer.durable_waiting


def test_an_idle_wal_is_checkpointed_before_blocking() -> None:
    class PendingWal(_IdleWal):
        pending = True
        idle_seconds = 0.001
        checkpoints = 0

        def checkpoint(self) -> None:
            self.checkpoints += 1
            self.pending = False
            items.put(_rows(1)[0])  # work arrives after the checkpoint

    items: queue.SimpleQueue = queue.SimpleQueue()
    wal = PendingWal()
    gatherer = BatchGatherer(items, 4, 0.0, wal)
    assert len(gatherer.next_batch()) == 1 and wal.checkpoints == 1
