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
    from ..account import AccountLedger
    from ..orders import OrderDesk

__all__ = ["load_broker_snapshot"]


def load_broker_snapshot(ledger: AccountLedger, orders: OrderDesk, snapshot: BrokerSnapshot) -> None:
    """Cash and positions into the ledger; today's orders and trade ids into the order desk."""
    ledger.load_snapshot(snapshot.asset, snapshot.positions)
    orders.load_snapshot(snapshot.orders, snapshot.trades)
    logger.info("broker state loaded: cash {}, {} positions, {} orders and {} trades today",
                ledger.account.cash, len(ledger.positions), len(snapshot.orders), len(snapshot.trades))
