"""Load the broker's view (asset, positions, today's orders and trades) into engine state.

Runs once the gateway is connected and before any strategy hook, so strategies
start from the account as it really is. Orders already at the broker are
known by their client id (``order_remark``) when the engine placed them, and
become external orders otherwise; their fills are marked seen so a re-pushed
trade is not counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from loguru import logger

from ..models import Order, OrderStatus, Side
from ..models.money import to_decimal

if TYPE_CHECKING:
    from .engine import Engine


@dataclass
class BrokerSnapshot:
    """The answers to the start-up queries (SDK records)."""

    asset: Any
    positions: list[Any] = field(default_factory=list)
    orders: list[Any] = field(default_factory=list)
    trades: list[Any] = field(default_factory=list)


def load_broker_snapshot(engine: Engine, snapshot: BrokerSnapshot) -> None:
    engine.portfolio.apply_asset(snapshot.asset)
    for record in snapshot.positions:
        engine.portfolio.apply_position(record)
    for record in snapshot.orders:
        _adopt(engine, record)
    for record in snapshot.trades:
        engine.orders.trade_ids.add(str(record.traded_id))
    logger.info("broker state loaded: cash {}, {} positions, {} orders and {} trades today",
                engine.portfolio.account.cash, len(engine.portfolio.positions), len(snapshot.orders), len(snapshot.trades))


def _adopt(engine: Engine, record) -> None:
    client_id = record.order_remark or f"ext-{record.order_id}"
    if engine.orders.find(remark=client_id, order_id=record.order_id) is not None:
        return
    order = Order(
        client_order_id=client_id, strategy=record.strategy_name or "external", code=record.stock_code,
        side=Side.from_xt(record.order_type), volume=int(record.order_volume),
        price=to_decimal(record.price) if record.price else None, price_type=int(record.price_type),
        status=OrderStatus(int(record.order_status)) if int(record.order_status) in OrderStatus._value2member_map_ else OrderStatus.UNKNOWN,
        order_id=record.order_id, order_sysid=str(record.order_sysid or ""), traded_volume=int(record.traded_volume or 0),
        external=not record.order_remark,
    )
    engine.orders.add(order)
