"""Test plugins: a recorder of every hook call, and a scripted trader."""

from __future__ import annotations

import threading

from engine import hookimpl
from engine.models import RiskDecision


class Recorder:
    """Implements every hook and records (hook, detail, thread id)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object, int]] = []

    def _record(self, hook: str, detail: object = None) -> None:
        self.calls.append((hook, detail, threading.get_ident()))

    def names(self, *keep: str) -> list[str]:
        return [name for name, _, _ in self.calls if not keep or name in keep]

    @hookimpl
    def on_start(self, ctx):
        self._record("on_start")

    @hookimpl
    def on_stop(self, ctx, reason):
        self._record("on_stop", reason)

    @hookimpl
    def on_heartbeat(self, now):
        self._record("on_heartbeat", now)

    @hookimpl
    def on_tick(self, tick):
        self._record("on_tick", tick.code)

    @hookimpl
    def on_bar(self, bar):
        self._record("on_bar", bar.code)

    @hookimpl
    def check_order(self, request):
        self._record("check_order", request.client_order_id)

    @hookimpl
    def on_order(self, order):
        self._record("on_order", (order.client_order_id, int(order.status)))

    @hookimpl
    def on_trade(self, fill):
        self._record("on_trade", fill.client_order_id)

    @hookimpl
    def on_order_error(self, error):
        self._record("on_order_error", error.client_order_id)

    @hookimpl
    def on_cancel_error(self, error):
        self._record("on_cancel_error", error.client_order_id)

    @hookimpl
    def on_disconnect(self, reason):
        self._record("on_disconnect", reason)

    @hookimpl
    def on_reconnect(self, attempts):
        self._record("on_reconnect", attempts)

    @hookimpl
    def on_schedule(self, job, params):
        self._record("on_schedule", job)

    @hookimpl
    def track_event(self, event):
        self._record("track_event", event.name)


class BuyThenSell:
    """Buys ``volume`` at the ask on the first tick of day one, sells it on the first tick of a later day."""

    def __init__(self, code: str = "600000.SH", volume: int = 200, price_offset: float = 0.0) -> None:
        self.code, self.volume, self.price_offset = code, volume, price_offset
        self.first_day = None
        self.orders = []
        self.sold = False

    @hookimpl
    def on_tick(self, ctx, tick):
        if tick.code != self.code or not tick.ask1:
            return
        day = tick.time.date()
        if self.first_day is None:
            self.first_day = day
            self.orders.append(ctx.buy(tick.code, self.volume, price=tick.ask1 + self.price_offset))
        elif day != self.first_day and not self.sold and ctx.position(tick.code).can_use_volume >= self.volume:
            self.sold = True
            self.orders.append(ctx.sell(tick.code, self.volume, price=tick.bid1))


class DenyAll:
    @hookimpl
    def check_order(self, request):
        return RiskDecision.deny("deny_all", "tests deny everything", request.volume, 0)


class ExplodingRisk:
    @hookimpl
    def check_order(self, request):
        raise RuntimeError("risk backend unavailable")


class ExplodingStrategy:
    """Raises on every tick."""

    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def on_tick(self, tick):
        self.calls += 1
        raise ZeroDivisionError(f"bad math on {tick.code}")
