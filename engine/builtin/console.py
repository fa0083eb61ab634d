"""Built-in plugin ``console``: one readable log line per order change, fill and denial."""

from __future__ import annotations

from loguru import logger

from ..config import EngineConfig
from ..hookspecs import hookimpl
from ..models import Fill, Order


class ConsoleReporter:
    """Logs what a trader wants to see scroll by; everything else is in the audit database."""

    @hookimpl(trylast=True)
    def on_order(self, order: Order) -> None:
        price = "market" if order.price is None else order.price
        logger.info("order {} {} {} {} x{} @ {} -> {} ({}/{}) {}", order.client_order_id, order.strategy,
                    order.side.value, order.code, order.volume, price, order.status.label,
                    order.traded_volume, order.volume, order.status_msg)

    @hookimpl(trylast=True)
    def on_trade(self, fill: Fill) -> None:
        logger.info("fill {} {} {} {} x{} @ {} fees {}", fill.trade_id, fill.strategy, fill.side.value,
                    fill.code, fill.volume, fill.price, fill.commission)


def make_plugin(config: EngineConfig) -> ConsoleReporter:
    return ConsoleReporter()
