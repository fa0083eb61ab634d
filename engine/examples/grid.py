"""Grid trading on one code: buy a lot every ``step`` below the last fill, sell one every ``step`` above it.

The grid's anchor is the first price seen, then the price of each fill. A buy is
sent only between ``low`` and ``high`` and while the position stays within
``max_volume``; a sell only of sellable shares (T+1: shares the grid bought today
are sold from tomorrow). Orders go through ``ctx.order_target`` (lots, T+1, limit
prices and cash are the planner's job), one at a time. A protective stop
(``ctx.attach_stop``) sells the whole position if the price falls to ``stop``.

Parameters: ``code`` (600000.SH), ``step`` (0.05 CNY), ``lot`` (100), ``low`` / ``high``
(the grid's range, default: no bound), ``max_volume`` (2000), ``stop`` (none), ``slack`` (0.005).
"""

from __future__ import annotations

from engine import hookimpl


class Grid:
    def __init__(self) -> None:
        self.anchor: float | None = None
        self.stop = None
        self.runs: list = []

    @hookimpl
    def on_start(self, ctx) -> None:
        p = ctx.params
        self.code = str(p.get("code", "600000.SH"))
        self.step = float(p.get("step", 0.05))
        self.lot = int(p.get("lot", 100))
        self.low = float(p.get("low", 0.0))
        self.high = float(p.get("high", float("inf")))
        self.max_volume = int(p.get("max_volume", 2000))
        self.stop_price = p.get("stop")
        self.slack = float(p.get("slack", 0.005))
        if self.step <= 0 or self.lot <= 0:
            raise ValueError(f"grid needs step > 0 and lot > 0, got {self.step} and {self.lot}")

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        if tick.code != self.code or not tick.last_price:
            return
        price = tick.last_price
        if self.anchor is None:
            self.anchor = price
            if self.stop_price is not None:
                self.stop = ctx.attach_stop(self.code, stop_loss=self.stop_price)
            return
        if ctx.open_orders(self.code) or (self.stop is not None and self.stop.status != "armed"):
            return
        held = ctx.position(self.code).volume
        if price <= self.anchor - self.step and self.low <= price and held + self.lot <= self.max_volume:
            self.runs.append(ctx.order_target(self.code, volume=held + self.lot, slack=self.slack))
        elif price >= self.anchor + self.step and price <= self.high and held >= self.lot:
            self.runs.append(ctx.order_target(self.code, volume=held - self.lot, slack=self.slack))

    @hookimpl
    def on_trade(self, ctx, fill) -> None:
        if fill.code == self.code and fill.strategy == ctx.name:
            self.anchor = float(fill.price)
