"""How the audit writer thread cuts its queue into transactions.

:class:`BatchGatherer` takes the items the engine thread queued (event rows,
flush and stop markers) and returns one batch per transaction:

* It blocks for the first item, then gathers until the batch holds
  ``batch_size`` rows, an urgent item arrives (a durable row, a flush or stop
  request: each ends the batch at once), or ``flush_interval`` seconds have
  passed since the first item. A quiet engine therefore writes small batches
  promptly.
* **One wake-up per batch.** After the first item the writer does not wake for
  every row the engine thread queues (each wake-up costs both threads a GIL
  hand-off): it sleeps on :attr:`BatchGatherer.wake`, which the caller sets for
  an urgent item or once a full batch is waiting, and takes what has arrived.
* **Backlog.** When the batch is full and more items are already waiting, it
  keeps taking them without waiting, up to ``backlog_factor * batch_size``
  rows. Under load the commit (and its sync of the WAL) is then shared by up
  to eight times more rows; nothing waits longer than it would have, since
  those rows were already queued.
* **Checkpoints at idle moments.** While the WAL holds uncheckpointed commits
  (:class:`~engine.audit.wal.WalKeeper`), the wait for the first item is
  bounded by the keeper's idle time; if nothing arrives the WAL is
  checkpointed before the writer blocks again.
* It counts the durable rows queued and taken, so the writer can tell whether
  a durable event is waiting (:attr:`durable_waiting`) before it runs a
  checkpoint that the event would have to wait for.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any

from .wal import WalKeeper

#: Under backlog a transaction takes up to this many times ``batch_size`` rows.
BACKLOG_FACTOR = 8


class BatchGatherer:
    """Cuts the writer's FIFO queue into batches. :meth:`next_batch` runs on the writer thread only.

    :param items: the queue the engine thread fills: row tuples ``(plan, values, done)``
        (``done`` is a Future for durable rows, else ``None``) and marker objects.
    :param batch_size: rows per transaction when the writer keeps up.
    :param flush_interval: longest time (seconds) a batch waits for more rows after its first.
    :param wal: the writer's WAL keeper (idle checkpoints).
    """

    def __init__(self, items: queue.SimpleQueue, batch_size: int, flush_interval: float, wal: WalKeeper,
                 backlog_factor: int = BACKLOG_FACTOR) -> None:
        self._items = items
        self.batch_size = batch_size
        self.flush_interval = flush_interval
        self.max_size = batch_size * max(1, backlog_factor)
        self._wal = wal
        #: durable rows put on the queue (incremented by the writer under its admission lock)
        self.durable_queued = 0
        self._durable_taken = 0
        #: set by the caller for an urgent item, or when ``batch_size`` items wait (see :meth:`notify`)
        self.wake = threading.Event()

    def notify(self, urgent: bool) -> None:
        """Called after each put: wake the writer for an urgent item or a full batch."""
        wake = self.wake
        if not wake.is_set() and (urgent or self._items.qsize() >= self.batch_size):
            wake.set()

    @property
    def durable_waiting(self) -> bool:
        """A durable row is on the queue, not yet taken into a batch."""
        return self.durable_queued > self._durable_taken

    def next_batch(self) -> list[Any]:
        """Block for the first item, then gather until full, urgent, or the interval is over."""
        items = self._items
        get, get_nowait = items.get, items.get_nowait
        wal = self._wal
        if wal.pending:  # checkpoint at the first idle moment, never inside a commit
            try:
                first = get(timeout=wal.idle_seconds)
            except queue.Empty:
                wal.checkpoint()
                first = get()
        else:
            first = get()
        batch = [first]
        if type(first) is not tuple or first[2] is not None:  # urgent: durable row or marker
            if type(first) is tuple:
                self._durable_taken += 1
            return batch
        monotonic, wake = time.monotonic, self.wake
        deadline = monotonic() + self.flush_interval
        size = self.batch_size
        while len(batch) < size:
            try:
                item = get_nowait()
            except queue.Empty:  # nothing waiting: sleep until urgent, a full batch, or the deadline
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return batch
                wake.wait(remaining)
                wake.clear()  # before looking again: a later set() is never lost
                continue
            batch.append(item)
            if type(item) is not tuple or item[2] is not None:
                return self._urgent_end(batch, item)
        # Full: take what is already waiting (a backlog), without waiting for more.
        size = self.max_size
        while len(batch) < size:
            try:
                item = get_nowait()
            except queue.Empty:
                break
            batch.append(item)
            if type(item) is not tuple or item[2] is not None:
                return self._urgent_end(batch, item)
        return batch

    def _urgent_end(self, batch: list[Any], item: Any) -> list[Any]:
        if type(item) is tuple:
            self._durable_taken += 1
        return batch
