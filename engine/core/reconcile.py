"""Bring engine state in line with the broker after a reconnect, and resolve unknown submits.

After a disconnect the engine may have missed pushes: status changes, fills,
position and cash updates, even the answer to an order it had just sent. On
reconnect it queries the broker and compares. Every disagreement is recorded
as a ``reconciliation`` event; the broker's view then wins. Missed status
changes and fills go through the normal push handlers, so strategies see them
as ``on_order`` / ``on_trade`` and the audit has them in order. Positions are
compared after the missed fills were applied, so a ``position`` row is a
difference that no fill explains (a corporate action, a trade outside the
account's view); ``cash`` rows show the cash the engine had before the broker's
figure replaced it.

(Orders whose submission outcome is unknown are resolved by the order desk:
:mod:`engine.orders.unknown_outcomes`.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from ..broker.snapshot import BrokerSnapshot
from ..events import Event
from ..models.money import to_decimal
from ..orders.differences import DifferenceRecorder

if TYPE_CHECKING:
    from ..account import AccountLedger
    from ..orders import OrderDesk

__all__ = ["reconcile_with_broker"]


def reconcile_with_broker(orders: OrderDesk, ledger: AccountLedger, emit: Callable[[Event], None],
                          snapshot: BrokerSnapshot) -> int:
    """Compare and adopt the broker's state; return the number of differences recorded."""
    differ = DifferenceRecorder(emit, "reconcile")

    seen_orders: set[str] = set()
    for record in snapshot.orders:
        order = orders.find(remark=record.order_remark, order_id=record.order_id)
        if order is None:
            differ("order_adopted", record.order_remark or f"order {record.order_id}", "unknown",
                   int(record.order_status), "adopted as an engine order")
        elif int(order.status) != int(record.order_status) or order.traded_volume != int(record.traded_volume or 0):
            differ("order_status", order.client_order_id, f"{int(order.status)}/{order.traded_volume}",
                   f"{int(record.order_status)}/{int(record.traded_volume or 0)}", "applied the broker's status")
        orders.apply_order(record)
        adopted = orders.find(remark=record.order_remark, order_id=record.order_id)
        if adopted is not None:
            seen_orders.add(adopted.client_order_id)

    for order in list(orders.open_orders()):
        if order.client_order_id in seen_orders or order.external:
            continue
        if order.order_id is None:
            differ("order_unknown_to_broker", order.client_order_id, int(order.status), "absent",
                   "marked rejected: the broker never received it; not re-sent")
            orders.reject_locally(order, "not received by the broker (lost while disconnected); not re-sent")
        else:
            differ("order_unknown_to_broker", order.client_order_id, int(order.status), "absent",
                   "left as it is; check the QMT client")

    for record in snapshot.trades:
        if not orders.has_trade(str(record.traded_id)):
            differ("fill_missed", str(record.traded_id), "absent", f"{record.stock_code} x{record.traded_volume}",
                   "applied the fill")
            orders.apply_trade(record)

    broker_positions = {record.stock_code: record for record in snapshot.positions}
    for code in sorted(set(broker_positions) | set(ledger.positions)):
        held = ledger.position(code)
        engine_volume = held.volume if held else 0
        record = broker_positions.get(code)
        broker_volume = int(record.volume) if record is not None else 0
        if engine_volume != broker_volume:
            differ("position", code, engine_volume, broker_volume, "took the broker's position")
        if record is not None:
            ledger.apply_position(record)
        elif held is not None:
            ledger.drop_position(code)

    engine_cash = ledger.account.cash
    if to_decimal(snapshot.asset.cash) != engine_cash:
        differ("cash", "account", engine_cash, snapshot.asset.cash, "took the broker's cash")
    ledger.apply_asset(snapshot.asset)
    return differ.count
