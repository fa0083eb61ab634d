"""T+0 rotation (做T) against a base position: sell part of it on a rise, buy it back on the dip.

The account holds ``base`` shares of ``code`` from earlier days (sellable today).
Each day, once the price is ``up`` above the day's first price, ``trade`` shares are
sold; when the price has fallen ``down`` below that sale, they are bought back. At
``close_by`` (14:50) any shares still out are bought back whatever the price, so
every day ends with the base volume; the spread is the day's gain. T+1 is why this
works only against a base: the shares bought back today cannot be sold until
tomorrow, so at most ``trade`` of yesterday's shares are rotated per day.
``ctx.order_target`` does the lots and the limit prices.

Parameters: ``code`` (600000.SH), ``base`` (10000), ``trade`` (3000), ``up`` (0.01),
``down`` (0.005), ``close_by`` ("14:50"), ``slack`` (0.003).
"""

from __future__ import annotations

import datetime as dt

from engine import hookimpl


class T0Rotation:
    def __init__(self) -> None:
        self.day: dt.date | None = None
        self.days: dict[dt.date, dict] = {}

    @hookimpl
    def on_start(self, ctx) -> None:
        p = ctx.params
        self.code = str(p.get("code", "600000.SH"))
        self.base = int(p.get("base", 10000))
        self.trade = int(p.get("trade", 3000))
        self.up = float(p.get("up", 0.01))
        self.down = float(p.get("down", 0.005))
        self.close_by = dt.time.fromisoformat(str(p.get("close_by", "14:50")))
        self.slack = float(p.get("slack", 0.003))
        if not 0 < self.trade <= self.base:
            raise ValueError(f"t0_rotation needs 0 < trade <= base, got trade={self.trade}, base={self.base}")

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        if tick.code != self.code or not tick.last_price:
            return
        price, now = tick.last_price, ctx.now
        if now.date() != self.day:
            self.day = now.date()
            self.days[self.day] = {"first": price, "sold_at": None, "bought_back": False}
        today = self.days[self.day]
        if ctx.open_orders(self.code) or today["bought_back"] or now.time() < dt.time(9, 30):
            return
        if today["sold_at"] is None:
            if price >= today["first"] * (1 + self.up) and now.time() < self.close_by:
                run = ctx.order_target(self.code, volume=self.base - self.trade, slack=self.slack)
                if run.orders:
                    today["sold_at"] = price
            return
        if ctx.position(self.code).volume >= self.base:
            return
        if price <= today["sold_at"] * (1 - self.down) or now.time() >= self.close_by:
            run = ctx.order_target(self.code, volume=self.base, slack=self.slack)
            if run.orders:
                today["bought_back"] = True
