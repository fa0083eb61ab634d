"""Orders the engine knows about, indexed every way a broker push can refer to them.

Also the order state machine: MiniQMT pushes can arrive twice or out of order;
an update that would move an order backwards, or change a final order, is ignored.

Memory stays flat over a long run: at each new trading day, :meth:`OrderBook.retire_before`
forgets the finished orders (and trade ids) of days before the previous trading day.
A-share orders are day orders, so no broker push refers to them any more; the audit
database keeps every one of them.
"""

from __future__ import annotations

import datetime as dt

from ..models import Order, OrderStatus

# How far along its life an order is; a push with a lower rank is stale.
_RANK = {
    OrderStatus.UNKNOWN: -1,
    OrderStatus.UNREPORTED: 0,
    OrderStatus.WAIT_REPORTING: 1,
    OrderStatus.REPORTED: 2,
    OrderStatus.PART_SUCC: 3,
    OrderStatus.REPORTED_CANCEL: 3,
    OrderStatus.PARTSUCC_CANCEL: 4,
    OrderStatus.PART_CANCEL: 9,
    OrderStatus.CANCELED: 9,
    OrderStatus.SUCCEEDED: 9,
    OrderStatus.JUNK: 9,
}


def status_advances(order: Order, status: OrderStatus, traded_volume: int) -> bool:
    """True when a push with ``status``/``traded_volume`` is news for ``order``."""
    if order.status.is_final or status is OrderStatus.UNKNOWN:
        return False
    if traded_volume < order.traded_volume:
        return False
    new_rank, old_rank = _RANK[status], _RANK[order.status]
    if new_rank > old_rank:
        return True
    return new_rank == old_rank and (status is not order.status or traded_volume > order.traded_volume)


class OrderBook:
    """All orders of the run, by client id, broker order id and request seq."""

    def __init__(self) -> None:
        self.by_client_id: dict[str, Order] = {}
        self.by_order_id: dict[int, Order] = {}
        self.by_seq: dict[int, Order] = {}
        self._open: dict[str, Order] = {}
        #: open orders the broker has not given an order id yet (the stale-submission check reads these)
        self.unacknowledged: dict[str, Order] = {}
        self.trade_ids = TradeIds()
        self._by_day: dict[dt.date | None, dict[str, Order]] = {}

    def add(self, order: Order) -> None:
        self.by_client_id[order.client_order_id] = order
        day = order.created_at.date() if order.created_at is not None else None
        self._by_day.setdefault(day, {})[order.client_order_id] = order
        if order.is_open:
            self._open[order.client_order_id] = order
            if order.order_id is None:
                self.unacknowledged[order.client_order_id] = order
        if order.order_id is not None:
            self.by_order_id[order.order_id] = order

    def bind_seq(self, order: Order, seq: int) -> None:
        order.seq = seq
        self.by_seq[seq] = order

    def bind_order_id(self, order: Order, order_id: int) -> None:
        if order_id is not None and order_id > 0:
            order.order_id = order_id
            self.by_order_id[order_id] = order
            self.unacknowledged.pop(order.client_order_id, None)

    def find(self, *, remark: str | None = None, order_id: int | None = None, seq: int | None = None) -> Order | None:
        """Resolve a push to an order: the client id in ``order_remark`` first, then ids."""
        if remark and remark in self.by_client_id:
            return self.by_client_id[remark]
        if order_id is not None and order_id in self.by_order_id:
            return self.by_order_id[order_id]
        if seq is not None:
            return self.by_seq.get(seq)
        return None

    def closed(self, order: Order) -> None:
        """Forget ``order`` from the open set once it reached a final status."""
        self._open.pop(order.client_order_id, None)
        self.unacknowledged.pop(order.client_order_id, None)

    def orders_of_day(self, day: dt.date) -> list[Order]:
        """The orders created on ``day``, in the order they were added."""
        return list(self._by_day.get(day, {}).values())

    def retire_before(self, day: dt.date) -> int:
        """Forget the finished orders created before ``day`` (and ones with no creation time);
        open ones stay until they finish. Returns how many were forgotten."""
        forgotten = 0
        for created in [d for d in self._by_day if d is None or d < day]:
            bucket = self._by_day[created]
            for client_id, order in list(bucket.items()):
                if order.is_open:
                    continue
                del bucket[client_id]
                self.by_client_id.pop(client_id, None)
                if order.order_id is not None and self.by_order_id.get(order.order_id) is order:
                    del self.by_order_id[order.order_id]
                if order.seq is not None and self.by_seq.get(order.seq) is order:
                    del self.by_seq[order.seq]
                forgotten += 1
            if not bucket:
                del self._by_day[created]
        return forgotten

    def open_orders(self, code: str | None = None, strategy: str | None = None) -> list[Order]:
        return [
            o for o in self._open.values()
            if (code is None or o.code == code) and (strategy is None or o.strategy == strategy)
        ]


class TradeIds:
    """The broker trade ids seen (duplicate pushes are dropped), for today and the previous day.

    :meth:`new_day` starts a new generation and drops the one before the previous day:
    the broker only reports the current day's trades.
    """

    def __init__(self) -> None:
        self._today: set[str] = set()
        self._earlier: set[str] = set()

    def __contains__(self, trade_id: object) -> bool:
        return trade_id in self._today or trade_id in self._earlier

    def __len__(self) -> int:
        return len(self._today) + len(self._earlier)

    def add(self, trade_id: str) -> None:
        self._today.add(trade_id)

    def discard(self, trade_id: str) -> None:
        self._today.discard(trade_id)
        self._earlier.discard(trade_id)

    def new_day(self) -> None:
        self._earlier, self._today = self._today, set()
