"""Load the broker's view (asset, positions, today's orders and trades) into engine state.

Runs once the gateway is connected and before any strategy hook, so strategies
start from the account as it really is. Orders already at the broker are
known by their client id (``order_remark``) when the engine placed them, and
become external orders otherwise; their fills are marked seen so a re-pushed
trade is not counted twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loguru import logger

from ..broker.snapshot import BrokerSnapshot

if TYPE_CHECKING:
    from .engine import Engine


def load_broker_snapshot(engine: Engine, snapshot: BrokerSnapshot) -> None:
    engine.ledger.load_snapshot(snapshot.asset, snapshot.positions)
    for record in snapshot.orders:
        if engine.orders.find(remark=record.order_remark, order_id=record.order_id) is None:
            engine.broker_events.adopt(record, announce=False)
    for record in snapshot.trades:
        engine.orders.trade_ids.add(str(record.traded_id))
    logger.info("broker state loaded: cash {}, {} positions, {} orders and {} trades today",
                engine.ledger.account.cash, len(engine.ledger.positions), len(snapshot.orders), len(snapshot.trades))
