"""Built-in plugin ``execution``: drives ``ctx.rebalance`` (buys after the sells) on the engine thread.

Order updates and fills tell it when a rebalance's sells are done; the next tick
or moment of bars (fresh prices) sends its buys. Every tick and bar of a code is
checked against that code's protective orders (``ctx.attach_stop``); children of
execution algorithms (``ctx.execute``) hear of their updates, ticks and heartbeats.

It implements the same hooks a user's plugin would (``on_order``, ``on_trade``, ``on_cancel_error``, ``on_tick``, ``on_bar``,
``on_bars``, ``on_heartbeat``) and owns the
engine's :class:`~engine.execution.ExecutionService`. ``plugins.disabled: [execution]``
turns it off; ``ctx.rebalance`` then raises, ``ctx.order_target`` still works.
"""

from __future__ import annotations

from ..config import EngineConfig
from ..execution import ExecutionService
from ..hookspecs import hookimpl


class ExecutionPlugin:
    """Forwards order updates, fills and prices to the execution service."""

    EXECUTION_SERVICE = True

    def __init__(self) -> None:
        self.service = ExecutionService()

    @hookimpl
    def on_order(self, order) -> None:
        self.service.on_order(order)

    @hookimpl
    def on_trade(self, fill) -> None:
        self.service.on_order(fill)

    @hookimpl
    def on_cancel_error(self, error) -> None:
        self.service.on_cancel_error(error.client_order_id)

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        self.service.on_price(tick.code, tick.last_price)
        self.service.on_time(ctx.now, tick.code)
        self.service.on_prices()

    @hookimpl
    def on_heartbeat(self, now) -> None:
        self.service.on_time(now)

    @hookimpl
    def on_bar(self, bar) -> None:
        self.service.on_price(bar.code, bar.close)

    @hookimpl
    def on_bars(self) -> None:
        self.service.on_prices()


def make_plugin(config: EngineConfig) -> ExecutionPlugin:
    return ExecutionPlugin()


__all__ = ["ExecutionPlugin", "make_plugin"]
