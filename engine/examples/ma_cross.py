"""Moving-average crossover on last prices, per code.

Golden cross (fast MA crosses above slow MA) while flat: buy ``lots`` x 100
shares at the best ask. Death cross while holding: sell everything sellable
(T+1) at the best bid. Parameters (``params:`` in config.yaml): ``fast`` (5),
``slow`` (20), ``lots`` (10), ``codes`` (all codes when empty).
"""

from __future__ import annotations

from collections import deque

from engine import hookimpl


class MaCross:
    def __init__(self) -> None:
        self.windows: dict[str, deque] = {}
        self.above: dict[str, bool] = {}

    @hookimpl
    def on_start(self, ctx) -> None:
        self.fast = int(ctx.params.get("fast", 5))
        self.slow = int(ctx.params.get("slow", 20))
        self.lots = int(ctx.params.get("lots", 10))
        self.codes = set(ctx.params.get("codes") or [])
        if not 0 < self.fast < self.slow:
            raise ValueError(f"ma_cross needs 0 < fast < slow, got fast={self.fast} slow={self.slow}")

    @hookimpl
    def on_tick(self, ctx, tick) -> None:
        if self.codes and tick.code not in self.codes:
            return
        window = self.windows.setdefault(tick.code, deque(maxlen=self.slow))
        window.append(tick.last_price)
        if len(window) < self.slow:
            return
        fast_ma = sum(list(window)[-self.fast:]) / self.fast
        slow_ma = sum(window) / self.slow
        above, was_above = fast_ma > slow_ma, self.above.get(tick.code)
        self.above[tick.code] = above
        if was_above is None or above == was_above or ctx.open_orders(tick.code):
            return
        position = ctx.position(tick.code)
        if above and position.volume == 0 and tick.ask1:
            ctx.buy(tick.code, self.lots * 100, price=tick.ask1, note="golden cross")
        elif not above and position.can_use_volume > 0 and tick.bid1:
            ctx.sell(tick.code, position.can_use_volume, price=tick.bid1, note="death cross")
